using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>A cart, keyed <c>source:id</c>. Its projection replaces the cart's lines as a whole.</summary>
public sealed class CartGrain(
    IProjectionWriter writer,
    ILogger<CartGrain> logger) : EntityGrain<CartRecord>("cart", writer, logger), ICartGrain
{
    protected override string StreamNamespace => StreamNamespaces.Carts;

    protected override Task ProjectAsync(CartRecord r, long version, string contentHash) =>
        Writer.WriteAsync(new CartRow(
            r.Source, r.Id, r.UserId, r.CartDate, DerivedFields.DayOfWeek(r.CartDate), DerivedFields.Month(r.CartDate),
            [.. r.Lines.Select(l => new CartLineRow(l.ProductId, l.Quantity, l.UnitPrice))], version, contentHash));
}

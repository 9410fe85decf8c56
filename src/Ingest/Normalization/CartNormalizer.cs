using System.Collections.Immutable;
using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Json;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// FakeStore: <c>userId</c>, <c>date</c> (UTC), lines <c>products[].productId</c> / <c>quantity</c>, no prices.
/// DummyJSON: <c>userId</c>, no date, lines <c>products[].id</c> / <c>quantity</c> / <c>price</c>.
/// A product listed twice becomes one line with the quantities summed (unit price: first seen), so the cart's
/// total quantity is kept; lines are ordered by product id. A quantity must be from 1 to 2,147,483,647 (<c>integer</c>)
/// and a line price from 0 to 9,999,999,999.99 (<c>numeric(12,2)</c>); beyond that the cart is rejected as out of range.
/// </summary>
public sealed class CartNormalizer : IRecordNormalizer<CartRecord>
{
    public string Entity => StreamNamespaces.Carts;

    public NormalizationResult<CartRecord> Normalize(string source, JsonElement raw)
    {
        string productIdField;
        var hasDate = false;
        var hasPrices = false;
        switch (source)
        {
            case SourceNames.FakeStore:
                productIdField = "productId";
                hasDate = true;
                break;
            case SourceNames.DummyJson:
                productIdField = "id";
                hasPrices = true;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "unknown source");
        }

        var fields = JsonFields.OfRecord(raw);
        var id = fields.Id("id");
        var userId = fields.Int64("userId");
        var cartDate = hasDate ? fields.UtcDateTime("date") : null;
        var lines = new SortedDictionary<long, CartLine>();
        foreach (var line in fields.Objects("products"))
        {
            var productId = line.Id(productIdField);
            var quantity = line.Int32("quantity", min: 1);
            var unitPrice = hasPrices ? line.Money("price") : null;
            if (quantity is null)
            {
                // A quantity of the wrong type or out of range was reported already; only the first reason is kept.
                line.Add($"{line.PathOf("quantity")} must be a positive integer, got nothing");
            }

            if (productId is not { } product || quantity is not { } count || fields.Reason is not null)
            {
                continue;
            }

            if (lines.TryGetValue(product, out var earlier))
            {
                if (earlier.Quantity > int.MaxValue - count)
                {
                    line.Add($"summed quantity of product {product} does not fit a 32-bit integer");
                    continue;
                }

                lines[product] = earlier with { Quantity = earlier.Quantity + count };
            }
            else
            {
                lines.Add(product, new CartLine(product, count, unitPrice));
            }
        }

        return NormalizationResult<CartRecord>.Of(fields, id, usableId => new CartRecord
        {
            Source = source,
            Id = usableId,
            UserId = userId,
            CartDate = cartDate,
            Lines = [.. lines.Values],
        });
    }
}

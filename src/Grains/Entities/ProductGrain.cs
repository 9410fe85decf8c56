using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>A product, keyed <c>source:id</c>.</summary>
/// <remarks>
/// Nothing calls this grain to create it: a record on the products topic does. <c>ShopstreamOptions.TopicsByNamespace</c>
/// maps the topic to the <see cref="StreamNamespaces.Products"/> namespace, the partition's pump groups a read by key and
/// <see cref="Delivery.EntityRoutes"/> calls the grain of each key with its records. Carts, users, sessions and
/// rejections arrive the same way.
/// </remarks>
public sealed class ProductGrain(
    IProjectionWriter writer,
    ILogger<ProductGrain> logger) : EntityGrain<ProductRecord>("product", writer, logger), IProductGrain
{
    protected override string StreamNamespace => StreamNamespaces.Products;

    protected override Task ProjectAsync(ProductRecord r, long version, string contentHash) =>
        Writer.WriteAsync(new ProductRow(
            r.Source, r.Id, r.Title, r.Description, r.Category, r.Price, r.ImageUrl, r.RatingValue, r.RatingCount,
            r.Stock, r.Brand, DerivedFields.PriceCategory(r.Price), version, contentHash));
}

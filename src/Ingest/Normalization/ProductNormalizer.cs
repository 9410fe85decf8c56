using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Json;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// FakeStore: <c>image</c>, <c>rating.rate</c>, <c>rating.count</c>; no stock or brand.
/// DummyJSON: <c>thumbnail</c>, <c>rating</c>, rating count = number of <c>reviews</c>, <c>stock</c>, <c>brand</c>.
/// Numbers must fit their columns and not be negative: price 0 to 9,999,999,999.99 (<c>numeric(12,2)</c>), rating 0 to
/// 99.99 (<c>numeric(4,2)</c>), stock and rating count 0 to 2,147,483,647 (<c>integer</c>).
/// </summary>
public sealed class ProductNormalizer : IRecordNormalizer<ProductRecord>
{
    public string Entity => StreamNamespaces.Products;

    public NormalizationResult<ProductRecord> Normalize(string source, JsonElement raw)
    {
        var fields = JsonFields.OfRecord(raw);
        var id = fields.Id("id");
        var title = fields.Text("title");
        var description = fields.Text("description");
        var category = fields.Text("category");
        var price = fields.Money("price");
        string? imageUrl;
        decimal? ratingValue;
        int? ratingCount;
        int? stock = null;
        string? brand = null;
        switch (source)
        {
            case SourceNames.FakeStore:
                imageUrl = fields.Text("image");
                var rating = fields.Object("rating");
                ratingValue = rating.Rating("rate");
                ratingCount = rating.Int32("count", min: 0);
                break;
            case SourceNames.DummyJson:
                imageUrl = fields.Text("thumbnail");
                ratingValue = fields.Rating("rating");
                // DummyJSON has no review counter; its reviews array is the closest thing.
                ratingCount = fields.ArrayLength("reviews");
                stock = fields.Int32("stock", min: 0);
                brand = fields.Text("brand");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "unknown source");
        }

        return NormalizationResult<ProductRecord>.Of(fields, id, usableId => new ProductRecord
        {
            Source = source,
            Id = usableId,
            Title = title,
            Description = description,
            Category = category,
            Price = price,
            ImageUrl = imageUrl,
            RatingValue = ratingValue,
            RatingCount = ratingCount,
            Stock = stock,
            Brand = brand,
        });
    }
}

using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// FakeStore: <c>image</c>, <c>rating.rate</c>, <c>rating.count</c>; no stock or brand.
/// DummyJSON: <c>thumbnail</c>, <c>rating</c>, rating count = number of <c>reviews</c>, <c>stock</c>, <c>brand</c>.
/// </summary>
public sealed class ProductNormalizer : IRecordNormalizer<ProductRecord>
{
    public string Entity => StreamNamespaces.Products;

    public NormalizationResult<ProductRecord> Normalize(string source, JsonElement raw)
    {
        var fields = FieldReader.Over(raw);
        var id = fields.Id("id");
        var title = fields.Text("title");
        var description = fields.Text("description");
        var category = fields.Text("category");
        var price = fields.Decimal("price");
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
                ratingValue = rating.Decimal("rate");
                ratingCount = rating.Int32("count");
                break;
            case SourceNames.DummyJson:
                imageUrl = fields.Text("thumbnail");
                ratingValue = fields.Decimal("rating");
                // DummyJSON has no review counter; its reviews array is the closest thing.
                ratingCount = fields.ArrayLength("reviews");
                stock = fields.Int32("stock");
                brand = fields.Text("brand");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "unknown source");
        }

        if (fields.Reason is not null || id is null)
        {
            return NormalizationResult<ProductRecord>.Rejected(id, fields.Reason ?? "missing or invalid id");
        }

        return NormalizationResult<ProductRecord>.Accepted(
            new ProductRecord
            {
                Source = source,
                Id = id.Value,
                Title = title,
                Description = description,
                Category = category,
                Price = price,
                ImageUrl = imageUrl,
                RatingValue = ratingValue,
                RatingCount = ratingCount,
                Stock = stock,
                Brand = brand,
            },
            id.Value);
    }
}

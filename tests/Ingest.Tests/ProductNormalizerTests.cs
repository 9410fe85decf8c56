using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class ProductNormalizerTests
{
    private readonly ProductNormalizer normalizer = new();

    private ProductRecord Accepted(string source, string json)
    {
        var result = normalizer.Normalize(source, SampleData.Json(json));
        Assert.True(result.IsAccepted, result.Reason);
        return result.Record;
    }

    private string Rejected(string source, string json)
    {
        var result = normalizer.Normalize(source, SampleData.Json(json));
        Assert.False(result.IsAccepted);
        return result.Reason;
    }

    private IReadOnlyList<ProductRecord> All(string source) =>
        [.. SampleData.Raw(source, "products").Select(raw => normalizer.Normalize(source, raw)).Select(r =>
        {
            Assert.True(r.IsAccepted, r.Reason);
            return r.Record;
        })];

    [Fact]
    public void Fakestore_product_maps_image_and_nested_rating_and_has_no_stock_or_brand()
    {
        var product = All(SourceNames.FakeStore).Single(p => p.Id == 1);

        Assert.Equal("fakestore", product.Source);
        Assert.Equal("Fjallraven - Foldsack No. 1 Backpack, Fits 15 Laptops", product.Title);
        Assert.Equal("men's clothing", product.Category);
        Assert.StartsWith("Your perfect pack for everyday use", product.Description, StringComparison.Ordinal);
        Assert.Equal(109.95m, product.Price);
        Assert.Equal("https://fakestoreapi.com/img/81fPKd-2AYL._AC_SL1500_t.png", product.ImageUrl);
        Assert.Equal(3.9m, product.RatingValue);
        Assert.Equal(120, product.RatingCount);
        Assert.Null(product.Stock);
        Assert.Null(product.Brand);
    }

    [Fact]
    public void Dummyjson_product_maps_thumbnail_rating_review_count_stock_and_brand()
    {
        var product = All(SourceNames.DummyJson).Single(p => p.Id == 1);

        Assert.Equal("dummyjson", product.Source);
        Assert.Equal("Essence Mascara Lash Princess", product.Title);
        Assert.Equal("beauty", product.Category);
        Assert.Equal(9.99m, product.Price);
        Assert.Equal("https://cdn.dummyjson.com/product-images/beauty/essence-mascara-lash-princess/thumbnail.webp", product.ImageUrl);
        Assert.Equal(2.56m, product.RatingValue);
        Assert.Equal(3, product.RatingCount);
        Assert.Equal(99, product.Stock);
        Assert.Equal("Essence", product.Brand);
    }

    [Fact]
    public void Dummyjson_rating_count_is_the_number_of_reviews_for_every_product()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "products");
        var products = All(SourceNames.DummyJson);

        Assert.All(raw.Zip(products), pair =>
            Assert.Equal(pair.First.GetProperty("reviews").GetArrayLength(), pair.Second.RatingCount));
    }

    [Fact]
    public void Dummyjson_product_without_brand_has_null_brand()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "products");
        var withoutBrand = raw.Where(r => !r.TryGetProperty("brand", out _)).Select(r => r.GetProperty("id").GetInt64()).ToHashSet();
        var products = All(SourceNames.DummyJson);

        Assert.Equal(92, withoutBrand.Count);
        Assert.All(products.Where(p => withoutBrand.Contains(p.Id)), p => Assert.Null(p.Brand));
        Assert.All(products.Where(p => !withoutBrand.Contains(p.Id)), p => Assert.False(string.IsNullOrEmpty(p.Brand)));
    }

    [Fact]
    public void Integer_price_is_read_as_decimal()
    {
        var product = All(SourceNames.FakeStore).Single(p => p.Id == 5);

        Assert.Equal(695m, product.Price);
    }

    [Fact]
    public void Every_fixture_price_keeps_its_exact_decimal_value()
    {
        foreach (var source in SourceNames.All)
        {
            var raw = SampleData.Raw(source, "products");
            Assert.All(raw.Zip(All(source)), pair =>
                Assert.Equal(decimal.Parse(pair.First.GetProperty("price").GetRawText(), System.Globalization.CultureInfo.InvariantCulture), pair.Second.Price));
        }
    }

    [Fact]
    public void Absent_or_null_price_is_null_not_a_rejection()
    {
        Assert.Null(Accepted(SourceNames.FakeStore, """{"id":1,"title":"t"}""").Price);
        Assert.Null(Accepted(SourceNames.DummyJson, """{"id":1,"price":null}""").Price);
    }

    [Fact]
    public void String_price_is_rejected_naming_the_field()
    {
        var reason = Rejected(SourceNames.FakeStore, """{"id":1,"price":"109.95"}""");

        Assert.Contains("'price'", reason, StringComparison.Ordinal);
        Assert.Contains("number", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_price_is_rejected_naming_the_field()
    {
        var reason = Rejected(SourceNames.DummyJson, """{"id":1,"price":{"amount":9.99}}""");

        Assert.Contains("'price'", reason, StringComparison.Ordinal);
        Assert.Contains("object", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"title":"no id"}""")]
    [InlineData("""{"id":null}""")]
    [InlineData("""{"id":0}""")]
    [InlineData("""{"id":-4}""")]
    [InlineData("""{"id":1.5}""")]
    [InlineData("""{"id":"7"}""")]
    [InlineData("""{"id":{"value":7}}""")]
    [InlineData("""{"id":99999999999999999999999}""")]
    public void Missing_or_unusable_id_is_rejected(string json)
    {
        var result = normalizer.Normalize(SourceNames.FakeStore, SampleData.Json(json));

        Assert.False(result.IsAccepted);
        Assert.Equal("missing or invalid id", result.Reason);
        Assert.Null(result.Id);
    }

    [Fact]
    public void Rejection_for_another_field_still_reports_the_id()
    {
        var result = normalizer.Normalize(SourceNames.FakeStore, SampleData.Json("""{"id":12,"price":"cheap"}"""));

        Assert.False(result.IsAccepted);
        Assert.Equal(12, result.Id);
    }

    [Theory]
    [InlineData("""{"id":1,"rating":{"rate":"high","count":3}}""", "rating.rate")]
    [InlineData("""{"id":1,"rating":{"rate":4.1,"count":2.5}}""", "rating.count")]
    [InlineData("""{"id":1,"rating":[4.1]}""", "rating")]
    [InlineData("""{"id":1,"title":42}""", "title")]
    [InlineData("""{"id":1,"image":false}""", "image")]
    public void Fakestore_field_of_the_wrong_type_is_rejected_naming_it(string json, string field)
    {
        Assert.Contains($"'{field}'", Rejected(SourceNames.FakeStore, json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":1,"stock":"many"}""", "stock")]
    [InlineData("""{"id":1,"stock":1.5}""", "stock")]
    [InlineData("""{"id":1,"reviews":3}""", "reviews")]
    [InlineData("""{"id":1,"brand":["a"]}""", "brand")]
    [InlineData("""{"id":1,"rating":{"rate":4}}""", "rating")]
    [InlineData("""{"id":1,"thumbnail":1}""", "thumbnail")]
    public void Dummyjson_field_of_the_wrong_type_is_rejected_naming_it(string json, string field)
    {
        Assert.Contains($"'{field}'", Rejected(SourceNames.DummyJson, json), StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_value_that_is_not_an_object_is_rejected()
    {
        Assert.Contains("not a JSON object", Rejected(SourceNames.FakeStore, "[1,2]"), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_source_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => normalizer.Normalize("acme", SampleData.Json("""{"id":1}""")));
    }
}

using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class CartNormalizerTests
{
    private static readonly long[] RepeatedProductCarts = [7, 38, 69, 89, 95, 132, 133, 135, 151, 156, 200, 204];

    private readonly CartNormalizer normalizer = new();

    private CartRecord Accepted(string source, JsonElement raw)
    {
        var result = normalizer.Normalize(source, raw);
        Assert.True(result.IsAccepted, result.Reason);
        return result.Record;
    }

    private string Rejected(string source, string json)
    {
        var result = normalizer.Normalize(source, SampleData.Json(json));
        Assert.False(result.IsAccepted);
        return result.Reason;
    }

    private Dictionary<long, CartRecord> All(string source) =>
        SampleData.Raw(source, "carts").Select(raw => Accepted(source, raw)).ToDictionary(c => c.Id);

    [Fact]
    public void Every_dummyjson_cart_keeps_its_totalQuantity()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "carts");
        var carts = All(SourceNames.DummyJson);

        Assert.Equal(208, raw.Count);
        Assert.All(raw, r =>
            Assert.Equal(r.GetProperty("totalQuantity").GetInt32(), carts[r.GetProperty("id").GetInt64()].Lines.Sum(l => l.Quantity)));
    }

    [Fact]
    public void Every_fakestore_cart_keeps_its_total_quantity()
    {
        var raw = SampleData.Raw(SourceNames.FakeStore, "carts");
        var carts = All(SourceNames.FakeStore);

        Assert.All(raw, r => Assert.Equal(
            r.GetProperty("products").EnumerateArray().Sum(p => p.GetProperty("quantity").GetInt32()),
            carts[r.GetProperty("id").GetInt64()].Lines.Sum(l => l.Quantity)));
    }

    [Fact]
    public void Dummyjson_has_exactly_12_carts_listing_a_product_twice_and_each_gets_one_line_per_product()
    {
        var raw = SampleData.Raw(SourceNames.DummyJson, "carts");
        var repeated = raw
            .Where(r => r.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("id").GetInt64()).Distinct().Count()
                < r.GetProperty("products").GetArrayLength())
            .ToList();
        var carts = All(SourceNames.DummyJson);

        Assert.Equal(RepeatedProductCarts, repeated.Select(r => r.GetProperty("id").GetInt64()));
        Assert.All(repeated, r =>
        {
            var cart = carts[r.GetProperty("id").GetInt64()];
            var distinct = r.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("id").GetInt64()).Distinct().Count();
            Assert.Equal(distinct, cart.Lines.Length);
            Assert.True(cart.Lines.Length < r.GetProperty("products").GetArrayLength());
            Assert.Equal(cart.Lines.Length, cart.Lines.Select(l => l.ProductId).Distinct().Count());
        });
    }

    [Fact]
    public void Dummyjson_cart_with_repeated_product_gets_one_line_with_summed_quantity()
    {
        var carts = All(SourceNames.DummyJson);

        // Cart 7 lists product 56 twice with quantity 1; cart 69 lists product 122 with 2 and then 5.
        var line56 = Assert.Single(carts[7].Lines, l => l.ProductId == 56);
        Assert.Equal(2, line56.Quantity);
        Assert.Equal(49.99m, line56.UnitPrice);
        var line122 = Assert.Single(carts[69].Lines, l => l.ProductId == 122);
        Assert.Equal(7, line122.Quantity);
        Assert.Equal(299.99m, line122.UnitPrice);
        Assert.Equal(5, carts[7].Lines.Length);
    }

    [Fact]
    public void Repeated_product_keeps_the_first_unit_price()
    {
        var cart = Accepted(SourceNames.DummyJson, SampleData.Json(
            """{"id":1,"userId":2,"products":[{"id":9,"quantity":1,"price":5.5},{"id":9,"quantity":2,"price":6}]}"""));

        var line = Assert.Single(cart.Lines);
        Assert.Equal(new CartLine(9, 3, 5.5m), line);
    }

    [Fact]
    public void Cart_lines_are_ordered_by_product_id()
    {
        foreach (var source in SourceNames.All)
        {
            Assert.All(All(source).Values, cart =>
                Assert.Equal(cart.Lines.Select(l => l.ProductId).Order(), cart.Lines.Select(l => l.ProductId)));
        }

        Assert.Equal([113L, 122, 138, 162], All(SourceNames.DummyJson)[1].Lines.Select(l => l.ProductId));
    }

    [Fact]
    public void Fakestore_cart_date_is_utc()
    {
        var carts = All(SourceNames.FakeStore);

        Assert.Equal(7, carts.Count);
        Assert.All(carts.Values, c => Assert.Equal(DateTimeKind.Utc, c.CartDate!.Value.Kind));
        Assert.Equal(new DateTime(2020, 3, 2, 0, 0, 0, DateTimeKind.Utc), carts[1].CartDate);
        Assert.Equal(new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc), carts[2].CartDate);
    }

    [Fact]
    public void Fakestore_cart_date_with_an_offset_is_converted_to_utc()
    {
        var cart = Accepted(SourceNames.FakeStore, SampleData.Json("""{"id":1,"date":"2020-03-02T01:30:00+02:00","products":[]}"""));

        Assert.Equal(new DateTime(2020, 3, 1, 23, 30, 0, DateTimeKind.Utc), cart.CartDate);
        Assert.Equal(DateTimeKind.Utc, cart.CartDate!.Value.Kind);
    }

    [Fact]
    public void Fakestore_cart_maps_user_and_product_ids_and_has_no_unit_prices()
    {
        var cart = All(SourceNames.FakeStore)[1];

        Assert.Equal(1, cart.UserId);
        // ToArray: ImmutableArray's own Equals compares array references, not lines.
        Assert.Equal([new CartLine(1, 4, null), new CartLine(2, 1, null), new CartLine(3, 6, null)], cart.Lines.ToArray());
        Assert.Equal(8, All(SourceNames.FakeStore)[7].UserId);
    }

    [Fact]
    public void Dummyjson_cart_has_no_date_and_lines_carry_the_unit_price()
    {
        var cart = All(SourceNames.DummyJson)[1];

        Assert.Null(cart.CartDate);
        Assert.Equal(1, cart.UserId);
        Assert.Equal(new CartLine(162, 4, 29.99m), cart.Lines.Single(l => l.ProductId == 162));
        Assert.All(All(SourceNames.DummyJson).Values, c => Assert.All(c.Lines, l => Assert.NotNull(l.UnitPrice)));
    }

    [Fact]
    public void Cart_without_products_has_no_lines()
    {
        Assert.Empty(Accepted(SourceNames.DummyJson, SampleData.Json("""{"id":3,"userId":1}""")).Lines);
    }

    [Theory]
    [InlineData("""{"id":1,"products":[{"productId":"abc","quantity":1}]}""", "products[0].productId")]
    [InlineData("""{"id":1,"products":[{"productId":2,"quantity":1},{"productId":0,"quantity":1}]}""", "products[1].productId")]
    [InlineData("""{"id":1,"products":[{"quantity":1}]}""", "products[0].productId")]
    [InlineData("""{"id":1,"products":[{"productId":2.5,"quantity":1}]}""", "products[0].productId")]
    public void Fakestore_cart_with_a_bad_product_id_is_rejected(string json, string field)
    {
        var reason = Rejected(SourceNames.FakeStore, json);

        Assert.Equal($"missing or invalid {field}", reason);
    }

    [Fact]
    public void Dummyjson_cart_line_product_id_is_read_from_id()
    {
        Assert.Equal("missing or invalid products[0].id", Rejected(SourceNames.DummyJson, """{"id":1,"products":[{"productId":5,"quantity":1}]}"""));
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("\"3\"")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("null")]
    [InlineData("1e100")]
    public void Cart_with_a_non_integer_or_non_positive_quantity_is_rejected(string quantity)
    {
        var reason = Rejected(SourceNames.DummyJson, $$"""{"id":1,"products":[{"id":5,"quantity":{{quantity}},"price":1}]}""");

        Assert.Contains("products[0].quantity", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":1,"userId":"u1"}""", "userId")]
    [InlineData("""{"id":1,"date":"yesterday"}""", "date")]
    [InlineData("""{"id":1,"date":20200302}""", "date")]
    [InlineData("""{"id":1,"products":{"productId":1}}""", "products")]
    public void Fakestore_cart_field_of_the_wrong_type_is_rejected_naming_it(string json, string field)
    {
        Assert.Contains($"'{field}'", Rejected(SourceNames.FakeStore, json), StringComparison.Ordinal);
    }

    [Fact]
    public void Cart_line_that_is_not_an_object_rejects_the_cart()
    {
        Assert.Contains("products[1] must be an object", Rejected(SourceNames.FakeStore, """{"id":1,"products":[{"productId":1,"quantity":1},7]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void Dummyjson_line_price_of_the_wrong_type_rejects_the_cart()
    {
        Assert.Contains("'products[0].price'", Rejected(SourceNames.DummyJson, """{"id":1,"products":[{"id":5,"quantity":1,"price":"9.99"}]}"""), StringComparison.Ordinal);
    }
}

using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

/// <summary>Source records PostgreSQL would refuse are rejected at the door with a reason naming the field and the bound.</summary>
public sealed class HostileSourceRecordTests
{
    private static string? ProductReason(string source, string json) => new ProductNormalizer().Normalize(source, SampleData.Json(json)).Reason;

    private static string? CartReason(string source, string json) => new CartNormalizer().Normalize(source, SampleData.Json(json)).Reason;

    private static string? UserReason(string source, string json) => new UserNormalizer().Normalize(source, SampleData.Json(json)).Reason;

    [Theory]
    [InlineData("-10", "field 'price' is out of range: must be from 0 to 9999999999.99, got the number -10")]
    [InlineData("10000000000", "field 'price' is out of range: must be from 0 to 9999999999.99, got the number 10000000000")]
    [InlineData("9999999999.995", "field 'price' is out of range: must be from 0 to 9999999999.99, got the number 9999999999.995")]
    [InlineData("1e400", "field 'price' is out of range: must be from 0 to 9999999999.99, got the number 1e400")]
    public void Product_price_beyond_numeric_12_2_or_negative_is_rejected(string price, string reason)
    {
        Assert.Equal(reason, ProductReason(SourceNames.FakeStore, $$"""{"id":1,"price":{{price}}}"""));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9999999999.99")]
    [InlineData("9999999999.994")]
    public void Product_price_within_numeric_12_2_is_accepted(string price)
    {
        Assert.Null(ProductReason(SourceNames.FakeStore, $$"""{"id":1,"price":{{price}}}"""));
    }

    [Theory]
    [InlineData("""{"id":1,"stock":-1}""", "field 'stock' is out of range: must be from 0 to 2147483647, got the number -1")]
    [InlineData("""{"id":1,"stock":3000000000}""", "field 'stock' is out of range: must be from 0 to 2147483647, got the number 3000000000")]
    [InlineData("""{"id":1,"rating":100}""", "field 'rating' is out of range: must be from 0 to 99.99, got the number 100")]
    [InlineData("""{"id":1,"rating":-0.5}""", "field 'rating' is out of range: must be from 0 to 99.99, got the number -0.5")]
    public void Dummyjson_stock_and_rating_beyond_their_columns_are_rejected(string json, string reason)
    {
        Assert.Equal(reason, ProductReason(SourceNames.DummyJson, json));
    }

    [Fact]
    public void Fakestore_negative_rating_count_is_rejected()
    {
        Assert.Equal(
            "field 'rating.count' is out of range: must be from 0 to 2147483647, got the number -3",
            ProductReason(SourceNames.FakeStore, """{"id":1,"rating":{"rate":4.1,"count":-3}}"""));
    }

    [Fact]
    public void Cart_quantity_of_ten_to_the_twelfth_is_out_of_range_not_a_non_integer()
    {
        Assert.Equal(
            "field 'products[0].quantity' is out of range: must be from 1 to 2147483647, got the number 1000000000000",
            CartReason(SourceNames.DummyJson, """{"id":1,"products":[{"id":5,"quantity":1000000000000,"price":1}]}"""));
    }

    [Fact]
    public void Cart_line_with_a_negative_price_is_rejected()
    {
        Assert.Equal(
            "field 'products[0].price' is out of range: must be from 0 to 9999999999.99, got the number -1",
            CartReason(SourceNames.DummyJson, """{"id":1,"products":[{"id":5,"quantity":1,"price":-1}]}"""));
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T00:00:00Z")]
    public void Cart_date_outside_1970_to_2100_is_rejected(string date)
    {
        Assert.Equal(
            $"field 'date' must be from 1970-01-01 up to (not including) 2100-01-01, got the string \"{date}\"",
            CartReason(SourceNames.FakeStore, $$"""{"id":1,"date":"{{date}}"}"""));
    }

    [Theory]
    [InlineData("\"Mas\\u0000cara\"", "field 'title' contains a NUL character")]
    [InlineData("\"\\ud800\"", "field 'title' contains an unpaired surrogate or invalid UTF-8")]
    public void Product_title_with_nul_or_unpaired_surrogate_is_rejected_not_thrown(string title, string reason)
    {
        Assert.Equal(reason, ProductReason(SourceNames.DummyJson, $$"""{"id":1,"title":{{title}}}"""));
    }

    [Fact]
    public void Product_description_of_4097_characters_is_rejected_and_of_4096_accepted()
    {
        Assert.Null(ProductReason(SourceNames.DummyJson, $$"""{"id":1,"description":"{{new string('d', 4096)}}"}"""));
        Assert.Equal(
            "field 'description' is longer than 4096 characters (4097)",
            ProductReason(SourceNames.DummyJson, $$"""{"id":1,"description":"{{new string('d', 4097)}}"}"""));
    }

    [Fact]
    public void User_name_with_nul_is_rejected_naming_the_nested_field()
    {
        Assert.Equal("field 'name.firstname' contains a NUL character", UserReason(SourceNames.FakeStore, """{"id":1,"name":{"firstname":"a\u0000"}}"""));
    }

    [Fact]
    public void Reason_quoting_a_hostile_value_never_carries_its_nul_or_its_length()
    {
        var reason = ProductReason(SourceNames.FakeStore, $$"""{"id":1,"price":"\u0000{{new string('9', 500)}}"}""")!;

        Assert.DoesNotContain('\0', reason);
        Assert.Equal("field 'price' must be a number, got the string \"\\u0000" + new string('9', 58) + "...\"", reason);
    }

    [Fact]
    public async Task Empty_snapshot_file_fails_with_one_line_naming_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fakestore", "products", "");

        var error = await Assert.ThrowsAsync<IngestException>(() => new SnapshotReader(dir.Path).ReadAsync(new Feed("fakestore", "products")));

        Assert.Equal($"{path} is empty; expected a JSON array of products or a page object with a 'products' array", error.Message);
    }

    [Fact]
    public async Task Snapshot_file_that_is_not_json_fails_with_one_line()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fakestore", "products", "not json\nat all\n");

        var error = await Assert.ThrowsAsync<IngestException>(() => new SnapshotReader(dir.Path).ReadAsync(new Feed("fakestore", "products")));

        Assert.StartsWith($"{path} is not valid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}

using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains.Tests;

/// <summary>The silo's decoder of the wire envelope: what it accepts, and the reason it gives for what it refuses.</summary>
public sealed class WireFormatDecodeTests
{
    private const string Record = """{"source":"fakestore","id":7,"title":"Mug","description":null,"category":"home","price":12.5,"image_url":null,"rating_value":4.1,"rating_count":9,"stock":3,"brand":"Acme"}""";

    [Fact]
    public void Envelope_with_its_fields_in_any_order_and_unknown_ones_decodes_to_the_record()
    {
        var json = $$"""{"record":{{Record}},"extra":{"nested":[1,{"a":2}]},"ingested_at":"2026-11-26T10:00:00+00:00","version":42,"entity":"product","schema_version":1}""";

        var decoded = WireFormat.TryDecode(StreamNamespaces.Products, Bytes(json), out var error);

        Assert.Null(error);
        var message = Assert.IsType<EntityMessage<ProductRecord>>(decoded);
        Assert.Equal(42, message.Version);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), message.IngestedAt);
        Assert.Equal(("fakestore", 7L, "Mug", "home", 12.5m, 4.1m, 9, 3, "Acme"),
            (message.Record.Source, message.Record.Id, message.Record.Title, message.Record.Category, message.Record.Price,
             message.Record.RatingValue, message.Record.RatingCount, message.Record.Stock, message.Record.Brand));
        Assert.Null(message.Record.Description);
    }

    [Fact]
    public void What_the_producer_writes_decodes_to_what_it_was_given()
    {
        var record = new ProductRecord { Source = "dummyjson", Id = 3, Title = "Lamp", Price = 9.99m, Category = "home" };
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var decoded = WireFormat.TryDecode(StreamNamespaces.Products, WireFormat.Serialize(StreamNamespaces.Products, record, 5, at), out var error);

        Assert.Null(error);
        Assert.Equal(new EntityMessage<ProductRecord>(record, 5, at), decoded);
    }

    [Theory]
    [InlineData("[1,2]", "message value is not a JSON object")]
    [InlineData("""{"schema_version":2,"entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{}}""", "unsupported or missing schema_version (expected 1)")]
    [InlineData("""{"schema_version":"1","entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{}}""", "unsupported or missing schema_version (expected 1)")]
    [InlineData("""{"schema_version":1,"entity":"cart","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{}}""", "entity is not 'product' on the 'products' stream")]
    [InlineData("""{"schema_version":1,"entity":"product","version":"1","ingested_at":"2026-11-26T10:00:00Z","record":{}}""", "missing numeric version")]
    [InlineData("""{"schema_version":1,"entity":"product","version":1,"ingested_at":"yesterday","record":{}}""", "missing or invalid ingested_at")]
    [InlineData("""{"schema_version":1,"entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":[1]}""", "missing record object")]
    [InlineData("""{"schema_version":1,"entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z"}""", "missing record object")]
    public void Envelope_that_breaks_a_rule_is_refused_with_the_rule(string json, string reason)
    {
        Assert.Null(WireFormat.TryDecode(StreamNamespaces.Products, Bytes(json), out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("""{"schema_version":1,"entity":"product","version":1""")]
    [InlineData("""{"schema_version":1} {"schema_version":1}""")]
    [InlineData("""{"schema_version":1,"entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{"source":"a","id":"seven"}}""")]
    [InlineData("not json")]
    public void Bytes_that_are_not_one_valid_envelope_are_refused_as_invalid_JSON(string json)
    {
        Assert.Null(WireFormat.TryDecode(StreamNamespaces.Products, Bytes(json), out var error));
        Assert.StartsWith("invalid JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"schema_version":1.5,"entity":"product","version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{}}""")]
    [InlineData("""{"schema_version":1,"entity":7,"version":1,"ingested_at":"2026-11-26T10:00:00Z","record":{}}""")]
    public void A_field_of_the_wrong_kind_is_refused_as_an_invalid_value(string json)
    {
        Assert.Null(WireFormat.TryDecode(StreamNamespaces.Products, Bytes(json), out var error));
        Assert.StartsWith("invalid value", error, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string json) => System.Text.Encoding.UTF8.GetBytes(json);
}

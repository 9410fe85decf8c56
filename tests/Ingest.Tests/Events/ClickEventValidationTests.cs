using System.Text.Json.Nodes;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Tests.Support;
using Xunit;
using static Shopstream.Ingest.Tests.Events.ClickEventFixtures;

namespace Shopstream.Ingest.Tests.Events;

public sealed class ClickEventValidationTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private IReadOnlyList<string> Errors(JsonObject raw)
    {
        var result = normalizer.Normalize(raw.Element());
        Assert.False(result.IsAccepted);
        Assert.Null(result.Event);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    private static JsonObject Web() => WebTrackerView(Emily, Mascara);

    private static JsonObject Feed() => FeedView(Emily, Mascara);

    private static JsonObject GenericView() => Generic(Emily, Mascara, "product_view");

    [Theory]
    [InlineData("[]")]
    [InlineData("\"page_view\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Anything_but_a_json_object_is_rejected(string json)
    {
        var result = normalizer.Normalize(SampleData.Json(json));

        Assert.Equal(["event: must be a JSON object"], result.Errors);
        Assert.Equal(ClickEventShape.Unknown, result.Shape);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"event_id\": }")]
    [InlineData("")]
    public void Text_that_is_not_json_is_rejected(string json)
    {
        Assert.Equal(["event: not valid JSON"], normalizer.Normalize(json).Errors);
    }

    [Fact]
    public void Object_of_no_known_shape_is_rejected_naming_what_each_shape_needs()
    {
        var result = normalizer.Normalize(SampleData.Json("""{"product_id": 1, "device_id": "d"}"""));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("event: unrecognised shape", error, StringComparison.Ordinal);
        Assert.Contains("event_id", error, StringComparison.Ordinal);
        Assert.Contains("time_stamp", error, StringComparison.Ordinal);
        Assert.Contains("remote_ip", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, string> GenericProblems() => new()
    {
        { "event_id", null, "event_id: required" },
        { "event_id", "\"  \"", "event_id: required" },
        { "event_id", "[1]", "event_id: must be a string or an integer" },
        { "event_id", "1.5", "event_id: must be a string or an integer" },
        { "event_type", null, "event_type: required" },
        { "event_type", "\"Click\"", "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view" },
        { "event_type", "\"PRODUCT_VIEW\"", "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view" },
        { "event_type", "\"add-to-cart\"", "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view" },
        { "event_type", "\"1st_visit\"", "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view" },
        { "event_type", "\"" + new string('a', 65) + "\"", "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view" },
        { "event_type", "7", "event_type: must be a string" },
        { "timestamp", null, "timestamp: required" },
        { "timestamp", "\"\"", "timestamp: required" },
        { "timestamp", "\"yesterday\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"05/01/2024 10:15:30\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"Wed, 01 May 2024 10:15:30 GMT\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"2024-05-01\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"2024-02-30T10:15:30Z\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"2024-05-01T24:00:00Z\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "\"2024-05-01T10:15:30+15:00\"", "timestamp: not an ISO 8601 date" },
        { "timestamp", "1714558530", "timestamp: not an ISO 8601 date" },
        { "session_id", null, "session_key: session_id or device_id is required" },
        { "product_id", null, "product_id: required for product_view" },
        { "product_id", "true", "product_id: must be a string or an integer" },
        { "user_id", "{\"id\": 1}", "user_id: must be a string or an integer" },
        { "ip", "\"localhost\"", "ip: not an IP address" },
        { "ip", "\"1.2.3\"", "ip: not an IP address" },
        { "ip", "\"300.1.1.1\"", "ip: not an IP address" },
        { "user_agent", "[\"Mozilla\"]", "user_agent: must be a string" },
        { "referrer_url", "1", "referrer_url: must be a string" },
        { "location", "{\"city\": \"Phoenix\"}", "location: must be a string" },
        { "device", "1", "device: must be a string" },
        { "price", "-1", "price: must be a non-negative number" },
        { "price", "\"free\"", "price: must be a non-negative number" },
        { "quantity", "0", "quantity: must be a positive integer" },
        { "quantity", "1.5", "quantity: must be a positive integer" },
        { "email", "\"not-an-address\"", "email: not an email address" },
    };

    [Theory]
    [MemberData(nameof(GenericProblems))]
    public void Generic_event_with_a_bad_field_is_rejected_naming_it(string field, string? json, string error)
    {
        var raw = GenericView().Without(field);
        if (json is not null)
        {
            raw[field] = JsonNode.Parse(json);
        }

        Assert.Equal([error], Errors(raw));
    }

    [Theory]
    [InlineData("wishlist_add")]
    [InlineData("checkout_step_2")]
    [InlineData("x")]
    [InlineData("a123456789_123456789_123456789_123456789_123456789_123456789_123")] // 64 characters
    public void Generic_event_of_any_lowercase_identifier_type_is_accepted_as_sent(string eventType)
    {
        var result = normalizer.Normalize(Generic(Emily, Mascara, eventType).Element());

        Assert.Empty(result.Errors);
        Assert.Equal(eventType, result.Event!.EventType);
    }

    [Theory]
    [InlineData("add_to_cart")]
    [InlineData("remove_from_cart")]
    public void Cart_events_need_a_product_too(string eventType)
    {
        Assert.Equal([$"product_id: required for {eventType}"], Errors(Generic(Emily, Mascara, eventType).Without("product_id")));
    }

    public static TheoryData<string, string?, string> WebTrackerProblems() => new()
    {
        { "_id", null, "_id: _id or id is required" },
        { "_id", "{\"oid\": \"x\"}", "_id: must be a string, an integer or {\"$oid\": \"...\"}" },
        { "time_stamp", null, "time_stamp: required" },
        { "time_stamp", "\"yesterday\"", "time_stamp: must be unix seconds" },
        { "time_stamp", "\"2020-06-04T10:21:32Z\"", "time_stamp: must be unix seconds" },
        { "time_stamp", "1591266092000", "time_stamp: looks like milliseconds; unix seconds expected" },
        { "time_stamp", "0", "time_stamp: must be unix seconds after 1970-01-01" },
        { "time_stamp", "-5", "time_stamp: must be unix seconds after 1970-01-01" },
        { "collection", null, "collection: required" },
        { "collection", "\"View Product Detail\"", "collection: must be a snake_case name such as view_product_detail" },
        { "device_id", null, "session_key: session_id or device_id is required" },
        { "product_id", null, "product_id: required for product_view" },
        { "option", "{\"option_label\": \"alloy\"}", "option: must be an array of {option_label, option_id, value_label, value_id} objects" },
        { "option", "[{\"option_label\": \"alloy\"}, \"gold\"]", "option[1]: must be an object" },
        { "local_time", "\"2020-06-04T17:21:32\"", "local_time: not a yyyy-MM-dd HH:mm:ss time" },
        { "local_time", "\"2020-06-31 17:21:32\"", "local_time: not a yyyy-MM-dd HH:mm:ss time" },
        { "ip", "\"42.48.100\"", "ip: not an IP address" },
        { "email_address", "\"emily.johnson at x.dummyjson.com\"", "email_address: not an email address" },
        { "resolution", "1920", "resolution: must be a string" },
        { "store_id", "[12]", "store_id: must be a string or an integer" },
    };

    [Theory]
    [MemberData(nameof(WebTrackerProblems))]
    public void Web_tracker_event_with_a_bad_field_is_rejected_naming_it(string field, string? json, string error)
    {
        var raw = Web().Without(field);
        if (json is not null)
        {
            raw[field] = JsonNode.Parse(json);
        }

        Assert.Equal([error], Errors(raw));
    }

    [Fact]
    public void Web_tracker_id_that_differs_from_underscore_id_is_rejected()
    {
        Assert.Equal(["id: differs from _id"], Errors(Web().With("id", "another")));
    }

    public static TheoryData<string, string?, string> FeedProblems() => new()
    {
        { "timestamp", null, "timestamp: required" },
        { "timestamp", "\"01.05.2024 10:15\"", "timestamp: not an ISO 8601 date" },
        { "local_time", "\"12:15\"", "local_time: not an ISO 8601 date" },
        { "remote_ip", "\"42.48.100.32.1\"", "remote_ip: not an IP address" },
        { "product_id", null, "product_id: required for product_view" },
        { "device_id", null, "session_key: session_id or device_id is required" },
        { "referrer_url", "false", "referrer_url: must be a string" },
    };

    [Theory]
    [MemberData(nameof(FeedProblems))]
    public void Feed_event_with_a_bad_field_is_rejected_naming_it(string field, string? json, string error)
    {
        var raw = Feed().Without(field);
        if (json is not null)
        {
            raw[field] = JsonNode.Parse(json);
        }

        Assert.Equal([error], Errors(raw));
    }

    [Fact]
    public void Every_problem_of_an_event_is_reported_at_once()
    {
        var raw = new JsonObject
        {
            ["event_type"] = "View",
            ["timestamp"] = "soon",
            ["ip"] = "x",
            ["price"] = -3,
        };

        Assert.Equal(
            [
                "event_id: required",
                "event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most 64 characters, such as page_view",
                "timestamp: not an ISO 8601 date",
                "ip: not an IP address",
                "price: must be a non-negative number",
                "session_key: session_id or device_id is required",
            ],
            Errors(raw));
    }

    [Fact]
    public void A_field_given_twice_is_rejected()
    {
        var result = normalizer.Normalize(
            """{"event_id":"e1","event_type":"page_view","session_id":"s1","timestamp":"2024-05-01T08:15:30Z","timestamp":"2024-05-02T08:15:30Z"}""");

        Assert.Equal(["timestamp: appears more than once"], result.Errors);
    }

    [Fact]
    public void Rejected_event_keeps_its_id_so_the_rejection_can_be_keyed()
    {
        var generic = normalizer.Normalize(GenericView().Without("timestamp").Element());
        var web = normalizer.Normalize(Web().Without("time_stamp").Element());

        Assert.Equal("evt-1-1-product_view", generic.EventId);
        Assert.Equal("5ed8cb2bc671fc36b74001001", web.EventId);
        Assert.Equal(ClickEventShape.Generic, generic.Shape);
        Assert.Equal(ClickEventShape.WebTracker, web.Shape);
    }

    [Fact]
    public void Explicit_null_required_field_is_missing()
    {
        var raw = GenericView();
        raw["event_id"] = null;

        Assert.Equal(["event_id: required"], Errors(raw));
    }
}

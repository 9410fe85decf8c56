using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Events;
using Xunit;
using static Shopstream.Ingest.Tests.Events.ClickEventFixtures;

namespace Shopstream.Ingest.Tests.Events;

public sealed class ProductViewFeedEventTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private ClickEvent Accepted(JsonObject raw)
    {
        var result = normalizer.Normalize(raw.Element());
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal(ClickEventShape.ProductViewFeed, result.Shape);
        return result.Event;
    }

    [Fact]
    public void Feed_event_is_a_product_view_with_a_content_derived_id()
    {
        var clickEvent = Accepted(FeedView(Emily, Mascara));

        // The documented recipe, computed outside this code base (Python's hashlib): SHA-256 hex of the JSON array
        // ["product-view-feed/1","1","device-1","12","https://l.facebook.com/","2024-05-01T12:15:30.0000000Z",
        //  "42.48.100.32","2024-05-01T10:15:30.0000000Z"] (version tag, product, device, store, referrer, local time
        // and view time in UTC, ip).
        Assert.Equal(
            new ClickEvent
            {
                EventId = "cead28ce1ffed93c96d3b08745c60b137e44caced2c0a698e53f6e4a836ef7e8",
                EventType = "product_view",
                OccurredAt = new DateTimeOffset(2024, 5, 1, 10, 15, 30, TimeSpan.Zero),
                SessionKey = "device-1",
                ProductId = "1",
                StoreId = "12",
                Ip = "42.48.100.32",
                ReferrerUrl = "https://l.facebook.com/",
                Extras = """{"local_time":"2024-05-01T12:15:30"}""",
                Browser = "Unknown",
                Os = "Unknown",
                DeviceType = "unknown",
                ReferrerDomain = "l.facebook.com",
                ReferrerType = "social",
            },
            clickEvent);
    }

    [Fact]
    public void The_same_feed_event_sent_twice_has_the_same_event_id()
    {
        var first = Accepted(FeedView(Emily, Mascara));
        var second = Accepted(FeedView(Emily, Mascara));

        Assert.Equal(first.EventId, second.EventId);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Field_order_offset_notation_whitespace_and_number_or_string_ids_do_not_change_the_event_id()
    {
        var original = Accepted(FeedView(Emily, Mascara));
        var rewritten = new JsonObject
        {
            ["timestamp"] = "2024-05-01T12:15:30.000+02:00",
            ["remote_ip"] = " 42.48.100.32 ",
            ["local_time"] = "2024-05-01T12:15:30",
            ["referrer_url"] = "https://l.facebook.com/",
            ["store_id"] = 12,
            ["device_id"] = "device-1",
            ["product_id"] = 1,
        };

        Assert.Equal(original.EventId, Accepted(rewritten).EventId);
    }

    [Theory]
    [InlineData("product_id", "2")]
    [InlineData("device_id", "device-2")]
    [InlineData("store_id", "13")]
    [InlineData("referrer_url", "https://www.google.com/")]
    [InlineData("local_time", "2024-05-01T12:15:31")]
    [InlineData("remote_ip", "42.48.100.33")]
    [InlineData("timestamp", "2024-05-01T10:15:31Z")]
    public void A_different_value_in_any_canonical_field_is_a_different_event(string field, string value)
    {
        var original = Accepted(FeedView(Emily, Mascara));
        var changed = Accepted(FeedView(Emily, Mascara).With(field, value));

        Assert.NotEqual(original.EventId, changed.EventId);
    }

    [Fact]
    public void A_missing_optional_field_and_an_empty_one_give_the_same_id_since_both_are_absent()
    {
        var without = Accepted(FeedView(Emily, Mascara).Without("referrer_url"));
        var empty = Accepted(FeedView(Emily, Mascara).With("referrer_url", ""));

        Assert.Equal(without.EventId, empty.EventId);
        Assert.Equal("direct", without.ReferrerType);
    }

    [Fact]
    public void Views_of_every_user_and_product_pair_have_distinct_ids()
    {
        var ids = Users.Take(30).SelectMany(user => Products.Take(5).Select(product => Accepted(FeedView(user, product)).EventId)).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Feed_event_without_offset_is_taken_as_utc()
    {
        var clickEvent = Accepted(FeedView(Emily, Mascara).With("timestamp", "2024-05-01 10:15:30"));

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 15, 30, TimeSpan.Zero), clickEvent.OccurredAt);
    }

    [Fact]
    public void Feed_event_with_a_session_id_uses_it_as_session_key()
    {
        var clickEvent = Accepted(FeedView(Emily, Mascara).With("session_id", "s-9"));

        Assert.Equal("s-9", clickEvent.SessionKey);
    }
}

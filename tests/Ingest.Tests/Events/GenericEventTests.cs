using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Events;
using Xunit;
using static Shopstream.Ingest.Tests.Events.ClickEventFixtures;

namespace Shopstream.Ingest.Tests.Events;

public sealed class GenericEventTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private ClickEvent Accepted(JsonObject raw)
    {
        var result = normalizer.Normalize(raw.Element());
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal(ClickEventShape.Generic, result.Shape);
        return result.Event;
    }

    [Fact]
    public void Generic_add_to_cart_maps_its_fields_and_keeps_the_extra_ones()
    {
        var clickEvent = Accepted(Generic(Emily, Mascara, "add_to_cart").With("order_id", "o-77").With("coupon", new JsonObject { ["code"] = "SPRING" }));

        Assert.Equal(
            new ClickEvent
            {
                EventId = "evt-1-1-add_to_cart",
                EventType = "add_to_cart",
                OccurredAt = new DateTimeOffset(2024, 5, 1, 8, 15, 30, 250, TimeSpan.Zero),
                SessionKey = "session-1",
                UserId = "1",
                ProductId = "1",
                Ip = "42.48.100.32",
                UserAgent = TextOf(Emily, "userAgent"),
                ReferrerUrl = "https://www.bing.com/search?q=mascara",
                Location = "Phoenix, United States",
                Extras = """{"device":"desktop","price":9.99,"quantity":2,"order_id":"o-77","coupon":{"code":"SPRING"}}""",
                Browser = "Chrome",
                Os = "macOS",
                DeviceType = "desktop",
                ReferrerDomain = "bing.com",
                ReferrerType = "search",
            },
            clickEvent);
        Assert.Equal(TimeSpan.Zero, clickEvent.OccurredAt.Offset);
    }

    [Theory]
    [InlineData("page_view")]
    [InlineData("product_view")]
    [InlineData("add_to_cart")]
    [InlineData("remove_from_cart")]
    [InlineData("purchase")]
    public void Every_generic_event_type_is_accepted(string eventType)
    {
        Assert.Equal(eventType, Accepted(Generic(Emily, Mascara, eventType)).EventType);
    }

    [Theory]
    [InlineData("page_view")]
    [InlineData("purchase")]
    public void Page_views_and_purchases_do_not_need_a_product(string eventType)
    {
        Assert.Null(Accepted(Generic(Emily, Mascara, eventType).Without("product_id")).ProductId);
    }

    [Fact]
    public void Session_id_wins_over_device_id_and_device_id_stands_in_without_it()
    {
        var both = Accepted(Generic(Emily, Mascara, "page_view").With("device_id", "device-1"));
        var deviceOnly = Accepted(Generic(Emily, Mascara, "page_view").Without("session_id").With("device_id", "device-1"));

        Assert.Equal("session-1", both.SessionKey);
        Assert.Equal("device-1", deviceOnly.SessionKey);
    }

    [Theory]
    [InlineData("mobile", "mobile")]
    [InlineData("Tablet", "tablet")]
    [InlineData("smart fridge", "unknown")]
    public void Device_field_is_the_device_type_only_when_there_is_no_user_agent(string device, string deviceType)
    {
        var withoutAgent = Accepted(Generic(Emily, Mascara, "page_view").Without("user_agent").With("device", device));
        var withAgent = Accepted(Generic(Emily, Mascara, "page_view").With("device", device));

        Assert.Equal(deviceType, withoutAgent.DeviceType);
        Assert.Equal("Unknown", withoutAgent.Browser);
        Assert.Equal("desktop", withAgent.DeviceType);
        Assert.Equal(device, JsonDocument.Parse(withAgent.Extras!).RootElement.GetProperty("device").GetString());
    }

    [Theory]
    [InlineData("2024-05-01T08:15:30Z")]
    [InlineData("2024-05-01T08:15:30.000Z")]
    [InlineData("2024-05-01T10:15:30+02:00")]
    [InlineData("2024-05-01T10:15:30+0200")]
    [InlineData("2024-05-01T03:15:30-05:00")]
    [InlineData("2024-05-01 08:15:30Z")]
    [InlineData("2024-05-01T08:15:30")]
    [InlineData("2024-05-01t08:15:30z")]
    [InlineData("2024-05-01T08:15:30,000Z")]
    public void Iso_8601_timestamps_in_any_offset_are_normalized_to_utc(string timestamp)
    {
        var clickEvent = Accepted(Generic(Emily, Mascara, "page_view").With("timestamp", timestamp));

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 15, 30, TimeSpan.Zero), clickEvent.OccurredAt);
        Assert.Equal(TimeSpan.Zero, clickEvent.OccurredAt.Offset);
    }

    [Fact]
    public void Price_and_quantity_as_numeric_strings_are_accepted_and_kept_as_sent()
    {
        var clickEvent = Accepted(Generic(Emily, Mascara, "purchase").With("price", "19.90").With("quantity", "3"));

        var extras = JsonDocument.Parse(clickEvent.Extras!).RootElement;
        Assert.Equal("19.90", extras.GetProperty("price").GetString());
        Assert.Equal("3", extras.GetProperty("quantity").GetString());
    }

    [Fact]
    public void Non_ascii_extras_stay_readable_in_the_json_text()
    {
        var clickEvent = Accepted(Generic(Emily, Mascara, "page_view").With("page_title", "Crème brûlée + <b>"));

        Assert.Contains("\"page_title\":\"Crème brûlée + <b>\"", clickEvent.Extras, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_without_extra_fields_has_null_extras()
    {
        var raw = new JsonObject
        {
            ["event_id"] = "e1",
            ["event_type"] = "page_view",
            ["session_id"] = "s1",
            ["timestamp"] = "2024-05-01T08:15:30Z",
        };

        var clickEvent = Accepted(raw);

        Assert.Null(clickEvent.Extras);
        Assert.Equal("direct", clickEvent.ReferrerType);
        Assert.Null(clickEvent.ReferrerDomain);
    }

    [Fact]
    public void Purchase_events_of_many_dummyjson_users_are_accepted_with_their_ip_and_agent()
    {
        foreach (var (user, product) in Users.Zip(Products))
        {
            var clickEvent = Accepted(Generic(user, product, "purchase"));

            Assert.Equal(TextOf(user, "ip"), clickEvent.Ip);
            Assert.Equal(TextOf(user, "userAgent"), clickEvent.UserAgent);
        }
    }
}

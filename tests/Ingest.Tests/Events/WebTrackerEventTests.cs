using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Events;
using Xunit;
using static Shopstream.Ingest.Tests.Events.ClickEventFixtures;

namespace Shopstream.Ingest.Tests.Events;

public sealed class WebTrackerEventTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private ClickEvent Accepted(JsonObject raw)
    {
        var result = normalizer.Normalize(raw.Element());
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal(ClickEventShape.WebTracker, result.Shape);
        Assert.Empty(result.Errors);
        return result.Event;
    }

    [Fact]
    public void Product_view_of_a_dummyjson_user_maps_every_field_and_enriches_it()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara));

        Assert.Equal(
            new ClickEvent
            {
                EventId = "5ed8cb2bc671fc36b74001001",
                EventType = "product_view",
                OccurredAt = new DateTimeOffset(2020, 6, 4, 10, 21, 32, TimeSpan.Zero),
                SessionKey = "device-1",
                UserId = "1",
                ProductId = "1",
                StoreId = "12",
                Ip = "42.48.100.32",
                UserAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.93 Safari/537.36",
                ReferrerUrl = "https://www.google.com/",
                CurrentUrl = "https://shop.example.com/products/1",
                UtmSource = "google",
                UtmMedium = "cpc",
                Resolution = "1920x1080",
                EmailSha256 = "00b2ff22d03a14a65a2b33a2d9fc7355c1fcdde57bacf8070dce2d29fbcbea55",
                Location = null,
                Options = """[{"option_label":"category","option_id":"1","value_label":"beauty","value_id":"11"}]""",
                Extras = """{"api_version":"1.0","local_time":"2020-06-04 17:21:32","show_recommendation":"false","recommendation":false}""",
                Browser = "Chrome",
                Os = "macOS",
                DeviceType = "desktop",
                ReferrerDomain = "google.com",
                ReferrerType = "search",
            },
            clickEvent);
        Assert.Equal(TimeSpan.Zero, clickEvent.OccurredAt.Offset);
    }

    [Fact]
    public void Every_event_of_the_first_30_dummyjson_users_is_accepted()
    {
        foreach (var (user, product) in Users.Take(30).Zip(Products.Take(30)))
        {
            var clickEvent = Accepted(WebTrackerView(user, product));

            Assert.Equal(IdOf(product).ToString(System.Globalization.CultureInfo.InvariantCulture), clickEvent.ProductId);
            Assert.Equal(TextOf(user, "ip"), clickEvent.Ip);
        }
    }

    [Theory]
    [InlineData("view_product_detail", "product_view")]
    [InlineData("select_product_option", "select_product_option")]
    [InlineData("checkout_success", "checkout_success")]
    [InlineData("product_detail_recommendation_visible", "product_detail_recommendation_visible")]
    public void Collection_becomes_the_event_type_with_view_product_detail_as_product_view(string collection, string eventType)
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("collection", collection));

        Assert.Equal(eventType, clickEvent.EventType);
    }

    [Fact]
    public void Collection_other_than_a_product_view_does_not_need_a_product()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("collection", "checkout_success").Without("product_id"));

        Assert.Null(clickEvent.ProductId);
    }

    [Fact]
    public void Underscore_id_and_id_name_the_same_event_so_a_resend_is_a_duplicate()
    {
        var withUnderscoreId = Accepted(WebTrackerView(Emily, Mascara));
        var withId = Accepted(WebTrackerView(Emily, Mascara).Without("_id").With("id", "5ed8cb2bc671fc36b74001001"));
        var withBoth = Accepted(WebTrackerView(Emily, Mascara).With("id", "5ed8cb2bc671fc36b74001001"));

        Assert.Equal(withUnderscoreId, withId);
        Assert.Equal(withUnderscoreId, withBoth);
    }

    [Fact]
    public void Mongo_extended_json_object_id_is_the_event_id()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("_id", new JsonObject { ["$oid"] = "5ed8cb2bc671fc36b74653ad" }));

        Assert.Equal("5ed8cb2bc671fc36b74653ad", clickEvent.EventId);
    }

    [Fact]
    public void Integer_id_is_kept_as_its_digits()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).Without("_id").With("id", 123456789012));

        Assert.Equal("123456789012", clickEvent.EventId);
    }

    [Theory]
    [InlineData("1591266092", 0)]
    [InlineData("1591266092.25", 250)]
    public void Time_stamp_may_be_a_string_of_digits_and_keeps_milliseconds(string timeStamp, int milliseconds)
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("time_stamp", timeStamp));

        Assert.Equal(new DateTimeOffset(2020, 6, 4, 10, 21, 32, milliseconds, TimeSpan.Zero), clickEvent.OccurredAt);
    }

    [Fact]
    public void Fractional_unix_seconds_keep_their_milliseconds()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("time_stamp", 1591266092.5m));

        Assert.Equal(new DateTimeOffset(2020, 6, 4, 10, 21, 32, 500, TimeSpan.Zero), clickEvent.OccurredAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Absent_or_empty_option_is_no_options(string? option)
    {
        var raw = WebTrackerView(Emily, Mascara).Without("option");
        if (option is not null)
        {
            raw["option"] = JsonNode.Parse(option);
        }

        Assert.Null(Accepted(raw).Options);
    }

    [Fact]
    public void Several_options_are_kept_in_order_as_json_array_text()
    {
        var options = new JsonArray(
            new JsonObject { ["option_label"] = "alloy", ["option_id"] = "332", ["value_label"] = "Gold 585", ["value_id"] = "3" },
            new JsonObject { ["option_label"] = "diamond", ["option_id"] = 333, ["value_label"] = "Sapphire", ["value_id"] = 7 });

        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("option", options));

        Assert.Equal(
            """[{"option_label":"alloy","option_id":"332","value_label":"Gold 585","value_id":"3"},{"option_label":"diamond","option_id":333,"value_label":"Sapphire","value_id":7}]""",
            clickEvent.Options);
        Assert.Equal(2, JsonDocument.Parse(clickEvent.Options!).RootElement.GetArrayLength());
    }

    [Fact]
    public void Unknown_fields_are_kept_in_the_extras_and_known_ones_are_not_repeated_there()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("cat_id", 42).With("key_search", "mascara"));

        var extras = JsonDocument.Parse(clickEvent.Extras!).RootElement;
        Assert.Equal(42, extras.GetProperty("cat_id").GetInt32());
        Assert.Equal("mascara", extras.GetProperty("key_search").GetString());
        Assert.Equal("1.0", extras.GetProperty("api_version").GetString());
        foreach (var mapped in new[] { "_id", "time_stamp", "collection", "ip", "user_agent", "product_id", "option", "current_url" })
        {
            Assert.False(extras.TryGetProperty(mapped, out _), mapped);
        }
    }

    [Fact]
    public void Blank_and_null_optional_fields_read_as_absent()
    {
        var raw = WebTrackerView(Emily, Mascara).With("utm_source", "  ").With("user_id_db", "");
        raw["utm_medium"] = null;

        var clickEvent = Accepted(raw);

        Assert.Null(clickEvent.UtmSource);
        Assert.Null(clickEvent.UtmMedium);
        Assert.Null(clickEvent.UserId);
        Assert.DoesNotContain("utm_medium", clickEvent.Extras, StringComparison.Ordinal);
    }

    [Fact]
    public void Referrer_from_the_stores_own_pages_is_internal()
    {
        var clickEvent = Accepted(WebTrackerView(Emily, Mascara).With("referrer_url", "https://www.example.com/category/beauty"));

        Assert.Equal("example.com", clickEvent.ReferrerDomain);
        Assert.Equal("internal", clickEvent.ReferrerType);
    }

    [Fact]
    public void Referrer_from_the_configured_store_is_internal_without_a_current_url()
    {
        var raw = WebTrackerView(Emily, Mascara).Without("current_url").With("referrer_url", "https://shop.example.com/cart");

        var plain = new ClickEventNormalizer().Normalize(raw.Element()).Event!;
        var forStore = new ClickEventNormalizer("shop.example.com").Normalize(raw.Element()).Event!;

        Assert.Equal("other", plain.ReferrerType);
        Assert.Equal("internal", forStore.ReferrerType);
    }

    [Fact]
    public void Json_text_is_accepted_like_the_parsed_element()
    {
        var raw = WebTrackerView(Emily, Mascara);

        var parsed = normalizer.Normalize(raw.Element()).Event;
        Assert.NotNull(parsed);
        Assert.Equal(parsed, normalizer.Normalize(raw.ToJsonString()).Event);
    }
}

using Shopstream.Ingest.Events;
using Xunit;
using static Shopstream.Ingest.Tests.Events.HostileEvents;

namespace Shopstream.Ingest.Tests.Events;

/// <summary>What hostile clients sent, one field at a time: the normalizer rejects it with a message naming the field.</summary>
public sealed class HostileEventTests
{
    private readonly ClickEventNormalizer normalizer = new();

    private IReadOnlyList<string> Errors(string json)
    {
        var result = normalizer.Normalize(json);
        Assert.False(result.IsAccepted, "accepted: " + json[..Math.Min(json.Length, 200)]);
        return result.Errors;
    }

    private void AssertAccepted(string json)
    {
        var result = normalizer.Normalize(json);
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
    }

    [Fact]
    public void The_base_event_is_accepted()
    {
        AssertAccepted(Event("e1"));
    }

    [Theory]
    [InlineData("event_id")]
    [InlineData("session_id")]
    [InlineData("user_id")]
    [InlineData("product_id")]
    [InlineData("store_id")]
    [InlineData("device_id")]
    [InlineData("location")]
    public void Key_of_256_characters_is_accepted_and_of_257_rejected(string field)
    {
        AssertAccepted(Event("e1", (field, Long(256))));
        Assert.Equal([$"{field}: longer than 256 characters (257)"], Errors(Event("e1", (field, Long(257)))));
    }

    [Theory]
    [InlineData("session_id")]
    [InlineData("location")]
    public void Key_of_8000_characters_is_rejected_not_left_to_postgresql(string field)
    {
        Assert.Equal([$"{field}: longer than 256 characters (8000)"], Errors(Event("e1", (field, Long(8000)))));
    }

    [Fact]
    public void Integer_id_of_300_digits_is_rejected_as_too_long()
    {
        Assert.Equal(["user_id: longer than 256 characters (300)"], Errors(Event("e1", ("user_id", new string('7', 300)))));
    }

    [Fact]
    public void Web_tracker_collection_is_a_key_too()
    {
        var web = """{"_id":"w1","time_stamp":1591266092,"device_id":"d1","product_id":5,"collection":COLLECTION}""";

        AssertAccepted(web.Replace("COLLECTION", Long(256, 'a'), StringComparison.Ordinal));
        Assert.Equal(["collection: longer than 256 characters (257)"], Errors(web.Replace("COLLECTION", Long(257, 'a'), StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("user_agent")]
    [InlineData("current_url")]
    [InlineData("referrer_url")]
    [InlineData("utm_source")]
    [InlineData("utm_medium")]
    [InlineData("resolution")]
    [InlineData("device")]
    public void Free_text_of_4096_characters_is_accepted_and_of_4097_rejected(string field)
    {
        AssertAccepted(Event("e1", (field, Long(4096))));
        Assert.Equal([$"{field}: longer than 4096 characters (4097)"], Errors(Event("e1", (field, Long(4097)))));
    }

    [Theory]
    [InlineData("session_id", "\"nul\\u00002\"", "session_id: contains a NUL character")]
    [InlineData("utm_source", "\"goo\\u0000gle\"", "utm_source: contains a NUL character")]
    [InlineData("event_id", "\"\\u0000\"", "event_id: contains a NUL character")]
    [InlineData("user_agent", "\"Mozilla\\u0000\"", "user_agent: contains a NUL character")]
    [InlineData("note", "\"extra \\u0000 text\"", "note: contains a NUL character")]
    [InlineData("meta", "{\"tags\":[\"ok\",\"bad\\u0000\"]}", "meta.tags[1]: contains a NUL character")]
    [InlineData("session_id", "\"\\ud800\"", "session_id: contains an unpaired surrogate or invalid UTF-8")]
    [InlineData("utm_medium", "\"cpc\\udc00\"", "utm_medium: contains an unpaired surrogate or invalid UTF-8")]
    [InlineData("location", "\"\\ude00\\ud83d\"", "location: contains an unpaired surrogate or invalid UTF-8")]
    [InlineData("meta", "{\"deep\":{\"deeper\":\"\\ud83d\"}}", "meta.deep.deeper: contains an unpaired surrogate or invalid UTF-8")]
    [InlineData("huge", "1e999999", "huge: number out of range (beyond ±1.7e308)")]
    [InlineData("meta", "{\"n\":[-1e400]}", "meta.n[0]: number out of range (beyond ±1.7e308)")]
    public void Unstorable_text_or_number_anywhere_rejects_the_event_naming_its_path(string field, string json, string error)
    {
        Assert.Equal([error], Errors(Event("e1", (field, json))));
    }

    [Fact]
    public void Nul_or_unpaired_surrogate_in_a_field_name_is_rejected_and_shown_escaped()
    {
        Assert.Equal(["a\\u0000b: field name contains a NUL character"], Errors(Event("e1", ("a\\u0000b", "1"))));
        Assert.Equal(["(field 8): field name contains an unpaired surrogate or invalid UTF-8"], Errors(Event("e1", ("\\ud800", "1"))));
    }

    [Fact]
    public void Paired_surrogates_and_other_control_characters_are_kept()
    {
        var result = normalizer.Normalize(Event("e1", ("session_id", "\"smile-\\ud83d\\ude00\""), ("utm_source", "\"tab\\there\"")));

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal("smile-\U0001F600", result.Event.SessionKey);
        Assert.Equal("tab\there", result.Event.UtmSource);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("1970-01-01T00:30:00+01:00")]
    [InlineData("2100-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    public void Timestamp_outside_1970_to_2100_is_rejected(string timestamp)
    {
        Assert.Equal(
            ["timestamp: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"],
            Errors(Event("e1", ("timestamp", $"\"{timestamp}\""))));
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z")]
    [InlineData("2099-12-31T23:59:59.9999999Z")]
    public void Timestamp_at_the_edges_of_the_range_is_accepted(string timestamp)
    {
        AssertAccepted(Event("e1", ("timestamp", $"\"{timestamp}\"")));
    }

    [Theory]
    [InlineData(4102444799L, true)]
    [InlineData(4102444800L, false)]
    [InlineData(99999999999L, false)]
    public void Web_tracker_unix_seconds_end_before_2100(long seconds, bool accepted)
    {
        var result = normalizer.Normalize($$"""{"_id":"w1","time_stamp":{{seconds}},"device_id":"d1","product_id":5,"collection":"view_product_detail"}""");

        Assert.Equal(accepted, result.IsAccepted);
        if (!accepted)
        {
            Assert.Equal(["time_stamp: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"], result.Errors);
        }
    }

    [Fact]
    public void Feed_local_time_outside_the_range_is_rejected()
    {
        var feed = """{"product_id":"5","device_id":"d1","remote_ip":"81.2.69.160","timestamp":"2024-05-01T10:15:30Z","local_time":"0001-01-01T00:00:00"}""";

        Assert.Equal(["local_time: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"], Errors(feed));
    }

    [Theory]
    [InlineData("２０２４-05-01T10:15:30Z")]
    [InlineData("٢٠٢٤-٠٥-٠١T10:15:30Z")]
    [InlineData("2024-05-01T10:15:3\u0660Z")]
    [InlineData("2024-05-01T10:15:30.\u0967Z")]
    public void Timestamp_with_non_ascii_digits_is_not_an_iso_date_and_never_throws(string timestamp)
    {
        Assert.Equal(["timestamp: not an ISO 8601 date"], Errors(Event("e1", ("timestamp", $"\"{timestamp}\""))));
    }

    [Fact]
    public void Net_string_with_an_unpaired_surrogate_is_rejected_not_thrown()
    {
        Assert.Equal(["event: not valid Unicode text"], Errors("{\"event_id\":\"\ud800\"}"));
    }

    [Fact]
    public void Duplicate_field_with_a_long_name_is_reported_with_the_name_cut()
    {
        var name = new string('n', 100);

        var error = Assert.Single(Errors(Event("e1", (name, "1")).Replace("}", $",\"{name}\":2}}", StringComparison.Ordinal)));

        Assert.Equal(new string('n', 64) + "...: appears more than once", error);
    }

    [Fact]
    public void Credentials_and_payment_fields_never_reach_the_extras_at_any_depth()
    {
        var result = normalizer.Normalize(Event(
            "e1",
            ("password", "\"hunter2\""),
            ("card_number", "\"4111111111111111\""),
            ("api_key", "\"ak-live-123\""),
            ("cvv", "123"),
            ("payment", "{\"cardNumber\":\"5500000000000004\",\"IBAN\":\"GB33BUKB20201555555555\",\"method\":\"card\"}"),
            ("Authorization", "\"Bearer abc.def\""),
            ("campaign", "\"spring\"")));

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal("""{"payment":{"method":"card"},"campaign":"spring"}""", result.Event.Extras);
    }

    [Fact]
    public void Credentials_inside_web_tracker_options_are_dropped()
    {
        var result = normalizer.Normalize(
            """{"_id":"w1","time_stamp":1591266092,"device_id":"d1","product_id":5,"collection":"view_product_detail","option":[{"option_label":"gift","pin":"1234"}]}""");

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal("""[{"option_label":"gift"}]""", result.Event.Options);
    }

    [Fact]
    public void Secret_query_parameters_of_the_urls_are_masked_and_the_rest_kept()
    {
        var result = normalizer.Normalize(Event(
            "e1",
            ("current_url", "\"https://shop.example.com/checkout?step=2&card_number=4111111111111111&api_key=ak-1\""),
            ("referrer_url", "\"https://pay.example.org/return?token=t-9&ok=1\"")));

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal("https://shop.example.com/checkout?step=2&card_number=[redacted]&api_key=[redacted]", result.Event.CurrentUrl);
        Assert.Equal("https://pay.example.org/return?token=[redacted]&ok=1", result.Event.ReferrerUrl);
        Assert.Equal("pay.example.org", result.Event.ReferrerDomain);
    }
}

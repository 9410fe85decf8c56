using System.Security.Cryptography;
using System.Text.Json;
using Shopstream.Ingest.Tests.Support;
using Xunit;
using static Shopstream.Ingest.Tests.Events.HostileEvents;

namespace Shopstream.Ingest.Tests.Http;

/// <summary>
/// Hostile bodies through the real intake onto the embedded broker: each bad event is rejected alone with its reason,
/// the good ones in the same body are produced, and what the topics hold carries no secrets.
/// </summary>
public sealed class HostileBodyTests
{
    private static string EventIdOf(string envelope)
    {
        using var document = JsonDocument.Parse(envelope);
        return document.RootElement.GetProperty("record").GetProperty("event_id").GetString()!;
    }

    [Fact]
    public async Task Each_hostile_event_is_rejected_alone_and_the_good_ones_in_the_body_are_produced()
    {
        await using var rig = new IntakeRig();
        var body = Bytes(
            "[",
            Event("good-1"), ",",
            Event("long-session", ("session_id", Long(8000))), ",",
            Event("long-location", ("location", Long(8000))), ",",
            Event("nul-session", ("session_id", "\"nul\\u00002\"")), ",",
            Event("nul-utm", ("utm_source", "\"a\\u0000\"")), ",",
            Event("lone", ("referrer_url", "\"\\ud800\"")), ",",
            "{\"event_id\":\"bad-utf8\",\"note\":\"", new byte[] { 0xFF, 0xFE }, "\"}", ",",
            Event("good-2"), ",",
            Event("year-one", ("timestamp", "\"0001-01-01T00:00:00Z\"")), ",",
            Event("year-9999", ("timestamp", "\"9999-12-31T23:59:59Z\"")), ",",
            Event("digits", ("timestamp", "\"٢٠٢٤-05-01T10:15:30Z\"")), ",",
            Event("huge-agent", ("user_agent", Long(1_000_000))), ",",
            Event("good-3"),
            "]");

        var response = await rig.PostAsync(body);

        Assert.Equal(3, response.Accepted);
        Assert.Equal(
            [
                (1, "session_id: longer than 256 characters (8000)"),
                (2, "location: longer than 256 characters (8000)"),
                (3, "session_id: contains a NUL character"),
                (4, "utm_source: contains a NUL character"),
                (5, "referrer_url: contains an unpaired surrogate or invalid UTF-8"),
                (6, "event: not valid UTF-8"),
                (8, "timestamp: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"),
                (9, "timestamp: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z"),
                (10, "timestamp: not an ISO 8601 date"),
                (11, $"event: larger than 65536 bytes of JSON ({Utf8(Event("huge-agent", ("user_agent", Long(1_000_000)))).Length})"),
            ],
            response.Rejected.Select(r => (r.Index, Assert.Single(r.Errors))));
        Assert.Equal(["good-1", "good-2", "good-3"], rig.Events().Select(EventIdOf));
        var rejections = rig.Rejections();
        Assert.Equal(10, rejections.Count);
        Assert.All(rejections, r => Assert.Equal("ingest", r.GetProperty("stage").GetString()));
        // Keyed by the event id when it was usable, else by the position; never by an 8,000-character id.
        Assert.Equal("events-api:long-session", rejections[0].GetProperty("key").GetString());
        Assert.Equal("events-api:#6", rejections[5].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Second_event_of_a_session_dated_year_one_is_rejected_and_the_first_is_kept()
    {
        await using var rig = new IntakeRig();

        var response = await rig.PostAsync(
            Event("first") + "\n" + Event("second", ("timestamp", "\"0001-01-01T00:00:00Z\"")) + "\n", ndjson: true);

        Assert.Equal(1, response.Accepted);
        Assert.Equal(1, Assert.Single(response.Rejected).Index);
        Assert.Equal(["first"], rig.Events().Select(EventIdOf));
    }

    [Fact]
    public async Task Ndjson_rejections_are_indexed_by_line_number_blank_lines_counted()
    {
        await using var rig = new IntakeRig();
        var body = Bytes("\n", Event("a"), "\n\n", "{\"x\":\"", new byte[] { 0xC0, 0xAF }, "\"}\n", Event("b"), "\n", "not json\n");

        var response = await rig.PostAsync(body, ndjson: true);

        Assert.Equal(2, response.Accepted);
        Assert.Equal([3, 5], response.Rejected.Select(r => r.Index));
        Assert.Equal(["a", "b"], rig.Events().Select(EventIdOf));
    }

    [Fact]
    public async Task Planted_secrets_appear_neither_in_the_produced_event_nor_in_a_rejection()
    {
        await using var rig = new IntakeRig();
        (string Field, string? Json)[] secrets =
        [
            ("password", "\"PLANTED-pw-1\""),
            ("card_number", "\"4111111111111111\""),
            ("api_key", "\"PLANTED-key-3\""),
            ("checkout", "{\"cardCvv\":\"PLANTED-cvv-4\",\"billing\":{\"accessToken\":\"PLANTED-token-5\"},\"items\":2}"),
        ];
        var accepted = Event("with-secrets", secrets);
        var rejected = Event("rejected-with-secrets", [.. secrets, ("timestamp", null)]);

        var response = await rig.PostAsync("[" + accepted + "," + rejected + "]");

        Assert.Equal(1, response.Accepted);
        var wire = Assert.Single(rig.Events());
        var rejection = Assert.Single(rig.Rejections());
        var payload = rejection.GetProperty("payload").GetString()!;
        foreach (var planted in (string[])["PLANTED-pw-1", "4111111111111111", "PLANTED-key-3", "PLANTED-cvv-4", "PLANTED-token-5"])
        {
            Assert.DoesNotContain(planted, wire, StringComparison.Ordinal);
            Assert.DoesNotContain(planted, payload, StringComparison.Ordinal);
        }

        // What is not secret stays: the harmless neighbour of the secrets, in both.
        using var envelope = JsonDocument.Parse(wire);
        Assert.Equal("""{"checkout":{"billing":{},"items":2}}""", envelope.RootElement.GetProperty("record").GetProperty("extras").GetString());
        Assert.Contains("\"items\":2", payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_body_is_kept_as_a_masked_excerpt_with_the_hash_of_the_whole()
    {
        await using var rig = new IntakeRig();
        var body = "{\"email\":\"alice@example.com\",\"password\":\"hunter2\",\"note\":\"" + new string('z', 5000) + "\"";

        var response = await rig.PostAsync(body);

        Assert.Equal(0, response.Accepted);
        var payload = Assert.Single(rig.Rejections()).GetProperty("payload").GetString()!;
        using var kept = JsonDocument.Parse(payload);
        var excerpt = kept.RootElement.GetProperty("excerpt").GetString()!;
        // The body's first 1,024 characters: a 58-character head and 966 'z', then masked.
        Assert.Equal("{\"email\":\"[redacted]\",\"password\":[redacted],\"note\":\"" + new string('z', 966), excerpt);
        Assert.DoesNotContain("alice@example.com", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", payload, StringComparison.Ordinal);
        Assert.Equal(body.Length, kept.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(
            Convert.ToHexStringLower(SHA256.HashData(Utf8(body))),
            kept.RootElement.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Oversized_event_is_never_produced_and_its_rejection_is_bounded()
    {
        await using var rig = new IntakeRig();
        var huge = Event("huge", ("user_agent", Long(1_000_000)));

        var response = await rig.PostAsync("[" + huge + "," + Event("small") + "]");

        Assert.Equal(1, response.Accepted);
        Assert.Equal(["small"], rig.Events().Select(EventIdOf));
        var payload = Assert.Single(rig.Rejections()).GetProperty("payload").GetString()!;
        Assert.True(payload.Length < 1300, $"payload of {payload.Length} characters");
        using var kept = JsonDocument.Parse(payload);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Utf8(huge))), kept.RootElement.GetProperty("sha256").GetString());
    }
}

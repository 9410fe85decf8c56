using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Shopstream.Pipeline.Tests.Clickstream;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Hostile;

/// <summary>
/// What a hostile client sends never stops the pipeline and never takes good events with it: for every body, the answer
/// is not a 5xx, each event ends in <c>fact_events</c> or <c>rejected_records</c>, a good event posted afterwards lands,
/// and the committed offsets reach the end of every partition.
/// </summary>
[Collection(HostileInputGroup.Name)]
public sealed class HostileInputTests(HostileInputFixture fixture)
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 10, 15, 30, TimeSpan.Zero);

    private static int next;

    private static string NewId(string what) => $"hostile-{what}-{Interlocked.Increment(ref next)}-{Guid.NewGuid().ToString("N")[..12]}";

    private static JsonObject Good(string id, string? session = null) => Generic(id, "product_view", session ?? "s-" + id, Users[0], "1", At);

    /// <summary>Random text PostgreSQL cannot compress below its index row limit.</summary>
    private static string Incompressible(int chars) => Convert.ToHexString(RandomNumberGenerator.GetBytes(chars / 2));

    [Theory]
    [InlineData("session_id")]
    [InlineData("event_id")]
    [InlineData("user_id")]
    [InlineData("product_id")]
    [InlineData("store_id")]
    public async Task Identifier_longer_than_the_limit_is_rejected_alone(string field)
    {
        var good = NewId("good");
        var bad = NewId("long-" + field.Replace('_', '-'));
        if (field == "event_id")
        {
            bad += Incompressible(8000);
        }
        var badEvent = Good(bad, "s-" + good).Also(o => o[field] = field == "event_id" ? bad : Incompressible(8000));
        var (status, _) = await fixture.PostAsync(Array([Good(good), badEvent]));

        Assert.Equal(HttpStatusCode.Accepted, status);
        await AssertOutcomeAsync(accepted: [good], rejected: [bad]);
    }

    [Theory]
    [InlineData("location")]
    [InlineData("user_agent")]
    [InlineData("current_url")]
    [InlineData("referrer_url")]
    [InlineData("utm_source")]
    public async Task Free_text_of_8000_characters_never_stalls_the_projection(string field)
    {
        var good = NewId("good");
        var big = NewId("big-" + field.Replace('_', '-'));
        var (status, _) = await fixture.PostAsync(Array([Good(good), Good(big, "s-" + good).Also(o => o[field] = Incompressible(8000))]));

        Assert.Equal(HttpStatusCode.Accepted, status);
        // Truncated and kept, or rejected: either way it ends somewhere and the sentinel behind it lands.
        await AssertOutcomeAsync(accepted: [good], rejected: [], eitherWay: [big]);
    }

    [Theory]
    [InlineData("session_id", "nul\u00002")]
    [InlineData("utm_source", "camp\u0000aign")]
    [InlineData("location", "Par\u0000is")]
    [InlineData("user_agent", "Mozilla\u0000")]
    [InlineData("some_extra_field", "x\u0000y")]
    public async Task Text_PostgreSQL_cannot_store_is_rejected_and_the_session_keeps_its_good_events(string field, string value)
    {
        var good = NewId("good");
        var bad = NewId("bad-text");
        var session = "s-" + good;
        var (status, body) = await fixture.PostAsync(Array([Good(good, session), Good(bad, session).Also(o => o[field] = value)]));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, body!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [good], rejected: [bad]);
    }

    [Theory]
    [InlineData("session_id", @"lone \ud800 surrogate")]
    [InlineData("current_url", @"https://shop.example.com/\udc00")]
    [InlineData("utm_medium", @"\udbff\udbff")]
    [InlineData("extra_field", @"\udfff first")]
    public async Task Escaped_lone_surrogate_in_any_field_is_rejected_and_the_session_keeps_its_good_events(string field, string escaped)
    {
        // Written into the JSON text as an escape: a serializer would have replaced the lone surrogate with U+FFFD.
        var good = NewId("good");
        var bad = NewId("bad-surrogate");
        var session = "s-" + good;
        var body = Array([Good(good, session), Good(bad, session).Also(o => o[field] = "@@SURROGATE@@")])
            .Replace("@@SURROGATE@@", escaped, StringComparison.Ordinal);
        var (status, response) = await fixture.PostAsync(body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, response!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [good], rejected: [bad]);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2100-01-02T00:00:00Z")]
    [InlineData("\u0662\u0660\u0662\u0664-05-01T10:15:30Z")] // Arabic-Indic digits
    [InlineData("\uff12\uff10\uff12\uff14-05-01T10:15:30Z")] // full-width digits
    public async Task Timestamp_outside_the_range_or_not_ASCII_is_rejected_and_the_session_keeps_its_good_event(string timestamp)
    {
        var good = NewId("good");
        var bad = NewId("bad-time");
        var session = "s-" + good;
        var (status, body) = await fixture.PostAsync(Array([Good(good, session), Good(bad, session).Also(o => o["timestamp"] = timestamp)]));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, body!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [good], rejected: [bad]);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task Invalid_UTF8_inside_one_event_rejects_that_event_only(string contentType)
    {
        var (first, bad, last) = (NewId("good"), NewId("bad-utf8"), NewId("good"));
        var badJson = Encoding.UTF8.GetBytes(Good(bad).ToJsonString().Replace("Paris", "PA\u0001RIS", StringComparison.Ordinal));
        var marker = Encoding.UTF8.GetBytes("\"user_agent\":\"");
        var at = badJson.AsSpan().IndexOf(marker) + marker.Length;
        byte[] invalid = [.. badJson[..at], 0xC3, 0x28, 0xFF, .. badJson[at..]];
        var ndjson = contentType == "application/x-ndjson";
        byte[] separator = ndjson ? "\n"u8.ToArray() : ","u8.ToArray();
        byte[] body =
        [
            .. ndjson ? [] : "["u8.ToArray(), .. Encoding.UTF8.GetBytes(Good(first).ToJsonString()), .. separator,
            .. invalid, .. separator, .. Encoding.UTF8.GetBytes(Good(last).ToJsonString()), .. ndjson ? "\n"u8.ToArray() : "]"u8.ToArray(),
        ];

        var (status, response) = await fixture.PostAsync(body, contentType);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(2, response!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [first, last], rejected: [bad]);
    }

    [Fact]
    public async Task Escaped_lone_surrogate_in_the_raw_body_rejects_that_event_only()
    {
        var (first, bad) = (NewId("good"), NewId("bad-surrogate"));
        var body = "[" + Good(first).ToJsonString() + "," + Good(bad).ToJsonString().Replace("\"product_view\"", "\"product_view\\ud800\"", StringComparison.Ordinal) + "]";

        var (status, response) = await fixture.PostAsync(body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, response!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [first], rejected: [bad]);
    }

    [Fact]
    public async Task Event_larger_than_the_maximum_event_size_is_rejected_alone_and_the_body_is_not_503()
    {
        var (first, huge, last) = (NewId("good"), NewId("huge"), NewId("good"));
        var body = Array([Good(first), Good(huge).Also(o => o["user_agent"] = new string('a', 1_000_000)), Good(last)]);

        var (status, response) = await fixture.PostAsync(body);
        var (again, _) = await fixture.PostAsync(body);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(HttpStatusCode.Accepted, again);
        Assert.Equal(2, response!.Value.GetProperty("accepted").GetInt32());
        await AssertOutcomeAsync(accepted: [first, last], rejected: [huge]);
    }

    [Fact]
    public async Task Random_hostile_events_mixed_with_good_ones_all_end_somewhere_and_the_good_ones_land()
    {
        // Seeded, and the seed is in the failure message: a failing run can be repeated exactly.
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var good = new List<string>();
        var hostile = new List<string>();
        var events = new List<JsonNode>();
        for (var i = 0; i < 60; i++)
        {
            var id = NewId(i % 3 == 0 ? "good" : "rand");
            var e = Good(id);
            if (i % 3 == 0)
            {
                good.Add(id);
            }
            else
            {
                hostile.Add(id);
                var field = RandomFields[random.Next(RandomFields.Length)];
                e[field] = random.Next(4) == 0 ? JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(0, 40)) * (random.Next(2) == 0 ? -1 : 1)) : JsonValue.Create(RandomText(random));
            }
            events.Add(e);
        }

        var (status, _) = await fixture.PostAsync(Array(events));

        Assert.True(status == HttpStatusCode.Accepted, $"seed {seed}: status {status}");
        await AssertOutcomeAsync(accepted: [.. good], rejected: [], eitherWay: [.. hostile], context: $"seed {seed}");
    }

    private static readonly string[] RandomFields =
        ["session_id", "location", "user_agent", "utm_source", "utm_medium", "current_url", "referrer_url", "store_id", "user_id", "product_id", "ip", "timestamp", "extra_field", "resolution"];

    private static string RandomText(Random random)
    {
        var length = random.Next(4) switch { 0 => random.Next(0, 4), 1 => random.Next(0, 300), 2 => random.Next(250, 5000), _ => random.Next(5000, 10_000) };
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(8) switch
            {
                0 => '\0',
                1 => (char)random.Next(1, 32),
                2 => (char)random.Next(0xD800, 0xE000), // a surrogate, mostly unpaired
                3 => (char)random.Next(0x80, 0x800),
                4 => char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF) is var c && c is >= 0xD800 and < 0xE000 ? 0x1F600 : c)[0],
                _ => (char)random.Next(32, 127),
            });
        }
        return text.ToString();
    }

    /// <summary>
    /// Posts a good sentinel event, waits until every partition's committed offset reached its end, then checks where
    /// each event ended: accepted ones in <c>fact_events</c>, rejected ones in <c>rejected_records</c> and not in
    /// <c>fact_events</c>, the others in one of the two.
    /// </summary>
    private async Task AssertOutcomeAsync(string[] accepted, string[] rejected, string[]? eitherWay = null, string context = "")
    {
        var sentinel = NewId("sentinel");
        var (status, _) = await fixture.PostAsync(Good(sentinel).ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, status);
        await fixture.Pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(60));

        Assert.True(await InFactsAsync(sentinel), $"{context} the sentinel posted afterwards did not land");
        foreach (var id in accepted)
        {
            Assert.True(await InFactsAsync(id), $"{context} accepted event {id} is not in fact_events");
        }
        foreach (var id in rejected)
        {
            Assert.False(await InFactsAsync(id), $"{context} rejected event {id} is in fact_events");
            Assert.True(await InRejectedAsync(id), $"{context} rejected event {id} is not in rejected_records");
        }
        foreach (var id in eitherWay ?? [])
        {
            Assert.True(await InFactsAsync(id) || await InRejectedAsync(id), $"{context} event {id} is neither in fact_events nor in rejected_records");
        }
    }

    private Task<bool> InFactsAsync(string id) => ExistsAsync("SELECT EXISTS (SELECT 1 FROM fact_events WHERE event_id = $1)", id);

    private Task<bool> InRejectedAsync(string id) =>
        ExistsAsync("SELECT EXISTS (SELECT 1 FROM rejected_records WHERE key = 'events-api:' || $1 OR strpos(payload, $1) > 0)", id);

    private async Task<bool> ExistsAsync(string sql, string id)
    {
        await using var command = fixture.Pipeline.Database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}

using Npgsql;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Shopstream.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

/// <summary>
/// The door's limits against the real schema (every <c>sql/</c> script, PostgreSQL 15): the largest values it accepts
/// are stored, the values it rejects are the ones PostgreSQL refuses. Keys are random CJK text, 3 bytes each in UTF-8
/// and incompressible, the worst case for a btree entry.
/// </summary>
public sealed class DoorLimitsSchemaTests
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 10, 15, 30, TimeSpan.Zero);

    private static string Cjk(int length, int seed)
    {
        var random = new Random(seed);
        return string.Concat(Enumerable.Range(0, length).Select(_ => (char)random.Next(0x4E00, 0x9FFF)));
    }

    [Fact]
    public async Task Largest_event_the_door_accepts_is_stored_in_every_table_it_reaches()
    {
        var key = Cjk(256, 1);
        var text = Cjk(4096, 2);
        var json = $$"""
            {"event_id":"{{Cjk(256, 3)}}","event_type":"product_view","timestamp":"2024-05-01T10:15:30Z","session_id":"{{key}}",
             "user_id":"{{Cjk(256, 4)}}","product_id":"{{Cjk(256, 5)}}","store_id":"{{Cjk(256, 6)}}","location":"{{Cjk(256, 7)}}",
             "user_agent":"{{text}}","current_url":"{{Cjk(4096, 8)}}","referrer_url":"{{Cjk(4096, 9)}}","utm_source":"{{Cjk(4096, 10)}}",
             "note":"bell \u0007 and \ud83d\ude00"}
            """;
        var result = new ClickEventNormalizer().Normalize(json);
        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        var e = result.Event;
        await using var db = await TestDatabase.CreateAsync();

        await db.ExecuteAsync("INSERT INTO sessions (session_key, first_event_at, last_event_at) VALUES ($1, $2, $2)", e.SessionKey, At);
        await db.ExecuteAsync("INSERT INTO dim_location (location_key, city_name) VALUES ($1, $2)", "location:" + e.Location, e.Location);
        await db.ExecuteAsync("INSERT INTO dim_product (product_key, name, current_url) VALUES ($1, $1, $2)", e.ProductId, e.CurrentUrl);
        await db.ExecuteAsync(
            "INSERT INTO dim_user_agent (user_agent_key, user_agent, browser, os, device_type) VALUES ('ua', $1, 'Other', 'Other', 'unknown')", e.UserAgent);
        await db.ExecuteAsync("INSERT INTO dim_referrer (referrer_key, referrer_url, referrer_type) VALUES ('r', $1, 'other')", e.ReferrerUrl);
        await db.ExecuteAsync(
            """
            INSERT INTO fact_events (event_key, event_id, event_type, date_key, event_time, occurred_at, session_key, user_id, product_key,
                                     location_key, store_id, current_url, utm_source, extras)
            VALUES (repeat('a', 64), $1, $2, 20240501, '10:15:30', $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
            """,
            e.EventId, e.EventType, e.OccurredAt, e.SessionKey, e.UserId, e.ProductId, "location:" + e.Location, e.StoreId, e.CurrentUrl,
            e.UtmSource, e.Extras);

        await using var check = db.DataSource.CreateCommand("SELECT extras->>'note', length(session_key) FROM fact_events");
        await using var reader = await check.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("bell \u0007 and \U0001F600", reader.GetString(0));
        Assert.Equal(256, reader.GetInt32(1));
    }

    [Fact]
    public async Task Key_of_8000_characters_the_door_rejects_is_what_postgresql_refuses()
    {
        var key = Cjk(8000, 11);
        Assert.False(new ClickEventNormalizer().Normalize(
            $$"""{"event_id":"e","event_type":"page_view","timestamp":"2024-05-01T10:15:30Z","session_id":"{{key}}"}""").IsAccepted);
        await using var db = await TestDatabase.CreateAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            db.ExecuteAsync("INSERT INTO sessions (session_key, first_event_at, last_event_at) VALUES ($1, $2, $2)", key, At));

        Assert.Equal("54000", refused.SqlState);
    }

    [Fact]
    public async Task Nul_the_door_rejects_is_what_postgresql_refuses()
    {
        Assert.Equal(
            ["session_id: contains a NUL character"],
            new ClickEventNormalizer().Normalize(
                """{"event_id":"e","event_type":"page_view","timestamp":"2024-05-01T10:15:30Z","session_id":"nul\u00002"}""").Errors);
        await using var db = await TestDatabase.CreateAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            db.ExecuteAsync("INSERT INTO sessions (session_key, first_event_at, last_event_at) VALUES ($1, $2, $2)", "nul\u00002", At));

        Assert.Equal("22021", refused.SqlState);
    }

    [Fact]
    public async Task Largest_price_the_door_accepts_fits_numeric_12_2_and_the_next_one_does_not()
    {
        var products = new ProductNormalizer();
        var largest = products.Normalize(SourceNames.FakeStore, SampleData.Json("""{"id":1,"price":9999999999.994}"""));
        var beyond = products.Normalize(SourceNames.FakeStore, SampleData.Json("""{"id":2,"price":9999999999.995}"""));
        Assert.True(largest.IsAccepted, largest.Reason);
        Assert.False(beyond.IsAccepted);
        await using var db = await TestDatabase.CreateAsync();
        const string Insert = "INSERT INTO products (source, id, price, version, content_hash) VALUES ('fakestore', $1, $2, 1, 'h')";

        await db.ExecuteAsync(Insert, 1L, largest.Record.Price);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(Insert, 2L, 9_999_999_999.995m));

        Assert.Equal("22003", refused.SqlState);
    }
}

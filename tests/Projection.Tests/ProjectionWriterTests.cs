using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Shopstream.Grains.Projection;
using Shopstream.Projection;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

/// <summary>
/// The projection writer on real PostgreSQL: a refused row is isolated and rejected whatever the reason, the rows
/// around it land, a rejection is always storable, and errors about the server are retried instead of rejected.
/// </summary>
public sealed class ProjectionWriterTests : IAsyncLifetime, IAsyncDisposable
{
    // The writer's retry delay is at most 200 ms here: poll faster than it.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private TestDatabase db = null!;
    private PostgresProjectionWriter writer = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        writer = new PostgresProjectionWriter(db.DataSource,
            Options.Create(new ProjectionWriterOptions { Writers = 1, MaxRetryDelay = TimeSpan.FromMilliseconds(200) }),
            NullLogger<PostgresProjectionWriter>.Instance);
    }

    public async Task DisposeAsync()
    {
        await writer.DisposeAsync();
        await db.DisposeAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private static ProductRow Product(long id, string title, decimal price) =>
        new("w", id, title, null, "c", price, null, null, null, null, null, null, 1, $"hash-{id}");

    [Fact]
    public async Task Batch_of_good_bad_good_rows_writes_the_good_ones_and_rejects_the_bad_one()
    {
        // Hold the products table so that the three rows queue up behind a first write and go out as one batch.
        await using var blocker = await db.DataSource.OpenConnectionAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE products IN EXCLUSIVE MODE", blocker, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var first = writer.WriteAsync(Product(1, "first", 1m));
        await Eventually.Until(async () => await db.ScalarAsync("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0,
            TimeSpan.FromSeconds(30), "the first write never waited on the lock", Poll);
        var batchesBefore = writer.BatchesWritten;
        var rows = new[] { writer.WriteAsync(Product(2, "good", 2m)), writer.WriteAsync(Product(3, "bad", 1e12m)), writer.WriteAsync(Product(4, "good too", 4m)) };
        await tx.RollbackAsync();
        await first;
        await Task.WhenAll(rows);

        Assert.Equal(["1|first", "2|good", "4|good too"], await db.RowsAsync("SELECT id, title FROM products ORDER BY id"));
        var rejected = await db.RowsAsync("SELECT stage, key, reason FROM rejected_records");
        var only = Assert.Single(rejected);
        Assert.StartsWith("projection|w:3|PostgreSQL refused the row: 22003", only, StringComparison.Ordinal);
        // The three were one batch: halved, then the good half and the good single written, the bad one rejected.
        Assert.True(writer.BatchesWritten - batchesBefore >= 3, $"batches written: {writer.BatchesWritten - batchesBefore}");
    }

    [Fact]
    public async Task Row_that_Npgsql_cannot_encode_is_rejected_and_the_writer_keeps_writing()
    {
        await writer.WriteAsync(Product(10, "lone \ud800 surrogate", 1m));
        await writer.WriteAsync(Product(11, "after", 1m));

        Assert.Equal(["11"], await db.RowsAsync("SELECT id FROM products"));
        var reason = Assert.Single(await db.RowsAsync("SELECT key || ' ' || reason FROM rejected_records"));
        Assert.StartsWith("w:10 PostgreSQL refused the row: EncoderFallbackException", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_beyond_the_btree_limit_is_rejected_not_retried_forever()
    {
        // 54000 (program limit exceeded) is neither class 22 nor 23: it used to be retried without end.
        // Random, so that PostgreSQL cannot compress it below the index row limit (about 2.7 KB).
        var hugeSession = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4000));
        var write = writer.WriteAsync(Session(hugeSession, Fact("e1", hugeSession, "{}")));
        var finished = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.Same(write, finished);
        Assert.True((await write).Session is null, "the refused session has no aggregate");
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM rejected_records WHERE reason LIKE 'PostgreSQL refused the row: 54000%'"));
        Assert.Equal(0, writer.Retries);
    }

    [Fact]
    public async Task Bad_event_of_a_session_does_not_take_the_good_one_with_it()
    {
        // jsonb cannot hold \u0000 (22P05): the second fact is refused, the first one lands with its session.
        var row = Session("sess-1", Fact("good", "sess-1", """{"k":"v"}"""), Fact("bad", "sess-1", """{"k":"\u0000"}"""));
        var result = await writer.WriteAsync(row);

        Assert.Equal(["good"], result.Inserted.Select(f => f.EventId));
        Assert.NotNull(result.Session);
        Assert.Equal(1, result.Session.Events);
        Assert.Equal(["good"], await db.RowsAsync("SELECT event_id FROM fact_events"));
        Assert.Equal(["1"], await db.RowsAsync("SELECT events FROM sessions WHERE session_key = 'sess-1'"));
        var reason = Assert.Single(await db.RowsAsync("SELECT reason FROM rejected_records"));
        Assert.StartsWith("PostgreSQL refused the row: 22P05", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejection_with_NUL_and_lone_surrogate_is_stored_escaped()
    {
        await writer.WriteAsync([new RejectedRow("decode", "products", 0, 7, "fakestore:\u00001", "not json \u0000 at all \udc00", "bad\u0000reason", "fp-1")]);

        Assert.Equal([@"fakestore:\u00001|not json \u0000 at all \uDC00|bad\u0000reason"],
            await db.RowsAsync("SELECT key, payload, reason FROM rejected_records WHERE fingerprint = 'fp-1'"));
        Assert.Equal(0, writer.UnstorableRejections);
    }

    [Fact]
    public async Task Oversized_rejection_payload_is_cut_with_its_length_and_hash()
    {
        var payload = new string('x', 200_000);
        await writer.WriteAsync([new RejectedRow("ingest", null, null, null, "k", payload, "too big", "fp-2")]);

        var stored = Assert.Single(await db.RowsAsync("SELECT payload FROM rejected_records WHERE fingerprint = 'fp-2'"));
        // SHA-256 of 200,000 'x' as UTF-16LE, from Python: hashlib.sha256(('x'*200000).encode('utf-16-le')).hexdigest()
        Assert.EndsWith("... [cut: 200000 chars, sha256 d9b5ce7328ba2405204967fc2e261d6540afa496838ca2a971dcf1b7266dfa80]", stored, StringComparison.Ordinal);
        Assert.True(stored.Length < 70_000);
    }

    [Fact]
    public async Task Missing_table_is_retried_until_it_is_back_not_rejected()
    {
        await db.ScalarAsync("ALTER TABLE products RENAME TO products_away; SELECT 1");
        var write = writer.WriteAsync(Product(20, "waits", 1m));
        await Eventually.Until(() => writer.Retries, n => n >= 2, TimeSpan.FromSeconds(30), "the writer did not retry twice", Poll);
        Assert.False(write.IsCompleted);
        Assert.NotNull(writer.FailingSince);

        await db.ScalarAsync("ALTER TABLE products_away RENAME TO products; SELECT 1");
        await write.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["20"], await db.RowsAsync("SELECT id FROM products"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM rejected_records"));
        Assert.Null(writer.FailingSince);
    }

    [Fact]
    public async Task Event_of_an_unknown_type_is_not_a_product_fact()
    {
        // The door accepts any lowercase type (issue 13); only the five known ones are facts, the rest live in the lake.
        var row = Session("sess-2", Fact("known", "sess-2", "{}"), Fact("other", "sess-2", "{}") with { EventType = "wishlist_add" });
        var result = await writer.WriteAsync(row);

        Assert.Equal(["known"], result.Inserted.Select(f => f.EventId));
        Assert.Equal(["known|page_view"], await db.RowsAsync("SELECT event_id, event_type FROM fact_events"));
        Assert.Equal(["1"], await db.RowsAsync("SELECT events FROM sessions WHERE session_key = 'sess-2'"));
    }

    [Fact]
    public async Task Dimension_row_already_committed_is_not_upserted_again()
    {
        await writer.WriteAsync(Session("sess-3", Fact("first", "sess-3", "{}")));
        // Changed behind the writer's back: an upsert of the same row would put "Unknown" back.
        await db.ExecuteAsync("UPDATE dim_location SET country_name = 'Elsewhere' WHERE location_key = 'loc'");

        var result = await writer.WriteAsync(Session("sess-3", Fact("second", "sess-3", "{}")));

        Assert.Equal(["second"], result.Inserted.Select(f => f.EventId));
        Assert.Equal(["Elsewhere"], await db.RowsAsync("SELECT country_name FROM dim_location"));
    }

    [Fact]
    public async Task Dimension_row_that_changes_under_its_key_is_written_each_time_it_changes()
    {
        var paris = new LocationRow("loc", "81.2.69.160", "FR", "France", null, "Paris");
        await writer.WriteAsync(Session("sess-4", Fact("a", "sess-4", "{}")));
        await writer.WriteAsync(Session("sess-4", Fact("b", "sess-4", "{}")) with { Locations = [paris] });
        Assert.Equal(["France|Paris"], await db.RowsAsync("SELECT country_name, city_name FROM dim_location"));

        await writer.WriteAsync(Session("sess-4", Fact("c", "sess-4", "{}")));

        Assert.Equal(["Unknown|"], await db.RowsAsync("SELECT country_name, coalesce(city_name, '') FROM dim_location"));
    }

    [Fact]
    public async Task Product_view_written_twice_counts_once_in_fact_product_views()
    {
        // Two views of p1 by one visitor, one of p2 by another; then the first session row again, as a replay would.
        var first = Session("sess-5", View("v1", "sess-5", "p1", 10), View("v2", "sess-5", "p1", 20));
        await writer.WriteAsync(first);
        await writer.WriteAsync(Session("sess-6", View("v3", "sess-6", "p2", 30)));

        var replay = await writer.WriteAsync(first);

        Assert.Empty(replay.Inserted);
        Assert.Equal(
            ["p1|2|1|10:00:10|10:00:20", "p2|1|1|10:00:30|10:00:30"],
            await db.RowsAsync("""
                SELECT product_key, view_count, unique_visitors, to_char(first_view_time AT TIME ZONE 'UTC', 'HH24:MI:SS'),
                       to_char(last_view_time AT TIME ZONE 'UTC', 'HH24:MI:SS')
                FROM fact_product_views ORDER BY product_key
                """));
    }

    private static FactEventRow View(string eventId, string session, string product, int second) =>
        Fact(eventId, session, "{}") with
        {
            EventType = "product_view",
            ProductKey = product,
            OccurredAt = new DateTimeOffset(2024, 5, 1, 10, 0, second, TimeSpan.Zero),
        };

    private static FactEventRow Fact(string eventId, string session, string extras) =>
        new(eventId, "page_view", new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), session, null, null,
            "loc", "ua", "ref", null, null, null, null, null, null, extras);

    private static SessionEventsRow Session(string key, params FactEventRow[] facts) =>
        new(key, facts, [], [new LocationRow("loc", null, null, "Unknown", null, null)],
            [new UserAgentRow("ua", "agent", "Other", "Other", "desktop")], [new ReferrerRow("ref", null, null, "direct")]);
}

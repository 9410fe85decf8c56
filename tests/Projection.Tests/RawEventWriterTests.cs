using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Shopstream.Projection.Raw;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

public sealed class RawEventWriterTests
{
    private static RawEventRow Row(DateTimeOffset at, long offset, string payload = """{"record": {"id": 1}}""") =>
        new(at, "dummyjson", "products", 0, offset, "dummyjson:1", Encoding.UTF8.GetBytes(payload));

    private static RawOffsetMove Move(long? from, long next) => new("products", 0, from, next);

    [Fact]
    public async Task Rows_land_in_a_partition_per_day_and_a_batch_written_again_from_the_same_position_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writer = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var day1 = new DateTimeOffset(2024, 5, 1, 23, 59, 59, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero);
        RawEventRow[] batch = [Row(day1, 10), Row(day2, 11), Row(day2, 12)];

        Assert.Equal(3, await writer.WriteAsync(batch, [Move(null, 13)]));
        Assert.Null(await writer.WriteAsync(batch, [Move(null, 13)]));
        Assert.Null(await writer.WriteAsync(batch, [Move(10, 13)]));

        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM raw_events_20240501"));
        Assert.Equal(2, await db.ScalarAsync("SELECT count(*) FROM raw_events_20240502"));
        Assert.Equal(3, await db.ScalarAsync("SELECT count(*) FROM raw_events WHERE payload @> '{\"record\": {\"id\": 1}}'"));
        Assert.Equal(13L, (await writer.PositionsAsync([("products", 0), ("products", 1)]))[("products", 0)]);
        Assert.Single(await writer.PositionsAsync([("products", 0), ("products", 1)]));
    }

    [Fact]
    public async Task Two_writers_racing_from_the_same_position_land_the_batch_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var first = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var second = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var at = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(1, await first.WriteAsync([Row(at, 0)], [Move(null, 1)]));
        RawEventRow[] batch = [.. Enumerable.Range(1, 2000).Select(o => Row(at, o))];

        for (var round = 0; round < 5; round++)
        {
            var from = 1 + (round * 2000L);
            RawEventRow[] rows = [.. batch.Select(r => r with { Offset = r.Offset + (round * 2000L) })];
            var results = await Task.WhenAll(
                first.WriteAsync(rows, [Move(from, from + 2000)]),
                second.WriteAsync(rows, [Move(from, from + 2000)]));
            Assert.Single(results, r => r == 2000);
            Assert.Single(results, r => r is null);
        }

        Assert.Equal(10_001, await db.ScalarAsync("SELECT count(*) FROM raw_events"));
        Assert.Equal(10_001, await db.ScalarAsync("SELECT count(DISTINCT \"offset\") FROM raw_events"));
    }

    [Fact]
    public async Task Retention_drops_whole_days_before_the_cut_and_keeps_the_rest()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writer = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        await writer.WriteAsync([
            Row(new DateTimeOffset(2024, 4, 29, 12, 0, 0, TimeSpan.Zero), 1),
            Row(new DateTimeOffset(2024, 4, 30, 12, 0, 0, TimeSpan.Zero), 2),
            Row(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero), 3),
        ], [Move(null, 4)]);

        Assert.Equal(2, await writer.DropBeforeAsync(new DateOnly(2024, 5, 1)));

        Assert.Equal(3, await db.ScalarAsync("SELECT min(\"offset\") FROM raw_events"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'raw_events'"));
        // A late row of a dropped day gets its partition back.
        Assert.Equal(1, await writer.WriteAsync([Row(new DateTimeOffset(2024, 4, 30, 13, 0, 0, TimeSpan.Zero), 4)], [Move(4, 5)]));
    }

    [Fact]
    public async Task Rows_jsonb_refuses_are_left_out_and_the_rest_of_their_batch_lands_with_the_position_moved_past_them()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writer = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var at = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
        // Offsets 0..99; 7 and 60 carry escapes jsonb refuses (a NUL, a lone surrogate) though they are well-formed JSON.
        RawEventRow[] rows = [.. Enumerable.Range(0, 100).Select(o => o switch
        {
            7 => Row(at, o, """{"title": "a\u0000b"}"""),
            60 => Row(at, o, """{"title": "\ud800"}"""),
            _ => Row(at, o),
        })];

        var written = await writer.WriteAsync(rows, [Move(null, 100)]);

        Assert.Equal(98, written);
        Assert.Equal((99 * 100 / 2) - 7 - 60, await db.ScalarAsync("SELECT sum(\"offset\") FROM raw_events"));
        Assert.Equal(100L, (await writer.PositionsAsync([("products", 0)]))[("products", 0)]);
    }
}

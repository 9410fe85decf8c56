using Microsoft.Extensions.Logging.Abstractions;
using Shopstream.Projection.Raw;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

public sealed class RawEventWriterTests
{
    private static RawEventRow Row(DateTimeOffset at, long offset, string payload = """{"record": {"id": 1}}""") =>
        new(at, "dummyjson", "products", 0, offset, "dummyjson:1", payload);

    [Fact]
    public async Task Rows_land_in_a_partition_per_day_and_a_batch_read_again_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writer = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var day1 = new DateTimeOffset(2024, 5, 1, 23, 59, 59, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero);
        RawEventRow[] batch = [Row(day1, 10), Row(day2, 11), Row(day2, 12)];

        Assert.Equal(3, await writer.WriteAsync(batch));
        Assert.Equal(0, await writer.WriteAsync(batch));

        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM raw_events_20240501"));
        Assert.Equal(2, await db.ScalarAsync("SELECT count(*) FROM raw_events_20240502"));
        Assert.Equal(3, await db.ScalarAsync("SELECT count(*) FROM raw_events WHERE payload @> '{\"record\": {\"id\": 1}}'"));
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
        ]);

        Assert.Equal(2, await writer.DropBeforeAsync(new DateOnly(2024, 5, 1)));

        Assert.Equal(3, await db.ScalarAsync("SELECT min(\"offset\") FROM raw_events"));
        Assert.Equal(1, await db.ScalarAsync("SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'raw_events'"));
        // A late row of a dropped day gets its partition back.
        Assert.Equal(1, await writer.WriteAsync([Row(new DateTimeOffset(2024, 4, 30, 13, 0, 0, TimeSpan.Zero), 4)]));
    }

    [Fact]
    public async Task Row_jsonb_refuses_is_left_out_and_the_rest_of_its_batch_lands()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writer = new RawEventWriter(db.DataSource, NullLogger<RawEventWriter>.Instance);
        var at = new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);

        var written = await writer.WriteAsync([Row(at, 1), Row(at, 2, """{"title": "a\u0000b"}"""), Row(at, 3)]);

        Assert.Equal(2, written);
        Assert.Equal(4, await db.ScalarAsync("SELECT sum(\"offset\") FROM raw_events"));
    }
}

using Shopstream.Tests.Support;

namespace Shopstream.Lake.Tests;

/// <summary>What the lake writer puts where, read back by DuckDB (an independent Parquet reader).</summary>
public sealed class LakeLayoutTests
{
    [Fact]
    public async Task Events_land_in_hive_partitions_by_type_and_utc_day_with_typed_columns()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        await bed.SendAsync(LakeTestBed.Event("e1", "page_view", "2024-05-01T10:00:00.123456Z", extras: """{"price":19.99,"quantity":2,"coupon":"SPRING"}"""));
        await bed.SendAsync(LakeTestBed.Event("e2", "product_view", "2024-05-01T23:59:59Z", product: "dummyjson:5"));
        // 00:30 on the 2nd at +02:00 is 22:30 UTC on the 1st: the partition is the UTC day.
        await bed.SendAsync(LakeTestBed.Event("e3", "product_view", "2024-05-02T00:30:00+02:00", product: "dummyjson:6"));
        await bed.SendAsync(LakeTestBed.Event("e4", "wishlist_add", "2024-05-02T08:00:00Z", product: "dummyjson:5"));

        using var cts = new CancellationTokenSource();
        var writer = bed.Writer(bed.Options());
        await writer.StartAsync(cts.Token);
        await bed.WaitCommittedAsync(4, "the four events committed to the lake");
        await writer.StopAsync(CancellationToken.None);

        var files = bed.FilesOnDisk();
        Assert.Equal(
            ["events/event_type=page_view/event_date=2024-05-01", "events/event_type=product_view/event_date=2024-05-01", "events/event_type=wishlist_add/event_date=2024-05-02"],
            files.Select(f => f[..f.LastIndexOf('/')]).ToList());
        Assert.All(files, f => Assert.Matches(@"/part-p0-o0-[0-9a-f]{32}\.parquet$", f));

        var root = bed.Directory;
        var typed = LakeTestBed.DuckDb(
            $"""
            SELECT event_id, event_type, epoch_us(occurred_at), typeof(occurred_at), price, typeof(price), quantity,
                   json_extract_string(extras, '$.coupon'), product_id, kafka_offset
            FROM read_parquet('{root}/events/*/*/*.parquet') ORDER BY event_id
            """);
        Assert.Equal(
        [
            "e1|page_view|1714557600123456|TIMESTAMP WITH TIME ZONE|19.9900|DECIMAL(18,4)|2|SPRING|null|0",
            "e2|product_view|1714607999000000|TIMESTAMP WITH TIME ZONE|null|DECIMAL(18,4)|null|null|dummyjson:5|1",
            "e3|product_view|1714602600000000|TIMESTAMP WITH TIME ZONE|null|DECIMAL(18,4)|null|null|dummyjson:6|2",
            "e4|wishlist_add|1714636800000000|TIMESTAMP WITH TIME ZONE|null|DECIMAL(18,4)|null|null|dummyjson:5|3",
        ], typed);

        // The manifest lists exactly the files on disk, with their rows and event-time bounds.
        var listed = await bed.Database.RowsAsync(
            "SELECT path, rows, partition_values->>'event_type', partition_values->>'event_date', offset_first, offset_last FROM lake_files ORDER BY path");
        Assert.Equal(files, listed.Select(r => r.Split('|')[0]).ToList());
        Assert.Equal(["1|page_view|2024-05-01|0|3", "2|product_view|2024-05-01|0|3", "1|wishlist_add|2024-05-02|0|3"],
            listed.Select(r => string.Join("|", r.Split('|')[1..])).ToList());
    }
}

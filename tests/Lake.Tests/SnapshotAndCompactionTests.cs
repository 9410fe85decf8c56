using Shopstream.Lake.Reading;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Writing;

namespace Shopstream.Lake.Tests;

/// <summary>Every commit is a snapshot; compaction merges a partition's files as a new one and keeps every row once.</summary>
public sealed class SnapshotAndCompactionTests
{
    [Fact]
    public async Task Compaction_keeps_every_row_once_in_a_new_snapshot_while_older_snapshots_still_see_the_small_files()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        var options = bed.Options();
        options.Retention = TimeSpan.FromHours(1);
        var store = new LocalLakeStore(bed.Directory);
        var flusher = new LakeFlusher(store, bed.Manifest, options);
        var buffer = new PartitionBuffer(bed.Topic, 0, "events", expected: null);
        var offset = 0;
        async Task FlushAsync(params string[] ids)
        {
            foreach (var id in ids)
            {
                var e = LakeTestBed.Event(id, "page_view", $"2024-05-01T1{offset}:00:00Z", extras: $$"""{"price":{{offset}}.25}""");
                buffer.Add(offset, null, LakeTestBed.Message(e), 0);
                offset++;
            }
            Assert.True(await flusher.FlushAsync(buffer, CancellationToken.None));
            buffer.Committed();
        }
        await FlushAsync("a", "b");
        await FlushAsync("c", "d");
        await FlushAsync("e");
        var beforeCompaction = DateTimeOffset.UtcNow;
        var small = await bed.Manifest.LiveFilesAsync(3, "events", CancellationToken.None);
        var expected = LakeTestBed.DuckDb($"SELECT {Columns} FROM read_parquet({Quoted(bed, small.Select(f => f.Path))}) ORDER BY event_id");
        Assert.Equal(["a|05/01/2024 10:00:00|0.2500|0", "b|05/01/2024 11:00:00|1.2500|1"], expected[..2]);
        Assert.Equal(5, expected.Count);

        var compactor = new LakeCompactor(store, bed.Manifest, options, TimeProvider.System);
        var result = await compactor.CompactAsync("events", "event_type=page_view", CancellationToken.None);

        Assert.Equal(new LakeCompactor.Result(1, 3, 5, 0), result);
        Assert.Equal(4, await bed.Manifest.SnapshotAtAsync(null, CancellationToken.None));
        var merged = Assert.Single(await bed.Manifest.LiveFilesAsync(4, "events", CancellationToken.None));
        Assert.Equal(5, merged.Rows);
        Assert.Equal(expected, LakeTestBed.DuckDb($"SELECT {Columns} FROM read_parquet({Quoted(bed, [merged.Path])}) ORDER BY event_id"));
        // Time travel: snapshot 3, by id or by a time before the compaction, is still the three small files, on disk.
        Assert.Equal(small.Select(f => f.Path), (await bed.Manifest.LiveFilesAsync(3, "events", CancellationToken.None)).Select(f => f.Path));
        Assert.Equal(3, await LakeSnapshotRef.ResolveAsync(bed.Manifest, beforeCompaction.ToString("O"), CancellationToken.None));
        Assert.Equal(4, bed.FilesOnDisk().Count);

        // Past the retention period the small files are deleted; the merged one stays.
        options.Retention = TimeSpan.Zero;
        var purge = await compactor.CompactAsync("events", null, CancellationToken.None);

        Assert.Equal(new LakeCompactor.Result(0, 0, 0, 3), purge);
        Assert.Equal([merged.Path], bed.FilesOnDisk());
    }

    // occurred_at as DuckDB hands it to .NET: its epoch_us() of a 5-row file with a 4-hour range returned other
    // numbers (the low 32 bits kept) whereas the same file's values read as timestamps were right.
    private const string Columns = "event_id, occurred_at, price, kafka_offset";

    private static string Quoted(LakeTestBed bed, IEnumerable<string> paths) =>
        "[" + string.Join(", ", paths.Select(p => "'" + Path.Combine(bed.Directory, p) + "'")) + "]";
}

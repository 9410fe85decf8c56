using Shopstream.Lake.Storage;
using Shopstream.Lake.Writing;

namespace Shopstream.Lake.Tests;

/// <summary>Files and offsets commit together; nothing uncommitted is visible; nothing is written twice.</summary>
public sealed class ExactlyOnceTests
{
    [Fact]
    public async Task Writer_killed_between_upload_and_commit_leaves_no_visible_file_and_loses_nothing_on_restart()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 2);
        const int Events = 40;
        for (var i = 0; i < Events; i++)
        {
            await bed.SendAsync(LakeTestBed.Event($"e{i}", i % 2 == 0 ? "page_view" : "purchase", "2024-05-01T12:00:00Z", session: $"s{i % 7}"));
        }

        var uploaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = bed.Writer(bed.Options());
        first.BeforeCommit = async ct =>
        {
            uploaded.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // the "kill": the writer never gets past its upload
        };
        await first.StartAsync(CancellationToken.None);
        await uploaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await first.StopAsync(CancellationToken.None);

        var orphans = bed.FilesOnDisk();
        Assert.NotEmpty(orphans); // the upload happened ...
        Assert.Equal(0, await bed.Database.ScalarAsync("SELECT count(*) FROM lake_files")); // ... and is listed nowhere
        Assert.Equal(0, await bed.Database.ScalarAsync("SELECT count(*) FROM lake_offsets"));

        // A group of its own: the mock broker would hold the partitions for the first member's session timeout (45 s),
        // and the lake resumes from the manifest's offsets whatever the group committed.
        var restarted = bed.Options();
        restarted.ConsumerGroup += "-restarted";
        var second = bed.Writer(restarted);
        await second.StartAsync(CancellationToken.None);
        await bed.WaitCommittedAsync(Events, "every event committed after the restart");
        await second.StopAsync(CancellationToken.None);

        var committed = await bed.Database.RowsAsync("SELECT path FROM lake_files ORDER BY path");
        Assert.Equal(committed, bed.FilesOnDisk()); // the orphans are gone; every file on disk is committed
        Assert.DoesNotContain(orphans[0], committed);
        var counts = LakeTestBed.DuckDb($"SELECT count(*), count(DISTINCT event_id) FROM read_parquet({await bed.CommittedFilesListAsync()})");
        Assert.Equal([$"{Events}|{Events}"], counts);
        // Each partition's stored offset is one past the last offset of its files: offsets moved with the files.
        Assert.Equal(
            await bed.Database.RowsAsync("SELECT kafka_partition, max(offset_last) + 1 FROM lake_files GROUP BY 1 ORDER BY 1"),
            await bed.Database.RowsAsync("SELECT kafka_partition, next_offset FROM lake_offsets ORDER BY 1"));
    }

    [Fact]
    public async Task Same_offsets_flushed_by_two_writers_are_committed_once()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        var store = new LocalLakeStore(bed.Directory);
        var flusher = new LakeFlusher(store, bed.Manifest, bed.Options());
        PartitionBuffer Replay()
        {
            // Both writers found no stored offset and read the same three messages (a rebalance in between).
            var buffer = new PartitionBuffer(bed.Topic, 0, "events", expected: null);
            for (var offset = 0; offset < 3; offset++)
            {
                buffer.Add(offset, null, LakeTestBed.Message(LakeTestBed.Event($"e{offset}", "page_view", "2024-05-01T12:00:00Z")), 0);
            }
            return buffer;
        }

        var winner = await flusher.FlushAsync(Replay(), CancellationToken.None);
        var loser = await flusher.FlushAsync(Replay(), CancellationToken.None);

        Assert.True(winner);
        Assert.False(loser);
        Assert.Equal(["1|3"], await bed.Database.RowsAsync("SELECT count(*), sum(rows) FROM lake_files"));
        Assert.Equal(3, await bed.Database.ScalarAsync("SELECT next_offset FROM lake_offsets"));
        Assert.Equal(await bed.Database.RowsAsync("SELECT path FROM lake_files"), bed.FilesOnDisk()); // the loser's file deleted
    }

    [Fact]
    public async Task A_partition_is_flushed_every_max_rows_events_with_its_offset_range()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        for (var i = 0; i < 5; i++)
        {
            await bed.SendAsync(LakeTestBed.Event($"e{i}", "page_view", "2024-05-01T12:00:00Z"));
        }
        var options = bed.Options(maxRows: 2);
        options.MaxAge = TimeSpan.FromHours(1); // only the row trigger may fire

        var writer = bed.Writer(options);
        await writer.StartAsync(CancellationToken.None);
        await bed.WaitCommittedAsync(4, "two files of two rows");
        await Task.Delay(1000); // the fifth event must stay buffered, not be written alone
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(["2|0|1", "2|2|3"], await bed.Database.RowsAsync("SELECT rows, offset_first, offset_last FROM lake_files ORDER BY offset_first"));
        Assert.Equal(4, await bed.Database.ScalarAsync("SELECT next_offset FROM lake_offsets"));
    }
}

using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Tables;

namespace Shopstream.Lake.Writing;

/// <summary>
/// Merges a partition's small files into one, as a new snapshot that removes them and adds the merged file; readers of
/// older snapshots still find the small files until the retention period has passed, then they are deleted.
/// </summary>
internal sealed class LakeCompactor(ILakeStore store, LakeManifest manifest, LakeOptions options, TimeProvider time)
{

    /// <summary>What one run did.</summary>
    public sealed record Result(int PartitionsCompacted, int FilesMerged, long Rows, int FilesPurged);

    /// <param name="table">The table, e.g. <c>events</c>.</param>
    /// <param name="partition">A partition path such as <c>event_type=page_view/event_date=2024-05-01</c>, or a prefix of one; null for all.</param>
    /// <param name="cancellationToken">Stops between partitions.</param>
    public async Task<Result> CompactAsync(string table, string? partition, CancellationToken cancellationToken)
    {
        var snapshot = await manifest.SnapshotAtAsync(null, cancellationToken);
        var prefix = table + "/" + (partition is null ? "" : partition.Trim('/') + "/");
        var groups = (await manifest.LiveFilesAsync(snapshot, table, cancellationToken))
            .Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && f.Table == EventsTable.Name)
            .GroupBy(f => f.Path[..f.Path.LastIndexOf('/')], StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .ToList();
        int partitions = 0, merged = 0;
        long rows = 0;
        foreach (var group in groups)
        {
            var files = group.ToList();
            if (await MergeAsync(group.Key, files, cancellationToken))
            {
                partitions++;
                merged += files.Count;
                rows += files.Sum(f => f.Rows);
            }
        }
        return new Result(partitions, merged, rows, await PurgeAsync(cancellationToken));
    }

    private async Task<bool> MergeAsync(string directory, List<LakeFile> files, CancellationToken cancellationToken)
    {
        // Read back and written again by the table's own writer: one row group of all rows, the table's schema and codec.
        var rows = new List<LakeEvent>();
        foreach (var file in files)
        {
            await using var source = await store.OpenReadAsync(file.Path, cancellationToken);
            rows.AddRange(await EventsTable.ReadAsync(source, cancellationToken));
        }
        using var output = new MemoryStream();
        await EventsTable.WriteAsync(rows, output, options.ParquetCompression, cancellationToken);
        var fileId = Guid.NewGuid();
        var added = new LakeFile(fileId, $"{directory}/part-c-{fileId:N}.parquet", files[0].Table, files[0].PartitionValues,
            rows.Count, output.Length, files.Min(f => f.MinEventTime), files.Max(f => f.MaxEventTime), Range: null);
        output.Position = 0;
        await store.PutAsync(added.Path, output, cancellationToken);
        if (await manifest.CommitReplaceAsync([.. files.Select(f => f.FileId)], added, cancellationToken) is null)
        {
            await store.DeleteAsync(added.Path, CancellationToken.None); // another compaction merged them first
            return false;
        }
        return true;
    }

    /// <summary>Deletes files removed longer than the retention period ago; returns how many.</summary>
    private async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var expired = await manifest.ExpiredAsync(time.GetUtcNow() - options.Retention, cancellationToken);
        foreach (var (fileId, path) in expired)
        {
            await store.DeleteAsync(path, cancellationToken);
            await manifest.MarkPurgedAsync(fileId, cancellationToken);
        }
        return expired.Count;
    }
}

using Parquet;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Tables;

namespace Shopstream.Lake.Writing;

/// <summary>
/// Turns a partition's buffer into files and commits them: one Parquet file per table partition ((event_type,
/// event_date) of events, ingest_date of a history table), written in parallel and each published in storage, then all of them listed in the manifest with the buffer's offset range in one transaction.
/// A file published but never committed is listed nowhere (readers go by the manifest) and is deleted as an orphan.
/// </summary>
internal sealed class LakeFlusher(ILakeStore store, LakeManifest manifest, LakeOptions options)
{
    private long undecodable;

    /// <summary>Runs between the upload and the commit; tests and chaos use it to stop a writer exactly there.</summary>
    internal Func<CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>Writes and commits the buffer. Returns false when another writer had committed these offsets first.</summary>
    public async Task<bool> FlushAsync(PartitionBuffer buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return true;
        }
        var range = new KafkaRange(buffer.Topic, buffer.Partition, buffer.First!.Value, buffer.Last);
        // No clean-up on failure or cancellation: a file published but not committed is an orphan the next sweep
        // removes, and only the sweep, which consults the manifest, decides (a broken COMMIT may have committed).
        var files = buffer.Table == EventsTable.Name
            ? await Task.WhenAll(DecodeEvents(buffer).GroupBy(EventsTable.PartitionOf)
                .Select(g => Task.Run(() => WriteFileAsync(g.Key, [.. g], range, EventsTable.WriteAsync, e => e.Event.OccurredAt.ToUniversalTime(), cancellationToken), cancellationToken)))
            : await Task.WhenAll(DecodeHistory(buffer).GroupBy(r => HistoryTable.PartitionOf(buffer.Table, r))
                .Select(g => Task.Run(() => WriteFileAsync(g.Key, [.. g], range, HistoryTable.WriteAsync, r => r.IngestedAt, cancellationToken), cancellationToken)));
        if (BeforeCommit is { } hook)
        {
            await hook(cancellationToken);
        }
        var advance = new OffsetAdvance(buffer.Topic, buffer.Partition, buffer.Expected, buffer.Last + 1);
        if (await manifest.CommitAppendAsync(files, advance, cancellationToken) is null)
        {
            foreach (var file in files)
            {
                await store.DeleteAsync(file.Path, CancellationToken.None);
            }
            return false;
        }
        return true;
    }

    /// <summary>Messages that were not events (the silo's decoder rejects them); covered by the offsets, not stored.</summary>
    public long Undecodable => Interlocked.Read(ref undecodable);

    private List<HistoryTable.Row> DecodeHistory(PartitionBuffer buffer)
    {
        var rows = new List<HistoryTable.Row>(buffer.Messages.Count);
        foreach (var (offset, key, value) in buffer.Messages)
        {
            if (HistoryTable.Decode(key, value, buffer.Partition, offset) is { } row)
            {
                rows.Add(row);
            }
            else
            {
                Interlocked.Increment(ref undecodable);
            }
        }
        return rows;
    }

    private List<LakeEvent> DecodeEvents(PartitionBuffer buffer)
    {
        var messages = buffer.Messages;
        var decoded = new LakeEvent?[messages.Count];
        Parallel.For(0, messages.Count, i =>
        {
            var (offset, _, value) = messages[i];
            decoded[i] = WireFormat.TryDecode(StreamNamespaces.Events, value, out _) is EntityMessage<ClickEvent> m
                ? new LakeEvent(m.Record, m.Version, m.IngestedAt, buffer.Partition, offset)
                : null;
        });
        var events = new List<LakeEvent>(decoded.Length);
        foreach (var e in decoded)
        {
            if (e is null)
            {
                Interlocked.Increment(ref undecodable);
            }
            else
            {
                events.Add(e);
            }
        }
        return events;
    }

    private async Task<LakeFile> WriteFileAsync<TRow>(
        LakePartition partition, List<TRow> rows, KafkaRange range, Func<IReadOnlyList<TRow>, Stream, CompressionMethod, CancellationToken, Task> write,
        Func<TRow, DateTimeOffset> timeOf, CancellationToken cancellationToken)
    {
        var fileId = Guid.NewGuid();
        var path = $"{partition.Directory}/part-p{range.Partition}-o{range.First}-{fileId:N}.parquet";
        using var content = new MemoryStream();
        await write(rows, content, options.ParquetCompression, cancellationToken);
        var bytes = content.Length;
        content.Position = 0;
        await store.PutAsync(path, content, cancellationToken);
        return new LakeFile(fileId, path, partition.Table, partition.Values, rows.Count, bytes,
            rows.Min(timeOf), rows.Max(timeOf), range);
    }
}

using System.Collections.Concurrent;
using Shopstream.Streaming.Kafka.Providers;

namespace Shopstream.Streaming.Kafka;

/// <summary>
/// What this silo's receivers of one provider have read, rejected and committed, per partition.
/// Resolve it with <c>GetRequiredKeyedService&lt;KafkaStreamStatistics&gt;(providerName)</c>.
/// </summary>
public sealed class KafkaStreamStatistics
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), Counters> partitions = new();
    private volatile Func<string, int, long?>? endOffsets;

    /// <summary>A snapshot of every partition this silo has read, ordered by topic and partition.</summary>
    public IReadOnlyList<KafkaPartitionStatistics> Snapshot() =>
        [.. partitions
            .OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition)
            .Select(p => new KafkaPartitionStatistics(
                p.Key.Topic, p.Key.Partition, p.Value.Owned,
                Interlocked.Read(ref p.Value.Consumed), Interlocked.Read(ref p.Value.Rejected),
                Interlocked.Read(ref p.Value.NextOffset), Interlocked.Read(ref p.Value.CommittedOffset),
                p.Value.Owned ? endOffsets?.Invoke(p.Key.Topic, p.Key.Partition) : null, Interlocked.Read(ref p.Value.Skipped)))];

    /// <summary>Total messages read by this silo.</summary>
    public long TotalConsumed => partitions.Values.Sum(c => Interlocked.Read(ref c.Consumed));

    /// <summary>Total poison messages seen by this silo.</summary>
    public long TotalRejected => partitions.Values.Sum(c => Interlocked.Read(ref c.Rejected));

    /// <summary>Total offsets this silo's consumer found gone from the broker before it read them (retention).</summary>
    public long TotalSkipped => partitions.Values.Sum(c => Interlocked.Read(ref c.Skipped));

    internal void UseEndOffsets(Func<string, int, long?> source) => endOffsets = source;

    internal void Assigned(KafkaPartition p) => Get(p).Owned = true;

    internal void Unassigned(KafkaPartition p) => Get(p).Owned = false;

    internal void Consumed(KafkaPartition p, int count, long nextOffset)
    {
        var c = Get(p);
        Interlocked.Add(ref c.Consumed, count);
        Interlocked.Exchange(ref c.NextOffset, nextOffset);
    }

    internal void Rejected(KafkaPartition p, int count) => Interlocked.Add(ref Get(p).Rejected, count);

    internal void Skipped(string topic, int partition, long count) =>
        Interlocked.Add(ref partitions.GetOrAdd((topic, partition), _ => new Counters()).Skipped, count);

    internal void Committed(KafkaPartition p, long offset) => Interlocked.Exchange(ref Get(p).CommittedOffset, offset);

    private Counters Get(KafkaPartition p) => partitions.GetOrAdd((p.Topic, p.Partition), _ => new Counters());

    private sealed class Counters
    {
        public long Consumed;
        public long Rejected;
        public long Skipped;
        public long NextOffset = -1;
        public long CommittedOffset = -1;
        public volatile bool Owned;
    }
}

/// <summary>One partition as seen by this silo.</summary>
/// <param name="Topic">Kafka topic.</param>
/// <param name="Partition">Kafka partition.</param>
/// <param name="OwnedHere">Whether this silo reads it now.</param>
/// <param name="Consumed">Messages read by this silo.</param>
/// <param name="Rejected">Poison messages among them.</param>
/// <param name="NextOffset">Offset after the last message read, or -1.</param>
/// <param name="CommittedOffset">Last committed offset, or -1.</param>
/// <param name="EndOffset">High watermark last seen by this silo's consumer, when it reads the partition.</param>
/// <param name="Skipped">
/// Offsets the broker no longer had when this silo's consumer got to them (retention deleted them unread): records lost
/// to the pipeline, each logged as an error when found.
/// </param>
public sealed record KafkaPartitionStatistics(
    string Topic, int Partition, bool OwnedHere, long Consumed, long Rejected, long NextOffset, long CommittedOffset, long? EndOffset,
    long Skipped = 0)
{
    /// <summary>Messages not yet committed, when known.</summary>
    public long? Lag => EndOffset is { } end && CommittedOffset >= 0 ? Math.Max(0, end - CommittedOffset) : EndOffset;
}

using Confluent.Kafka;

namespace Shopstream.Ingest.Feeds;

/// <summary>One partition of a consumer group: its end, the group's committed offset (null: none) and how far behind it is.</summary>
/// <param name="Partition">The topic and partition.</param>
/// <param name="End">The high watermark.</param>
/// <param name="Committed">The group's committed offset; null when it has none.</param>
/// <param name="Lag">Messages between where the group reads next and the end.</param>
public sealed record GroupPartitionLag(TopicPartition Partition, long End, long? Committed, long Lag);

/// <summary>
/// How far a consumer group is behind, per partition, read through a consumer of that group that asks and never
/// subscribes: the one reading of committed offsets and watermarks behind the delivery progress and a feed's lag.
/// </summary>
public static class GroupLag
{
    /// <summary>
    /// Reads <paramref name="partitions"/>; a partition without a committed offset counts from its start, or from its
    /// end when <paramref name="fromEndWithoutCommit"/> (a group starting at the latest offset).
    /// </summary>
    public static IReadOnlyList<GroupPartitionLag> Read<TKey, TValue>(
        IConsumer<TKey, TValue> consumer, IReadOnlyList<TopicPartition> partitions, TimeSpan timeout, bool fromEndWithoutCommit = false)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(partitions);
        var committed = consumer.Committed(partitions, timeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        var lags = new List<GroupPartitionLag>(partitions.Count);
        foreach (var partition in partitions)
        {
            var ends = consumer.QueryWatermarkOffsets(partition, timeout);
            long? at = committed.TryGetValue(partition, out var offset) && !offset.IsSpecial ? offset.Value : null;
            var from = at ?? (fromEndWithoutCommit ? ends.High.Value : ends.Low.Value);
            lags.Add(new GroupPartitionLag(partition, ends.High.Value, at, Math.Max(0, ends.High.Value - from)));
        }
        return lags;
    }
}

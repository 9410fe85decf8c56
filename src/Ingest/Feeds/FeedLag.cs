using Confluent.Kafka;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// How far a feed's consumer group is behind the end of its foreign topic, over every partition whoever owns it: read
/// from the foreign brokers (the group's committed offsets and each partition's high watermark), so it is the cluster's
/// lag, not one silo's. The bridge commits only what our cluster acknowledged, so 0 means every message is in our topics.
/// </summary>
/// <param name="Total">Messages behind, summed over the partitions; null when the brokers did not answer.</param>
/// <param name="Partitions">Each partition's end, committed offset (null: the group has none) and lag.</param>
/// <param name="Error">Why the lag could not be read (the foreign cluster unreachable, the topic unknown), or null.</param>
public sealed record FeedLag(long? Total, IReadOnlyList<FeedPartitionLag> Partitions, string? Error)
{
    /// <summary>
    /// Reads the lag with the feed's own client settings (its SASL/SSL, its group); blocks for up to about twice
    /// <paramref name="timeout"/> while the foreign brokers do not answer.
    /// </summary>
    public static FeedLag Read(ConsumerConfig feedConsumer, string topic, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(feedConsumer);
        // Same group and credentials as the bridge, but it never subscribes: it only asks, and joins no group.
        var config = new ConsumerConfig(feedConsumer.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal))
        {
            ClientId = feedConsumer.ClientId + "-lag",
        };
        try
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var metadata = admin.GetMetadata(topic, timeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                return new FeedLag(null, [], $"topic {topic}: {metadata?.Error.Reason ?? "not in the foreign cluster's metadata"}");
            }
            var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
            // Without a committed offset the bridge starts where its StartPosition says: the whole partition, or its end.
            var lags = GroupLag.Read(consumer, partitions, timeout, fromEndWithoutCommit: config.AutoOffsetReset == AutoOffsetReset.Latest)
                .Select(l => new FeedPartitionLag(l.Partition.Partition.Value, l.End, l.Committed, l.Lag)).ToList();
            return new FeedLag(lags.Sum(l => l.Lag), lags, null);
        }
        catch (KafkaException ex)
        {
            return new FeedLag(null, [], ex.Message);
        }
    }
}


using Confluent.Kafka;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// Reading a topic in batches for consumers that commit by hand after their batch is durable elsewhere (a feed
/// bridge, the raw zone writer): what the client has fetched is taken at once, without waiting for more.
/// </summary>
public static class KafkaBatches
{
    /// <summary>Fills <paramref name="batch"/> (cleared first) with up to <paramref name="max"/> messages, waiting at most <paramref name="wait"/> for the first.</summary>
    public static void Next<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<ConsumeResult<TKey, TValue>> batch, int max, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        if (consumer.Consume(wait) is not { } first)
        {
            return;
        }
        batch.Add(first);
        while (batch.Count < max && consumer.Consume(TimeSpan.Zero) is { } next)
        {
            batch.Add(next);
        }
    }

    /// <summary>The offsets to commit once <paramref name="batch"/> is durable: one past its last message in each partition.</summary>
    public static IEnumerable<TopicPartitionOffset> NextOffsets<TKey, TValue>(IEnumerable<ConsumeResult<TKey, TValue>> batch) =>
        batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1));

    /// <summary>Moves each partition of <paramref name="batch"/> back to its first message, so that the batch is read again.</summary>
    public static void Rewind<TKey, TValue>(IConsumer<TKey, TValue> consumer, IEnumerable<ConsumeResult<TKey, TValue>> batch)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        foreach (var first in batch.GroupBy(r => r.TopicPartition).Select(g => g.First()))
        {
            try
            {
                consumer.Seek(first.TopicPartitionOffset);
            }
            catch (KafkaException)
            {
                // The partition was taken away meanwhile; its new owner starts from the committed offset.
            }
        }
    }
}

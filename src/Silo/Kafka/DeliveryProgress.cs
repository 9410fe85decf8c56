using Confluent.Kafka;
using Shopstream.Ingest.Feeds;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>
/// How far a consumer group's committed offsets are behind the ends of its topics. Offsets are committed
/// only after delivery and projection, so zero lag means every produced record is applied or rejected.
/// </summary>
public sealed class DeliveryProgress : IDisposable
{
    private readonly IConsumer<byte[], byte[]> consumer;
    private readonly List<TopicPartition> partitions;

    public DeliveryProgress(string bootstrapServers, string groupId, IReadOnlyDictionary<string, string> clientSettings, IEnumerable<string> topics)
    {
        LibrdkafkaLocator.EnsureLoaded();
        var config = new ConsumerConfig(new Dictionary<string, string>(clientSettings))
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
        };
        consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
        partitions = [.. topics.SelectMany(t => metadata.Topics.Where(m => m.Topic == t)
            .SelectMany(m => m.Partitions.Select(p => new TopicPartition(t, p.PartitionId))))];
    }

    /// <summary>Per partition: end offset, committed offset and lag.</summary>
    public IReadOnlyList<PartitionLag> Read(TimeSpan timeout) =>
        [.. GroupLag.Read(consumer, partitions, timeout).Select(l =>
            new PartitionLag(l.Partition.Topic, l.Partition.Partition.Value, l.End, l.Committed ?? l.End - l.Lag, l.Lag))];

    /// <summary>Waits until no partition lags; reports progress along the way.</summary>
    public async Task<bool> WaitUntilCaughtUpAsync(TimeSpan timeout, Action<IReadOnlyList<PartitionLag>>? progress, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var lags = await Task.Run(() => Read(TimeSpan.FromSeconds(10)), cancellationToken);
            progress?.Invoke(lags);
            if (lags.All(l => l.Lag == 0))
            {
                return true;
            }
            await Task.Delay(200, cancellationToken);
        }
        return false;
    }

    public void Dispose()
    {
        consumer.Close();
        consumer.Dispose();
    }
}

/// <summary>One partition's position.</summary>
public sealed record PartitionLag(string Topic, int Partition, long EndOffset, long CommittedOffset, long Lag);

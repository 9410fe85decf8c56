using Confluent.Kafka;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>One Kafka topic-partition and the Orleans queue that stands for it.</summary>
internal sealed record KafkaPartition(QueueId QueueId, string Topic, int Partition, string StreamNamespace)
{
    public TopicPartition TopicPartition { get; } = new(Topic, Partition);

    /// <summary>The partition id given to the queue mapper.</summary>
    public static string IdOf(string topic, int partition) => $"{topic}/{partition}";
}

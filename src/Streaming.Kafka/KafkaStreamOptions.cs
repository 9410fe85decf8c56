namespace Shopstream.Streaming.Kafka;

/// <summary>Settings of one Kafka stream provider.</summary>
public sealed class KafkaStreamOptions
{
    /// <summary>Kafka <c>bootstrap.servers</c>. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Consumer group whose committed offsets record what has been delivered. Required.</summary>
    public string ConsumerGroupId { get; set; } = "";

    /// <summary>
    /// Topics to consume, each mapped to the Orleans stream namespace its messages go to.
    /// The message key becomes the stream key.
    /// </summary>
    public IList<KafkaTopicOptions> Topics { get; } = [];

    /// <summary>Where a partition starts when its group has no committed offset.</summary>
    public KafkaStartPosition StartPosition { get; set; } = KafkaStartPosition.Earliest;

    /// <summary>
    /// librdkafka settings passed to every client this provider creates, for example
    /// <c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>ssl.ca.location</c>.
    /// </summary>
    public IDictionary<string, string> ClientSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Messages a queue may hold between being read and being delivered. When full, the queue stops
    /// pulling until deliveries catch up: pressure slows the pull instead of growing memory.
    /// </summary>
    public int MaxCachedMessagesPerQueue { get; set; } = 300;

    /// <summary>Messages read ahead per partition before that partition is paused.</summary>
    public int PrefetchPerPartition { get; set; } = 2_000;

    /// <summary>
    /// The longest a fetch of the silo's consumer waits for data (librdkafka <c>fetch.wait.max.ms</c>, whose default is
    /// 500 ms), unless <see cref="ClientSettings"/> sets <c>fetch.wait.max.ms</c> itself. A partition that was empty
    /// when a fetch left is read again only after that wait: with librdkafka's default, records of a quiet partition
    /// waited up to half a second before delivery (bench: p50 325 ms, p99 549 ms at 10,000 rec/s; with 50 ms: p50 50 ms,
    /// p99 154 ms, and no less throughput).
    /// </summary>
    public TimeSpan MaxFetchWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Direct delivery (<see cref="IKafkaRecordHandler"/>): records taken from the silo's partitions and not yet
    /// delivered, all partitions of the provider together. When reached, the pumps take nothing more until deliveries
    /// complete; it bounds the entities activated at once, and so memory and the burst of state reads.
    /// </summary>
    public int MaxInFlight { get; set; } = 16_384;

    /// <summary>
    /// Direct delivery: attempts of one key's delivery before a failure that is not the cluster's (a silo gone, a
    /// timeout) makes its records rejections handed to <see cref="IKafkaPoisonMessageHandler"/>. Failures of the
    /// cluster itself are retried until the partition is handed over.
    /// </summary>
    public int DeliveryAttempts { get; set; } = 6;

    /// <summary>How long start-up waits for topic metadata and committed offsets.</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Shortest time between two offset commits of one partition; an offset is committed only once every message before it was delivered.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>One consumed topic.</summary>
public sealed class KafkaTopicOptions
{
    /// <summary>Kafka topic name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Orleans stream namespace for this topic's messages; defaults to the topic name.</summary>
    public string? StreamNamespace { get; set; }
}

/// <summary>Where to start reading a partition that has no committed offset.</summary>
public enum KafkaStartPosition
{
    /// <summary>The oldest message the broker still holds.</summary>
    Earliest,

    /// <summary>Only messages produced from now on.</summary>
    Latest,
}

using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Ingest.Producing;

/// <summary>Settings of <see cref="KafkaRecordProducer"/>. Bindable from configuration (section <c>Ingest:Kafka</c>).</summary>
public sealed class KafkaProducerOptions
{
    public const string SectionName = "Ingest:Kafka";

    // Delivery guarantees the pipeline relies on (no duplicates, no loss on leader change); not overridable.
    private static readonly string[] FixedSettings = ["enable.idempotence", "acks", "request.required.acks"];

    public string BootstrapServers { get; set; } = "localhost:9092";

    public string ClientId { get; set; } = "shopstream-ingest";

    public string ProductsTopic { get; set; } = StreamNamespaces.Products;

    public string CartsTopic { get; set; } = StreamNamespaces.Carts;

    public string UsersTopic { get; set; } = StreamNamespaces.Users;

    public string RejectedTopic { get; set; } = StreamNamespaces.Rejected;

    public string EventsTopic { get; set; } = StreamNamespaces.Events;

    public string RecallsTopic { get; set; } = StreamNamespaces.Recalls;

    /// <summary>
    /// Extra librdkafka properties passed through as they are, e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>,
    /// <c>sasl.username</c>, <c>linger.ms</c>, <c>compression.type</c>.
    /// </summary>
    public IDictionary<string, string> ClientSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The Kafka header naming where a message came from (the raw zone's <c>source</c>).</summary>
    public const string SourceHeaderName = "shopstream-source";

    /// <summary>The Kafka header <c>shopstream replay</c> puts on what it produces again from the raw zone (which skips it).</summary>
    public const string ReplayedHeaderName = "shopstream-replayed";

    /// <summary>
    /// When set, every message carries it in the <see cref="SourceHeaderName"/> header: <c>events-api</c>, <c>feed-&lt;name&gt;</c>.
    /// Records of the REST sources need none: their key names the source.
    /// </summary>
    public string? Source { get; set; }

    /// <summary>Messages handed to Kafka but not yet acknowledged; producing waits when this many are outstanding.</summary>
    public int MaxInFlight { get; set; } = 100_000;

    /// <summary>How long disposing waits for outstanding messages.</summary>
    public TimeSpan DisposeFlushTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The topic of a stream namespace.</summary>
    public string TopicFor(string streamNamespace) => streamNamespace switch
    {
        StreamNamespaces.Products => ProductsTopic,
        StreamNamespaces.Carts => CartsTopic,
        StreamNamespaces.Users => UsersTopic,
        StreamNamespaces.Rejected => RejectedTopic,
        StreamNamespaces.Events => EventsTopic,
        StreamNamespaces.Recalls => RecallsTopic,
        _ => throw new ArgumentOutOfRangeException(nameof(streamNamespace), streamNamespace, "unknown stream namespace"),
    };

    /// <summary>Throws when a setting is unusable; the message names the setting.</summary>
    /// <exception cref="IngestException">A setting is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers) && !ClientSettings.ContainsKey("bootstrap.servers"))
        {
            throw Invalid(nameof(BootstrapServers), "must not be empty");
        }

        var topics = new (string Key, string Topic)[]
        {
            (nameof(ProductsTopic), ProductsTopic),
            (nameof(CartsTopic), CartsTopic),
            (nameof(UsersTopic), UsersTopic),
            (nameof(RejectedTopic), RejectedTopic),
            (nameof(EventsTopic), EventsTopic),
            (nameof(RecallsTopic), RecallsTopic),
        };
        foreach (var (key, topic) in topics)
        {
            if (!IsTopicName(topic))
            {
                throw Invalid(key, $"must be 1-249 characters of a-z, A-Z, 0-9, '.', '_' or '-' (was '{topic}')");
            }
        }

        var duplicate = topics.GroupBy(t => t.Topic, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid(duplicate.Last().Key, $"'{duplicate.Key}' is also used by {duplicate.First().Key}; every stream needs its own topic");
        }

        if (MaxInFlight is < 1 or > 10_000_000)
        {
            throw Invalid(nameof(MaxInFlight), $"must be between 1 and 10000000 (was {MaxInFlight})");
        }

        if (DisposeFlushTimeout < TimeSpan.Zero)
        {
            throw Invalid(nameof(DisposeFlushTimeout), $"must not be negative (was {DisposeFlushTimeout})");
        }

        foreach (var fixedKey in FixedSettings)
        {
            if (ClientSettings.ContainsKey(fixedKey))
            {
                throw Invalid(
                    $"{nameof(ClientSettings)}:{fixedKey}",
                    "cannot be set: the ingest always produces with enable.idempotence=true and acks=all");
            }
        }
    }

    /// <summary>The librdkafka configuration: <see cref="ClientSettings"/>, then the fixed delivery guarantees on top.</summary>
    public ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig(new Dictionary<string, string>(ClientSettings, StringComparer.Ordinal));
        if (!string.IsNullOrWhiteSpace(BootstrapServers))
        {
            config.BootstrapServers = BootstrapServers;
        }

        config.ClientId ??= ClientId;
        // Batching for throughput unless the caller chose otherwise; 5 ms adds no noticeable latency to a batch ingest.
        config.LingerMs ??= 5;
        // Delivery reports only need key and status; copying values back costs throughput.
        if (!ClientSettings.ContainsKey("dotnet.producer.delivery.report.fields"))
        {
            config.DeliveryReportFields = "key,status";
        }

        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        return config;
    }

    private static bool IsTopicName(string? topic) =>
        !string.IsNullOrEmpty(topic)
        && topic.Length <= 249
        && topic is not "." and not ".."
        && topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static IngestException Invalid(string key, string problem) => new($"{SectionName}:{key} {problem}");
}

using Confluent.Kafka;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// One foreign Kafka topic read as a source: <c>Shopstream:Feeds:&lt;name&gt;:*</c> (environment
/// <c>Shopstream__Feeds__&lt;name&gt;__Topic</c>, ...). Its cluster's SASL/SSL settings are its own (<see cref="Client"/>),
/// never those of our cluster.
/// </summary>
public sealed class FeedOptions
{
    /// <summary>The configuration section of every feed.</summary>
    public const string Section = "Shopstream:Feeds";

    /// <summary>The shape names of <see cref="Shape"/>, as configured.</summary>
    public static IReadOnlyDictionary<string, ClickEventShape> Shapes { get; } = new Dictionary<string, ClickEventShape>(StringComparer.Ordinal)
    {
        ["web-tracker"] = ClickEventShape.WebTracker,
        ["product-view-feed"] = ClickEventShape.ProductViewFeed,
        ["generic"] = ClickEventShape.Generic,
    };

    /// <summary>Bootstrap servers of the foreign cluster.</summary>
    public string Bootstrap { get; set; } = "";

    /// <summary>The foreign topic.</summary>
    public string Topic { get; set; } = "";

    /// <summary><c>web-tracker</c>, <c>product-view-feed</c> or <c>generic</c>: the one shape this topic's messages have.</summary>
    public string Shape { get; set; } = "";

    /// <summary><c>earliest</c> or <c>latest</c>: where a partition starts that the group has no offset for.</summary>
    public string StartPosition { get; set; } = "earliest";

    /// <summary>The consumer group on the foreign cluster; empty means <c>shopstream-feed-&lt;name&gt;</c>.</summary>
    public string Group { get; set; } = "";

    /// <summary>librdkafka settings for the foreign cluster only (<c>security.protocol</c>, <c>sasl.username</c>, ...).</summary>
    public Dictionary<string, string> Client { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The shape every message must have.</summary>
    public ClickEventShape ExpectedShape => Shapes.TryGetValue(Shape, out var shape) ? shape : ClickEventShape.Unknown;

    /// <summary>The consumer group, defaulted from the feed's name.</summary>
    public string GroupFor(string name) => string.IsNullOrWhiteSpace(Group) ? $"shopstream-feed-{name}" : Group;

    /// <summary>
    /// Throws when a setting is unusable, naming <c>Shopstream:Feeds:&lt;name&gt;:&lt;key&gt;</c>. The client settings are
    /// handed to librdkafka here, so librdkafka must be loaded.
    /// </summary>
    /// <exception cref="IngestException">A setting is invalid.</exception>
    public void Validate(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            throw new IngestException($"setting {Section}:{name}: a feed's name must be 1-64 characters of a-z, 0-9, '-' or '_'");
        }
        if (string.IsNullOrWhiteSpace(Bootstrap))
        {
            throw Invalid(name, nameof(Bootstrap), "is required (the foreign cluster's bootstrap servers)");
        }
        if (string.IsNullOrEmpty(Topic) || Topic.Length > 249 || !Topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw Invalid(name, nameof(Topic), $"must be 1-249 characters of a-z, A-Z, 0-9, '.', '_' or '-' (was '{Topic}')");
        }
        if (ExpectedShape == ClickEventShape.Unknown)
        {
            throw Invalid(name, nameof(Shape), $"must be {string.Join(", ", Shapes.Keys)}, not '{Shape}'");
        }
        if (StartPosition is not ("earliest" or "latest"))
        {
            throw Invalid(name, nameof(StartPosition), $"must be earliest or latest, not '{StartPosition}'");
        }
        if (Client.ContainsKey("bootstrap.servers") || Client.ContainsKey("group.id"))
        {
            throw Invalid(name, nameof(Client), "must not hold bootstrap.servers or group.id: they are the feed's Bootstrap and Group");
        }
        KafkaClientSettings.Check(Client, $"{Section}:{name}:{nameof(Client)}");
    }

    /// <summary>
    /// The consumer on the foreign cluster: offsets are committed by the bridge only after our cluster acknowledged what
    /// it produced, never automatically.
    /// </summary>
    public ConsumerConfig ToConsumerConfig(string name) => new(new Dictionary<string, string>(Client, StringComparer.Ordinal))
    {
        BootstrapServers = Bootstrap,
        GroupId = GroupFor(name),
        ClientId = $"shopstream-feed-{name}",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = StartPosition == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
    };

    private static IngestException Invalid(string name, string key, string problem) => new($"setting {Section}:{name}:{key} {problem}");
}

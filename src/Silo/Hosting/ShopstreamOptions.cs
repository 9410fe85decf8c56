namespace Shopstream.Silo.Hosting;

/// <summary>
/// Every setting of a Shopstream silo. Configuration section <c>Shopstream</c>; environment variables
/// use the double-underscore form, e.g. <c>Shopstream__Postgres</c>.
/// </summary>
public sealed class ShopstreamOptions
{
    public const string Section = "Shopstream";

    /// <summary>Npgsql connection string for analytic tables, grain state and membership.</summary>
    public string Postgres { get; set; } = "";

    /// <summary>Kafka bootstrap servers.</summary>
    public string Kafka { get; set; } = "";

    /// <summary>Consumer group under which delivered offsets are committed.</summary>
    public string ConsumerGroup { get; set; } = "shopstream";

    public string ProductsTopic { get; set; } = "products";

    public string CartsTopic { get; set; } = "carts";

    public string UsersTopic { get; set; } = "users";

    public string RejectedTopic { get; set; } = "rejected";

    /// <summary>Clickstream events, keyed by session key.</summary>
    public string EventsTopic { get; set; } = "events";

    /// <summary>Product recall notices (RappelConso), keyed <c>rappelconso:&lt;numero_fiche&gt;</c>.</summary>
    public string RecallsTopic { get; set; } = "recalls";

    /// <summary>
    /// A MaxMind database file (GeoIP2/GeoLite2 City or Country, <c>.mmdb</c>) that locates events by IP; without it
    /// events are located by their <c>location</c> text or store.
    /// </summary>
    public string? GeoIpDatabase { get; set; }

    /// <summary>Where each store is, e.g. <c>Shopstream__StoreLocations__12=Hanoi, Vietnam</c>: locates events that carry only a store id.</summary>
    public Dictionary<string, string> StoreLocations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The catalogue source (<c>fakestore</c> or <c>dummyjson</c>) plain event product ids belong to; empty when events
    /// name their catalogue only as <c>source:id</c>.
    /// </summary>
    public string EventsCatalogue { get; set; } = "";

    /// <summary>Event ids a session grain remembers for dropping duplicates early; beyond it fact_events' key decides.</summary>
    public int SessionEventIdCap { get; set; } = 4096;

    /// <summary>Orleans cluster and service id.</summary>
    public string ClusterId { get; set; } = "shopstream";

    /// <summary>Where partitions without a committed offset start: <c>Earliest</c> or <c>Latest</c>.</summary>
    public string StartPosition { get; set; } = "Earliest";

    /// <summary>Extra librdkafka client settings (SASL, SSL, ...), e.g. <c>Shopstream__KafkaClient__security.protocol</c>.</summary>
    public Dictionary<string, string> KafkaClient { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the silos land every message of our entity and event topics in <c>raw_events</c>.</summary>
    public bool RawZone { get; set; } = true;

    /// <summary>Days of <c>raw_events</c> kept (whole day partitions are dropped after it); 0 keeps everything.</summary>
    public int RawRetentionDays { get; set; } = 30;

    /// <summary>
    /// Messages the partition pumps may hand the raw zone ahead of its landing; reads beyond it are dropped and read from
    /// Kafka again by the raw zone (memory held: about this many messages' values).
    /// </summary>
    public int RawTeeCapacity { get; set; } = 50_000;

    /// <summary>Foreign Kafka topics the silos bridge into ours, by name (<c>Shopstream__Feeds__&lt;name&gt;__Topic</c>, ...).</summary>
    public Dictionary<string, Ingest.Feeds.FeedOptions> Feeds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Idle grains are deactivated after this long, so memory follows the active entities.</summary>
    public TimeSpan GrainIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The silo's memory budget in MB (resident set), 0 for none. Near it, idle grains are deactivated early and the
    /// Kafka pull is held back until memory is back under it (see <see cref="MemoryGovernor"/>).
    /// </summary>
    public int MemoryLimitMb { get; set; }

    /// <summary>
    /// Records a silo has taken from its partitions and not yet delivered, all partitions together: bounds how many
    /// entities activate at once (see the README's Delivery section).
    /// </summary>
    public int MaxInFlight { get; set; } = 16_384;

    /// <summary>
    /// How long a stop (SIGTERM) may drain before the host gives up on what is still running; the process exits within
    /// 10 s with the default.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>A projection failing for longer than this makes <c>/health/ready</c> answer 503 (see <see cref="Shopstream.Projection.IProjectionHealth"/>).</summary>
    public TimeSpan ProjectionFailingThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The lake writer (<c>Shopstream:Lake:*</c>); off unless a directory or a bucket is set.</summary>
    public Lake.LakeOptions Lake { get; set; } = new();

    /// <summary>Throws with a message naming the bad key.</summary>
    public void Validate()
    {
        static void Require(string value, string key)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"setting {Section}:{key} is required (environment variable {Section}__{key})");
            }
        }
        Require(Postgres, nameof(Postgres));
        Require(Kafka, nameof(Kafka));
        Require(ConsumerGroup, nameof(ConsumerGroup));
        Require(ProductsTopic, nameof(ProductsTopic));
        Require(CartsTopic, nameof(CartsTopic));
        Require(UsersTopic, nameof(UsersTopic));
        Require(RejectedTopic, nameof(RejectedTopic));
        Require(EventsTopic, nameof(EventsTopic));
        Require(RecallsTopic, nameof(RecallsTopic));
        Require(ClusterId, nameof(ClusterId));
        if (!Enum.TryParse<Streaming.Kafka.KafkaStartPosition>(StartPosition, ignoreCase: true, out _))
        {
            throw new ArgumentException($"setting {Section}:{nameof(StartPosition)} must be Earliest or Latest, not '{StartPosition}'");
        }
        if (!string.IsNullOrWhiteSpace(GeoIpDatabase) && !File.Exists(GeoIpDatabase))
        {
            throw new ArgumentException($"setting {Section}:{nameof(GeoIpDatabase)}: file '{GeoIpDatabase}' does not exist");
        }
        if (EventsCatalogue is not ("" or "fakestore" or "dummyjson"))
        {
            throw new ArgumentException($"setting {Section}:{nameof(EventsCatalogue)} must be fakestore, dummyjson or empty, not '{EventsCatalogue}'");
        }
        if (SessionEventIdCap is < 0 or > 1_000_000)
        {
            throw new ArgumentException($"setting {Section}:{nameof(SessionEventIdCap)} must be between 0 and 1000000 (was {SessionEventIdCap})");
        }
        if (GrainIdleTimeout < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException($"setting {Section}:{nameof(GrainIdleTimeout)} must be at least 5 seconds");
        }
        if (MaxInFlight < 1)
        {
            throw new ArgumentException($"setting {Section}:{nameof(MaxInFlight)} must be at least 1 (was {MaxInFlight})");
        }
        if (MemoryLimitMb != 0 && MemoryLimitMb < 256)
        {
            throw new ArgumentException($"setting {Section}:{nameof(MemoryLimitMb)} must be 0 (no budget) or at least 256 (was {MemoryLimitMb})");
        }
        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"setting {Section}:{nameof(ShutdownTimeout)} must be between 00:00:00 and 00:10:00 (was {ShutdownTimeout})");
        }
        if (ProjectionFailingThreshold < TimeSpan.Zero)
        {
            throw new ArgumentException($"setting {Section}:{nameof(ProjectionFailingThreshold)} must not be negative (was {ProjectionFailingThreshold})");
        }
        Lake.Validate();
        if (RawRetentionDays is < 0 or > 36_500)
        {
            throw new ArgumentException($"setting {Section}:{nameof(RawRetentionDays)} must be between 0 (keep everything) and 36500 (was {RawRetentionDays})");
        }
        if (RawTeeCapacity is < 1 or > 10_000_000)
        {
            throw new ArgumentException($"setting {Section}:{nameof(RawTeeCapacity)} must be between 1 and 10000000 messages (was {RawTeeCapacity})");
        }
        ValidateKafkaClients();
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(Postgres);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"setting {Section}:{nameof(Postgres)} is not a valid connection string: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Hands <see cref="KafkaClient"/> and every feed's settings to librdkafka, so that a bad key or value stops the
    /// start naming it instead of leaving a client that never connects.
    /// </summary>
    private void ValidateKafkaClients()
    {
        if (KafkaClient.Count == 0 && Feeds.Count == 0)
        {
            return;
        }
        Streaming.Kafka.LibrdkafkaLocator.EnsureLoaded();
        try
        {
            Ingest.Producing.KafkaClientSettings.Check(KafkaClient, $"{Section}:{nameof(KafkaClient)}");
            foreach (var (name, feed) in Feeds)
            {
                feed.Validate(name);
            }
        }
        catch (Ingest.IngestException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }
    }

    /// <summary>A producer onto this cluster's topics, with <see cref="KafkaClient"/>.</summary>
    /// <param name="clientId">Its Kafka client id; null keeps the producer's default.</param>
    public Ingest.Producing.KafkaProducerOptions ProducerOptions(string? clientId = null)
    {
        var producer = new Ingest.Producing.KafkaProducerOptions
        {
            BootstrapServers = Kafka,
            ProductsTopic = ProductsTopic,
            CartsTopic = CartsTopic,
            UsersTopic = UsersTopic,
            RejectedTopic = RejectedTopic,
            EventsTopic = EventsTopic,
            RecallsTopic = RecallsTopic,
        };
        if (clientId is not null)
        {
            producer.ClientId = clientId;
        }
        foreach (var (key, value) in KafkaClient)
        {
            producer.ClientSettings[key] = value;
        }
        return producer;
    }

    /// <summary>A producer of clickstream events and their rejections to our cluster, marked with its source.</summary>
    public Ingest.Producing.KafkaProducerOptions EventsProducerOptions(string clientId, string source)
    {
        var producer = ProducerOptions(clientId);
        producer.Source = source;
        return producer;
    }

    /// <summary>Topic name per stream namespace.</summary>
    public IReadOnlyDictionary<string, string> TopicsByNamespace() => new Dictionary<string, string>
    {
        [Grains.Interfaces.Wire.StreamNamespaces.Products] = ProductsTopic,
        [Grains.Interfaces.Wire.StreamNamespaces.Carts] = CartsTopic,
        [Grains.Interfaces.Wire.StreamNamespaces.Users] = UsersTopic,
        [Grains.Interfaces.Wire.StreamNamespaces.Rejected] = RejectedTopic,
        [Grains.Interfaces.Wire.StreamNamespaces.Events] = EventsTopic,
        [Grains.Interfaces.Wire.StreamNamespaces.Recalls] = RecallsTopic,
    };
}

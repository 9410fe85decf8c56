using System.Globalization;
using Microsoft.Extensions.Configuration;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// The settings of one isolated Shopstream cluster: a fresh database, its own topics on the shared broker, its own
/// consumer group and cluster id. Handed to silos as configuration (TestingHost) or environment (child processes).
/// </summary>
public sealed class ClusterSettings : IAsyncDisposable
{
    private readonly Dictionary<string, string> values;

    private ClusterSettings(TestDatabase database, Dictionary<string, string> values, ShopstreamOptions options, int partitions)
    {
        Database = database;
        this.values = values;
        Options = options;
        Partitions = [.. options.TopicsByNamespace().Values.Order(StringComparer.Ordinal)
            .SelectMany(t => Enumerable.Range(0, partitions).Select(p => (t, p)))];
    }

    public TestDatabase Database { get; }

    /// <summary>The settings as a silo binds them.</summary>
    public ShopstreamOptions Options { get; }

    /// <summary>Every topic-partition the cluster consumes.</summary>
    public IReadOnlyList<(string Topic, int Partition)> Partitions { get; }

    /// <summary>Keys as in <c>appsettings</c>: <c>Shopstream:Postgres</c>, ...</summary>
    public IEnumerable<KeyValuePair<string, string>> AsConfiguration() =>
        values.Select(v => KeyValuePair.Create($"{ShopstreamOptions.Section}:{v.Key}", v.Value));

    /// <summary>Keys as environment variables: <c>Shopstream__Postgres</c>, ...</summary>
    public IEnumerable<KeyValuePair<string, string>> AsEnvironment() =>
        values.Select(v => KeyValuePair.Create($"{ShopstreamOptions.Section}__{v.Key}", v.Value));

    public static async Task<ClusterSettings> CreateAsync(int partitions)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var topicPrefix = $"t{id}.";
        var database = await TestDatabase.CreateAsync();
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [nameof(ShopstreamOptions.Postgres)] = database.ConnectionString,
            [nameof(ShopstreamOptions.Kafka)] = SharedBroker.Instance.BootstrapServers,
            [nameof(ShopstreamOptions.ConsumerGroup)] = "g" + id,
            [nameof(ShopstreamOptions.ClusterId)] = "c" + id,
            [nameof(ShopstreamOptions.GrainIdleTimeout)] = TimeSpan.FromMinutes(2).ToString("c", CultureInfo.InvariantCulture),
        };
        // ShopstreamOptions names each topic setting after its stream namespace (ProductsTopic for "products").
        foreach (var ns in StreamNamespaces.All)
        {
            values[char.ToUpperInvariant(ns[0]) + ns[1..] + "Topic"] = topicPrefix + ns;
        }
        var options = new ShopstreamOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create<string, string?>($"{ShopstreamOptions.Section}:{v.Key}", v.Value)))
            .Build().GetSection(ShopstreamOptions.Section).Bind(options);
        if (options.TopicsByNamespace().Values.FirstOrDefault(t => !t.StartsWith(topicPrefix, StringComparison.Ordinal)) is { } shared)
        {
            await database.DisposeAsync();
            throw new InvalidOperationException($"topic '{shared}' is not isolated: ShopstreamOptions has a topic setting not named <Namespace>Topic");
        }
        foreach (var topic in options.TopicsByNamespace().Values)
        {
            SharedBroker.Instance.CreateTopic(topic, partitions);
        }
        return new ClusterSettings(database, values, options, partitions);
    }

    /// <summary>A producer onto this cluster's topics, as the ingest uses it.</summary>
    public KafkaRecordProducer Producer() => new(new KafkaProducerOptions
    {
        BootstrapServers = Options.Kafka,
        ProductsTopic = Options.ProductsTopic,
        CartsTopic = Options.CartsTopic,
        UsersTopic = Options.UsersTopic,
        RejectedTopic = Options.RejectedTopic,
    });

    /// <summary>Waits until every produced message is committed, i.e. applied or rejected and durable.</summary>
    public async Task WaitCaughtUpAsync(TimeSpan timeout)
    {
        using var progress = new DeliveryProgress(Options.Kafka, Options.ConsumerGroup, Options.KafkaClient, Options.TopicsByNamespace().Values);
        IReadOnlyList<PartitionLag> last = [];
        if (!await progress.WaitUntilCaughtUpAsync(timeout, l => last = l))
        {
            throw new TimeoutException($"cluster did not catch up within {timeout.TotalSeconds:0} s: " +
                string.Join(", ", last.Where(l => l.Lag > 0).Select(l => $"{l.Topic}/{l.Partition} lag {l.Lag}")));
        }
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

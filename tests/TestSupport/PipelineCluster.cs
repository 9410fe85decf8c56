using System.Globalization;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;

namespace Shopstream.Tests.Support;

/// <summary>
/// A TestingHost cluster wired like production: real PostgreSQL (a fresh database), the embedded broker
/// (fresh topics), the Kafka stream provider and ADO.NET grain storage.
/// </summary>
public sealed class PipelineCluster : IAsyncDisposable
{
    private PipelineCluster(TestDatabase db, TestCluster cluster, ShopstreamOptions options)
    {
        Database = db;
        Cluster = cluster;
        Options = options;
    }

    public TestDatabase Database { get; }

    public TestCluster Cluster { get; }

    public ShopstreamOptions Options { get; }

    /// <summary>Starts a cluster; <paramref name="settings"/> adds further <c>Shopstream</c> settings by key, e.g. <c>GeoIpDatabase</c>.</summary>
    public static async Task<PipelineCluster> StartAsync(int silos = 1, int partitions = 4, string? consumerGroup = null, TestDatabase? database = null, string? topicPrefix = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var db = database ?? await TestDatabase.CreateAsync();
        var prefix = topicPrefix ?? "t" + Guid.NewGuid().ToString("N")[..10] + ".";
        var options = new ShopstreamOptions
        {
            Postgres = db.ConnectionString,
            Kafka = SharedBroker.Instance.BootstrapServers,
            ConsumerGroup = consumerGroup ?? "g" + Guid.NewGuid().ToString("N")[..10],
            ProductsTopic = prefix + StreamNamespaces.Products,
            CartsTopic = prefix + StreamNamespaces.Carts,
            UsersTopic = prefix + StreamNamespaces.Users,
            RejectedTopic = prefix + StreamNamespaces.Rejected,
            EventsTopic = prefix + StreamNamespaces.Events,
            RecallsTopic = prefix + StreamNamespaces.Recalls,
            ClusterId = "c" + Guid.NewGuid().ToString("N")[..10],
        };
        foreach (var topic in options.TopicsByNamespace().Values)
        {
            SharedBroker.Instance.CreateTopic(topic, partitions);
        }
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ClusterId = options.ClusterId;
        builder.Options.ServiceId = options.ClusterId;
        void Set(string key, string value) => builder.Properties[$"{ShopstreamOptions.Section}:{key}"] = value;
        Set(nameof(options.Postgres), options.Postgres);
        Set(nameof(options.Kafka), options.Kafka);
        Set(nameof(options.ConsumerGroup), options.ConsumerGroup);
        Set(nameof(options.ProductsTopic), options.ProductsTopic);
        Set(nameof(options.CartsTopic), options.CartsTopic);
        Set(nameof(options.UsersTopic), options.UsersTopic);
        Set(nameof(options.RejectedTopic), options.RejectedTopic);
        Set(nameof(options.EventsTopic), options.EventsTopic);
        Set(nameof(options.RecallsTopic), options.RecallsTopic);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            Set(key, value);
        }
        Set(nameof(options.ClusterId), options.ClusterId);
        Set(nameof(options.GrainIdleTimeout), TimeSpan.FromMinutes(2).ToString("c", CultureInfo.InvariantCulture));
        builder.AddSiloBuilderConfigurator<ShopstreamSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new PipelineCluster(db, cluster, options);
    }

    /// <summary>A producer onto this cluster's topics, as the ingest uses it.</summary>
    public KafkaRecordProducer Producer() => new(Options.ProducerOptions());

    /// <summary>Waits until every produced message is committed, i.e. applied or rejected and durable.</summary>
    public async Task WaitCaughtUpAsync(TimeSpan? timeout = null)
    {
        using var progress = new DeliveryProgress(Options.Kafka, Options.ConsumerGroup, Options.KafkaClient, Options.TopicsByNamespace().Values);
        IReadOnlyList<PartitionLag> last = [];
        var ok = await progress.WaitUntilCaughtUpAsync(timeout ?? TimeSpan.FromSeconds(60), l => last = l);
        if (!ok)
        {
            throw new TimeoutException("pipeline did not catch up: " + string.Join(", ", last.Where(l => l.Lag > 0).Select(l => $"{l.Topic}/{l.Partition} lag {l.Lag}")));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Database.DisposeAsync();
    }
}

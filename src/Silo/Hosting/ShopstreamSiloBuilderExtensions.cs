using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shopstream.Projection.Storage;
using Shopstream.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;
using Shopstream.Grains.Sessions;
using Shopstream.Lake.Hosting;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Sources;
using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Projection.Sources;
using Shopstream.Silo.Sources;
using Shopstream.Silo.Geo;
using Shopstream.Silo.Kafka;
using Shopstream.Silo.Raw;
using Shopstream.Projection;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Hosting;

/// <summary>Everything a Shopstream silo needs, on any Orleans silo builder (host, TestingHost).</summary>
public static class ShopstreamSiloBuilderExtensions
{
    /// <summary>
    /// The ADO.NET provider writes one row per call (its reads are batched by <see cref="BatchedReadGrainStorage"/>):
    /// a burst of deactivations, e.g. when the memory governor sheds idle grains, means thousands of small concurrent
    /// writes. Npgsql multiplexing pipelines them over a few connections instead of exhausting the pool.
    /// </summary>
    internal static string GrainStorageConnectionString(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { Multiplexing = true };
        if (b.Timeout < 60)
        {
            b.Timeout = 60;
        }
        return b.ConnectionString;
    }

    /// <summary>
    /// Adds entity grain storage (ADO.NET on PostgreSQL), the Kafka stream provider over the five topics,
    /// the projection writer and the poison-message sink. Clustering is left to the caller.
    /// </summary>
    public static ISiloBuilder AddShopstream(this ISiloBuilder silo, ShopstreamOptions options, Action<KafkaStreamOptions>? configureKafka = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ClusterId;
        });
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = options.GrainIdleTimeout);

        // Grain state is Orleans' ADO.NET storage; its reads are coalesced into batches (see BatchedReadGrainStorage).
        // A second pool on purpose: the provider takes a connection string, not a data source, and needs multiplexing.
        var adoNetStorage = StreamProviders.EntityStorage + "-adonet";
        silo.AddAdoNetGrainStorage(adoNetStorage, o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = GrainStorageConnectionString(options.Postgres);
        });
        // Orleans' binary serializer keeps immutable collections and records exact in saved state.
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(adoNetStorage)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        silo.Services.AddGrainStorage(StreamProviders.EntityStorage, (sp, _) => new BatchedReadGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(adoNetStorage),
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(adoNetStorage).GrainStorageSerializer,
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            sp.GetRequiredService<ILogger<BatchedReadGrainStorage>>()));

        var startPosition = Enum.Parse<KafkaStartPosition>(options.StartPosition, ignoreCase: true);
        silo.AddKafkaStreams(StreamProviders.Kafka, k =>
        {
            k.BootstrapServers = options.Kafka;
            k.ConsumerGroupId = options.ConsumerGroup;
            k.StartPosition = startPosition;
            k.MaxInFlight = options.MaxInFlight;
            foreach (var (ns, topic) in options.TopicsByNamespace())
            {
                k.Topics.Add(new KafkaTopicOptions { Name = topic, StreamNamespace = ns });
            }
            foreach (var (key, value) in options.KafkaClient)
            {
                k.ClientSettings[key] = value;
            }
            configureKafka?.Invoke(k);
        });

        if (options.MemoryLimitMb > 0)
        {
            silo.Services.TryAddSingleton<MemoryReading>(ProcessMemory.RssMb);
            silo.Services.AddSingleton<ShedMode>();
            silo.Services.AddSingleton(sp => new MemoryGovernor(
                options, sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILocalSiloDetails>(), sp.GetRequiredService<MemoryReading>(),
                TimeProvider.System, sp.GetRequiredService<ILogger<MemoryGovernor>>(), sp.GetRequiredService<ShedMode>()));
            silo.Services.AddSingleton<IKafkaPullGate>(sp => sp.GetRequiredService<MemoryGovernor>());
            silo.Services.AddHostedService(sp => sp.GetRequiredService<MemoryGovernor>());
        }

        silo.Services.AddPostgresProjection(options.Postgres);
        silo.Services.AddProjectionWriterOptions(); // validated at start, naming the key
        silo.Services.AddSourceOptions(); // Shopstream:Sources:<name>:*, validated at start, naming the key
        AddSourceScheduling(silo, options);
        silo.Services.AddSingleton<IKafkaMessageDecoder, WireMessageDecoder>();
        silo.Services.AddSingleton<IKafkaPoisonMessageHandler, RejectedMessageSink>();
        // Records go straight from each partition's pump to the entity grains (README, "Delivery").
        silo.Services.AddSingleton<Grains.Delivery.GrainReferenceCache>();
        silo.Services.AddSingleton<IKafkaRecordHandler, GrainRecordHandler>();
        silo.Services.AddSingleton(sp => new GroupLagReader(sp.GetRequiredService<IOptionsMonitor<KafkaStreamOptions>>(), StreamProviders.Kafka));
        silo.Services.AddShopstreamLake(options.Lake, options.Kafka, options.TopicsByNamespace(), options.KafkaClient);
        silo.Services.AddSingleton<ILocationResolver>(_ => new LocationResolver(options.GeoIpDatabase, options.StoreLocations));
        AddFeeds(silo, options);
        if (options.RawZone)
        {
            silo.Services.AddRawZone(options);
        }
        silo.Services.Configure<ClickstreamOptions>(o =>
        {
            o.SessionEventIdCap = options.SessionEventIdCap;
            o.EventsCatalogue = options.EventsCatalogue;
        });
        return silo;
    }

    /// <summary>
    /// Source grains woken by Orleans reminders kept in PostgreSQL (<c>sql/0009</c>), running their sources through
    /// <see cref="SiloSourceHost"/>; once the silo is up, each source's grain registers (or removes) its reminder.
    /// </summary>
    private static void AddSourceScheduling(ISiloBuilder silo, ShopstreamOptions options)
    {
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = options.Postgres;
        });
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<IValidateOptions<SourceGrainOptions>>(new OwnValidation<SourceGrainOptions>(o => o.Validate()));
        silo.Services.AddOptions<SourceGrainOptions>().BindConfiguration(SourceGrainOptions.Section).ValidateOnStart();
        // A retry period below Orleans' 1-minute floor (tests, short schedules) lowers the floor with it.
        silo.Services.AddOptions<ReminderOptions>().Configure<IOptions<SourceGrainOptions>>((reminders, sources) =>
        {
            if (sources.Value.RetryPeriod < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = sources.Value.RetryPeriod;
            }
        });
        silo.Services.AddSingleton(sp => new SourceRunStore(sp.GetRequiredService<NpgsqlDataSource>()));
        silo.Services.AddSingleton<ISourceHost>(sp => ActivatorUtilities.CreateInstance<SiloSourceHost>(sp, options));
        silo.AddStartupTask(async (sp, _) =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            foreach (var source in SourceCatalog.All)
            {
                await grains.GetGrain<ISourceGrain>(source.Name).EnsureScheduledAsync();
            }
        });
    }

    /// <summary>Each configured feed runs as a bridge in every silo; the feed's consumer group shares its partitions.</summary>
    private static void AddFeeds(ISiloBuilder silo, ShopstreamOptions options)
    {
        if (options.Feeds.Count == 0)
        {
            return;
        }
        silo.Services.AddSingleton(sp => new Ingest.Feeds.FeedBridges(
            options.Feeds, name => options.EventsProducerOptions("shopstream-feed-bridge", Ingest.Feeds.FeedBridge.SourceName(name)), sp.GetRequiredService<ILoggerFactory>()));
        silo.Services.AddHostedService(sp => sp.GetRequiredService<Ingest.Feeds.FeedBridges>());
    }
}

using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// Adapter, cache factory and queue mapper of the Kafka provider: one Orleans queue per topic-partition.
/// </summary>
internal sealed class KafkaQueueAdapterFactory : IQueueAdapterFactory, IQueueAdapter, IQueueAdapterCache, IDisposable
{
    private readonly KafkaStreamOptions options;
    private readonly IServiceProvider services;
    private readonly ILoggerFactory loggerFactory;
    private readonly HashRingBasedPartitionedStreamQueueMapper mapper;
    private readonly Dictionary<QueueId, KafkaPartition> partitions;
    private readonly ConcurrentDictionary<QueueId, KafkaQueueCache> caches = new();
    private readonly Lazy<KafkaConsumerHub> hub;
    private readonly InFlightBudget budget;

    private KafkaQueueAdapterFactory(string name, KafkaStreamOptions options, IServiceProvider services)
    {
        Name = name;
        this.options = options;
        this.services = services;
        loggerFactory = services.GetRequiredService<ILoggerFactory>();
        Statistics = services.GetRequiredKeyedService<KafkaStreamStatistics>(name);
        budget = new InFlightBudget(options.MaxInFlight);
        var layout = ReadLayout(options);
        var ids = layout.Select(l => KafkaPartition.IdOf(l.Topic, l.Partition)).ToList();
        mapper = new HashRingBasedPartitionedStreamQueueMapper(ids, name);
        partitions = [];
        foreach (var queue in mapper.GetAllQueues())
        {
            var id = mapper.QueueToPartition(queue);
            var l = layout[ids.IndexOf(id)];
            partitions.Add(queue, new KafkaPartition(queue, l.Topic, l.Partition, l.Namespace));
        }
        hub = new Lazy<KafkaConsumerHub>(() =>
        {
            var h = new KafkaConsumerHub(options, loggerFactory.CreateLogger<KafkaConsumerHub>(), Statistics);
            Statistics.UseEndOffsets((topic, partition) => h.HighWatermark(new TopicPartition(topic, partition)));
            return h;
        });
    }

    public string Name { get; }

    public KafkaStreamStatistics Statistics { get; }

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    /// <summary>Called by Orleans to create the provider's factory.</summary>
    public static KafkaQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<KafkaStreamOptions>>().Get(name);
        new KafkaStreamOptionsValidator(options, name).ValidateConfiguration();
        return new KafkaQueueAdapterFactory(name, options, services);
    }

#pragma warning disable CS0672, CS0618 // Orleans 10.4.2 still declares the legacy overloads abstract.
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);
#pragma warning restore CS0672, CS0618

    public IQueueAdapterCache GetQueueAdapterCache() => this;

    public IStreamQueueMapper GetStreamQueueMapper() => mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler(false));

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException($"Stream provider '{Name}' reads Kafka; produce to Kafka with a Kafka producer instead.");

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new KafkaQueueAdapterReceiver(
            Partition(queueId),
            Cache(queueId),
            hub.Value,
            services.GetService<IKafkaMessageDecoder>(),
            services.GetService<IKafkaPoisonMessageHandler>(),
            services.GetService<IKafkaPullGate>(),
            services.GetService<IKafkaRecordHandler>(),
            budget,
            options,
            Statistics,
            loggerFactory.CreateLogger<KafkaQueueAdapterReceiver>(),
            services.GetService<IKafkaReadObserver>());

    public IQueueCache CreateQueueCache(QueueId queueId) => Cache(queueId);

    public void Dispose()
    {
        if (hub.IsValueCreated)
        {
            hub.Value.Dispose();
        }
        budget.Dispose();
    }

    private KafkaQueueCache Cache(QueueId queueId) =>
        caches.GetOrAdd(queueId, _ => new KafkaQueueCache(options.MaxCachedMessagesPerQueue));

    private KafkaPartition Partition(QueueId queueId) =>
        partitions.TryGetValue(queueId, out var p) ? p : throw new ArgumentOutOfRangeException(nameof(queueId), queueId, "not a queue of this provider");

    /// <summary>The configuration of the admin client that reads the topics' layout: the provider's client settings too.</summary>
    internal static AdminClientConfig AdminConfigFor(KafkaStreamOptions options) =>
        new(new Dictionary<string, string>(options.ClientSettings)) { BootstrapServers = options.BootstrapServers };

    private static List<(string Topic, int Partition, string Namespace)> ReadLayout(KafkaStreamOptions options)
    {
        LibrdkafkaLocator.EnsureLoaded();
        using var admin = new AdminClientBuilder(AdminConfigFor(options)).Build();
        var layout = new List<(string, int, string)>();
        foreach (var topic in options.Topics)
        {
            Metadata metadata;
            try
            {
                metadata = admin.GetMetadata(topic.Name, options.MetadataTimeout);
            }
            catch (KafkaException ex)
            {
                throw new InvalidOperationException($"cannot read metadata of Kafka topic '{topic.Name}' from {options.BootstrapServers}: {ex.Error.Reason}", ex);
            }
            var t = metadata.Topics.SingleOrDefault(m => m.Topic == topic.Name);
            if (t is null || t.Error.IsError || t.Partitions.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Kafka topic '{topic.Name}' does not exist on {options.BootstrapServers}" + (t?.Error.IsError == true ? $" ({t.Error.Reason})" : "") +
                    "; create it before starting the silo");
            }
            foreach (var p in t.Partitions.OrderBy(p => p.PartitionId))
            {
                layout.Add((topic.Name, p.PartitionId, topic.StreamNamespace ?? topic.Name));
            }
        }
        return layout;
    }
}

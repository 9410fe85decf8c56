using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>
/// The real ingest API on a free loopback port, with an API key, a 64 KB body limit and at most 150 events per body,
/// producing to fresh topics.
/// </summary>
public sealed class EventsApiFixture : IAsyncLifetime, IDisposable
{
    public const string ApiKey = "test-key-5f2c9a";
    public const long MaxBodyBytes = 64 * 1024;
    public const int MaxEventsPerBody = 150;
    private const int Partitions = 2;

    public KafkaRecordProducer Producer { get; private set; } = null!;
    private WebApplication app = null!;
    private IConsumer<byte[], byte[]> consumer = null!;

    public string EventsTopic { get; } = "api" + Guid.NewGuid().ToString("N")[..10] + ".events";

    public string RejectedTopic { get; } = "api" + Guid.NewGuid().ToString("N")[..10] + ".rejected";

    public Uri BaseAddress { get; private set; } = null!;

    internal EventsApiClient Client() => new(BaseAddress, ApiKey);

    public async Task InitializeAsync()
    {
        SharedBroker.Instance.CreateTopic(EventsTopic, Partitions);
        SharedBroker.Instance.CreateTopic(RejectedTopic, Partitions);
        Producer = new KafkaRecordProducer(new KafkaProducerOptions
        {
            BootstrapServers = SharedBroker.Instance.BootstrapServers,
            EventsTopic = EventsTopic,
            RejectedTopic = RejectedTopic,
        });
        app = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0, ApiKey = ApiKey, MaxBodyBytes = MaxBodyBytes, MaxEventsPerBody = MaxEventsPerBody }, Producer);
        BaseAddress = EventsApiHost.BaseAddress(app);
        LibrdkafkaLocator.EnsureLoaded();
        consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = SharedBroker.Instance.BootstrapServers,
            GroupId = "watermarks-" + Guid.NewGuid().ToString("N")[..8],
        }).Build();
    }

    /// <summary>Messages Kafka holds on a topic (sum of the partitions' high watermarks).</summary>
    public long MessagesIn(string topic) =>
        Enumerable.Range(0, Partitions).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);

    public string TopicOf(string streamNamespace) => streamNamespace == StreamNamespaces.Events ? EventsTopic : RejectedTopic;

    /// <summary>xunit calls this after <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => consumer?.Dispose();

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await Producer.DisposeAsync();
    }
}

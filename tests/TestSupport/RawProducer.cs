using System.Text;
using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Tests.Support;

/// <summary>Produces hand-made messages (chosen versions, garbage values) straight to Kafka.</summary>
public sealed class RawProducer : IDisposable
{
    private readonly IProducer<byte[], byte[]> producer;

    public RawProducer(string bootstrapServers)
    {
        LibrdkafkaLocator.EnsureLoaded();
        producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, EnableIdempotence = true, Acks = Acks.All }).Build();
    }

    public Task SendAsync<T>(string topic, string streamNamespace, string key, T record, long version) =>
        SendRawAsync(topic, key, WireFormat.Serialize(streamNamespace, record, version, DateTimeOffset.UtcNow));

    public async Task SendRawAsync(string topic, string? key, byte[] value) =>
        await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = key is null ? null! : Encoding.UTF8.GetBytes(key), Value = value });

    public void Dispose()
    {
        producer.Flush(TimeSpan.FromSeconds(10));
        producer.Dispose();
    }
}

using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

/// <summary>No broker here (that is tested elsewhere); only what the producer must do without one.</summary>
public sealed class KafkaRecordProducerTests
{
    [Fact]
    public async Task Undeliverable_messages_fail_the_flush_instead_of_being_dropped()
    {
        var options = new KafkaProducerOptions { BootstrapServers = $"127.0.0.1:{FixtureApiServer.FreePort()}" };
        options.ClientSettings["message.timeout.ms"] = "1500";
        options.ClientSettings["log_level"] = "0";
        await using var producer = new KafkaRecordProducer(options);

        await producer.ProduceAsync(StreamNamespaces.Products, "fakestore:1", new ProductRecord { Source = "fakestore", Id = 1 });
        var error = await Assert.ThrowsAsync<IngestException>(() => producer.FlushAsync());

        Assert.Contains("fakestore:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("products", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, producer.Delivered);
        // Later records are refused too: the run must not carry on as if nothing happened.
        await Assert.ThrowsAsync<IngestException>(() =>
            producer.ProduceAsync(StreamNamespaces.Products, "fakestore:2", new ProductRecord { Source = "fakestore", Id = 2 }).AsTask());
    }

    [Fact]
    public void Constructor_validates_the_options()
    {
        var error = Assert.Throws<IngestException>(() => new KafkaRecordProducer(new KafkaProducerOptions { MaxInFlight = 0 }));

        Assert.Contains("MaxInFlight", error.Message, StringComparison.Ordinal);
    }
}

using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Lake.Writing;
using Shopstream.Tests.Support;
using Xunit.Abstractions;

namespace Shopstream.Lake.Tests;

/// <summary>The writer at volume: every event lands once; the rate is printed (the bench's <c>lake=</c> field).</summary>
public sealed class LakeThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sixty_thousand_events_over_sixteen_partitions_land_once_each()
    {
        const int Events = 60_000;
        await using var bed = await LakeTestBed.CreateAsync(partitions: 16);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = SharedBroker.Instance.BootstrapServers, LingerMs = 5 }).Build())
        {
            var types = new[] { "page_view", "product_view", "add_to_cart", "purchase" };
            for (var i = 0; i < Events; i++)
            {
                var e = LakeTestBed.Event($"e{i}", types[i % 4], $"2024-05-0{1 + i % 3}T10:00:00Z", session: $"s{i % 5000}", product: $"dummyjson:{i % 190}",
                    extras: i % 4 == 3 ? """{"price":9.99,"quantity":1}""" : null);
                producer.Produce(bed.Topic, new Message<byte[], byte[]>
                {
                    Key = System.Text.Encoding.UTF8.GetBytes(e.SessionKey),
                    Value = WireFormat.Serialize(StreamNamespaces.Events, e, i, DateTimeOffset.UtcNow),
                });
            }
            producer.Flush(TimeSpan.FromSeconds(60));
        }

        var rate = await LakeThroughput.MeasureAsync(SharedBroker.Instance.BootstrapServers, bed.Topic, bed.Database.ConnectionString, bed.Directory,
            Events, TimeSpan.FromMinutes(3), CancellationToken.None);
        output.WriteLine($"lake={rate:0}");
        Console.Error.WriteLine($"lake={rate:0} events/s");

        var counts = LakeTestBed.DuckDb($"SELECT count(*), count(DISTINCT event_id), count(price) FROM read_parquet({await bed.CommittedFilesListAsync()})");
        Assert.Equal([$"{Events}|{Events}|{Events / 4}"], counts);
        // The manifest counts the same rows, and every one of the 4 types x 3 days partitions has files.
        Assert.Equal(Events, await bed.Database.ScalarAsync("SELECT sum(rows) FROM lake_files"));
        Assert.Equal(12, await bed.Database.ScalarAsync("SELECT count(DISTINCT partition_values) FROM lake_files"));
    }
}

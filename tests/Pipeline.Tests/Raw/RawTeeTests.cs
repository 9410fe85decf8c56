using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Kafka;
using Shopstream.Silo.Raw;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Raw;

/// <summary>
/// The raw zone is fed by the partition pumps' tee and reads from Kafka only what the tee did not hand over; every
/// offset of our topics still lands exactly once: after a start with messages already delivered, with a tee too small
/// to hold a read, and with a partition moving from a killed silo to the survivor.
/// </summary>
public sealed class RawTeeTests
{
    private static string Landed(string topic) => $"SELECT count(*) FROM raw_events WHERE topic = '{topic}'";

    private static string LandedOnce(string topic) => $"SELECT count(DISTINCT (partition, \"offset\")) FROM raw_events WHERE topic = '{topic}'";

    [Fact]
    public async Task A_silo_started_after_messages_were_delivered_lands_them_from_Kafka_then_the_rest_from_its_pump()
    {
        var first = await PipelineCluster.StartAsync(partitions: 3, settings: new Dictionary<string, string> { ["RawZone"] = "false" });
        var db = first.Database;
        using var producer = new RawProducer(first.Options.Kafka);
        await ProduceProductsAsync(producer, first, 1, 200);
        await first.WaitCaughtUpAsync();
        await first.Cluster.StopAllSilosAsync();
        await first.Cluster.DisposeAsync();
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM raw_events"));

        // Same consumer group: the pumps start past the 200 delivered messages, so only a catch-up from Kafka lands them.
        var prefix = first.Options.ProductsTopic[..^StreamNamespaces.Products.Length];
        await using var second = await PipelineCluster.StartAsync(partitions: 3, consumerGroup: first.Options.ConsumerGroup, database: db, topicPrefix: prefix);
        await ProduceProductsAsync(producer, second, 201, 50);
        await second.WaitCaughtUpAsync();
        await WaitRawCaughtUpAsync(second);

        // 200 produced before, 50 after: one message each.
        Assert.Equal(250, await db.ScalarAsync(Landed(second.Options.ProductsTopic)));
        Assert.Equal(250, await db.ScalarAsync(LandedOnce(second.Options.ProductsTopic)));
        Assert.Equal(250, await db.ScalarAsync("SELECT count(DISTINCT payload->'record'->>'id') FROM raw_events"));
    }

    [Fact]
    public async Task A_tee_too_small_for_the_reads_drops_them_and_every_offset_still_lands_once()
    {
        await using var pipeline = await PipelineCluster.StartAsync(partitions: 3, settings: new Dictionary<string, string> { ["RawTeeCapacity"] = "3" });
        using var producer = new RawProducer(pipeline.Options.Kafka);
        await ProduceProductsAsync(producer, pipeline, 1, 300);
        await pipeline.WaitCaughtUpAsync();
        await ProduceProductsAsync(producer, pipeline, 301, 300);
        await pipeline.WaitCaughtUpAsync();
        await WaitRawCaughtUpAsync(pipeline);

        var silo = (InProcessSiloHandle)pipeline.Cluster.Primary!;
        Assert.True(silo.SiloHost.Services.GetRequiredService<RawTee>().DroppedMessages > 0, "the tee dropped reads that did not fit");
        // 300 + 300 products, one message each.
        Assert.Equal(600, await pipeline.Database.ScalarAsync(Landed(pipeline.Options.ProductsTopic)));
        Assert.Equal(600, await pipeline.Database.ScalarAsync(LandedOnce(pipeline.Options.ProductsTopic)));
    }

    [Theory]
    [InlineData("50000")] // the default: the tee holds every read, the survivor's pumps start below or above the landed positions
    [InlineData("3")] // every silo drops reads: the victim leaves gaps that the survivor reads from Kafka
    public async Task Partitions_moving_from_a_killed_silo_to_the_survivor_land_every_offset_once(string teeCapacity)
    {
        // 16 partitions, so that the ring gives the victim some of the products partitions.
        await using var pipeline = await PipelineCluster.StartAsync(silos: 2, partitions: 16, settings: new Dictionary<string, string> { ["RawTeeCapacity"] = teeCapacity });
        using var producer = new RawProducer(pipeline.Options.Kafka);
        var victim = (InProcessSiloHandle)pipeline.Cluster.SecondarySilos[0];
        var victimStats = victim.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
        // Killed while it holds products read but not committed: the survivor's pumps read them again from the committed
        // offsets, below or above where the victim's raw zone got to. Watched from before the first record is produced:
        // a fast silo can have committed all 1,500 by the time producing returns.
        var holding = Eventually.Until(() => victimStats.Snapshot().Any(p => p.OwnedHere && p.Topic == pipeline.Options.ProductsTopic && p.NextOffset > p.CommittedOffset),
            TimeSpan.FromSeconds(30), "the victim silo never held products read but not committed", TimeSpan.FromMilliseconds(5));
        await ProduceProductsAsync(producer, pipeline, 1, 1500);
        await holding;
        await pipeline.Cluster.KillSiloAsync(victim);
        await ProduceProductsAsync(producer, pipeline, 1501, 1500);

        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(180));
        await WaitRawCaughtUpAsync(pipeline);

        // 1500 before the kill, 1500 after: one message each.
        Assert.Equal(3000, await pipeline.Database.ScalarAsync(Landed(pipeline.Options.ProductsTopic)));
        Assert.Equal(3000, await pipeline.Database.ScalarAsync(LandedOnce(pipeline.Options.ProductsTopic)));
    }

    private static async Task ProduceProductsAsync(RawProducer producer, PipelineCluster pipeline, int from, int count) =>
        await Task.WhenAll(Enumerable.Range(from, count).Select(i => producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products,
            $"rawtee:{i}", new ProductRecord { Source = "rawtee", Id = i, Title = "p", Price = i }, 1)));

    private static async Task WaitRawCaughtUpAsync(PipelineCluster pipeline)
    {
        using var progress = new DeliveryProgress(pipeline.Options.Kafka, pipeline.Options.ConsumerGroup + "-raw", pipeline.Options.KafkaClient, [pipeline.Options.ProductsTopic]);
        Assert.True(await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(90), _ => { }), "the raw zone committed the products topic to its end");
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Pipeline.Tests.Infrastructure;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>At least once, without re-reading what was applied: commits, restarts and a killed silo.</summary>
public sealed class OffsetCommitAndResumeTests
{
    private static long Consumed(TestCluster cluster) => cluster.GetActiveSilos()
        .Cast<InProcessSiloHandle>()
        .Sum(s => s.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka).TotalConsumed);

    private static async Task ProduceProducts(RawProducer producer, PipelineCluster pipeline, int from, int count, long version, string title)
    {
        var sends = Enumerable.Range(from, count).Select(i => producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products,
            $"resume:{i}", new ProductRecord { Source = "resume", Id = i, Title = title, Price = i }, version));
        await Task.WhenAll(sends);
    }

    [Fact]
    public async Task Restarted_cluster_resumes_from_the_committed_offset()
    {
        var first = await PipelineCluster.StartAsync(silos: 1, partitions: 3);
        var db = first.Database;
        using var producer = new RawProducer(first.Options.Kafka);
        await ProduceProducts(producer, first, 1, 200, 1, "v1");
        await first.WaitCaughtUpAsync();
        Assert.Equal(200, Consumed(first.Cluster));
        await first.Cluster.StopAllSilosAsync();
        await first.Cluster.DisposeAsync();

        var prefix = first.Options.ProductsTopic[..^StreamNamespaces.Products.Length];
        var second = await PipelineCluster.StartAsync(silos: 1, partitions: 3, consumerGroup: first.Options.ConsumerGroup, database: db, topicPrefix: prefix);
        try
        {
            await ProduceProducts(producer, second, 201, 50, 1, "v1");
            await second.WaitCaughtUpAsync();

            Assert.Equal(50, Consumed(second.Cluster));
            Assert.Equal(250, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'resume'"));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fresh_consumer_group_replays_everything_and_changes_nothing()
    {
        // Offsets start over (a re-created topic, a new group): versions and content hashes, not offsets, dedupe.
        var first = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        var db = first.Database;
        using var producer = new RawProducer(first.Options.Kafka);
        await ProduceProducts(producer, first, 1, 100, 1, "v1");
        await first.WaitCaughtUpAsync();
        var before = await db.RowsAsync("SELECT id, title, version, updated_at FROM products WHERE source = 'resume' ORDER BY id");
        Assert.Equal(100, before.Count);
        await first.Cluster.StopAllSilosAsync();
        await first.Cluster.DisposeAsync();

        var prefix = first.Options.ProductsTopic[..^StreamNamespaces.Products.Length];
        var second = await PipelineCluster.StartAsync(silos: 1, partitions: 2, database: db, topicPrefix: prefix);
        try
        {
            await second.WaitCaughtUpAsync();
            Assert.Equal(100, Consumed(second.Cluster));
            var after = await db.RowsAsync("SELECT id, title, version, updated_at FROM products WHERE source = 'resume' ORDER BY id");
            Assert.Equal(before, after);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killed_silo_loses_nothing_and_its_partitions_move()
    {
        // 16 partitions, so that the ring gives the victim some of the products partitions to lose.
        await using var pipeline = await PipelineCluster.StartAsync(silos: 2, partitions: 16);
        using var producer = new RawProducer(pipeline.Options.Kafka);
        await ProduceProducts(producer, pipeline, 1, 1500, 1, "v1");
        var victim = (InProcessSiloHandle)pipeline.Cluster.SecondarySilos[0];
        var victimStats = victim.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (victimStats.TotalConsumed == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(victimStats.TotalConsumed > 0, "the victim silo read nothing before it was killed");
        await pipeline.Cluster.KillSiloAsync(victim);
        await ProduceProducts(producer, pipeline, 1, 1500, 2, "v2");

        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(180));
        var survivor = pipeline.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>().Single();
        var owned = survivor.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka).Snapshot()
            .Count(p => p.OwnedHere && p.Topic == pipeline.Options.ProductsTopic);
        Assert.Equal(16, owned); // the victim's product partitions moved to the survivor

        Assert.Equal(1500, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'resume' AND title = 'v2' AND version = 2"));
        Assert.Equal(0, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'resume' AND title <> 'v2'"));
    }
}

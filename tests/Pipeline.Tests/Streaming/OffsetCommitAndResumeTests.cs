using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Cli.Chaos;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>At least once, without re-reading what was applied: commits, restarts and an ungracefully stopped silo.</summary>
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
    public async Task Ungracefully_stopped_silo_loses_nothing_and_its_partitions_move()
    {
        // 16 partitions, so that the ring gives the victim some of the products partitions to lose.
        await using var pipeline = await PipelineCluster.StartAsync(silos: 2, partitions: 16);
        await ChaosAudit.InstallAsync(pipeline.Database.ConnectionString, CancellationToken.None);
        using var producer = new RawProducer(pipeline.Options.Kafka);
        var victim = (InProcessSiloHandle)pipeline.Cluster.SecondarySilos[0];
        var victimStats = victim.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
        // Polled often, and from before the first record is produced: the window in which the victim holds read but
        // uncommitted records can be short, and a fast silo had applied all 1,500 by the time producing returned.
        var holding = Eventually.Until(() => victimStats.Snapshot().Any(ReadButUncommitted), TimeSpan.FromSeconds(30),
            "the victim silo never held records it had read but not committed", TimeSpan.FromMilliseconds(5));
        // Every product gets one version only, so one lost around the stop is a missing row, not an old one overwritten.
        await ProduceProducts(producer, pipeline, 1, 1500, 1, "v1");
        await holding;
        // TestingHost's kill skips the graceful shutdown (no hand-over, no final commit), but the silo still marks itself
        // Dead: an ungraceful stop, not a SIGKILL. A SIGKILL of a silo process is scripts/cluster-kill-test.sh.
        await pipeline.Cluster.KillSiloAsync(victim);
        await ProduceProducts(producer, pipeline, 1501, 1500, 1, "v1");

        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(180));
        var survivor = pipeline.Cluster.GetActiveSilos().Cast<InProcessSiloHandle>().Single();
        var owned = survivor.SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka).Snapshot()
            .Count(p => p.OwnedHere && p.Topic == pipeline.Options.ProductsTopic);
        Assert.Equal(16, owned); // the victim's product partitions moved to the survivor

        Assert.Equal(3000, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'resume'"));
        Assert.Equal(3000, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'resume' AND title = 'v1' AND version = 1 AND price = id"));
        Assert.Equal(3000, await pipeline.Database.ScalarAsync("SELECT count(*) FROM chaos_audit WHERE tbl = 'products'"));
        Assert.Equal(0, await pipeline.Database.ScalarAsync("SELECT count(*) FROM (SELECT 1 FROM chaos_audit GROUP BY tbl, source, id, version HAVING count(*) > 1) d"));
    }

    private static bool ReadButUncommitted(KafkaPartitionStatistics p) => p.OwnedHere && p.NextOffset > p.CommittedOffset;
}

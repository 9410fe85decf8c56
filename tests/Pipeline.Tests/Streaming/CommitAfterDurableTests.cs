using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Kafka;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>
/// An offset is committed only once the rows of the messages before it are durable: while PostgreSQL cannot take
/// the projection's writes, the consumer group's committed offsets stay where they were, however much was read.
/// </summary>
public sealed class CommitAfterDurableTests
{
    private const int Warmup = 20;
    private const int Blocked = 100;

    [Fact]
    public async Task Committed_offset_does_not_move_while_the_projection_cannot_write_and_catches_up_after()
    {
        await using var pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        using var producer = new RawProducer(pipeline.Options.Kafka);
        var statistics = Assert.IsType<InProcessSiloHandle>(pipeline.Cluster.Primary).SiloHost.Services
            .GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
        await ProduceAsync(producer, pipeline, 1, Warmup);
        await pipeline.WaitCaughtUpAsync();
        using var progress = new DeliveryProgress(pipeline.Options.Kafka, pipeline.Options.ConsumerGroup, pipeline.Options.KafkaClient, [pipeline.Options.ProductsTopic]);
        var before = Committed(progress);
        Assert.Equal(Warmup, before.Values.Sum()); // a fresh topic: committed offsets are the counts per partition
        var consumedBefore = statistics.TotalConsumed;

        // A real lock, as a long migration or a stuck transaction would hold it: every upsert into products waits.
        await using (var blocker = await pipeline.Database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE products IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }
            await ProduceAsync(producer, pipeline, Warmup + 1, Blocked);

            // The silo reads every message and hands it to its grain; the grains wait for the writer.
            var consumed = await Eventually.Until(() => statistics.TotalConsumed - consumedBefore, n => n >= Blocked,
                TimeSpan.FromSeconds(30), "messages consumed while the products table is locked", TimeSpan.FromMilliseconds(50));
            Assert.Equal(Blocked, consumed);
            // Many commit intervals (200 ms) and pulling-agent rounds (100 ms) pass with nothing durable.
            await Task.Delay(TimeSpan.FromSeconds(3));

            Assert.Equal(before, Committed(progress));
            await using var count = new NpgsqlCommand("SELECT count(*) FROM products WHERE source = 'durable'", blocker, transaction);
            Assert.Equal((long)Warmup, await count.ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        // Released: the waiting batch is written, and the offsets move to the topic ends with nothing lost.
        await pipeline.WaitCaughtUpAsync();
        Assert.Equal(Warmup + Blocked, Committed(progress).Values.Sum());
        Assert.Equal(
            Enumerable.Range(1, Warmup + Blocked).Select(i => $"{i}|v1|1"),
            await pipeline.Database.RowsAsync("SELECT id, title, version FROM products WHERE source = 'durable' ORDER BY id"));
    }

    private static Dictionary<int, long> Committed(DeliveryProgress progress) =>
        progress.Read(TimeSpan.FromSeconds(10)).ToDictionary(p => p.Partition, p => p.CommittedOffset);

    private static Task ProduceAsync(RawProducer producer, PipelineCluster pipeline, int from, int count) =>
        Task.WhenAll(Enumerable.Range(from, count).Select(i => producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products,
            $"durable:{i}", new ProductRecord { Source = "durable", Id = i, Title = "v1", Price = i }, 1)));
}

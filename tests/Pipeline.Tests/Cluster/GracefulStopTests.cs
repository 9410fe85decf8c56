using Confluent.Kafka;
using Orleans.Runtime;
using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;
using Shopstream.Silo.Kafka;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// SIGTERM to a silo process as soon as it has written its first rows of a snapshot (it may or may not have applied the
/// rest by then): it exits 0, having committed and left the cluster itself (the only silo, so nobody else could vote it
/// out), and a new silo finishes the job with nothing lost.
/// </summary>
public sealed class GracefulStopTests
{
    private const int Dead = (int)SiloStatus.Dead; // as OrleansMembershipTable.Status stores it

    [Fact]
    public async Task Sigterm_stops_the_silo_cleanly_and_a_new_silo_loses_nothing()
    {
        await using var settings = await ClusterSettings.CreateAsync(partitions: 4);
        var first = SiloProcess.Start(settings);
        await using (first)
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await using (var producer = settings.Producer())
            {
                await new IngestRunner(new SnapshotReader(Fixtures.SamplesDirectory), producer).RunAsync();
                await producer.FlushAsync();
            }
            // Stop as soon as the first rows are written and a first offset is committed: the check below needs a
            // committed prefix, and a stop before any commit would leave it nothing to check.
            await Eventually.Until(async () => await settings.Database.ScalarAsync("SELECT count(*) FROM products") > 0,
                TimeSpan.FromSeconds(60), "the silo wrote nothing before the stop", TimeSpan.FromMilliseconds(20));
            using (var early = new DeliveryProgress(settings.Options.Kafka, settings.Options.ConsumerGroup, settings.Options.KafkaClient, settings.Options.TopicsByNamespace().Values))
            {
                await Eventually.Until(() => early.Read(TimeSpan.FromSeconds(10)).Sum(p => p.CommittedOffset) > 0,
                    TimeSpan.FromSeconds(60), "the silo committed nothing", TimeSpan.FromMilliseconds(20));
            }

            // The bound of issue 15: a silo stops within 10 s of SIGTERM.
            var exitCode = await first.TerminateAsync(TimeSpan.FromSeconds(10));

            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{first.Log}");
        }
        Assert.Equal(1, await settings.Database.ScalarAsync(
            $"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{settings.Options.ClusterId}'"));
        Assert.Equal(Dead, await settings.Database.ScalarAsync(
            $"SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = '{settings.Options.ClusterId}'"));
        // What it delivered, it committed on the way out, and nothing beyond what is durable: every record before a
        // committed offset has its row.
        await AssertCommittedPrefixHasItsRowsAsync(settings);

        await using var second = SiloProcess.Start(settings);
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));
        await settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(90));
        using (var progress = new DeliveryProgress(settings.Options.Kafka, settings.Options.ConsumerGroup, settings.Options.KafkaClient, settings.Options.TopicsByNamespace().Values))
        {
            var positions = progress.Read(TimeSpan.FromSeconds(10));
            Assert.All(positions, p => Assert.Equal(p.EndOffset, p.CommittedOffset));
            // The snapshot's 647 records (SnapshotReaderTests), all on the three entity topics.
            Assert.Equal(647, positions.Sum(p => p.EndOffset));
        }

        Assert.Equal(214, await settings.Database.ScalarAsync("SELECT count(*) FROM products"));
        Assert.Equal(218, await settings.Database.ScalarAsync("SELECT count(*) FROM users"));
        Assert.Equal(215, await settings.Database.ScalarAsync("SELECT count(*) FROM carts"));
    }

    private static async Task AssertCommittedPrefixHasItsRowsAsync(ClusterSettings settings)
    {
        using var progress = new DeliveryProgress(settings.Options.Kafka, settings.Options.ConsumerGroup, settings.Options.KafkaClient, settings.Options.TopicsByNamespace().Values);
        var committed = progress.Read(TimeSpan.FromSeconds(10));
        Assert.True(committed.Sum(l => l.CommittedOffset) > 0, "nothing was committed before the silo left");
        using var reader = new ConsumerBuilder<string, Ignore>(new ConsumerConfig
        {
            BootstrapServers = settings.Options.Kafka,
            GroupId = "prefix-check-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        var tables = new Dictionary<string, (string Table, string Id)>
        {
            [settings.Options.ProductsTopic] = ("products", "id"),
            [settings.Options.CartsTopic] = ("carts", "cart_id"),
            [settings.Options.UsersTopic] = ("users", "id"),
        };
        foreach (var (topic, (table, id)) in tables)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var position in committed.Where(l => l.Topic == topic && l.CommittedOffset > 0))
            {
                reader.Assign(new TopicPartitionOffset(topic, position.Partition, Offset.Beginning));
                ConsumeResult<string, Ignore> message;
                do
                {
                    message = reader.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{topic}/{position.Partition}: no message before offset {position.CommittedOffset}");
                    keys.Add(message.Message.Key);
                }
                while (message.Offset.Value < position.CommittedOffset - 1);
                reader.Unassign();
            }
            if (keys.Count > 0)
            {
                var list = string.Join(", ", keys.Select(k => $"'{k}'"));
                Assert.Equal(keys.Count, await settings.Database.ScalarAsync($"SELECT count(*) FROM {table} WHERE source || ':' || {id} IN ({list})"));
            }
        }
    }
}

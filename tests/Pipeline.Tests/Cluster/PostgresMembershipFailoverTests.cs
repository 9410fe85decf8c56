using System.Collections.Immutable;
using System.Diagnostics;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Pipeline.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>Three silos that know each other only through PostgreSQL; one dies while records stream in.</summary>
public sealed class PostgresMembershipFailoverTests(ITestOutputHelper output)
{
    private const int Entities = 600;
    private const int Active = 3;
    private const int Dead = 6;

    [Fact]
    public async Task Three_silos_register_in_the_postgres_membership_table()
    {
        await using var cluster = await PostgresMembershipCluster.StartAsync(silos: 3, partitions: 2);

        var expected = cluster.Cluster.Silos
            .Select(s => $"{s.SiloAddress.Endpoint.Address}|{s.SiloAddress.Endpoint.Port}|{s.SiloAddress.Generation}|{Active}")
            .Order(StringComparer.Ordinal);
        var rows = await cluster.Database.RowsAsync(
            $"SELECT address, port, generation, status FROM orleansmembershiptable WHERE deploymentid = '{cluster.ClusterId}'");
        Assert.Equal(expected, rows.Order(StringComparer.Ordinal));
        Assert.Equal(1, await cluster.Database.ScalarAsync($"SELECT count(*) FROM orleansmembershipversiontable WHERE deploymentid = '{cluster.ClusterId}'"));
    }

    [Fact]
    public async Task Killed_silo_partitions_move_to_the_survivors_and_each_record_applies_once()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await PostgresMembershipCluster.StartAsync(silos: 3, partitions: 4);
        var victim = cluster.Cluster.Silos[1];
        var before = await cluster.WaitUntilEveryPartitionHasOneOwnerAsync(TimeSpan.FromSeconds(30));
        var victimPartitions = before.Where(o => o.Value == victim).Select(o => o.Key).ToList();
        Assert.NotEmpty(victimPartitions);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: 3 silos up, victim {victim.SiloAddress} reads {victimPartitions.Count} of {before.Count} partitions");

        using var producer = new RawProducer(cluster.Settings.Options.Kafka);
        var streaming = StreamTwoVersionsAsync(producer, cluster.Settings);
        await WaitUntilAsync(() => Task.FromResult(PostgresMembershipCluster.Statistics(victim).TotalConsumed > 0),
            TimeSpan.FromSeconds(20), "the victim never read a record");
        Assert.False(streaming.IsCompleted, "the stream ended before the kill; the kill must happen mid-stream");
        // TestingHost's kill is abrupt (no graceful shutdown, no hand-over), yet the dying silo still marks its own row
        // Dead; a silo that dies without a word (SIGKILL) is voted out by its peers: scripts/cluster-kill-test.sh.
        await cluster.Cluster.KillSiloAsync(victim);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: killed {victim.SiloAddress} mid-stream");

        var after = await cluster.WaitUntilEveryPartitionHasOneOwnerAsync(TimeSpan.FromSeconds(45));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: every partition read by one of the two survivors");
        var survivors = cluster.Cluster.GetActiveSilos().ToList();
        Assert.Equal(2, survivors.Count);
        Assert.All(victimPartitions, p => Assert.Contains(after[p], survivors));
        await WaitUntilAsync(async () => await cluster.MembershipStatusAsync(victim) == Dead,
            TimeSpan.FromSeconds(10), "the victim's membership row never became Dead");

        await streaming;
        await cluster.Settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: caught up");

        var db = cluster.Database;
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'cluster'"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'cluster' AND version = 2 AND title = 'v2' AND price = id + 0.5"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM users WHERE source = 'cluster'"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM users WHERE source = 'cluster' AND version = 2 AND username = 'v2-' || id"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM carts WHERE source = 'cluster'"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM carts WHERE source = 'cluster' AND version = 2 AND user_id = cart_id + 1"));
        // Version 2 of each cart has one line of quantity 3 where version 1 had two: a line applied twice or left
        // over from version 1 shows here.
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM cart_items WHERE source = 'cluster'"));
        Assert.Equal(Entities, await db.ScalarAsync("SELECT count(*) FROM cart_items WHERE source = 'cluster' AND quantity = 3 AND product_id = cart_id"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM rejected_records"));
    }

    /// <summary>Version 1 of every product, user and cart, then version 2 of each, in small paced chunks.</summary>
    private static async Task StreamTwoVersionsAsync(RawProducer producer, ClusterSettings settings)
    {
        var o = settings.Options;
        foreach (var version in new long[] { 1, 2 })
        {
            foreach (var chunk in Enumerable.Range(1, Entities).Chunk(50))
            {
                var sends = chunk.SelectMany(i => new[]
                {
                    producer.SendAsync(o.ProductsTopic, StreamNamespaces.Products, $"cluster:{i}",
                        new ProductRecord { Source = "cluster", Id = i, Title = $"v{version}", Price = i + (version == 2 ? 0.5m : 0m) }, version),
                    producer.SendAsync(o.UsersTopic, StreamNamespaces.Users, $"cluster:{i}",
                        new UserRecord { Source = "cluster", Id = i, Username = $"v{version}-{i}" }, version),
                    producer.SendAsync(o.CartsTopic, StreamNamespaces.Carts, $"cluster:{i}",
                        new CartRecord
                        {
                            Source = "cluster", Id = i, UserId = i + version - 1,
                            Lines = version == 1 ? [new CartLine(i, 1, 1m), new CartLine(i + 1, 2, 2m)] : ImmutableArray.Create(new CartLine(i, 3, 1m)),
                        }, version),
                });
                await Task.WhenAll(sends);
                // Paced so that the stream is still running when the victim has read its first records.
                await Task.Delay(100);
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure} within {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(100);
        }
    }
}

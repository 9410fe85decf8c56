using System.Collections.Immutable;
using System.Diagnostics;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Cli.Chaos;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>Three silos that know each other only through PostgreSQL; one stops ungracefully while records stream in.</summary>
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
    public async Task Ungracefully_stopped_silo_partitions_move_to_the_survivors_and_each_record_applies_once()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await PostgresMembershipCluster.StartAsync(silos: 3, partitions: 4);
        await ChaosAudit.InstallAsync(cluster.Database.ConnectionString, CancellationToken.None);
        var victim = cluster.Cluster.Silos[1];
        var before = await cluster.WaitUntilEveryPartitionHasOneOwnerAsync(TimeSpan.FromSeconds(30));
        var victimPartitions = before.Where(o => o.Value == victim).Select(o => o.Key).ToList();
        Assert.NotEmpty(victimPartitions);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: 3 silos up, victim {victim.SiloAddress} reads {victimPartitions.Count} of {before.Count} partitions");

        using var producer = new RawProducer(cluster.Settings.Options.Kafka);
        var stopped = new TaskCompletionSource();
        var streaming = StreamAsync(producer, cluster.Settings, stopped.Task);
        await Eventually.Until(() => PostgresMembershipCluster.Statistics(victim).Snapshot().Any(p => p.OwnedHere && p.NextOffset > p.CommittedOffset),
            TimeSpan.FromSeconds(20), "the victim never held records it had read but not committed");
        // TestingHost's kill is abrupt (no graceful shutdown, no hand-over, no final commit), yet the dying silo still
        // marks its own row Dead: an ungraceful stop, not a SIGKILL. A silo process that dies without a word (SIGKILL)
        // and is voted out by its peers: scripts/cluster-kill-test.sh.
        await cluster.Cluster.KillSiloAsync(victim);
        stopped.SetResult();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: stopped {victim.SiloAddress} ungracefully mid-stream");

        var after = await cluster.WaitUntilEveryPartitionHasOneOwnerAsync(TimeSpan.FromSeconds(45));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: every partition read by one of the two survivors");
        var survivors = cluster.Cluster.GetActiveSilos().ToList();
        Assert.Equal(2, survivors.Count);
        Assert.All(victimPartitions, p => Assert.Contains(after[p], survivors));
        await Eventually.Until(() => cluster.MembershipStatusAsync(victim), status => status == Dead,
            TimeSpan.FromSeconds(10), "the victim's membership row never became Dead");

        var band = await streaming;
        await cluster.Settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: caught up; {band} single-version entities per topic around the stop");

        var db = cluster.Database;
        // The band: what was in flight at the stop, with no later version to hide a loss.
        Assert.Equal(band, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'band'"));
        Assert.Equal(band, await db.ScalarAsync("SELECT count(*) FROM products WHERE source = 'band' AND version = 1 AND title = 'b' AND price = id + 0.25"));
        Assert.Equal(band, await db.ScalarAsync("SELECT count(*) FROM users WHERE source = 'band' AND version = 1 AND username = 'b-' || id"));
        Assert.Equal(band, await db.ScalarAsync("SELECT count(*) FROM carts WHERE source = 'band' AND version = 1 AND user_id = cart_id"));
        Assert.Equal(band, await db.ScalarAsync("SELECT count(*) FROM cart_items WHERE source = 'band' AND quantity = 2 AND product_id = cart_id"));
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
        // No product or user version written twice. The audit saw every band entity and every version 2; a version 1
        // that arrived in the same batch as its version 2 (after the hand-over, say) is rightly never written.
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM (SELECT 1 FROM chaos_audit GROUP BY tbl, source, id, version HAVING count(*) > 1) d"));
        Assert.Equal(2 * (band + Entities), await db.ScalarAsync("SELECT count(*) FROM chaos_audit WHERE source = 'band' OR version = 2"));
    }

    /// <summary>
    /// Single-version entities (source <c>band</c>), a burst and then chunks until three beyond the stop, so that whatever
    /// is in flight at the stop has no later version; then version 1 of every product, user and cart, then version 2 of each. Small
    /// paced chunks. Returns the number of band entities per topic.
    /// </summary>
    private static async Task<int> StreamAsync(RawProducer producer, ClusterSettings settings, Task stopped)
    {
        var o = settings.Options;
        var band = 0;
        // A burst first, so that the victim holds many records it has read but not yet applied when it stops; then
        // small chunks until three beyond the stop.
        for (var (chunk, beyond) = (500, 0); beyond < 3; chunk = 50)
        {
            beyond += stopped.IsCompleted ? 1 : 0;
            await Task.WhenAll(Enumerable.Range(band + 1, chunk).SelectMany(i => new[]
            {
                producer.SendAsync(o.ProductsTopic, StreamNamespaces.Products, $"band:{i}", new ProductRecord { Source = "band", Id = i, Title = "b", Price = i + 0.25m }, 1),
                producer.SendAsync(o.UsersTopic, StreamNamespaces.Users, $"band:{i}", new UserRecord { Source = "band", Id = i, Username = $"b-{i}" }, 1),
                producer.SendAsync(o.CartsTopic, StreamNamespaces.Carts, $"band:{i}",
                    new CartRecord { Source = "band", Id = i, UserId = i, Lines = [new CartLine(i, 2, 1m)] }, 1),
            }));
            band += chunk;
            await Task.Delay(100);
        }
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
                await Task.Delay(100);
            }
        }
        return band;
    }
}

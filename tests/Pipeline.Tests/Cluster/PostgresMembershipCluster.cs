using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// A TestingHost cluster whose membership lives in PostgreSQL (ADO.NET clustering, sql/0002), wired like
/// production otherwise: real PostgreSQL, the embedded broker, the Kafka stream provider, grain storage.
/// </summary>
public sealed class PostgresMembershipCluster : IAsyncDisposable
{
    private PostgresMembershipCluster(ClusterSettings settings, TestCluster cluster)
    {
        Settings = settings;
        Cluster = cluster;
    }

    public ClusterSettings Settings { get; }

    public TestCluster Cluster { get; }

    public TestDatabase Database => Settings.Database;

    public string ClusterId => Settings.Options.ClusterId;

    public static async Task<PostgresMembershipCluster> StartAsync(int silos, int partitions)
    {
        var settings = await ClusterSettings.CreateAsync(partitions);
        try
        {
            var builder = new TestClusterBuilder((short)silos);
            // TestingHost's own membership is an in-memory table on a primary silo; these silos are peers that
            // register in PostgreSQL instead.
            builder.Options.UseTestClusterMembership = false;
            builder.Options.ClusterId = settings.Options.ClusterId;
            builder.Options.ServiceId = settings.Options.ClusterId;
            foreach (var (key, value) in settings.AsConfiguration())
            {
                builder.Properties[key] = value;
            }
            builder.AddSiloBuilderConfigurator<ShopstreamSiloConfigurator>();
            builder.AddSiloBuilderConfigurator<PostgresMembershipConfigurator>();
            builder.AddClientBuilderConfigurator<PostgresMembershipConfigurator>();
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return new PostgresMembershipCluster(settings, cluster);
        }
        catch
        {
            await settings.DisposeAsync();
            throw;
        }
    }

    public static KafkaStreamStatistics Statistics(SiloHandle silo) =>
        ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);

    /// <summary>Which live silo reads each partition now; a partition read by two silos appears twice.</summary>
    public ILookup<(string Topic, int Partition), SiloHandle> Owners() =>
        Cluster.GetActiveSilos()
            .SelectMany(s => Statistics(s).Snapshot().Where(p => p.OwnedHere).Select(p => (Key: (p.Topic, p.Partition), Silo: s)))
            .ToLookup(o => o.Key, o => o.Silo);

    /// <summary>Waits until every partition is read by exactly one live silo; returns the owners.</summary>
    public async Task<IReadOnlyDictionary<(string Topic, int Partition), SiloHandle>> WaitUntilEveryPartitionHasOneOwnerAsync(TimeSpan timeout)
    {
        var owners = await Eventually.Until(() => new PartitionOwners(Settings.Partitions, Owners()), o => o.EachHasOne,
            timeout, "not every partition read by exactly one live silo");
        return Settings.Partitions.ToDictionary(p => p, p => owners.Owners[p].Single());
    }

    /// <summary>Status of a silo's row in <c>OrleansMembershipTable</c> (3 Active, 6 Dead).</summary>
    public Task<long> MembershipStatusAsync(SiloHandle silo) => Database.ScalarAsync(
        $"SELECT status FROM orleansmembershiptable WHERE deploymentid = '{ClusterId}' " +
        $"AND port = {silo.SiloAddress.Endpoint.Port} AND generation = {silo.SiloAddress.Generation}");

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Settings.DisposeAsync();
    }

    /// <summary>Who reads which partition; on a timed-out wait it says which partitions are unowned or shared.</summary>
    private sealed record PartitionOwners(IReadOnlyList<(string Topic, int Partition)> Partitions, ILookup<(string Topic, int Partition), SiloHandle> Owners)
    {
        public bool EachHasOne => Partitions.All(p => Owners[p].Count() == 1) && Owners.Count == Partitions.Count;

        public override string ToString() =>
            $"partitions without an owner: [{string.Join(", ", Partitions.Where(p => !Owners[p].Any()).Select(p => $"{p.Topic}/{p.Partition}"))}], " +
            $"with several: [{string.Join(", ", Partitions.Where(p => Owners[p].Count() > 1).Select(p => $"{p.Topic}/{p.Partition}"))}]";
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Pipeline.Tests.Grains;

/// <summary>
/// A silo over its memory budget: idle grains are deactivated, and the pull is held back only while that helps,
/// so records keep arriving. The budget (256 MB) is below what the test process uses, so pressure never ends.
/// </summary>
public sealed class MemoryGovernorTests
{
    private const int Entities = 60;

    [Fact]
    public async Task Over_budget_idle_grains_are_shed_and_records_keep_arriving()
    {
        await using var pipeline = await PipelineCluster.StartAsync(partitions: 2, settings: new Dictionary<string, string> { ["MemoryLimitMb"] = "256" });
        using var producer = new RawProducer(pipeline.Options.Kafka);
        var silo = Assert.IsType<InProcessSiloHandle>(pipeline.Cluster.Primary);
        var governor = silo.SiloHost.Services.GetRequiredService<MemoryGovernor>();
        Assert.Same(governor, silo.SiloHost.Services.GetRequiredService<IKafkaPullGate>());

        await SendAsync(pipeline, producer, version: 1);
        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Entities, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'mem' AND version = 1"));

        // The product grains are idle now; the governor sheds grains idle for 60 s, then 30, 15 and 10 s.
        var management = pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        await Eventually.Until(() => ProductActivationsAsync(management), live => live == 0, TimeSpan.FromSeconds(30),
            "idle product grains shed by the governor", TimeSpan.FromMilliseconds(250));
        Assert.True(governor.Sheds > 0);

        // Still over budget, with nothing idle left to shed: the pull must not stay held back.
        await SendAsync(pipeline, producer, version: 2);
        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Entities, await pipeline.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'mem' AND version = 2"));
        // Shed grains do not save their state on the way out (ShedMode: one write each kept shedding from keeping up):
        // the reactivated grain has counted only the second update, and the row is right all the same (above).
        var snapshot = await pipeline.Cluster.GrainFactory.GetGrain<Shopstream.Grains.Interfaces.Grains.IProductGrain>("mem:7").GetAsync();
        Assert.NotNull(snapshot);
        Assert.Equal((1L, 2L), (snapshot.Applied, snapshot.Version));
    }

    private static async Task SendAsync(PipelineCluster pipeline, RawProducer producer, long version)
    {
        for (var id = 1; id <= Entities; id++)
        {
            var record = new ProductRecord { Source = "mem", Id = id, Title = $"v{version}", Price = version, Category = "c" };
            await producer.SendAsync(pipeline.Options.ProductsTopic, StreamNamespaces.Products, $"mem:{id}", record, version);
        }
    }

    private static async Task<int> ProductActivationsAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains("ProductGrain", StringComparison.Ordinal) && !s.GrainType.Contains("Views", StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Events;
using Shopstream.Projection.Storage;
using Shopstream.Tests.Support;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>Session grains read no state when they activate; what they save serves a later activation's live API.</summary>
public sealed class SessionStateTests
{
    [Fact]
    public async Task New_sessions_activate_without_a_state_read_and_a_later_activation_shows_the_saved_aggregate()
    {
        var at = new DateTimeOffset(2022, 11, 6, 9, 0, 0, TimeSpan.Zero);
        var normalizer = new ClickEventNormalizer();
        // Session s0 gets events 0, 3, 6, 9 (4 events); s1 and s2 three each: 10 events in 3 sessions.
        var events = Enumerable.Range(0, 10)
            .Select(i => Generic($"state-{i}", "product_view", $"state-s{i % 3}", Users[i], $"state-p{i % 2}", at.AddMinutes(i)))
            .Select(e => normalizer.Normalize(e.ToJsonString()).Event!)
            .ToList();
        await using var pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        var storage = Assert.IsType<BatchedReadGrainStorage>(
            Assert.IsType<InProcessSiloHandle>(pipeline.Cluster.Primary).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StreamProviders.EntityStorage));
        var statesBefore = storage.StatesRead;

        await using (var producer = pipeline.Producer())
        {
            await Task.WhenAll(events.Select(e => producer.DeliverAsync(StreamNamespaces.Events, e.SessionKey, e)));
        }
        await pipeline.WaitCaughtUpAsync();

        Assert.Equal(10L, await pipeline.Database.ScalarAsync("SELECT count(*) FROM fact_events"));
        // Only the two product-view counters (products p0 and p1) read theirs; the three sessions read none.
        const long ProductViewCounters = 2;
        Assert.Equal(ProductViewCounters, storage.StatesRead - statesBefore);

        // Deactivation saves each session's state as a first write, without reading one.
        await pipeline.Cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Until(
            () => pipeline.Database.ScalarAsync("SELECT count(*) FROM OrleansStorage WHERE GrainTypeString = 'session' AND PayloadBinary IS NOT NULL"),
            n => n == 3, TimeSpan.FromSeconds(30), "the three sessions' states saved on deactivation");
        Assert.Equal(ProductViewCounters, storage.StatesRead - statesBefore);

        var snapshot = await pipeline.Cluster.GrainFactory.GetGrain<ISessionGrain>("state-s0").GetAsync();
        Assert.Equal((4, 4L, 0L), (snapshot!.Events, snapshot.Applied, snapshot.Ignored));
        Assert.Equal(ProductViewCounters + 1, storage.StatesRead - statesBefore);
    }
}

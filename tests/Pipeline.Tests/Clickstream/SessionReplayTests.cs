using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Events;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>A new cluster with a fresh consumer group replays the whole events topic: facts, sessions and counters stay as they were.</summary>
public sealed class SessionReplayTests
{
    [Fact]
    public async Task Replay_after_a_restart_with_no_grain_state_changes_nothing()
    {
        var at = new DateTimeOffset(2022, 11, 5, 18, 0, 0, TimeSpan.Zero);
        var normalizer = new ClickEventNormalizer();
        var events = Enumerable.Range(0, 30)
            .Select(i => Generic($"replay-{i}", i % 5 == 4 ? "add_to_cart" : "product_view", $"replay-s{i % 4}", Users[i], $"replay-p{i % 3}", at.AddMinutes(i)))
            .Select(e => normalizer.Normalize(e.ToJsonString()).Event!)
            .ToList();

        var first = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        var db = first.Database;
        await using (var producer = first.Producer())
        {
            await Task.WhenAll(events.Select(e => producer.DeliverAsync(StreamNamespaces.Events, e.SessionKey, e)));
        }
        await first.WaitCaughtUpAsync();
        const string Facts = "SELECT event_key, event_type, date_key, event_time, product_key, location_key FROM fact_events ORDER BY event_key";
        const string Sessions = "SELECT session_key, events, products_viewed, products_carted, updated_at FROM sessions ORDER BY session_key";
        var (facts, sessions) = (await db.RowsAsync(Facts), await db.RowsAsync(Sessions));
        await first.Cluster.StopAllSilosAsync();
        await first.Cluster.DisposeAsync();

        var prefix = first.Options.EventsTopic[..^StreamNamespaces.Events.Length];
        var second = await PipelineCluster.StartAsync(silos: 1, partitions: 2, database: db, topicPrefix: prefix);
        try
        {
            await second.WaitCaughtUpAsync();

            Assert.Equal(30, facts.Count);
            Assert.Equal(4, sessions.Count);
            Assert.Equal(facts, await db.RowsAsync(Facts));
            Assert.Equal(sessions, await db.RowsAsync(Sessions));
            // Another cluster id: the grains start without state, so fact_events' key alone dropped every replay.
            var snapshot = await second.Cluster.GrainFactory.GetGrain<ISessionGrain>("replay-s0").GetAsync();
            Assert.Equal((0L, 8L), (snapshot!.Applied, snapshot.Ignored));
            Assert.Equal(0, (await second.Cluster.GrainFactory.GetGrain<IProductViewsGrain>("events:replay-p0").GetViewsAsync()).Views);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}

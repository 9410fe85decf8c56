using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Shopstream.Ingest.Feeds;
using Shopstream.Kafka.Embedded;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Feeds;

/// <summary>
/// A feed bridging into a silo while our broker (the one the feed produces to) goes down and comes back, then the foreign
/// broker does: nothing is lost and nothing counts twice in the star schema. Both brokers are private to the test (the
/// shared one must not go down under other tests).
/// </summary>
public sealed class FeedBrokerDownTests(ITestOutputHelper output)
{
    private const string Topic = "clicks";

    [Fact]
    public async Task Nothing_is_lost_or_counted_twice_when_our_broker_then_the_foreign_broker_go_down_mid_feed()
    {
        using var foreign = EmbeddedKafkaBroker.Start();
        using var ours = EmbeddedKafkaBroker.Start();
        foreign.CreateTopic(Topic, 4);
        await using var db = await TestDatabase.CreateAsync();
        var options = new ShopstreamOptions
        {
            Postgres = db.ConnectionString,
            Kafka = ours.BootstrapServers,
            ClusterId = "c" + Guid.NewGuid().ToString("N")[..10],
            Feeds = { ["clicks"] = new FeedOptions { Bootstrap = foreign.BootstrapServers, Topic = Topic, Shape = "generic" } },
        };
        foreach (var topic in options.TopicsByNamespace().Values)
        {
            ours.CreateTopic(topic, 4);
        }
        using var producer = FeedTestEvents.Producer(foreign.BootstrapServers);
        using var host = SiloHostFactory.BuildLocal(options);
        await host.StartAsync();
        var bridges = host.Services.GetRequiredService<FeedBridges>();

        // A: events 0-1,999, all bridged and committed before any fault.
        FeedTestEvents.Send(producer, Topic, Enumerable.Range(0, 2_000).Select(FeedTestEvents.Event));
        await LagReachesZeroAsync(bridges, "stretch A");

        // Asked ten times at once (a sources page open in ten browsers), the feeds are read once.
        var reads = bridges.LagReads;
        var together = Enumerable.Range(0, 10).Select(_ => bridges.LagsAsync(TimeSpan.FromSeconds(5))).ToList();
        Assert.All(together, t => Assert.Same(together[0], t));
        Assert.Equal(reads + 1, bridges.LagReads);
        Assert.Equal(0, (await together[0])[0].Total);

        // B, sent while our broker is down: events 2,000-3,999, the first 100 events again, 2 messages the door refuses.
        ours.SetBrokerDown(1);
        FeedTestEvents.Send(producer, Topic, Enumerable.Range(2_000, 2_000).Concat(Enumerable.Range(0, 100)).Select(FeedTestEvents.Event)
            .Append(Encoding.UTF8.GetBytes("{oops")).Append(Encoding.UTF8.GetBytes("""{"event_id":"x1","event_type":"product_view","timestamp":"2024-05-01T00:00:00Z"}""")));
        var stalled = await Eventually.Until(() => bridges.Statuses()[0], s => s.State == FeedStates.Failing, TimeSpan.FromSeconds(30),
            "the bridge says it is failing while our broker is down");
        var whileOursDown = (await bridges.LagsAsync(TimeSpan.FromSeconds(5)))[0];
        var consumedWhileOursDown = bridges.Statuses()[0].Consumed;
        ours.SetBrokerUp(1);
        output.WriteLine($"our broker down until the bridge said {stalled.State}: foreign lag {whileOursDown.Total}, consumed (acknowledged) {consumedWhileOursDown}");
        // Nothing our broker did not acknowledge is committed on the foreign cluster, nor counted as consumed.
        Assert.Equal(2_102, whileOursDown.Total);
        Assert.Equal(2_000, consumedWhileOursDown);
        await LagReachesZeroAsync(bridges, "stretch B after our broker came back");

        // C: events 4,000-23,999 and 3 refused messages; the foreign broker goes down once the bridge is part-way through.
        var before = bridges.Statuses()[0].Consumed;
        FeedTestEvents.Send(producer, Topic, Enumerable.Range(4_000, 20_000).Select(FeedTestEvents.Event)
            .Append(Encoding.UTF8.GetBytes("not json")).Append([0x7B, 0xC3, 0x28, 0x7D])
            .Append(Encoding.UTF8.GetBytes("""{"event_id":"x2","event_type":"product_view","timestamp":"yesterday","session_id":"s1"}""")));
        var atFault = await Eventually.Until(() => bridges.Statuses()[0].Consumed - before, c => c > 0, TimeSpan.FromSeconds(60),
            "the bridge is part-way through stretch C", TimeSpan.FromMilliseconds(2));
        foreign.SetBrokerDown(1);
        var failing = await Eventually.Until(() => bridges.Statuses()[0], s => s.State == FeedStates.Failing, TimeSpan.FromSeconds(30),
            "the bridge says it is failing while the foreign broker is down");
        foreign.SetBrokerUp(1);
        output.WriteLine($"foreign broker down until the bridge said {failing.State} after {atFault} of 20,003 messages of stretch C were acknowledged; last error: {failing.LastError}");
        Assert.InRange(atFault, 1, 20_002);
        await LagReachesZeroAsync(bridges, "stretch C after the foreign broker came back");
        using (var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, options.TopicsByNamespace().Values))
        {
            Assert.True(await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(180), null), "the silo applied everything the feed produced");
        }
        await host.StopAsync();

        // Hand-computed from what was sent (FeedTestEvents): 24,000 distinct product views; each of the 20 products
        // 1,200 views by 25 sessions; each of the 500 sessions 48 events.
        Assert.Equal(24_000, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        Assert.Equal(24_000, await db.ScalarAsync("SELECT count(DISTINCT event_id) FROM fact_events"));
        Assert.Equal(FeedTestEvents.Sessions, await db.ScalarAsync("SELECT count(*) FROM sessions"));
        Assert.Equal(FeedTestEvents.Sessions, await db.ScalarAsync("SELECT count(*) FROM sessions WHERE events = 48"));
        Assert.Equal(FeedTestEvents.Products, await db.ScalarAsync("SELECT count(*) FROM fact_product_views"));
        Assert.Equal(FeedTestEvents.Products, await db.ScalarAsync(
            "SELECT count(*) FROM fact_product_views WHERE date_key = 20240501 AND view_count = 1200 AND unique_visitors = 25"));
        Assert.Equal(5, await db.ScalarAsync("SELECT count(*) FROM rejected_records WHERE stage = 'ingest' AND key LIKE 'feed-clicks:%'"));
        Assert.Equal(5, await db.ScalarAsync("SELECT count(*) FROM rejected_records"));
    }

    private static Task LagReachesZeroAsync(FeedBridges bridges, string what) =>
        Eventually.Until(async () => (await bridges.LagsAsync(TimeSpan.FromSeconds(5)))[0], l => l.Total == 0, TimeSpan.FromSeconds(120),
            $"the feed's foreign lag reaches 0 ({what})", TimeSpan.FromMilliseconds(250));
}

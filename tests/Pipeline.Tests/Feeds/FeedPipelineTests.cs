using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Shopstream.Ingest.Feeds;
using Shopstream.Kafka.Embedded;
using Shopstream.Silo.Kafka;

namespace Shopstream.Pipeline.Tests.Feeds;

/// <summary>
/// Two silos bridge three foreign topics (one per shape, on a second embedded broker) into the star schema; the silo
/// that owns feed partitions is killed mid-stream, and still every valid event counts exactly once.
/// </summary>
public sealed class FeedPipelineTests
{
    private static readonly string[] Topics = ["web", "feed", "generic"];

    [Fact]
    public async Task Feeds_of_all_three_shapes_fill_the_star_schema_exactly_once_across_a_silo_kill()
    {
        using var foreign = EmbeddedKafkaBroker.Start();
        var prefix = "x" + Guid.NewGuid().ToString("N")[..8] + ".";
        var settings = new Dictionary<string, string>();
        var messages = new Dictionary<string, IReadOnlyList<byte[]>>();
        foreach (var (topic, shape) in Topics.Zip(FeedSamples.Shapes))
        {
            foreign.CreateTopic(prefix + topic, 4);
            settings[$"Feeds:{topic}:Bootstrap"] = foreign.BootstrapServers;
            settings[$"Feeds:{topic}:Topic"] = prefix + topic;
            settings[$"Feeds:{topic}:Shape"] = shape;
            messages[topic] = FeedSamples.ForeignMessages(shape);
        }
        using var producer = new RawProducer(foreign.BootstrapServers);
        await SendAsync(producer, prefix, messages, firstHalf: true);

        await using var pipeline = await PipelineCluster.StartAsync(silos: 2, settings: settings);
        var victim = (InProcessSiloHandle)pipeline.Cluster.SecondarySilos[0];
        var victimBridges = victim.SiloHost.Services.GetRequiredService<FeedBridges>();
        await Eventually.Until(() => victimBridges.Statuses().Any(s => s.Partitions.Count > 0 && s.Consumed > 0), TimeSpan.FromSeconds(60),
            "the victim silo bridged part of a feed");
        await pipeline.Cluster.KillSiloAsync(victim);
        await SendAsync(producer, prefix, messages, firstHalf: false);

        foreach (var topic in Topics)
        {
            // Each feed's default group, shopstream-feed-<name>, on the foreign cluster.
            using var foreignProgress = new DeliveryProgress(foreign.BootstrapServers, "shopstream-feed-" + topic, new Dictionary<string, string>(), [prefix + topic]);
            Assert.True(await foreignProgress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(120), _ => { }, CancellationToken.None),
                $"feed {topic}'s offsets on the foreign cluster reach the end");
        }
        await pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(120));

        var db = pipeline.Database;
        // Hand-counted over the samples (python3): 459 valid events, 447 distinct (event id, product) facts among them
        // (the samples repeat some events), 114 session keys; the 8 duplicates the feeds add change none of these.
        Assert.Equal(447, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        Assert.Equal(114, await db.ScalarAsync("SELECT count(*) FROM sessions"));
        // Rejected: 3 on the web feed, 2 invalid samples and the non-UTF-8 message on the generic one.
        Assert.Equal(3, await db.ScalarAsync("SELECT count(*) FROM rejected_records WHERE stage = 'ingest' AND key LIKE 'feed-web:%'"));
        Assert.Equal(3, await db.ScalarAsync("SELECT count(*) FROM rejected_records WHERE stage = 'ingest' AND key LIKE 'feed-generic:%'"));
        Assert.Equal(6, await db.ScalarAsync("SELECT count(*) FROM rejected_records"));
    }

    private static async Task SendAsync(RawProducer producer, string prefix, Dictionary<string, IReadOnlyList<byte[]>> messages, bool firstHalf)
    {
        foreach (var (topic, all) in messages)
        {
            var half = all.Count / 2;
            var part = firstHalf ? all.Take(half) : all.Skip(half);
            var i = firstHalf ? 0 : half;
            foreach (var message in part)
            {
                await producer.SendRawAsync(prefix + topic, $"k{i++}", message);
            }
        }
    }
}

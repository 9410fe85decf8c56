using System.Net;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Shopstream.Ingest.Feeds;
using Shopstream.Kafka.Embedded;
using Shopstream.Pipeline.Tests.Cluster;
using Shopstream.Silo.Kafka;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Feeds;

/// <summary>
/// Two <c>shopstream silo</c> processes bridge one feed; the one bridging part of it is killed with SIGKILL while the
/// feed has messages uncommitted on the foreign cluster. The survivor takes its foreign partitions over and every
/// event still counts exactly once.
/// </summary>
public sealed class FeedSiloKillTests(ITestOutputHelper output)
{
    private const string Feed = "clicks";
    private const int Events = 40_000;

    [Fact]
    public async Task A_feed_silo_killed_mid_stream_loses_nothing_and_counts_nothing_twice()
    {
        using var foreign = EmbeddedKafkaBroker.Start();
        var topic = "clicks" + Guid.NewGuid().ToString("N")[..8];
        foreign.CreateTopic(topic, 4);
        // 16 partitions: the embedded broker keeps about 5 MB per partition and drops the oldest beyond that. 40,000
        // envelopes on 4 partitions overflowed it while the victim's partitions waited for the cluster to declare it
        // dead, and the survivor then started them past messages no one had read (a loss of the test's broker, not
        // of the pipeline: Kafka's retention is by time and size per topic, days by default).
        await using var settings = await ClusterSettings.CreateAsync(partitions: 16);
        var feed = new Dictionary<string, string>
        {
            [$"Shopstream__Feeds__{Feed}__Bootstrap"] = foreign.BootstrapServers,
            [$"Shopstream__Feeds__{Feed}__Topic"] = topic,
            [$"Shopstream__Feeds__{Feed}__Shape"] = "generic",
        };
        await using var survivor = SiloProcess.Start(settings, environment: feed);
        await survivor.WaitReadyAsync(TimeSpan.FromSeconds(120));
        await using var victim = SiloProcess.Start(settings, environment: feed);
        await victim.WaitReadyAsync(TimeSpan.FromSeconds(120));
        using var survivorApi = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var victimApi = new HttpClient { BaseAddress = victim.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.Until(
            async () => (Survivor: await FeedAsync(survivorApi), Victim: await FeedAsync(victimApi)),
            f => f.Survivor.GetProperty("ownedPartitions").GetArrayLength() > 0 && f.Victim.GetProperty("ownedPartitions").GetArrayLength() > 0,
            TimeSpan.FromSeconds(90), "the feed group shares the foreign partitions between both silos", TimeSpan.FromMilliseconds(500));

        using var producer = FeedTestEvents.Producer(foreign.BootstrapServers);
        // The foreign topic fills at about 2,000 events/s for 20 s, so that the kill lands while the feed is busy.
        var sending = Task.Run(async () =>
        {
            for (var from = 0; from < Events; from += 500)
            {
                FeedTestEvents.Send(producer, topic, Enumerable.Range(from, 500).Select(FeedTestEvents.Event));
                await Task.Delay(250);
            }
        });
        await Eventually.Until(async () => (await FeedAsync(victimApi)).GetProperty("consumed").GetInt64() > 0, TimeSpan.FromSeconds(60),
            "the victim bridged part of the feed", TimeSpan.FromMilliseconds(20));
        await victim.DisposeAsync();   // SIGKILL: no goodbye to either cluster
        var stillSending = !sending.IsCompleted;
        // Right after the kill the REST sources' grains that lived on the victim answer nothing until the cluster has
        // declared it dead: the survivor's listing still answers, with those statuses unknown and why.
        var listedAtKill = Stopwatch.StartNew();
        using (var listing = await survivorApi.GetAsync("api/sources"))
        {
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        }
        Assert.True(listedAtKill.Elapsed < TimeSpan.FromSeconds(15), $"the listing took {listedAtKill.Elapsed} right after the kill");
        // The lag at the kill, from the foreign broker itself.
        var foreignGroup = new FeedOptions { Bootstrap = foreign.BootstrapServers, Topic = topic, Shape = "generic" }.ToConsumerConfig(Feed);
        var atKill = FeedLag.Read(foreignGroup, topic, TimeSpan.FromSeconds(10));
        output.WriteLine($"victim killed with {atKill.Total} feed messages uncommitted on the foreign cluster (per partition {string.Join(" ", atKill.Partitions.Select(p => p.Lag))})");
        Assert.True(stillSending, "the kill landed while the foreign topic was still being written");
        Assert.True(atKill.Total > 0, "the kill landed with feed messages uncommitted");
        await sending;

        await Eventually.Until(() => FeedLag.Read(foreignGroup, topic, TimeSpan.FromSeconds(10)), l => l.Total == 0,
            TimeSpan.FromSeconds(180), "the survivor bridged the victim's foreign partitions to their end", TimeSpan.FromMilliseconds(500));
        Assert.Equal(4, (await FeedAsync(survivorApi)).GetProperty("ownedPartitions").GetArrayLength());
        using (var progress = new DeliveryProgress(settings.Options.Kafka, settings.Options.ConsumerGroup, settings.Options.KafkaClient, settings.Options.TopicsByNamespace().Values))
        {
            Assert.True(await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(180), null), "the survivor applied everything the feed produced");
        }

        // Hand-computed from what was sent (FeedTestEvents): 40,000 distinct product views; each of the 20 products
        // 2,000 views by 25 sessions; each of the 500 sessions 80 events.
        var db = settings.Database;
        Assert.Equal(Events, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        Assert.Equal(Events, await db.ScalarAsync("SELECT count(DISTINCT event_id) FROM fact_events"));
        Assert.Equal(FeedTestEvents.Sessions, await db.ScalarAsync("SELECT count(*) FROM sessions"));
        Assert.Equal(FeedTestEvents.Sessions, await db.ScalarAsync("SELECT count(*) FROM sessions WHERE events = 80"));
        Assert.Equal(FeedTestEvents.Products, await db.ScalarAsync(
            "SELECT count(*) FROM fact_product_views WHERE date_key = 20240501 AND view_count = 2000 AND unique_visitors = 25"));
        Assert.Equal(FeedTestEvents.Products, await db.ScalarAsync("SELECT count(*) FROM fact_product_views"));
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM rejected_records"));
    }

    private static async Task<JsonElement> FeedAsync(HttpClient silo) =>
        (await silo.GetFromJsonAsync<JsonElement>("api/sources")).EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "feed");
}

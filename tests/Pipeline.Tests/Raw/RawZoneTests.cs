using System.Text;
using Shopstream.Cli;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Kafka;

namespace Shopstream.Pipeline.Tests.Raw;

/// <summary>
/// Events accepted by the intake land in <c>raw_events</c> as they were on the events topic, and
/// <c>shopstream replay --from raw</c> produces them again without changing the star schema or the raw zone.
/// </summary>
public sealed class RawZoneTests
{
    private const string Facts = "SELECT count(*) * 1000003 + sum(hashtext(event_key || event_type || session_key || coalesce(product_key, ''))) FROM fact_events";
    private const string Sessions = "SELECT count(*) * 1000003 + sum(hashtext(session_key || events || products_viewed || converted::text)) FROM sessions";

    [Fact]
    public async Task Accepted_events_land_raw_and_replaying_them_changes_nothing()
    {
        await using var pipeline = await PipelineCluster.StartAsync();
        var producerOptions = new KafkaProducerOptions
        {
            BootstrapServers = pipeline.Options.Kafka,
            EventsTopic = pipeline.Options.EventsTopic,
            RejectedTopic = pipeline.Options.RejectedTopic,
            Source = ClickEventIntake.Source,
        };
        var file = FeedSamples.EventFiles[0];
        EventsResponse response;
        await using (var producer = new KafkaRecordProducer(producerOptions))
        {
            response = await new ClickEventIntake(producer).AcceptAsync(EventsBody.Read(await File.ReadAllBytesAsync(file), ndjson: true));
        }
        // clicks-2024-05-01.ndjson: 232 lines, one of them invalid (no session key), counted by hand.
        Assert.Equal(231, response.Accepted);
        await pipeline.WaitCaughtUpAsync();
        await WaitRawCaughtUpAsync(pipeline);

        var db = pipeline.Database;
        Assert.Equal(231, await db.ScalarAsync("SELECT count(*) FROM raw_events WHERE source = 'events-api'"));
        Assert.Equal(231, await db.ScalarAsync("SELECT count(*) FROM raw_events"));
        // Each accepted event as it was produced, repeats included: 223 distinct event ids among the 231 (hand count).
        Assert.Equal(223, await db.ScalarAsync("SELECT count(DISTINCT payload->'record'->>'event_id') FROM raw_events"));
        var facts = await db.ScalarAsync(Facts);
        var sessions = await db.ScalarAsync(Sessions);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var replayed = await ReplayCommand.RunAsync(db.DataSource, pipeline.Options.Kafka, new Dictionary<string, string>(), today, today, CancellationToken.None);
        Assert.Equal(231, replayed);
        await pipeline.WaitCaughtUpAsync();
        await WaitRawCaughtUpAsync(pipeline);

        Assert.Equal(facts, await db.ScalarAsync(Facts));
        Assert.Equal(sessions, await db.ScalarAsync(Sessions));
        Assert.Equal(231, await db.ScalarAsync("SELECT count(*) FROM raw_events"));
    }

    [Fact]
    public async Task A_raw_zone_reading_the_topic_again_from_its_start_lands_nothing_twice()
    {
        var database = await TestDatabase.CreateAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ".";
        var first = await PipelineCluster.StartAsync(database: database, topicPrefix: prefix);
        var file = FeedSamples.EventFiles[0];
        await using (var producer = new KafkaRecordProducer(first.Options.EventsProducerOptions("raw-test", ClickEventIntake.Source)))
        {
            await new ClickEventIntake(producer).AcceptAsync(EventsBody.Read(await File.ReadAllBytesAsync(file), ndjson: true));
        }
        await WaitRawCaughtUpAsync(first);
        await first.Cluster.StopAllSilosAsync();
        await first.Cluster.DisposeAsync();

        // Another consumer group: its raw writer reads the events topic from offset 0, with no Kafka commit to go by;
        // only raw_offsets says the 231 messages (clicks-2024-05-01.ndjson, counted by hand) are landed.
        await using var second = await PipelineCluster.StartAsync(database: database, topicPrefix: prefix);
        await WaitRawCaughtUpAsync(second);

        Assert.Equal(231, await database.ScalarAsync("SELECT count(*) FROM raw_events"));
        Assert.Equal(231, await database.ScalarAsync("SELECT count(DISTINCT (topic, partition, \"offset\")) FROM raw_events"));
    }

    private static async Task WaitRawCaughtUpAsync(PipelineCluster pipeline)
    {
        using var progress = new DeliveryProgress(pipeline.Options.Kafka, pipeline.Options.ConsumerGroup + "-raw", pipeline.Options.KafkaClient, [pipeline.Options.EventsTopic]);
        Assert.True(await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(60), _ => { }), "the raw zone writer committed the events topic to its end");
    }
}

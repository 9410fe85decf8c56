using System.Text;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>
/// <c>fact_product_views</c> is kept as facts are inserted: exact, incremental, and a duplicate or replayed view never
/// counts twice.
/// </summary>
public sealed class FactProductViewsTests
{
    private const string Ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

    [Fact]
    public async Task Views_are_counted_once_each_with_their_visitors_and_a_replay_changes_nothing()
    {
        await using var pipeline = await PipelineCluster.StartAsync();
        string Event(string id, string type, string session, string time) =>
            $$"""{"event_id": "{{id}}", "event_type": "{{type}}", "timestamp": "2024-05-01T{{time}}Z", "session_id": "{{session}}", "product_id": 5, "user_agent": "{{Ua}}"}""";
        var body = string.Join("\n",
            Event("v1", "product_view", "s1", "10:00:00"),
            Event("v2", "product_view", "s1", "10:05:00"),
            Event("v3", "product_view", "s2", "10:10:00"),
            Event("v1", "product_view", "s1", "10:00:00"),  // the same view again
            Event("c1", "add_to_cart", "s1", "10:06:00"));  // not a view
        await PostAsync(pipeline, body);
        await pipeline.WaitCaughtUpAsync();

        // Hand-computed: views v1, v2 (s1) and v3 (s2) of product 5 (its fact key without a catalogue), desktop Chrome, no location, no referrer.
        const string Row = """
            SELECT view_count * 100 + unique_visitors FROM fact_product_views
            WHERE date_key = 20240501 AND product_key = '5' AND country_name = 'Unknown' AND device_type = 'desktop'
              AND first_view_time = '2024-05-01T10:00:00Z' AND last_view_time = '2024-05-01T10:10:00Z'
            """;
        Assert.Equal(302, await pipeline.Database.ScalarAsync(Row));
        Assert.Equal(1, await pipeline.Database.ScalarAsync("SELECT count(*) FROM fact_product_views"));

        await PostAsync(pipeline, body);   // replayed: every fact is already there
        await PostAsync(pipeline, Event("v4", "product_view", "s2", "09:00:00"));
        await pipeline.WaitCaughtUpAsync();

        // Only v4 is new: a fourth view by a visitor the row has, and the earliest.
        Assert.Equal(402, await pipeline.Database.ScalarAsync(Row.Replace("10:00:00", "09:00:00", StringComparison.Ordinal)));
        Assert.Equal(1, await pipeline.Database.ScalarAsync("SELECT count(*) FROM fact_product_views"));
        Assert.Equal(0, await pipeline.Database.ScalarAsync("SELECT count(*) FROM rejected_records"));
    }

    [Fact]
    public async Task Sample_views_add_up_to_the_facts_in_every_dimension()
    {
        await using var pipeline = await PipelineCluster.StartAsync(partitions: 4);
        foreach (var file in FeedSamples.EventFiles)
        {
            await PostAsync(pipeline, await File.ReadAllTextAsync(file));
        }
        await pipeline.WaitCaughtUpAsync();

        // Hand count over both files (python3): 392 distinct product views among the valid events.
        Assert.Equal(392, await pipeline.Database.ScalarAsync("SELECT sum(view_count) FROM fact_product_views"));
        // The same figures computed at query time from fact_events: no row differs either way.
        Assert.Equal(0, await pipeline.Database.ScalarAsync("""
            WITH recomputed AS (
                SELECT f.date_key, coalesce(f.product_key, '') AS product_key, coalesce(l.country_name, 'Unknown') AS country_name,
                       coalesce(f.referrer_key, '') AS referrer_key, coalesce(a.device_type, 'unknown') AS device_type,
                       count(*) AS view_count, count(DISTINCT coalesce(f.user_id, f.session_key)) AS unique_visitors,
                       min(f.occurred_at) AS first_view_time, max(f.occurred_at) AS last_view_time
                FROM fact_events f
                LEFT JOIN dim_location l ON l.location_key = f.location_key
                LEFT JOIN dim_user_agent a ON a.user_agent_key = f.user_agent_key
                WHERE f.event_type = 'product_view'
                GROUP BY 1, 2, 3, 4, 5
            ), kept AS (
                SELECT date_key, product_key, country_name, referrer_key, device_type, view_count, unique_visitors,
                       first_view_time, last_view_time
                FROM fact_product_views
            )
            SELECT count(*) FROM ((SELECT * FROM recomputed EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM recomputed)) d
            """));
        Assert.Equal(114, await pipeline.Database.ScalarAsync("SELECT count(*) FROM dim_device"));
    }

    private static async Task PostAsync(PipelineCluster pipeline, string ndjson)
    {
        var options = new KafkaProducerOptions
        {
            BootstrapServers = pipeline.Options.Kafka,
            EventsTopic = pipeline.Options.EventsTopic,
            RejectedTopic = pipeline.Options.RejectedTopic,
        };
        await using var producer = new KafkaRecordProducer(options);
        await new ClickEventIntake(producer).AcceptAsync(EventsBody.Read(Encoding.UTF8.GetBytes(ndjson), ndjson: true));
    }
}

using Shopstream.Cli.Bench;
using Shopstream.Pipeline.Tests.Cluster;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>The bench's events phase on a small size: it reports a rate only once the star schema holds every event.</summary>
public sealed class EventsEndToEndBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Events_phase_lands_every_event_once_in_the_facts_and_reports_a_rate()
    {
        // A fresh database and prefixed topics on the shared broker, 4 partitions each.
        await using var cluster = await ClusterSettings.CreateAsync(partitions: 4);
        var db = cluster.Database;

        var result = await new EventsEndToEndBench(6_000, 4, output.WriteLine).RunAsync(cluster.Options, CancellationToken.None);

        output.WriteLine($"events={result.EventsPerSecond:0} ({result.Events} events in {result.Seconds:0.00} s)");
        Assert.Equal((6_000, 6_000), (result.Events, result.Sessions));
        Assert.True(result.Seconds > 0);
        // Hand-computed: event i views product i mod 500 in session s(i mod 50,000) on 2024-05-01, desktop Chrome from
        // Google, no location: 6,000 facts and sessions; one views row per product, each of its 12 views by 12 sessions.
        Assert.Equal(6_000, await db.ScalarAsync("SELECT count(*) FROM fact_events"));
        Assert.Equal(6_000, await db.ScalarAsync("SELECT count(*) FROM sessions WHERE events = 1"));
        Assert.Equal(500, await db.ScalarAsync("SELECT count(*) FROM fact_product_views WHERE date_key = 20240501 AND view_count = 12 AND unique_visitors = 12"));
        Assert.Equal(500, await db.ScalarAsync("SELECT count(*) FROM fact_product_views"));
    }
}

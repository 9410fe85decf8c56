using Shopstream.Cli;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Feeds;

public sealed class FeedBridgeBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Feed_bench_bridges_every_event_and_reports_a_rate()
    {
        var result = await FeedBridgeBench.RunAsync(20_000, partitions: 8, CancellationToken.None);

        output.WriteLine($"feed={result.EventsPerSecond:0} events/s ({result.Events} events after the first batch; {result.Seconds:0.00} s in all, {result.JoinSeconds:0.00} s to the first batch)");
        Assert.InRange(result.Events, 1, 20_000);
        Assert.True(result.Seconds > result.JoinSeconds);
    }
}

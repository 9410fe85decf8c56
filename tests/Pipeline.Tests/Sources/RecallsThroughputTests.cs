using Shopstream.Cli.Sources;
using Shopstream.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Sources;

/// <summary>The targets for RappelConso, measured the way the bench reports <c>recalls=</c>.</summary>
public sealed class RecallsThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_thousand_notices_become_rows_within_ten_seconds_and_a_run_with_nothing_new_fetches_one_page_in_under_a_second()
    {
        await using var server = await TestDatabase.CreateAsync();

        var result = await RecallsThroughput.MeasureAsync(server.ConnectionString, 10_000);
        output.WriteLine($"recalls={result.RecordsPerSecond:0} ({result.Seconds:0.00} s, of which the source run {result.RunSeconds:0.00} s); second run {result.SecondRunSeconds:0.000} s, {result.SecondRunPages} page");

        Assert.True(result.Seconds <= 10, $"10,000 notices took {result.Seconds:0.00} s ({result.RecordsPerSecond:0} records/s)");
        Assert.Equal(1, result.SecondRunPages);
        Assert.True(result.SecondRunSeconds < 1, $"the second run took {result.SecondRunSeconds:0.000} s");
    }
}

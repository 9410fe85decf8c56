namespace Shopstream.Pipeline.Tests.Infrastructure;

/// <summary>The shared wait-until: it returns what satisfied it, and a timeout says why and what it last saw.</summary>
public sealed class EventuallyTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Returns_the_first_observation_that_satisfies_the_condition()
    {
        var calls = 0;

        var seen = await Eventually.Until(() => ++calls, n => n >= 3, TimeSpan.FromSeconds(10), "three calls", Fast);

        Assert.Equal(3, seen);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Timeout_names_the_reason_and_the_last_observed_value()
    {
        var failure = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.Until(() => Task.FromResult(7L), n => n == 8, Short, "the count never reached 8", Fast));

        Assert.Equal("the count never reached 8: not within 0.3 s; last observed: 7", failure.Message);
    }

    [Fact]
    public async Task Timeout_lists_a_collection_it_last_observed()
    {
        var failure = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.Until(() => new List<string> { "a/0", "b/1" }, owners => owners.Count == 3, Short, "three owners", Fast));

        Assert.EndsWith("last observed: [a/0, b/1]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_observation_is_not_retried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.Until(() => ++calls > 0 ? throw new InvalidOperationException("silo exited") : false, TimeSpan.FromSeconds(10), "never", Fast));

        Assert.Equal(1, calls);
    }
}

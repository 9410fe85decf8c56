using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class VersionClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 12, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Version_is_the_utc_ticks_when_the_clock_has_moved()
    {
        var time = new ManualTimeProvider(Start);
        var clock = new VersionClock(time);

        Assert.Equal(Start.UtcTicks, clock.Next());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Start.UtcTicks + TimeSpan.TicksPerSecond, clock.Next());
    }

    [Fact]
    public void Version_is_last_plus_one_when_the_clock_has_not_moved()
    {
        var clock = new VersionClock(new ManualTimeProvider(Start));

        Assert.Equal([Start.UtcTicks, Start.UtcTicks + 1, Start.UtcTicks + 2], new[] { clock.Next(), clock.Next(), clock.Next() });
    }

    [Fact]
    public void Version_keeps_increasing_when_the_clock_goes_back()
    {
        var time = new ManualTimeProvider(Start);
        var clock = new VersionClock(time);
        var before = clock.Next();

        time.Set(Start.AddMinutes(-5));

        Assert.Equal(before + 1, clock.Next());
    }

    [Fact]
    public void Versions_are_unique_and_increasing_under_concurrent_use()
    {
        var clock = new VersionClock();
        var perThread = new long[8][];

        Parallel.For(0, perThread.Length, t =>
        {
            var versions = new long[20_000];
            for (var i = 0; i < versions.Length; i++)
            {
                versions[i] = clock.Next();
            }

            perThread[t] = versions;
        });

        Assert.All(perThread, versions => Assert.True(versions.Zip(versions.Skip(1)).All(p => p.First < p.Second)));
        Assert.Equal(8 * 20_000, perThread.SelectMany(v => v).Distinct().Count());
    }

    [Fact]
    public void Each_instance_counts_on_its_own()
    {
        var time = new ManualTimeProvider(Start);

        Assert.Equal(new VersionClock(time).Next(), new VersionClock(time).Next());
    }
}

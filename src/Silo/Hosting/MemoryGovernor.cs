using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Streaming.Kafka;

using Shopstream.Grains;

namespace Shopstream.Silo.Hosting;

/// <summary>
/// Keeps a silo within its memory budget (<see cref="ShopstreamOptions.MemoryLimitMb"/>). Above
/// <see cref="ShedShare"/> of it, grains idle for a while are deactivated through Orleans' activation collector
/// (without saving their state, see <see cref="ShedMode"/>); above <see cref="CloseShare"/> the Kafka receivers stop taking in messages until
/// memory is back under <see cref="ReopenShare"/>. Pressure slows the pull instead of growing memory.
/// </summary>
/// <remarks>
/// <para>
/// Measured is the resident set of the process (what the budget is about), read through <see cref="MemoryReading"/>
/// (by default <see cref="ProcessMemory.RssMb"/>, from /proc) every <see cref="Period"/> of the
/// <see cref="TimeProvider"/>; both are injected so that a test can drive the thresholds and the hold-back time.
/// The idle age that counts for shedding starts at <see cref="MaxIdleAge"/> and halves while
/// pressure lasts, down to <see cref="MinIdleAge"/>: grains that are busy are never shed, since that would only
/// trade memory for reactivations. A shed that deactivated grains is followed by a compacting collection that
/// gives the memory back to the operating system.
/// </para>
/// <para>
/// When the pull is held back and memory does not come down within <see cref="MaxHoldBack"/>, the busy grains alone
/// need more than the budget: holding the pull back would stop the
/// pipeline for nothing, so the governor does not hold it back for <see cref="Respite"/> (it goes on shedding) and
/// says so in the log. The budget should then be raised (the README's bench notes give a size per live entity).
/// </para>
/// </remarks>
public sealed partial class MemoryGovernor(
    ShopstreamOptions options, IGrainFactory grains, ILocalSiloDetails silo, MemoryReading memory, TimeProvider time, ILogger<MemoryGovernor> logger,
    ShedMode? shedMode = null)
    : BackgroundService, IKafkaPullGate
{
    public const double ShedShare = 0.6;
    public const double CloseShare = 0.75;
    public const double ReopenShare = 0.65;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxIdleAge = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MinIdleAge = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinShedInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Respite = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxHoldBack = TimeSpan.FromSeconds(10);
    private readonly double limit = options.MemoryLimitMb;
    private readonly long started = time.GetTimestamp();
    private volatile bool open = true;
    private long sheds;

    // State of Check(), which runs on one timer (or, in tests, one caller) at a time; times are since construction.
    private TimeSpan idleAge = MaxIdleAge;
    private Task shedding = Task.CompletedTask;
    private TimeSpan lastShed = -MinShedInterval;
    private TimeSpan respiteUntil = TimeSpan.Zero;
    private (TimeSpan At, double Rss) mark;

    public bool IsOpen => open;

    /// <summary>Shed rounds so far.</summary>
    public long Sheds => Interlocked.Read(ref sheds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Check();
        }
    }

    /// <summary>One round: reads memory, opens or closes the gate, starts a shed when one is due.</summary>
    internal void Check()
    {
        var rss = memory();
        var now = time.GetElapsedTime(started);
        if (!open)
        {
            if (rss < ReopenShare * limit)
            {
                open = true;
                LogPullResumed(rss, options.MemoryLimitMb);
            }
            else if (now - mark.At >= MaxHoldBack)
            {
                if (rss > 0.98 * mark.Rss)
                {
                    // Held back for MaxHoldBack and memory did not come down: the busy grains alone need more
                    // than the budget, and holding the pull back would stop the pipeline for nothing.
                    open = true;
                    respiteUntil = now + Respite;
                    LogBudgetTooSmall(rss, options.MemoryLimitMb, Respite.TotalSeconds);
                }
                mark = (now, rss);
            }
        }
        else if (now >= respiteUntil && rss >= CloseShare * limit)
        {
            open = false;
            mark = (now, rss);
            LogPullHeldBack(rss, options.MemoryLimitMb);
        }
        if (rss < ShedShare * limit)
        {
            idleAge = MaxIdleAge;
        }
        else if (shedding.IsCompleted && now - lastShed >= MinShedInterval)
        {
            // One shed (and so one forced collection) at a time, and at most one per MinShedInterval.
            lastShed = now;
            Interlocked.Increment(ref sheds);
            shedding = ShedAsync(idleAge, rss);
            idleAge = TimeSpan.FromTicks(Math.Max(MinIdleAge.Ticks, idleAge.Ticks / 2));
        }
    }

    /// <summary>Deactivates this silo's grains idle for <paramref name="idleAge"/>, then gives the memory back.</summary>
    private async Task ShedAsync(TimeSpan idleAge, double rss)
    {
        try
        {
            var management = grains.GetGrain<IManagementGrain>(0);
            var before = (await management.GetRuntimeStatistics([silo.SiloAddress]).ConfigureAwait(false))[0].ActivationCount;
            // Completes once the collected grains have deactivated. They skip their state save meanwhile (see ShedMode):
            // with one write each, shedding thousands of grains outlasted the call's 30 s and memory passed the budget.
            if (shedMode is not null)
            {
                shedMode.SkipStateSaves = true;
            }
            try
            {
                await management.ForceActivationCollection([silo.SiloAddress], idleAge).ConfigureAwait(false);
            }
            finally
            {
                if (shedMode is not null)
                {
                    shedMode.SkipStateSaves = false;
                }
            }
            var after = (await management.GetRuntimeStatistics([silo.SiloAddress]).ConfigureAwait(false))[0].ActivationCount;
            LogShed(rss, options.MemoryLimitMb, idleAge.TotalSeconds, before, after);
            if (after < before || !open)
            {
                // The deactivated grains are garbage now. An aggressive collection compacts and returns the freed
                // memory to the operating system; without it the resident set would stay where it was (and with the
                // pull held back, nothing would allocate enough to trigger a collection at all).
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogShedFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: deactivated grains idle for {IdleSeconds:0.#} s; activations {Before:N0} before, {After:N0} after")]
    private partial void LogShed(double rss, int limit, double idleSeconds, int before, int after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: holding back the Kafka pull")]
    private partial void LogPullHeldBack(double rss, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: pulling again")]
    private partial void LogPullResumed(double rss, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory {Rss:N0} MB of {Limit:N0} MB with no idle grains left to shed: the busy grains need more than the budget; not holding the pull back for {Seconds:0} s")]
    private partial void LogBudgetTooSmall(double rss, int limit, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating idle grains failed")]
    private partial void LogShedFailed(Exception exception);
}

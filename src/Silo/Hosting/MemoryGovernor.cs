using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Hosting;

/// <summary>
/// Keeps a silo within its memory budget (<see cref="ShopstreamOptions.MemoryLimitMb"/>): above
/// <see cref="ShedShare"/> of it, grains idle for a while are deactivated through Orleans' activation collector
/// (they save their state on the way out), and above <see cref="CloseShare"/> the Kafka receivers stop taking in
/// messages until memory is back under <see cref="ReopenShare"/>. Pressure slows the pull instead of growing memory.
/// </summary>
/// <remarks>
/// Measured is the resident set of the process (what the budget is about), read from /proc every
/// <see cref="Period"/>. The idle age that counts for shedding starts at <see cref="MaxIdleAge"/> and halves while
/// pressure lasts, down to <see cref="MinIdleAge"/>, so grains that are busy are the last to go.
/// </remarks>
public sealed partial class MemoryGovernor(
    ShopstreamOptions options, IGrainFactory grains, ILocalSiloDetails silo, ILogger<MemoryGovernor> logger)
    : BackgroundService, IKafkaPullGate
{
    public const double ShedShare = 0.6;
    public const double CloseShare = 0.75;
    public const double ReopenShare = 0.65;
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxIdleAge = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinIdleAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinShedInterval = TimeSpan.FromSeconds(1);
    private volatile bool open = true;
    private long sheds;
    private long closedPeriods;

    public bool IsOpen => open;

    /// <summary>Times idle grains were shed so far.</summary>
    public long Sheds => Interlocked.Read(ref sheds);

    /// <summary>Checks (of <see cref="Period"/>) during which the pull was held back.</summary>
    public long ClosedPeriods => Interlocked.Read(ref closedPeriods);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limit = (double)options.MemoryLimitMb;
        var idleAge = MaxIdleAge;
        var shedding = Task.FromResult(false);
        var lastShed = 0L;
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var rss = ProcessMemory.RssMb();
            if (!open)
            {
                Interlocked.Increment(ref closedPeriods);
            }
            if (open && rss >= CloseShare * limit)
            {
                open = false;
                LogPullHeldBack(rss, options.MemoryLimitMb);
            }
            else if (!open && rss < ReopenShare * limit)
            {
                open = true;
                LogPullResumed(rss, options.MemoryLimitMb);
            }
            else if (!open && shedding.IsCompleted && idleAge == MinIdleAge && ProcessMemory.RssMb() >= ReopenShare * limit)
            {
                // Everything idle is gone and memory is still high: the budget is below what the silo needs for the
                // grains that are busy. Holding the pull back any longer would stop the pipeline for nothing.
                open = true;
                LogBudgetTooSmall(rss, options.MemoryLimitMb);
            }
            if (rss >= ShedShare * limit)
            {
                // One shed (and so one forced collection) at a time, and at most one per MinShedInterval.
                if (shedding.IsCompleted && Environment.TickCount64 - lastShed >= MinShedInterval.TotalMilliseconds)
                {
                    lastShed = Environment.TickCount64;
                    Interlocked.Increment(ref sheds);
                    shedding = ShedAsync(idleAge, rss);
                    idleAge = TimeSpan.FromTicks(Math.Max(MinIdleAge.Ticks, idleAge.Ticks / 2));
                }
            }
            else
            {
                idleAge = MaxIdleAge;
            }
        }
    }

    private async Task<bool> ShedAsync(TimeSpan idleAge, double rss)
    {
        try
        {
            LogShedding(rss, options.MemoryLimitMb, idleAge.TotalSeconds);
            await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([silo.SiloAddress], idleAge).ConfigureAwait(false);
            // The deactivated grains are garbage now. An aggressive collection compacts and returns the freed memory
            // to the operating system; without it the resident set would stay where it was (and with the pull held
            // back, nothing would allocate enough to trigger a collection at all).
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogShedFailed(ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: deactivating grains idle for {IdleSeconds:0.#} s")]
    private partial void LogShedding(double rss, int limit, double idleSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: holding back the Kafka pull")]
    private partial void LogPullHeldBack(double rss, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory {Rss:N0} MB of {Limit:N0} MB: pulling again")]
    private partial void LogPullResumed(double rss, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory {Rss:N0} MB of {Limit:N0} MB with no idle grains left to shed: pulling again; the budget is below what the busy grains need")]
    private partial void LogBudgetTooSmall(double rss, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating idle grains failed")]
    private partial void LogShedFailed(Exception exception);
}

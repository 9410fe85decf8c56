using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;

namespace Shopstream.Grains.Sources;

/// <summary>
/// Drives one source (key = its name). Reminders have no cron, so the grain computes the next due time from the
/// schedule and registers its reminder to fire then, with <see cref="SourceGrainOptions.RetryPeriod"/> as the period.
/// A tick starts a run unless one is alive; when the run ends, the reminder is moved to the next due time. If the silo
/// dies mid-run, the reminder still fires (on a survivor) one period later, and the new run resumes from the watermark.
/// At most one run at a time is kept by the run store (one <c>running</c> row per source), not by the activation alone.
/// </summary>
public sealed partial class SourceGrain(ISourceHost host, IOptions<SourceGrainOptions> options, TimeProvider time, ILogger<SourceGrain> logger)
    : Grain, ISourceGrain, IRemindable
{
    /// <summary>The name of the reminder that wakes the grain.</summary>
    public const string ReminderName = "schedule";

    private SourceRunHandle? current;

    private string Source => this.GetPrimaryKeyString();

    public async Task EnsureScheduledAsync()
    {
        if (!host.Knows(Source))
        {
            return;
        }
        if (current is { Completion.IsCompleted: false } || await host.RunningAsync(Source) is not null)
        {
            // A run is alive (here, or on a silo that may die): its reminder stays on the retry period until it ends.
            return;
        }
        if (host.IsEnabled(Source))
        {
            await ScheduleNextAsync();
            return;
        }
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task<SourceRunStart> RunNowAsync()
    {
        if (!host.Knows(Source))
        {
            return new SourceRunStart(null, false, $"no source named '{Source}'");
        }
        if (current is { Completion.IsCompleted: false })
        {
            return new SourceRunStart(current.RunId, false, null);
        }
        if (await StartAsync("manual") is { } started)
        {
            return new SourceRunStart(started.RunId, true, null);
        }
        var running = await host.RunningAsync(Source);
        return new SourceRunStart(running, false, running is null ? "the run could not start" : null);
    }

    public async Task<SourceStatus> GetStatusAsync()
    {
        var running = current is { Completion.IsCompleted: false } ? current.RunId : host.Knows(Source) ? await host.RunningAsync(Source) : null;
        return new SourceStatus(Source, host.Knows(Source) && host.IsEnabled(Source), host.Knows(Source) ? host.ScheduleOf(Source) : "",
            host.Knows(Source) && host.IsEnabled(Source) ? host.NextDue(Source, time.GetUtcNow()) : null, running, this.RuntimeIdentity);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || !host.Knows(Source))
        {
            return;
        }
        if (current is { Completion.IsCompleted: false })
        {
            return;
        }
        LogTick(Source, status.CurrentTickTime);
        var enabled = host.IsEnabled(Source);
        if (!enabled && await host.RunningAsync(Source) is null && !await host.InterruptedAsync(Source))
        {
            // A disabled source's reminder only watches a manual run; that run ended (not by its silo stopping under
            // it, which is resumed below), so the watch does too.
            await EnsureScheduledAsync();
            return;
        }
        // Enabled: the schedule is due, or a run died with its silo. Disabled: a manual run died (its row still says
        // running: the store closes it once its heartbeat is old enough) or its silo stopped under it (its row ended
        // failed, saying so); either way the new run resumes from the watermark.
        if (await StartAsync(enabled ? "schedule" : "manual") is null)
        {
            // Another run is alive (a manual one elsewhere, or one whose silo has not been declared dead yet): the
            // reminder stays on its retry period and asks again.
            LogBusy(Source);
        }
    }

    private async Task<SourceRunHandle?> StartAsync(string trigger)
    {
        var started = await host.TryStartAsync(Source, trigger);
        if (started is null)
        {
            return null;
        }
        current = started;
        // While a run is in progress, the reminder ticks every retry period: if this silo dies, a survivor resumes.
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.RetryPeriod, options.Value.RetryPeriod);
        // Keep the activation (and its handle on the run) while the run goes on, however long it takes.
        this.DelayDeactivation(TimeSpan.FromDays(1));
        _ = FinishAsync(started);
        return started;
    }

    /// <summary>Once the run ends, moves the reminder to the next due time and lets the activation go idle.</summary>
    private async Task FinishAsync(SourceRunHandle run)
    {
        // The host records a failure with the run instead of throwing it.
        await run.Completion;
        this.DelayDeactivation(TimeSpan.Zero);
        await EnsureScheduledAsync();
    }

    private async Task ScheduleNextAsync()
    {
        var now = time.GetUtcNow();
        var due = host.NextDue(Source, now);
        if (due is null)
        {
            return;
        }
        var wait = due.Value - now;
        await this.RegisterOrUpdateReminder(ReminderName, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, options.Value.RetryPeriod);
        LogScheduled(Source, due.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: reminder tick at {Tick}")]
    private partial void LogTick(string source, DateTime tick);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: another run is alive; asking again on the next tick")]
    private partial void LogBusy(string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: next run due at {Due}")]
    private partial void LogScheduled(string source, DateTimeOffset due);
}

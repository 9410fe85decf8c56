namespace Shopstream.Grains;

/// <summary>
/// When a grain saves state that only speeds things up (dropping duplicates early, live counters): at most once per
/// interval while it changes, checked when the grain does work, and at deactivation. A failed save is reported to the
/// caller and tried again at the next one; the analytic tables stay correct without it.
/// </summary>
/// <remarks>No grain timer: with one per grain, the runtime's timer queue costs worker CPU (see the README's bench notes).</remarks>
internal sealed class LazySave
{
    private readonly long intervalMs;
    private long dueAt;

    /// <param name="interval">Time between saves while the state keeps changing.</param>
    /// <param name="spreadFirst">
    /// First save between one and two intervals from now, so that grains activated together do not save together.
    /// </param>
    public LazySave(TimeSpan interval, bool spreadFirst)
    {
        intervalMs = (long)interval.TotalMilliseconds;
        dueAt = Environment.TickCount64 + intervalMs + (spreadFirst ? Random.Shared.NextInt64(intervalMs) : 0);
    }

    /// <summary>The state changed since it was last saved.</summary>
    public bool Pending { get; private set; }

    /// <summary>There is something to save and the interval has passed.</summary>
    public bool Due => Pending && Environment.TickCount64 >= dueAt;

    public void Changed() => Pending = true;

    /// <summary>Runs <paramref name="write"/> if anything changed since the last save; a failure goes to <paramref name="failed"/>.</summary>
    public async Task SaveAsync(Func<Task> write, Action<Exception> failed)
    {
        if (!Pending)
        {
            return;
        }
        dueAt = Environment.TickCount64 + intervalMs;
        try
        {
            await write();
            Pending = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failed(ex);
        }
    }
}

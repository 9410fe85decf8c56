namespace Shopstream.Ingest.Producing;

/// <summary>
/// Versions of produced records: UTC ticks, strictly increasing per instance even when the clock
/// has not moved (or moved back) since the last call. Grains use them to drop stale updates.
/// </summary>
public sealed class VersionClock
{
    private readonly TimeProvider time;
    private long last;

    public VersionClock(TimeProvider? timeProvider = null)
    {
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The next version; safe to call from several threads.</summary>
    public long Next()
    {
        var now = time.GetUtcNow().UtcTicks;
        while (true)
        {
            var previous = Volatile.Read(ref last);
            var next = now > previous ? now : previous + 1;
            if (Interlocked.CompareExchange(ref last, next, previous) == previous)
            {
                return next;
            }
        }
    }
}

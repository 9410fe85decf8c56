namespace Shopstream.Grains.Sources;

/// <summary>How source grains use their reminders and how runs show they are alive. Section <c>Shopstream:SourceGrains</c>.</summary>
public sealed class SourceGrainOptions
{
    public const string Section = "Shopstream:SourceGrains";

    /// <summary>
    /// The reminder's period while a run is due or in progress: the grain re-registers its reminder for the next due time
    /// when a run ends, so this period only fires when a run did not end, i.e. its silo died; the next tick (on a
    /// surviving silo) resumes it. At least Orleans' <c>ReminderOptions.MinimumReminderPeriod</c>.
    /// </summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a run tells the run store it is alive.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A run silent for this long is taken for dead (its silo died) and the next run takes over from its watermark.</summary>
    public TimeSpan AbandonedAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is unusable; the message names the key.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (RetryPeriod < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"setting {Section}:{nameof(RetryPeriod)} must be at least 1 second (was {RetryPeriod})");
        }
        if (HeartbeatPeriod < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentException($"setting {Section}:{nameof(HeartbeatPeriod)} must be at least 100 ms (was {HeartbeatPeriod})");
        }
        if (AbandonedAfter < 2 * HeartbeatPeriod)
        {
            throw new ArgumentException($"setting {Section}:{nameof(AbandonedAfter)} must be at least twice {nameof(HeartbeatPeriod)} (was {AbandonedAfter})");
        }
    }
}

namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>
/// One source's driver in the cluster, keyed by the source's name (<c>rappelconso</c>): woken by its reminder on the
/// source's schedule, or asked to run now; it runs at most one run at a time, and a run whose silo died is resumed
/// from the watermark by the next wake-up on a surviving silo.
/// </summary>
public interface ISourceGrain : IGrainWithStringKey
{
    /// <summary>Registers the schedule's reminder when the source is enabled, removes it when not.</summary>
    Task EnsureScheduledAsync();

    /// <summary>Starts a manual run unless one is running; either way returns the run that is now running, if any.</summary>
    Task<SourceRunStart> RunNowAsync();

    /// <summary>Whether the source is enabled, its schedule, when it is due next and the run in progress.</summary>
    Task<SourceStatus> GetStatusAsync();
}

/// <summary>What <see cref="ISourceGrain.RunNowAsync"/> did.</summary>
/// <param name="RunId">The run now in progress (started by this call or already running); null when none could start.</param>
/// <param name="Started">True when this call started it.</param>
/// <param name="Reason">Why no run is in progress, when <paramref name="RunId"/> is null.</param>
[GenerateSerializer, Immutable]
public sealed record SourceRunStart([property: Id(0)] Guid? RunId, [property: Id(1)] bool Started, [property: Id(2)] string? Reason);

/// <summary>A source as its grain sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record SourceStatus(
    [property: Id(0)] string Source,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] string Schedule,
    [property: Id(3)] DateTimeOffset? NextDue,
    [property: Id(4)] Guid? RunningRunId,
    [property: Id(5)] string Silo);

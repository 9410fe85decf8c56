namespace Shopstream.Grains.Sources;

/// <summary>
/// What a <see cref="SourceGrain"/> needs from its silo: each source's settings and the run itself. The silo implements
/// it with the ingest's readers and producer and the projection's run store, so the grain holds neither Kafka nor SQL.
/// </summary>
public interface ISourceHost
{
    /// <summary>Whether <paramref name="source"/> is a source this silo knows.</summary>
    bool Knows(string source);

    /// <summary>Whether the source runs on its schedule.</summary>
    bool IsEnabled(string source);

    /// <summary>The source's cron schedule, as configured.</summary>
    string ScheduleOf(string source);

    /// <summary>The first time the schedule is due strictly after <paramref name="after"/>.</summary>
    DateTimeOffset? NextDue(string source, DateTimeOffset after);

    /// <summary>
    /// Starts a run from the source's watermark, recorded in <c>source_runs</c>, unless another run of the source is
    /// alive anywhere in the cluster (null then). The returned run goes on in the background; it never throws: a failure
    /// is recorded with the run.
    /// </summary>
    Task<SourceRunHandle?> TryStartAsync(string source, string trigger);

    /// <summary>The id of the source's run in progress anywhere in the cluster, if any.</summary>
    Task<Guid?> RunningAsync(string source);

    /// <summary>Whether the source's latest run ended because its silo stopped or died, so that it is to be resumed.</summary>
    Task<bool> InterruptedAsync(string source);
}

/// <summary>A run started by <see cref="ISourceHost.TryStartAsync"/>: its id and its end.</summary>
public sealed record SourceRunHandle(Guid RunId, Task Completion);

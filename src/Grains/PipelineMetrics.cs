using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Shopstream.Grains;

/// <summary>Pipeline counters, published on the <c>Shopstream</c> meter and readable in-process.</summary>
public static class PipelineMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Shopstream";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> AppliedCounter = Meter.CreateCounter<long>("shopstream.records.applied", description: "Records that changed an entity");
    private static readonly Counter<long> IgnoredCounter = Meter.CreateCounter<long>("shopstream.records.ignored", description: "Replayed, late or identical records");
    private static readonly ConcurrentDictionary<string, long[]> Totals = new(StringComparer.Ordinal);

    public static void Applied(string streamNamespace)
    {
        AppliedCounter.Add(1, new KeyValuePair<string, object?>("namespace", streamNamespace));
        Interlocked.Increment(ref Totals.GetOrAdd(streamNamespace, _ => new long[2])[0]);
    }

    public static void Ignored(string streamNamespace)
    {
        IgnoredCounter.Add(1, new KeyValuePair<string, object?>("namespace", streamNamespace));
        Interlocked.Increment(ref Totals.GetOrAdd(streamNamespace, _ => new long[2])[1]);
    }

    /// <summary>Applied and ignored totals per namespace in this process.</summary>
    public static IReadOnlyDictionary<string, (long Applied, long Ignored)> Snapshot() =>
        Totals.ToDictionary(t => t.Key, t => (Interlocked.Read(ref t.Value[0]), Interlocked.Read(ref t.Value[1])));
}

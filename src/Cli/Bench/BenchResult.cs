namespace Shopstream.Cli.Bench;

/// <summary>Numbers of one bench run.</summary>
public sealed record BenchResult(
    double EndToEnd, double FloorConsume, double FloorDb, double Baseline, double BaselinePooled, double P50Ms, double P99Ms,
    double PeakRssMb, int Records, int Entities, long RowsVerified, double LatencyOffered, double LatencyAchieved)
{
    /// <summary>Distinct entities the end-to-end phase updated: the product rows it must leave.</summary>
    public long ExpectedRows { get; init; }

    /// <summary>How the end-to-end phase spread its updates.</summary>
    public BenchKeyDistribution Keys { get; init; }

    /// <summary>New entities/s over the end-to-end phase's first pass (round-robin keys only; else 0).</summary>
    public double Activation { get; init; }

    /// <summary>Share of the end-to-end phase the GC had the process paused (0..1).</summary>
    public double GcShare { get; init; }

    /// <summary>Records of the memory phase, each to a new entity (0: not run).</summary>
    public int Distinct { get; init; }

    /// <summary>Records/s of the memory phase.</summary>
    public double DistinctRate { get; init; }

    /// <summary>Peak resident set during the memory phase.</summary>
    public double DistinctPeakRssMb { get; init; }

    /// <summary>Rows of the memory phase's entities after it.</summary>
    public long DistinctRows { get; init; }

    /// <summary>Events/s the lake writer committed over the http phase's events (0: not run).</summary>
    public double Lake { get; init; }

    /// <summary>RappelConso notices/s from a fixture API to rows.</summary>
    public double Recalls { get; init; }

    /// <summary>Events/s one feed bridge moved from a foreign broker to ours.</summary>
    public double Feed { get; init; }

    /// <summary>Produce-to-visible p50 of updates that each name a new entity (an activation each), at the latency rate.</summary>
    public double P50NewMs { get; init; }

    /// <summary>Produce-to-visible p99 of updates that each name a new entity, at the latency rate.</summary>
    public double P99NewMs { get; init; }

    /// <summary>The events phase (clickstream events end to end); null when not run.</summary>
    public EventsEndToEndResult? Events { get; init; }

    /// <summary>The ingest API phase; null when not run.</summary>
    public HttpIngestResult? Http { get; init; }
}

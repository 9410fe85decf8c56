namespace Shopstream.Cli.Bench;

/// <summary>What one bench run measures.</summary>
/// <param name="Records">Record updates in the end-to-end and floor runs.</param>
/// <param name="Entities">Distinct entities the updates are spread over.</param>
/// <param name="Partitions">Partitions per topic on the embedded broker.</param>
/// <param name="Postgres">Server connection string; the bench uses its own database on it.</param>
/// <param name="BaselineRecords">Records the per-record-round-trip baseline processes (it is slow).</param>
/// <param name="ReferenceRecords">Records the connection-per-record baseline processes (it is slower still).</param>
/// <param name="LatencyRate">Offered records/s during the latency run.</param>
/// <param name="LatencySeconds">Length of the latency run.</param>
/// <param name="Distinct">Records of the memory phase, each to a new entity (0 skips it).</param>
/// <param name="HttpRate">Events/s offered to the ingest API.</param>
/// <param name="HttpSeconds">Length of the ingest API phase (0 skips it).</param>
/// <param name="MemoryLimitMb">The silo's memory budget (<see cref="Silo.Hosting.ShopstreamOptions.MemoryLimitMb"/>).</param>
public sealed record BenchSettings(
    int Records, int Entities, int Partitions, string Postgres, int BaselineRecords, int ReferenceRecords, int LatencyRate, int LatencySeconds, int Distinct, int HttpRate, int HttpSeconds, int MemoryLimitMb)
{
    /// <summary>Whether the silos of the end-to-end, latency and memory phases land every message in the raw zone (the default of every silo).</summary>
    public bool RawZone { get; init; } = true;

    /// <summary>How the end-to-end phase spreads its updates over the entities.</summary>
    public BenchKeyDistribution Keys { get; init; } = BenchKeyDistribution.RoundRobin;

    /// <summary>Clickstream events of the events phase, end to end in 50,000 sessions (0 skips it).</summary>
    public int Events { get; init; } = 300_000;

    /// <summary><c>Shopstream:KafkaClient:*</c>, for the silos' Kafka clients.</summary>
    public Dictionary<string, string> KafkaClient { get; init; } = new(StringComparer.Ordinal);
}

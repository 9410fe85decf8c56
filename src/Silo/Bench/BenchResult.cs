namespace Shopstream.Silo.Bench;

/// <summary>Numbers of one bench run.</summary>
public sealed record BenchResult(
    double EndToEnd, double FloorConsume, double FloorDb, double Baseline, double BaselinePooled, double P50Ms, double P99Ms,
    double PeakRssMb, int Records, int Entities, long RowsVerified, double LatencyOffered, double LatencyAchieved);

namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// A record that could not be used, with the reason. Kept as data (table <c>rejected_records</c>), never thrown.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RejectedRecord
{
    /// <summary>Where it was rejected: <c>ingest</c>, <c>decode</c> or <c>grain</c>.</summary>
    [Id(0)] public required string Stage { get; init; }
    [Id(1)] public string? Topic { get; init; }
    [Id(2)] public int? Partition { get; init; }
    [Id(3)] public long? Offset { get; init; }
    [Id(4)] public string? Key { get; init; }
    [Id(5)] public required string Payload { get; init; }
    [Id(6)] public required string Reason { get; init; }
}

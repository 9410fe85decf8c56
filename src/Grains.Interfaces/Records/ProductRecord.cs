namespace Shopstream.Grains.Interfaces.Records;

/// <summary>A product as normalized by the ingest, before any derived field.</summary>
[GenerateSerializer, Immutable]
public sealed record ProductRecord
{
    [Id(0)] public required string Source { get; init; }
    [Id(1)] public required long Id { get; init; }
    [Id(2)] public string? Title { get; init; }
    [Id(3)] public string? Description { get; init; }
    [Id(4)] public string? Category { get; init; }
    [Id(5)] public decimal? Price { get; init; }
    [Id(6)] public string? ImageUrl { get; init; }
    [Id(7)] public decimal? RatingValue { get; init; }
    [Id(8)] public int? RatingCount { get; init; }
    [Id(9)] public int? Stock { get; init; }
    [Id(10)] public string? Brand { get; init; }
}

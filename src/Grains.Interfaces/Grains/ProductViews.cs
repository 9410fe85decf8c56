namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>A product's live view counters, kept by its grain from the clickstream.</summary>
/// <param name="Views">Product views counted so far (each event once).</param>
/// <param name="LastViewedAt">When the latest of them happened; null before the first.</param>
[GenerateSerializer, Immutable]
public sealed record ProductViews(
    [property: Id(0)] long Views,
    [property: Id(1)] DateTimeOffset? LastViewedAt);

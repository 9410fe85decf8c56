namespace Shopstream.Grains.Entities;

/// <summary>What a product grain persists of its live view counters.</summary>
[GenerateSerializer]
public sealed class ProductViewsState
{
    [Id(0)] public long Views { get; set; }

    [Id(1)] public DateTimeOffset? LastViewedAt { get; set; }
}

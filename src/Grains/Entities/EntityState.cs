namespace Shopstream.Grains.Entities;

/// <summary>What an entity grain persists: enough to drop duplicates after a restart.</summary>
[GenerateSerializer]
public sealed class EntityState<T> where T : class
{
    [Id(0)] public T? Current { get; set; }

    /// <summary>Highest version seen (applied, or identical in content).</summary>
    [Id(1)] public long Version { get; set; }

    [Id(2)] public string? ContentHash { get; set; }

    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }

    [Id(4)] public long Applied { get; set; }

    [Id(5)] public long Ignored { get; set; }
}

namespace Shopstream.Grains.Entities;

/// <summary>What an entity grain persists: enough to drop duplicates after a restart.</summary>
[GenerateSerializer]
public sealed class EntityState<T> where T : class
{
    /// <summary>The latest record as an object: only in state saved before <see cref="CurrentJson"/>; read once, then dropped.</summary>
    [Id(0)] public T? Current { get; set; }

    /// <summary>
    /// The latest record's canonical JSON (<c>WireFormat.Json</c>): one flat array per live entity instead of an object
    /// graph, so the 100,000 entities a silo holds cost the garbage collector little; its hash is <see cref="ContentHash"/>.
    /// </summary>
    [Id(6)] public byte[]? CurrentJson { get; set; }

    /// <summary>Highest version seen (applied, or identical in content).</summary>
    [Id(1)] public long Version { get; set; }

    [Id(2)] public string? ContentHash { get; set; }

    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }

    [Id(4)] public long Applied { get; set; }

    [Id(5)] public long Ignored { get; set; }
}

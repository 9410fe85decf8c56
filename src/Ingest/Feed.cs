using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest;

/// <summary>
/// One (source, entity) pair, e.g. <c>dummyjson/carts</c>: the unit the ingest reads and counts.
/// </summary>
/// <param name="Source">A <see cref="SourceNames"/> value.</param>
/// <param name="Entity">
/// <see cref="StreamNamespaces.Products"/>, <see cref="StreamNamespaces.Carts"/> or <see cref="StreamNamespaces.Users"/>;
/// the entity names of the APIs and the stream namespaces are the same words.
/// </param>
public readonly record struct Feed(string Source, string Entity)
{
    /// <summary>The entities in the order they are ingested: referenced entities (products, users) before carts.</summary>
    public static IReadOnlyList<string> Entities { get; } = [StreamNamespaces.Products, StreamNamespaces.Users, StreamNamespaces.Carts];

    /// <summary>Every feed of every source.</summary>
    public static IReadOnlyList<Feed> All { get; } =
        [.. SourceNames.All.SelectMany(source => Entities.Select(entity => new Feed(source, entity)))];

    public override string ToString() => $"{Source}/{Entity}";
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Shopstream.Grains.Interfaces;

/// <summary>
/// The key of one source entity, <c>source:id</c> (<c>dummyjson:5</c>): the Kafka message key, the grain key and the
/// key of its rows. The source never holds a colon, so the first colon splits a key and the id may hold colons (a
/// rejected record without an id is keyed by its position, <c>dummyjson:products:3</c>).
/// </summary>
public readonly record struct EntityKey
{
    /// <summary>Between the source and the id.</summary>
    public const char Separator = ':';

    /// <summary>A key of <paramref name="source"/> (non-empty, no colon) and <paramref name="id"/> (non-empty).</summary>
    /// <exception cref="ArgumentException">The source is empty or holds a colon, or the id is empty.</exception>
    public EntityKey(string source, string id)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(id);
        if (!IsSource(source))
        {
            throw new ArgumentException($"an entity key's source must be non-empty and hold no '{Separator}', not '{source}'", nameof(source));
        }
        if (id.Length == 0)
        {
            throw new ArgumentException("an entity key's id must be non-empty", nameof(id));
        }
        Source = source;
        Id = id;
    }

    /// <summary>A key with a numeric id, formatted invariantly (<c>5</c>, never <c>5,0</c> or a culture's digits).</summary>
    public EntityKey(string source, long id)
        : this(source, id.ToString(CultureInfo.InvariantCulture))
    {
    }

    public string Source { get; }

    public string Id { get; }

    /// <summary>A key of <paramref name="source"/> and <paramref name="id"/>; false (no exception) when they cannot form one.</summary>
    public static bool TryCreate([NotNullWhen(true)] string? source, [NotNullWhen(true)] string? id, out EntityKey key)
    {
        if (source is null || id is null || !IsSource(source) || id.Length == 0)
        {
            key = default;
            return false;
        }
        key = new EntityKey(source, id);
        return true;
    }

    /// <inheritdoc cref="TryCreate(string?, string?, out EntityKey)"/>
    public static bool TryCreate([NotNullWhen(true)] string? source, long id, out EntityKey key) =>
        TryCreate(source, id.ToString(CultureInfo.InvariantCulture), out key);

    /// <summary>
    /// The key of a rejected record without a usable id: its position in the feed is all that identifies it, so the id
    /// is <c>entity:index</c> (<c>dummyjson:products:3</c>). It parses back to the same key.
    /// </summary>
    public static EntityKey OfUnidentified(string source, string entity, int index)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return new EntityKey(source, string.Create(CultureInfo.InvariantCulture, $"{entity}{Separator}{index}"));
    }

    /// <summary>The key of <paramref name="text"/>, <c>source:id</c>; false when it has no colon, or nothing before or after it.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out EntityKey key)
    {
        var colon = text?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (colon < 0)
        {
            key = default;
            return false;
        }
        return TryCreate(text![..colon], text[(colon + 1)..], out key);
    }

    /// <exception cref="FormatException"><paramref name="text"/> is not <c>source:id</c>.</exception>
    public static EntityKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var key)
            ? key
            : throw new FormatException($"'{text}' is not an entity key (source{Separator}id, both non-empty)");
    }

    /// <summary><c>source:id</c>.</summary>
    public override string ToString() => Source + Separator + Id;

    private static bool IsSource(string source) =>
        source.Length > 0 && !source.Contains(Separator, StringComparison.Ordinal);
}

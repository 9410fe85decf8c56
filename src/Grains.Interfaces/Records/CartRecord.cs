using System.Collections.Immutable;

namespace Shopstream.Grains.Interfaces.Records;

/// <summary>A cart as normalized by the ingest: one line per product, quantities of repeated products summed.</summary>
[GenerateSerializer, Immutable]
public sealed record CartRecord
{
    [Id(0)] public required string Source { get; init; }
    [Id(1)] public required long Id { get; init; }
    [Id(2)] public long? UserId { get; init; }
    /// <summary>UTC date of the cart; null when the source has none (DummyJSON).</summary>
    [Id(3)] public DateTime? CartDate { get; init; }
    [Id(4)] public ImmutableArray<CartLine> Lines { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(CartRecord? other) =>
        other is not null && Source == other.Source && Id == other.Id && UserId == other.UserId &&
        CartDate == other.CartDate && Lines.SequenceEqual(other.Lines);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Source, Id, UserId, CartDate, Lines.Length);
}

/// <summary>One product in a cart.</summary>
[GenerateSerializer, Immutable]
public sealed record CartLine(
    [property: Id(0)] long ProductId,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal? UnitPrice);

using System.Collections.Immutable;

namespace Shopstream.Grains.Projection;

/// <summary>A product row as projected into <c>products</c>.</summary>
public sealed record ProductRow(
    string Source, long Id, string? Title, string? Description, string? Category, decimal? Price, string? ImageUrl,
    decimal? RatingValue, int? RatingCount, int? Stock, string? Brand, string? PriceCategory, long Version, string ContentHash);

/// <summary>A cart with its lines, projected into <c>carts</c> and <c>cart_items</c>.</summary>
public sealed record CartRow(
    string Source, long CartId, long? UserId, DateTime? CartDate, string? DayOfWeek, string? Month,
    ImmutableArray<CartLineRow> Lines, long Version, string ContentHash);

/// <summary>One line of a projected cart.</summary>
public sealed record CartLineRow(long ProductId, int Quantity, decimal? UnitPrice);

/// <summary>A user row as projected into <c>users</c>.</summary>
public sealed record UserRow(
    string Source, long Id, string? Email, string? Username, string? FirstName, string? LastName, string? Phone,
    string? AddressStreet, string? AddressCity, string? AddressZipcode, long Version, string ContentHash);

/// <summary>A row of <c>rejected_records</c>; <paramref name="Fingerprint"/> makes a replayed rejection a no-op.</summary>
public sealed record RejectedRow(
    string Stage, string? Topic, int? Partition, long? Offset, string? Key, string Payload, string Reason, string Fingerprint);

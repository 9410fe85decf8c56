namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>A session's aggregate, as its row in <c>sessions</c> holds it.</summary>
/// <param name="FirstEventAt">When its earliest event happened.</param>
/// <param name="LastEventAt">When its latest event happened.</param>
/// <param name="Events">Distinct events.</param>
/// <param name="ProductsViewed">Distinct products viewed.</param>
/// <param name="ProductsCarted">Distinct products added to the cart.</param>
/// <param name="ProductsPurchased">Distinct products purchased.</param>
/// <param name="Converted">Whether the session has a purchase.</param>
/// <param name="Applied">Events that were new to the session, over its life.</param>
/// <param name="Ignored">Events dropped as duplicates (same event id and product), over its life.</param>
[GenerateSerializer, Immutable]
public sealed record SessionSnapshot(
    [property: Id(0)] DateTimeOffset FirstEventAt,
    [property: Id(1)] DateTimeOffset LastEventAt,
    [property: Id(2)] int Events,
    [property: Id(3)] int ProductsViewed,
    [property: Id(4)] int ProductsCarted,
    [property: Id(5)] int ProductsPurchased,
    [property: Id(6)] bool Converted,
    [property: Id(7)] long Applied,
    [property: Id(8)] long Ignored);

namespace Shopstream.Ingest.Events;

/// <summary>
/// The event types Shopstream knows. The generic shape accepts any lowercase identifier of at most
/// <see cref="MaxLength"/> characters and the web tracker any snake_case collection name; only the known types are
/// product facts, every type reaches the lake.
/// </summary>
public static class ClickEventTypes
{
    public const string PageView = "page_view";
    public const string ProductView = "product_view";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Purchase = "purchase";

    /// <summary>Longest generic event type.</summary>
    public const int MaxLength = 64;

    /// <summary>Every known event type, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All { get; } = [PageView, ProductView, AddToCart, RemoveFromCart, Purchase];

    /// <summary>Whether an event of this type is about one product and so needs a <c>product_id</c>.</summary>
    public static bool NeedsProduct(string eventType) =>
        eventType is ProductView or AddToCart or RemoveFromCart;
}

namespace Shopstream.Ingest.Events;

/// <summary>The event types of the generic event shape; the web tracker may add its own collection names.</summary>
public static class ClickEventTypes
{
    public const string PageView = "page_view";
    public const string ProductView = "product_view";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Purchase = "purchase";

    /// <summary>Every generic event type, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All { get; } = [PageView, ProductView, AddToCart, RemoveFromCart, Purchase];

    /// <summary>Whether an event of this type is about one product and so needs a <c>product_id</c>.</summary>
    public static bool NeedsProduct(string eventType) =>
        eventType is ProductView or AddToCart or RemoveFromCart;
}

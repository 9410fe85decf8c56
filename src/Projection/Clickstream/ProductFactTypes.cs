using System.Collections.Frozen;

namespace Shopstream.Projection.Clickstream;

/// <summary>
/// The event types that are product facts (<c>fact_events</c>, sessions, reports): the five the star schema knows.
/// The door accepts any lowercase identifier as an event type and the web tracker any collection name; those other
/// types reach the lake (src/Lake), which reads the events topic itself, and stay out of the facts.
/// The same five names as <c>Shopstream.Ingest.Events.ClickEventTypes.All</c>, which the projection may not import.
/// </summary>
internal static class ProductFactTypes
{
    private static readonly FrozenSet<string> Known =
        FrozenSet.Create(StringComparer.Ordinal, ["page_view", "product_view", "add_to_cart", "remove_from_cart", "purchase"]);

    public static bool IsProductFact(string eventType) => Known.Contains(eventType);
}

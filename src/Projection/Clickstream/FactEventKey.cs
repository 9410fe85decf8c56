using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Projection.Clickstream;

/// <summary>The <c>fact_events.event_key</c> of a click event's fact: see <see cref="EventFact.KeyOf"/>.</summary>
public static class FactEventKey
{
    /// <summary>The key of the fact of <paramref name="eventId"/> about <paramref name="productKey"/> (null: no product).</summary>
    public static string Of(string eventId, string? productKey) => EventFact.KeyOf(eventId, productKey);

    public static string Of(ClickEvent clickEvent)
    {
        ArgumentNullException.ThrowIfNull(clickEvent);
        return Of(clickEvent.EventId, clickEvent.ProductId);
    }
}

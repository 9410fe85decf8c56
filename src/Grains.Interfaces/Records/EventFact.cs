namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// A fact of a click event: the event about one product. One source event may be about several products (a purchase),
/// so the event id alone does not name a fact; the event id and the product key do.
/// </summary>
public static class EventFact
{
    /// <summary>
    /// The fact's id: event id and product key (none: empty) joined with <see cref="ContentHash.PartSeparator"/>. The
    /// session grain dedupes by it and keeps it in its state; <see cref="KeyOf(string, string?)"/> hashes it.
    /// </summary>
    public static string IdOf(string eventId, string? productKey)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        // Not a null part: the stored keys of events without a product were made with an empty one.
        return ContentHash.JoinParts(eventId, productKey ?? "");
    }

    /// <inheritdoc cref="IdOf(string, string?)"/>
    public static string IdOf(ClickEvent clickEvent)
    {
        ArgumentNullException.ThrowIfNull(clickEvent);
        return IdOf(clickEvent.EventId, clickEvent.ProductId);
    }

    /// <summary>The fact's <c>fact_events.event_key</c>: the content hash of its <see cref="IdOf(string, string?)"/>.</summary>
    public static string KeyOf(string eventId, string? productKey) => ContentHash.OfText(IdOf(eventId, productKey));
}

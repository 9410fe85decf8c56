using System.Security.Cryptography;
using System.Text;
using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Projection.Clickstream;

/// <summary>
/// The <c>fact_events.event_key</c>: lower-case hex SHA-256 of the event id and the product key. One source event
/// may be about several products (a purchase), so the event id alone would not identify a fact row.
/// </summary>
public static class FactEventKey
{
    /// <summary>The key of the fact of <paramref name="eventId"/> about <paramref name="productKey"/> (null: no product).</summary>
    public static string Of(string eventId, string? productKey)
    {
        ArgumentNullException.ThrowIfNull(eventId);

        // A control character no id contains as separator keeps ("a", "bc") and ("ab", "c") apart.
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId + '\u001f' + (productKey ?? ""))));
    }

    public static string Of(ClickEvent clickEvent)
    {
        ArgumentNullException.ThrowIfNull(clickEvent);
        return Of(clickEvent.EventId, clickEvent.ProductId);
    }
}

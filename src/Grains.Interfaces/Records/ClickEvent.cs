namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// One clickstream event as normalized by the ingest, whatever shape it arrived in (web tracker, product view feed
/// or generic event), enriched with the user-agent and referrer classification the star schema reports group by.
/// An e-mail address is never part of it: only <see cref="EmailSha256"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClickEvent
{
    /// <summary>The source's event id; for the product view feed, which has none, a SHA-256 of its content.</summary>
    [Id(0)] public required string EventId { get; init; }

    /// <summary><c>page_view</c>, <c>product_view</c>, <c>add_to_cart</c>, <c>remove_from_cart</c>, <c>purchase</c>, or a web tracker collection name.</summary>
    [Id(1)] public required string EventType { get; init; }

    /// <summary>When the event happened, in UTC (offset zero).</summary>
    [Id(2)] public required DateTimeOffset OccurredAt { get; init; }

    /// <summary><c>session_id</c>, else <c>device_id</c>.</summary>
    [Id(3)] public required string SessionKey { get; init; }

    [Id(4)] public string? UserId { get; init; }
    [Id(5)] public string? ProductId { get; init; }
    [Id(6)] public string? StoreId { get; init; }
    [Id(7)] public string? Ip { get; init; }
    [Id(8)] public string? UserAgent { get; init; }
    [Id(9)] public string? ReferrerUrl { get; init; }
    [Id(10)] public string? CurrentUrl { get; init; }
    [Id(11)] public string? UtmSource { get; init; }
    [Id(12)] public string? UtmMedium { get; init; }
    [Id(13)] public string? Resolution { get; init; }

    /// <summary>Lower-case hex SHA-256 of the trimmed, lower-cased address; the address itself is never kept.</summary>
    [Id(14)] public string? EmailSha256 { get; init; }

    /// <summary>The generic event's <c>location</c>, as sent.</summary>
    [Id(15)] public string? Location { get; init; }

    /// <summary>The web tracker's product <c>option</c> array as compact JSON text; null when there is none.</summary>
    [Id(16)] public string? Options { get; init; }

    /// <summary>The fields no other property holds, as compact JSON object text; null when there are none.</summary>
    [Id(17)] public string? Extras { get; init; }

    /// <summary>Chrome, Edge, Firefox, Safari, Opera, Samsung Internet, Bot, Other, or Unknown without a user agent.</summary>
    [Id(18)] public required string Browser { get; init; }

    /// <summary>Windows, macOS, iOS, Android, Linux, Other, or Unknown without a user agent.</summary>
    [Id(19)] public required string Os { get; init; }

    /// <summary>desktop, mobile, tablet, bot, or unknown.</summary>
    [Id(20)] public required string DeviceType { get; init; }

    /// <summary>The referrer's host without <c>www.</c>; null for direct traffic or a referrer that is not an http(s) URL.</summary>
    [Id(21)] public string? ReferrerDomain { get; init; }

    /// <summary>direct, search, social, internal or other.</summary>
    [Id(22)] public required string ReferrerType { get; init; }
}

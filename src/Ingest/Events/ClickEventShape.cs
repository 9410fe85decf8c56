namespace Shopstream.Ingest.Events;

/// <summary>The input shapes <see cref="ClickEventNormalizer"/> recognises.</summary>
public enum ClickEventShape
{
    /// <summary>No recognised shape, or not a JSON object.</summary>
    Unknown = 0,

    /// <summary>The web tracker's events: <c>_id</c>/<c>id</c>, <c>time_stamp</c> (unix seconds), <c>collection</c>, ...</summary>
    WebTracker,

    /// <summary>The product view feed: <c>product_id</c>, <c>device_id</c>, <c>remote_ip</c>, <c>timestamp</c>, ... and no event id.</summary>
    ProductViewFeed,

    /// <summary>The generic event: <c>event_id</c>, <c>event_type</c>, <c>timestamp</c>, <c>session_id</c>, ... plus any extra fields.</summary>
    Generic,
}

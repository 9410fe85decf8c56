namespace Shopstream.Ingest.Events;

/// <summary>
/// The limits the ingest door holds every event (and source record) to, so that nothing it accepts is later refused
/// by Kafka or PostgreSQL. A value beyond a limit rejects its event with a message naming the field and the limit;
/// nothing is truncated, because a cut identifier or URL would silently become a different one.
/// </summary>
/// <remarks>
/// Lengths count UTF-16 code units (what <see cref="string.Length"/> counts; a character outside the Basic Multilingual
/// Plane counts 2). In UTF-8 a key of <see cref="MaxKeyLength"/> is at most 768 bytes, well under PostgreSQL's btree
/// entry limit of about 2,700 bytes.
/// </remarks>
public static class EventLimits
{
    /// <summary>
    /// Longest identifier or key: event, session, device, user, product and store ids, the event type and the
    /// <c>location</c> text. They become primary keys or indexed columns (<c>sessions.session_key</c>,
    /// <c>fact_events_session_idx</c>, Orleans' <c>GrainIdExtensionString varchar(512)</c>, <c>dim_product.product_key</c>, <c>dim_location.location_key</c>).
    /// </summary>
    public const int MaxKeyLength = 256;

    /// <summary>Longest free-text field: user agent, URLs, UTM fields, resolution, device, source titles and descriptions.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>
    /// Largest event, in bytes of its JSON (one array element or one NDJSON line): a larger one is rejected alone
    /// before it is parsed, and never produced to Kafka.
    /// </summary>
    public const int MaxEventBytes = 64 * 1024;

    /// <summary>How much of a text that is not valid JSON is kept for its rejection (before masking), in characters.</summary>
    public const int MaxExcerptLength = 1024;

    /// <summary>Earliest timestamp accepted (inclusive): the unix epoch.</summary>
    public static readonly DateTimeOffset MinTimestamp = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest timestamp accepted (exclusive): 2100-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset MaxTimestamp = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether <paramref name="at"/> is in [<see cref="MinTimestamp"/>, <see cref="MaxTimestamp"/>).</summary>
    public static bool InRange(DateTimeOffset at) => at >= MinTimestamp && at < MaxTimestamp;
}

namespace Shopstream.Grains.Projection;

/// <summary>
/// What a session grain writes for a burst of new events, in one transaction: their facts, the dimension rows they
/// refer to, and the session's aggregate recomputed from all its facts.
/// </summary>
public sealed record SessionEventsRow(
    string SessionKey,
    IReadOnlyList<FactEventRow> Facts,
    IReadOnlyList<ProductDimensionRow> Products,
    IReadOnlyList<LocationRow> Locations,
    IReadOnlyList<UserAgentRow> UserAgents,
    IReadOnlyList<ReferrerRow> Referrers);

/// <summary>
/// One row of <c>fact_events</c>. The writer derives <c>event_key</c> from <paramref name="EventId"/> and
/// <paramref name="ProductKey"/> and <c>date_key</c>/<c>event_time</c> from <paramref name="OccurredAt"/>.
/// </summary>
public sealed record FactEventRow(
    string EventId, string EventType, DateTimeOffset OccurredAt, string SessionKey, string? UserId, string? ProductKey,
    string LocationKey, string UserAgentKey, string ReferrerKey, string? StoreId, string? CurrentUrl, string? UtmSource,
    string? UtmMedium, string? Resolution, string? Options, string? Extras);

/// <summary>
/// A row of <c>dim_product</c>. Its name is the catalogue's title when <paramref name="CatalogueSource"/> and
/// <paramref name="CatalogueId"/> name a product the catalogue has, else <paramref name="UrlName"/>.
/// </summary>
public sealed record ProductDimensionRow(
    string ProductKey, string? UrlName, string? CurrentUrl, string? LanguageCode, string? CatalogueSource, long? CatalogueId);

/// <summary>A row of <c>dim_location</c>.</summary>
public sealed record LocationRow(
    string LocationKey, string? IpAddress, string? CountryCode, string CountryName, string? RegionName, string? CityName);

/// <summary>A row of <c>dim_user_agent</c>; the key is a hash of all its columns.</summary>
public sealed record UserAgentRow(string UserAgentKey, string? UserAgent, string Browser, string Os, string DeviceType);

/// <summary>A row of <c>dim_referrer</c>; the key is a hash of all its columns.</summary>
public sealed record ReferrerRow(string ReferrerKey, string? ReferrerUrl, string? ReferrerDomain, string ReferrerType);

/// <summary>A session's aggregate as the <c>sessions</c> row holds it after a write.</summary>
public sealed record SessionAggregateRow(
    string SessionKey, DateTimeOffset FirstEventAt, DateTimeOffset LastEventAt, int Events, int ProductsViewed,
    int ProductsCarted, int ProductsPurchased, bool Converted);

/// <summary>The outcome of writing a <see cref="SessionEventsRow"/>.</summary>
/// <param name="Inserted">The facts that were new; the others were already in <c>fact_events</c> (replays).</param>
/// <param name="Session">The session's aggregate after the write; null when PostgreSQL refused the rows (then kept as a rejected record).</param>
public sealed record SessionEventsResult(IReadOnlyList<FactEventRow> Inserted, SessionAggregateRow? Session);

namespace Shopstream.Ingest.Events;

/// <summary>What <see cref="ReferrerClassifier"/> makes of one referrer URL: the <c>dim_referrer</c> columns.</summary>
/// <param name="Domain">The referrer's host, lower-case, without <c>www.</c>; null when direct or not an http(s) URL.</param>
/// <param name="Type">direct, search, social, internal or other.</param>
public sealed record ReferrerProfile(string? Domain, string Type);

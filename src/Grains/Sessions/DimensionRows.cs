using System.Collections.Concurrent;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Sessions;

/// <summary>
/// The user-agent and referrer rows of events, made once per distinct content for the whole process: their keys are a
/// SHA-256 of every column, and a few distinct agents and referrers recur in millions of events, so hashing them per
/// event was a measurable share of a session grain's work. Equal content gives the same row object, which also lets
/// a batch dedupe them by reference.
/// </summary>
internal static class DimensionRows
{
    // Bounded: past this many distinct rows the cache starts over; a miss only costs one hash.
    private const int Capacity = 50_000;

    private static readonly ConcurrentDictionary<(string? UserAgent, string Browser, string Os, string DeviceType), UserAgentRow> Agents = new();
    private static readonly ConcurrentDictionary<(string? Url, string? Domain, string Type), ReferrerRow> Referrers = new();

    public static UserAgentRow AgentOf(string? userAgent, string browser, string os, string deviceType) =>
        Cached(Agents, (userAgent, browser, os, deviceType), static k =>
            new UserAgentRow(ContentHash.OfParts("user-agent", k.Item1, k.Item2, k.Item3, k.Item4), k.Item1, k.Item2, k.Item3, k.Item4));

    public static ReferrerRow ReferrerOf(string? url, string? domain, string type) =>
        Cached(Referrers, (url, domain, type), static k =>
            new ReferrerRow(ContentHash.OfParts("referrer", k.Item1, k.Item2, k.Item3), k.Item1, k.Item2, k.Item3));

    private static TRow Cached<TKey, TRow>(ConcurrentDictionary<TKey, TRow> cache, TKey key, Func<TKey, TRow> create) where TKey : notnull
    {
        if (cache.TryGetValue(key, out var row))
        {
            return row;
        }
        if (cache.Count >= Capacity)
        {
            cache.Clear();
        }
        return cache.GetOrAdd(key, create);
    }
}

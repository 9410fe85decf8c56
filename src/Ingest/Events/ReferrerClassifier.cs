using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Classifies where a visitor came from by the referrer URL's host: <c>direct</c>, <c>internal</c>, <c>search</c>,
/// <c>social</c> or <c>other</c>.
/// </summary>
/// <remarks>
/// Internal is checked before search and social, so that a store's own pages count as internal whatever its domain.
/// The registrable domain is approximated without the public suffix list (the last two labels, or three under a
/// two-letter country code with a generic second level such as <c>co.uk</c>): right for the domains shops and
/// their referrers use in practice.
/// </remarks>
public static class ReferrerClassifier
{
    public const string Direct = "direct";
    public const string Search = "search";
    public const string Social = "social";
    public const string Internal = "internal";
    public const string Other = "other";

    private static readonly ReferrerProfile NoReferrer = new(null, Direct);
    private static readonly ReferrerProfile NotAUrl = new(null, Other);

    // Matched against the name in front of the public suffix, so every country domain of an engine matches.
    private static readonly FrozenSet<string> SearchNames = FrozenSet.Create(
        StringComparer.Ordinal,
        "google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "ask", "naver", "seznam", "qwant", "startpage");

    private static readonly FrozenSet<string> SearchHosts = FrozenSet.Create(StringComparer.Ordinal, "search.brave.com");

    private static readonly FrozenSet<string> SocialNames = FrozenSet.Create(
        StringComparer.Ordinal,
        "facebook", "instagram", "twitter", "linkedin", "pinterest", "reddit", "tiktok", "youtube");

    // Short names matched on the whole registrable domain: "x" alone would also match x.co.uk and the like.
    private static readonly FrozenSet<string> SocialDomains = FrozenSet.Create(
        StringComparer.Ordinal,
        "x.com", "t.co", "fb.com", "fb.me", "m.me", "lnkd.in", "pin.it", "redd.it", "youtu.be");

    private static readonly FrozenSet<string> GenericSecondLevels = FrozenSet.Create(
        StringComparer.Ordinal, "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "gouv");

    /// <summary>Classifies <paramref name="referrerUrl"/>.</summary>
    /// <param name="referrerUrl">The referrer as sent.</param>
    /// <param name="ownSites">The site's own absolute URLs or bare host names; null entries are ignored.</param>
    public static ReferrerProfile Classify(string? referrerUrl, params ReadOnlySpan<string?> ownSites)
    {
        if (string.IsNullOrWhiteSpace(referrerUrl))
        {
            return NoReferrer;
        }

        var domain = DomainOf(referrerUrl);
        if (domain is null)
        {
            return NotAUrl;
        }

        var registrable = RegistrableDomainOf(domain);
        foreach (var site in ownSites)
        {
            var siteDomain = DomainOf(site) ?? BareHostOf(site);
            if (siteDomain is not null && RegistrableDomainOf(siteDomain) == registrable)
            {
                return new ReferrerProfile(domain, Internal);
            }
        }

        var name = registrable.Split('.')[0];
        if (SearchNames.Contains(name) || SearchHosts.Contains(domain))
        {
            return new ReferrerProfile(domain, Search);
        }

        if (SocialNames.Contains(name) || SocialDomains.Contains(registrable) || SocialDomains.Contains(domain))
        {
            return new ReferrerProfile(domain, Social);
        }

        return new ReferrerProfile(domain, Other);
    }

    /// <summary>
    /// The host of an absolute http(s) URL, lower-case, without a leading <c>www.</c>; otherwise null.
    /// International domain names come out in their ASCII (punycode) form, so that one domain is one value however
    /// the URL spelled it.
    /// </summary>
    public static string? DomainOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0)
        {
            return null;
        }

        return WithoutWww(uri.IdnHost.TrimEnd('.').ToLowerInvariant());
    }

    private static string? BareHostOf(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var trimmed = host.Trim();
        return Uri.CheckHostName(trimmed) == UriHostNameType.Unknown ? null : WithoutWww(trimmed.TrimEnd('.').ToLowerInvariant());
    }

    private static string WithoutWww(string host) =>
        host.StartsWith("www.", StringComparison.Ordinal) && host.Length > 4 ? host[4..] : host;

    private static string RegistrableDomainOf(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address)
            && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            return host;
        }

        var labels = host.Split('.');
        if (labels.Length <= 2)
        {
            return host;
        }

        var keep = labels[^1].Length == 2 && GenericSecondLevels.Contains(labels[^2]) ? 3 : 2;
        return string.Join('.', labels[^keep..]);
    }
}

using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Classifies a user-agent string into browser, operating system and device type by its product tokens.
/// It is deliberately small: the reports group by a handful of families, not by versions.
/// </summary>
/// <remarks>
/// The checks run in an order that matters, because agents borrow each other's tokens: bots first (Googlebot's
/// smartphone agent claims Chrome on Android), Samsung Internet, Opera and Edge before Chrome, Chrome before Safari,
/// iOS before macOS, Android before Linux. iPadOS in desktop mode reads as macOS: nothing in the string tells them
/// apart. A blank agent is <c>Unknown</c>, not a guess, so that it does not inflate the desktop counts.
/// </remarks>
public static partial class UserAgentClassifier
{
    public const string Desktop = "desktop";
    public const string Mobile = "mobile";
    public const string Tablet = "tablet";
    public const string Bot = "bot";
    public const string UnknownDevice = "unknown";

    /// <summary>Browser and OS value of an absent user agent.</summary>
    public const string Unknown = "Unknown";

    /// <summary>Browser and OS value of a user agent none of the families match.</summary>
    public const string Other = "Other";

    private static readonly UserAgentProfile Absent = new(Unknown, Unknown, UnknownDevice);
    private static readonly UserAgentProfile Robot = new("Bot", Other, Bot);

    // A few distinct agents recur in every event of a stream, and the bot pattern was a measurable share of the door's
    // work per event: each agent is classified once (bounded; past that many it starts over).
    private const int RememberedAgents = 10_000;
    private static readonly ConcurrentDictionary<string, UserAgentProfile> Remembered = new(StringComparer.Ordinal);

    public static UserAgentProfile Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Absent;
        }
        if (Remembered.TryGetValue(userAgent, out var known))
        {
            return known;
        }
        if (Remembered.Count >= RememberedAgents)
        {
            Remembered.Clear();
        }
        return Remembered.GetOrAdd(userAgent, ClassifyPresent);
    }

    private static UserAgentProfile ClassifyPresent(string userAgent)
    {
        if (BotPattern().IsMatch(userAgent))
        {
            return Robot;
        }

        return new UserAgentProfile(BrowserOf(userAgent), OsOf(userAgent), DeviceTypeOf(userAgent));
    }

    private static string BrowserOf(string ua)
    {
        if (Has(ua, "SamsungBrowser/"))
        {
            return "Samsung Internet";
        }

        if (Has(ua, "OPR/") || Has(ua, "OPiOS/") || Has(ua, "Opera"))
        {
            return "Opera";
        }

        if (Has(ua, "Edg/") || Has(ua, "Edge/") || Has(ua, "EdgA/") || Has(ua, "EdgiOS/"))
        {
            return "Edge";
        }

        if (Has(ua, "Firefox/") || Has(ua, "FxiOS/"))
        {
            return "Firefox";
        }

        if (Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/"))
        {
            return "Chrome";
        }

        // In-app browsers on iOS (Facebook, Instagram, ...) carry AppleWebKit but no Safari/ token: not Safari.
        if (Has(ua, "Safari/") && (Has(ua, "Version/") || IsAppleMobile(ua)))
        {
            return "Safari";
        }

        return Other;
    }

    private static string OsOf(string ua)
    {
        // Windows Phone agents also claim Android and iPhone.
        if (Has(ua, "Windows Phone"))
        {
            return "Windows";
        }

        if (IsAppleMobile(ua))
        {
            return "iOS";
        }

        if (Has(ua, "Android"))
        {
            return "Android";
        }

        if (Has(ua, "Windows"))
        {
            return "Windows";
        }

        if (Has(ua, "Macintosh") || Has(ua, "Mac OS X"))
        {
            return "macOS";
        }

        if (Has(ua, "Linux") || Has(ua, "Ubuntu"))
        {
            return "Linux";
        }

        return Other;
    }

    private static string DeviceTypeOf(string ua)
    {
        if (Has(ua, "iPad") || Has(ua, "Tablet;") || Has(ua, "Kindle") || Has(ua, "Silk/")
            || (Has(ua, "Android") && !Has(ua, "Mobile") && !Has(ua, "Windows Phone")))
        {
            return Tablet;
        }

        if (Has(ua, "iPhone") || Has(ua, "iPod") || Has(ua, "Mobile") || Has(ua, "Windows Phone")
            || Has(ua, "Opera Mini") || Has(ua, "BlackBerry") || Has(ua, "BB10"))
        {
            return Mobile;
        }

        return Desktop;
    }

    private static bool IsAppleMobile(string ua) => Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod");

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.OrdinalIgnoreCase);

    // "bot" must end a word ("Googlebot/2.1", "AdsBot-Google", "bingbot)") so that words that merely contain it
    // do not match; "CUBOT", a phone brand, is excluded by name.
    [GeneratedRegex(
        @"(?<!cu)bot(?![a-z])|crawl|spider|slurp|curl/|wget/|python-requests|python-urllib|aiohttp|httpx|" +
        @"go-http-client|okhttp|java/|libwww|apache-httpclient|axios/|node-fetch|scrapy|headless|phantomjs|" +
        @"facebookexternalhit|mediapartners-google|google-inspectiontool|lighthouse",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BotPattern();
}

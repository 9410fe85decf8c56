using System.Text.RegularExpressions;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Classifies a user-agent string into browser, operating system and device type by its product tokens.
/// It is deliberately small: the reports group by a handful of families, not by versions.
/// </summary>
/// <remarks>
/// <para>The checks run in an order that matters, because browsers borrow each other's tokens:</para>
/// <list type="number">
/// <item>Bots first (<c>bot</c>, <c>crawler</c>, <c>spider</c>, <c>slurp</c>, <c>curl</c>, <c>wget</c>,
/// <c>python-requests</c>, headless browsers, HTTP libraries, ...): browser <c>Bot</c>, os <c>Other</c> (what a
/// crawler claims to run on says nothing about a visitor), device <c>bot</c>. Googlebot's smartphone agent
/// pretends to be Chrome on Android and is still a bot.</item>
/// <item>Browser: Samsung Internet (<c>SamsungBrowser/</c>), Opera (<c>OPR/</c>, <c>OPiOS/</c>, <c>Opera</c>) and
/// Edge (<c>Edg/</c>, legacy <c>Edge/</c>, <c>EdgA/</c>, <c>EdgiOS/</c>) before Chrome, since all of them also say
/// <c>Chrome/</c>; Firefox (<c>Firefox/</c>, <c>FxiOS/</c>); Chrome (<c>Chrome/</c>, <c>CriOS/</c>, <c>Chromium/</c>)
/// before Safari, since Chrome also says <c>Safari/</c>; Safari last (<c>Safari/</c> with <c>Version/</c> or on
/// iOS). Everything else, Internet Explorer and in-app browsers included, is <c>Other</c>.</item>
/// <item>OS: Windows Phone, then iOS (<c>iPhone</c>, <c>iPad</c>, <c>iPod</c>) before macOS, since iOS says
/// <c>like Mac OS X</c>; Android before Linux, since Android says <c>Linux</c>; Windows; macOS; Linux.
/// Chrome OS and the BSDs are <c>Other</c>.</item>
/// <item>Device: iPad, Android without <c>Mobile</c>, Kindle/Silk and <c>Tablet;</c> (Firefox on tablets; not the
/// old <c>Tablet PC</c> of Windows) are <c>tablet</c>; iPhone, iPod, <c>Mobile</c>, Windows Phone, Opera Mini and
/// BlackBerry are <c>mobile</c>; the rest <c>desktop</c>. iPadOS 13+ in its default desktop mode sends a Mac user
/// agent and so reads as a macOS desktop: there is nothing in the string to tell them apart.</item>
/// </list>
/// <para>A null, empty or blank user agent is <c>Unknown</c>/<c>Unknown</c>/<c>unknown</c> rather than a guess,
/// so that events without the header stay visible as such in the reports instead of inflating desktop counts.</para>
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

    public static UserAgentProfile Classify(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return Absent;
        }

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

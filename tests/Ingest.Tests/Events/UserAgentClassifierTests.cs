using Shopstream.Ingest.Events;
using Xunit;

namespace Shopstream.Ingest.Tests.Events;

public sealed class UserAgentClassifierTests
{
    [Theory]
    // Chrome on Windows
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Chrome", "Windows", "desktop")]
    // Chromium Edge says Chrome and Safari too
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", "Edge", "Windows", "desktop")]
    // Legacy EdgeHTML, as in the DummyJSON users
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Edge/97.0.1072.76 Safari/537.36", "Edge", "Windows", "desktop")]
    // Edge on Android
    [InlineData("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.0.0", "Edge", "Android", "mobile")]
    // Firefox on Linux
    [InlineData("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", "Linux", "desktop")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox", "Linux", "desktop")]
    // Firefox on Windows, as in the DummyJSON users
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:97.0) Gecko/20100101 Firefox/97.0", "Firefox", "Windows", "desktop")]
    // Firefox on an Android phone and an Android tablet
    [InlineData("Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0", "Firefox", "Android", "mobile")]
    [InlineData("Mozilla/5.0 (Android 14; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0", "Firefox", "Android", "tablet")]
    // Firefox on iPhone
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15", "Firefox", "iOS", "mobile")]
    // Safari on macOS
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Safari", "macOS", "desktop")]
    // Chrome on macOS
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.93 Safari/537.36", "Chrome", "macOS", "desktop")]
    // Safari on iPhone
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", "Safari", "iOS", "mobile")]
    // Safari on iPad
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1", "Safari", "iOS", "tablet")]
    // Chrome on iPhone
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1", "Chrome", "iOS", "mobile")]
    // Chrome on an Android phone
    [InlineData("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", "Chrome", "Android", "mobile")]
    // Chrome on an Android tablet: no "Mobile"
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X906C) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Chrome", "Android", "tablet")]
    // A phone brand that contains "bot"
    [InlineData("Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", "Chrome", "Android", "mobile")]
    // Samsung Internet on a phone and a tablet
    [InlineData("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", "Samsung Internet", "Android", "mobile")]
    [InlineData("Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/17.0 Chrome/96.0.4664.104 Safari/537.36", "Samsung Internet", "Android", "tablet")]
    // Opera on Windows, on Android, and Opera Mini
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0", "Opera", "Windows", "desktop")]
    [InlineData("Mozilla/5.0 (Linux; Android 10; VOG-L29) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 OPR/81.1.4292.78446", "Opera", "Android", "mobile")]
    [InlineData("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54", "Opera", "Other", "mobile")]
    // Internet Explorer 11 and an iOS in-app browser are no family of their own
    [InlineData("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Other", "Windows", "desktop")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/459.0.0.36.106;FBBV/590541813;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.4;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]", "Other", "iOS", "mobile")]
    // Chrome OS
    [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Chrome", "Other", "desktop")]
    // Bots and tools
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Bot", "Other", "bot")]
    [InlineData("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Bot", "Other", "bot")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "Bot", "Other", "bot")]
    [InlineData("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", "Bot", "Other", "bot")]
    [InlineData("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Bot", "Other", "bot")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Bot", "Other", "bot")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36", "Bot", "Other", "bot")]
    [InlineData("curl/8.5.0", "Bot", "Other", "bot")]
    [InlineData("Wget/1.21.4", "Bot", "Other", "bot")]
    [InlineData("python-requests/2.31.0", "Bot", "Other", "bot")]
    // Something unheard of
    [InlineData("ShopstreamKiosk/1.0", "Other", "Other", "desktop")]
    public void Real_user_agents_are_classified_by_browser_os_and_device(string userAgent, string browser, string os, string deviceType)
    {
        Assert.Equal(new UserAgentProfile(browser, os, deviceType), UserAgentClassifier.Classify(userAgent));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_user_agent_is_unknown_rather_than_a_guess(string? userAgent)
    {
        Assert.Equal(new UserAgentProfile("Unknown", "Unknown", "unknown"), UserAgentClassifier.Classify(userAgent));
    }

    public static TheoryData<string> FirstDummyJsonUserAgents()
    {
        // Distinct: several DummyJSON users share a user agent, and xUnit would report the repeats as skipped cases.
        var data = new TheoryData<string>();
        foreach (var userAgent in ClickEventFixtures.Users.Take(30).Select(u => ClickEventFixtures.TextOf(u, "userAgent")).Distinct(StringComparer.Ordinal))
        {
            data.Add(userAgent);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FirstDummyJsonUserAgents))]
    public void Each_user_agent_of_the_first_30_dummyjson_users_is_a_known_desktop_browser(string userAgent)
    {
        var profile = UserAgentClassifier.Classify(userAgent);

        Assert.Contains(profile.Browser, new[] { "Chrome", "Edge", "Firefox", "Safari" });
        Assert.Contains(profile.Os, new[] { "Windows", "macOS" });
        Assert.Equal("desktop", profile.DeviceType);

        // Cross-check against the one token that decides each family.
        var expectedBrowser = userAgent.Contains("Edge/", StringComparison.Ordinal) ? "Edge"
            : userAgent.Contains("Firefox/", StringComparison.Ordinal) ? "Firefox"
            : userAgent.Contains("Chrome/", StringComparison.Ordinal) ? "Chrome"
            : "Safari";
        Assert.Equal(expectedBrowser, profile.Browser);
        Assert.Equal(userAgent.Contains("Windows", StringComparison.Ordinal) ? "Windows" : "macOS", profile.Os);
    }

    [Fact]
    public void Every_dummyjson_user_agent_falls_into_a_known_family()
    {
        var families = ClickEventFixtures.Users
            .Select(u => UserAgentClassifier.Classify(ClickEventFixtures.TextOf(u, "userAgent")))
            .Distinct()
            .ToList();

        Assert.DoesNotContain(families, f => f.Browser is "Other" or "Unknown" or "Bot" || f.Os is "Other" or "Unknown");
        Assert.Equal(
            ["Chrome/Windows", "Chrome/macOS", "Edge/Windows", "Firefox/Windows", "Safari/macOS"],
            families.Select(f => $"{f.Browser}/{f.Os}").Order(StringComparer.Ordinal));
    }
}

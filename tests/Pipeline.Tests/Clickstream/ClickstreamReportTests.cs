using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Grains;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>
/// End to end: events of real DummyJSON users (their ip and user agent) viewing real DummyJSON products, posted to the
/// API in the three shapes (and posted twice), through Kafka and the session grains into the star schema; every
/// rpt_* report is compared with the rows this test computes from its own input.
/// </summary>
public sealed class ClickstreamReportTests(ClickstreamFixture fixture) : IClassFixture<ClickstreamFixture>
{
    private static readonly DateTimeOffset Day = new(2024, 6, 3, 0, 0, 0, TimeSpan.Zero);

    // Addresses the MaxMind test database knows (samples/geoip/README.md), with their countries.
    private static readonly (string Ip, string Country)[] Located =
        [("81.2.69.160", "United Kingdom"), ("216.160.83.56", "United States"), ("89.160.20.128", "Sweden"), ("67.43.156.0", "Bhutan"), ("202.196.224.0", "Philippines")];

    // Referrers and the domains the reports show for them; null is direct traffic.
    private static readonly (string? Url, string? Domain)[] Referrers =
        [(null, null), ("https://www.google.com/search?q=x", "google.com"), ("https://l.facebook.com/", "l.facebook.com"),
         ("https://www.bing.com/", "bing.com"), ("https://news.example.org/a", "news.example.org"), ("https://t.co/xyz", "t.co")];

    private static readonly string[] Stores = ["12", "7", "31"];

    /// <summary>
    /// Browser and OS of the user agents of the first 36 DummyJSON users, read off the strings by hand: the oracle for the
    /// per-hour report, independent of <c>UserAgentClassifier</c>. An event without a user agent is Unknown/Unknown.
    /// </summary>
    private static readonly Dictionary<string, (string Browser, string Os)> Agents = new(StringComparer.Ordinal)
    {
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.54 Safari/537.36"] = ("Chrome", "macOS"),
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36"] = ("Chrome", "macOS"),
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36"] = ("Chrome", "macOS"),
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.93 Safari/537.36"] = ("Chrome", "macOS"),
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/97.0.4692.99 Safari/537.36"] = ("Chrome", "macOS"),
        ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.3 Safari/605.1.15"] = ("Safari", "macOS"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.54 Safari/537.36"] = ("Chrome", "Windows"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36"] = ("Chrome", "Windows"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36"] = ("Chrome", "Windows"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.93 Safari/537.36"] = ("Chrome", "Windows"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Edge/97.0.1072.76 Safari/537.36"] = ("Edge", "Windows"),
        ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:97.0) Gecko/20100101 Firefox/97.0"] = ("Firefox", "Windows"),
    };

    private sealed record View(string ProductKey, long ProductId, string? Country, string? Domain, string Store, int Hour, string Browser, string Os, bool HasPage);

    [Fact]
    public async Task Every_report_shows_the_rows_computed_from_the_posted_events()
    {
        var products = SluggableProducts.Take(10).ToList();
        var events = new List<JsonNode>();
        var views = new List<View>();
        for (var i = 0; i < 36; i++)
        {
            var user = Users[i];
            var shape = i % 3;
            var located = i % 4 == 0 ? Located[i / 4 % Located.Length] : default;
            var ip = located.Ip ?? IpOf(user);
            var (referrer, domain) = Referrers[i % Referrers.Length];
            var store = Stores[i % Stores.Length];
            var hour = i * 5 % 24;
            var agent = shape == 2 ? (Browser: "Unknown", Os: "Unknown") : Agents[UserAgentOf(user)];
            for (var j = 0; j <= i % 3; j++)
            {
                var product = products[(i + (j * 5)) % products.Count];
                var qualified = IdOf(product) % 2 == 0;
                var productKey = qualified ? $"dummyjson:{IdOf(product)}" : IdOf(product).ToString(CultureInfo.InvariantCulture);
                var at = Day.AddHours(hour).AddMinutes(((i * 7) + j) % 60).AddSeconds(j);
                var id = $"e2e-{i}-{j}";
                events.Add(shape switch
                {
                    0 => Generic(id, "product_view", $"e2e-s{i}", user, productKey, at, ip, referrer, PageOf(product), store),
                    1 => WebTrackerView(id, $"e2e-d{i}", user, productKey, at, ip, referrer, PageOf(product), store),
                    _ => FeedView($"e2e-d{i}", user, productKey, at, ip, referrer, store),
                });
                var country = located.Country ?? (shape == 0 ? CountryOf(user) : "Unknown");
                views.Add(new View(productKey, IdOf(product), country, domain, store, at.Hour, agent.Browser, agent.Os, shape != 2));
            }
            if (i % 6 == 0)
            {
                var bought = views[^1].ProductKey;
                events.Add(Generic($"e2e-{i}-cart", "add_to_cart", $"e2e-s{i}", user, bought, Day.AddHours(hour).AddMinutes(58), ip));
                events.Add(Generic($"e2e-{i}-buy", "purchase", $"e2e-s{i}", user, bought, Day.AddHours(hour).AddMinutes(59), ip));
            }
        }
        // Another day's view and an invalid event: neither may show up in the day's reports.
        events.Add(Generic("e2e-next-day", "product_view", "e2e-s0", Users[0], views[0].ProductKey, Day.AddDays(1).AddHours(1)));
        events.Add(new JsonObject { ["event_id"] = "e2e-invalid", ["event_type"] = "product_view", ["session_id"] = "e2e-s1", ["email"] = "x@example.com" });

        using var client = fixture.Client();
        var bodies = events.Chunk(40).Select(chunk => Ndjson(chunk)).ToList();
        foreach (var body in bodies.Append(bodies[0])) // the first body twice: a tracker's retry
        {
            var (status, response) = await client.PostAsync(body, "application/x-ndjson");
            Assert.Equal(HttpStatusCode.Accepted, status);
            // Only the invalid event (in the last body) is rejected.
            var invalid = body.Contains("e2e-invalid", StringComparison.Ordinal) ? 1 : 0;
            Assert.Equal(invalid, response!.Rejected.Count);
        }
        await fixture.Pipeline.WaitCaughtUpAsync();

        var db = fixture.Pipeline.Database;
        var day = "'2024-06-03'::date";
        var names = products.ToDictionary(IdOf, TitleOf);
        string NameOf(string key) => views.Any(v => v.ProductKey == key && (v.HasPage || key.StartsWith("dummyjson:", StringComparison.Ordinal)))
            ? names[views.First(v => v.ProductKey == key).ProductId]
            : "null";

        AssertReport(
            views.GroupBy(v => v.ProductKey).Select(g => $"{g.Key}|{NameOf(g.Key)}|{g.Count()}"),
            await db.RowsAsync($"SELECT * FROM rpt_top_products({day})"));
        AssertReport(
            views.GroupBy(v => v.Country).Select(g => $"{g.Key}|{g.Count()}"),
            await db.RowsAsync($"SELECT * FROM rpt_top_countries({day})"));
        AssertReport(
            views.Where(v => v.Domain is not null).GroupBy(v => v.Domain).Select(g => $"{g.Key}|{g.Count()}"),
            await db.RowsAsync($"SELECT * FROM rpt_top_referrers({day})"));
        AssertReport(
            views.GroupBy(v => (v.Store, v.Country)).Select(g => (g.Key, Views: g.Count()))
                .Select((x, _) => (x.Key, x.Views, Rank: 1 + views.GroupBy(v => (v.Store, v.Country)).Count(o => o.Key.Store == x.Key.Store && o.Count() > x.Views)))
                .Select(x => $"{x.Key.Store}|{x.Key.Country}|{x.Views}|{x.Rank}"),
            await db.RowsAsync($"SELECT * FROM rpt_store_country({day})"),
            viewsColumn: 2);
        AssertReport(
            views.GroupBy(v => (v.Hour, v.ProductKey)).Select(g => $"{g.Key.Hour}|{g.Key.ProductKey}|{g.Count()}"),
            await db.RowsAsync($"SELECT * FROM rpt_hourly_product_views({day})"));
        AssertReport(
            views.GroupBy(v => (v.Hour, v.Browser, v.Os)).Select(g => $"{g.Key.Hour}|{g.Key.Browser}|{g.Key.Os}|{g.Count()}"),
            await db.RowsAsync($"SELECT * FROM rpt_hourly_browser_os({day})"));

        // Buyers' sessions: a view, a cart and a purchase of the same product (and, for e2e-s0, the next day's view).
        Assert.Equal(["4|1|1|1|True"], await db.RowsAsync("SELECT events, products_viewed, products_carted, products_purchased, converted FROM sessions WHERE session_key = 'e2e-s0'"));
        Assert.Equal(["3|1|1|1|True"], await db.RowsAsync("SELECT events, products_viewed, products_carted, products_purchased, converted FROM sessions WHERE session_key = 'e2e-s6'"));
        Assert.Equal(["2|False"], await db.RowsAsync("SELECT events, converted FROM sessions WHERE session_key = 'e2e-d1'"));

        // Live counters on the product grains, without SQL: catalogue products on their own grain, others on events:{id}.
        foreach (var group in views.GroupBy(v => v.ProductKey))
        {
            var grainKey = group.Key.Contains(':', StringComparison.Ordinal) ? group.Key : "events:" + group.Key;
            var extra = group.Key == views[0].ProductKey ? 1 : 0; // the next day's view
            var counters = await fixture.Pipeline.Cluster.GrainFactory.GetGrain<IProductViewsGrain>(grainKey).GetViewsAsync();
            Assert.Equal(group.Count() + extra, counters.Views);
        }

        // The invalid event is kept once, without its e-mail address.
        var rejected = await db.RowsAsync("SELECT stage, key, payload FROM rejected_records WHERE key = 'events-api:e2e-invalid'");
        Assert.StartsWith("ingest|events-api:e2e-invalid|", Assert.Single(rejected), StringComparison.Ordinal);
        Assert.DoesNotContain("@", rejected[0], StringComparison.Ordinal);
    }

    /// <summary>The same rows, and in the report's order: views never increase from one row to the next.</summary>
    private static void AssertReport(IEnumerable<string> expected, List<string> actual, int? viewsColumn = null)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        var counts = actual.Select(r => r.Split('|')).Select(c => long.Parse(c[viewsColumn ?? (c.Length - 1)], CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts.Zip(counts.Skip(1)).All(p => p.First >= p.Second), "rows are not ordered by views: " + JsonSerializer.Serialize(actual));
    }
}

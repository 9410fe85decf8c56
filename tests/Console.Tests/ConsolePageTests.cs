using System.Globalization;
using Microsoft.Playwright;

namespace Shopstream.Console.Tests;

/// <summary>
/// The console's pages in Chromium against a silo with the samples loaded: the numbers the charts and tables draw
/// match counts taken straight from the database (never from the endpoint under test), and the browser reports no error.
/// </summary>
[Collection(ConsoleGroup.Name)]
public sealed class ConsolePageTests(ConsoleFixture fixture)
{
    private async Task<List<(string Key, long Count)>> CountsAsync(string sql)
    {
        await using var command = fixture.Database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!, Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    private static string N(long value) => ConsoleBrowser.Shown(value);

    [Fact]
    public async Task Catalogue_shows_each_sources_rows_and_carts_per_weekday_as_counted_in_the_database()
    {
        var products = (await CountsAsync("SELECT source, count(*) FROM products GROUP BY 1")).ToDictionary(r => r.Key, r => r.Count);
        var users = (await CountsAsync("SELECT source, count(*) FROM users GROUP BY 1")).ToDictionary(r => r.Key, r => r.Count);
        var carts = (await CountsAsync("SELECT source, count(*) FROM carts GROUP BY 1")).ToDictionary(r => r.Key, r => r.Count);
        var weekdays = await CountsAsync("SELECT day_of_week, count(DISTINCT (source, cart_id)) FROM cart_items WHERE day_of_week IS NOT NULL GROUP BY 1");
        Assert.Equal(["dummyjson", "fakestore"], products.Keys.Order(StringComparer.Ordinal));
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "");

        var table = await browser.TableAsync("sources-table");
        Assert.Equal(["Source", "Products", "Users", "Carts", "Cart items", "Average price", "Average rating"], await browser.HeadersAsync("sources-table"));
        Assert.Equal(
            products.Keys.Order(StringComparer.Ordinal).Select(s => new[] { s, N(products[s]), N(users[s]), N(carts[s]) }),
            table.Select(r => r.Take(4).ToArray()));
        var weekdayTexts = await browser.ChartTextsAsync("chart-weekday");
        Assert.Contains("Carts per weekday", weekdayTexts);
        Assert.All(weekdays, w => Assert.Contains(w.Key, weekdayTexts));
        Assert.All(weekdays, w => Assert.Contains(N(w.Count), weekdayTexts));
        Assert.Equal(15, (await browser.TableAsync("top-products-table")).Count);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Catalogue_source_filter_shows_only_that_source()
    {
        var fakestoreWeekdays = await CountsAsync("SELECT day_of_week, count(DISTINCT cart_id) FROM cart_items WHERE source = 'fakestore' GROUP BY 1");
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "");

        await browser.Page.SelectOptionAsync("#source", "fakestore");

        await Assertions.Expect(browser.Page.Locator("#sources-table tbody tr")).ToHaveCountAsync(1);
        Assert.Equal("fakestore", (await browser.TableAsync("sources-table"))[0][0]);
        var texts = await browser.ChartTextsAsync("chart-weekday");
        Assert.All(fakestoreWeekdays, w => Assert.Contains(N(w.Count), texts));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Clickstream_date_picker_changes_the_product_views_to_that_days()
    {
        var days = await CountsAsync("SELECT date_key, count(*) FROM fact_events WHERE event_type = 'product_view' GROUP BY 1 ORDER BY 1");
        Assert.Equal(["20240501", "20240502"], days.Select(d => d.Key));
        Assert.NotEqual(days[0].Count, days[1].Count);
        var firstDayCountries = await CountsAsync("""
            SELECT coalesce(l.country_name, '(unknown)'), count(*) FROM fact_events f LEFT JOIN dim_location l ON l.location_key = f.location_key
            WHERE f.date_key = 20240501 AND f.event_type = 'product_view' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
            """);
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "clickstream.html");

        // The newest day first.
        Assert.Equal("2024-05-02", await browser.Page.InputValueAsync("#date"));
        await Assertions.Expect(browser.Page.Locator("#kpi-views")).ToHaveTextAsync(N(days[1].Count));

        await browser.Page.FillAsync("#date", "2024-05-01");

        await Assertions.Expect(browser.Page.Locator("#kpi-views")).ToHaveTextAsync(N(days[0].Count));
        var countries = await browser.ChartTextsAsync("chart-top-countries");
        Assert.Contains(N(firstDayCountries[0].Count), countries);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Recalls_count_every_notice_per_month_and_link_notices_to_their_sheets()
    {
        var total = await fixture.Database.ScalarAsync("SELECT count(*) FROM rappel_conso");
        var months = await CountsAsync("SELECT to_char(date_publication AT TIME ZONE 'UTC', 'YYYY-MM'), count(*) FROM rappel_conso GROUP BY 1");
        var newest = await CountsAsync("SELECT numero_fiche, 0 FROM rappel_conso WHERE lien_vers_la_fiche_rappel IS NOT NULL ORDER BY date_publication DESC, numero_fiche LIMIT 1");
        var sheet = await CountsAsync($"SELECT lien_vers_la_fiche_rappel, 0 FROM rappel_conso WHERE numero_fiche = '{newest[0].Key}'");
        Assert.True(total > 0, "the sample recalls were not loaded");
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "recalls.html");

        Assert.Equal(N(total), await browser.Page.Locator("#kpi-recalls").TextContentAsync());
        var texts = await browser.ChartTextsAsync("chart-by-month");
        Assert.All(months, m => Assert.Contains(N(m.Count), texts));
        Assert.All(months, m => Assert.Contains(m.Key, texts));
        var link = browser.Page.Locator("#newest-table tbody a").Filter(new LocatorFilterOptions { HasTextString = newest[0].Key });
        Assert.Equal(sheet[0].Key, await link.GetAttributeAsync("href"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Pipeline_run_now_starts_a_run_that_then_appears_in_the_history()
    {
        var before = await fixture.Database.ScalarAsync("SELECT count(*) FROM source_runs WHERE source = 'rappelconso'");
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "pipeline.html");

        await browser.Page.ClickAsync("button[data-run='rappelconso']");

        await Assertions.Expect(browser.Page.Locator("#run-message")).ToContainTextAsync("started");
        await Eventually.Until(() => fixture.Database.ScalarAsync("SELECT count(*) FROM source_runs WHERE source = 'rappelconso'"),
            n => n == before + 1, TimeSpan.FromSeconds(20), "the run was not recorded");
        var runId = await CountsAsync("SELECT run_id::text, 0 FROM source_runs WHERE source = 'rappelconso' ORDER BY started_at DESC LIMIT 1");
        await Assertions.Expect(browser.Page.Locator("#runs-table caption")).ToHaveTextAsync("Runs of rappelconso (newest first)");
        await Assertions.Expect(browser.Page.Locator("#runs-table tbody tr").First.Locator("td").First).ToHaveTextAsync(runId[0].Key);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Pipeline_lists_the_feed_apart_from_the_sources_with_its_state_lag_and_counts()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "pipeline.html");

        // ConsoleFixture's feed: one message, not JSON, so read 1, forwarded 1 (its rejection), produced 0, rejected 1,
        // and nothing left on the foreign topic once its offset is committed.
        var row = browser.Page.Locator("#feeds-table tbody tr").Filter(new LocatorFilterOptions { HasText = ConsoleFixture.Feed });
        var expect = new LocatorAssertionsToHaveTextOptions { Timeout = 30_000 };
        await Assertions.Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("bridging", expect);
        await Assertions.Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("0", expect);
        await Assertions.Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("1", expect);
        await Assertions.Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("0", expect);
        await Assertions.Expect(row.Locator("td").Nth(7)).ToHaveTextAsync("1", expect);
        // The sources table holds the REST sources only: no "Run now" for a feed.
        Assert.Equal(0, await browser.Page.Locator($"button[data-run='{ConsoleFixture.Feed}']").CountAsync());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Pipeline_shows_a_rejected_records_reason_and_payload()
    {
        var newest = await CountsAsync("SELECT stage || E'\\n' || reason, id FROM rejected_records ORDER BY id DESC LIMIT 1");
        Assert.True(newest.Count == 1, "the samples produced no rejected record");
        var (stage, reason) = (newest[0].Key.Split('\n')[0], newest[0].Key.Split('\n')[1]);
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "pipeline.html");

        var summaryRow = browser.Page.Locator("#rejected-summary tbody tr").Filter(new LocatorFilterOptions { HasText = reason }).First;
        await summaryRow.Locator("button").ClickAsync();

        await Assertions.Expect(browser.Page.Locator("#rejected-filter")).ToHaveTextAsync($"Stage {stage}, reason: {reason}");
        var listed = browser.Page.Locator("#rejected-list tbody tr").First;
        await Assertions.Expect(listed.Locator("td").Nth(0)).ToHaveTextAsync(N(newest[0].Count));
        await Assertions.Expect(listed.Locator("td").Nth(2)).ToHaveTextAsync(reason);
        await listed.Locator("summary").ClickAsync();
        Assert.False(string.IsNullOrWhiteSpace(await listed.Locator("pre").TextContentAsync()));
        // Still open after the page's next refresh (every 5 s) redrew the list.
        var updated = await browser.Page.Locator("#last-updated").GetAttributeAsync("datetime");
        await browser.Page.WaitForFunctionAsync($"() => document.getElementById('last-updated').dateTime !== '{updated}'", null, new() { Timeout = 15_000 });
        await Assertions.Expect(browser.Page.Locator("#rejected-list tbody tr").First.Locator("details")).ToHaveAttributeAsync("open", "");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Pipeline_lists_every_partition_with_its_owner_committed_offset_and_no_lag()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "pipeline.html");

        var rows = await browser.TableAsync("partitions-table");

        // Six topics of two partitions (ConsoleFixture), all read by the one silo, all caught up.
        Assert.Equal(12, rows.Count);
        var silo = await browser.Page.Locator("#silo").TextContentAsync();
        Assert.All(rows, r => Assert.Equal(silo, r[2]));
        Assert.All(rows, r => Assert.Equal("0", r[5]));
        Assert.Equal(silo, await browser.Page.Locator("#silos").TextContentAsync());
        // Every product record of the samples is one message on the products topic and one row (none is rejected).
        var products = await fixture.Database.ScalarAsync("SELECT count(*) FROM products");
        Assert.Equal(products, rows.Where(r => r[0].EndsWith(".products", StringComparison.Ordinal)).Sum(r => long.Parse(r[3], NumberStyles.AllowThousands, CultureInfo.InvariantCulture)));
        Assert.Empty(browser.Errors);
    }

    [Theory]
    [InlineData("", "catalogue")]
    [InlineData("clickstream.html", "clickstream")]
    [InlineData("recalls.html", "recalls")]
    [InlineData("pipeline.html", "pipeline")]
    public async Task Page_renders_at_1280x800_and_400_wide_without_errors_and_is_screenshotted(string path, string name)
    {
        await using (var wide = await ConsoleBrowser.OpenAsync(fixture, path))
        {
            await wide.ScreenshotAsync(name);
            foreach (var chart in await wide.Page.Locator(".chart").AllAsync())
            {
                Assert.Equal(1, await chart.Locator("svg").CountAsync());
            }
            Assert.Empty(wide.Errors);
        }
        await using var narrow = await ConsoleBrowser.OpenAsync(fixture, path, width: 400, height: 800);
        await narrow.ScreenshotAsync(name + "-narrow");

        // Nothing wider than the window: tables scroll inside their own box.
        Assert.True(await narrow.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 400 px");
        Assert.Empty(narrow.Errors);
        Assert.True(new FileInfo(Path.Combine(ConsoleFixture.ScreenshotDirectory, name + ".png")).Length > 10_000);
    }
}

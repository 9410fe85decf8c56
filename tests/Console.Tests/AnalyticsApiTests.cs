using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shopstream.Silo.Kafka;

namespace Shopstream.Console.Tests;

/// <summary><c>/api/analytics/*</c> and <c>/console/</c> over HTTP: values against direct SQL counts, 400/404, and the key beyond loopback.</summary>
[Collection(ConsoleGroup.Name)]
public sealed class AnalyticsApiTests(ConsoleFixture fixture)
{
    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var http = fixture.Client();
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Catalogue_sources_count_the_rows_of_each_source()
    {
        var expected = new[] { "dummyjson", "fakestore" }.Select(async s => (s,
            await fixture.Database.ScalarAsync($"SELECT count(*) FROM products WHERE source = '{s}'"),
            await fixture.Database.ScalarAsync($"SELECT count(*) FROM carts WHERE source = '{s}'")));

        var sources = await GetJsonAsync("api/analytics/catalogue/sources");

        Assert.Equal(await Task.WhenAll(expected),
            sources.EnumerateArray().Select(s => (s.GetProperty("source").GetString()!, s.GetProperty("products").GetInt64(), s.GetProperty("carts").GetInt64())));
    }

    [Fact]
    public async Task Price_histogram_of_a_source_counts_each_of_its_priced_products_once()
    {
        var priced = await fixture.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'fakestore' AND price IS NOT NULL");
        var under10 = await fixture.Database.ScalarAsync("SELECT count(*) FROM products WHERE source = 'fakestore' AND price < 10");

        var buckets = (await GetJsonAsync("api/analytics/catalogue/prices?source=fakestore")).EnumerateArray().ToList();

        Assert.All(buckets, b => Assert.Equal("fakestore", b.GetProperty("source").GetString()));
        Assert.Equal(priced, buckets.Sum(b => b.GetProperty("products").GetInt64()));
        Assert.Equal(under10, buckets.Where(b => b.GetProperty("bucket").GetInt32() == 0).Sum(b => b.GetProperty("products").GetInt64()));
    }

    [Fact]
    public async Task Hourly_product_views_report_adds_up_to_the_days_product_views()
    {
        var views = await fixture.Database.ScalarAsync("SELECT count(*) FROM fact_events WHERE event_type = 'product_view' AND date_key = 20240501");

        var report = await GetJsonAsync("api/analytics/clickstream/reports/hourly-product-views?date=2024-05-01");

        Assert.Equal("2024-05-01", report.GetProperty("date").GetString());
        Assert.Equal(views, report.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("views").GetInt64()));
    }

    [Fact]
    public async Task Recalls_per_month_add_up_to_every_notice()
    {
        var total = await fixture.Database.ScalarAsync("SELECT count(*) FROM rappel_conso");

        var months = await GetJsonAsync("api/analytics/recalls/by-month");

        Assert.True(total > 0);
        Assert.Equal(total, months.EnumerateArray().Sum(m => m.GetProperty("recalls").GetInt64()));
    }

    [Fact]
    public async Task Rejected_record_is_given_whole_by_id_and_404_when_missing()
    {
        var id = await fixture.Database.ScalarAsync("SELECT max(id) FROM rejected_records");
        var length = await fixture.Database.ScalarAsync($"SELECT length(payload) FROM rejected_records WHERE id = {id}");

        var record = await GetJsonAsync(string.Create(CultureInfo.InvariantCulture, $"api/analytics/pipeline/rejected/{id}"));
        using var http = fixture.Client();
        using var missing = await http.GetAsync(string.Create(CultureInfo.InvariantCulture, $"api/analytics/pipeline/rejected/{id + 1000}"));

        Assert.Equal(length, record.GetProperty("payload").GetString()!.Length);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("api/analytics/catalogue/ratings?source=nope", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/catalogue/top-cart-products?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/catalogue/top-cart-products?limit=101", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/reports/top-products?date=2024-13-01", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/reports/top-products?date=yesterday", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/reports/top-products", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/daily?from=2024-05-02&to=2024-05-01", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/events-per-minute?minutes=1441", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/recalls/newest?limit=101", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/pipeline/rejected?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("api/analytics/clickstream/reports/nope?date=2024-05-01", HttpStatusCode.NotFound)]
    [InlineData("console/nope.html", HttpStatusCode.NotFound)]
    [InlineData("console/..%2fshopstream-silo.dll", HttpStatusCode.NotFound)]
    [InlineData("api/analytics/clickstream/reports/top-products?date=2024-05-01", HttpStatusCode.OK)]
    [InlineData("api/analytics/recalls/newest?limit=100", HttpStatusCode.OK)]
    public async Task Parameters_are_checked(string path, HttpStatusCode expected)
    {
        using var http = fixture.Client();

        using var response = await http.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()));
        }
    }

    [Theory]
    [InlineData("console/")]
    [InlineData("console/lib/echarts.min.js")]
    [InlineData("api/analytics/catalogue/sources")]
    [InlineData("api/analytics/pipeline/partitions")]
    public async Task Beyond_loopback_the_console_answers_401_without_the_key_and_200_with_it(string path)
    {
        using var anonymous = fixture.Client(withKey: false);
        using var keyed = fixture.Client();

        using var without = await anonymous.GetAsync(path);
        using var with = await keyed.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task Partition_requests_share_one_kafka_consumer()
    {
        // Before, every request made a Kafka consumer of its own: a page open in many browsers cost a connection each.
        using var http = fixture.Client();
        var reader = fixture.Services.GetRequiredService<GroupLagReader>();
        var before = reader.ConsumersMade;

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("api/analytics/pipeline/partitions")));

        // One consumer for all 20 (none new if an earlier request of this fixture made it less than 5 minutes ago).
        Assert.InRange(reader.ConsumersMade - before, 0, 1);
        Assert.True(reader.ConsumersMade >= 1);
        // Six topics of two partitions (ConsoleFixture), each with a lag read from the broker, in every answer (whether an
        // earlier test's records are all committed yet is not this test's business: the lag is checked to be a number).
        Assert.All(answers, a =>
        {
            var partitions = JsonDocument.Parse(a).RootElement.GetProperty("partitions").EnumerateArray().ToList();
            Assert.Equal(12, partitions.Count);
            Assert.All(partitions, p => Assert.True(p.GetProperty("lag").GetInt64() >= 0));
        });
    }

    [Fact]
    public async Task Console_serves_its_page_and_echarts_with_their_content_types()
    {
        using var http = fixture.Client();

        using var page = await http.GetAsync("console/");
        using var echarts = await http.GetAsync("console/lib/echarts.min.js");

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Shopstream console: Catalogue</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", echarts.Content.Headers.ContentType?.MediaType);
        Assert.True((await echarts.Content.ReadAsByteArrayAsync()).Length > 500_000);
    }

    [Fact]
    public async Task Lake_lists_live_files_per_table_and_snapshots_newest_first()
    {
        // An append of two event files, then a compaction that replaces them by one: one live file of 30 rows.
        // Snapshot ids far above any the fixture could commit (its lake is off) keep these rows apart.
        await fixture.Database.ExecuteAsync("""
            INSERT INTO lake_snapshots (snapshot_id, operation, committed_at) VALUES
                (900001, 'append', '2024-05-01T10:00:00Z'), (900002, 'compact', '2024-05-01T11:00:00Z')
            """);
        await fixture.Database.ExecuteAsync("""
            INSERT INTO lake_files (file_id, path, table_name, partition_values, rows, bytes, snapshot_id, removed_snapshot_id, committed_at) VALUES
                (gen_random_uuid(), 'events/a.parquet', 'console_test_events', '{}', 10, 1000, 900001, 900002, '2024-05-01T10:00:00Z'),
                (gen_random_uuid(), 'events/b.parquet', 'console_test_events', '{}', 20, 2000, 900001, 900002, '2024-05-01T10:00:00Z'),
                (gen_random_uuid(), 'events/c.parquet', 'console_test_events', '{}', 30, 2500, 900002, NULL, '2024-05-01T11:00:00Z')
            """);

        var lake = await GetJsonAsync("api/analytics/pipeline/lake");

        var table = lake.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("tableName").GetString() == "console_test_events");
        Assert.Equal((1L, 30L, 2500L), (table.GetProperty("files").GetInt64(), table.GetProperty("rows").GetInt64(), table.GetProperty("bytes").GetInt64()));
        var snapshots = lake.GetProperty("snapshots").EnumerateArray()
            .Select(s => (s.GetProperty("snapshotId").GetInt64(), s.GetProperty("operation").GetString(), s.GetProperty("filesAdded").GetInt64(), s.GetProperty("filesRemoved").GetInt64()))
            .Take(2);
        Assert.Equal([(900002L, "compact", 1L, 2L), (900001L, "append", 2L, 0L)], snapshots);

        // The pipeline page shows its lake section once the lake has files.
        await using var browser = await ConsoleBrowser.OpenAsync(fixture, "pipeline.html");
        await Microsoft.Playwright.Assertions.Expect(browser.Page.Locator("#lake")).ToBeVisibleAsync();
        Assert.Contains(["console_test_events", "1", "30", "2,500"], (await browser.TableAsync("lake-tables")).Select(r => r.Take(4).ToArray()));
        Assert.Empty(browser.Errors);
    }
}

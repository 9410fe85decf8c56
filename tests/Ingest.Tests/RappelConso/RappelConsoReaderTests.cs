using System.Diagnostics;
using System.Globalization;
using System.Net;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Tests.Support;
using Shopstream.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests.RappelConso;

public sealed class RappelConsoReaderTests
{
    private static readonly HttpClient Http = new();

    private static RappelConsoReader Reader(RappelConsoFixtureApi api, string dataset = RappelConsoFixtureApi.Dataset, int maxRetries = 3) =>
        new(Http, new IngestOptions { MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(20), HttpTimeout = TimeSpan.FromSeconds(30) },
            api.BaseUrl, dataset, pageSize: 100);

    private static async Task<List<string>> NumbersAsync(RappelConsoReader reader, DateTimeOffset? since)
    {
        var numbers = new List<string>();
        await foreach (var page in reader.ReadAsync(since))
        {
            numbers.AddRange(page.Records.Select(r => r.GetProperty("numero_fiche").GetString()!));
        }
        return numbers;
    }

    [Fact]
    public async Task Backfill_past_the_10000_offset_cap_moves_the_where_bound_and_reads_every_notice()
    {
        await using var api = RappelConsoFixtureApi.Start(10_250);

        var numbers = await NumbersAsync(Reader(api), since: null);

        // 100 pages up to the cap (notices 0..9999), then from notice 9999's date again: 9999..10249 in 3 pages.
        Assert.Equal(10_251, numbers.Count);
        Assert.Equal(10_250, numbers.Distinct().Count());
        var queries = api.Queries.ToList();
        Assert.Equal(103, queries.Count);
        Assert.All(queries, q => Assert.True(int.Parse(q["offset"], CultureInfo.InvariantCulture) + int.Parse(q["limit"], CultureInfo.InvariantCulture) <= 10_000));
        Assert.All(queries, q => Assert.Equal("date_publication", q["order_by"]));
        Assert.False(queries[99].ContainsKey("where"));
        Assert.Equal(("0", "date_publication >= date'2024-01-07T22:39:00Z'"), (queries[100]["offset"], queries[100]["where"]));
        Assert.Equal("200", queries[102]["offset"]);
    }

    [Fact]
    public async Task Read_from_a_watermark_asks_only_for_notices_published_since()
    {
        await using var api = RappelConsoFixtureApi.Start(250);

        var numbers = await NumbersAsync(Reader(api), since: RappelConsoFixtureApi.DateOf(240));

        Assert.Equal(Enumerable.Range(240, 10).Select(RappelConsoFixtureApi.NumberOf), numbers);
        Assert.Equal("/api/explore/v2.1/catalog/datasets/rappelconso-v2-gtin-espaces/records?limit=100&offset=0&order_by=date_publication&where=date_publication >= date'2024-01-01T04:00:00Z'",
            Assert.Single(api.Requests));
    }

    [Fact]
    public async Task Rate_limited_page_is_asked_again_after_its_Retry_After()
    {
        await using var api = RappelConsoFixtureApi.Start(5);
        api.FailNext(HttpStatusCode.TooManyRequests, retryAfter: "1");
        var clock = Stopwatch.StartNew();

        var numbers = await NumbersAsync(Reader(api), since: null);

        Assert.Equal(5, numbers.Count);
        Assert.Equal(2, api.Requests.Count);
        // The backoff alone would be 20 ms: the wait is the server's second.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported_naming_the_url()
    {
        await using var api = RappelConsoFixtureApi.Start(5);
        api.FailNext(HttpStatusCode.ServiceUnavailable, times: 3);

        var failed = await Assert.ThrowsAsync<IngestException>(() => NumbersAsync(Reader(api, maxRetries: 2), since: null));

        Assert.Equal(
            $"GET {api.BaseUrl}api/explore/v2.1/catalog/datasets/rappelconso-v2-gtin-espaces/records?limit=100&offset=0&order_by=date_publication failed after 3 attempts: HTTP 503 Service Unavailable",
            failed.Message);
    }

    [Fact]
    public async Task Server_error_that_passes_is_invisible_to_the_reader()
    {
        await using var api = RappelConsoFixtureApi.Start(5);
        api.FailNext(HttpStatusCode.BadGateway, times: 2);

        Assert.Equal(5, (await NumbersAsync(Reader(api), since: null)).Count);
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task Client_error_fails_at_once_naming_the_url()
    {
        await using var api = RappelConsoFixtureApi.Start(5);

        var failed = await Assert.ThrowsAsync<IngestException>(() => NumbersAsync(Reader(api, dataset: "no-such-dataset"), since: null));

        Assert.Equal(
            $"GET {api.BaseUrl}api/explore/v2.1/catalog/datasets/no-such-dataset/records?limit=100&offset=0&order_by=date_publication failed: HTTP 404 Not Found",
            failed.Message);
        Assert.Single(api.Requests);
    }
}

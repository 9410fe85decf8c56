using System.Net;
using Shopstream.Ingest.Sources;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class LiveApiReaderTests : IAsyncLifetime
{
    // One client for all tests, as an application would have; each test has its own server.
    private static readonly HttpClient Http = new();

    private FixtureApiServer server = null!;

    public Task InitializeAsync()
    {
        server = FixtureApiServer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
    }

    private LiveApiReader Reader(int pageSize = 30, int maxRetries = 3, TimeSpan? timeout = null) =>
        new(Http, new IngestOptions
        {
            FakeStoreBaseUrl = server.FakeStoreBaseUrl,
            DummyJsonBaseUrl = server.DummyJsonBaseUrl,
            PageSize = pageSize,
            MaxRetries = maxRetries,
            HttpTimeout = timeout ?? TimeSpan.FromSeconds(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        });

    [Fact]
    public async Task Dummyjson_products_are_fetched_page_by_page_until_skip_reaches_total()
    {
        var feed = await Reader(pageSize: 30).ReadAsync(new Feed("dummyjson", "products"));

        Assert.Equal(194, feed.Records.Count);
        Assert.Equal(Enumerable.Range(1, 194), feed.Records.Select(r => r.Element.GetProperty("id").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 194), feed.Records.Select(r => r.Index));
        Assert.Equal(
            new[] { 0, 30, 60, 90, 120, 150, 180 }.Select(skip => $"/dummyjson/products?limit=30&skip={skip}"),
            server.Requests);
    }

    [Theory]
    [InlineData("fakestore", "products", 20)]
    [InlineData("fakestore", "carts", 7)]
    [InlineData("fakestore", "users", 10)]
    [InlineData("dummyjson", "products", 194)]
    [InlineData("dummyjson", "carts", 208)]
    [InlineData("dummyjson", "users", 208)]
    public async Task Every_live_feed_returns_all_fixture_records(string source, string entity, int count)
    {
        var feed = await Reader(pageSize: 50).ReadAsync(new Feed(source, entity));

        Assert.Equal(count, feed.Records.Count);
        Assert.Equal(count, feed.Records.Select(r => r.Element.GetProperty("id").GetInt32()).Distinct().Count());
    }

    [Fact]
    public async Task Fakestore_is_read_with_one_plain_request_per_entity()
    {
        var feed = await Reader().ReadAsync(new Feed("fakestore", "users"));

        Assert.Equal(["/fakestore/users"], server.Requests);
        Assert.Equal($"{server.FakeStoreBaseUrl}/users", feed.Origin);
    }

    [Fact]
    public async Task Server_error_503_is_retried_then_succeeds()
    {
        server.FailNext("/fakestore/products", HttpStatusCode.ServiceUnavailable);

        var feed = await Reader().ReadAsync(new Feed("fakestore", "products"));

        Assert.Equal(20, feed.Records.Count);
        Assert.Equal(["/fakestore/products", "/fakestore/products"], server.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Transient_status_is_retried_then_succeeds(HttpStatusCode status)
    {
        server.FailNext("/fakestore/carts", status, times: 2);

        var feed = await Reader(maxRetries: 2).ReadAsync(new Feed("fakestore", "carts"));

        Assert.Equal(7, feed.Records.Count);
        Assert.Equal(["/fakestore/carts", "/fakestore/carts", "/fakestore/carts"], server.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Other_client_errors_are_not_retried(HttpStatusCode status)
    {
        server.FailNext("/fakestore/carts", status);

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader().ReadAsync(new Feed("fakestore", "carts")));

        Assert.Contains($"HTTP {(int)status}", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Retry_after_longer_than_the_backoff_is_waited_before_the_retry()
    {
        // Backoff 20 ms; the server asks for 1 s.
        server.FailNext("/fakestore/users", HttpStatusCode.TooManyRequests, retryAfter: "1");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var feed = await Reader().ReadAsync(new Feed("fakestore", "users"));

        Assert.Equal(10, feed.Records.Count);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(990), $"retried after {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Persistent_429_gives_up_after_the_configured_retries_naming_url_attempts_and_status()
    {
        server.FailNext("/fakestore/products", HttpStatusCode.TooManyRequests, times: 10);

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader(maxRetries: 1).ReadAsync(new Feed("fakestore", "products")));

        Assert.Equal($"GET {server.FakeStoreBaseUrl}/products failed after 2 attempts: HTTP 429 Too Many Requests", error.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Persistently_slow_server_gives_up_after_the_retries_naming_the_timeout()
    {
        server.DelayNext("/fakestore/carts", TimeSpan.FromSeconds(3));
        server.DelayNext("/fakestore/carts", TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<IngestException>(() =>
            Reader(maxRetries: 1, timeout: TimeSpan.FromMilliseconds(300)).ReadAsync(new Feed("fakestore", "carts")));

        Assert.Equal($"GET {server.FakeStoreBaseUrl}/carts failed after 2 attempts: no complete response within 0.3 s", error.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Without_retries_a_transient_status_fails_after_one_attempt()
    {
        server.FailNext("/fakestore/carts", HttpStatusCode.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader(maxRetries: 0).ReadAsync(new Feed("fakestore", "carts")));

        Assert.Equal($"GET {server.FakeStoreBaseUrl}/carts failed after 1 attempt: HTTP 503 Service Unavailable", error.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Too_many_requests_429_on_a_middle_page_is_retried_without_losing_records()
    {
        server.FailNext("/dummyjson/carts", HttpStatusCode.TooManyRequests, times: 2, afterServing: 1);

        var feed = await Reader(pageSize: 100).ReadAsync(new Feed("dummyjson", "carts"));

        Assert.Equal(Enumerable.Range(1, 208), feed.Records.Select(r => r.Element.GetProperty("id").GetInt32()));
        Assert.Equal(
            [
                "/dummyjson/carts?limit=100&skip=0",
                "/dummyjson/carts?limit=100&skip=100",
                "/dummyjson/carts?limit=100&skip=100",
                "/dummyjson/carts?limit=100&skip=100",
                "/dummyjson/carts?limit=100&skip=200",
            ],
            server.Requests);
    }

    [Fact]
    public async Task Persistent_server_error_fails_after_the_configured_retries_naming_the_url()
    {
        server.FailNext("/fakestore/carts", HttpStatusCode.BadGateway, times: 10);

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader(maxRetries: 2).ReadAsync(new Feed("fakestore", "carts")));

        Assert.Contains($"{server.FakeStoreBaseUrl}/carts", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("502", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Client_error_404_fails_at_once_naming_the_url()
    {
        server.FailNext("/fakestore/users", HttpStatusCode.NotFound);

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader().ReadAsync(new Feed("fakestore", "users")));

        Assert.Contains($"{server.FakeStoreBaseUrl}/users", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Slow_response_times_out_and_is_retried()
    {
        server.DelayNext("/fakestore/carts", TimeSpan.FromSeconds(3));

        var feed = await Reader(timeout: TimeSpan.FromMilliseconds(500)).ReadAsync(new Feed("fakestore", "carts"));

        Assert.Equal(7, feed.Records.Count);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Invalid_json_response_fails_naming_the_url()
    {
        server.AnswerNext("/fakestore/products", "<html>maintenance</html>");

        var error = await Assert.ThrowsAsync<IngestException>(() => Reader().ReadAsync(new Feed("fakestore", "products")));

        Assert.Contains($"{server.FakeStoreBaseUrl}/products", error.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_host_fails_after_retries_with_a_message_naming_the_url()
    {
        var closedPort = FixtureApiServer.FreePort();
        var reader = new LiveApiReader(Http, new IngestOptions
        {
            FakeStoreBaseUrl = new Uri($"http://127.0.0.1:{closedPort}"),
            HttpTimeout = TimeSpan.FromSeconds(2),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });

        var error = await Assert.ThrowsAsync<IngestException>(() => reader.ReadAsync(new Feed("fakestore", "products")));

        Assert.Contains($"http://127.0.0.1:{closedPort}/products", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_retried()
    {
        server.DelayNext("/fakestore/products", TimeSpan.FromSeconds(3));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Reader().ReadAsync(new Feed("fakestore", "products"), cancel.Token));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void Invalid_options_are_refused_by_the_constructor()
    {
        var error = Assert.Throws<IngestException>(() => new LiveApiReader(Http, new IngestOptions { PageSize = 0 }));

        Assert.Contains("PageSize", error.Message, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Shopstream.Silo.Hosting;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary><c>shopstream ingest-api</c> as a child process: how it refuses to start, how it stops, what it logs.</summary>
public sealed class IngestApiProcessTests(ITestOutputHelper output)
{
    private const string ApiKey = "process-test-key";

    private static readonly IReadOnlyDictionary<string, string> WithKey = new Dictionary<string, string> { ["Shopstream__IngestApiKey"] = ApiKey };

    private static string ClosedPort() => "127.0.0.1:" + SiloHostFactory.FreePort();

    [Fact]
    public async Task Ingest_api_beyond_loopback_without_a_key_refuses_to_start_naming_the_setting()
    {
        await using var api = SiloProcess.StartIngestApi(SharedBroker.Instance.BootstrapServers, ["--bind", "0.0.0.0"]);

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Shopstream:IngestApiKey is required when the API binds beyond loopback", api.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_api_beyond_loopback_with_allow_anonymous_starts()
    {
        await using var api = SiloProcess.StartIngestApi(SharedBroker.Instance.BootstrapServers, ["--bind", "0.0.0.0", "--allow-anonymous"]);

        await api.WaitReadyAsync(TimeSpan.FromSeconds(60), "health/live");

        Assert.Contains("(anonymous)", api.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_api_stops_within_10_s_of_sigterm_while_a_request_waits_for_unreachable_kafka()
    {
        await using var api = SiloProcess.StartIngestApi(ClosedPort(), [], WithKey);
        await api.WaitReadyAsync(TimeSpan.FromSeconds(60), "health/live");
        using var http = Client(api);
        using var body = new StringContent("{\"event_id\":\"e1\"}", Encoding.UTF8, "application/json");
        var waiting = http.PostAsync(new Uri("events", UriKind.Relative), body);
        await Task.Delay(1000);
        Assert.False(waiting.IsCompleted, "the request should still wait for Kafka");

        var watch = Stopwatch.StartNew();
        var exitCode = await api.TerminateAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"ingest-api exited {watch.Elapsed.TotalSeconds:0.0} s after SIGTERM, code {exitCode}");

        using var answer = await waiting;
        var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

        Assert.Equal(0, exitCode);
        // Drained, not dropped: the waiting client hears that nothing is confirmed.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.StartsWith("Kafka did not acknowledge the events: the API is stopping; nothing is confirmed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_api_stops_within_10_s_of_sigterm_when_idle()
    {
        await using var api = SiloProcess.StartIngestApi(SharedBroker.Instance.BootstrapServers, [], WithKey);
        await api.WaitReadyAsync(TimeSpan.FromSeconds(60));

        var watch = Stopwatch.StartNew();
        var exitCode = await api.TerminateAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"ingest-api exited {watch.Elapsed.TotalSeconds:0.0} s after SIGTERM, code {exitCode}");

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task Chunked_body_above_the_limit_is_413_json_logged_without_a_stack_trace()
    {
        await using var api = SiloProcess.StartIngestApi(SharedBroker.Instance.BootstrapServers, [], WithKey);
        await api.WaitReadyAsync(TimeSpan.FromSeconds(60), "health/live");
        using var http = Client(api);
        var line = Encoding.UTF8.GetBytes("{}\n");
        // 8 MB against the default 5 MB limit, without Content-Length.
        var body = new byte[8 * 1024 * 1024];
        for (var i = 0; i + line.Length <= body.Length; i += line.Length)
        {
            line.CopyTo(body, i);
        }
        // The server answers 413 and closes while the client may still be sending chunks: the client then sees a broken
        // pipe instead of the answer. That is the client's race, not the server's behaviour, so the request is sent again.
        HttpResponseMessage? response = null;
        for (var attempt = 1; response is null; attempt++)
        {
            using var content = new StreamContent(new MemoryStream(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var request = new HttpRequestMessage(HttpMethod.Post, "events") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException ex) when (attempt < 5 && ex.InnerException is IOException)
            {
            }
        }
        using var answered = response;
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        await Task.Delay(500); // the log line is written asynchronously

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request body larger than 5242880 bytes (Shopstream:IngestApiMaxBodyBytes)", error);
        Assert.Contains("answered 413", api.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", api.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", api.Log, StringComparison.Ordinal);
    }

    private static HttpClient Client(SiloProcess api)
    {
        var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return http;
    }
}

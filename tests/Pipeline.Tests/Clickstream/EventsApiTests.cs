using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Ingest;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using static Shopstream.Pipeline.Tests.Clickstream.ClickstreamEvents;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary><c>POST /events</c> against the real endpoint on loopback and the embedded broker: status codes and bodies.</summary>
public sealed class EventsApiTests(EventsApiFixture fixture) : IClassFixture<EventsApiFixture>
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 10, 15, 30, TimeSpan.Zero);

    private static JsonObject Valid(string id) => Generic(id, "product_view", "api-session-" + id, Users[0], "1", At);

    private static JsonObject Invalid(string id) => Valid(id).AsObject().Also(o => o.Remove("timestamp"));

    [Fact]
    public async Task One_object_is_answered_202_only_once_kafka_holds_it()
    {
        using var client = fixture.Client();
        var before = fixture.MessagesIn(fixture.EventsTopic);

        var (status, body) = await client.PostAsync(Valid("one-object").ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, body!.Accepted);
        Assert.Empty(body.Rejected);
        // Read right after the answer: had the API answered before the acknowledgement, the event could be missing.
        Assert.Equal(before + 1, fixture.MessagesIn(fixture.EventsTopic));
    }

    [Fact]
    public async Task Array_body_judges_each_event_on_its_own_and_keeps_the_rejected_one()
    {
        using var client = fixture.Client();
        var (eventsBefore, rejectedBefore) = (fixture.MessagesIn(fixture.EventsTopic), fixture.MessagesIn(fixture.RejectedTopic));

        var (status, body) = await client.PostAsync(Array([Valid("array-a"), Invalid("array-b"), Valid("array-c")]));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(2, body!.Accepted);
        var rejection = Assert.Single(body.Rejected);
        Assert.Equal(1, rejection.Index);
        Assert.Contains("timestamp: required", rejection.Errors);
        Assert.Equal(eventsBefore + 2, fixture.MessagesIn(fixture.EventsTopic));
        Assert.Equal(rejectedBefore + 1, fixture.MessagesIn(fixture.RejectedTopic));
    }

    [Fact]
    public async Task Ndjson_line_that_is_not_json_rejects_that_line_only()
    {
        using var client = fixture.Client();
        var body = Valid("nd-a").ToJsonString() + "\n{\"event_id\": broken\n\n" + Valid("nd-b").ToJsonString() + "\n";

        var (status, response) = await client.PostAsync(body, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(2, response!.Accepted);
        var rejection = Assert.Single(response.Rejected);
        Assert.Equal(1, rejection.Index);
        Assert.StartsWith("event: not valid JSON", Assert.Single(rejection.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_without_a_valid_event_is_400_with_every_problem()
    {
        using var client = fixture.Client();

        var (status, body) = await client.PostAsync(Ndjson([Invalid("bad-a"), new JsonObject { ["hello"] = "world" }]), "application/x-ndjson");
        var (notJsonStatus, notJson) = await client.PostAsync("{not json");
        var (emptyStatus, _) = await client.PostAsync("[]");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(0, body!.Accepted);
        Assert.Equal([0, 1], body.Rejected.Select(r => r.Index));
        Assert.StartsWith("event: unrecognised shape", Assert.Single(body.Rejected[1].Errors), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notJsonStatus);
        Assert.StartsWith("body: not valid JSON", Assert.Single(Assert.Single(notJson!.Rejected).Errors), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, emptyStatus);
    }

    [Fact]
    public async Task Body_above_the_size_limit_is_413_json_and_nothing_is_produced()
    {
        var before = fixture.MessagesIn(fixture.EventsTopic);
        var events = Enumerable.Range(0, 200).Select(i => (JsonNode)Valid($"big-{i}")).ToList();
        var body = Ndjson(events);
        Assert.True(body.Length > EventsApiFixture.MaxBodyBytes);

        var (status, error) = await PostForErrorAsync(new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith($"request body larger than {EventsApiFixture.MaxBodyBytes} bytes", error, StringComparison.Ordinal);
        Assert.Equal(before, fixture.MessagesIn(fixture.EventsTopic));
    }

    [Fact]
    public async Task Chunked_body_above_the_size_limit_is_413_json_and_nothing_is_produced()
    {
        var before = fixture.MessagesIn(fixture.EventsTopic);
        var line = Encoding.UTF8.GetBytes(Valid("chunked").ToJsonString() + "\n");
        var body = Enumerable.Repeat(line, (int)(4 * EventsApiFixture.MaxBodyBytes / line.Length)).SelectMany(l => l).ToArray();
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");

        var (status, error) = await PostForErrorAsync(content, chunked: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith($"request body larger than {EventsApiFixture.MaxBodyBytes} bytes", error, StringComparison.Ordinal);
        Assert.Equal(before, fixture.MessagesIn(fixture.EventsTopic));
    }

    [Fact]
    public async Task Body_with_more_events_than_the_cap_is_413_json_before_anything_is_produced()
    {
        var (eventsBefore, rejectedBefore) = (fixture.MessagesIn(fixture.EventsTopic), fixture.MessagesIn(fixture.RejectedTopic));
        // One valid event and 150 empty objects: 151 events, one above the cap; each would otherwise be produced.
        var body = Valid("over-cap").ToJsonString() + "\n" + string.Concat(Enumerable.Repeat("{}\n", EventsApiFixture.MaxEventsPerBody));

        var (status, error) = await PostForErrorAsync(new StringContent(body, Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith("151 events in one body; at most 150 (Shopstream:IngestApiMaxEvents)", error, StringComparison.Ordinal);
        Assert.Equal(eventsBefore, fixture.MessagesIn(fixture.EventsTopic));
        Assert.Equal(rejectedBefore, fixture.MessagesIn(fixture.RejectedTopic));
    }

    [Fact]
    public async Task Answer_lists_the_first_100_rejections_and_counts_them_all()
    {
        using var client = fixture.Client();
        var rejectedBefore = fixture.MessagesIn(fixture.RejectedTopic);
        var body = Valid("many-rejections").ToJsonString() + "\n" + string.Concat(Enumerable.Repeat("{}\n", 120));

        var (status, response) = await client.PostAsync(body, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, response!.Accepted);
        Assert.Equal(120, response.RejectedTotal);
        Assert.Equal(Enumerable.Range(1, 100), response.Rejected.Select(r => r.Index));
        // Every rejection still lands in the rejected topic; only the answer is shortened.
        Assert.Equal(rejectedBefore + 120, fixture.MessagesIn(fixture.RejectedTopic));
    }

    [Fact]
    public async Task Missing_or_wrong_api_key_is_401_json_and_nothing_is_produced()
    {
        var (eventsBefore, rejectedBefore) = (fixture.MessagesIn(fixture.EventsTopic), fixture.MessagesIn(fixture.RejectedTopic));

        var (missing, missingError) = await PostForErrorAsync(new StringContent(Valid("no-key").ToJsonString(), Encoding.UTF8, "application/json"), key: null);
        var (wrong, _) = await PostForErrorAsync(
            new StringContent(Ndjson([Valid("wrong-key"), new JsonObject()]), Encoding.UTF8, "application/x-ndjson"), key: "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal("missing or wrong X-Api-Key header", missingError);
        Assert.Equal(eventsBefore, fixture.MessagesIn(fixture.EventsTopic));
        Assert.Equal(rejectedBefore, fixture.MessagesIn(fixture.RejectedTopic));
    }

    [Fact]
    public async Task Health_answers_and_ready_says_kafka_answers()
    {
        using var client = fixture.Client();

        using var health = await client.GetAsync("/health");
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // The shape scripts and probes read, kept when the endpoints moved to ASP.NET Core health checks.
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
        Assert.Equal("""{"status":"live"}""", await live.Content.ReadAsStringAsync());
        Assert.Equal("""{"status":"ready","checks":{"kafka":"ok"}}""", await ready.Content.ReadAsStringAsync());
        Assert.Equal("application/json", ready.Content.Headers.ContentType?.MediaType);
        Assert.True(ready.Headers.CacheControl?.NoStore, "a probe must not read a cached readiness");
    }

    [Fact]
    public async Task Events_kafka_does_not_acknowledge_are_answered_503_never_202()
    {
        var options = new KafkaProducerOptions { BootstrapServers = "127.0.0.1:" + Silo.Hosting.SiloHostFactory.FreePort() };
        options.ClientSettings["message.timeout.ms"] = "1500";
        await using var producer = new KafkaRecordProducer(options);
        await using var app = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0 }, producer);
        using var client = new EventsApiClient(EventsApiHost.BaseAddress(app), apiKey: null);

        var (status, _) = await client.PostAsync(Valid("unacknowledged").ToJsonString());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        await app.StopAsync();
    }

    [Fact]
    public async Task Request_answered_401_puts_nothing_on_the_events_or_rejected_topic()
    {
        using var anonymous = new EventsApiClient(fixture.BaseAddress, apiKey: null);
        using var client = fixture.Client();
        var (eventsBefore, rejectedBefore) = (fixture.MessagesIn(fixture.EventsTopic), fixture.MessagesIn(fixture.RejectedTopic));

        // A valid and an invalid event each: either would reach Kafka (events, rejected) if the key were not checked first.
        var (missing, _) = await anonymous.PostAsync(Array([Valid("401-missing"), Invalid("401-missing-bad")]));
        var (wrong, _) = await client.PostAsync(Array([Valid("401-wrong"), Invalid("401-wrong-bad")]), key: "not-the-key");
        // A fence: this one is answered only once Kafka acknowledged it, after anything the same producer sent before.
        var (accepted, _) = await client.PostAsync(Valid("401-fence").ToJsonString());

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Accepted), (missing, wrong, accepted));
        Assert.Equal(eventsBefore + 1, fixture.MessagesIn(fixture.EventsTopic));
        Assert.Equal(rejectedBefore, fixture.MessagesIn(fixture.RejectedTopic));
    }

    [Fact]
    public async Task Unreachable_kafka_is_answered_503_within_the_bound_and_ready_says_not_ready()
    {
        // librdkafka's own message timeout stays at its default (300 s): only the API's bound can answer in time.
        await using var producer = new KafkaRecordProducer(new KafkaProducerOptions
        {
            BootstrapServers = "127.0.0.1:" + Silo.Hosting.SiloHostFactory.FreePort(),
            DisposeFlushTimeout = TimeSpan.FromSeconds(1),
        });
        await using var app = await EventsApiHost.StartAsync(
            new EventsApiOptions { Port = 0, AckTimeout = TimeSpan.FromSeconds(2), ConcurrentRequests = 1, QueueLimit = 0 }, producer);
        using var http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(app), Timeout = TimeSpan.FromSeconds(60) };

        var watch = Stopwatch.StartNew();
        var waiting = PostAsync(http, Valid("unreachable"));
        await Task.Delay(500);
        // The one concurrent permit is held by the request waiting for Kafka.
        var (overLimit, overLimitError) = await ErrorAsync(PostAsync(http, Valid("second")));
        var (status, error) = await ErrorAsync(waiting);
        var elapsed = watch.Elapsed;
        var readyWatch = Stopwatch.StartNew();
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var readyElapsed = readyWatch.Elapsed;
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TooManyRequests, overLimit);
        Assert.StartsWith("too many requests", overLimitError, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("no acknowledgement within 2 s (Shopstream:IngestApiAckTimeout); nothing is confirmed", error, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("not ready", checks.GetProperty("status").GetString());
        Assert.StartsWith("unreachable", checks.GetProperty("checks").GetProperty("kafka").GetString(), StringComparison.Ordinal);
        Assert.True(readyElapsed < TimeSpan.FromSeconds(5), $"/health/ready took {readyElapsed}");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Requests_above_the_rate_are_429_json_and_produce_nothing()
    {
        var before = fixture.MessagesIn(fixture.EventsTopic);
        await using var app = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0, RequestsPerSecond = 1, QueueLimit = 0 }, fixture.Producer);
        using var http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(app), Timeout = TimeSpan.FromSeconds(60) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => ErrorAsync(PostAsync(http, Valid($"rate-{i}")))));
        var accepted = answers.Count(a => a.Status == HttpStatusCode.Accepted);

        // One permit per second: of six requests sent at once one passes (two if the bucket refilled meanwhile).
        Assert.InRange(accepted, 1, 2);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Accepted), a =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, a.Status);
            Assert.StartsWith("too many requests", a.Error, StringComparison.Ordinal);
        });
        Assert.Equal(before + accepted, fixture.MessagesIn(fixture.EventsTopic));
        await app.StopAsync();
    }

    [Fact]
    public async Task Bind_beyond_loopback_without_a_key_fails_to_start_naming_the_setting()
    {
        var refused = await Assert.ThrowsAsync<IngestException>(() =>
            EventsApiHost.StartAsync(new EventsApiOptions { Port = 0, Bind = "0.0.0.0" }, fixture.Producer));
        await using var anonymous = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0, Bind = "0.0.0.0", AllowAnonymous = true }, fixture.Producer);

        Assert.StartsWith("Shopstream:IngestApiKey is required when the API binds beyond loopback", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-anonymous", refused.Message, StringComparison.Ordinal);
        await anonymous.StopAsync();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, JsonObject @event) =>
        http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(@event.ToJsonString(), Encoding.UTF8, "application/json"));

    private async Task<(HttpStatusCode Status, string? Error)> PostForErrorAsync(HttpContent content, string? key = EventsApiFixture.ApiKey, bool chunked = false)
    {
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        if (key is not null)
        {
            request.Headers.Add(EventsApiOptions.ApiKeyHeader, key);
        }
        return await ErrorAsync(http.SendAsync(request));
    }

    /// <summary>The status and the <c>error</c> of a JSON answer (null when it has none, as a 202).</summary>
    private static async Task<(HttpStatusCode Status, string? Error)> ErrorAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, body.TryGetProperty("error", out var error) ? error.GetString() : null);
    }
}

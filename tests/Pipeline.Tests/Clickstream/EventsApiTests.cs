using System.Net;
using System.Text.Json.Nodes;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Pipeline.Tests.Infrastructure;
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
    public async Task Body_above_the_size_limit_is_413_and_nothing_is_produced()
    {
        using var client = fixture.Client();
        var before = fixture.MessagesIn(fixture.EventsTopic);
        var events = Enumerable.Range(0, 200).Select(i => (JsonNode)Valid($"big-{i}")).ToList();
        var body = Ndjson(events);
        Assert.True(body.Length > EventsApiFixture.MaxBodyBytes);

        var (status, _) = await client.PostAsync(body, "application/x-ndjson");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(before, fixture.MessagesIn(fixture.EventsTopic));
    }

    [Fact]
    public async Task Missing_or_wrong_api_key_is_401()
    {
        using var anonymous = new EventsApiClient(fixture.BaseAddress, apiKey: null);
        using var client = fixture.Client();

        var (missing, _) = await anonymous.PostAsync(Valid("no-key").ToJsonString());
        var (wrong, _) = await client.PostAsync(Valid("wrong-key").ToJsonString(), key: "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
    }

    [Fact]
    public async Task Health_answers()
    {
        using var client = fixture.Client();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;

namespace Shopstream.Cli.Bench;

/// <summary>What the ingest API held: offered and achieved events/s, failures and request latency.</summary>
public sealed record HttpIngestResult(
    double OfferedRate, int Seconds, double AchievedRate, long Accepted, long Rejected, long Failed, double P50Ms, double P99Ms);

/// <summary>
/// <c>POST /events</c> held at an offered rate: NDJSON bodies posted by concurrent clients on a fixed schedule, each
/// answered only after Kafka acknowledged its events. The events are the shipped clickstream samples
/// (samples/clickstream, built from DummyJSON users and products), each given a new event id and session.
/// </summary>
public sealed class HttpIngestBench(int rate, int seconds, Action<string> log)
{
    private const int EventsPerRequest = 250;
    private const int Clients = 8;

    public async Task<HttpIngestResult> RunAsync(string kafka, string samplesDirectory, CancellationToken ct)
    {
        // The samples hold a few deliberately invalid events (they show rejections in the demo); the load is valid.
        var normalizer = new Ingest.Events.ClickEventNormalizer();
        var templates = Directory.GetFiles(samplesDirectory, "*.ndjson").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Where(l => l.Length > 0)
            .Where(l =>
            {
                using var document = JsonDocument.Parse(l);
                return normalizer.Normalize(document.RootElement).IsAccepted;
            })
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        if (templates.Length == 0)
        {
            throw new InvalidOperationException($"no clickstream samples (*.ndjson) in {samplesDirectory}");
        }
        var requests = Math.Max(1, rate * seconds / EventsPerRequest);
        log($"http: POST /events, {rate:N0} events/s offered for {seconds} s ({requests:N0} requests of {EventsPerRequest} events, {Clients} clients)");

        await using var producer = new KafkaRecordProducer(new KafkaProducerOptions { BootstrapServers = kafka });
        var api = new EventsApiOptions { Bind = "127.0.0.1", Port = 0 };
        await using var app = await EventsApiHost.StartAsync(api, producer, cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(app), Timeout = TimeSpan.FromSeconds(30) };

        var latencies = new double[requests];
        long accepted = 0, rejected = 0, failed = 0, next = -1, done = 0;
        var interval = TimeSpan.FromSeconds((double)EventsPerRequest / rate);
        var watch = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(2000, CancellationToken.None);
                var a = Interlocked.Read(ref accepted);
                log($"  http {a,10:N0} events accepted  {a / watch.Elapsed.TotalSeconds,8:N0} events/s  requests {Interlocked.Read(ref done):N0} / {requests:N0}  failed {Interlocked.Read(ref failed):N0}");
            }
        }, CancellationToken.None);
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            long k;
            while ((k = Interlocked.Increment(ref next)) < requests)
            {
                var due = interval * k;
                if (due > watch.Elapsed)
                {
                    await Task.Delay(due - watch.Elapsed, ct);
                }
                using var content = new ByteArrayContent(Body(templates, k));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                var sent = watch.Elapsed;
                try
                {
                    using var response = await http.PostAsync(new Uri("/events", UriKind.Relative), content, ct);
                    var result = response.StatusCode == HttpStatusCode.Accepted ? await response.Content.ReadFromJsonAsync<EventsResponse>(ct) : null;
                    if (result is null)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    else
                    {
                        Interlocked.Add(ref accepted, result.Accepted);
                        Interlocked.Add(ref rejected, result.RejectedTotal);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
                latencies[k] = (watch.Elapsed - sent).TotalMilliseconds;
                Interlocked.Increment(ref done);
            }
        }, ct)).ToArray();
        await Task.WhenAll(clients);
        var elapsed = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await monitor;
        await app.StopAsync(ct);

        Array.Sort(latencies);
        var result = new HttpIngestResult(
            rate, seconds, accepted / elapsed, accepted, rejected, failed,
            latencies[(int)(0.50 * (latencies.Length - 1))], latencies[(int)(0.99 * (latencies.Length - 1))]);
        log($"http: {accepted:N0} events accepted in {elapsed:0.0} s = {result.AchievedRate:N0} events/s; {rejected:N0} rejected, {failed:N0} requests failed; request p50 {result.P50Ms:0} ms, p99 {result.P99Ms:0} ms");
        return result;
    }

    /// <summary>
    /// One request's NDJSON: the samples in turn (all three shapes), each with its own event id where the shape has
    /// one, in sessions (or devices) of 25 events.
    /// </summary>
    private static byte[] Body(JsonObject[] templates, long request)
    {
        var text = new StringBuilder(EventsPerRequest * 600);
        for (var j = 0; j < EventsPerRequest; j++)
        {
            var n = (request * EventsPerRequest) + j;
            var e = templates[n % templates.Length].DeepClone().AsObject();
            var id = "bench-" + n.ToString(CultureInfo.InvariantCulture);
            var session = "bench-s" + (n / 25).ToString(CultureInfo.InvariantCulture);
            if (e.ContainsKey("event_id"))
            {
                e["event_id"] = id;
                e["session_id"] = session;
            }
            else
            {
                if (e.ContainsKey("_id"))
                {
                    e["_id"] = id;
                }
                e["device_id"] = session;
            }
            text.Append(e.ToJsonString()).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;

namespace Shopstream.Cli.Bench;

/// <summary>What the events phase measured.</summary>
/// <param name="Events">Clickstream events sent, each a product view with its own id.</param>
/// <param name="Sessions">Distinct sessions among them.</param>
/// <param name="Seconds">From the first event judged at the door until the last one's offset was committed (its rows durable).</param>
public sealed record EventsEndToEndResult(int Events, int Sessions, double Seconds)
{
    /// <summary>Events/s end to end.</summary>
    public double EventsPerSecond => Events / Math.Max(Seconds, 1e-6);
}

/// <summary>
/// The bench's <c>events=</c>: clickstream events end to end. The feed bench's product views (50,000 sessions) go through
/// the door every feed and <c>POST /events</c> use (<see cref="ClickEventIntake"/>: judged, normalized, produced to the
/// events topic keyed by session), then a fresh silo's session grains into <c>fact_events</c>, <c>sessions</c> and
/// <c>fact_product_views</c> (and the raw zone when on). Timed until every offset is committed, then the three tables
/// are checked to hold every event.
/// </summary>
public sealed class EventsEndToEndBench(int events, int partitions, Action<string> log)
{
    /// <summary>The bench's events topic for this phase: the lake phase later reads the events topic the http phase fills.</summary>
    public const string Topic = "bench.events";

    private const int Batch = 5_000;

    // The embedded broker keeps about 5 MB per partition, read or not, and drops the oldest beyond that: a consumer
    // behind it jumps ahead (auto.offset.reset) and never sees what was dropped. So the door never runs further ahead of
    // the silo than this on any one partition. A normalized event is about 850 bytes on the wire (the e2e phase's
    // products about 430), so the e2e phase's 8,000 would be 6.8 MB here: one default run lost 248 events of one
    // partition that way (2026-11-27, caught by the check below). 3,000 is 2.6 MB, plus one batch's share.
    private const long MaxPartitionLag = 3_000;

    /// <param name="options">The silo the phase starts (database, broker, consumer group, raw zone, client settings); its topics must exist.</param>
    /// <param name="ct">Stops the phase.</param>
    public async Task<EventsEndToEndResult> RunAsync(ShopstreamOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        var sessions = Math.Min(events, FeedBridgeBench.Sessions);
        log($"events: {events:N0} clickstream events in {sessions:N0} sessions through the door -> Kafka -> session grains -> fact_events, sessions, fact_product_views (raw zone {(options.RawZone ? "on" : "off")})");
        using var host = SiloHostFactory.BuildLocal(options);
        await host.StartAsync(ct);
        await using var producer = new KafkaRecordProducer(options.EventsProducerOptions("shopstream-bench-events", "bench-events"));
        var door = new ClickEventIntake(producer, source: "bench-events");
        using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, [options.EventsTopic]);
        var start = progress.Read(TimeSpan.FromSeconds(10)).Sum(l => l.CommittedOffset);
        var maxAhead = Math.Max(20_000, partitions * 8_000);
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var lastLog = 0L;
        for (var sent = 0; sent < events;)
        {
            while (progress.Read(TimeSpan.FromSeconds(10)) is var lags
                && (sent - (lags.Sum(l => l.CommittedOffset) - start) > maxAhead || lags.Max(l => l.Lag) > MaxPartitionLag))
            {
                await Task.Delay(20, ct);
            }
            var batch = Enumerable.Range(sent, Math.Min(Batch, events - sent)).Select(i => EventsBody.ReadOne(i, FeedBridgeBench.GenericView(i))).ToList();
            var response = await door.AcceptAsync(batch, ct);
            if (response.Accepted != batch.Count)
            {
                throw new InvalidOperationException($"events: the door refused {batch.Count - response.Accepted} of {batch.Count} bench events");
            }
            sent += batch.Count;
            if (clock.ElapsedMilliseconds - lastLog >= 2000)
            {
                lastLog = clock.ElapsedMilliseconds;
                log($"  events {sent,10:N0} / {events:N0} accepted  {sent / clock.Elapsed.TotalSeconds,8:N0} events/s at the door");
            }
        }
        if (!await progress.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(10), null, ct))
        {
            throw new TimeoutException($"events: the silo did not commit all {events:N0} events within 10 minutes");
        }
        var result = new EventsEndToEndResult(events, sessions, clock.Elapsed.TotalSeconds);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        log($"events: CPU {cpu.TotalMicroseconds / events:N1} us per event (this process: door, producer and silo; PostgreSQL and the broker not included)");
        await host.StopAsync(ct);
        await CheckAsync(options.Postgres, result, ct);
        log($"events: {events:N0} events in {result.Seconds:0.0} s = {result.EventsPerSecond:N0} events/s end to end; fact_events, sessions and fact_product_views hold them all");
        return result;
    }

    /// <summary>
    /// Every event is a fact, every session a row, every view counted once: else the rate means nothing. The phase's
    /// database holds no other events (the other phases write products; the http phase runs without a silo).
    /// </summary>
    private static async Task CheckAsync(string postgres, EventsEndToEndResult expected, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(postgres);
        await using var count = db.CreateCommand("""
            SELECT (SELECT count(*) FROM fact_events), (SELECT count(*) FROM sessions),
                   (SELECT coalesce(sum(view_count), 0) FROM fact_product_views)
            """);
        await using var row = await count.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        var (facts, sessions, views) = (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
        if (facts != expected.Events || sessions != expected.Sessions || views != expected.Events)
        {
            throw new InvalidOperationException(
                $"events: fact_events {facts:N0}, sessions {sessions:N0}, product views {views:N0}; expected {expected.Events:N0}, {expected.Sessions:N0}, {expected.Events:N0}");
        }
    }
}

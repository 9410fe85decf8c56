using System.CommandLine;
using System.Globalization;
using Shopstream.Cli.Bench;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary><c>shopstream bench</c>: Shopstream against the hardware floors and the per-record baseline, in one run.</summary>
internal static class BenchCommand
{
    /// <summary>The offered rate the latency target is set at.</summary>
    private const int LatencyTargetRate = 10_000;

    public static Command Create()
    {
        var records = Positive("--records", "Record updates end to end and in the floors", 1_000_000);
        var entities = Positive("--entities", "Distinct entities the updates go to", 100_000);
        var partitions = Positive("--partitions", "Partitions per topic on the embedded broker", 32);
        var baseline = Positive("--baseline-records", "Records the pooled per-record baseline processes", 20_000);
        var reference = Positive("--reference-records", "Records the connection-per-record baseline (the reference's way) processes", 2_000);
        var rate = Positive("--latency-rate", "Offered records/s during the latency run", LatencyTargetRate);
        var seconds = Positive("--latency-seconds", "Length of the latency run", 10);
        var distinct = AtLeast(0, "--distinct", "Records of the memory phase, each to a new entity (0 skips it)", 1_000_000);
        var httpRate = Positive("--http-rate", "Events/s offered to the ingest API (POST /events)", 5_000);
        var httpSeconds = AtLeast(0, "--http-seconds", "Length of the ingest API phase (0 skips it)", 60);
        var events = AtLeast(0, "--events", "Clickstream events end to end in 50,000 sessions, door to fact_events, sessions and fact_product_views (0 skips it)", 300_000);
        var memory = Positive("--memory-limit-mb", "The silo's memory budget: idle grains are shed and the pull held back near it", 1_400);
        var keys = new Option<string>("--keys")
        {
            Description = "How the end-to-end updates spread over the entities: round-robin (the headline) or zipf (hot keys, a long tail, bursts)",
            DefaultValueFactory = _ => "round-robin",
        };
        keys.AcceptOnlyFromAmong("round-robin", "zipf");
        var rawZone = new Option<bool>("--raw-zone")
        {
            Description = "Land every message in the raw zone, as every silo does by default; --raw-zone false measures the path without it",
            DefaultValueFactory = _ => true,
        };
        var postgres = CommonOptions.Postgres(required: false);
        var command = new Command("bench", "Measure end-to-end throughput, latency and memory against floors measured in the same run")
        {
            records, entities, partitions, keys, rawZone, baseline, reference, rate, seconds, distinct, events, httpRate, httpSeconds, memory, postgres,
        };
        command.SetAction(async (r, ct) =>
        {
            var pg = r.GetValue(postgres);
            if (string.IsNullOrWhiteSpace(pg))
            {
                await Console.Error.WriteLineAsync("--postgres (or SHOPSTREAM_POSTGRES) is required; ./shopstream bench starts a local PostgreSQL and passes it");
                return 2;
            }
            if (await KafkaClientCheck.ReadOrReportAsync("bench") is not { } clientSettings)
            {
                return 2;
            }
            var settings = new BenchSettings(r.GetValue(records), r.GetValue(entities), r.GetValue(partitions), pg, r.GetValue(baseline), r.GetValue(reference), r.GetValue(rate), r.GetValue(seconds), r.GetValue(distinct), r.GetValue(httpRate), r.GetValue(httpSeconds), r.GetValue(memory))
            {
                Keys = r.GetValue(keys) == "zipf" ? BenchKeyDistribution.Zipf : BenchKeyDistribution.RoundRobin,
                KafkaClient = clientSettings,
                RawZone = r.GetValue(rawZone),
                Events = r.GetValue(events),
            };
            var result = await new BenchRunner(settings, line => AnsiConsole.MarkupLine(Markup.Escape(line))).RunAsync(ct);
            AnsiConsole.Write(Table(result));
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv,
                $"bench: e2e={result.EndToEnd:0} floor_consume={result.FloorConsume:0} floor_db={result.FloorDb:0} baseline={result.Baseline:0} p50_ms={result.P50Ms:0} p99_ms={result.P99Ms:0} rss_mb={Math.Max(result.PeakRssMb, result.DistinctPeakRssMb):0} activation={result.Activation:0} gc_pct={result.GcShare * 100:0} p99_10k_ms={(result.LatencyOffered == LatencyTargetRate ? result.P99Ms.ToString("0", inv) : "n/a")} recalls={result.Recalls:0} feed={result.Feed:0} events={result.Events?.EventsPerSecond ?? 0:0} lake={result.Lake:0} p99_new_ms={result.P99NewMs:0}"));
            return 0;
        });
        return command;
    }

    private static Table Table(BenchResult r)
    {
        var cores = Environment.ProcessorCount;
        var t = new Table { Title = new TableTitle($"bench: {r.Records:N0} updates to {r.Entities:N0} entities, {cores} cores"), Border = TableBorder.Rounded };
        t.AddColumns("measure", "value", "Shopstream e2e relative to it", "target");
        t.AddRow($"Shopstream e2e (ingest -> Kafka -> grains -> rows durable), {(r.Keys == BenchKeyDistribution.Zipf ? "zipf" : "round-robin")} keys", $"{r.EndToEnd:N0} rec/s", "", Verdict(r.EndToEnd >= 50_000, ">= 50,000 rec/s"));
        if (r.Activation > 0)
        {
            t.AddRow($"activation: first pass over {Math.Min(r.Records, r.Entities):N0} new entities", $"{r.Activation:N0} entities/s", "", Verdict(r.Activation >= 12_000, ">= 12,000/s"));
        }
        t.AddRow("GC pause share, e2e phase", $"{r.GcShare:P0}", "", Verdict(r.GcShare < 0.15, "< 15%"));
        t.AddRow("floor-consume (plain Confluent.Kafka consumer)", $"{r.FloorConsume:N0} rec/s", $"{r.EndToEnd / r.FloorConsume:P1}", Verdict(r.EndToEnd >= 0.2 * r.FloorConsume, ">= 20%"));
        t.AddRow("floor-db (binary COPY + one upsert)", $"{r.FloorDb:N0} rows/s", $"{r.EndToEnd / r.FloorDb:P1}", "");
        t.AddRow("baseline (reference's way: a connection and an upsert per record)", $"{r.Baseline:N0} rec/s", $"{r.EndToEnd / r.Baseline:0.0}x", Verdict(r.EndToEnd >= 50 * r.Baseline, ">= 50x"));
        t.AddRow("baseline-pooled (an upsert per record on one open connection)", $"{r.BaselinePooled:N0} rec/s", $"{r.EndToEnd / r.BaselinePooled:0.0}x", "");
        t.AddRow($"latency produce -> visible at {r.LatencyAchieved:N0} rec/s, updates to active entities", $"p50 {r.P50Ms:N0} ms, p99 {r.P99Ms:N0} ms", "",
            r.LatencyOffered == LatencyTargetRate ? Verdict(r.P99Ms <= 500, "p99 <= 500 ms at 10,000 rec/s") : "");
        t.AddRow("latency, each update a new entity (an activation each)", $"p50 {r.P50NewMs:N0} ms, p99 {r.P99NewMs:N0} ms", "", "");
        t.AddRow($"peak RSS of the silo process, e2e ({r.Entities:N0} busy entities, no budget; broker runs apart)", $"{r.PeakRssMb:N0} MB", "", Verdict(r.PeakRssMb <= 1200, "<= 1,200 MB"));
        if (r.Distinct > 0)
        {
            t.AddRow($"memory phase: {r.Distinct:N0} updates, each to a new entity", $"{r.DistinctRate:N0} rec/s, {r.DistinctRows:N0} rows", "",
                Verdict(r.DistinctRows == r.Distinct && r.DistinctRate >= 10_000, "all entities, >= 10,000 rec/s"));
            t.AddRow($"peak RSS of the silo process with {r.Distinct:N0} distinct entities", $"{r.DistinctPeakRssMb:N0} MB", "", Verdict(r.DistinctPeakRssMb <= 1536, "<= 1.5 GB"));
        }
        if (r.Http is { } h)
        {
            t.AddRow(
                $"ingest API: {h.OfferedRate:N0} events/s offered for {h.Seconds} s",
                $"{h.AchievedRate:N0} events/s, {h.Failed:N0} failed requests, request p99 {h.P99Ms:N0} ms",
                "",
                Verdict(h.Failed == 0 && h.Rejected == 0 && h.AchievedRate >= 0.98 * h.OfferedRate, "holds the rate, no errors"));
        }
        t.AddRow("recalls: 10,000 notices from a fixture API to rows", $"{r.Recalls:N0} records/s", "", Verdict(r.Recalls >= 1_000, ">= 1,000/s (10,000 in 10 s)"));
        t.AddRow("feed: one bridge, foreign topic to ours", $"{r.Feed:N0} events/s", "", Verdict(r.Feed >= 50_000, ">= 50,000/s"));
        if (r.Events is { } e)
        {
            t.AddRow($"events: {e.Events:N0} clickstream events, {e.Sessions:N0} sessions, to fact_events, sessions, fact_product_views", $"{e.EventsPerSecond:N0} events/s", "", Verdict(e.EventsPerSecond >= 20_000, ">= 20,000/s"));
        }
        if (r.Lake > 0)
        {
            t.AddRow("lake: one writer, events topic to committed Parquet", $"{r.Lake:N0} events/s", "", Verdict(r.Lake >= 100_000, ">= 100,000/s"));
        }
        t.AddRow("rows/s per core (e2e)", $"{r.EndToEnd / cores:N0}", "", "");
        t.AddRow($"product rows after e2e (expected: the {r.ExpectedRows:N0} entities updated)", $"{r.RowsVerified:N0}", "", Verdict(r.RowsVerified == r.ExpectedRows, "all entities"));
        return t;
    }

    private static string Verdict(bool ok, string target) => ok ? $"[green]met[/] ({Markup.Escape(target)})" : $"[red]missed[/] ({Markup.Escape(target)})";

    private static Option<int> Positive(string name, string description, int defaultValue) => AtLeast(1, name, description, defaultValue);

    private static Option<int> AtLeast(int minimum, string name, string description, int defaultValue)
    {
        var o = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        o.Validators.Add(v =>
        {
            if (v.GetValueOrDefault<int>() < minimum)
            {
                v.AddError(minimum == 1 ? $"{name} must be a positive number" : $"{name} must be 0 or a positive number");
            }
        });
        return o;
    }
}

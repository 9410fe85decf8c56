using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shopstream.Cli.Sources;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Shopstream.Projection.Storage;
using Shopstream.Kafka.Embedded;
using Spectre.Console;
using Shopstream.Silo.CommandLine;
using Shopstream.Silo.Web;
using Shopstream.Silo.Web.Console;
using Microsoft.AspNetCore.Builder;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream demo</c>: one process with a silo and the ingest; streams a snapshot (and the clickstream files in
/// <c>DIR/events/*.ndjson</c>, through the ingest API) through Kafka into PostgreSQL, waits until every record is
/// applied or rejected, and prints the tables, views and reports.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var postgres = CommonOptions.Postgres(required: false);
        var kafka = CommonOptions.Kafka("without it an embedded Kafka-protocol broker runs in this process");
        var partitions = CommonOptions.Partitions();
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the pipeline to catch up", DefaultValueFactory = _ => 300 };
        var feed = new Option<bool>("--feed")
        {
            Description = "Send DIR/events/*.ndjson through feeds instead of POST /events: raw to a second embedded broker (the \"foreign\" cluster), one topic per shape, bridged by the silo",
        };
        var console = new Option<bool>("--console")
        {
            Description = "Keep the silo running with its web console on loopback (prints the URL; Ctrl+C stops it) and write screenshots of every page to .run/console/",
        };
        var consolePort = new Option<int>("--console-port") { Description = "HTTP port of the console with --console (0: a free one)", DefaultValueFactory = _ => 0 };
        var command = new Command("demo", "Run the pipeline end to end on a snapshot and print the analytic tables") { data, postgres, kafka, partitions, timeout, feed, console, consolePort };
        command.SetAction(async (r, ct) =>
        {
            var pg = r.GetValue(postgres);
            if (string.IsNullOrWhiteSpace(pg))
            {
                await Console.Error.WriteLineAsync("--postgres (or SHOPSTREAM_POSTGRES) is required; ./shopstream demo starts a local PostgreSQL and passes it");
                return 2;
            }
            if (await KafkaClientCheck.ReadOrReportAsync("demo") is not { } clientSettings)
            {
                return 2;
            }
            int? webPort = r.GetValue(console) ? r.GetValue(consolePort) : null;
            return await RunAsync(r.GetValue(data), pg, r.GetValue(kafka), clientSettings, r.GetValue(partitions), TimeSpan.FromSeconds(r.GetValue(timeout)), r.GetValue(feed), webPort, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        DirectoryInfo? data, string postgres, string? kafka, Dictionary<string, string> clientSettings, int partitions, TimeSpan timeout, bool feed, int? consolePort,
        CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        using var broker = string.IsNullOrWhiteSpace(kafka) ? EmbeddedKafkaBroker.Start() : null;
        if (broker is not null)
        {
            kafka = broker.BootstrapServers;
            AnsiConsole.MarkupLine($"[yellow]No --kafka given:[/] using the embedded Kafka-protocol broker (librdkafka mock cluster) at [bold]{broker.BootstrapServers}[/]. It lives in this process and keeps about 5 MB per partition.");
        }
        var options = new ShopstreamOptions { Postgres = postgres, Kafka = kafka!, Lake = LakeCommand.DemoOptions(), KafkaClient = clientSettings };
        var eventsDirectory = Path.Combine(data?.FullName ?? RepoPaths.SamplesDirectory(), "events");
        if (consolePort is not null && data is null && !Directory.Exists(eventsDirectory))
        {
            // The console's clickstream page wants events: the bundled ones.
            eventsDirectory = Path.Combine(RepoPaths.Root(), "samples", "clickstream", "events");
        }
        using var foreign = feed && Directory.Exists(eventsDirectory) ? DemoFeeds.Start(eventsDirectory, options, partitions) : null;
        options.Validate();
        var topics = options.TopicsByNamespace().Values.ToList();

        AnsiConsole.MarkupLine($"PostgreSQL: [bold]{Markup.Escape(Redacted(postgres))}[/]");
        await SchemaMigrator.ApplyAsync(postgres, ct);
        if (broker is not null)
        {
            // The mock cluster has no controller for CreateTopics; it creates topics through its own API.
            topics.ForEach(t => broker.CreateTopic(t, partitions));
        }
        else
        {
            await TopicProvisioner.EnsureAsync(kafka!, options.KafkaClient, topics, partitions);
        }
        if (broker is not null)
        {
            await LakeCommand.ResetDemoLakeAsync(postgres, options.Lake, ct);
        }
        AnsiConsole.MarkupLine($"Schema applied; topics {string.Join(", ", topics)} ready ({partitions} partitions each when created here).");

        using var host = consolePort is { } port
            ? LocalWebSilo.Build(options, new SiloWebOptions { Bind = "127.0.0.1", Port = port })
            : SiloHostFactory.BuildLocal(options);
        await host.StartAsync(ct);
        var console = host is WebApplication web ? new Uri(LocalWebSilo.BaseAddress(web), "console/") : null;
        AnsiConsole.MarkupLine(console is null ? "Silo started." : $"Silo started; web console at [bold]{console}[/]");

        var ingestStarted = Stopwatch.StartNew();
        var counts = await IngestCommand.RunAsync(kafka!, data, null, null, options.KafkaClient, ct);
        var produced = counts.Sum(c => c.Produced + c.Rejected);
        var recalls = await RecallIngest.LoadSampleAsync(IngestCommand.ProducerOptions(kafka!, options.KafkaClient), RecallIngest.SampleDirectory(), ct);
        produced += (int)(recalls.Produced + recalls.Rejected);
        (int Accepted, int Rejected)? posted = foreign is not null ? await foreign.WaitBridgedAsync(host.Services, timeout, ct)
            : Directory.Exists(eventsDirectory) ? await PostEventsAsync(eventsDirectory, options, ct) : null;
        produced += posted is { } p ? p.Accepted + p.Rejected : 0;

        using var progress = new DeliveryProgress(kafka!, options.ConsumerGroup, options.KafkaClient, topics);
        var caughtUp = false;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var task = ctx.AddTask("records applied or rejected", maxValue: Math.Max(1, produced));
            caughtUp = await progress.WaitUntilCaughtUpAsync(timeout, lags =>
            {
                var lag = lags.Sum(l => l.Lag);
                task.Value = Math.Max(0, produced - lag);
            }, ct);
            task.Value = task.MaxValue;
        });
        var pipelineSeconds = ingestStarted.Elapsed.TotalSeconds;
        if (caughtUp)
        {
            // The lake writer commits its own group's offsets after each file commit: zero lag is everything in the lake.
            using var lake = new DeliveryProgress(kafka!, options.Lake.ConsumerGroup, options.KafkaClient, LakeCommand.Topics(options));
            caughtUp = await lake.WaitUntilCaughtUpAsync(timeout, null, ct);
        }
        if (!caughtUp)
        {
            AnsiConsole.MarkupLine($"[red]The pipeline did not catch up within {timeout.TotalSeconds:0} s.[/]");
            await host.StopAsync(CancellationToken.None);
            return 1;
        }
        if (console is null)
        {
            await host.StopAsync(ct);
        }

        await using var db = NpgsqlDataSource.Create(postgres);
        AnsiConsole.Write(IngestCommand.CountsTable(counts));
        foreach (var (title, sql) in SummaryQueries)
        {
            AnsiConsole.Write(await ConsoleTables.QueryAsync(db, title, sql));
        }
        foreach (var (title, sql) in RecallViews.Queries)
        {
            AnsiConsole.Write(await ConsoleTables.QueryAsync(db, title, sql));
        }
        if (posted is not null)
        {
            await PrintReportsAsync(db, ct);
        }
        await LakeCommand.PrintDemoQueryAsync(postgres, options.Lake, ct);
        AnsiConsole.MarkupLine(
            $"demo: records={produced} elapsed_s={started.Elapsed.TotalSeconds:0.0} pipeline_s={pipelineSeconds:0.00} records_per_s={produced / Math.Max(pipelineSeconds, 0.001):0}");
        if (console is not null)
        {
            await ConsoleScreenshots.WriteAsync(console, ct);
            AnsiConsole.MarkupLine($"Web console: [bold]{console}[/] (the silo keeps running; Ctrl+C stops it)");
            // Ctrl+C or SIGTERM: the command's token, or the host's own console lifetime, whichever takes the signal.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await host.StopAsync(CancellationToken.None);
        }
        return 0;
    }

    /// <summary>Posts every <c>*.ndjson</c> of the directory through the ingest API, run in this process on a free loopback port.</summary>
    private static async Task<(int Accepted, int Rejected)> PostEventsAsync(string directory, ShopstreamOptions options, CancellationToken ct)
    {
        var producerOptions = options.EventsProducerOptions("shopstream-ingest-api", ClickEventIntake.Source);
        var api = new EventsApiOptions { Port = 0 };
        await using var producer = new KafkaRecordProducer(producerOptions);
        await using var app = await EventsApiHost.StartAsync(api, producer, cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(app), Timeout = TimeSpan.FromMinutes(5) };
        var poster = new EventFilePoster(http, api.MaxBodyBytes);
        var (accepted, rejected) = (0, 0);
        foreach (var file in Directory.GetFiles(directory, "*.ndjson").Order(StringComparer.Ordinal))
        {
            var (a, r) = await poster.PostAsync(file, ct);
            AnsiConsole.MarkupLine($"  POST /events [grey]{Markup.Escape(Path.GetFileName(file))}[/]: accepted {a}, rejected {r}");
            (accepted, rejected) = (accepted + a, rejected + r);
        }
        await app.StopAsync(ct);
        return (accepted, rejected);
    }

    /// <summary>The six reports for each day with product views (the latest seven at most).</summary>
    private static async Task PrintReportsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        var dates = await ClickstreamReports.DatesWithViewsAsync(db, ct);
        if (dates.Count > 7)
        {
            AnsiConsole.MarkupLine($"Product views on {dates.Count} days; reports of the latest 7 (./shopstream report NAME --date yyyy-MM-dd for the others).");
        }
        foreach (var date in dates.TakeLast(7))
        {
            foreach (var name in ClickstreamReports.Names)
            {
                AnsiConsole.Write(await ClickstreamReports.TableAsync(db, name, date));
            }
        }
    }

    private static string Redacted(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(b.Password))
        {
            b.Password = "***";
        }
        return b.ConnectionString;
    }

    internal static readonly (string Title, string Sql)[] SummaryQueries =
    [
        ("rows per table and source", """
            SELECT t.source, t.products, t.users, t.carts, t.cart_items FROM vw_data_source_comparison t ORDER BY t.source
            """),
        ("rejected records", """
            SELECT stage, coalesce(topic, '') AS topic, count(*) AS records, min(reason) AS example_reason
            FROM rejected_records GROUP BY stage, topic ORDER BY stage, topic
            """),
        ("vw_data_source_comparison", "SELECT * FROM vw_data_source_comparison ORDER BY source"),
        ("vw_product_ratings", "SELECT * FROM vw_product_ratings ORDER BY source, category, price_category"),
        ("vw_cart_analysis", "SELECT * FROM vw_cart_analysis ORDER BY source, month, day_of_week"),
        ("vw_cart_products (first 15 by total)", "SELECT * FROM vw_cart_products ORDER BY total_price DESC NULLS LAST, source, cart_id, product_id LIMIT 15"),
    ];
}

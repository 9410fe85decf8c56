using System.CommandLine;
using Microsoft.Extensions.Logging;
using Shopstream.Ingest;
using Shopstream.Ingest.Producing;
using Shopstream.Cli.Sources;
using Shopstream.Ingest.Sources;
using Shopstream.Streaming.Kafka;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary><c>shopstream ingest</c>: read a snapshot directory or the live APIs and produce to Kafka.</summary>
internal static partial class IngestCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var kafka = CommonOptions.Kafka("required");
        var source = new Option<string[]>("--source")
        {
            Description = "Read the live API of these sources instead of a snapshot: fakestore, dummyjson, or rappelconso alone",
            AllowMultipleArgumentsPerToken = true,
        };
        source.AcceptOnlyFromAmong(SourceNames.FakeStore, SourceNames.DummyJson, SourceNames.RappelConso);
        var baseUrl = new Option<Uri?>("--base-url")
        {
            Description = "Base URL of the live API (with a single --source)",
            // System.CommandLine 2.0 has no converter for Uri: without this, any value failed with an unhandled exception.
            CustomParser = r =>
            {
                if (Uri.TryCreate(r.Tokens[0].Value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
                {
                    return url;
                }
                r.AddError($"--base-url must be an absolute http or https URL, not '{r.Tokens[0].Value}'");
                return null;
            },
        };
        var recalls = new RecallIngestOptions();
        var command = new Command("ingest", "Normalize records and produce them to Kafka, then exit") { data, kafka, source, baseUrl };
        recalls.AddTo(command, source);
        command.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(CommonOptions.Peek(r, kafka) ?? Environment.GetEnvironmentVariable("SHOPSTREAM_KAFKA")))
            {
                r.AddError("--kafka (or SHOPSTREAM_KAFKA) is required");
            }
            if (CommonOptions.Peek(r, baseUrl) is not null && (CommonOptions.Peek(r, source)?.Length ?? 0) != 1)
            {
                r.AddError("--base-url needs exactly one --source");
            }
            if (CommonOptions.Peek(r, data) is not null && (CommonOptions.Peek(r, source)?.Length ?? 0) > 0)
            {
                r.AddError("--data and --source are exclusive");
            }
        });
        command.SetAction(async (r, ct) =>
        {
            // Shopstream__KafkaClient__* (SASL, SSL, ...) as for every other command.
            if (await KafkaClientCheck.ReadOrReportAsync("ingest") is not { } clientSettings)
            {
                return 2;
            }
            IReadOnlyList<FeedCounts> counts;
            try
            {
                if (RecallIngestOptions.Selected(r, source))
                {
                    return await recalls.RunAsync(r, ProducerOptions(r.GetValue(kafka)!, clientSettings), r.GetValue(baseUrl), ct);
                }
                counts = await RunAsync(r.GetValue(kafka)!, r.GetValue(data), r.GetValue(source), r.GetValue(baseUrl), clientSettings, ct);
            }
            catch (Exception ex) when (ex is IngestException or DirectoryNotFoundException)
            {
                // A bad file or directory is the user's to fix: one line naming it; the stack trace only at debug level.
                await Console.Error.WriteLineAsync($"ingest: {ex.Message}");
                using var logs = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(
                    Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("Logging__LogLevel__Default"), true, out var level) ? level : LogLevel.Warning));
                var logger = logs.CreateLogger("Shopstream.Ingest");
                LogIngestStopped(logger, ex);
                return 2;
            }
            AnsiConsole.Write(CountsTable(counts));
            return 0;
        });
        return command;
    }

    /// <summary>Runs one ingest with a progress line per feed.</summary>
    public static async Task<IReadOnlyList<FeedCounts>> RunAsync(
        string bootstrapServers, DirectoryInfo? data, string[]? sources, Uri? baseUrl,
        IReadOnlyDictionary<string, string> clientSettings, CancellationToken cancellationToken)
    {
        LibrdkafkaLocator.EnsureLoaded();
        await using var producer = new KafkaRecordProducer(ProducerOptions(bootstrapServers, clientSettings));
        IRawRecordSource reader;
        IEnumerable<Feed>? feeds = null;
        using var http = new HttpClient();
        if (sources is { Length: > 0 })
        {
            var ingestOptions = new IngestOptions();
            if (baseUrl is not null)
            {
                if (sources[0] == SourceNames.FakeStore)
                {
                    ingestOptions.FakeStoreBaseUrl = baseUrl;
                }
                else
                {
                    ingestOptions.DummyJsonBaseUrl = baseUrl;
                }
            }
            ingestOptions.Validate();
            reader = new LiveApiReader(http, ingestOptions);
            feeds = Feed.All.Where(f => sources.Contains(f.Source));
        }
        else
        {
            var dir = data?.FullName ?? RepoPaths.SamplesDirectory();
            if (!Directory.Exists(dir))
            {
                throw new DirectoryNotFoundException($"--data: directory '{dir}' does not exist");
            }
            reader = new SnapshotReader(dir);
        }
        var runner = new IngestRunner(reader, producer);
        var progress = new Progress<FeedCounts>(c =>
            AnsiConsole.MarkupLine($"  ingest [grey]{Markup.Escape(c.Feed.ToString())}[/]: read {c.Read}, produced {c.Produced}, rejected {c.Rejected}{(c.SkippedFiles > 0 ? " (file missing, skipped)" : "")}"));
        var counts = await runner.RunAsync(feeds, progress, cancellationToken);
        await producer.FlushAsync(cancellationToken);
        return counts;
    }

    /// <summary>The ingest's producer settings: the bootstrap servers and the client settings, validated.</summary>
    public static KafkaProducerOptions ProducerOptions(string bootstrapServers, IReadOnlyDictionary<string, string> clientSettings)
    {
        var options = new KafkaProducerOptions { BootstrapServers = bootstrapServers };
        foreach (var (k, v) in clientSettings)
        {
            options.ClientSettings[k] = v;
        }
        options.Validate();
        return options;
    }

    public static Table CountsTable(IReadOnlyList<FeedCounts> counts)
    {
        var table = new Table { Title = new TableTitle("ingest"), Border = TableBorder.Rounded };
        table.AddColumns("feed", "read", "produced", "rejected");
        foreach (var c in counts)
        {
            table.AddRow(Markup.Escape(c.Feed.ToString()), $"{c.Read}", $"{c.Produced}", $"{c.Rejected}");
        }
        table.AddRow("[bold]total[/]", $"{counts.Sum(c => c.Read)}", $"{counts.Sum(c => c.Produced)}", $"{counts.Sum(c => c.Rejected)}");
        return table;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingest stopped")]
    private static partial void LogIngestStopped(ILogger logger, Exception exception);
}

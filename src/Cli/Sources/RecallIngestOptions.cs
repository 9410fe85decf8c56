using System.CommandLine;
using System.Globalization;
using Shopstream.Ingest.Sources;
using Shopstream.Silo.CommandLine;
using Spectre.Console;

namespace Shopstream.Cli.Sources;

/// <summary>The flags <c>ingest --source rappelconso</c> adds: <c>--dataset</c>, <c>--full</c>, <c>--since</c>, <c>--postgres</c>.</summary>
internal sealed class RecallIngestOptions
{
    private readonly Option<string?> dataset = new("--dataset") { Description = "RappelConso: the Opendatasoft dataset (default rappelconso-v2-gtin-espaces)" };
    private readonly Option<bool> full = new("--full") { Description = "RappelConso: read everything, ignoring the watermark" };
    private readonly Option<string?> since = new("--since") { Description = "RappelConso: set the watermark to this date (yyyy-MM-dd or ISO 8601, UTC) and read from it" };
    private readonly Option<string?> postgres = CommonOptions.Postgres(required: false);

    public void AddTo(Command command, Option<string[]> source)
    {
        command.Options.Add(dataset);
        command.Options.Add(full);
        command.Options.Add(since);
        command.Options.Add(postgres);
        command.Validators.Add(r =>
        {
            var sources = CommonOptions.Peek(r, source) ?? [];
            if (!sources.Contains(SourceNames.RappelConso))
            {
                return;
            }
            if (sources.Length != 1)
            {
                r.AddError("--source rappelconso runs alone");
            }
            if (string.IsNullOrWhiteSpace(CommonOptions.Peek(r, postgres)))
            {
                r.AddError("--source rappelconso needs --postgres (or SHOPSTREAM_POSTGRES): its watermark and runs are kept there");
            }
            if (CommonOptions.Peek(r, full) && CommonOptions.Peek(r, since) is not null)
            {
                r.AddError("--full and --since are exclusive");
            }
            if (CommonOptions.Peek(r, since) is { } text && Since(text) is null)
            {
                r.AddError($"--since: '{text}' is not a date (yyyy-MM-dd or ISO 8601)");
            }
        });
    }

    public static bool Selected(ParseResult r, Option<string[]> source) => r.GetValue(source)?.Contains(SourceNames.RappelConso) == true;

    public async Task<int> RunAsync(ParseResult r, Ingest.Producing.KafkaProducerOptions producer, Uri? baseUrl, CancellationToken ct)
    {
        var done = await RecallIngest.RunAsync(producer, r.GetValue(postgres)!, baseUrl, r.GetValue(dataset), r.GetValue(full),
            r.GetValue(since) is { } text ? Since(text) : null, ct);
        AnsiConsole.MarkupLine($"rappelconso: pages {done.Pages}, read {done.Read}, produced {done.Produced}, rejected {done.Rejected}");
        return 0;
    }

    private static DateTimeOffset? Since(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
}

using Npgsql;
using Shopstream.Ingest;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Sources;
using Shopstream.Projection.Storage;
using Spectre.Console;

namespace Shopstream.Cli.Sources;

/// <summary>
/// <c>shopstream ingest --source rappelconso</c>: one incremental run of RappelConso now, recorded in <c>source_runs</c>,
/// and the demo's load of the saved sample pages.
/// </summary>
internal static class RecallIngest
{
    /// <summary>One run against the API at <paramref name="baseUrl"/> (the source's default when null).</summary>
    public static async Task<SourceProgress> RunAsync(
        KafkaProducerOptions producerOptions, string postgres, Uri? baseUrl, string? dataset, bool full, DateTimeOffset? since,
        CancellationToken cancellationToken)
    {
        var options = new SourceOptions();
        SourceCatalog.Find(SourceNames.RappelConso)!.ApplyDefaults(options);
        options.BaseUrl = baseUrl ?? options.BaseUrl;
        options.Dataset = dataset ?? options.Dataset;
        options.Validate(SourceNames.RappelConso);

        await SchemaMigrator.ApplyAsync(postgres, cancellationToken);
        await using var database = NpgsqlDataSource.Create(postgres);
        await using var producer = new KafkaRecordProducer(producerOptions);
        using var http = new HttpClient();
        var source = RappelConsoSource.Create(options, http, new IngestOptions());
        return await SourceRunner.RunAsync(source, producer, database, "cli", full, since, new Progress<SourceProgress>(Print), cancellationToken);
    }

    /// <summary><c>samples/rappelconso</c>: the real API pages shipped with the repository.</summary>
    public static string SampleDirectory() => Path.Combine(RepoPaths.Root(), "samples", "rappelconso");

    /// <summary>Produces every notice of the sample pages in <paramref name="directory"/> (the demo; no watermark, no run recorded).</summary>
    public static async Task<SourceProgress> LoadSampleAsync(KafkaProducerOptions producerOptions, string directory, CancellationToken cancellationToken)
    {
        await using var producer = new KafkaRecordProducer(producerOptions);
        var source = new RappelConsoSource((_, ct) => RappelConsoSource.SnapshotPagesAsync(directory, ct));
        var done = await source.RunAsync(null, producer, null, cancellationToken);
        Print(done);
        return done;
    }

    private static void Print(SourceProgress p) => AnsiConsole.MarkupLine(
        $"  ingest [grey]rappelconso/recalls[/]: pages {p.Pages}, read {p.Read}, produced {p.Produced}, rejected {p.Rejected}, watermark {p.Watermark?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
}

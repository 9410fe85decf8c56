using Npgsql;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Sources;
using Shopstream.Projection.Sources;

namespace Shopstream.Cli.Sources;

/// <summary>
/// One run of a source from the CLI, recorded in <c>source_runs</c> like a scheduled one: it starts from the source's
/// watermark (or from <c>--since</c>, or from nothing with <c>--full</c>), writes the counts and the watermark after each
/// acknowledged page, and ends succeeded or failed with the error.
/// </summary>
internal static class SourceRunner
{
    /// <summary>Runs <paramref name="source"/>; a failure is recorded and thrown again.</summary>
    public static async Task<SourceProgress> RunAsync(
        ISource source, IRecordSink sink, NpgsqlDataSource database, string trigger, bool full, DateTimeOffset? since,
        IProgress<SourceProgress>? progress, CancellationToken cancellationToken)
    {
        var store = new SourceRunStore(database);
        if (since is not null)
        {
            await store.SetWatermarkAsync(source.Name, since, cancellationToken);
        }

        DateTimeOffset? from = !source.HasWatermark || full ? null : since ?? await store.WatermarkAsync(source.Name, cancellationToken);
        var runId = await store.TryStartAsync(source.Name, trigger, from, SourceRunStore.DefaultAbandonedAfter, cancellationToken)
            ?? throw new Ingest.IngestException($"{source.Name} is running already (see source_runs); one run at a time");
        // Each page's counts and watermark are written before the next page is read.
        async Task Recorded(SourceProgress p)
        {
            await store.ProgressAsync(runId, source.Name, new SourceRunCounts(p.Pages, p.Read, p.Produced, p.Rejected, p.Watermark), cancellationToken);
            progress?.Report(p);
        }

        try
        {
            var done = await source.RunAsync(from, sink, Recorded, cancellationToken);
            await store.FinishAsync(runId, null, CancellationToken.None);
            return done;
        }
        catch (Exception ex)
        {
            await store.FinishAsync(runId, ex.Message, CancellationToken.None);
            throw;
        }
    }
}

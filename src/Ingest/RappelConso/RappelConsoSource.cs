using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Rejection;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.RappelConso;

/// <summary>
/// RappelConso as a source: <see cref="RappelConsoReader"/> pages, <see cref="RecallNormalizer"/>, the recalls topic
/// (key <c>rappelconso:&lt;numero_fiche&gt;</c>). Its watermark is the largest publication date whose records Kafka
/// acknowledged: each page is flushed before the watermark moves past it.
/// </summary>
public sealed class RappelConsoSource(RappelConsoReader reader) : ISource
{
    /// <summary>The V2 dataset with GTINs, one row per notice version.</summary>
    public const string DefaultDataset = "rappelconso-v2-gtin-espaces";

    public string Name => SourceNames.RappelConso;

    public bool HasWatermark => true;

    /// <summary>Makes the source from its settings (<see cref="SourceOptions.BaseUrl"/>, <see cref="SourceOptions.Dataset"/>, <see cref="SourceOptions.PageSize"/>).</summary>
    public static ISource Create(SourceOptions options, HttpClient http, IngestOptions retries)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(SourceNames.RappelConso);
        return new RappelConsoSource(new RappelConsoReader(
            http, retries, options.BaseUrl ?? new Uri("https://data.economie.gouv.fr"), options.Dataset ?? DefaultDataset, options.PageSize));
    }

    public async Task<SourceProgress> RunAsync(DateTimeOffset? watermark, IRecordSink sink, IProgress<SourceProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var done = SourceProgress.Start(watermark);
        await foreach (var page in reader.ReadAsync(watermark, cancellationToken).ConfigureAwait(false))
        {
            var (produced, rejected) = (0, 0);
            var reached = done.Watermark;
            foreach (var raw in page.Records)
            {
                var index = (int)Math.Min(int.MaxValue, done.Read + produced + rejected);
                var result = RecallNormalizer.Normalize(raw);
                if (result.IsAccepted)
                {
                    await sink.ProduceAsync(StreamNamespaces.Recalls, KeyOf(result.NumeroFiche), result.Record, cancellationToken).ConfigureAwait(false);
                    produced++;
                    reached = reached is { } r && r >= result.Record.DatePublication ? r : result.Record.DatePublication;
                    continue;
                }

                var payload = RejectedPayload.Redact(raw);
                var rejection = new RejectedRecord
                {
                    Stage = RejectedPayload.IngestStage,
                    Topic = sink.TopicFor(StreamNamespaces.Recalls),
                    Key = result.NumeroFiche is { } fiche
                        ? KeyOf(fiche)
                        : EntityKey.OfUnidentified(Name, StreamNamespaces.Recalls, index).ToString(),
                    Payload = payload,
                    Reason = result.Reason,
                };
                var fingerprint = RejectedPayload.Fingerprint(RejectedPayload.IngestStage, Name, StreamNamespaces.Recalls, payload);
                await sink.ProduceAsync(StreamNamespaces.Rejected, fingerprint, rejection, cancellationToken).ConfigureAwait(false);
                rejected++;
            }

            // The watermark moves only over what Kafka has: a failed flush throws before it does.
            await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
            done = new SourceProgress(done.Pages + 1, done.Read + page.Records.Count, done.Produced + produced, done.Rejected + rejected, reached);
            progress?.Report(done);
        }

        return done;
    }

    private string KeyOf(string numeroFiche) => new EntityKey(Name, numeroFiche).ToString();
}

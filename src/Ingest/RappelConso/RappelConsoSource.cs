using System.Runtime.CompilerServices;
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
/// acknowledged: every <see cref="AcknowledgeEvery"/> records, and at the end, the producer is flushed before the
/// watermark moves past them.
/// </summary>
public sealed class RappelConsoSource(Func<DateTimeOffset?, CancellationToken, IAsyncEnumerable<RecallPage>> pages) : ISource
{
    /// <summary>The source reading the live API.</summary>
    public RappelConsoSource(RappelConsoReader reader)
        : this((since, ct) => reader.ReadAsync(since, ct))
    {
    }

    /// <summary>The V2 dataset with GTINs, one row per notice version.</summary>
    public const string DefaultDataset = "rappelconso-v2-gtin-espaces";

    /// <summary>
    /// Records produced between two waits for Kafka's acknowledgements (and progress reports). Waiting after every page
    /// of 100 made a 10,000-record backfill spend most of its time waiting; a failed run re-reads at most this many.
    /// </summary>
    public const int AcknowledgeEvery = 1_000;

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

    public async Task<SourceProgress> RunAsync(DateTimeOffset? watermark, IRecordSink sink, Func<SourceProgress, Task>? pageDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var done = SourceProgress.Start(watermark);
        var produced = done;
        var enumerator = pages(watermark, cancellationToken).GetAsyncEnumerator(cancellationToken);
        // The next page is fetched while this one is produced: the API's latency hides behind Kafka's.
        var next = enumerator.MoveNextAsync().AsTask();
        try
        {
            while (await next.ConfigureAwait(false))
            {
                var page = enumerator.Current;
                next = enumerator.MoveNextAsync().AsTask();
                produced = await ProduceAsync(page, produced, sink, cancellationToken).ConfigureAwait(false);
                if (produced.Read - done.Read >= AcknowledgeEvery)
                {
                    done = await AcknowledgeAsync(produced, sink, pageDone, cancellationToken).ConfigureAwait(false);
                }
            }

            if (produced != done)
            {
                done = await AcknowledgeAsync(produced, sink, pageDone, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // An enumerator cannot be disposed while it fetches: let a fetch in flight end (its failure is not this one's).
            await next.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        return done;
    }

    /// <summary>
    /// Waits until Kafka has every record produced so far, then reports: the watermark moves only over what Kafka has,
    /// and a failed flush throws before it does.
    /// </summary>
    private static async Task<SourceProgress> AcknowledgeAsync(SourceProgress produced, IRecordSink sink, Func<SourceProgress, Task>? pageDone, CancellationToken cancellationToken)
    {
        await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (pageDone is not null)
        {
            await pageDone(produced).ConfigureAwait(false);
        }
        return produced;
    }

    /// <summary>Hands one page's notices and rejections to the sink; returns the counts including them (not yet acknowledged).</summary>
    private async Task<SourceProgress> ProduceAsync(RecallPage page, SourceProgress done, IRecordSink sink, CancellationToken cancellationToken)
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

        return new SourceProgress(done.Pages + 1, done.Read + page.Records.Count, done.Produced + produced, done.Rejected + rejected, reached);
    }

    /// <summary>
    /// The pages saved in <paramref name="directory"/> (<c>*.json</c> replies of either schema, in name order), for the
    /// demo: a snapshot has no watermark to read from, so every page is read.
    /// </summary>
    public static async IAsyncEnumerable<RecallPage> SnapshotPagesAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var stream = File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                yield return await RecallPage.ParseAsync(stream, file, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string KeyOf(string numeroFiche) => new EntityKey(Name, numeroFiche).ToString();
}

using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Rejection;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest;

/// <summary>
/// One ingest run: read each feed (snapshot directory or live APIs), normalize every record, produce the
/// normalized ones to their topic and the others to the rejected topic. A rejected record never stops the rest
/// of its feed; an unreadable feed or a failed delivery stops the run with an <see cref="IngestException"/>.
/// A rejection keeps the record without secrets (<see cref="RejectedPayload.Redact"/>); a rejected user keeps only
/// its source and id (<see cref="RejectedPayload.Identity"/>).
/// </summary>
public sealed class IngestRunner
{
    private readonly IRawRecordSource source;
    private readonly IRecordSink sink;
    private readonly ProductNormalizer products = new();
    private readonly CartNormalizer carts = new();
    private readonly UserNormalizer users = new();

    public IngestRunner(IRawRecordSource source, IRecordSink sink)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        this.source = source;
        this.sink = sink;
    }

    /// <summary>Ingests <paramref name="feeds"/> (default: <see cref="Feed.All"/>) in order.</summary>
    /// <param name="feeds">The feeds to ingest.</param>
    /// <param name="progress">Told the counts of each feed once its records are delivered.</param>
    /// <param name="cancellationToken">Stops the run between records.</param>
    /// <returns>The counts per feed, in the order ingested.</returns>
    public async Task<IReadOnlyList<FeedCounts>> RunAsync(
        IEnumerable<Feed>? feeds = null,
        IProgress<FeedCounts>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var results = new List<FeedCounts>();
        foreach (var feed in feeds ?? Feed.All)
        {
            var raw = await source.ReadAsync(feed, cancellationToken).ConfigureAwait(false);
            var counts = raw.IsMissing
                ? new FeedCounts(feed, 0, 0, 0, SkippedFiles: 1)
                : await IngestFeedAsync(raw, cancellationToken).ConfigureAwait(false);
            results.Add(counts);
            progress?.Report(counts);
        }

        return results;
    }

    private Task<FeedCounts> IngestFeedAsync(RawFeed raw, CancellationToken cancellationToken) => raw.Feed.Entity switch
    {
        StreamNamespaces.Products => IngestAsync(raw, products, cancellationToken),
        StreamNamespaces.Carts => IngestAsync(raw, carts, cancellationToken),
        StreamNamespaces.Users => IngestAsync(raw, users, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(raw), raw.Feed.Entity, "unknown entity"),
    };

    private async Task<FeedCounts> IngestAsync<TRecord>(
        RawFeed raw,
        IRecordNormalizer<TRecord> normalizer,
        CancellationToken cancellationToken)
        where TRecord : class
    {
        var feed = raw.Feed;
        var produced = 0;
        var rejected = 0;
        foreach (var record in raw.Records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = normalizer.Normalize(feed.Source, record.Element);
            if (result.IsAccepted)
            {
                await sink.ProduceAsync(feed.Entity, new EntityKey(feed.Source, result.Id.Value).ToString(), result.Record, cancellationToken)
                    .ConfigureAwait(false);
                produced++;
                continue;
            }

            // A user is mostly personal data (e-mail, birth date, addresses, IP, MAC address, ...): keep only who it was.
            var payload = feed.Entity == StreamNamespaces.Users
                ? RejectedPayload.Identity(feed.Source, record.Element)
                : RejectedPayload.Redact(record.Element);
            var rejection = new RejectedRecord
            {
                Stage = RejectedPayload.IngestStage,
                Topic = sink.TopicFor(feed.Entity),
                Key = result.Id is { } id
                    ? new EntityKey(feed.Source, id).ToString()
                    : EntityKey.OfUnidentified(feed.Source, feed.Entity, record.Index).ToString(),
                Payload = payload,
                Reason = result.Reason,
            };
            var fingerprint = RejectedPayload.Fingerprint(RejectedPayload.IngestStage, feed.Source, feed.Entity, payload);
            await sink.ProduceAsync(StreamNamespaces.Rejected, fingerprint, rejection, cancellationToken).ConfigureAwait(false);
            rejected++;
        }

        // Counted as produced only once Kafka has them: a failed delivery throws here instead.
        await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new FeedCounts(feed, raw.Records.Count, produced, rejected, SkippedFiles: 0);
    }
}

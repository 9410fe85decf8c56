using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// FakeStore or DummyJSON as a source: the live API reader and the product, user and cart normalizers of
/// <see cref="IngestRunner"/>, unchanged. These APIs have no dates to read from, so every run reads everything; the
/// grains drop what did not change.
/// </summary>
internal sealed class CatalogueSource(string name, LiveApiReader reader) : ISource
{
    public string Name => name;

    public bool HasWatermark => false;

    public static Func<SourceOptions, HttpClient, IngestOptions, ISource> Create(string name) => (options, http, ingest) =>
    {
        var settings = new IngestOptions
        {
            FakeStoreBaseUrl = name == SourceNames.FakeStore && options.BaseUrl is { } f ? f : ingest.FakeStoreBaseUrl,
            DummyJsonBaseUrl = name == SourceNames.DummyJson && options.BaseUrl is { } d ? d : ingest.DummyJsonBaseUrl,
            HttpTimeout = ingest.HttpTimeout,
            MaxRetries = ingest.MaxRetries,
            RetryBaseDelay = ingest.RetryBaseDelay,
            PageSize = ingest.PageSize,
        };
        return new CatalogueSource(name, new LiveApiReader(http, settings));
    };

    public async Task<SourceProgress> RunAsync(DateTimeOffset? watermark, IRecordSink sink, IProgress<SourceProgress>? progress, CancellationToken cancellationToken)
    {
        var done = SourceProgress.Start(null);
        // One feed is one page of progress: the runner reports each once Kafka has its records.
        var perFeed = new SynchronousProgress<FeedCounts>(c =>
        {
            done = new SourceProgress(done.Pages + 1, done.Read + c.Read, done.Produced + c.Produced, done.Rejected + c.Rejected, null);
            progress?.Report(done);
        });
        await new IngestRunner(reader, sink).RunAsync(Feed.All.Where(f => f.Source == name), perFeed, cancellationToken).ConfigureAwait(false);
        return done;
    }

    /// <summary>Unlike <see cref="Progress{T}"/>, reports on the caller's thread, so the counts are complete when the run returns.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

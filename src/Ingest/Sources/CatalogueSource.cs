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

    public async Task<SourceProgress> RunAsync(DateTimeOffset? watermark, IRecordSink sink, Func<SourceProgress, Task>? pageDone, CancellationToken cancellationToken)
    {
        var done = SourceProgress.Start(null);
        var runner = new IngestRunner(reader, sink);
        // One feed is one page of progress: the runner returns its counts once Kafka has its records.
        foreach (var feed in Feed.All.Where(f => f.Source == name))
        {
            var c = (await runner.RunAsync([feed], null, cancellationToken).ConfigureAwait(false))[0];
            done = new SourceProgress(done.Pages + 1, done.Read + c.Read, done.Produced + c.Produced, done.Rejected + c.Rejected, null);
            if (pageDone is not null)
            {
                await pageDone(done).ConfigureAwait(false);
            }
        }

        return done;
    }
}

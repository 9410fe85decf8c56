using System.Globalization;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// Reads the live APIs: FakeStore serves each entity as one plain array (<c>GET {base}/products</c>),
/// DummyJSON pages it (<c>GET {base}/products?limit=L&amp;skip=S</c>, page wrapper with <c>total</c>).
/// Transient failures (network errors, timeouts, 408, 429, 5xx) are retried (<see cref="RetryingHttpGet"/>).
/// </summary>
public sealed class LiveApiReader : IRawRecordSource
{
    private readonly IngestOptions options;
    private readonly RetryingHttpGet get;

    /// <exception cref="IngestException">The options are invalid.</exception>
    public LiveApiReader(HttpClient http, IngestOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        get = new RetryingHttpGet(http, options, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The endpoint of a feed, without paging parameters.</summary>
    public Uri EndpointOf(Feed feed)
    {
        var baseUrl = feed.Source switch
        {
            SourceNames.FakeStore => options.FakeStoreBaseUrl,
            SourceNames.DummyJson => options.DummyJsonBaseUrl,
            _ => throw new ArgumentOutOfRangeException(nameof(feed), feed.Source, "unknown source"),
        };
        return new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + feed.Entity);
    }

    public async Task<RawFeed> ReadAsync(Feed feed, CancellationToken cancellationToken = default)
    {
        var endpoint = EndpointOf(feed);
        if (feed.Source != SourceNames.DummyJson)
        {
            var whole = await GetPageAsync(endpoint, feed.Entity, cancellationToken).ConfigureAwait(false);
            return RawFeed.Found(feed, endpoint.AbsoluteUri, [.. whole.Items.Select((item, index) => new RawRecord(item, index))]);
        }

        var records = new List<RawRecord>();
        var skip = 0;
        while (true)
        {
            var url = new Uri(string.Create(
                CultureInfo.InvariantCulture, $"{endpoint.AbsoluteUri}?limit={options.PageSize}&skip={skip}"));
            var page = await GetPageAsync(url, feed.Entity, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                records.Add(new RawRecord(item, records.Count));
            }

            // Advance by what actually came back, not by PageSize: the server may cap the limit.
            skip += page.Items.Count;

            // An empty page before total is reached would otherwise loop forever.
            if (page.Total is not { } total || skip >= total || page.Items.Count == 0)
            {
                break;
            }
        }

        return RawFeed.Found(feed, endpoint.AbsoluteUri, records);
    }

    private Task<FeedPage> GetPageAsync(Uri url, string entity, CancellationToken cancellationToken) =>
        get.GetAsync(url, (body, origin, ct) => FeedPage.ParseAsync(body, entity, origin, ct), cancellationToken);
}

using System.Globalization;
using System.Net;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// Reads the live APIs: FakeStore serves each entity as one plain array (<c>GET {base}/products</c>),
/// DummyJSON pages it (<c>GET {base}/products?limit=L&amp;skip=S</c>, page wrapper with <c>total</c>).
/// Transient failures (network errors, timeouts, 5xx, 429) are retried with exponential backoff.
/// </summary>
public sealed class LiveApiReader : IRawRecordSource
{
    // Retry-After can ask for anything; a misbehaving server must not park the ingest for hours.
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly HttpClient http;
    private readonly IngestOptions options;
    private readonly TimeProvider time;

    /// <exception cref="IngestException">The options are invalid.</exception>
    public LiveApiReader(HttpClient http, IngestOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.http = http;
        this.options = options;
        time = timeProvider ?? TimeProvider.System;
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

    private async Task<FeedPage> GetPageAsync(Uri url, string entity, CancellationToken cancellationToken)
    {
        var attempts = options.MaxRetries + 1;
        string lastFailure = "no attempt made";
        Exception? lastException = null;
        TimeSpan? retryAfter = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(DelayBefore(attempt, retryAfter), time, cancellationToken).ConfigureAwait(false);
            }

            retryAfter = null;
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(options.HttpTimeout);
            try
            {
                using var response = await http
                    .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token)
                    .ConfigureAwait(false);
                if (IsTransient(response.StatusCode))
                {
                    lastFailure = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                    lastException = null;
                    retryAfter = RetryAfterOf(response);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    // 4xx other than 429 will not get better by asking again.
                    throw new IngestException($"GET {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }

                var body = await response.Content.ReadAsStreamAsync(attemptTimeout.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    return await FeedPage.ParseAsync(body, entity, $"response of GET {url}", attemptTimeout.Token)
                        .ConfigureAwait(false);
                }
            }
            catch (HttpRequestException ex)
            {
                lastFailure = ex.Message;
                lastException = ex;
            }
            catch (IOException ex)
            {
                lastFailure = ex.Message;
                lastException = ex;
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"no complete response within {options.HttpTimeout.TotalSeconds:0.###} s";
                lastException = ex;
            }
        }

        var message = $"GET {url} failed after {attempts} attempt{(attempts == 1 ? "" : "s")}: {lastFailure}";
        throw lastException is null ? new IngestException(message) : new IngestException(message, lastException);
    }

    private TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        var backoff = options.RetryBaseDelay * Math.Pow(2, attempt - 2);
        if (retryAfter is { } asked && asked > backoff)
        {
            backoff = asked;
        }

        return backoff < MaxRetryDelay ? backoff : MaxRetryDelay;
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - time.GetUtcNow() : null;
    }
}

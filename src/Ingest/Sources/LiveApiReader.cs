using System.Globalization;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// Reads the live APIs: FakeStore serves each entity as one plain array (<c>GET {base}/products</c>),
/// DummyJSON pages it (<c>GET {base}/products?limit=L&amp;skip=S</c>, page wrapper with <c>total</c>).
/// Transient failures (network errors, timeouts, 408, 429, 5xx) are retried with exponential backoff through a Polly
/// resilience pipeline (Microsoft.Extensions.Http.Resilience), honouring Retry-After.
/// </summary>
public sealed class LiveApiReader : IRawRecordSource
{
    // Retry-After can ask for anything; a misbehaving server must not park the ingest for hours.
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly HttpClient http;
    private readonly IngestOptions options;
    private readonly TimeProvider time;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    /// <exception cref="IngestException">The options are invalid.</exception>
    public LiveApiReader(HttpClient http, IngestOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.http = http;
        this.options = options;
        time = timeProvider ?? TimeProvider.System;
        pipeline = BuildPipeline();
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
        var attempts = 0;
        HttpResponseMessage response;
        try
        {
            // The whole body is read inside the attempt, so its timeout covers a server that stalls mid-body too.
            response = await pipeline.ExecuteAsync(
                async ct =>
                {
                    attempts++;
                    return await http.GetAsync(url, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw GaveUp(url, attempts, ex.Message, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw GaveUp(url, attempts, $"no complete response within {options.HttpTimeout.TotalSeconds:0.###} s", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                // A transient status here means the retries are used up; any other 4xx will not get better by asking again.
#pragma warning disable CA2016 // The overload with a token is experimental (EXTEXP0001); a response outcome does not need one.
                throw HttpClientResiliencePredicates.IsTransient(Outcome.FromResult(response))
#pragma warning restore CA2016
                    ? GaveUp(url, attempts, status, null)
                    : new IngestException($"GET {url} failed: {status}");
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return await FeedPage.ParseAsync(body, entity, $"response of GET {url}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static IngestException GaveUp(Uri url, int attempts, string lastFailure, Exception? inner)
    {
        var message = $"GET {url} failed after {attempts} attempt{(attempts == 1 ? "" : "s")}: {lastFailure}";
        return inner is null ? new IngestException(message) : new IngestException(message, inner);
    }

    /// <summary>
    /// Retries on what <see cref="HttpClientResiliencePredicates.IsTransient(Outcome{HttpResponseMessage})"/> calls transient (network
    /// errors, attempt timeouts, 408, 429, 5xx) with exponential backoff from <see cref="IngestOptions.RetryBaseDelay"/>;
    /// each attempt has <see cref="IngestOptions.HttpTimeout"/>. No circuit breaker: one read asks its pages one after
    /// another and gives up on the first page that fails for good, so there are no further calls for one to spare.
    /// </summary>
    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                // The generator decides every delay: Polly would take a Retry-After as is, ours caps it at MaxRetryDelay.
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.AttemptNumber, args.Outcome.Result)),
            });
        }

        return builder.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.HttpTimeout }).Build();
    }

    /// <summary>The backoff before retry <paramref name="retry"/> (0 for the first), or Retry-After when longer; at most <see cref="MaxRetryDelay"/>.</summary>
    private TimeSpan DelayBefore(int retry, HttpResponseMessage? response)
    {
        var backoff = options.RetryBaseDelay * Math.Pow(2, Math.Min(retry, 20));
        if (response is not null && RetryAfterOf(response) is { } asked && asked > backoff)
        {
            backoff = asked;
        }

        return backoff < MaxRetryDelay ? backoff : MaxRetryDelay;
    }

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

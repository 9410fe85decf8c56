using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// One GET of a live API, its body read and parsed inside the attempt. Transient failures (network errors, timeouts,
/// 408, 429, 5xx) are retried with exponential backoff through a Polly resilience pipeline
/// (Microsoft.Extensions.Http.Resilience), honouring Retry-After; any other 4xx fails at once. Every failure is an
/// <see cref="IngestException"/> naming the URL.
/// </summary>
internal sealed class RetryingHttpGet
{
    // Retry-After can ask for anything; a misbehaving server must not park the ingest for hours.
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly HttpClient http;
    private readonly IngestOptions options;
    private readonly TimeProvider time;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    public RetryingHttpGet(HttpClient http, IngestOptions options, TimeProvider time)
    {
        this.http = http;
        this.options = options;
        this.time = time;
        pipeline = BuildPipeline();
    }

    /// <summary>Gets <paramref name="url"/> and parses its body with <paramref name="parse"/> (body stream, origin for messages).</summary>
    /// <exception cref="IngestException">The request failed for good, or the body did not parse.</exception>
    public async Task<T> GetAsync<T>(Uri url, Func<Stream, string, CancellationToken, Task<T>> parse, CancellationToken cancellationToken)
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
                return await parse(body, $"response of GET {url}", cancellationToken).ConfigureAwait(false);
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

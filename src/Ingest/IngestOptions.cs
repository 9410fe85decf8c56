namespace Shopstream.Ingest;

/// <summary>Settings of the live API reader. Bindable from configuration (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    public Uri FakeStoreBaseUrl { get; set; } = new("https://fakestoreapi.com");

    public Uri DummyJsonBaseUrl { get; set; } = new("https://dummyjson.com");

    /// <summary>Time allowed for one HTTP request including reading its body.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra attempts after the first one on a transient failure (network error, timeout, 408, 429, 5xx).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled for each further retry.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Records per DummyJSON page (<c>?limit=</c>). 0 would mean "everything" to DummyJSON, hence not allowed.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Throws when a setting is unusable; the message names the setting.</summary>
    /// <exception cref="IngestException">A setting is out of range.</exception>
    public void Validate()
    {
        RequireHttpUrl(FakeStoreBaseUrl, nameof(FakeStoreBaseUrl));
        RequireHttpUrl(DummyJsonBaseUrl, nameof(DummyJsonBaseUrl));
        // 10 ms is the shortest timeout the resilience pipeline accepts.
        if (HttpTimeout < TimeSpan.FromMilliseconds(10) || HttpTimeout > TimeSpan.FromMinutes(10))
        {
            throw Invalid(nameof(HttpTimeout), $"must be between 10 ms and 10 minutes (was {HttpTimeout})");
        }

        if (MaxRetries is < 0 or > 20)
        {
            throw Invalid(nameof(MaxRetries), $"must be between 0 and 20 (was {MaxRetries})");
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            throw Invalid(nameof(RetryBaseDelay), $"must be between 0 and 1 minute (was {RetryBaseDelay})");
        }

        if (PageSize is < 1 or > 10_000)
        {
            throw Invalid(nameof(PageSize), $"must be between 1 and 10000 (was {PageSize})");
        }
    }

    private static void RequireHttpUrl(Uri? url, string key)
    {
        if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid(key, $"must be an absolute http or https URL (was '{url}')");
        }
    }

    private static IngestException Invalid(string key, string problem) => new($"{SectionName}:{key} {problem}");
}

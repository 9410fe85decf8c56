using System.Net;
using Microsoft.Extensions.Configuration;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Settings of the clickstream ingest API (<c>POST /events</c>). Read from the <c>Shopstream</c> section, keys
/// <c>Shopstream:IngestApi*</c> (environment variables <c>Shopstream__IngestApiKey</c>, ...); registered by
/// <see cref="EventsApiOptionsRegistration.AddEventsApiOptions"/>.
/// </summary>
public sealed class EventsApiOptions
{
    public const string Section = "Shopstream";

    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Rejections listed in one answer; the rest are only counted, so a hostile body cannot make a huge answer.</summary>
    public const int MaxListedRejections = 100;

    /// <summary>TCP port; 0 picks a free one (tests, the in-process demo).</summary>
    [ConfigurationKeyName("IngestApiPort")]
    public int Port { get; set; } = 8090;

    /// <summary>Address the endpoint binds to; loopback unless configured, so that nothing is exposed by accident.</summary>
    [ConfigurationKeyName("IngestApiBind")]
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Largest request body accepted; a larger one is answered 413.</summary>
    [ConfigurationKeyName("IngestApiMaxBodyBytes")]
    public long MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Most events in one body; a body with more is answered 413 before anything is produced.</summary>
    [ConfigurationKeyName("IngestApiMaxEvents")]
    public int MaxEventsPerBody { get; set; } = 10_000;

    /// <summary>When set, every <c>POST /events</c> must carry it in <c>X-Api-Key</c>, else 401.</summary>
    [ConfigurationKeyName("IngestApiKey")]
    public string? ApiKey { get; set; }

    /// <summary>Lets the API bind beyond loopback without <see cref="ApiKey"/>: anyone who reaches it may post events.</summary>
    [ConfigurationKeyName("IngestApiAllowAnonymous")]
    public bool AllowAnonymous { get; set; }

    /// <summary><c>POST /events</c> requests started per second (a token bucket refilled every second); more wait in the queue or get 429.</summary>
    [ConfigurationKeyName("IngestApiRequestsPerSecond")]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary><c>POST /events</c> requests handled at the same time; more wait in the queue or get 429.</summary>
    [ConfigurationKeyName("IngestApiConcurrentRequests")]
    public int ConcurrentRequests { get; set; } = 32;

    /// <summary>Requests that wait for a rate or concurrency permit; beyond it they are answered 429 at once.</summary>
    [ConfigurationKeyName("IngestApiQueueLimit")]
    public int QueueLimit { get; set; } = 64;

    /// <summary>How long a request waits for Kafka to acknowledge its events before it is answered 503 (nothing confirmed).</summary>
    [ConfigurationKeyName("IngestApiAckTimeout")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a stop (SIGTERM) lets requests in progress finish; with the producer's flush after it the process exits
    /// within 10 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Whether the API listens on loopback only.</summary>
    public bool IsLoopbackOnly => Bind == "localhost" || (IPAddress.TryParse(Bind, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Throws when a setting is unusable; the message names the setting.</summary>
    /// <exception cref="IngestException">A setting is invalid.</exception>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw Invalid("IngestApiPort", $"must be a TCP port (was {Port})");
        }
        if (Bind != "localhost" && !IPAddress.TryParse(Bind, out _))
        {
            throw Invalid("IngestApiBind", $"must be an IP address or localhost (was '{Bind}')");
        }
        if (MaxBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            throw Invalid("IngestApiMaxBodyBytes", $"must be between 1024 and 1073741824 (was {MaxBodyBytes})");
        }
        if (MaxEventsPerBody is < 1 or > 1_000_000)
        {
            throw Invalid("IngestApiMaxEvents", $"must be between 1 and 1000000 (was {MaxEventsPerBody})");
        }
        if (ApiKey is not null && ApiKey.Length < 8)
        {
            throw Invalid("IngestApiKey", "must be at least 8 characters");
        }
        if (ApiKey is null && !AllowAnonymous && !IsLoopbackOnly)
        {
            throw Invalid("IngestApiKey", $"is required when the API binds beyond loopback (Shopstream:IngestApiBind, --bind: {Bind}); " +
                "set it, or set Shopstream:IngestApiAllowAnonymous=true (--allow-anonymous) to accept events from anyone");
        }
        if (RequestsPerSecond is < 1 or > 1_000_000)
        {
            throw Invalid("IngestApiRequestsPerSecond", $"must be between 1 and 1000000 (was {RequestsPerSecond})");
        }
        if (ConcurrentRequests is < 1 or > 100_000)
        {
            throw Invalid("IngestApiConcurrentRequests", $"must be between 1 and 100000 (was {ConcurrentRequests})");
        }
        if (QueueLimit is < 0 or > 100_000)
        {
            throw Invalid("IngestApiQueueLimit", $"must be between 0 and 100000 (was {QueueLimit})");
        }
        if (AckTimeout < TimeSpan.FromMilliseconds(100) || AckTimeout > TimeSpan.FromMinutes(10))
        {
            throw Invalid("IngestApiAckTimeout", $"must be between 00:00:00.1 and 00:10:00 (was {AckTimeout})");
        }
        if (ShutdownTimeout < TimeSpan.Zero || ShutdownTimeout > TimeSpan.FromMinutes(10))
        {
            throw Invalid("ShutdownTimeout", $"must be between 00:00:00 and 00:10:00 (was {ShutdownTimeout})");
        }
    }

    private static IngestException Invalid(string key, string problem) => new($"{Section}:{key} {problem}");
}

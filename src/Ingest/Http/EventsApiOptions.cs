using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Settings of the clickstream ingest API (<c>POST /events</c>). Read from the <c>Shopstream</c> section:
/// <c>Shopstream:IngestApiPort</c>, <c>Shopstream:IngestApiBind</c>, <c>Shopstream:IngestApiMaxBodyBytes</c> and
/// <c>Shopstream:IngestApiKey</c> (environment variables <c>Shopstream__IngestApiKey</c>, ...).
/// </summary>
public sealed class EventsApiOptions
{
    public const string Section = "Shopstream";

    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>TCP port; 0 picks a free one (tests, the in-process demo).</summary>
    public int Port { get; set; } = 8090;

    /// <summary>Address the endpoint binds to; loopback unless configured, so that nothing is exposed by accident.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Largest request body accepted; a larger one is answered 413.</summary>
    public long MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>When set, every <c>POST /events</c> must carry it in <c>X-Api-Key</c>, else 401.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The settings found in <paramref name="configuration"/>, defaults for the rest.</summary>
    public static EventsApiOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new EventsApiOptions();
        var section = configuration.GetSection(Section);
        if (section["IngestApiPort"] is { Length: > 0 } port)
        {
            options.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                ? p
                : throw Invalid("IngestApiPort", $"must be a TCP port (was '{port}')");
        }
        if (section["IngestApiBind"] is { Length: > 0 } bind)
        {
            options.Bind = bind;
        }
        if (section["IngestApiMaxBodyBytes"] is { Length: > 0 } max)
        {
            options.MaxBodyBytes = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                ? m
                : throw Invalid("IngestApiMaxBodyBytes", $"must be a number of bytes (was '{max}')");
        }
        if (section["IngestApiKey"] is { Length: > 0 } key)
        {
            options.ApiKey = key;
        }
        return options;
    }

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
        if (ApiKey is not null && ApiKey.Length < 8)
        {
            throw Invalid("IngestApiKey", "must be at least 8 characters");
        }
    }

    private static IngestException Invalid(string key, string problem) => new($"{Section}:{key} {problem}");
}

using System.Net;

namespace Shopstream.Silo.Web;

/// <summary>How the silo's web host listens and who may use it.</summary>
public sealed class SiloWebOptions
{
    /// <summary>Address the HTTP endpoints bind to; loopback unless configured.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8080;

    /// <summary>
    /// Key required beyond loopback for everything but <c>/health/*</c>: dashboard, entity API, stats and metrics
    /// (header <c>X-Api-Key</c>, or HTTP basic auth with the key as password). Setting <c>Shopstream:DashboardApiKey</c>.
    /// </summary>
    public string? DashboardApiKey { get; set; }

    /// <summary>A second key that opens only <c>/metrics</c>, for a scraper that should not read entities. Setting <c>Shopstream:MetricsApiKey</c>.</summary>
    public string? MetricsApiKey { get; set; }

    public bool IsLoopbackOnly => Bind == "localhost" || (IPAddress.TryParse(Bind, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Throws when the host would serve entities, stats or metrics beyond loopback to anyone; the message names the setting.</summary>
    public void Validate()
    {
        if (!IsLoopbackOnly && string.IsNullOrEmpty(DashboardApiKey))
        {
            throw new ArgumentException(
                $"setting Shopstream:DashboardApiKey (environment variable Shopstream__DashboardApiKey) is required when --http-bind is beyond loopback ({Bind}): " +
                "without it users' data, stats and metrics would answer anyone");
        }
        if (DashboardApiKey is { Length: < 8 })
        {
            throw new ArgumentException("setting Shopstream:DashboardApiKey must be at least 8 characters");
        }
        if (MetricsApiKey is { Length: < 8 })
        {
            throw new ArgumentException("setting Shopstream:MetricsApiKey must be at least 8 characters");
        }
    }
}

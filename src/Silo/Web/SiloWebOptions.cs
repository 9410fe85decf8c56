namespace Shopstream.Silo.Web;

/// <summary>How the silo's web host listens and who may see the dashboard.</summary>
public sealed class SiloWebOptions
{
    /// <summary>Address the HTTP endpoints bind to; loopback unless configured.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8080;

    /// <summary>
    /// Key required for <c>/dashboard</c> (header <c>X-Api-Key</c>, or HTTP basic auth with the key as password)
    /// whenever the host binds beyond loopback. Setting <c>Shopstream:DashboardApiKey</c>.
    /// </summary>
    public string? DashboardApiKey { get; set; }

    public bool IsLoopbackOnly => Bind is "127.0.0.1" or "localhost" or "::1";
}

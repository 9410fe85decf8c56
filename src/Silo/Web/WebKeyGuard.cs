using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Shopstream.Silo.Web;

/// <summary>
/// Beyond loopback every path but <c>/health/*</c> answers only to the key (<see cref="SiloWebOptions.DashboardApiKey"/>,
/// or for <c>/metrics</c> also <see cref="SiloWebOptions.MetricsApiKey"/>), given as <c>X-Api-Key</c> or as the password
/// of HTTP basic auth (so a browser can log in to the dashboard). The Orleans dashboard, the entity API and the metrics
/// have no authentication of their own; container probes need <c>/health/*</c> without one.
/// </summary>
internal sealed class WebKeyGuard(SiloWebOptions options)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;
        if (options.IsLoopbackOnly || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            await next();
            return;
        }
        var presented = Presented(context.Request);
        var metrics = path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
        if (presented is not null && (Same(presented, options.DashboardApiKey) || (metrics && Same(presented, options.MetricsApiKey))))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"shopstream silo\"";
        await context.Response.WriteAsJsonAsync(new { error = "missing or wrong X-Api-Key (or basic-auth password)" });
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrEmpty(header))
        {
            return header.ToString();
        }
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon >= 0 ? decoded[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }

    private static bool Same(string presented, string? key) =>
        !string.IsNullOrEmpty(key) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key));
}

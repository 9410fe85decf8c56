using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Shopstream.Silo.Web;

/// <summary>
/// The Orleans dashboard has no authentication of its own: beyond loopback it answers only to the API key,
/// given as <c>X-Api-Key</c> or as the password of HTTP basic auth (so a browser can log in).
/// </summary>
internal sealed class DashboardGuard(SiloWebOptions options)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase) || options.IsLoopbackOnly)
        {
            await next();
            return;
        }
        if (string.IsNullOrEmpty(options.DashboardApiKey))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("dashboard disabled: the silo binds beyond loopback and Shopstream:DashboardApiKey is not set");
            return;
        }
        if (Presented(context.Request) is { } key && Same(key, options.DashboardApiKey))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"shopstream dashboard\"";
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

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

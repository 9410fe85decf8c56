using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Health endpoints of the ingest API and the silo over ASP.NET Core health checks, answering in the shape probes and
/// scripts already read: <c>{"status": "ready", "checks": {"kafka": "ok"}}</c>, 200 unless a check is unhealthy (503).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Tag of the checks <c>/health/live</c> runs; none today, so live means the process answers HTTP.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Maps <paramref name="pattern"/> to the checks tagged <paramref name="tag"/>, answering <c>status</c>
    /// <paramref name="healthy"/> or <paramref name="unhealthy"/> and, when any check ran, <c>checks</c> with each one's answer.
    /// </summary>
    public static IEndpointConventionBuilder MapHealthAnswer(
        this IEndpointRouteBuilder app, string pattern, string tag, string healthy, string unhealthy)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapHealthChecks(pattern, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(tag),
            ResponseWriter = (context, report) => WriteAsync(context, report, healthy, unhealthy),
        });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report, string healthy, string unhealthy)
    {
        var status = report.Status == HealthStatus.Unhealthy ? unhealthy : healthy;
        if (report.Entries.Count == 0)
        {
            return context.Response.WriteAsJsonAsync(new { status });
        }
        var checks = report.Entries.ToDictionary(e => e.Key, e => Answer(e.Value), StringComparer.Ordinal);
        return context.Response.WriteAsJsonAsync(new { status, checks });
    }

    /// <summary>"ok" for a passing check without a note; else its description, so the reason reaches the operator.</summary>
    private static string Answer(HealthReportEntry entry) =>
        entry.Description ?? (entry.Status == HealthStatus.Healthy ? "ok" : entry.Exception?.Message ?? entry.Status.ToString());
}

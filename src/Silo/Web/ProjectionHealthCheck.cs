using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shopstream.Projection;
using Shopstream.Silo.Hosting;

namespace Shopstream.Silo.Web;

/// <summary>Unhealthy once the projection writer has failed for longer than the threshold (<see cref="ProjectionReadiness"/>).</summary>
/// <param name="health">The writer's state; null in a host without a projection, which is then always ready.</param>
/// <param name="threshold">How long failures may last before the silo is not ready: a shorter run is a retry in progress.</param>
/// <param name="time">The clock the failure's age is measured with.</param>
internal sealed class ProjectionHealthCheck(IProjectionHealth? health, TimeSpan threshold, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ProjectionReadiness.Check(health?.FailingSince, time.GetUtcNow(), threshold) is { } problem
            ? HealthCheckResult.Unhealthy(problem)
            : HealthCheckResult.Healthy());
}

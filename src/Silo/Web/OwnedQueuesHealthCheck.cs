using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Web;

/// <summary>
/// Always healthy: a silo that reads no partition is still ready (the cluster may have fewer partitions than silos).
/// Its description tells the operator how many partitions this silo reads.
/// </summary>
internal sealed class OwnedQueuesHealthCheck(KafkaStreamStatistics statistics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"{statistics.Snapshot().Count(p => p.OwnedHere)} partitions read here"));
}

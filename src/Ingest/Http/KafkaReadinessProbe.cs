using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Whether Kafka answers a metadata request, for readiness checks. The answer is kept for <c>cacheFor</c> and probes
/// that arrive while one runs share it, so a flood of health requests costs one metadata request per period and an
/// unreachable broker delays no check by more than the probe's timeout. As a health check it is unhealthy with that reason.
/// </summary>
public sealed class KafkaReadinessProbe : IHealthCheck, IDisposable
{
    private readonly IAdminClient admin;
    private readonly string topic;
    private readonly TimeSpan timeout;
    private readonly TimeSpan cacheFor;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private Task<string?>? current;
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;

    /// <param name="admin">Asks for metadata; disposed with the probe.</param>
    /// <param name="topic">A topic the caller uses; only the broker's answer matters, not whether the topic exists.</param>
    /// <param name="timeout">How long one metadata request may take.</param>
    /// <param name="cacheFor">How long an answer is reused.</param>
    /// <param name="timeProvider">The clock; the system's by default.</param>
    public KafkaReadinessProbe(IAdminClient admin, string topic, TimeSpan timeout, TimeSpan cacheFor, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        this.admin = admin;
        this.topic = topic;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Null when Kafka answered, else why not (e.g. <c>unreachable: ...</c>).</summary>
    public Task<string?> ProblemAsync()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (current is null || (current.IsCompleted && now - checkedAt >= cacheFor))
            {
                checkedAt = now;
                current = Task.Run(Probe);
            }
            return current;
        }
    }

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The probe is shared by concurrent checks, so a caller that gives up stops waiting but does not cancel it.
        var problem = await ProblemAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(problem);
    }

    public void Dispose() => admin.Dispose();

    private string? Probe()
    {
        try
        {
            var metadata = admin.GetMetadata(topic, timeout);
            return metadata.Brokers.Count > 0 ? null : "unreachable: no broker in the metadata";
        }
        catch (KafkaException ex)
        {
            return $"unreachable: {ex.Error.Reason} ({ex.Error.Code})";
        }
    }
}

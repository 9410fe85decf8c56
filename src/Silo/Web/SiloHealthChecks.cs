using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Http;
using Shopstream.Projection;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Web;

/// <summary>The silo's readiness as ASP.NET Core health checks, all tagged <see cref="HealthEndpoints.ReadyTag"/>.</summary>
internal static class SiloHealthChecks
{
    // A database that takes longer than this to answer SELECT 1 is as good as unreachable for the projection.
    private static readonly TimeSpan PostgresTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>kafka</c> (the cached metadata probe, registered by the host), <c>postgres</c> (SELECT 1 over the silo's data
    /// source), <c>projection</c> (failing longer than <see cref="ShopstreamOptions.ProjectionFailingThreshold"/>) and
    /// <c>queues</c>, which always passes and says how many partitions this silo reads.
    /// </summary>
    public static IServiceCollection AddShopstreamHealthChecks(this IServiceCollection services, ShopstreamOptions options)
    {
        string[] ready = [HealthEndpoints.ReadyTag];
        services.AddHealthChecks()
            .AddCheck<KafkaReadinessProbe>("kafka", tags: ready)
            .AddNpgSql(name: "postgres", tags: ready, timeout: PostgresTimeout)
            .Add(new HealthCheckRegistration(
                "projection",
                sp => new ProjectionHealthCheck(sp.GetService<IProjectionHealth>(), options.ProjectionFailingThreshold, TimeProvider.System),
                failureStatus: null,
                tags: ready))
            .Add(new HealthCheckRegistration(
                "queues",
                sp => new OwnedQueuesHealthCheck(sp.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka)),
                failureStatus: null,
                tags: ready));
        return services;
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Shopstream.Grains;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Sources;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;
using Shopstream.Projection;

namespace Shopstream.Silo.Web;

/// <summary>Live entity API (from grain state, no SQL), stats and health.</summary>
internal static class SiloEndpoints
{
    public static IEndpointRouteBuilder MapShopstreamApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        // Unknown sources and malformed ids are answered before GetGrain: each distinct key would otherwise activate a grain.
        api.MapGet("/products/{source}/{id}", (string source, string id, IGrainFactory grains) =>
            Entity(source, id, key => grains.GetGrain<IProductGrain>(key).GetAsync()));
        api.MapGet("/carts/{source}/{id}", (string source, string id, IGrainFactory grains) =>
            Entity(source, id, key => grains.GetGrain<ICartGrain>(key).GetAsync()));
        api.MapGet("/users/{source}/{id}", (string source, string id, IGrainFactory grains) =>
            Entity(source, id, key => grains.GetGrain<IUserGrain>(key).GetAsync()));
        api.MapSourcesApi();
        api.MapGet("/stats", async (IServiceProvider services, ILocalSiloDetails silo, IGrainFactory grains) =>
        {
            var stats = services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
            var management = grains.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true);
            var activations = await management.GetSimpleGrainStatistics();
            var partitions = stats.Snapshot();
            return Results.Ok(new
            {
                silo = silo.SiloAddress.ToString(),
                clusterSilos = hosts.Keys.Select(h => h.ToString()).Order(StringComparer.Ordinal),
                consumed = stats.TotalConsumed,
                rejected = stats.TotalRejected,
                skipped = stats.TotalSkipped,
                activations = activations.GroupBy(a => a.GrainType, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Sum(a => a.ActivationCount), StringComparer.Ordinal),
                grains = PipelineMetrics.Snapshot().ToDictionary(p => p.Key, p => new { applied = p.Value.Applied, ignored = p.Value.Ignored }),
                partitions = partitions.Select(p => new
                {
                    p.Topic,
                    p.Partition,
                    owner = p.OwnedHere ? silo.SiloAddress.ToString() : null,
                    p.Consumed,
                    p.Rejected,
                    p.Skipped,
                    p.CommittedOffset,
                    p.EndOffset,
                    p.Lag,
                }),
            });
        });
        return app;
    }

    /// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (the checks of <see cref="SiloHealthChecks"/>).</summary>
    public static IEndpointRouteBuilder MapShopstreamHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthAnswer("/health/live", HealthEndpoints.LiveTag, "live", "not live");
        app.MapHealthAnswer("/health/ready", HealthEndpoints.ReadyTag, "ready", "not ready");
        return app;
    }

    /// <summary>The grain's snapshot; 404 for a source the pipeline does not ingest, 400 for an id that is not a record id.</summary>
    private static async Task<IResult> Entity<T>(string source, string id, Func<string, Task<EntitySnapshot<T>?>> lookup)
    {
        if (!SourceNames.All.Contains(source, StringComparer.Ordinal))
        {
            return Results.NotFound(new { error = $"unknown source; known: {string.Join(", ", SourceNames.All)}" });
        }
        if (EntityId(id) is not { } number)
        {
            return Results.BadRequest(new { error = $"the id must be 1-{MaxIdDigits} digits" });
        }
        return await lookup(new EntityKey(source, number).ToString()) is { } snapshot ? Results.Ok(snapshot) : Results.NotFound(new { error = "no such entity" });
    }

    private const int MaxIdDigits = 18;

    /// <summary>The record id as the ingest keys it (a non-negative integer), or null; short and digits only.</summary>
    private static long? EntityId(string id) =>
        id.Length is > 0 and <= MaxIdDigits && id.All(char.IsAsciiDigit) ? long.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture) : null;
}

using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Shopstream.Grains;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Web;

/// <summary>Live entity API (from grain state, no SQL), stats and health.</summary>
internal static class SiloEndpoints
{
    public static IEndpointRouteBuilder MapShopstreamApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/products/{source}/{id:long}", (string source, long id, IGrainFactory grains) =>
            Entity(grains.GetGrain<IProductGrain>($"{source}:{id}").GetAsync()));
        api.MapGet("/carts/{source}/{id:long}", (string source, long id, IGrainFactory grains) =>
            Entity(grains.GetGrain<ICartGrain>($"{source}:{id}").GetAsync()));
        api.MapGet("/users/{source}/{id:long}", (string source, long id, IGrainFactory grains) =>
            Entity(grains.GetGrain<IUserGrain>($"{source}:{id}").GetAsync()));
        api.MapGet("/stats", async (IServiceProvider services, ILocalSiloDetails silo, IGrainFactory grains) =>
        {
            var stats = services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka);
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            var partitions = stats.Snapshot();
            return Results.Ok(new
            {
                silo = silo.SiloAddress.ToString(),
                clusterSilos = hosts.Keys.Select(h => h.ToString()).Order(StringComparer.Ordinal),
                consumed = stats.TotalConsumed,
                rejected = stats.TotalRejected,
                grains = PipelineMetrics.Snapshot().ToDictionary(p => p.Key, p => new { applied = p.Value.Applied, ignored = p.Value.Ignored }),
                partitions = partitions.Select(p => new
                {
                    p.Topic, p.Partition, owner = p.OwnedHere ? silo.SiloAddress.ToString() : null,
                    p.Consumed, p.Rejected, p.CommittedOffset, p.EndOffset, p.Lag,
                }),
            });
        });
        return app;
    }

    public static IEndpointRouteBuilder MapShopstreamHealth(this IEndpointRouteBuilder app, ShopstreamOptions options)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        app.MapGet("/health/ready", async (IServiceProvider services, NpgsqlDataSource db, CancellationToken ct) =>
        {
            var checks = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await using var command = db.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(timeout.Token);
                checks["postgres"] = "ok";
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                checks["postgres"] = "unreachable: " + ex.Message;
            }
            try
            {
                using var admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(options.KafkaClient)) { BootstrapServers = options.Kafka }).Build();
                await Task.Run(() => admin.GetMetadata(options.ProductsTopic, TimeSpan.FromSeconds(3)), ct);
                checks["kafka"] = "ok";
            }
            catch (KafkaException ex)
            {
                checks["kafka"] = "unreachable: " + ex.Error.Reason;
            }
            var owned = services.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka).Snapshot().Count(p => p.OwnedHere);
            checks["queues"] = $"{owned} partitions read here";
            var ready = checks["postgres"] == "ok" && checks["kafka"] == "ok";
            return Results.Json(new { status = ready ? "ready" : "not ready", checks }, statusCode: ready ? 200 : 503);
        });
        return app;
    }

    private static async Task<IResult> Entity<T>(Task<EntitySnapshot<T>?> snapshot) =>
        await snapshot is { } s ? Results.Ok(s) : Results.NotFound();
}

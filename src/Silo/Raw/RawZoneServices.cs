using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shopstream.Projection.Raw;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Raw;

/// <summary>The raw zone's parts on a silo: the writer, the tee on the partition pumps, the landing service.</summary>
internal static class RawZoneServices
{
    public static IServiceCollection AddRawZone(this IServiceCollection services, ShopstreamOptions options)
    {
        services.AddSingleton<RawEventWriter>();
        services.AddSingleton(_ => new RawTee(options.RawTeeCapacity, [options.ProductsTopic, options.CartsTopic, options.UsersTopic, options.EventsTopic]));
        services.AddSingleton<IKafkaReadObserver>(sp => sp.GetRequiredService<RawTee>());
        services.AddHostedService(sp => new RawLandingService(
            options, sp.GetRequiredService<RawEventWriter>(), sp.GetRequiredService<RawTee>(), sp.GetRequiredService<ILogger<RawLandingService>>()));
        return services;
    }
}

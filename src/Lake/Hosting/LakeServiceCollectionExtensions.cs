using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Tables;
using Shopstream.Lake.Writing;

namespace Shopstream.Lake.Hosting;

/// <summary>Registers the lake writer in a host that already has the projection's <see cref="NpgsqlDataSource"/>.</summary>
public static class LakeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the lake writer as a hosted service reading the events topic and the entity topics (products, carts,
    /// users) of <paramref name="topicsByNamespace"/> with the host's Kafka settings. Does nothing unless
    /// <paramref name="options"/> names a directory or a bucket.
    /// </summary>
    public static IServiceCollection AddShopstreamLake(
        this IServiceCollection services, LakeOptions options, string bootstrapServers, IReadOnlyDictionary<string, string> topicsByNamespace,
        IReadOnlyDictionary<string, string> clientSettings)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!options.Enabled)
        {
            return services;
        }
        services.AddSingleton(_ => LakeStores.Open(options));
        services.AddSingleton(sp => new LakeManifest(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddHostedService(sp => new LakeWriter(
            new LakeWriterSettings(bootstrapServers, LakeTables.ByTopic(topicsByNamespace), clientSettings), options,
            sp.GetRequiredService<ILakeStore>(), sp.GetRequiredService<LakeManifest>(), TimeProvider.System,
            sp.GetRequiredService<ILogger<LakeWriter>>()));
        return services;
    }
}

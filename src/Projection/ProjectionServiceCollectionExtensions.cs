using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shopstream.Grains.Projection;

namespace Shopstream.Projection;

/// <summary>Registers the projection on a host's services.</summary>
public static class ProjectionServiceCollectionExtensions
{
    /// <summary>The configuration section of <see cref="ProjectionWriterOptions"/>.</summary>
    public const string WriterSection = "Shopstream:Projection";

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the analytic database (built with the host's logger factory,
    /// so Npgsql logs where the host logs), the projection writer as <see cref="IProjectionWriter"/> and
    /// <see cref="IProjectionHealth"/>, and its options from <c>Shopstream:Projection</c>. Everything that reads or writes
    /// the analytic tables resolves that data source: the writer, the batched grain-state reads, the health check.
    /// </summary>
    public static IServiceCollection AddPostgresProjection(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        services.AddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.AddOptions<ProjectionWriterOptions>().BindConfiguration(WriterSection);
        services.AddSingleton<PostgresProjectionWriter>();
        services.AddSingleton<IProjectionWriter>(sp => sp.GetRequiredService<PostgresProjectionWriter>());
        services.AddSingleton<IProjectionHealth>(sp => sp.GetRequiredService<PostgresProjectionWriter>());
        return services;
    }
}

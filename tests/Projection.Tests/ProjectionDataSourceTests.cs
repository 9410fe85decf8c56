using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shopstream.Silo.Hosting;

namespace Shopstream.Projection.Tests;

/// <summary>The silo host has one <see cref="NpgsqlDataSource"/> for the projection, logging through the host.</summary>
public sealed class ProjectionDataSourceTests
{
    // Nothing is started: the silo host is only built, so no broker or database is reached.
    private static readonly ShopstreamOptions Options = new()
    {
        Kafka = "127.0.0.1:1",
        Postgres = "Host=127.0.0.1;Port=1;Database=projection_probe",
    };

    [Fact]
    public void Silo_host_registers_exactly_one_data_source_for_the_configured_database()
    {
        using var host = SiloHostFactory.BuildLocal(Options);

        var only = Assert.Single(host.Services.GetServices<NpgsqlDataSource>());
        Assert.Empty(host.Services.GetServices<DbDataSource>());
        Assert.Same(only, host.Services.GetRequiredService<NpgsqlDataSource>());
        var target = new NpgsqlConnectionStringBuilder(only.ConnectionString);
        Assert.Equal(("127.0.0.1", 1, "projection_probe"), (target.Host, target.Port, target.Database));
    }

    [Fact]
    public void Data_source_logs_through_the_host_logger_factory()
    {
        using var host = SiloHostFactory.BuildLocal(Options);
        var categories = new CategoryRecorder();
        // Added before the data source is first resolved: Npgsql takes its loggers from the factory when it is built.
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(categories);

        _ = host.Services.GetRequiredService<NpgsqlDataSource>();

        Assert.Contains(categories.Names, n => n.StartsWith("Npgsql.", StringComparison.Ordinal));
    }

    private sealed class CategoryRecorder : ILoggerProvider
    {
        public ConcurrentBag<string> Names { get; } = [];

        public ILogger CreateLogger(string categoryName)
        {
            Names.Add(categoryName);
            return NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }
}

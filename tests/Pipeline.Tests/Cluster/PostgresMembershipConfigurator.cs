using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using Shopstream.Silo.Hosting;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// Silos and the test client find each other through <c>OrleansMembershipTable</c> in PostgreSQL, as
/// <c>shopstream silo</c> does, instead of TestingHost's in-memory membership.
/// </summary>
public sealed class PostgresMembershipConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var connectionString = ConnectionString(siloBuilder.Configuration);
        siloBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        var connectionString = ConnectionString(configuration);
        DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
    }

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[$"{ShopstreamOptions.Section}:{nameof(ShopstreamOptions.Postgres)}"]
        ?? throw new InvalidOperationException($"{ShopstreamOptions.Section}:{nameof(ShopstreamOptions.Postgres)} is not set");
}

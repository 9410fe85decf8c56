using Npgsql;

namespace Shopstream.Ingest.Tests.Support;

/// <summary>
/// A fresh database on the test PostgreSQL server (<c>SHOPSTREAM_TEST_POSTGRES</c>, which <c>./shopstream test</c> and
/// <c>scripts/postgres.sh start</c> provide) with every <c>sql/*.sql</c> script applied in order, as the silo does.
/// </summary>
internal sealed class SchemaDatabase : IAsyncDisposable
{
    private const string Variable = "SHOPSTREAM_TEST_POSTGRES";

    private readonly string server;
    private readonly string name;

    private SchemaDatabase(string server, string name, NpgsqlDataSource dataSource)
    {
        this.server = server;
        this.name = name;
        DataSource = dataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<SchemaDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException($"{Variable} is not set: run export {Variable}=$(scripts/postgres.sh start) first");
        }

        var name = "shopstream_door_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
        foreach (var script in Directory.GetFiles(Path.Combine(SampleData.RepositoryRoot, "sql"), "*.sql").Order(StringComparer.Ordinal))
        {
            await using var apply = dataSource.CreateCommand(await File.ReadAllTextAsync(script));
            await apply.ExecuteNonQueryAsync();
        }

        return new SchemaDatabase(server, name, dataSource);
    }

    public async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

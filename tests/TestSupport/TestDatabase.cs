using Npgsql;
using Shopstream.Projection.Storage;

namespace Shopstream.Tests.Support;

/// <summary>A fresh PostgreSQL database with the schema applied, on the server <c>./shopstream test</c> started.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Variable = "SHOPSTREAM_TEST_POSTGRES";

    private TestDatabase(string admin, string name, string connectionString)
    {
        AdminConnectionString = admin;
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string AdminConnectionString { get; }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set: run the tests with ./shopstream test, which starts PostgreSQL and sets it");
        }
        var name = "shopstream_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await SchemaMigrator.ApplyAsync(cs);
        return new TestDatabase(server, name, cs);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs a statement with positional parameters (<c>$1</c>, <c>$2</c>, ...); null is sent as SQL NULL.</summary>
    public async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>All rows of a query as strings, one joined line per row, for set comparisons.</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var cells = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                cells[i] = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
            rows.Add(string.Join("|", cells));
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

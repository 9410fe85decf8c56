using Npgsql;
using Shopstream.Projection.Storage;

namespace Shopstream.Cli;

/// <summary>Throw-away databases for bench and chaos runs: dropped, created and migrated on the given server.</summary>
public static class ScratchDatabase
{
    /// <summary>Drops <paramref name="name"/> (closing its connections), creates it with the schema; returns its connection string.</summary>
    public static async Task<string> RecreateAsync(string serverConnectionString, string name, CancellationToken ct)
    {
        // Unpooled: a pooled connection may be one that a PostgreSQL restart (chaos postgres-restart) has killed.
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(serverConnectionString) { Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync(ct);
            // A database name cannot be a parameter; the names come from code, never from input.
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", ct);
            await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"", ct);
        }
        var cs = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        await SchemaMigrator.ApplyAsync(cs, ct);
        return cs;
    }

    /// <summary>Runs one statement without results.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

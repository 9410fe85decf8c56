using DbUp;
using Npgsql;

namespace Shopstream.Projection.Storage;

/// <summary>
/// Applies the scripts in <c>sql/</c> (embedded) in name order, each once. Several silos starting together
/// take turns through a PostgreSQL advisory lock.
/// </summary>
public static class SchemaMigrator
{
    private const long LockKey = 0x5350_5354_5245_414D; // "SPSTREAM"

    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, name => name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"schema migration failed in {result.ErrorScript?.Name}: {result.Error?.Message}", result.Error);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            unlock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockKey });
            await unlock.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

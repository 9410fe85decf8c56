using Npgsql;

namespace Shopstream.Cli.Chaos;

/// <summary>The audit trigger of chaos databases (<c>ChaosAudit.sql</c>): every row write of products and users.</summary>
public static class ChaosAudit
{
    /// <summary>Installs the audit into a migrated database.</summary>
    public static async Task InstallAsync(string connectionString, CancellationToken ct)
    {
        await using var stream = typeof(ChaosAudit).Assembly.GetManifestResourceStream("chaos-audit")
            ?? throw new InvalidOperationException("the chaos-audit resource is missing from the shopstream assembly (src/Cli/Cli.csproj)");
        using var reader = new StreamReader(stream);
        var sql = await reader.ReadToEndAsync(ct);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// Runs the console's read-only queries and shapes their rows as JSON objects (columns in camelCase), and checks the
/// parameters the endpoints share: a bad value is answered 400 with a message naming the parameter.
/// </summary>
internal static class AnalyticsSql
{
    /// <summary>The largest <c>limit</c> any list endpoint accepts.</summary>
    public const int MaxLimit = 100;

    /// <summary>Every row of <paramref name="sql"/>, parameters given by position (<c>$1</c>, <c>$2</c>, ...).</summary>
    public static async Task<List<Dictionary<string, object?>>> RowsAsync(NpgsqlDataSource db, string sql, CancellationToken ct, params object?[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        var names = Enumerable.Range(0, reader.FieldCount).Select(i => CamelCase(reader.GetName(i))).ToArray();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(ct))
        {
            var row = new Dictionary<string, object?>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                row[names[i]] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary><c>snake_case</c> to <c>camelCase</c>, the JSON convention of the rest of <c>/api</c>.</summary>
    internal static string CamelCase(string column)
    {
        var b = new StringBuilder(column.Length);
        var upper = false;
        foreach (var c in column)
        {
            if (c == '_')
            {
                upper = b.Length > 0;
                continue;
            }
            b.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return b.ToString();
    }

    /// <summary>A 400 answer whose message names what was wrong.</summary>
    public static IResult Bad(string message) => Results.BadRequest(new { error = message });

    /// <summary>The catalogue source to filter by (null: all), or an error for a name the pipeline does not ingest.</summary>
    public static bool TryCatalogueSource(string? source, out string? filter, out IResult? error)
    {
        filter = string.IsNullOrEmpty(source) ? null : source;
        error = null;
        if (filter is not null && !Ingest.Sources.SourceNames.All.Contains(filter, StringComparer.Ordinal))
        {
            error = Bad($"source: unknown source '{source}'; known: {string.Join(", ", Ingest.Sources.SourceNames.All)}");
            return false;
        }
        return true;
    }

    /// <summary><paramref name="value"/> as a <c>yyyy-MM-dd</c> date, or an error naming <paramref name="name"/>.</summary>
    public static bool TryDate(string? value, string name, out DateOnly? date, out IResult? error)
    {
        date = null;
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }
        error = Bad($"{name}: '{value}' is not a date (yyyy-MM-dd)");
        return false;
    }

    /// <summary><paramref name="limit"/>, or <paramref name="fallback"/>; an error when it is outside 1..<paramref name="max"/>.</summary>
    public static bool TryLimit(int? limit, int fallback, out int value, out IResult? error, string name = "limit", int max = MaxLimit)
    {
        value = limit ?? fallback;
        error = value is < 1 || value > max ? Bad($"{name} must be from 1 to {max}") : null;
        return error is null;
    }
}

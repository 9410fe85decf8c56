using System.Globalization;
using Npgsql;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>Renders query results and lags as console tables.</summary>
internal static class ConsoleTables
{
    public static async Task<Table> QueryAsync(NpgsqlDataSource db, string title, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        return await FromReaderAsync(reader, title);
    }

    /// <summary>Every row of <paramref name="reader"/> (PostgreSQL, DuckDB) as a table.</summary>
    public static async Task<Table> FromReaderAsync(System.Data.Common.DbDataReader reader, string title)
    {
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Rounded };
        for (var i = 0; i < reader.FieldCount; i++)
        {
            table.AddColumn(new TableColumn(Markup.Escape(reader.GetName(i))));
        }
        while (await reader.ReadAsync())
        {
            var cells = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                cells[i] = Markup.Escape(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
            }
            table.AddRow(cells);
        }
        return table;
    }
}

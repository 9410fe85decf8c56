using System.Text.RegularExpressions;
using Npgsql;
using Shopstream.Grains.Projection;
using Shopstream.Projection;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

/// <summary>
/// Each batch statement's array parameters are exactly its column maps' columns, in order and type; each map's
/// parameters are one array per column of the CLR type PostgreSQL expects; and the maps that insert by position
/// name their table's columns with the table's types.
/// </summary>
public sealed partial class ColumnMapTests
{
    // The CLR element type Npgsql writes for each array type the statements cast to (nullable or not).
    private static readonly Dictionary<string, Type[]> ClrTypesOf = new(StringComparer.Ordinal)
    {
        ["text"] = [typeof(string)],
        ["bigint"] = [typeof(long)],
        ["int"] = [typeof(int)],
        ["numeric"] = [typeof(decimal)],
        ["date"] = [typeof(DateOnly)],
        ["boolean"] = [typeof(bool)],
        ["timestamptz"] = [typeof(DateTime), typeof(DateTimeOffset)],
    };

    public static TheoryData<string> Statements => [.. StatementMaps.Keys];

    private static Dictionary<string, (string Sql, IEnumerable<RowColumn>[] Maps)> StatementMaps => new(StringComparer.Ordinal)
    {
        ["products"] = (ProjectionSql.Products, [ProjectionColumns.Products]),
        ["product names"] = (ProjectionSql.ProductNamesFromCatalogue, [ProjectionColumns.ProductKeys]),
        ["users"] = (ProjectionSql.Users, [ProjectionColumns.Users]),
        ["carts"] = (ProjectionSql.Carts, [ProjectionColumns.Carts, ProjectionColumns.CartLines]),
        ["rejected"] = (ProjectionSql.Rejected, [ProjectionColumns.Rejected]),
        ["recalls"] = (ProjectionSql.Recalls, [ProjectionColumns.Recalls, ProjectionColumns.RecallProducts]),
        ["dim_date"] = (ProjectionSql.DimDates, [ProjectionColumns.DimDates]),
        ["dim_product"] = (ProjectionSql.DimProducts, [ProjectionColumns.DimProducts]),
        ["dim_location"] = (ProjectionSql.DimLocations, [ProjectionColumns.DimLocations]),
        ["dim_user_agent"] = (ProjectionSql.DimUserAgents, [ProjectionColumns.DimUserAgents]),
        ["dim_referrer"] = (ProjectionSql.DimReferrers, [ProjectionColumns.DimReferrers]),
        ["fact_events"] = (ProjectionSql.Facts, [ProjectionColumns.Facts]),
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Statement_takes_one_array_parameter_per_map_column_in_order_and_type(string statement)
    {
        var (sql, maps) = StatementMaps[statement];
        var expected = maps.SelectMany(m => m).Select((c, i) => $"${i + 1}::{c.PgType}[]").ToList();

        var placeholders = Placeholder().Matches(sql).Select(m => m.Value).ToList();

        Assert.Equal(expected, placeholders);
        // No other parameter reference (a "$15" without a cast, say) hides in the statement.
        Assert.Equal(expected.Count, AnyParameter().Count(sql));
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void Map_column_values_have_the_clr_type_of_their_postgres_type(string statement)
    {
        foreach (var column in StatementMaps[statement].Maps.SelectMany(m => m))
        {
            var clr = Nullable.GetUnderlyingType(column.ClrType) ?? column.ClrType;
            Assert.True(ClrTypesOf.TryGetValue(column.PgType, out var allowed), $"{statement}.{column.Name}: no CLR type known for {column.PgType}");
            Assert.Contains(clr, allowed);
        }
    }

    [Fact]
    public void Command_holds_one_array_per_column_with_every_rows_value_in_row_order()
    {
        ProductRow[] rows =
        [
            new("s", 7, "seven", null, "c", 1.5m, null, 4.5m, 12, 3, "b", "cheap", 2, "h7"),
            new("s", 8, null, "d", null, null, "u", null, null, null, null, null, 5, "h8"),
        ];

        var command = ProjectionColumns.Products.Command(ProjectionSql.Products, rows);

        Assert.Equal(ProjectionSql.Products, command.CommandText);
        Assert.Equal(14, command.Parameters.Count);
        Assert.Equal(new[] { "s", "s" }, command.Parameters[0].Value);
        Assert.Equal(new long[] { 7, 8 }, command.Parameters[1].Value);
        Assert.Equal(new[] { "seven", null }, command.Parameters[2].Value);
        Assert.Equal(new decimal?[] { 1.5m, null }, command.Parameters[5].Value);
        Assert.Equal(new int?[] { 12, null }, command.Parameters[8].Value);
        Assert.Equal(new long[] { 2, 5 }, command.Parameters[12].Value);
        Assert.Equal(new[] { "h7", "h8" }, command.Parameters[13].Value);
    }

    [Fact]
    public void Cart_lines_parameters_follow_the_cart_parameters()
    {
        var cart = new CartRow("s", 3, 9, new DateTime(2024, 1, 31, 10, 0, 0, DateTimeKind.Utc), "Wednesday", "January",
            [new CartLineRow(100, 2, 1.25m), new CartLineRow(101, 1, null)], 1, "h");
        var command = ProjectionColumns.Carts.Command(ProjectionSql.Carts, [cart]);
        ProjectionColumns.CartLines.AddParameters(command, [.. cart.Lines.Select(l => new ProjectionColumns.CartLine(cart.Source, cart.CartId, l))]);

        // 8 cart columns, then the 5 line columns: $9 is the lines' source, as the statement's text says.
        Assert.Equal(13, command.Parameters.Count);
        Assert.Contains("unnest($9::text[], $10::bigint[], $11::bigint[], $12::int[], $13::numeric[])", ProjectionSql.Carts, StringComparison.Ordinal);
        Assert.Equal(new[] { "s", "s" }, command.Parameters[8].Value);
        Assert.Equal(new long[] { 100, 101 }, command.Parameters[10].Value);
        Assert.Equal(new decimal?[] { 1.25m, null }, command.Parameters[12].Value);
    }

    [Theory]
    [InlineData("products")]
    [InlineData("users")]
    [InlineData("rejected_records")]
    [InlineData("dim_date")]
    [InlineData("dim_location")]
    [InlineData("dim_user_agent")]
    [InlineData("dim_referrer")]
    public async Task Map_of_a_table_insert_names_table_columns_with_their_types(string table)
    {
        // These statements' column lists are their maps' names: each must be a column of the table, of the map's type.
        IEnumerable<RowColumn> map = table switch
        {
            "products" => ProjectionColumns.Products,
            "users" => ProjectionColumns.Users,
            "rejected_records" => ProjectionColumns.Rejected,
            "dim_date" => ProjectionColumns.DimDates,
            "dim_location" => ProjectionColumns.DimLocations,
            "dim_user_agent" => ProjectionColumns.DimUserAgents,
            _ => ProjectionColumns.DimReferrers,
        };
        await using var db = await TestDatabase.CreateAsync();
        await using var command = db.DataSource.CreateCommand("""
            SELECT quote_ident(a.attname) || ' ' || (a.atttypid = to_regtype(m.pg_type))::text
            FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS m(name, pg_type, ord)
            LEFT JOIN pg_attribute a ON a.attrelid = $1::regclass AND quote_ident(a.attname) = m.name AND NOT a.attisdropped
            ORDER BY m.ord
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. map.Select(c => c.Name)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. map.Select(c => c.PgType)] });
        var found = new List<string?>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                found.Add(reader.IsDBNull(0) ? null : reader.GetString(0));
            }
        }

        Assert.Equal([.. map.Select(c => c.Name + " true")], found);
    }

    [GeneratedRegex(@"\$\d+::\w+\[\]")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$\d+")]
    private static partial Regex AnyParameter();
}

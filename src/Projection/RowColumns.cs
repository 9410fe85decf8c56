using System.Collections;
using Npgsql;

namespace Shopstream.Projection;

/// <summary>
/// The columns of one row type as a batch statement takes them: each column is one array parameter, in order.
/// The statement's <c>unnest(...)</c> and column list and the command's parameters are both produced from here, so a
/// column cannot be added to one side only.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class RowColumns<T> : IEnumerable<RowColumn>
{
    private readonly List<Column> columns = [];

    /// <summary>The number of columns (array parameters).</summary>
    public int Count => columns.Count;

    /// <summary>Adds a column; <paramref name="pgType"/> is the element type of its array, e.g. <c>bigint</c>.</summary>
    public void Add<TValue>(string name, string pgType, Func<T, TValue> value) =>
        columns.Add(new Column(new RowColumn(name, pgType, typeof(TValue)),
            rows => new NpgsqlParameter<TValue[]> { TypedValue = [.. rows.Select(value)] }));

    /// <summary>The column names, comma-separated: <c>source, id, title</c>.</summary>
    public string Names => string.Join(", ", columns.Select(c => c.Definition.Name));

    /// <summary>
    /// <c>unnest($1::text[], $2::bigint[]) AS alias(source, id)</c>, numbering parameters from <paramref name="firstParameter"/>
    /// (a statement taking two row types numbers the second after the first).
    /// </summary>
    public string Unnest(string alias, int firstParameter = 1) =>
        $"unnest({string.Join(", ", columns.Select((c, i) => $"${firstParameter + i}::{c.Definition.PgType}[]"))}) AS {alias}({Names})";

    /// <summary>Adds one array parameter per column, in column order, holding that column of every row.</summary>
    public void AddParameters(NpgsqlBatchCommand command, IReadOnlyCollection<T> rows)
    {
        foreach (var c in columns)
        {
            command.Parameters.Add(c.Parameter(rows));
        }
    }

    /// <summary>A statement over <paramref name="rows"/>: <paramref name="sql"/> with one array parameter per column.</summary>
    public NpgsqlBatchCommand Command(string sql, IReadOnlyCollection<T> rows)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command, rows);
        return command;
    }

    public IEnumerator<RowColumn> GetEnumerator() => columns.Select(c => c.Definition).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed record Column(RowColumn Definition, Func<IReadOnlyCollection<T>, NpgsqlParameter> Parameter);
}

/// <summary>One column of a <see cref="RowColumns{T}"/>: its name, its PostgreSQL element type and the CLR type of its values.</summary>
internal sealed record RowColumn(string Name, string PgType, Type ClrType);

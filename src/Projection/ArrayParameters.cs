using Npgsql;

namespace Shopstream.Projection;

/// <summary>One column of a batch as one array parameter, for the <c>unnest(...)</c> statements.</summary>
internal static class ArrayParameters
{
    public static void AddArray<T>(this NpgsqlBatchCommand command, IEnumerable<T> values) => command.Parameters.AddArray(values);

    public static void AddArray<T>(this NpgsqlParameterCollection parameters, IEnumerable<T> values) =>
        parameters.Add(new NpgsqlParameter<T[]> { TypedValue = [.. values] });
}

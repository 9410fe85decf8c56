using System.Net.Sockets;
using Npgsql;

namespace Shopstream.Projection;

/// <summary>
/// Whether a failed PostgreSQL call (a projection write, a state read) is worth retrying: only when a retry can change the answer, i.e. the error is
/// about the connection, the server or the schema rather than the rows. Everything else (any SQLSTATE about the data,
/// a value Npgsql cannot encode) refuses the same rows again, so they are isolated and rejected instead.
/// </summary>
internal static class PostgresErrors
{
    // 08 connection, 40 transaction rollback (serialization, deadlock), 53 insufficient resources, 57 operator
    // intervention (shutdown, cancel), 58 system error, XX internal error; 28 authorization, 3D/3F missing database or
    // schema, 42 missing table or privilege: an operator fixes these, and then the same rows go in.
    private static readonly string[] ServerClasses = ["08", "28", "3D", "3F", "40", "42", "53", "57", "58", "XX"];

    public static bool IsRetryable(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || ServerClasses.Contains(pg.SqlState[..2], StringComparer.Ordinal),
        NpgsqlException => true, // no SQLSTATE: the connection failed, not the rows
        TimeoutException or SocketException or IOException => true,
        _ => false,
    };
}

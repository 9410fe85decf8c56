using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Shopstream.Projection.Raw;

/// <summary>
/// Writes batches of <see cref="RawEventRow"/> into <c>raw_events</c> (<c>sql/0012</c>) in one round trip, creating the
/// day partitions they need first; a row already there (same topic, partition and offset) is skipped, so a batch
/// read again after a restart changes nothing. Drops the partitions older than the retention.
/// </summary>
public sealed partial class RawEventWriter(NpgsqlDataSource db, ILogger<RawEventWriter> logger)
{
    private const string Insert = """
        INSERT INTO raw_events (received_at, source, topic, partition, "offset", key, payload)
        SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::integer[], $5::bigint[], $6::text[], $7::jsonb[])
        ON CONFLICT DO NOTHING
        """;

    private readonly ConcurrentDictionary<DateOnly, bool> days = new();

    /// <summary>Writes <paramref name="rows"/>; returns how many were new.</summary>
    /// <exception cref="NpgsqlException">PostgreSQL failed for another reason than a row's content (retry the batch).</exception>
    public async Task<int> WriteAsync(IReadOnlyList<RawEventRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return 0;
        }
        await using var connection = await db.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var day in rows.Select(r => DateOnly.FromDateTime(r.ReceivedAt.UtcDateTime)).Distinct().Where(d => !days.ContainsKey(d)))
        {
            await using var ensure = new NpgsqlCommand("SELECT raw_events_ensure_day($1)", connection) { Parameters = { new() { Value = day } } };
            await ensure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            days[day] = true;
        }
        try
        {
            return await InsertAsync(connection, rows, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A value jsonb refuses (a NUL escape in a message no stage accepted): the others go in one by one, that one
            // is left out; the decoder has put such a message into rejected_records already.
            var written = 0;
            foreach (var row in rows)
            {
                try
                {
                    written += await InsertAsync(connection, [row], cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException one) when (one.SqlState.StartsWith("22", StringComparison.Ordinal))
                {
                    LogRowRefused(logger, row.Topic, row.Partition, row.Offset, one.MessageText);
                }
            }
            return written;
        }
    }

    /// <summary>Drops the day partitions before <paramref name="day"/>; returns how many.</summary>
    public async Task<int> DropBeforeAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var drop = db.CreateCommand("SELECT raw_events_drop_before($1)");
        drop.Parameters.Add(new NpgsqlParameter { Value = day });
        var dropped = Convert.ToInt32(await drop.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var old in days.Keys.Where(d => d < day))
        {
            days.TryRemove(old, out _);
        }
        return dropped;
    }

    private static async Task<int> InsertAsync(NpgsqlConnection connection, IReadOnlyList<RawEventRow> rows, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(Insert, connection);
        insert.Parameters.AddArray(rows.Select(r => r.ReceivedAt));
        insert.Parameters.AddArray(rows.Select(r => r.Source));
        insert.Parameters.AddArray(rows.Select(r => r.Topic));
        insert.Parameters.AddArray(rows.Select(r => r.Partition));
        insert.Parameters.AddArray(rows.Select(r => r.Offset));
        insert.Parameters.AddArray(rows.Select(r => r.Key));
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = rows.Select(r => r.Payload).ToArray() });
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "raw_events refused the message at {Topic}/{Partition}@{Offset}: {Reason}; left out of the raw zone")]
    private static partial void LogRowRefused(ILogger logger, string topic, int partition, long offset, string reason);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Shopstream.Projection.Raw;

/// <summary>
/// Lands batches of <see cref="RawEventRow"/> in <c>raw_events</c> (<c>sql/0012</c>) by binary COPY, and moves each
/// partition's landed position in <c>raw_offsets</c> (<c>sql/0016</c>) in the same transaction, compare-and-set: a batch
/// whose starting positions are no longer the stored ones (written already, by this silo before a restart or by another
/// silo the partition moved to) writes nothing. Creates the day partitions the rows need, and drops the partitions older
/// than the retention.
/// </summary>
public sealed partial class RawEventWriter(NpgsqlDataSource db, ILogger<RawEventWriter> logger)
{
    private const string Copy = """COPY raw_events (received_at, source, topic, partition, "offset", key, payload) FROM STDIN (FORMAT BINARY)""";

    // Moves every position of a batch or none: the count is short when one of them was moved by someone else.
    private const string Move = """
        WITH m AS (SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bigint[]) AS m(topic, partition, from_offset, next_offset)),
        moved AS (
            UPDATE raw_offsets o SET next_offset = m.next_offset, updated_at = now() FROM m
            WHERE o.topic = m.topic AND o.partition = m.partition AND o.next_offset = m.from_offset
            RETURNING 1),
        added AS (
            INSERT INTO raw_offsets (topic, partition, next_offset)
            SELECT topic, partition, next_offset FROM m WHERE from_offset IS NULL
            ON CONFLICT DO NOTHING
            RETURNING 1)
        SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM added)
        """;

    private const string Positions = """
        SELECT o.topic, o.partition, o.next_offset FROM raw_offsets o
        JOIN unnest($1::text[], $2::integer[]) AS p(topic, partition) ON o.topic = p.topic AND o.partition = p.partition
        """;

    private readonly ConcurrentDictionary<DateOnly, bool> days = new();

    /// <summary>The landed position (next offset to land) of each partition that has one.</summary>
    public async Task<IReadOnlyDictionary<(string Topic, int Partition), long>> PositionsAsync(
        IReadOnlyCollection<(string Topic, int Partition)> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        await using var select = db.CreateCommand(Positions);
        select.Parameters.AddArray(partitions.Select(p => p.Topic));
        select.Parameters.AddArray(partitions.Select(p => p.Partition));
        var positions = new Dictionary<(string, int), long>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            positions[(reader.GetString(0), reader.GetInt32(1))] = reader.GetInt64(2);
        }
        return positions;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> and applies <paramref name="moves"/> in one transaction. Returns how many rows were
    /// written, or null when a position had moved meanwhile: then nothing was written (read the positions again).
    /// A row whose payload jsonb refuses is left out and logged; the rest of its batch lands.
    /// </summary>
    /// <exception cref="NpgsqlException">PostgreSQL failed for another reason than a row's content (retry the batch).</exception>
    public async Task<int?> WriteAsync(IReadOnlyList<RawEventRow> rows, IReadOnlyList<RawOffsetMove> moves, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(moves);
        if (rows.Count == 0 && moves.Count == 0)
        {
            return 0; // a batch read again below every position: nothing to write, no round trip
        }
        await using var connection = await db.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var day in rows.Select(r => DateOnly.FromDateTime(r.ReceivedAt.UtcDateTime)).Distinct().Where(d => !days.ContainsKey(d)))
        {
            await using var ensure = new NpgsqlCommand("SELECT raw_events_ensure_day($1)", connection) { Parameters = { new() { Value = day } } };
            await ensure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            days[day] = true;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (moves.Count > 0)
        {
            // First, so that a writer racing for the same positions waits on their row locks and then finds them moved.
            await using var move = new NpgsqlCommand(Move, connection, transaction);
            move.Parameters.AddArray(moves.Select(m => m.Topic));
            move.Parameters.AddArray(moves.Select(m => m.Partition));
            move.Parameters.AddArray(moves.Select(m => m.From));
            move.Parameters.AddArray(moves.Select(m => m.Next));
            if ((long)(await move.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! != moves.Count)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        var written = await CopyAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return written;
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

    /// <summary>
    /// COPYs <paramref name="rows"/> under a savepoint; when jsonb refuses a value (class 22: a NUL escape or a lone
    /// surrogate that no stage accepted, the decoder put that message into rejected_records already), each half is
    /// tried again, down to the one row, which is left out.
    /// </summary>
    private async Task<int> CopyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RawEventRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        await transaction.SaveAsync("rows", cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var copy = await connection.BeginBinaryImportAsync(Copy, cancellationToken).ConfigureAwait(false))
            {
                foreach (var row in rows)
                {
                    await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Source, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Topic, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Partition, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Offset, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Key, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await copy.WriteAsync(row.Payload, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                }
                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.ReleaseAsync("rows", cancellationToken).ConfigureAwait(false);
            return rows.Count;
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            await transaction.RollbackAsync("rows", cancellationToken).ConfigureAwait(false);
            if (rows.Count == 1)
            {
                LogRowRefused(logger, rows[0].Topic, rows[0].Partition, rows[0].Offset, ex.MessageText);
                return 0;
            }
            var half = rows.Count / 2;
            return await CopyAsync(connection, transaction, [.. rows.Take(half)], cancellationToken).ConfigureAwait(false)
                + await CopyAsync(connection, transaction, [.. rows.Skip(half)], cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "raw_events refused the message at {Topic}/{Partition}@{Offset}: {Reason}; left out of the raw zone")]
    private static partial void LogRowRefused(ILogger logger, string topic, int partition, long offset, string reason);
}

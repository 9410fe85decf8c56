using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Shopstream.Lake.Manifest;

/// <summary>
/// The lake's manifest in PostgreSQL (<c>sql/0011_lake.sql</c>): which files readers see at which snapshot, and where
/// each topic-partition resumes. Commits take one advisory lock so that snapshot ids are in commit order.
/// </summary>
internal sealed class LakeManifest(NpgsqlDataSource dataSource)
{
    private const long CommitLock = 0x4C41_4B45_5348_4F50; // "LAKESHOP"

    /// <summary>The stored next offset of each partition of <paramref name="topic"/>; a partition without one is absent.</summary>
    public Dictionary<int, long> NextOffsets(string topic)
    {
        using var command = dataSource.CreateCommand("SELECT kafka_partition, next_offset FROM lake_offsets WHERE topic = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic });
        using var reader = command.ExecuteReader();
        var offsets = new Dictionary<int, long>();
        while (reader.Read())
        {
            offsets[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        return offsets;
    }

    /// <summary>
    /// Commits <paramref name="files"/> as a new snapshot together with <paramref name="advance"/>. Returns the
    /// snapshot id (0 when there were no files, only offsets), or null when the offset had moved (another writer
    /// committed these offsets first): then nothing was committed.
    /// </summary>
    public async Task<long?> CommitAppendAsync(IReadOnlyList<LakeFile> files, OffsetAdvance advance, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, cancellationToken);

        var moved = advance.Expected is { } expected
            ? await ExecuteAsync(connection,
                "UPDATE lake_offsets SET next_offset = $4 WHERE topic = $1 AND kafka_partition = $2 AND next_offset = $3",
                cancellationToken, advance.Topic, advance.Partition, expected, advance.Next)
            : await ExecuteAsync(connection,
                "INSERT INTO lake_offsets (topic, kafka_partition, next_offset) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                cancellationToken, advance.Topic, advance.Partition, advance.Next);
        if (moved != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        long snapshot = 0;
        if (files.Count > 0)
        {
            snapshot = await NewSnapshotAsync(connection, "append", cancellationToken);
            await InsertFilesAsync(connection, files, snapshot, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return snapshot;
    }

    /// <summary>Replaces <paramref name="removed"/> by <paramref name="added"/> in one new snapshot (compaction).</summary>
    /// <returns>The snapshot id, or null when one of the removed files was no longer live (another compaction won).</returns>
    public async Task<long?> CommitReplaceAsync(IReadOnlyList<Guid> removed, LakeFile added, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, cancellationToken);
        var snapshot = await NewSnapshotAsync(connection, "compact", cancellationToken);
        await using (var remove = new NpgsqlCommand(
            "UPDATE lake_files SET removed_snapshot_id = $2 WHERE file_id = ANY($1) AND removed_snapshot_id IS NULL", connection))
        {
            remove.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. removed] });
            remove.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot });
            if (await remove.ExecuteNonQueryAsync(cancellationToken) != removed.Count)
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }
        }
        await InsertFilesAsync(connection, [added], snapshot, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return snapshot;
    }

    /// <summary>The newest snapshot committed at or before <paramref name="time"/>, or 0 when there is none.</summary>
    public async Task<long> SnapshotAtAsync(DateTimeOffset? time, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT coalesce(max(snapshot_id), 0) FROM lake_snapshots WHERE $1::timestamptz IS NULL OR committed_at <= $1");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)time ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The files a reader sees at <paramref name="snapshot"/>, of one table or all, in commit order.</summary>
    public async Task<List<LakeFile>> LiveFilesAsync(long snapshot, string? table, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT file_id, path, table_name, partition_values::text, rows, bytes, min_event_time, max_event_time,
                   topic, kafka_partition, offset_first, offset_last
            FROM lake_files
            WHERE snapshot_id <= $1 AND (removed_snapshot_id IS NULL OR removed_snapshot_id > $1)
              AND ($2::text IS NULL OR table_name = $2)
            ORDER BY snapshot_id, path
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)table ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var files = new List<LakeFile>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var partition = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(3))!;
            files.Add(new LakeFile(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                [.. partition.Select(p => (p.Key, p.Value))],
                reader.GetInt64(4), reader.GetInt64(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : new KafkaRange(reader.GetString(8), reader.GetInt32(9), reader.GetInt64(10), reader.GetInt64(11))));
        }
        return files;
    }

    /// <summary>Paths the manifest knows and still holds in storage (live, or removed but not yet purged).</summary>
    public async Task<HashSet<string>> StoredPathsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT path FROM lake_files WHERE purged_at IS NULL");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            paths.Add(reader.GetString(0));
        }
        return paths;
    }

    /// <summary>Files removed by compaction before <paramref name="before"/> and still in storage.</summary>
    public async Task<List<(Guid FileId, string Path)>> ExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT f.file_id, f.path FROM lake_files f JOIN lake_snapshots s ON s.snapshot_id = f.removed_snapshot_id
            WHERE f.purged_at IS NULL AND s.committed_at < $1
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var expired = new List<(Guid, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            expired.Add((reader.GetGuid(0), reader.GetString(1)));
        }
        return expired;
    }

    public async Task MarkPurgedAsync(Guid fileId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE lake_files SET purged_at = clock_timestamp() WHERE file_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = fileId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task LockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = CommitLock });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> NewSnapshotAsync(NpgsqlConnection connection, string operation, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO lake_snapshots (snapshot_id, operation, committed_at)
            SELECT coalesce(max(snapshot_id), 0) + 1, $1, clock_timestamp() FROM lake_snapshots
            RETURNING snapshot_id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = operation });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task InsertFilesAsync(NpgsqlConnection connection, IReadOnlyList<LakeFile> files, long snapshot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO lake_files (file_id, path, table_name, partition_values, rows, bytes, min_event_time, max_event_time,
                                    topic, kafka_partition, offset_first, offset_last, snapshot_id, committed_at)
            SELECT f.*, $13, s.committed_at
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::bigint[], $6::bigint[], $7::timestamptz[],
                        $8::timestamptz[], $9::text[], $10::int[], $11::bigint[], $12::bigint[]) AS f
            CROSS JOIN lake_snapshots s WHERE s.snapshot_id = $13
            """, connection);
        void Add<T>(T[] values) => command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = values });
        Add(files.Select(f => f.FileId).ToArray());
        Add(files.Select(f => f.Path).ToArray());
        Add(files.Select(f => f.Table).ToArray());
        Add(files.Select(f => JsonSerializer.Serialize(f.PartitionValues.ToDictionary(v => v.Name, v => v.Value))).ToArray());
        Add(files.Select(f => f.Rows).ToArray());
        Add(files.Select(f => f.Bytes).ToArray());
        Add(files.Select(f => f.MinEventTime).ToArray());
        Add(files.Select(f => f.MaxEventTime).ToArray());
        Add(files.Select(f => f.Range?.Topic).ToArray());
        Add(files.Select(f => f.Range?.Partition).ToArray());
        Add(files.Select(f => f.Range?.First).ToArray());
        Add(files.Select(f => f.Range?.Last).ToArray());
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = snapshot });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

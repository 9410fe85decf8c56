using Npgsql;

namespace Shopstream.Projection.Sources;

/// <summary>
/// <c>source_runs</c> and <c>source_watermarks</c>: where a run is recorded as it goes and where the next run of a
/// source starts. Every progress report writes the run's counts and, in the same transaction, the watermark, so a run
/// that dies keeps what Kafka acknowledged.
/// </summary>
public sealed class SourceRunStore(NpgsqlDataSource dataSource)
{
    /// <summary>A running run without a heartbeat for this long is taken for dead (runs beat every few seconds).</summary>
    public static readonly TimeSpan DefaultAbandonedAfter = TimeSpan.FromSeconds(30);

    /// <summary>The error of a run whose silo stopped under it: the run is to be resumed from its watermark.</summary>
    public const string SiloStoppedError = "the silo stopped during the run; the next run resumes from the watermark";

    /// <summary>How the error of a run closed for want of a heartbeat (its silo died) begins.</summary>
    public const string AbandonedError = "abandoned: no heartbeat since ";

    /// <summary>The source's watermark, or null before its first acknowledged page.</summary>
    public async Task<DateTimeOffset?> WatermarkAsync(string source, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT watermark FROM source_watermarks WHERE source = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    /// <summary>Sets (or, with null, forgets) the source's watermark: <c>--since</c> and <c>--full</c>.</summary>
    public async Task SetWatermarkAsync(string source, DateTimeOffset? watermark, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(watermark is null
            ? "DELETE FROM source_watermarks WHERE source = $1"
            : "INSERT INTO source_watermarks (source, watermark) VALUES ($1, $2) ON CONFLICT (source) DO UPDATE SET watermark = excluded.watermark, updated_at = now()");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        if (watermark is { } w)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = w.UtcDateTime });
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records a run as started from <paramref name="watermarkBefore"/> and returns its id, or null when another run of
    /// the source is still alive (at most one runs at a time in the whole cluster). A <c>running</c> row whose heartbeat
    /// is older than <paramref name="abandonedAfter"/> belongs to a run whose process died: it is closed as failed first,
    /// and this run takes over from the watermark it reached.
    /// </summary>
    public async Task<Guid?> TryStartAsync(
        string source, string trigger, DateTimeOffset? watermarkBefore, TimeSpan abandonedAfter, CancellationToken cancellationToken = default)
    {
        var runId = Guid.CreateVersion7();
        await using var batch = dataSource.CreateBatch();
        var close = new NpgsqlBatchCommand("""
            UPDATE source_runs SET status = 'failed', finished_at = now(),
                error = $3 || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            WHERE source = $1 AND status = 'running' AND heartbeat_at < now() - $2
            """);
        close.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        close.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = abandonedAfter });
        close.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AbandonedError });
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO source_runs (run_id, source, trigger, status, watermark_before, watermark_after)
            VALUES ($1, $2, $3, 'running', $4, $4)
            ON CONFLICT (source) WHERE status = 'running' DO NOTHING
            """);
        insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = runId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = trigger });
        insert.Parameters.Add(new NpgsqlParameter<DateTime?> { TypedValue = watermarkBefore?.UtcDateTime });
        batch.BatchCommands.Add(close);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return insert.RecordsAffected == 1 ? runId : null;
    }

    /// <summary>Tells the cluster the run is alive.</summary>
    public async Task HeartbeatAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE source_runs SET heartbeat_at = now() WHERE run_id = $1 AND status = 'running'");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = runId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Writes a run's counts and the watermark it reached (which only ever moves forward).</summary>
    public async Task ProgressAsync(Guid runId, string source, SourceRunCounts counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        await using var batch = dataSource.CreateBatch();
        var run = new NpgsqlBatchCommand("""
            UPDATE source_runs SET pages = $2, records_read = $3, records_produced = $4, records_rejected = $5,
                watermark_after = coalesce($6, watermark_after), heartbeat_at = now()
            WHERE run_id = $1
            """);
        run.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = runId });
        run.Parameters.Add(new NpgsqlParameter<int> { TypedValue = counts.Pages });
        run.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Read });
        run.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Produced });
        run.Parameters.Add(new NpgsqlParameter<long> { TypedValue = counts.Rejected });
        run.Parameters.Add(new NpgsqlParameter<DateTime?> { TypedValue = counts.Watermark?.UtcDateTime });
        batch.BatchCommands.Add(run);
        if (counts.Watermark is { } watermark)
        {
            var mark = new NpgsqlBatchCommand("""
                INSERT INTO source_watermarks AS t (source, watermark) VALUES ($1, $2)
                ON CONFLICT (source) DO UPDATE SET watermark = excluded.watermark, updated_at = now()
                WHERE t.watermark < excluded.watermark
                """);
            mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
            mark.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = watermark.UtcDateTime });
            batch.BatchCommands.Add(mark);
        }
        // One implicit transaction: the run's row and the watermark move together.
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends a run: succeeded, or failed with <paramref name="error"/>.</summary>
    public async Task FinishAsync(Guid runId, string? error, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE source_runs SET finished_at = now(), status = CASE WHEN $2::text IS NULL THEN 'succeeded' ELSE 'failed' END, error = $2
            WHERE run_id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = error is null ? null : StorableText.Of(error, StorableText.MaxShortChars) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The run of the source that is running now, if any.</summary>
    public async Task<SourceRunRow?> RunningAsync(string source, CancellationToken cancellationToken = default) =>
        (await RunsAsync(source, 1, cancellationToken)) is [{ Status: "running" } run] ? run : null;

    /// <summary>
    /// Whether the source's latest run ended because its silo stopped or died (closed as abandoned): not a failure of
    /// the source, but work to resume.
    /// </summary>
    public async Task<bool> InterruptedAsync(string source, CancellationToken cancellationToken = default) =>
        (await RunsAsync(source, 1, cancellationToken)) is [{ Status: "failed", Error: { } error }]
        && (error == SiloStoppedError || error.StartsWith(AbandonedError, StringComparison.Ordinal));

    /// <summary>The latest runs of a source, newest first.</summary>
    public async Task<IReadOnlyList<SourceRunRow>> RunsAsync(string source, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT run_id, source, trigger, started_at, finished_at, status, pages, records_read, records_produced,
                   records_rejected, watermark_before, watermark_after, error
            FROM source_runs WHERE source = $1 ORDER BY started_at DESC, run_id DESC LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var runs = new List<SourceRunRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new SourceRunRow(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), At(reader, 3)!.Value, At(reader, 4), reader.GetString(5),
                new SourceRunCounts(reader.GetInt32(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), At(reader, 11)),
                At(reader, 10), reader.IsDBNull(12) ? null : reader.GetString(12)));
        }
        return runs;
    }

    private static DateTimeOffset? At(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}

/// <summary>A run's counts and the watermark it reached.</summary>
public sealed record SourceRunCounts(int Pages, long Read, long Produced, long Rejected, DateTimeOffset? Watermark);

/// <summary>One row of <c>source_runs</c>.</summary>
public sealed record SourceRunRow(
    Guid RunId, string Source, string Trigger, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Status,
    SourceRunCounts Counts, DateTimeOffset? WatermarkBefore, string? Error);

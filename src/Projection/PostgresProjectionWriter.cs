using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Shopstream.Grains;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Projection;
using Shopstream.Projection.Clickstream;

namespace Shopstream.Projection;

/// <summary>
/// Writes rows from all grains in batches: one round trip per batch, whatever the number of grains.
/// While PostgreSQL is unreachable it retries (grains wait, so the pull slows down instead of losing data).
/// A row PostgreSQL refuses as data (a value out of range, say) becomes a rejected record.
/// </summary>
public sealed partial class PostgresProjectionWriter : IProjectionWriter, IProjectionHealth, IAsyncDisposable
{
    private static readonly Meter Meter = new(PipelineMetrics.MeterName);
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("shopstream.projection.batch.size", "{row}", "Rows per projection batch");
    private static readonly Counter<long> RetriesCounter = Meter.CreateCounter<long>("shopstream.projection.retries", "{batch}", "Projection batch writes retried because PostgreSQL or the connection failed");
    private static readonly Counter<long> UnstorableCounter = Meter.CreateCounter<long>("shopstream.rejections.unstorable", "{record}", "Rejected records PostgreSQL refused even after escaping; logged with their offset and skipped");
    private static readonly Histogram<double> BatchLatency = Meter.CreateHistogram<double>("shopstream.projection.batch.duration", "ms", "Time to write one projection batch");

    private readonly NpgsqlDataSource dataSource;
    private readonly ProjectionWriterOptions options;
    private readonly ILogger<PostgresProjectionWriter> logger;
    private readonly Channel<Pending> channel;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task[] workers;
    private readonly KnownDimensions knownDimensions = new();
    private long rowsWritten;
    private long batchesWritten;
    private long batchTicks;
    private long failingSinceTicks;
    private long retries;
    private long unstorable;

    public PostgresProjectionWriter(NpgsqlDataSource dataSource, IOptions<ProjectionWriterOptions> options, ILogger<PostgresProjectionWriter> logger)
    {
        this.dataSource = dataSource;
        this.options = options.Value;
        this.options.Validate();
        this.logger = logger;
        channel = Channel.CreateBounded<Pending>(new BoundedChannelOptions(this.options.MaxBatchSize * this.options.Writers * 4)
        {
            SingleReader = false,
            SingleWriter = false,
        });
        workers = [.. Enumerable.Range(0, this.options.Writers).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Rows handed to PostgreSQL so far (including no-op upserts).</summary>
    public long RowsWritten => Interlocked.Read(ref rowsWritten);

    /// <summary>Batches written so far.</summary>
    public long BatchesWritten => Interlocked.Read(ref batchesWritten);

    /// <summary>Time spent writing batches so far (summed over writers).</summary>
    public TimeSpan BatchTime => TimeSpan.FromTicks(Interlocked.Read(ref batchTicks));

    /// <summary>Batch writes retried so far because PostgreSQL or the connection failed.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Rejected records that could not be stored even after escaping (logged with their offsets and skipped).</summary>
    public long UnstorableRejections => Interlocked.Read(ref unstorable);

    /// <summary>Since when writes have been failing and retried without one succeeding; null while they succeed.</summary>
    public DateTimeOffset? FailingSince =>
        Interlocked.Read(ref failingSinceTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public Task WriteAsync(ProductRow row) => Enqueue(row);

    public Task WriteAsync(CartRow row) => Enqueue(row);

    public Task WriteAsync(UserRow row) => Enqueue(row);

    public Task WriteAsync(RecallRow row) => Enqueue(row);

    public async Task WriteAsync(IReadOnlyList<RejectedRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await Task.WhenAll(rows.Select(r => Enqueue(r)));
    }

    public async Task<SessionEventsResult> WriteAsync(SessionEventsRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!row.Facts.All(f => ProductFactTypes.IsProductFact(f.EventType)))
        {
            row = row with { Facts = [.. row.Facts.Where(f => ProductFactTypes.IsProductFact(f.EventType))] };
        }
        return (SessionEventsResult)(await Enqueue(row))!;
    }

    private Task<object?> Enqueue(object row)
    {
        var pending = new Pending(row);
        // The channel has room almost always: then a row costs one object and no state machine (hot path).
        return channel.Writer.TryWrite(pending) ? pending.Task : EnqueueWhenRoomAsync(pending);
    }

    private async Task<object?> EnqueueWhenRoomAsync(Pending pending)
    {
        await channel.Writer.WriteAsync(pending, stopping.Token);
        return await pending.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(options.MaxBatchSize);
        try
        {
            while (await channel.Reader.WaitToReadAsync(stopping.Token))
            {
                batch.Clear();
                while (batch.Count < options.MaxBatchSize && channel.Reader.TryRead(out var p))
                {
                    batch.Add(p);
                }
                if (batch.Count == 0)
                {
                    continue;
                }
                await WriteResilientAsync(batch);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: what is not written is not acknowledged, so its offsets stay uncommitted.
        }
        foreach (var p in batch)
        {
            p.TrySetCanceled();
        }
    }

    /// <summary>
    /// Writes a batch and completes every row of it. Errors about the connection or the server are retried with backoff
    /// (grains wait, so the pull slows down). Any other refusal is deterministic: a retry cannot change the answer, so the
    /// batch is halved until the refused rows are alone, and each of those becomes a rejected record.
    /// </summary>
    private async Task WriteResilientAsync(IReadOnlyList<Pending> batch)
    {
        var refusal = await TryWriteWithRetryAsync(batch);
        if (refusal is null)
        {
            return;
        }
        if (batch.Count > 1)
        {
            LogBatchRefused(batch.Count, Describe(refusal));
            var half = batch.Count / 2;
            await WriteResilientAsync([.. batch.Take(half)]);
            await WriteResilientAsync([.. batch.Skip(half)]);
            return;
        }
        await RefuseAsync(batch[0], refusal);
    }

    /// <summary>Null once the batch is written and its rows completed; else the deterministic error that refused it.</summary>
    private async Task<Exception?> TryWriteWithRetryAsync(IReadOnlyList<Pending> batch)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var results = await WriteBatchAsync([.. batch.Select(p => p.Row)], stopping.Token);
                BatchSize.Record(batch.Count);
                var took = Stopwatch.GetElapsedTime(started);
                BatchLatency.Record(took.TotalMilliseconds);
                Interlocked.Add(ref batchTicks, took.Ticks);
                Interlocked.Add(ref rowsWritten, batch.Count);
                Interlocked.Increment(ref batchesWritten);
                Interlocked.Exchange(ref failingSinceTicks, 0);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult(results[i]);
                }
                return null;
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && PostgresErrors.IsRetryable(ex))
            {
                Interlocked.CompareExchange(ref failingSinceTicks, DateTimeOffset.UtcNow.UtcTicks, 0);
                RetriesCounter.Add(1);
                Interlocked.Increment(ref retries);
                LogRetrying(batch.Count, delay.TotalMilliseconds, Describe(ex));
                await Task.Delay(delay, stopping.Token);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, options.MaxRetryDelay.TotalMilliseconds));
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested && ex is not OperationCanceledException)
            {
                return ex;
            }
        }
    }

    /// <summary>One row PostgreSQL refuses on its own: kept in <c>rejected_records</c>, or split further for a session.</summary>
    private async Task RefuseAsync(Pending pending, Exception refusal)
    {
        switch (pending.Row)
        {
            case RejectedRow rejected:
                // Already made storable: a rejection that is still refused must not hold its partition back.
                UnstorableCounter.Add(1);
                Interlocked.Increment(ref unstorable);
                LogRejectionNotStored(rejected.Topic, rejected.Partition, rejected.Offset, rejected.Stage, Describe(refusal));
                pending.TrySetResult(null);
                return;
            case SessionEventsRow { Facts.Count: > 1 } session:
                // One bad event must not take the session's good ones with it: write each fact on its own.
                pending.TrySetResult(await WriteFactByFactAsync(session));
                return;
        }
        var key = KeyOf(pending.Row);
        var payload = JsonSerializer.Serialize(pending.Row, pending.Row.GetType());
        var rejection = new Pending(new RejectedRow("projection", null, null, null, key, payload,
            $"PostgreSQL refused the row: {Describe(refusal)}", ContentHash.OfParts("projection", key, payload)));
        await WriteResilientAsync([rejection]);
        await rejection.Task;
        pending.TrySetResult(pending.Row is SessionEventsRow ? new SessionEventsResult([], null) : null);
    }

    private async Task<SessionEventsResult> WriteFactByFactAsync(SessionEventsRow session)
    {
        var inserted = new List<FactEventRow>();
        SessionAggregateRow? aggregate = null;
        foreach (var fact in session.Facts)
        {
            var single = new Pending(ClickstreamCommands.Only(session, fact));
            await WriteResilientAsync([single]);
            var result = (SessionEventsResult)(await single.Task)!;
            inserted.AddRange(result.Inserted);
            aggregate = result.Session ?? aggregate;
        }
        return new SessionEventsResult(inserted, aggregate);
    }

    /// <summary>Writes the rows in one transaction; returns each row's result (a <see cref="SessionEventsResult"/> or null).</summary>
    private async Task<object?[]> WriteBatchAsync(IReadOnlyList<object> rows, CancellationToken cancellationToken)
    {
        var results = new object?[rows.Count];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, tx);
        var sessions = rows.OfType<SessionEventsRow>().ToList();
        if (sessions.Count > 0)
        {
            ClickstreamCommands.LockSessions(batch, sessions);
        }
        AddProducts(batch, Latest(rows.OfType<ProductRow>(), r => (r.Source, r.Id), r => r.Version));
        AddCarts(batch, Latest(rows.OfType<CartRow>(), r => (r.Source, r.CartId), r => r.Version));
        Add(batch, ProjectionSql.Users, ProjectionColumns.Users, Latest(rows.OfType<UserRow>(), r => (r.Source, r.Id), r => r.Version));
        AddRecalls(batch, [.. rows.OfType<RecallRow>().GroupBy(r => r.Recall.NumeroFiche, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => (r.Recall.NumeroVersion, r.Version))!)]);
        Add(batch, ProjectionSql.Rejected, ProjectionColumns.Rejected, [.. rows.OfType<RejectedRow>()]);
        Action? committed = null;
        if (sessions.Count > 0)
        {
            // Last in the batch: their statements return what the grains need to know.
            (var keys, committed) = ClickstreamCommands.Add(batch, sessions, knownDimensions);
            HashSet<string> inserted;
            Dictionary<string, SessionAggregateRow> aggregates;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                (inserted, aggregates) = await ClickstreamCommands.ReadAsync(reader, cancellationToken);
            }
            var newFacts = new List<FactEventRow>(inserted.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i] is SessionEventsRow row)
                {
                    var result = ClickstreamCommands.ResultOf(row, keys, inserted, aggregates);
                    newFacts.AddRange(result.Inserted);
                    results[i] = result;
                }
            }
            await ProductViewsStatement.ExecuteAsync(connection, tx, newFacts, cancellationToken);
        }
        else if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        committed?.Invoke();
        return results;
    }

    /// <summary>One row per key (the newest), since an upsert cannot touch the same row twice.</summary>
    private static List<T> Latest<T, TKey>(IEnumerable<T> rows, Func<T, TKey> key, Func<T, long> version) where TKey : notnull =>
        [.. rows.GroupBy(key).Select(g => g.MaxBy(version)!)];

    private static void AddProducts(NpgsqlBatch batch, List<ProductRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        Add(batch, ProjectionSql.Products, ProjectionColumns.Products, rows);
        Add(batch, ProjectionSql.ProductNamesFromCatalogue, ProjectionColumns.ProductKeys, rows);
    }

    private static void AddCarts(NpgsqlBatch batch, List<CartRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        // One statement takes both: the lines' parameters follow the carts' (see ProjectionSql.Carts).
        var c = ProjectionColumns.Carts.Command(ProjectionSql.Carts, rows);
        ProjectionColumns.CartLines.AddParameters(c, [.. rows.SelectMany(r => r.Lines.Select(l => new ProjectionColumns.CartLine(r.Source, r.CartId, l)))]);
        batch.BatchCommands.Add(c);
    }

    /// <summary>Notices and their products in one statement, like carts; per notice the highest <c>numero_version</c> of the batch.</summary>
    private static void AddRecalls(NpgsqlBatch batch, List<RecallRow> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var c = ProjectionColumns.Recalls.Command(ProjectionSql.Recalls, rows);
        ProjectionColumns.RecallProducts.AddParameters(c, [.. rows.SelectMany(r => r.Recall.Products.Select((p, i) =>
            new ProjectionColumns.RecallProductLine(r.Recall.NumeroFiche, i + 1, p)))]);
        batch.BatchCommands.Add(c);
    }

    /// <summary>Adds one statement over the rows, unless there are none.</summary>
    private static void Add<T>(NpgsqlBatch batch, string sql, RowColumns<T> columns, IReadOnlyCollection<T> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        batch.BatchCommands.Add(columns.Command(sql, rows));
    }

    private static string? KeyOf(object row) => row switch
    {
        ProductRow p => KeyOf(p.Source, p.Id),
        CartRow c => KeyOf(c.Source, c.CartId),
        UserRow u => KeyOf(u.Source, u.Id),
        RecallRow r => EntityKey.TryCreate(RecallSourceName, r.Recall.NumeroFiche, out var key) ? key.ToString() : null,
        RejectedRow r => r.Key,
        SessionEventsRow s => s.SessionKey,
        _ => null,
    };

    // The source is the record's own field, unchecked against the message key: one that cannot form a key gives none.
    private static string? KeyOf(string source, long id) => EntityKey.TryCreate(source, id, out var key) ? key.ToString() : null;

    // The projection never imports Ingest, where the source names live; the key of a refused notice is spelled here.
    private const string RecallSourceName = "rappelconso";

    private static string Describe(Exception ex) =>
        ex is PostgresException pg ? $"{pg.SqlState} {pg.MessageText}" : $"{ex.GetType().Name}: {ex.Message}";

    public async ValueTask DisposeAsync()
    {
        // Drain what grains already handed over, then give up on what PostgreSQL cannot take in time.
        channel.Writer.TryComplete();
        var drained = Task.WhenAll(workers);
        if (await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(15))) != drained)
        {
            await stopping.CancelAsync();
        }
        try
        {
            await drained;
        }
        catch (OperationCanceledException)
        {
        }
        stopping.Dispose();
    }

    /// <summary>A row waiting for its batch; completes (asynchronously, off the writer's loop) when the batch is durable.</summary>
    private sealed class Pending(object row) : TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public object Row { get; } = row;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection batch of {Count} rows not written, retrying in {DelayMs} ms: {Error}")]
    private partial void LogRetrying(int count, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a batch of {Count} rows ({Error}); splitting it to isolate the refused rows")]
    private partial void LogBatchRefused(int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A rejected record of {Topic}/{Partition}@{Offset} (stage {Stage}) could not be stored and is skipped: {Error}")]
    private partial void LogRejectionNotStored(string? topic, int? partition, long? offset, string stage, string error);
}

using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Shopstream.Projection;

namespace Shopstream.Projection.Storage;

/// <summary>
/// Orleans' ADO.NET grain storage with its reads coalesced: the state reads of activations that start together are
/// answered by one query per batch instead of one round trip each. Writes and clears go to the ADO.NET provider
/// unchanged, so the rows, their versions (ETags) and the payload format are the provider's own.
/// </summary>
/// <remarks>
/// A burst of new entities means one state read per activation, a round trip each unless coalesced (figures in the
/// README's bench notes). The key columns are derived exactly as <c>AdoNetGrainStorage</c> derives them (GUID,
/// integer, else string key; the state name as the type string), and <c>sql/0007</c> indexes them.
/// </remarks>
public sealed partial class BatchedReadGrainStorage : IGrainStorage, IAsyncDisposable
{
    private const int MaxBatch = 1_000;
    private const int Readers = 3;

    private const string ReadSql = """
        SELECT k.ord, s.PayloadBinary, s.Version
        FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS k(grain_type, ext, n0, n1, ord)
        JOIN OrleansStorage s
          ON s.ServiceId = $1
         AND s.GrainTypeString = k.grain_type
         AND coalesce(s.GrainIdExtensionString, '') = coalesce(k.ext, '')
         AND s.GrainIdExtensionString IS NOT DISTINCT FROM k.ext
         AND s.GrainIdN0 = k.n0
         AND s.GrainIdN1 = k.n1
        """;

    private readonly IGrainStorage inner;
    private readonly NpgsqlDataSource db;
    private readonly IGrainStorageSerializer serializer;
    private readonly IActivatorProvider activators;
    private readonly string serviceId;
    private readonly ILogger logger;
    private readonly Channel<PendingRead> reads = Channel.CreateUnbounded<PendingRead>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] loops;
    private long queries;
    private long rowsAsked;

    /// <param name="inner">The ADO.NET provider that writes and clears.</param>
    /// <param name="db">
    /// The projection's data source (same database as the ADO.NET provider), not owned: at most <see cref="Readers"/>
    /// of its connections are in use for reads at a time, one per read loop.
    /// </param>
    /// <param name="serializer">The serializer the ADO.NET provider is configured with.</param>
    /// <param name="activators">Creates the state of a grain that has none stored, as the ADO.NET provider does.</param>
    /// <param name="serviceId">The cluster's service id, as the ADO.NET provider stores it.</param>
    /// <param name="logger">Logger.</param>
    public BatchedReadGrainStorage(
        IGrainStorage inner, NpgsqlDataSource db, IGrainStorageSerializer serializer, IActivatorProvider activators,
        string serviceId, ILogger<BatchedReadGrainStorage> logger)
    {
        this.inner = inner;
        this.db = db;
        this.serializer = serializer;
        this.activators = activators;
        this.serviceId = serviceId;
        this.logger = logger;
        loops = [.. Enumerable.Range(0, Readers).Select(_ => Task.Run(ReadLoopAsync))];
    }

    /// <summary>Queries run so far.</summary>
    public long Queries => Interlocked.Read(ref queries);

    /// <summary>States asked for so far, over all queries.</summary>
    public long StatesRead => Interlocked.Read(ref rowsAsked);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var pending = new PendingRead(StorageKey.Of(stateName, grainId));
        ObjectDisposedException.ThrowIf(!reads.Writer.TryWrite(pending), this);
        var (payload, version, unreadable) = await pending.Completion.Task;
        var state = default(T);
        if (unreadable is null && payload is not null)
        {
            try
            {
                state = serializer.Deserialize<T>(new BinaryData(payload));
            }
            catch (Exception ex)
            {
                unreadable = ex;
            }
        }
        if (unreadable is not null)
        {
            // Failing the activation would fail it on every delivery and hold the grain's partition back. The state
            // only speeds up dropping replays (versioned upserts keep the tables right), so the grain starts afresh.
            LogStateUnreadable(grainId.ToString(), stateName, unreadable);
            payload = null;
        }
        grainState.State = state ?? activators.GetActivator<T>().Create();
        grainState.ETag = unreadable is null ? version?.ToString(CultureInfo.InvariantCulture) : null;
        grainState.RecordExists = payload is not null;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public async ValueTask DisposeAsync()
    {
        reads.Writer.TryComplete();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var batch = new List<PendingRead>(MaxBatch);
        while (await reads.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reads.Reader.TryRead(out var r))
            {
                batch.Add(r);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            await ReadIsolatingAsync([.. batch]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a batch. When the server or the connection fails, each activation fails with the cause and is retried by
    /// Orleans. When the query itself is refused (a key PostgreSQL cannot take), the batch is halved until the key is
    /// alone, so that one bad key does not fail the activations that happened to be read with it.
    /// </summary>
    private async Task ReadIsolatingAsync(List<PendingRead> batch)
    {
        try
        {
            await ReadBatchAsync(batch).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresErrors.IsRetryable(ex))
        {
            LogBatchFailed(batch.Count, ex);
            foreach (var r in batch)
            {
                r.Completion.TrySetException(ex);
            }
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            LogBatchRefused(batch.Count, ex.Message);
            await ReadIsolatingAsync(batch[..(batch.Count / 2)]).ConfigureAwait(false);
            await ReadIsolatingAsync(batch[(batch.Count / 2)..]).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            batch[0].Completion.TrySetResult((null, null, ex));
        }
    }

    private async Task ReadBatchAsync(List<PendingRead> batch)
    {
        var found = new (byte[]? Payload, int? Version)[batch.Count];
        await using (var command = db.CreateCommand(ReadSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            command.Parameters.AddArray(batch.Select(r => r.Key.GrainType));
            command.Parameters.AddArray(batch.Select(r => r.Key.Extension));
            command.Parameters.AddArray(batch.Select(r => r.Key.N0));
            command.Parameters.AddArray(batch.Select(r => r.Key.N1));
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var index = (int)reader.GetInt64(0) - 1;
                found[index] = (reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2));
            }
        }
        Interlocked.Increment(ref queries);
        Interlocked.Add(ref rowsAsked, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult((found[i].Payload, found[i].Version, null));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading {Count} grain states failed; their activations fail and are retried")]
    private partial void LogBatchFailed(int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL refused a read of {Count} grain states ({Error}); splitting it to isolate the key")]
    private partial void LogBatchRefused(int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "State {StateName} of {Grain} cannot be read; the grain starts from an empty state")]
    private partial void LogStateUnreadable(string grain, string stateName, Exception exception);

    private sealed class PendingRead(StorageKey key)
    {
        public StorageKey Key { get; } = key;

        /// <summary>The stored payload and version, or the deterministic error that keeps this key's state from being read.</summary>
        public TaskCompletionSource<(byte[]? Payload, int? Version, Exception? Unreadable)> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The key columns of a row of <c>OrleansStorage</c> as Orleans' ADO.NET provider (10.x) fills them: a GUID key is
/// split into two longs, an integer key goes to N1, anything else is a string key with N0 = N1 = 0; the key
/// extension (or the string key) goes to the extension column; the state name is the type string.
/// </summary>
public readonly record struct StorageKey(string GrainType, string? Extension, long N0, long N1)
{
    public static StorageKey Of(string stateName, GrainId grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            // The provider rewrites generic type names; Shopstream's state names are plain words.
            throw new NotSupportedException($"state name '{stateName}' names a generic type; batched reads support plain state names only");
        }
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            var bytes = guid.ToByteArray();
            return new StorageKey(stateName, guidExtension, BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
        }
        if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
        {
            return new StorageKey(stateName, integerExtension, 0, integer);
        }
        return new StorageKey(stateName, grainId.Key.ToString(), 0, 0);
    }
}

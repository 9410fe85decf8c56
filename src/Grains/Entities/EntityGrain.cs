using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>
/// One entity fed by its partition's pump: drops replays, late and identical records, derives fields and hands
/// the row to the projection writer.
/// </summary>
/// <remarks>
/// Consistency without a state write per record: a message is acknowledged (and its offset may be
/// committed) only after its projected row is durable. Grain state is saved lazily, when a batch finds it due and at
/// deactivation, and serves only to drop duplicates early. After a crash the saved state may be behind
/// the tables; the records replayed from the last committed offset then reach the projection, whose
/// versioned, content-compared upserts turn them into no-ops.
/// Placed on the silo that calls it first: the one reading the entity's partition, so delivery stays in process.
/// </remarks>
[PreferLocalPlacement]
public abstract partial class EntityGrain<TRecord> : Grain, IEntityGrain<TRecord>
    where TRecord : class
{
    // Saved state only speeds up duplicate dropping, so it is written rarely and never all at once: a burst of
    // new entities must not turn into a burst of state writes that queues deliveries behind it.
    private readonly LazySave save = new(TimeSpan.FromMinutes(5), spreadFirst: true);
    private readonly IPersistentState<EntityState<TRecord>> state;
    private readonly ILogger logger;
    private Task pendingWrite = Task.CompletedTask;

    protected EntityGrain(IPersistentState<EntityState<TRecord>> state, IProjectionWriter writer, ILogger logger)
    {
        this.state = state;
        Writer = writer;
        this.logger = logger;
    }

    protected IProjectionWriter Writer { get; }

    protected abstract string StreamNamespace { get; }

    /// <summary>Writes the projection of a record that changed the entity.</summary>
    protected abstract Task ProjectAsync(TRecord record, long version, string contentHash);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (ServiceProvider.GetService<ShedMode>() is { SkipStateSaves: true })
        {
            return;
        }
        await SaveStateAsync(cancellationToken);
    }

    public Task<EntitySnapshot<TRecord>?> GetAsync()
    {
        var s = state.State;
        var current = CurrentJson(s) is { } json ? JsonSerializer.Deserialize<TRecord>(json, WireFormat.Json) : null;
        return Task.FromResult(current is null ? null : new EntitySnapshot<TRecord>(current, s.Version, s.UpdatedAt, s.Applied, s.Ignored));
    }

    /// <summary>
    /// Applies a burst of the entity's records in order (the pump groups one key's messages per read), then writes the
    /// resulting row once.
    /// </summary>
    public async Task ApplyAsync(EntityBatch<TRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var s = state.State;
        var current = CurrentJson(s);
        TRecord? latest = null;
        foreach (var message in batch.Messages)
        {
            if (message.Version <= s.Version)
            {
                // A replay or a late record: the entity already reflects this or newer data.
                s.Ignored++;
                PipelineMetrics.Ignored(StreamNamespace);
                continue;
            }
            save.Changed();
            var json = JsonSerializer.SerializeToUtf8Bytes(message.Record, WireFormat.Json);
            if (current is not null && json.AsSpan().SequenceEqual(current))
            {
                // Same content again (a re-run ingest): nothing to write.
                s.Version = message.Version;
                s.Ignored++;
                PipelineMetrics.Ignored(StreamNamespace);
                continue;
            }
            current = json;
            latest = message.Record;
            s.Version = message.Version;
            s.UpdatedAt = DateTimeOffset.UtcNow;
            s.Applied++;
            PipelineMetrics.Applied(StreamNamespace);
        }
        if (latest is not null)
        {
            // The same recipe as ContentHash.OfRecord, from the bytes already made.
            s.CurrentJson = current;
            s.ContentHash = ContentHash.OfBytes(current);
            pendingWrite = ProjectAsync(latest, s.Version, s.ContentHash);
        }
        // Also when nothing changed: a duplicate must not be acknowledged before the write it duplicates.
        await pendingWrite;
        if (save.Due)
        {
            await SaveStateAsync(CancellationToken.None);
        }
    }

    /// <summary>The latest record's JSON; state saved before it was kept as JSON is converted on first use.</summary>
    private static byte[]? CurrentJson(EntityState<TRecord> s)
    {
        if (s.Current is { } old)
        {
            s.CurrentJson = JsonSerializer.SerializeToUtf8Bytes(old, WireFormat.Json);
            s.Current = null;
        }
        return s.CurrentJson;
    }

    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        if (save.Pending)
        {
            // The saved state must not claim a version whose row is not written yet.
            await pendingWrite;
        }
        await save.SaveAsync(() => state.WriteStateAsync(cancellationToken), ex => LogStateSaveFailed(this.GetPrimaryKeyString(), ex));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving state of {Key} failed; will retry")]
    private partial void LogStateSaveFailed(string key, Exception exception);
}

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
/// The entity's durable state is its projected row: a message is acknowledged (and its offset may be committed) only
/// after that row is durable, and the projection's versioned, content-compared upserts turn a replayed, late or
/// identical record into a no-op whatever the grain remembers. So activation reads nothing: a burst of new entities
/// costs no storage round trip, and the grain drops duplicates from what it has seen since. Its saved state (the latest
/// record, version and counters) serves the live entity API across restarts; it is read only when that API asks or
/// before a save finds a state saved earlier (saves are lazy while it changes, and at deactivation; a first save is
/// written without a read), and the newer version of the saved and the in-memory state wins.
/// Placed on the silo that calls it first: the one reading the entity's partition, so delivery stays in process.
/// </remarks>
[PreferLocalPlacement]
public abstract partial class EntityGrain<TRecord> : Grain, IEntityGrain<TRecord>
    where TRecord : class
{
    // Saved state only serves the live API after a restart, so it is written rarely and never all at once: a burst of
    // new entities must not turn into a burst of state writes that queues deliveries behind it.
    private readonly LazySave save = new(TimeSpan.FromMinutes(5), spreadFirst: true);
    private readonly SavedState<EntityState<TRecord>> saved;
    private readonly ILogger logger;
    private EntityState<TRecord> state = new();
    private Task pendingWrite = Task.CompletedTask;

    /// <param name="stateName">Name of the grain's saved state (<c>product</c>, <c>cart</c>, ...): part of its storage key.</param>
    /// <param name="writer">The projection writer.</param>
    /// <param name="logger">Logger.</param>
    protected EntityGrain(string stateName, IProjectionWriter writer, ILogger logger)
    {
        saved = new(stateName, Merge);
        Writer = writer;
        this.logger = logger;
    }

    protected IProjectionWriter Writer { get; }

    protected abstract string StreamNamespace { get; }

    /// <summary>Writes the projection of a record that changed the entity.</summary>
    protected abstract Task ProjectAsync(TRecord record, long version, string contentHash);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!save.Pending || ServiceProvider.GetService<ShedMode>() is { SkipStateSaves: true })
        {
            return;
        }
        await SaveStateAsync();
    }

    public async Task<EntitySnapshot<TRecord>?> GetAsync()
    {
        state = await saved.ReadOnceAsync(GrainContext, state);
        var s = state;
        var current = s.CurrentJson is { } json ? JsonSerializer.Deserialize<TRecord>(json, WireFormat.Json) : null;
        return current is null ? null : new EntitySnapshot<TRecord>(current, s.Version, s.UpdatedAt, s.Applied, s.Ignored);
    }

    /// <summary>
    /// Applies a burst of the entity's records in order (the pump groups one key's messages per read), then writes the
    /// resulting row once.
    /// </summary>
    public async Task ApplyAsync(EntityBatch<TRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var s = state;
        var current = s.CurrentJson;
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
            await SaveStateAsync();
        }
    }

    /// <summary>
    /// The newer of the saved and the in-memory state; counters add up. A state saved before the record was kept as JSON
    /// is converted. A state that cannot be read counts as none (the storage logs it): it only serves the live API.
    /// </summary>
    private static EntityState<TRecord> Merge(EntityState<TRecord> old, EntityState<TRecord> mine)
    {
        if (old.Current is { } legacy)
        {
            old.CurrentJson = JsonSerializer.SerializeToUtf8Bytes(legacy, WireFormat.Json);
            old.Current = null;
        }
        var newer = old.Version > mine.Version ? old : mine;
        return new EntityState<TRecord>
        {
            CurrentJson = newer.CurrentJson,
            Version = newer.Version,
            ContentHash = newer.ContentHash,
            UpdatedAt = newer.UpdatedAt,
            Applied = old.Applied + mine.Applied,
            Ignored = old.Ignored + mine.Ignored,
        };
    }

    private async Task SaveStateAsync()
    {
        // The saved state must not claim a version whose row is not written yet.
        await pendingWrite;
        await save.SaveAsync(
            async () => state = await saved.WriteAsync(GrainContext, state),
            ex => LogStateSaveFailed(this.GetPrimaryKeyString(), ex));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving state of {Key} failed; will retry")]
    private partial void LogStateSaveFailed(string key, Exception exception);
}

using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>
/// One entity fed by its stream: drops replays, late and identical records, derives fields and hands
/// the row to the projection writer.
/// </summary>
/// <remarks>
/// Consistency without a state write per record: a message is acknowledged (and its offset may be
/// committed) only after its projected row is durable. Grain state is saved lazily, on a timer and at
/// deactivation, and serves only to drop duplicates early. After a crash the saved state may be behind
/// the tables; the records replayed from the last committed offset then reach the projection, whose
/// versioned, content-compared upserts turn them into no-ops.
/// </remarks>
public abstract partial class EntityGrain<TRecord> : Grain, IEntityGrain<TRecord>
    where TRecord : class
{
    private static readonly TimeSpan StateSaveInterval = TimeSpan.FromSeconds(15);
    private readonly IPersistentState<EntityState<TRecord>> state;
    private readonly ILogger logger;
    private Task pendingWrite = Task.CompletedTask;
    private bool dirty;

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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(StreamProviders.Kafka)
            .GetStream<EntityMessage<TRecord>>(StreamId.Create(StreamNamespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((message, _) => OnNextAsync(message));
        this.RegisterGrainTimer(SaveStateAsync, new GrainTimerCreationOptions(StateSaveInterval, StateSaveInterval) { Interleave = false });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await SaveStateAsync(cancellationToken);
    }

    public Task<EntitySnapshot<TRecord>?> GetAsync()
    {
        var s = state.State;
        return Task.FromResult(s.Current is null ? null : new EntitySnapshot<TRecord>(s.Current, s.Version, s.UpdatedAt, s.Applied, s.Ignored));
    }

    private async Task OnNextAsync(EntityMessage<TRecord> message)
    {
        var s = state.State;
        if (message.Version <= s.Version)
        {
            // A replay or a late record: the entity already reflects this or newer data.
            s.Ignored++;
            PipelineMetrics.Ignored(StreamNamespace);
            await pendingWrite;
            return;
        }
        var hash = Fingerprint.Of(message.Record);
        if (hash == s.ContentHash)
        {
            // Same content again (a re-run ingest): nothing to write.
            s.Version = message.Version;
            s.Ignored++;
            dirty = true;
            PipelineMetrics.Ignored(StreamNamespace);
            await pendingWrite;
            return;
        }
        s.Current = message.Record;
        s.Version = message.Version;
        s.ContentHash = hash;
        s.UpdatedAt = DateTimeOffset.UtcNow;
        s.Applied++;
        dirty = true;
        pendingWrite = ProjectAsync(message.Record, message.Version, hash);
        await pendingWrite;
        PipelineMetrics.Applied(StreamNamespace);
    }

    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        if (!dirty)
        {
            return;
        }
        await pendingWrite;
        try
        {
            await state.WriteStateAsync(cancellationToken);
            dirty = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Saved state only speeds up duplicate dropping; the projection stays correct without it.
            LogStateSaveFailed(this.GetPrimaryKeyString(), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving state of {Key} failed; will retry")]
    private partial void LogStateSaveFailed(string key, Exception exception);
}

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
    // Saved state only speeds up duplicate dropping, so it is written rarely and never all at once: a burst of
    // new entities must not turn into a burst of state writes that queues deliveries behind it. The save is
    // checked when a batch arrives rather than by a grain timer: 100k timers cost the runtime's timer queue
    // more than the saves themselves (bench profile: ~10% of worker CPU in TimerQueue with a timer per grain).
    private static readonly TimeSpan StateSaveInterval = TimeSpan.FromMinutes(5);
    private readonly IPersistentState<EntityState<TRecord>> state;
    private readonly ILogger logger;
    private Task pendingWrite = Task.CompletedTask;
    private bool dirty;
    private long nextSaveAt;

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
        await stream.SubscribeAsync(OnNextBatchAsync, OnErrorAsync);
        // The first save comes between one and two intervals after activation, so entities activated together
        // do not save together.
        nextSaveAt = Environment.TickCount64 + (long)StateSaveInterval.TotalMilliseconds
            + Random.Shared.NextInt64((long)StateSaveInterval.TotalMilliseconds);
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

    /// <summary>
    /// Applies a burst of the entity's records in order (the provider groups one stream's messages per read),
    /// then writes the resulting row once.
    /// </summary>
    private async Task OnNextBatchAsync(IList<SequentialItem<EntityMessage<TRecord>>> items)
    {
        var s = state.State;
        var changed = false;
        foreach (var item in items)
        {
            var message = item.Item;
            if (message.Version <= s.Version)
            {
                // A replay or a late record: the entity already reflects this or newer data.
                s.Ignored++;
                PipelineMetrics.Ignored(StreamNamespace);
                continue;
            }
            dirty = true;
            if (s.Current is not null && message.Record.Equals(s.Current))
            {
                // Same content again (a re-run ingest): nothing to write.
                s.Version = message.Version;
                s.Ignored++;
                PipelineMetrics.Ignored(StreamNamespace);
                continue;
            }
            s.Current = message.Record;
            s.Version = message.Version;
            s.UpdatedAt = DateTimeOffset.UtcNow;
            s.Applied++;
            changed = true;
            PipelineMetrics.Applied(StreamNamespace);
        }
        if (changed)
        {
            s.ContentHash = Fingerprint.Of(s.Current!);
            pendingWrite = ProjectAsync(s.Current!, s.Version, s.ContentHash);
        }
        // Also when nothing changed: a duplicate must not be acknowledged before the write it duplicates.
        await pendingWrite;
        if (dirty && Environment.TickCount64 >= nextSaveAt)
        {
            nextSaveAt = Environment.TickCount64 + (long)StateSaveInterval.TotalMilliseconds;
            await SaveStateAsync(CancellationToken.None);
        }
    }

    private Task OnErrorAsync(Exception exception)
    {
        LogStreamError(this.GetPrimaryKeyString(), exception);
        return Task.CompletedTask;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error on {Key}")]
    private partial void LogStreamError(string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving state of {Key} failed; will retry")]
    private partial void LogStateSaveFailed(string key, Exception exception);
}

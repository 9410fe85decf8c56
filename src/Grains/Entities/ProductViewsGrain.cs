using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains.Entities;

/// <summary>A product's live view counters, keyed like the product.</summary>
/// <remarks>
/// Saved lazily like the entity state (when due on a call, and at deactivation): they are live numbers for the API,
/// and a silo crash may lose the views counted since the last save. <c>fact_events</c> is the exact record.
/// </remarks>
public sealed partial class ProductViewsGrain(
    [PersistentState("productviews", StreamProviders.EntityStorage)] IPersistentState<ProductViewsState> views,
    ILogger<ProductViewsGrain> logger) : Grain, IProductViewsGrain
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromMinutes(5);
    private long nextSaveAt = Environment.TickCount64 + (long)SaveInterval.TotalMilliseconds;
    private bool dirty;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        SaveAsync(cancellationToken);

    public async Task RecordViewsAsync(int count, DateTimeOffset lastViewedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var s = views.State;
        s.Views += count;
        if (s.LastViewedAt is null || lastViewedAt > s.LastViewedAt)
        {
            s.LastViewedAt = lastViewedAt;
        }
        dirty = true;
        if (Environment.TickCount64 >= nextSaveAt)
        {
            nextSaveAt = Environment.TickCount64 + (long)SaveInterval.TotalMilliseconds;
            await SaveAsync(CancellationToken.None);
        }
    }

    public Task<ProductViews> GetViewsAsync() => Task.FromResult(new ProductViews(views.State.Views, views.State.LastViewedAt));

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (!dirty)
        {
            return;
        }
        try
        {
            await views.WriteStateAsync(cancellationToken);
            dirty = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSaveFailed(this.GetPrimaryKeyString(), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving view counters of {Key} failed; will retry")]
    private partial void LogSaveFailed(string key, Exception exception);
}

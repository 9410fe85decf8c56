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
    private readonly LazySave save = new(TimeSpan.FromMinutes(5), spreadFirst: true);

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
        save.Changed();
        if (save.Due)
        {
            await SaveAsync(CancellationToken.None);
        }
    }

    public Task<ProductViews> GetViewsAsync() => Task.FromResult(new ProductViews(views.State.Views, views.State.LastViewedAt));

    private Task SaveAsync(CancellationToken cancellationToken) =>
        save.SaveAsync(() => views.WriteStateAsync(cancellationToken), ex => LogSaveFailed(this.GetPrimaryKeyString(), ex));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving view counters of {Key} failed; will retry")]
    private partial void LogSaveFailed(string key, Exception exception);
}

using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>A product, keyed <c>source:id</c>, with live view counters that session grains feed.</summary>
/// <remarks>
/// The counters are saved lazily like the entity state (timer, deactivation): they are live numbers for the API,
/// and a silo crash may lose the views counted since the last save. <c>fact_events</c> is the exact record.
/// </remarks>
[ImplicitStreamSubscription(StreamNamespaces.Products)]
public sealed partial class ProductGrain(
    [PersistentState("product", StreamProviders.EntityStorage)] IPersistentState<EntityState<ProductRecord>> state,
    [PersistentState("productviews", StreamProviders.EntityStorage)] IPersistentState<ProductViewsState> views,
    IProjectionWriter writer,
    ILogger<ProductGrain> logger) : EntityGrain<ProductRecord>(state, writer, logger), IProductGrain
{
    private static readonly TimeSpan ViewsSaveInterval = TimeSpan.FromMinutes(5);
    private bool viewsDirty;

    protected override string StreamNamespace => StreamNamespaces.Products;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        // Like the entity grains: first saves spread over the interval, so that a burst of activations does not save at once.
        var firstSave = ViewsSaveInterval + TimeSpan.FromMilliseconds(Random.Shared.Next((int)ViewsSaveInterval.TotalMilliseconds));
        this.RegisterGrainTimer(SaveViewsAsync, new GrainTimerCreationOptions(firstSave, ViewsSaveInterval) { Interleave = false });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await base.OnDeactivateAsync(reason, cancellationToken);
        await SaveViewsAsync(cancellationToken);
    }

    public Task RecordViewsAsync(int count, DateTimeOffset lastViewedAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var s = views.State;
        s.Views += count;
        if (s.LastViewedAt is null || lastViewedAt > s.LastViewedAt)
        {
            s.LastViewedAt = lastViewedAt;
        }
        viewsDirty = true;
        return Task.CompletedTask;
    }

    public Task<ProductViews> GetViewsAsync() => Task.FromResult(new ProductViews(views.State.Views, views.State.LastViewedAt));

    protected override Task ProjectAsync(ProductRecord r, long version, string contentHash) =>
        Writer.WriteAsync(new ProductRow(
            r.Source, r.Id, r.Title, r.Description, r.Category, r.Price, r.ImageUrl, r.RatingValue, r.RatingCount,
            r.Stock, r.Brand, DerivedFields.PriceCategory(r.Price), version, contentHash));

    private async Task SaveViewsAsync(CancellationToken cancellationToken)
    {
        if (!viewsDirty)
        {
            return;
        }
        try
        {
            await views.WriteStateAsync(cancellationToken);
            viewsDirty = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogViewsSaveFailed(this.GetPrimaryKeyString(), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving view counters of {Key} failed; will retry")]
    private partial void LogViewsSaveFailed(string key, Exception exception);
}

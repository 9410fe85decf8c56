using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Sessions;

/// <summary>
/// One clickstream session, keyed by session key: drops duplicate events, writes each new event as a fact with its
/// dimension rows, keeps the session's aggregate and counts product views on the products' grains.
/// </summary>
/// <remarks>
/// Duplicates are dropped in two layers (README, "Clickstream"): the last <see cref="ClickstreamOptions.SessionEventIdCap"/>
/// fact ids here, without a round trip, and behind them the primary key of <c>fact_events</c>, which also catches what
/// the cap, a crash or a restart made the grain forget. The <c>sessions</c> row is recomputed from the facts in the
/// same transaction, so it is exact whatever the grain remembers. So the grain reads no state when it activates (a burst
/// of new sessions costs no storage round trip): its saved ids and aggregate are read when <see cref="GetAsync"/> asks or
/// when a save finds a state saved earlier (see <see cref="SavedState{T}"/>).
/// </remarks>
[PreferLocalPlacement]
public sealed partial class SessionGrain : Grain, ISessionGrain
{
    // Like the entity grains: saved when due on a batch (no timer per grain), first saves spread over the interval.
    private readonly LazySave save = new(TimeSpan.FromMinutes(5), spreadFirst: true);

    private readonly SavedState<SessionState> saved = new("session", Merge);
    private readonly IProjectionWriter writer;
    private readonly ILocationResolver locations;
    private readonly ClickstreamOptions options;
    private readonly ILogger<SessionGrain> logger;
    private SessionState state = new();
    private SeenEventIds seen = null!;

    public SessionGrain(
        IProjectionWriter writer,
        ILocationResolver locations,
        IOptions<ClickstreamOptions> options,
        ILogger<SessionGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.writer = writer;
        this.locations = locations;
        this.options = options.Value;
        this.logger = logger;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        seen = new SeenEventIds(options.SessionEventIdCap, []);
        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        !save.Pending || ServiceProvider.GetService<ShedMode>() is { SkipStateSaves: true } ? Task.CompletedTask : SaveStateAsync();

    public async Task<SessionSnapshot?> GetAsync()
    {
        state.SeenEventIds = seen.ToList();
        state = await saved.ReadOnceAsync(GrainContext, state);
        seen = new SeenEventIds(options.SessionEventIdCap, state.SeenEventIds);
        return state.Snapshot;
    }

    public async Task ApplyAsync(EntityBatch<ClickEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await ApplyEventsAsync(batch.Messages);
        if (save.Due)
        {
            await SaveStateAsync();
        }
    }

    private async Task ApplyEventsAsync(EntityMessage<ClickEvent>[] items)
    {
        var fresh = new List<ClickEvent>(items.Length);
        var freshIds = new List<string>(items.Length);
        foreach (var item in items)
        {
            var clickEvent = item.Record;
            var id = EventFact.IdOf(clickEvent);
            // A batch is mostly one or a few events: a linear look at the ids taken so far beats a set per call.
            if (seen.Contains(id) || freshIds.Contains(id, StringComparer.Ordinal))
            {
                PipelineMetrics.Ignored(StreamNamespaces.Events);
                continue;
            }
            fresh.Add(clickEvent);
            freshIds.Add(id);
        }

        var previous = state.Snapshot;
        var dropped = items.Length - fresh.Count;
        if (fresh.Count == 0)
        {
            if (previous is not null)
            {
                state.Snapshot = previous with { Ignored = previous.Ignored + dropped };
                save.Changed();
            }
            return;
        }

        var result = await writer.WriteAsync(RowsOf(fresh));

        // Remembered only once durable: an id remembered before a failed write would drop its redelivery.
        foreach (var id in freshIds)
        {
            seen.Add(id);
        }
        var replayed = fresh.Count - result.Inserted.Count;
        for (var i = 0; i < result.Inserted.Count; i++)
        {
            PipelineMetrics.Applied(StreamNamespaces.Events);
        }
        for (var i = 0; i < replayed; i++)
        {
            PipelineMetrics.Ignored(StreamNamespaces.Events);
        }
        if (result.Session is { } s)
        {
            state.Snapshot = new SessionSnapshot(
                s.FirstEventAt, s.LastEventAt, s.Events, s.ProductsViewed, s.ProductsCarted, s.ProductsPurchased, s.Converted,
                (previous?.Applied ?? 0) + result.Inserted.Count, (previous?.Ignored ?? 0) + dropped + replayed);
            save.Changed();
        }

        await CountProductViewsAsync(result.Inserted);
    }

    private SessionEventsRow RowsOf(List<ClickEvent> events)
    {
        var facts = new List<FactEventRow>(events.Count);
        var products = new List<ProductDimensionRow>(1);
        var places = new List<LocationRow>(1);
        var agents = new List<UserAgentRow>(1);
        var referrers = new List<ReferrerRow>(1);
        foreach (var e in events)
        {
            var location = locations.Resolve(e);
            if (!places.Exists(l => l.LocationKey == location.LocationKey))
            {
                places.Add(location);
            }
            var agent = DimensionRows.AgentOf(e.UserAgent, e.Browser, e.Os, e.DeviceType);
            if (!agents.Contains(agent))
            {
                agents.Add(agent);
            }
            var referrer = DimensionRows.ReferrerOf(e.ReferrerUrl, e.ReferrerDomain, e.ReferrerType);
            if (!referrers.Contains(referrer))
            {
                referrers.Add(referrer);
            }
            if (e.ProductId is { } productKey)
            {
                var catalogue = CatalogueProduct.Of(productKey, options.EventsCatalogue);
                var product = new ProductDimensionRow(productKey, ProductUrl.NameOf(e.CurrentUrl, productKey), e.CurrentUrl,
                    ProductUrl.LanguageOf(e.CurrentUrl), catalogue?.Source, catalogue?.Id);

                // A product page's URL says more than a cart or purchase event's: prefer a row that has a name.
                var known = products.FindIndex(p => p.ProductKey == productKey);
                if (known < 0)
                {
                    products.Add(product);
                }
                else if (products[known].UrlName is null && product.UrlName is not null)
                {
                    products[known] = product;
                }
            }
            facts.Add(new FactEventRow(
                e.EventId, e.EventType, e.OccurredAt, e.SessionKey, e.UserId, e.ProductId, location.LocationKey,
                agent.UserAgentKey, referrer.ReferrerKey, e.StoreId, e.CurrentUrl, e.UtmSource, e.UtmMedium, e.Resolution,
                e.Options, e.Extras));
        }
        return new SessionEventsRow(this.GetPrimaryKeyString(), facts, products, places, agents, referrers);
    }

    /// <summary>Counts the new product views on each product's grain (see <see cref="IProductViewsGrain"/> for the key).</summary>
    private Task CountProductViewsAsync(IReadOnlyList<FactEventRow> inserted)
    {
        var views = new List<(string, DateTimeOffset)>(inserted.Count);
        foreach (var f in inserted)
        {
            if (f.EventType == "product_view" && f.ProductKey is { } product)
            {
                views.Add((CatalogueProduct.Of(product, options.EventsCatalogue)?.Key ?? "events:" + product, f.OccurredAt));
            }
        }
        return views.Count == 0 ? Task.CompletedTask : ProductViewTally.Of(GrainFactory).CountAsync(views);
    }

    /// <summary>
    /// The saved ids then the grain's own (the newest kept up to the cap); the grain's aggregate when it wrote since it
    /// activated (read back from <c>sessions</c>, so exact), else the saved one; counters add up.
    /// </summary>
    private static SessionState Merge(SessionState old, SessionState mine) => new()
    {
        SeenEventIds = [.. old.SeenEventIds, .. mine.SeenEventIds],
        Snapshot = (old.Snapshot, mine.Snapshot) switch
        {
            (null, var m) => m,
            (var o, null) => o,
            (var o, var m) => m with { Applied = o.Applied + m.Applied, Ignored = o.Ignored + m.Ignored },
        },
    };

    // Saved ids only speed up dropping duplicates; fact_events' key keeps the result exact without them.
    private Task SaveStateAsync() =>
        save.SaveAsync(
            async () =>
            {
                state.SeenEventIds = seen.ToList();
                state = await saved.WriteAsync(GrainContext, state);
                seen = new SeenEventIds(options.SessionEventIdCap, state.SeenEventIds);
            },
            ex => LogStateSaveFailed(this.GetPrimaryKeyString(), ex));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving state of session {Key} failed; will retry")]
    private partial void LogStateSaveFailed(string key, Exception exception);
}

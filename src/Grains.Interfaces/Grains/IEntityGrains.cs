using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>An entity grain, keyed <c>source:id</c>.</summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IEntityGrain<T> : IGrainWithStringKey
{
    /// <summary>The entity's live state, or null when no record has reached it.</summary>
    Task<EntitySnapshot<T>?> GetAsync();

    /// <summary>
    /// Applies the entity's records in order, dropping replays and identical content; completes once the resulting row
    /// is durable, so the caller may then commit the records' offsets.
    /// </summary>
    Task ApplyAsync(EntityBatch<T> batch);
}

/// <summary>A product, fed by the products topic.</summary>
public interface IProductGrain : IEntityGrain<ProductRecord>;

/// <summary>
/// A product's live view counters, fed by session grains and keyed like the product (<c>source:id</c>). A product the
/// clickstream names without its catalogue is keyed <c>events:{product id}</c>.
/// </summary>
/// <remarks>
/// A grain of its own, not part of the product grain: the catalogue's entity grain then reads one state row when it
/// activates, and the counters are read only for products somebody viewed.
/// </remarks>
public interface IProductViewsGrain : IGrainWithStringKey
{
    /// <summary>Counts <paramref name="count"/> new product views, the latest at <paramref name="lastViewedAt"/>.</summary>
    Task RecordViewsAsync(int count, DateTimeOffset lastViewedAt);

    /// <summary>The live view counters.</summary>
    Task<ProductViews> GetViewsAsync();
}

/// <summary>A cart, fed by the carts topic.</summary>
public interface ICartGrain : IEntityGrain<CartRecord>;

/// <summary>A user, fed by the users topic.</summary>
public interface IUserGrain : IEntityGrain<UserRecord>;

/// <summary>A record the ingest rejected, keyed by its fingerprint; stores it in <c>rejected_records</c>.</summary>
public interface IRejectedRecordGrain : IGrainWithStringKey
{
    /// <summary>Stores the rejections; completes once they are durable.</summary>
    Task ApplyAsync(EntityBatch<RejectedRecord> batch);
}

/// <summary>A product recall notice, fed by the recalls stream and keyed <c>rappelconso:&lt;numero_fiche&gt;</c>.</summary>
public interface IRecallGrain : IEntityGrain<RecallRecord>;

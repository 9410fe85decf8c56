using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains.Delivery;

/// <summary>
/// Which grain takes the records of each namespace: the one table to extend when a new entity type gets a topic.
/// </summary>
public static class EntityRoutes
{
    private static readonly Dictionary<string, Func<GrainReferenceCache, string, IReadOnlyList<object>, Task>> Routes = new(StringComparer.Ordinal)
    {
        [StreamNamespaces.Products] = (g, key, records) => g.Get<IProductGrain>(key).ApplyAsync(Batch<ProductRecord>(records)),
        [StreamNamespaces.Carts] = (g, key, records) => g.Get<ICartGrain>(key).ApplyAsync(Batch<CartRecord>(records)),
        [StreamNamespaces.Users] = (g, key, records) => g.Get<IUserGrain>(key).ApplyAsync(Batch<UserRecord>(records)),
        [StreamNamespaces.Recalls] = (g, key, records) => g.Get<IRecallGrain>(key).ApplyAsync(Batch<RecallRecord>(records)),
        [StreamNamespaces.Events] = (g, key, records) => g.Get<ISessionGrain>(key).ApplyAsync(Batch<ClickEvent>(records)),
        [StreamNamespaces.Rejected] = (g, key, records) => g.Get<IRejectedRecordGrain>(key).ApplyAsync(Batch<RejectedRecord>(records)),
    };

    /// <summary>Namespaces with a grain to deliver to.</summary>
    public static IReadOnlyCollection<string> Namespaces => Routes.Keys;

    /// <summary>
    /// Calls the grain of <paramref name="key"/> in <paramref name="streamNamespace"/> with its records (decoded
    /// <see cref="EntityMessage{T}"/>s, oldest first); completes when the grain has made them durable.
    /// </summary>
    /// <exception cref="ArgumentException">No grain takes the namespace's records.</exception>
    public static Task DeliverAsync(GrainReferenceCache grains, string streamNamespace, string key, IReadOnlyList<object> records) =>
        Routes.TryGetValue(streamNamespace, out var route)
            ? route(grains, key, records)
            : throw new ArgumentException($"no grain takes records of namespace '{streamNamespace}'", nameof(streamNamespace));

    private static EntityBatch<T> Batch<T>(IReadOnlyList<object> records)
    {
        var messages = new EntityMessage<T>[records.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = (EntityMessage<T>)records[i];
        }
        return new EntityBatch<T>(messages);
    }
}

using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>A clickstream session, keyed by session key (<c>session_id</c>, else <c>device_id</c>), fed by the events topic.</summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>The session's aggregate as last projected, or null when no event has reached it.</summary>
    Task<SessionSnapshot?> GetAsync();

    /// <summary>
    /// Applies the session's events in order, dropping duplicates; completes once their facts and the session row are
    /// durable, so the caller may then commit the events' offsets.
    /// </summary>
    Task ApplyAsync(EntityBatch<ClickEvent> batch);
}

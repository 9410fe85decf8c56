namespace Shopstream.Grains.Interfaces.Grains;

/// <summary>A clickstream session, keyed by session key (<c>session_id</c>, else <c>device_id</c>), fed by the events stream.</summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>The session's aggregate as last projected, or null when no event has reached it.</summary>
    Task<SessionSnapshot?> GetAsync();
}

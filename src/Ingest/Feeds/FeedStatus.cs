namespace Shopstream.Ingest.Feeds;

/// <summary>
/// What one silo's bridge of a feed has done so far and how far behind it is: a line of the sources listing.
/// </summary>
/// <param name="Name">The feed's name (<c>Shopstream:Feeds:&lt;name&gt;</c>).</param>
/// <param name="Topic">The foreign topic.</param>
/// <param name="Shape">The configured shape.</param>
/// <param name="Consumed">Messages read from the foreign topic and forwarded (each is then produced or rejected).</param>
/// <param name="Produced">Accepted events acknowledged by our <c>events</c> topic.</param>
/// <param name="Rejected">Messages acknowledged by our <c>rejected</c> topic with their reason.</param>
/// <param name="Lag">Messages behind the end of the partitions this silo owns (null before the first fetch).</param>
/// <param name="Partitions">The foreign partitions this silo owns now (the group shares them across silos).</param>
/// <param name="LastError">The last failure (foreign cluster, our cluster, offset commit), or null.</param>
public sealed record FeedStatus(
    string Name, string Topic, string Shape, long Consumed, long Produced, long Rejected, long? Lag, IReadOnlyList<int> Partitions, string? LastError)
{
    /// <summary>The foreign cluster's bootstrap servers.</summary>
    public string Bootstrap { get; init; } = "";

    /// <summary>The feed's consumer group on the foreign cluster.</summary>
    public string Group { get; init; } = "";

    /// <summary>
    /// <see cref="FeedStates.Bridging"/>, <see cref="FeedStates.Idle"/>, <see cref="FeedStates.Failing"/>,
    /// <see cref="FeedStates.Starting"/> or <see cref="FeedStates.Stopped"/>.
    /// </summary>
    public string State { get; init; } = FeedStates.Starting;
}

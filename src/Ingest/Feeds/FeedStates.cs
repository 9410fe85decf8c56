namespace Shopstream.Ingest.Feeds;

/// <summary>What a silo's bridge of a feed is doing now (<see cref="FeedStatus.State"/>).</summary>
public static class FeedStates
{
    /// <summary>Not started yet in this silo.</summary>
    public const string Starting = "starting";

    /// <summary>This silo owns foreign partitions of the feed and bridges them.</summary>
    public const string Bridging = "bridging";

    /// <summary>Running, but the group gave this silo no partition (others own them all, or the group is still joining).</summary>
    public const string Idle = "idle";

    /// <summary>
    /// A client or batch failed within the last <see cref="FeedBridge.FailingWindow"/> (a cluster unreachable, a batch
    /// read again), or the batch in hand has waited longer than <see cref="FeedBridge.StalledAfter"/> for our cluster's
    /// acknowledgement or the foreign commit.
    /// </summary>
    public const string Failing = "failing";

    /// <summary>The bridge ended (the silo is stopping, or its loop failed: see the last error).</summary>
    public const string Stopped = "stopped";
}

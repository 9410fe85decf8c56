namespace Shopstream.Ingest.Feeds;

/// <summary>One foreign partition of a feed: its end, the feed group's committed offset there (null: none yet) and the difference.</summary>
public sealed record FeedPartitionLag(int Partition, long End, long? Committed, long Lag);

namespace Shopstream.Ingest.Sources;

/// <summary>The raw records of one feed, or the fact that the feed was not there.</summary>
public sealed class RawFeed
{
    private RawFeed(Feed feed, string origin, bool isMissing, IReadOnlyList<RawRecord> records)
    {
        Feed = feed;
        Origin = origin;
        IsMissing = isMissing;
        Records = records;
    }

    public Feed Feed { get; }

    /// <summary>Where the records came from: a file path or a URL, for messages.</summary>
    public string Origin { get; }

    /// <summary>True when the snapshot file did not exist; <see cref="Records"/> is then empty.</summary>
    public bool IsMissing { get; }

    public IReadOnlyList<RawRecord> Records { get; }

    public static RawFeed Found(Feed feed, string origin, IReadOnlyList<RawRecord> records) => new(feed, origin, false, records);

    public static RawFeed Missing(Feed feed, string origin) => new(feed, origin, true, []);
}

namespace Shopstream.Ingest;

/// <summary>What the ingest did with one feed.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="Read">Raw records read.</param>
/// <param name="Produced">Normalized records delivered to their topic.</param>
/// <param name="Rejected">Records sent to the rejected topic instead.</param>
/// <param name="SkippedFiles">1 when the feed's snapshot file was missing, else 0 (a count so that totals add up).</param>
public sealed record FeedCounts(Feed Feed, int Read, int Produced, int Rejected, int SkippedFiles);

namespace Shopstream.Ingest.Sources;

/// <summary>Where raw records come from: a snapshot directory or the live APIs.</summary>
public interface IRawRecordSource
{
    /// <summary>Reads every raw record of <paramref name="feed"/>.</summary>
    /// <exception cref="IngestException">The feed exists but cannot be read or is not valid JSON.</exception>
    Task<RawFeed> ReadAsync(Feed feed, CancellationToken cancellationToken = default);
}

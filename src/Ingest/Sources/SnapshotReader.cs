namespace Shopstream.Ingest.Sources;

/// <summary>
/// Reads a snapshot directory laid out as <c>DIR/&lt;source&gt;/&lt;entity&gt;.json</c>
/// (e.g. <c>samples/apis/dummyjson/carts.json</c>). Missing files are reported as missing, not as errors,
/// so a partial snapshot can be replayed.
/// </summary>
public sealed class SnapshotReader : IRawRecordSource
{
    private readonly string root;

    /// <exception cref="IngestException">The directory does not exist (a typo would otherwise skip every feed silently).</exception>
    public SnapshotReader(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new IngestException($"snapshot directory {Path.GetFullPath(directory)} does not exist");
        }

        root = Path.GetFullPath(directory);
    }

    /// <summary>The snapshot directory, as a full path.</summary>
    public string Root => root;

    /// <summary>The file a feed is read from.</summary>
    public string PathOf(Feed feed) => Path.Combine(root, feed.Source, feed.Entity + ".json");

    public async Task<RawFeed> ReadAsync(Feed feed, CancellationToken cancellationToken = default)
    {
        var path = PathOf(feed);
        if (!File.Exists(path))
        {
            return RawFeed.Missing(feed, path);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var page = await FeedPage.ParseAsync(stream, feed.Entity, path, cancellationToken).ConfigureAwait(false);
            return RawFeed.Found(feed, path, [.. page.Items.Select((item, index) => new RawRecord(item, index))]);
        }
    }
}

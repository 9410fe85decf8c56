namespace Shopstream.Ingest.Sources;

/// <summary>
/// Reads a snapshot directory laid out as <c>DIR/&lt;source&gt;/&lt;entity&gt;.json</c>
/// (e.g. <c>samples/apis/dummyjson/carts.json</c>). Missing files are reported as missing, not as errors,
/// so a partial snapshot can be replayed. A file that is empty, unreadable, not JSON (or not UTF-8) or of another
/// shape throws an <see cref="IngestException"/> whose one-line message names the file and the problem.
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

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IngestException($"{path} cannot be read: {ex.Message}", ex);
        }

        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length == 0)
            {
                throw new IngestException($"{path} is empty; expected a JSON array of {feed.Entity} or a page object with a '{feed.Entity}' array");
            }

            var page = await FeedPage.ParseAsync(stream, feed.Entity, path, cancellationToken).ConfigureAwait(false);
            return RawFeed.Found(feed, path, [.. page.Items.Select((item, index) => new RawRecord(item, index))]);
        }
    }
}

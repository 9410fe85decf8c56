using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;

namespace Shopstream.Lake.Writing;

/// <summary>
/// Deletes files in storage that the manifest does not list: uploads of a writer that stopped before its commit, or
/// whose commit lost the race for its offsets. Only files older than the grace period go, since a younger one may be
/// another silo's, about to be committed.
/// </summary>
internal static class OrphanSweep
{
    /// <summary>The lake's own directories: anything else under the root is left alone.</summary>
    private static readonly string[] OwnedPrefixes = [Tables.EventsTable.Name, .. Tables.HistoryTable.Names, LocalLakeStore.StagingDirectory];

    /// <summary>Returns the paths deleted.</summary>
    public static async Task<List<string>> RunAsync(ILakeStore store, LakeManifest manifest, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        // Listed before the manifest is read: a file committed in between is then in the manifest, never deleted.
        var stored = new List<LakeObject>();
        foreach (var prefix in OwnedPrefixes)
        {
            await foreach (var o in store.ListAsync(prefix, cancellationToken))
            {
                stored.Add(o);
            }
        }
        var known = await manifest.StoredPathsAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - grace;
        var deleted = new List<string>();
        foreach (var o in stored.Where(o => !known.Contains(o.Path) && o.LastModified <= cutoff))
        {
            await store.DeleteAsync(o.Path, cancellationToken);
            deleted.Add(o.Path);
        }
        return deleted;
    }
}

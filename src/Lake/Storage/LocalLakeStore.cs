using System.Runtime.CompilerServices;

namespace Shopstream.Lake.Storage;

/// <summary>
/// The lake in a local directory. A file is written whole under <c>_staging/</c> and then renamed into place, so a
/// reader never sees a partial file; the staging directory is on the same file system, so the rename is atomic.
/// </summary>
internal sealed class LocalLakeStore : ILakeStore
{
    /// <summary>Files being written; never part of a table.</summary>
    public const string StagingDirectory = "_staging";

    private readonly string root;

    public LocalLakeStore(string root)
    {
        this.root = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(this.root);
    }

    public string Location => root;

    /// <summary>The absolute file name of a lake path (DuckDB reads local files directly).</summary>
    public string FullPath(string path) => System.IO.Path.Combine(root, path.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public async Task PutAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var staging = FullPath($"{StagingDirectory}/{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(staging)!);
        try
        {
            await using (var file = new FileStream(staging, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            var target = FullPath(path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Move(staging, target, overwrite: false);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(FullPath(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous));

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(FullPath(path));
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<LakeObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = prefix.Length == 0 ? root : FullPath(prefix);
        if (!Directory.Exists(directory))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            var relative = System.IO.Path.GetRelativePath(root, file).Replace(System.IO.Path.DirectorySeparatorChar, '/');
            yield return new LakeObject(relative, info.Length, info.LastWriteTimeUtc);
        }
        await Task.CompletedTask;
    }
}

namespace Shopstream.Lake.Storage;

/// <summary>
/// Where the lake's files live: a local directory or an S3-compatible bucket. Paths are relative to the lake's root
/// and use <c>/</c>. A file appears at its path whole or not at all (a local file is written under a temporary name
/// and renamed; an S3 object is visible only once its upload completed).
/// </summary>
internal interface ILakeStore
{
    /// <summary>For logs and the CLI: the directory or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>Publishes <paramref name="content"/> at <paramref name="path"/>; fails if something is already there.</summary>
    Task PutAsync(string path, Stream content, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes the file; a missing file is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Every file under <paramref name="prefix"/> (a directory path, or empty for everything).</summary>
    IAsyncEnumerable<LakeObject> ListAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>A stored file: its path relative to the lake's root, size and last write.</summary>
internal sealed record LakeObject(string Path, long Bytes, DateTimeOffset LastModified);

namespace Shopstream.Lake.Storage;

/// <summary>The store the options name: a directory, or (with <c>S3:Bucket</c>) an S3-compatible bucket.</summary>
internal static class LakeStores
{
    public static ILakeStore Open(LakeOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Path))
        {
            return new LocalLakeStore(options.Path);
        }
        return new S3LakeStore(options.S3);
    }
}

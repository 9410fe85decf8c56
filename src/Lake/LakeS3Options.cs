namespace Shopstream.Lake;

/// <summary>
/// An S3-compatible store, section <c>Shopstream:Lake:S3</c>. Credentials come from the usual AWS settings
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, profiles), never from this section.
/// </summary>
public sealed class LakeS3Options
{
    /// <summary>The bucket (must exist).</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix of every object of the lake, e.g. <c>shopstream/</c>.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>An S3-compatible endpoint (MinIO, s3rver, ...); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region to sign for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            return;
        }
        if (!string.IsNullOrWhiteSpace(ServiceUrl)
            && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"setting {LakeOptions.Section}:S3:ServiceUrl must be an absolute http(s) URL, not '{ServiceUrl}'");
        }
        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException($"setting {LakeOptions.Section}:S3:Region is required with S3:Bucket");
        }
        if (Prefix.StartsWith('/'))
        {
            throw new ArgumentException($"setting {LakeOptions.Section}:S3:Prefix must not start with '/' (was '{Prefix}')");
        }
    }
}

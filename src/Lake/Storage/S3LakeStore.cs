using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Shopstream.Lake.Storage;

/// <summary>
/// The lake in an S3-compatible bucket. An object is visible only once its PUT completed, so no temporary name is
/// needed; the files are at most <see cref="LakeOptions.MaxBytes"/> (64 MB by default) and go up in one PUT.
/// Chunked signing and the SDK's default checksums are off: S3-compatible servers such as s3rver store the SDK's
/// signed chunk framing inside the object otherwise (measured here), and a checksum is then sent only when required.
/// </summary>
internal sealed class S3LakeStore : ILakeStore, IDisposable
{
    private readonly AmazonS3Client client;
    private readonly string bucket;
    private readonly string prefix;

    /// <param name="options">The bucket, prefix and endpoint.</param>
    /// <param name="credentials">Explicit credentials (tests); null for the SDK's usual chain (environment, profile, role).</param>
    public S3LakeStore(LakeS3Options options, AWSCredentials? credentials = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        bucket = options.Bucket!;
        prefix = options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/";
    }

    public string Location => $"s3://{bucket}/{prefix}";

    public async Task PutAsync(string path, Stream content, CancellationToken cancellationToken) =>
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = prefix + path,
            InputStream = content,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }, cancellationToken);

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetObjectAsync(bucket, prefix + path, cancellationToken);
        var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        return copy;
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await client.DeleteObjectAsync(bucket, prefix + path, cancellationToken);

    public async IAsyncEnumerable<LakeObject> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + (directory.Length == 0 ? "" : directory.TrimEnd('/') + "/") };
        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request, cancellationToken);
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new LakeObject(o.Key[prefix.Length..], o.Size ?? 0, o.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime()) : DateTimeOffset.MinValue);
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    public void Dispose() => client.Dispose();
}

using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Shopstream.Lake.Storage;

namespace Shopstream.Lake.Tests;

/// <summary>
/// The S3 mode against s3rver (an S3-compatible server from npm, not our code) on loopback; <c>./shopstream test</c>
/// starts it with <c>scripts/s3rver.sh</c> and sets <c>SHOPSTREAM_TEST_S3</c>.
/// </summary>
public sealed class S3StoreTests
{
    private const string Variable = "SHOPSTREAM_TEST_S3";
    private static readonly BasicAWSCredentials Credentials = new("S3RVER", "S3RVER");

    [Fact]
    public async Task Object_read_back_from_s3rver_has_the_bytes_that_were_put()
    {
        var (options, store) = await BucketAsync();
        using var _ = store;
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17); // several of the SDK's 64 KB signing chunks

        await store.PutAsync("events/event_type=x/event_date=2024-05-01/part-a.parquet", new MemoryStream(bytes), CancellationToken.None);
        await using var read = await store.OpenReadAsync("events/event_type=x/event_date=2024-05-01/part-a.parquet", CancellationToken.None);
        var back = ((MemoryStream)read).ToArray();

        Assert.Equal(bytes.Length, back.Length);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(back));
        var listed = await store.ListAsync("events", CancellationToken.None).ToListAsync();
        Assert.Equal(["events/event_type=x/event_date=2024-05-01/part-a.parquet|3145745"], listed.Select(o => $"{o.Path}|{o.Bytes}"));
        Assert.Equal($"s3://{options.Bucket}/lake/", store.Location);
    }

    [Fact]
    public async Task Writer_in_s3_mode_commits_files_that_DuckDB_reads_back_with_their_values()
    {
        await using var bed = await LakeTestBed.CreateAsync(partitions: 1);
        var (s3, store) = await BucketAsync();
        using var _ = store;
        await bed.SendAsync(LakeTestBed.Event("e1", "purchase", "2024-05-03T09:30:00Z", extras: """{"price":120.5}"""));
        await bed.SendAsync(LakeTestBed.Event("e2", "purchase", "2024-05-03T09:31:00Z", extras: """{"price":3}"""));
        var options = bed.Options();
        options.Path = null;
        options.S3 = s3;

        var writer = bed.Writer(options, store);
        await writer.StartAsync(CancellationToken.None);
        await bed.WaitCommittedAsync(2, "two purchases committed to the bucket");
        await writer.StopAsync(CancellationToken.None);

        var file = Assert.Single(await bed.Manifest.LiveFilesAsync(long.MaxValue, "events", CancellationToken.None));
        Assert.StartsWith("events/event_type=purchase/event_date=2024-05-03/part-", file.Path, StringComparison.Ordinal);
        var objects = await store.ListAsync("events", CancellationToken.None).ToListAsync();
        Assert.Equal([$"{file.Path}|{file.Bytes}"], objects.Select(o => $"{o.Path}|{o.Bytes}"));
        var local = Path.Combine(Path.GetTempPath(), $"lake-s3-{Guid.NewGuid():N}.parquet");
        try
        {
            await using (var read = await store.OpenReadAsync(file.Path, CancellationToken.None))
            await using (var target = File.Create(local))
            {
                await read.CopyToAsync(target);
            }
            Assert.Equal(["e1|120.5000", "e2|3.0000"], LakeTestBed.DuckDb($"SELECT event_id, price FROM read_parquet('{local}') ORDER BY event_id"));
        }
        finally
        {
            File.Delete(local);
        }
    }

    private static async Task<(LakeS3Options Options, S3LakeStore Store)> BucketAsync()
    {
        var url = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new InvalidOperationException($"{Variable} is not set: run the tests with ./shopstream test, which starts s3rver (scripts/s3rver.sh) and sets it");
        }
        var options = new LakeS3Options { Bucket = "lake-" + Guid.NewGuid().ToString("N")[..12], Prefix = "lake", ServiceUrl = url };
        using (var client = new AmazonS3Client(Credentials, new AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = options.Region }))
        {
            await client.PutBucketAsync(options.Bucket);
        }
        return (options, S3StoreFor(options));
    }

    private static S3LakeStore S3StoreFor(LakeS3Options options) => new(options, Credentials);
}

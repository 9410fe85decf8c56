namespace Shopstream.Lake;

/// <summary>
/// Settings of the lake writer, section <c>Shopstream:Lake</c>. The lake is off unless <see cref="Path"/> or
/// <see cref="LakeS3Options.Bucket"/> is set.
/// </summary>
public sealed class LakeOptions
{
    public const string Section = "Shopstream:Lake";

    /// <summary>A local directory that holds the lake (created when missing).</summary>
    public string? Path { get; set; }

    /// <summary>An S3-compatible store instead of a directory.</summary>
    public LakeS3Options S3 { get; set; } = new();

    /// <summary>The lake writer's own consumer group on the events topic (its offsets are for lag only: the manifest decides).</summary>
    public string ConsumerGroup { get; set; } = "shopstream-lake";

    /// <summary>A partition's buffer is written once it holds this many events (one row group per file).</summary>
    public int MaxRows { get; set; } = 100_000;

    /// <summary>... or this many bytes of message values.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>... or its oldest event has waited this long.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Snappy</c> or <c>Zstd</c> (written at the fast <c>Optimal</c> level).</summary>
    public string Compression { get; set; } = "Snappy";

    /// <summary>
    /// A file in the lake's directories that the manifest does not list is deleted once it is this old: younger ones
    /// may belong to another silo's writer about to commit them.
    /// </summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Files removed by compaction stay in storage this long, for readers of older snapshots.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary><see cref="Compression"/> as Parquet.Net's codec.</summary>
    internal Parquet.CompressionMethod ParquetCompression =>
        Compression == "Zstd" ? Parquet.CompressionMethod.Zstd : Parquet.CompressionMethod.Snappy;

    /// <summary>Whether a store is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Path) || !string.IsNullOrWhiteSpace(S3.Bucket);

    /// <summary>Throws with a message naming the bad key.</summary>
    public void Validate()
    {
        static ArgumentException Bad(string key, string message) => new($"setting {Section}:{key} {message}");

        if (!string.IsNullOrWhiteSpace(Path) && !string.IsNullOrWhiteSpace(S3.Bucket))
        {
            throw Bad(nameof(Path), "and Shopstream:Lake:S3:Bucket are both set; the lake is one directory or one bucket");
        }
        if (string.IsNullOrWhiteSpace(ConsumerGroup))
        {
            throw Bad(nameof(ConsumerGroup), "is required (environment variable Shopstream__Lake__ConsumerGroup)");
        }
        if (MaxRows is < 1 or > 10_000_000)
        {
            throw Bad(nameof(MaxRows), $"must be between 1 and 10000000 (was {MaxRows})");
        }
        if (MaxBytes is < 1024 or > 4L * 1024 * 1024 * 1024)
        {
            throw Bad(nameof(MaxBytes), $"must be between 1024 and 4294967296 (was {MaxBytes})");
        }
        if (MaxAge < TimeSpan.FromMilliseconds(10) || MaxAge > TimeSpan.FromHours(1))
        {
            throw Bad(nameof(MaxAge), $"must be between 00:00:00.010 and 01:00:00 (was {MaxAge})");
        }
        if (Compression is not ("Snappy" or "Zstd"))
        {
            throw Bad(nameof(Compression), $"must be Snappy or Zstd, not '{Compression}'");
        }
        if (OrphanGrace < TimeSpan.Zero)
        {
            throw Bad(nameof(OrphanGrace), $"must not be negative (was {OrphanGrace})");
        }
        if (Retention < TimeSpan.Zero)
        {
            throw Bad(nameof(Retention), $"must not be negative (was {Retention})");
        }
        S3.Validate();
    }
}

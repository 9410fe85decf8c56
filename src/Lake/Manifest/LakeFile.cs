namespace Shopstream.Lake.Manifest;

/// <summary>A data file as the manifest lists it (<c>lake_files</c>).</summary>
internal sealed record LakeFile(
    Guid FileId,
    string Path,
    string Table,
    IReadOnlyList<(string Name, string Value)> PartitionValues,
    long Rows,
    long Bytes,
    DateTimeOffset? MinEventTime,
    DateTimeOffset? MaxEventTime,
    KafkaRange? Range);

/// <summary>The offsets a file's flush covered on one topic-partition, inclusive.</summary>
internal sealed record KafkaRange(string Topic, int Partition, long First, long Last);

/// <summary>
/// Moves a topic-partition's lake offset from <paramref name="Expected"/> (null: no offset stored yet) to
/// <paramref name="Next"/>: the commit fails, and nothing of it is visible, unless the stored offset is still
/// <paramref name="Expected"/>. A second writer replaying the same offsets can therefore never commit them again.
/// </summary>
internal sealed record OffsetAdvance(string Topic, int Partition, long? Expected, long Next);

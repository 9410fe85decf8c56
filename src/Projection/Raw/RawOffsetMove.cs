namespace Shopstream.Projection.Raw;

/// <summary>
/// How far a batch moves one partition's landed position in <c>raw_offsets</c>: from <paramref name="From"/> (what the
/// writer read there before the batch; null when the partition has no position yet) to <paramref name="Next"/>.
/// </summary>
/// <param name="Topic">Our topic.</param>
/// <param name="Partition">Its partition.</param>
/// <param name="From">The position the batch starts from, as read from <c>raw_offsets</c>; null for a partition never landed.</param>
/// <param name="Next">One past the batch's last message in that partition.</param>
public sealed record RawOffsetMove(string Topic, int Partition, long? From, long Next);

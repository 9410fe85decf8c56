using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Lake.Tables;

/// <summary>One event read from Kafka, with where it was read from: a row of the <c>events</c> table.</summary>
internal sealed record LakeEvent(ClickEvent Event, long Version, DateTimeOffset IngestedAt, int Partition, long Offset);

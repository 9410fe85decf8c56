using Confluent.Kafka;

namespace Shopstream.Silo.Raw;

/// <summary>What a pump told the <see cref="RawTee"/>, or what it dropped.</summary>
internal enum TeeEventKind
{
    /// <summary>The silo starts reading the partition, at <see cref="TeeEvent.GapEnd"/> (null: at the configured start).</summary>
    Assigned,

    /// <summary>A read: <see cref="TeeEvent.Messages"/>.</summary>
    Read,

    /// <summary>Reads dropped because the tee was full, up to (not including) <see cref="TeeEvent.GapEnd"/>.</summary>
    Gap,

    /// <summary>The silo stopped reading the partition.</summary>
    Unassigned,
}

/// <summary>One thing the <see cref="RawTee"/> hands the landing service, in the order it happened for its partition.</summary>
/// <param name="Partition">The partition it is about.</param>
/// <param name="Kind">What happened.</param>
/// <param name="GapEnd">Assigned: the offset reading starts at; Gap: one past the last message dropped.</param>
/// <param name="Messages">Read: the messages, in offset order.</param>
internal readonly record struct TeeEvent(TopicPartition Partition, TeeEventKind Kind, long? GapEnd, IReadOnlyList<ConsumeResult<byte[], byte[]>>? Messages);

using Confluent.Kafka;

namespace Shopstream.Silo.Raw;

/// <summary>
/// What the landing service knows of one partition: whether this silo reads it, where it is landed up to, and what the
/// tee handed over and not landed yet: reads, and gaps (the pump's start, dropped reads) to read from Kafka first.
/// </summary>
internal sealed class RawPartition(TopicPartition partition)
{
    public TopicPartition Partition { get; } = partition;

    /// <summary>Whether this silo's pump reads it: only then does the service read its gaps from Kafka.</summary>
    public bool Owned { get; set; }

    /// <summary>The landed position as read from <c>raw_offsets</c>; null until read, and after anything failed.</summary>
    public Landed? Position { get; set; }

    /// <summary>The landed position last committed to the raw consumer group (for lag readers).</summary>
    public long? Committed { get; set; }

    /// <summary>Reads and gaps in order; the first read may be landed in part, up to <see cref="FirstIndex"/>.</summary>
    public List<TeeEvent> Segments { get; } = [];

    /// <summary>How many messages of the first segment (a read) are landed.</summary>
    public int FirstIndex { get; set; }

    /// <summary>Forgets every segment; returns how many messages they held.</summary>
    public int Clear()
    {
        var held = Segments.Sum(s => s.Messages?.Count ?? 0);
        Segments.Clear();
        FirstIndex = 0;
        return held;
    }
}

/// <summary>
/// A partition's landed position (null: never landed). <paramref name="StartsOver"/>: the topic was created again, so
/// every message read is new and the position moves back; the move still starts from the stored one, so that of two
/// writers racing there, one wins.
/// </summary>
internal readonly record struct Landed(long? Next, bool StartsOver)
{
    /// <summary>Where landing goes on from: null for the partition's start.</summary>
    public long? From => StartsOver ? null : Next;
}

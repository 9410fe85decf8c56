using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// The messages of one stream taken from one partition in one read, in offset order. Grouping them lets a
/// consumer that subscribes with a batch observer handle an entity's burst of updates in one call.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class KafkaBatchContainer : IBatchContainer
{
    public KafkaBatchContainer(StreamId streamId, object[] payloads, long[] offsets)
    {
        if (payloads.Length == 0 || payloads.Length != offsets.Length)
        {
            throw new ArgumentException("a batch needs one offset per payload, and at least one payload");
        }
        StreamId = streamId;
        Payloads = payloads;
        Offsets = offsets;
    }

    /// <summary>A batch of one message.</summary>
    public KafkaBatchContainer(StreamId streamId, object payload, long offset)
        : this(streamId, [payload], [offset])
    {
    }

    [Id(0)] public StreamId StreamId { get; }

    [Id(1)] public object[] Payloads { get; }

    [Id(2)] public long[] Offsets { get; }

    /// <summary>Offset of the first message; a batch is committable only past it.</summary>
    public long Offset => Offsets[0];

    /// <summary>Offset of the last message.</summary>
    public long LastOffset => Offsets[^1];

    public StreamSequenceToken SequenceToken => new EventSequenceTokenV2(Offset);

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        for (var i = 0; i < Payloads.Length; i++)
        {
            if (Payloads[i] is T value)
            {
                yield return Tuple.Create(value, (StreamSequenceToken)new EventSequenceTokenV2(Offsets[i]));
            }
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"KafkaBatchContainer({StreamId}, offsets {Offset}..{LastOffset}, {Payloads.Length} messages)";
}

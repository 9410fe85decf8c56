using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>One decoded Kafka message on its way to the stream's consumers.</summary>
[GenerateSerializer, Immutable]
internal sealed class KafkaBatchContainer(StreamId streamId, object payload, EventSequenceTokenV2 token) : IBatchContainer
{
    [Id(0)] public StreamId StreamId { get; } = streamId;

    [Id(1)] public object Payload { get; } = payload;

    [Id(2)] private readonly EventSequenceTokenV2 token = token;

    /// <summary>The Kafka offset of the message; also the token's sequence number.</summary>
    public long Offset => token.SequenceNumber;

    public StreamSequenceToken SequenceToken => token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Payload is T value ? [Tuple.Create(value, (StreamSequenceToken)token)] : [];

    public bool ImportRequestContext() => false;

    public override string ToString() => $"KafkaBatchContainer({StreamId}, offset {Offset})";
}

using Confluent.Kafka;

namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Turns a Kafka message into the event delivered on its Orleans stream. Register one in the silo's
/// services to deliver typed events; without one, the raw value bytes are delivered.
/// </summary>
public interface IKafkaMessageDecoder
{
    /// <summary>Decodes one message read from the topic mapped to <paramref name="streamNamespace"/>.</summary>
    KafkaDecodeResult Decode(string streamNamespace, ConsumeResult<byte[], byte[]> message);
}

/// <summary>The outcome of decoding: an event, or the reason it could not be decoded.</summary>
public readonly record struct KafkaDecodeResult(object? Event, string? Error)
{
    /// <summary>A decoded event.</summary>
    public static KafkaDecodeResult Ok(object value) => new(value, null);

    /// <summary>A message that cannot be decoded, with a reason a user can act on.</summary>
    public static KafkaDecodeResult Fail(string reason) => new(null, reason);
}

using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Decodes Shopstream's JSON envelope into the typed message a grain receives.</summary>
internal sealed class WireMessageDecoder : IKafkaMessageDecoder
{
    public KafkaDecodeResult Decode(string streamNamespace, ConsumeResult<byte[], byte[]> message)
    {
        if (message.Message.Value is not { Length: > 0 } value)
        {
            return KafkaDecodeResult.Fail("empty message value");
        }
        var decoded = WireFormat.TryDecode(streamNamespace, value, out var error);
        return decoded is null ? KafkaDecodeResult.Fail(error ?? "undecodable") : KafkaDecodeResult.Ok(decoded);
    }
}

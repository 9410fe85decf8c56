using System.Text;
using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Decodes Shopstream's JSON envelope into the typed message a grain receives.</summary>
internal sealed class WireMessageDecoder : IKafkaMessageDecoder
{
    public KafkaDecodeResult Decode(string streamNamespace, ConsumeResult<byte[], byte[]> message)
    {
        if (KeyError(message.Message.Key) is { } keyError)
        {
            return KafkaDecodeResult.Fail(keyError);
        }
        if (message.Message.Value is not { Length: > 0 } value)
        {
            return KafkaDecodeResult.Fail("empty message value");
        }
        var decoded = WireFormat.TryDecode(streamNamespace, value, out var error);
        return decoded is null ? KafkaDecodeResult.Fail(error ?? "undecodable") : KafkaDecodeResult.Ok(decoded);
    }

    /// <summary>
    /// Why a key cannot name a grain, or null. Checked before any grain is activated: a key PostgreSQL cannot store
    /// would fail that grain's activation on every delivery and hold its partition back.
    /// </summary>
    private static string? KeyError(byte[]? key)
    {
        if (key is null)
        {
            return null; // the receiver reports a missing key itself
        }
        // On the hot path: checked on the bytes, without decoding the key into a string a second time.
        if (!System.Text.Unicode.Utf8.IsValid(key))
        {
            return "message key is not valid UTF-8";
        }
        var length = Encoding.UTF8.GetCharCount(key);
        if (length > WireFormat.MaxKeyChars)
        {
            return $"message key is {length} characters long; at most {WireFormat.MaxKeyChars} are allowed";
        }
        return key.AsSpan().Contains((byte)0) ? "message key contains a NUL character" : null;
    }
}

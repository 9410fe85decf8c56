using System.Text;
using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Decodes Shopstream's JSON envelope into the typed message a grain receives.</summary>
internal sealed class WireMessageDecoder : IKafkaMessageDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
        string text;
        try
        {
            text = StrictUtf8.GetString(key);
        }
        catch (DecoderFallbackException)
        {
            return "message key is not valid UTF-8";
        }
        if (text.Length > WireFormat.MaxKeyChars)
        {
            return $"message key is {text.Length} characters long; at most {WireFormat.MaxKeyChars} are allowed";
        }
        return text.Contains('\0', StringComparison.Ordinal) ? "message key contains a NUL character" : null;
    }
}

using System.Text;
using Confluent.Kafka;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// One read of a partition, decoded and grouped by key: each key's records in offset order, keys in the order of
/// their first message, and the messages that could not be decoded.
/// </summary>
internal sealed class DecodedRead
{
    private readonly Dictionary<string, KeyRecords> byKey;

    private DecodedRead(long nextOffset, int count)
    {
        NextOffset = nextOffset;
        Count = count;
        // Sized for a key per message (round-robin keys): growing it step by step was 0.9% of what the silo allocated.
        // At most 2,048 entries up front (48 KB), so that a large read's table does not start on the large-object heap.
        var keys = Math.Min(count, 2_048);
        byKey = new(keys, StringComparer.Ordinal);
        Keys = new(keys);
    }

    /// <summary>The offset after the read's last message.</summary>
    public long NextOffset { get; }

    /// <summary>Messages in the read, poison ones included.</summary>
    public int Count { get; }

    /// <summary>Keys with their records, in the order of each key's first message.</summary>
    public List<KeyRecords> Keys { get; }

    /// <summary>Messages without a usable key or that the decoder refused, in offset order.</summary>
    public List<KafkaPoisonMessage>? Poison { get; private set; }

    public static DecodedRead Of(KafkaPartition partition, List<ConsumeResult<byte[], byte[]>> messages, IKafkaMessageDecoder? decoder)
    {
        var read = new DecodedRead(messages[^1].Offset.Value + 1, messages.Count);
        foreach (var message in messages)
        {
            var key = message.Message.Key is { } k ? Encoding.UTF8.GetString(k) : null;
            string? error;
            object? payload = null;
            if (string.IsNullOrEmpty(key))
            {
                error = "message has no key: the key names the entity stream";
            }
            else if (decoder is null)
            {
                payload = message.Message.Value ?? [];
                error = null;
            }
            else
            {
                KafkaDecodeResult decoded;
                try
                {
                    decoded = decoder.Decode(partition.StreamNamespace, message);
                }
                catch (Exception ex)
                {
                    // A decoder bug met by one message must not stop its partition: the message is a rejection.
                    decoded = KafkaDecodeResult.Fail($"decoder failed: {ex.GetType().Name}: {ex.Message}");
                }
                payload = decoded.Event;
                error = decoded.Event is null ? decoded.Error ?? "decoder returned nothing" : null;
            }
            if (error is not null || payload is null)
            {
                (read.Poison ??= []).Add(new KafkaPoisonMessage(message.Topic, message.Partition.Value, message.Offset.Value, key, message.Message.Value, error ?? "undecodable"));
                continue;
            }
            if (!read.byKey.TryGetValue(key!, out var records))
            {
                records = new KeyRecords(key!);
                read.byKey.Add(key!, records);
                read.Keys.Add(records);
            }
            records.Add(payload, message);
        }
        return read;
    }
}

/// <summary>One key's decoded records of one read, with the messages they came from (kept for rejections).</summary>
internal sealed class KeyRecords(string key)
{
    public string Key { get; } = key;

    public List<object> Payloads { get; } = [];

    public List<ConsumeResult<byte[], byte[]>> Messages { get; } = [];

    public void Add(object payload, ConsumeResult<byte[], byte[]> message)
    {
        Payloads.Add(payload);
        Messages.Add(message);
    }
}

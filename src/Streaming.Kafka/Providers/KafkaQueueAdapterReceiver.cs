using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// Reads one partition for the pulling agent and commits its offset once every message before it has
/// been delivered (at least once: a restart resumes from the committed offset).
/// </summary>
internal sealed partial class KafkaQueueAdapterReceiver(
    KafkaPartition partition,
    KafkaQueueCache cache,
    KafkaConsumerHub hub,
    IKafkaMessageDecoder? decoder,
    IKafkaPoisonMessageHandler? poisonHandler,
    IKafkaPullGate? gate,
    KafkaStreamStatistics statistics,
    ILogger logger) : IQueueAdapterReceiver
{
    private const int MaxMessagesPerRead = 2_000;
    private PartitionBuffer? buffer;
    private long? nextOffset;
    private long lastCommitted = -1;

    public async Task Initialize(TimeSpan timeout)
    {
        buffer = await hub.AssignAsync(partition.TopicPartition).WaitAsync(timeout);
        statistics.Assigned(partition);
    }

#pragma warning disable CS0672, CS0618 // Orleans 10.4.2 still declares the legacy overloads abstract.
    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
    {
        if (buffer is null || gate is { IsOpen: false })
        {
            return [];
        }
        var taken = buffer.Take(Math.Min(maxCount < 0 ? MaxMessagesPerRead : maxCount, MaxMessagesPerRead));
        if (taken.Count == 0)
        {
            return [];
        }
        // One container per stream per read, in offset order of each stream's first message.
        var groups = new Dictionary<string, (List<object> Payloads, List<long> Offsets)>(StringComparer.Ordinal);
        var order = new List<string>();
        List<KafkaPoisonMessage>? poison = null;
        foreach (var message in taken)
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
                var decoded = decoder.Decode(partition.StreamNamespace, message);
                payload = decoded.Event;
                error = decoded.Event is null ? decoded.Error ?? "decoder returned nothing" : null;
            }
            if (error is not null || payload is null)
            {
                (poison ??= []).Add(new KafkaPoisonMessage(message.Topic, message.Partition.Value, message.Offset.Value, key, message.Message.Value, error ?? "undecodable"));
                continue;
            }
            if (!groups.TryGetValue(key!, out var group))
            {
                group = ([], []);
                groups.Add(key!, group);
                order.Add(key!);
            }
            group.Payloads.Add(payload);
            group.Offsets.Add(message.Offset.Value);
        }
        var batch = new List<IBatchContainer>(order.Count);
        foreach (var key in order)
        {
            var group = groups[key];
            batch.Add(new KafkaBatchContainer(StreamId.Create(partition.StreamNamespace, key), [.. group.Payloads], [.. group.Offsets]));
        }
        if (poison is not null)
        {
            // The partition moves past a poison message only once it is recorded.
            if (poisonHandler is not null)
            {
                await poisonHandler.HandleAsync(poison, CancellationToken.None);
            }
            foreach (var p in poison)
            {
                LogPoison(p.Topic, p.Partition, p.Offset, p.Reason);
            }
            statistics.Rejected(partition, poison.Count);
        }
        nextOffset = taken[^1].Offset.Value + 1;
        statistics.Consumed(partition, taken.Count, nextOffset.Value);
        return batch;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages)
    {
        CommitDelivered();
        return Task.CompletedTask;
    }
#pragma warning restore CS0672, CS0618

    public async Task Shutdown(TimeSpan timeout)
    {
        // Whatever is delivered by now is committed; the rest is read again by the next owner.
        CommitDelivered();
        statistics.Unassigned(partition);
        await hub.UnassignAsync(partition.TopicPartition).WaitAsync(timeout);
    }

    private void CommitDelivered()
    {
        if (nextOffset is not { } next)
        {
            return;
        }
        var committable = cache.FirstUncommittableOffset ?? next;
        if (committable > lastCommitted)
        {
            hub.Commit(partition.TopicPartition, committable);
            lastCommitted = committable;
            statistics.Committed(partition, committable);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message {Topic}/{Partition}@{Offset} skipped: {Reason}")]
    private partial void LogPoison(string topic, int partition, long offset, string reason);
}

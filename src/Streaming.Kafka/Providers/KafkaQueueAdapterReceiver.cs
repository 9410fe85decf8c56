using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// Reads one partition for the pulling agent and commits its offset once every message before it has
/// been delivered (at least once: a restart resumes from the committed offset).
/// </summary>
internal sealed class KafkaQueueAdapterReceiver(
    KafkaPartition partition,
    KafkaQueueCache cache,
    KafkaConsumerHub hub,
    IKafkaMessageDecoder? decoder,
    IKafkaPoisonMessageHandler? poisonHandler,
    IKafkaPullGate? gate,
    IKafkaRecordHandler? directHandler,
    InFlightBudget budget,
    KafkaStreamOptions options,
    KafkaStreamStatistics statistics,
    ILogger logger,
    IKafkaReadObserver? observer = null) : IQueueAdapterReceiver
{
    private const int MaxMessagesPerRead = 2_000;
    private volatile KafkaPartitionPump? pump;
    private volatile PartitionBuffer? buffer;
    private Task assigning = Task.CompletedTask;
    private long? nextOffset;
    private long lastCommitted = -1;

    /// <remarks>
    /// The pulling agent carries on when this times out (its default is 5 s), and never calls it again for this
    /// receiver; so a slow assignment (a loaded machine, a slow broker) is finished in the background rather than
    /// abandoned, which would leave the partition assigned in the consumer and read by nobody.
    /// </remarks>
    public Task Initialize(TimeSpan timeout)
    {
        assigning = AssignAsync();
        return assigning.WaitAsync(timeout);
    }

    private async Task AssignAsync()
    {
        var assigned = await hub.AssignAsync(partition.TopicPartition).ConfigureAwait(false);
        statistics.Assigned(partition);
        observer?.Assigned(partition.Topic, partition.Partition, assigned.StartOffset);
        if (directHandler is not null)
        {
            // Direct delivery: the pump reads and delivers; the pulling agent is handed nothing and only owns the lifetime.
            var started = new KafkaPartitionPump(partition, assigned, hub, decoder, poisonHandler, gate, directHandler, observer, budget, statistics, options, logger);
            started.Start();
            pump = started;
        }
        buffer = assigned;
    }

#pragma warning disable CS0672, CS0618 // Orleans 10.4.2 still declares the legacy overloads abstract.
    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
    {
        if (buffer is null || pump is not null || gate is { IsOpen: false })
        {
            return [];
        }
        var taken = buffer.Take(Math.Min(maxCount < 0 ? MaxMessagesPerRead : maxCount, MaxMessagesPerRead));
        if (taken.Count == 0)
        {
            return [];
        }
        observer?.Read(taken);
        // One container per stream per read, in offset order of each stream's first message.
        var read = DecodedRead.Of(partition, taken, decoder);
        var batch = new List<IBatchContainer>(read.Keys.Count);
        foreach (var group in read.Keys)
        {
            batch.Add(new KafkaBatchContainer(StreamId.Create(partition.StreamNamespace, group.Key), [.. group.Payloads], [.. group.Messages.Select(m => m.Offset.Value)]));
        }
        if (read.Poison is { } poison)
        {
            // The partition moves past a poison message only once it is recorded.
            await PoisonMessages.RecordAsync(poisonHandler, poison, partition, statistics, logger);
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
        // An assignment still under way finishes first, so that its partition is released below.
        await assigning.WaitAsync(timeout);
        // Whatever is delivered by now is committed; the rest is read again by the next owner.
        if (pump is { } running)
        {
            await running.StopAsync(timeout);
        }
        CommitDelivered();
        statistics.Unassigned(partition);
        // Told before the unassignment, which may time out: nothing is read for the observer past this point.
        observer?.Unassigned(partition.Topic, partition.Partition);
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

}

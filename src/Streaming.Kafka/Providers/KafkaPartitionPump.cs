using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// Direct delivery of one partition: takes what the shared consumer read, decodes it, groups it by key and hands each
/// key's records to the <see cref="IKafkaRecordHandler"/>, many keys at once and one call at a time per key; commits
/// the offset after the longest prefix of reads whose every call has completed.
/// </summary>
/// <remarks>
/// Replaces, for a partition, the pulling agent's per-stream cursors, stream registration and sequence-token handshake:
/// an entity that was idle costs nothing more than one that was busy. The agent still owns the receiver's lifetime, so
/// the queue balancer keeps deciding which silo reads the partition and moves it when a silo dies.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification =
    "Calls that outlive StopAsync's timeout may still run; the token source holds no wait handle or timer, so it is left to the collector.")]
internal sealed partial class KafkaPartitionPump
{
    private const int MaxMessagesPerRead = 2_000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly KafkaPartition partition;
    private readonly PartitionBuffer buffer;
    private readonly KafkaConsumerHub hub;
    private readonly IKafkaMessageDecoder? decoder;
    private readonly IKafkaPoisonMessageHandler? poisonHandler;
    private readonly IKafkaPullGate? gate;
    private readonly IKafkaRecordHandler handler;
    private readonly IKafkaReadObserver? observer;
    private readonly KafkaStreamStatistics statistics;
    private readonly KafkaStreamOptions options;
    private readonly ILogger logger;

    private readonly Lock sync = new();
    private readonly Dictionary<string, Lane> lanes = new(StringComparer.Ordinal);
    private readonly Queue<ReadProgress> reads = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly InFlightBudget budget;
    private int runningLanes;
    private long lastCommitted = -1;
    private Task run = Task.CompletedTask;

    public KafkaPartitionPump(
        KafkaPartition partition, PartitionBuffer buffer, KafkaConsumerHub hub, IKafkaMessageDecoder? decoder, IKafkaPoisonMessageHandler? poisonHandler,
        IKafkaPullGate? gate, IKafkaRecordHandler handler, IKafkaReadObserver? observer, InFlightBudget budget, KafkaStreamStatistics statistics, KafkaStreamOptions options, ILogger logger)
    {
        this.budget = budget;
        this.partition = partition;
        this.buffer = buffer;
        this.hub = hub;
        this.decoder = decoder;
        this.poisonHandler = poisonHandler;
        this.gate = gate;
        this.handler = handler;
        this.observer = observer;
        this.statistics = statistics;
        this.options = options;
        this.logger = logger;
    }

    public void Start() => run = Task.Run(RunAsync);

    /// <summary>
    /// Stops taking messages, lets the calls in progress finish (up to <paramref name="timeout"/>) and commits what they
    /// completed. Records not delivered by then are read again by the partition's next owner.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await stopping.CancelAsync();
        await run;
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Volatile.Read(ref runningLanes) > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10);
        }
        CommitCompleted();
    }

    private async Task RunAsync()
    {
        var token = stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (gate is { IsOpen: false })
                {
                    await Task.Delay(50, token);
                    continue;
                }
                var room = budget.Available;
                if (room <= 0)
                {
                    await budget.WaitAsync(TimeSpan.FromMilliseconds(100), token);
                    continue;
                }
                var taken = buffer.Take(Math.Min(room, MaxMessagesPerRead));
                if (taken.Count == 0)
                {
                    await buffer.WaitAsync(TimeSpan.FromMilliseconds(100), token);
                    continue;
                }
                observer?.Read(taken);
                await DispatchAsync(DecodedRead.Of(partition, taken, decoder), token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: what was taken and not delivered is read again by the next owner.
        }
        catch (Exception ex)
        {
            // A bug, not a record: stop taking, so that no later read is committed past the one that failed. The
            // partition's lag shows it, and its next owner reads from the committed offset.
            LogPumpFailed(partition.Topic, partition.Partition, ex);
        }
    }

    private async Task DispatchAsync(DecodedRead read, CancellationToken token)
    {
        statistics.Consumed(partition, read.Count, read.NextOffset);
        if (read.Poison is { } poison)
        {
            // Recorded before the read can complete, so its offsets are committed only once the rejections are durable.
            await RecordUntilDoneAsync(poison, token);
        }
        var progress = new ReadProgress(read.NextOffset, read.Keys.Count, read.Count);
        LogDispatch(partition.Topic, partition.Partition, read.NextOffset, read.Count, read.Keys.Count, read.Poison?.Count ?? 0);
        budget.Take(read.Count);
        List<Lane>? start = null;
        lock (sync)
        {
            reads.Enqueue(progress);
            foreach (var records in read.Keys)
            {
                if (!lanes.TryGetValue(records.Key, out var lane))
                {
                    lane = new Lane(records.Key);
                    lanes.Add(records.Key, lane);
                    (start ??= []).Add(lane);
                }
                lane.Queue(records, progress);
            }
        }
        if (start is not null)
        {
            Interlocked.Add(ref runningLanes, start.Count);
            foreach (var lane in start)
            {
                _ = RunLaneAsync(lane);
            }
        }
        if (read.Keys.Count == 0)
        {
            Complete(progress);
        }
    }

    /// <summary>Delivers a key's records one call at a time until its lane is empty.</summary>
    private async Task RunLaneAsync(Lane lane)
    {
        // Off the dispatching loop: the first call's synchronous part must not hold up the next key.
        await Task.Yield();
        try
        {
            while (true)
            {
                Batch batch;
                lock (sync)
                {
                    if (lane.IsEmpty || stopping.IsCancellationRequested)
                    {
                        lanes.Remove(lane.Key);
                        return;
                    }
                    batch = lane.TakeAll();
                }
                if (!await DeliverUntilDoneAsync(lane.Key, batch))
                {
                    lock (sync)
                    {
                        lanes.Remove(lane.Key);
                    }
                    return;
                }
                foreach (var read in batch.Reads)
                {
                    if (Interlocked.Decrement(ref read.RemainingKeys) == 0)
                    {
                        Complete(read);
                    }
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref runningLanes);
        }
    }

    /// <summary>
    /// Delivers one call's records, retrying; false only when the pump stops first. A failure that is not the
    /// cluster's own, repeated <see cref="KafkaStreamOptions.DeliveryAttempts"/> times, turns the records into
    /// rejections: one entity that cannot take its records must not stop its partition.
    /// </summary>
    private async Task<bool> DeliverUntilDoneAsync(string key, Batch batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handler.DeliverAsync(partition.StreamNamespace, key, batch.Payloads);
                return true;
            }
            catch (Exception ex)
            {
                if (stopping.IsCancellationRequested)
                {
                    return false;
                }
                if (!IsClusterFailure(ex) && attempt >= options.DeliveryAttempts)
                {
                    LogDeliveryRejected(partition.Topic, partition.Partition, key, attempt, ex);
                    var reason = $"delivery to '{key}' failed {attempt} times: {ex.GetType().Name}: {ex.Message}";
                    var rejected = batch.Messages
                        .Select(m => new KafkaPoisonMessage(m.Topic, m.Partition.Value, m.Offset.Value, key, m.Message.Value, reason) { Kind = KafkaPoisonKind.DeliveryFailed })
                        .ToList();
                    return await RecordUntilDoneAsync(rejected, stopping.Token);
                }
                if (attempt == 1 || attempt % 10 == 0)
                {
                    LogDeliveryRetry(partition.Topic, partition.Partition, key, attempt, ex);
                }
                try
                {
                    await Task.Delay(Backoff(attempt), stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }

    private async Task<bool> RecordUntilDoneAsync(List<KafkaPoisonMessage> poison, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await PoisonMessages.RecordAsync(poisonHandler, poison, partition, statistics, logger);
                return true;
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                LogPoisonRecordRetry(partition.Topic, partition.Partition, poison.Count, ex);
                try
                {
                    await Task.Delay(Backoff(attempt), token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Something around the entity failed, not the entity: a silo went away, a call timed out or was refused, a database
    /// or network error that says it is transient, anywhere in the exception's chain. Retrying helps; rejecting would lose
    /// good records.
    /// </summary>
    internal static bool IsClusterFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OrleansMessageRejectionException or OperationCanceledException or System.IO.IOException
                or System.Net.Sockets.SocketException or System.Data.Common.DbException { IsTransient: true })
            {
                return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsClusterFailure))
            {
                return true;
            }
        }
        return false;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(attempt, 10))));

    private void Complete(ReadProgress read)
    {
        budget.Return(read.Records);
        CommitCompleted();
    }

    private void CommitCompleted()
    {
        lock (sync)
        {
            long next = -1;
            while (reads.TryPeek(out var head) && Volatile.Read(ref head.RemainingKeys) <= 0)
            {
                reads.Dequeue();
                next = head.NextOffset;
            }
            if (next <= lastCommitted)
            {
                return;
            }
            lastCommitted = next;
            // Handed on under the lock: two lanes completing reads at once must not hand their offsets on in the wrong
            // order, or the later, lower one replaces the higher one and the partition's commit goes back for good.
            hub.Commit(partition.TopicPartition, next);
            statistics.Committed(partition, next);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read of {Topic}/{Partition} up to offset {Next} ({Records} records): {Keys} keys, {Poison} rejected")]
    private partial void LogDispatch(string topic, int partition, long next, int records, int keys, int poison);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The pump of {Topic}/{Partition} failed and stopped taking messages; the partition resumes at its committed offset when it is next assigned")]
    private partial void LogPumpFailed(string topic, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {Key} from {Topic}/{Partition} failed (attempt {Attempt}); retrying")]
    private partial void LogDeliveryRetry(string topic, int partition, string key, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of {Key} from {Topic}/{Partition} failed {Attempt} times; its records become rejections")]
    private partial void LogDeliveryRejected(string topic, int partition, string key, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} rejected messages of {Topic}/{Partition} failed; retrying")]
    private partial void LogPoisonRecordRetry(string topic, int partition, int count, Exception exception);

    /// <summary>A read still being delivered: it completes when every key in it has been delivered.</summary>
    private sealed class ReadProgress(long nextOffset, int keys, int records)
    {
        public int RemainingKeys = keys;

        public long NextOffset { get; } = nextOffset;

        public int Records { get; } = records;
    }

    /// <summary>Records of one call: possibly from several reads, when the key's previous call was still running.</summary>
    private readonly record struct Batch(List<object> Payloads, List<ConsumeResult<byte[], byte[]>> Messages, List<ReadProgress> Reads);

    /// <summary>One key's records waiting for its call in progress to finish.</summary>
    private sealed class Lane(string key)
    {
        private List<object> payloads = [];
        private List<ConsumeResult<byte[], byte[]>> messages = [];
        private List<ReadProgress> reads = [];

        public string Key { get; } = key;

        public bool IsEmpty => payloads.Count == 0;

        public void Queue(KeyRecords records, ReadProgress read)
        {
            if (payloads.Count == 0)
            {
                // The common case: take the read's lists instead of copying them.
                payloads = records.Payloads;
                messages = records.Messages;
            }
            else
            {
                payloads.AddRange(records.Payloads);
                messages.AddRange(records.Messages);
            }
            reads.Add(read);
        }

        public Batch TakeAll()
        {
            var batch = new Batch(payloads, messages, reads);
            payloads = [];
            messages = [];
            reads = [];
            return batch;
        }
    }
}

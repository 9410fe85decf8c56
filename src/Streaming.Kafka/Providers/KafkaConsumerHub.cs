using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// One Kafka consumer per silo and provider, shared by all of the silo's queues. Partitions are assigned
/// explicitly (no group rebalancing: Orleans decides which silo reads which queue). A dedicated thread
/// polls, fills one bounded buffer per partition and pauses a partition whose buffer is full; every
/// other consumer call is made from that thread too.
/// </summary>
internal sealed partial class KafkaConsumerHub : IDisposable
{
    private readonly IConsumer<byte[], byte[]> consumer;
    private readonly KafkaStreamOptions options;
    private readonly ILogger logger;
    private readonly ConcurrentQueue<Action> commands = new();
    private readonly ConcurrentDictionary<TopicPartition, PartitionBuffer> buffers = new();
    private readonly ConcurrentDictionary<TopicPartition, Offset> pendingCommits = new();
    private readonly Dictionary<TopicPartition, long> highestCommits = [];
    private readonly KafkaStreamStatistics? statistics;
    private readonly CancellationTokenSource stopping = new();
    private readonly Thread thread;
    private readonly ConcurrentDictionary<Confluent.Kafka.ErrorCode, long> lastErrorLog = new();

    public KafkaConsumerHub(KafkaStreamOptions options, ILogger logger, KafkaStreamStatistics? statistics = null)
    {
        this.options = options;
        this.logger = logger;
        this.statistics = statistics;
        consumer = new ConsumerBuilder<byte[], byte[]>(ConfigFor(options))
            .SetErrorHandler((_, e) => LogKafkaErrorThrottled(e.Code, e.Reason))
            .SetLogHandler((_, m) => LogKafkaLog(m.Facility, m.Message))
            .Build();
        thread = new Thread(Run) { IsBackground = true, Name = "kafka-consumer-hub" };
        thread.Start();
    }

    /// <summary>
    /// The consumer's configuration: the provider's client settings (SASL, SSL, ...), then the fixed ones on top; the
    /// fetch wait is <see cref="KafkaStreamOptions.MaxFetchWait"/> unless the client settings name one.
    /// </summary>
    internal static ConsumerConfig ConfigFor(KafkaStreamOptions options)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(options.ClientSettings))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.ConsumerGroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.StartPosition == KafkaStartPosition.Earliest ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            EnablePartitionEof = false,
        };
        config.FetchWaitMaxMs ??= (int)options.MaxFetchWait.TotalMilliseconds;
        return config;
    }

    /// <summary>Starts reading a partition from its committed offset, else from the configured start.</summary>
    public Task<PartitionBuffer> AssignAsync(TopicPartition partition) => Invoke(() =>
    {
        var committed = consumer.Committed([partition], options.MetadataTimeout).Single();
        var start = committed.Offset.IsSpecial
            ? (options.StartPosition == KafkaStartPosition.Earliest ? Offset.Beginning : Offset.End)
            : committed.Offset;
        var buffer = new PartitionBuffer(partition, options.PrefetchPerPartition, this)
        {
            StartOffset = committed.Offset.IsSpecial ? null : committed.Offset.Value,
            NextExpected = committed.Offset.IsSpecial ? null : committed.Offset.Value,
        };
        buffers[partition] = buffer;
        // A new assignment starts from the broker's committed offset, whatever this silo committed before.
        lock (highestCommits)
        {
            highestCommits.Remove(partition);
        }
        consumer.IncrementalAssign([new TopicPartitionOffset(partition, start)]);
        LogAssigned(partition.Topic, partition.Partition.Value, start);
        return buffer;
    });

    /// <summary>Stops reading a partition and commits what is pending for it.</summary>
    public Task UnassignAsync(TopicPartition partition) => Invoke(() =>
    {
        CommitPending();
        if (buffers.TryRemove(partition, out var removed))
        {
            removed.Dispose();
            consumer.IncrementalUnassign([partition]);
            LogUnassigned(partition.Topic, partition.Partition.Value);
        }
        return true;
    });

    /// <summary>
    /// Records that everything before <paramref name="nextOffset"/> is delivered; committed on the poll thread. An offset
    /// at or below one already recorded since the partition was assigned here is ignored: a commit never goes back.
    /// </summary>
    public void Commit(TopicPartition partition, long nextOffset)
    {
        lock (highestCommits)
        {
            if (highestCommits.TryGetValue(partition, out var highest) && highest >= nextOffset)
            {
                return;
            }
            highestCommits[partition] = nextOffset;
            pendingCommits[partition] = new Offset(nextOffset);
        }
    }

    /// <summary>The offset waiting to be committed for <paramref name="partition"/>, if any (for tests).</summary>
    internal long? PendingCommit(TopicPartition partition) => pendingCommits.TryGetValue(partition, out var o) ? o.Value : null;

    /// <summary>Commits what is pending now and waits for it.</summary>
    public Task FlushCommitsAsync() => Invoke(() =>
    {
        CommitPending();
        return true;
    });

    /// <summary>High watermark of a partition as last seen by this consumer (no broker round trip).</summary>
    public long? HighWatermark(TopicPartition partition)
    {
        var w = consumer.GetWatermarkOffsets(partition);
        return w.High.IsSpecial ? null : w.High.Value;
    }

    internal void RequestResume(TopicPartition partition) => commands.Enqueue(() =>
    {
        if (buffers.TryGetValue(partition, out var b) && b.Paused)
        {
            consumer.Resume([partition]);
            b.Paused = false;
        }
    });

    private Task<T> Invoke<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        commands.Enqueue(() =>
        {
            try
            {
                done.SetResult(action());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    private void Run()
    {
        var lastCommit = DateTime.UtcNow;
        while (!stopping.IsCancellationRequested)
        {
            while (commands.TryDequeue(out var command))
            {
                command();
            }
            if (DateTime.UtcNow - lastCommit >= options.CommitInterval)
            {
                CommitPending();
                lastCommit = DateTime.UtcNow;
            }
            if (buffers.IsEmpty)
            {
                Thread.Sleep(20);
                continue;
            }
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(20));
            }
            catch (ConsumeException ex)
            {
                LogKafkaError(ex.Error.Code, ex.Error.Reason);
                continue;
            }
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }
            if (!buffers.TryGetValue(result.TopicPartition, out var buffer))
            {
                continue;
            }
            CheckContiguous(buffer, result);
            if (buffer.Add(result))
            {
                consumer.Pause([result.TopicPartition]);
                buffer.Paused = true;
            }
        }
    }

    /// <summary>
    /// Says so when a partition's messages do not follow on from the last one read (or from the committed offset reading
    /// started at): the broker no longer had them (retention deleted them before they were read, and the consumer
    /// started again at the earliest it still has), or they are not data (transaction markers, compaction). Either way
    /// nothing at those offsets was delivered; our own topics have neither markers nor compaction.
    /// </summary>
    private void CheckContiguous(PartitionBuffer buffer, ConsumeResult<byte[], byte[]> result)
    {
        var offset = result.Offset.Value;
        if (buffer.NextExpected is { } expected && offset > expected)
        {
            statistics?.Skipped(result.Topic, result.Partition.Value, offset - expected);
            LogSkipped(result.Topic, result.Partition.Value, expected, offset - 1, offset - expected);
        }
        buffer.NextExpected = offset + 1;
    }

    private void CommitPending()
    {
        if (pendingCommits.IsEmpty)
        {
            return;
        }
        var batch = new List<TopicPartitionOffset>();
        foreach (var (tp, offset) in pendingCommits)
        {
            if (pendingCommits.TryRemove(new KeyValuePair<TopicPartition, Offset>(tp, offset)))
            {
                batch.Add(new TopicPartitionOffset(tp, offset));
            }
        }
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(batch);
        }
        catch (KafkaException ex)
        {
            // Keep the newest pending value; a failed commit is retried at the next interval.
            foreach (var tpo in batch)
            {
                pendingCommits.AddOrUpdate(tpo.TopicPartition, tpo.Offset, (_, newer) => newer.Value >= tpo.Offset.Value ? newer : tpo.Offset);
            }
            LogCommitFailed(ex.Error.Code, ex.Error.Reason);
        }
    }

    /// <summary>A broker that is down reports the same error many times a second; say it once per code per 10 s.</summary>
    private void LogKafkaErrorThrottled(Confluent.Kafka.ErrorCode code, string reason)
    {
        var now = Environment.TickCount64;
        if (lastErrorLog.TryGetValue(code, out var last) && now - last < 10_000)
        {
            return;
        }
        lastErrorLog[code] = now;
        LogKafkaError(code, reason);
    }

    public void Dispose()
    {
        stopping.Cancel();
        thread.Join(TimeSpan.FromSeconds(10));
        try
        {
            CommitPending();
            consumer.Close();
        }
        catch (KafkaException ex)
        {
            LogKafkaError(ex.Error.Code, ex.Error.Reason);
        }
        consumer.Dispose();
        stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason}")]
    private partial void LogKafkaError(Confluent.Kafka.ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    private partial void LogKafkaLog(string facility, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Topic}/{Partition} from offset {Offset}")]
    private partial void LogAssigned(string topic, int partition, Offset offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped reading {Topic}/{Partition}")]
    private partial void LogUnassigned(string topic, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Offsets {From}-{To} of {Topic}/{Partition} were skipped ({Count}): the broker no longer had them (retention deleted them before this silo read them) or they are not data; nothing at those offsets was delivered")]
    private partial void LogSkipped(string topic, int partition, long from, long to, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset commit failed ({Code}: {Reason}); retrying")]
    private partial void LogCommitFailed(Confluent.Kafka.ErrorCode code, string reason);
}

/// <summary>Messages read from one partition and not yet taken by its receiver.</summary>
internal sealed class PartitionBuffer(TopicPartition partition, int capacity, KafkaConsumerHub hub) : IDisposable
{
    private readonly ConcurrentQueue<ConsumeResult<byte[], byte[]>> queue = new();
    private readonly SemaphoreSlim arrived = new(0, 1);
    private int count;

    public TopicPartition Partition { get; } = partition;

    /// <summary>The committed offset reading started at; null when there was none (the configured start position).</summary>
    public long? StartOffset { get; init; }

    /// <summary>The offset the next message should have; null until known. Read and written on the poll thread only.</summary>
    public long? NextExpected { get; set; }

    private volatile bool paused;

    /// <summary>Set on the poll thread; read by the receiver to ask for a resume only when one is needed.</summary>
    public bool Paused
    {
        get => paused;
        set => paused = value;
    }

    public int Count => Volatile.Read(ref count);

    /// <summary>Adds a message; true when the buffer is now full and the partition should pause.</summary>
    public bool Add(ConsumeResult<byte[], byte[]> message)
    {
        queue.Enqueue(message);
        if (arrived.CurrentCount == 0)
        {
            try
            {
                arrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another message signalled first: one wake-up is enough.
            }
        }
        return Interlocked.Increment(ref count) >= capacity;
    }

    public void Dispose() => arrived.Dispose();

    /// <summary>Waits until a message may have arrived since the last wait, or the timeout passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => arrived.WaitAsync(timeout, cancellationToken);

    public List<ConsumeResult<byte[], byte[]>> Take(int max)
    {
        // Count may be briefly below the queue's length, even negative: Add enqueues before it counts.
        var taken = new List<ConsumeResult<byte[], byte[]>>(Math.Clamp(Count, 0, max));
        while (taken.Count < max && queue.TryDequeue(out var m))
        {
            taken.Add(m);
        }
        if (Interlocked.Add(ref count, -taken.Count) <= capacity / 2 && Paused)
        {
            hub.RequestResume(Partition);
        }
        return taken;
    }
}

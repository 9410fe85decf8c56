using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;
using Shopstream.Streaming.Kafka.Providers;

namespace Shopstream.Streaming.Kafka.Tests;

/// <summary>
/// What a partition's pump hands to the consumer hub to commit: the end of the longest prefix of reads whose every call
/// completed, never going back. Commits are only recorded here (the hub's consumer has no broker to reach); the
/// cluster tests commit to a broker.
/// </summary>
public sealed class PartitionCommitTests : IDisposable
{
    private static readonly KafkaPartition Partition = new(QueueId.GetQueueId("q", 0, 0), "users", 1, "users");

    private readonly KafkaStreamOptions options;
    private readonly KafkaConsumerHub hub;

    public PartitionCommitTests()
    {
        LibrdkafkaLocator.EnsureLoaded();
        // librdkafka's own mock cluster, made by the consumer itself: only the hub's commit bookkeeping is used, but closing
        // the consumer commits what is pending to a broker.
        options = new KafkaStreamOptions { BootstrapServers = "127.0.0.1:1", ConsumerGroupId = "g", DeliveryAttempts = 3 };
        options.ClientSettings["test.mock.num.brokers"] = "1";
        options.Topics.Add(new KafkaTopicOptions { Name = "users", StreamNamespace = "users" });
        hub = new KafkaConsumerHub(options, NullLogger.Instance);
    }

    public void Dispose() => hub.Dispose();

    [Fact]
    public void A_lower_offset_handed_on_after_a_higher_one_does_not_take_the_commit_back()
    {
        // Two lanes finishing reads at the same moment can hand their offsets on in either order; the partition of a
        // three-silo test cluster stayed at 4 of 56 for good when the lower one came last.
        hub.Commit(Partition.TopicPartition, 56);
        hub.Commit(Partition.TopicPartition, 4);

        Assert.Equal(56, hub.PendingCommit(Partition.TopicPartition));

        hub.Commit(Partition.TopicPartition, 57);
        Assert.Equal(57, hub.PendingCommit(Partition.TopicPartition));
    }

    [Fact]
    public async Task A_read_is_committed_only_once_every_read_before_it_completed()
    {
        // Read 1 holds key a (offsets 0-1); read 2 holds key b (offsets 2-3). b's call finishes first: nothing may be
        // committed until a's call finishes, then everything up to 4 is.
        var handler = new HeldHandler("a");
        var statistics = new KafkaStreamStatistics();
        using var budget = new InFlightBudget(1_000);
        var (pump, buffer) = StartPump(handler, statistics, budget);

        buffer.Add(Message(0, "a"));
        buffer.Add(Message(1, "a"));
        await WaitUntilAsync(() => Stats(statistics).NextOffset == 2);
        buffer.Add(Message(2, "b"));
        buffer.Add(Message(3, "b"));
        await WaitUntilAsync(() => handler.Delivered.Contains("b"));
        await Task.Delay(200);

        Assert.Null(hub.PendingCommit(Partition.TopicPartition));
        Assert.Equal(-1, Stats(statistics).CommittedOffset);

        handler.Release();
        await WaitUntilAsync(() => hub.PendingCommit(Partition.TopicPartition) == 4);
        Assert.Equal(4, Stats(statistics).CommittedOffset);
        Assert.Equal(["b", "a"], handler.Delivered);
        await pump.StopAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Reads_finishing_together_leave_the_commit_at_the_end_of_the_last()
    {
        // Every read's one key is held and released together with the next read's, so that completions race; after each
        // pair the commit must stand at the pair's end. (The race that once took a commit back needs a thread preempted
        // between two instructions: 5,000 pairs here did not hit it on the old code. The test above pins the hub's
        // guard against it deterministically.)
        var handler = new PairedHandler();
        var statistics = new KafkaStreamStatistics();
        using var budget = new InFlightBudget(1_000);
        var (pump, buffer) = StartPump(handler, statistics, budget);
        for (var pair = 0; pair < 200; pair++)
        {
            var first = pair * 2;
            buffer.Add(Message(first, $"k{first}"));
            await WaitUntilAsync(() => Stats(statistics).NextOffset == first + 1);
            buffer.Add(Message(first + 1, $"k{first + 1}"));
            await WaitUntilAsync(() => hub.PendingCommit(Partition.TopicPartition) == first + 2 && Stats(statistics).CommittedOffset == first + 2,
                () => $"pair {pair}: hub {hub.PendingCommit(Partition.TopicPartition)}, statistics {Stats(statistics).CommittedOffset}, expected {first + 2}");
        }
        await pump.StopAsync(TimeSpan.FromSeconds(5));
    }

    private (KafkaPartitionPump Pump, PartitionBuffer Buffer) StartPump(IKafkaRecordHandler handler, KafkaStreamStatistics statistics, InFlightBudget budget)
    {
        var buffer = new PartitionBuffer(Partition.TopicPartition, 1_000, hub);
        var pump = new KafkaPartitionPump(Partition, buffer, hub, decoder: null, poisonHandler: null, gate: null, handler, observer: null,
            budget, statistics, options, NullLogger.Instance);
        pump.Start();
        return (pump, buffer);
    }

    private static KafkaPartitionStatistics Stats(KafkaStreamStatistics statistics) =>
        statistics.Snapshot().SingleOrDefault() ?? new KafkaPartitionStatistics(Partition.Topic, Partition.Partition, false, 0, 0, -1, -1, null);

    private static ConsumeResult<byte[], byte[]> Message(long offset, string key) => new()
    {
        Topic = Partition.Topic,
        Partition = new Confluent.Kafka.Partition(Partition.Partition),
        Offset = new Offset(offset),
        Message = new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(key), Value = [1] },
    };

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met within 10 s{(describe is null ? "" : ": " + describe())}");
            }
            await Task.Delay(5);
        }
    }

    /// <summary>Holds the calls to one key until released; others complete at once.</summary>
    private sealed class HeldHandler(string heldKey) : IKafkaRecordHandler
    {
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Delivered { get; } = [];

        public void Release() => released.SetResult();

        public async Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            if (key == heldKey)
            {
                await released.Task;
            }
            lock (Delivered)
            {
                Delivered.Add(key);
            }
        }
    }

    /// <summary>Holds each call until a second one arrives, then completes both at once, on two threads.</summary>
    private sealed class PairedHandler : IKafkaRecordHandler
    {
        private readonly Lock gate = new();
        private TaskCompletionSource? waiting;

        public Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            lock (gate)
            {
                if (waiting is null)
                {
                    waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    return waiting.Task;
                }
                // The first call's lane goes on on the thread pool while this one goes on on this thread.
                waiting.SetResult();
                waiting = null;
                return Task.CompletedTask;
            }
        }
    }
}

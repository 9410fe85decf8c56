using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Streams;
using Shopstream.Streaming.Kafka;
using Shopstream.Streaming.Kafka.Providers;
using Shopstream.Tests.Support;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>
/// Direct delivery of one partition against the embedded broker: per-key order, many keys at once, offsets committed
/// only behind completed calls, failing entities turned into rejections, the cluster's own failures retried.
/// </summary>
public sealed class PartitionPumpTests
{
    [Fact]
    public async Task Each_keys_records_arrive_in_offset_order_one_call_at_a_time_while_keys_run_concurrently()
    {
        // 600 messages over 6 keys, interleaved; each call takes a while, so a key's later records pile up behind it.
        var messages = Enumerable.Range(0, 600).Select(i => ($"k{i % 6}", $"{i}")).ToList();
        await using var run = await PumpRun.StartAsync(messages, new SlowHandler(TimeSpan.FromMilliseconds(20)));

        await run.WaitForCommitAsync(600);

        var handler = (SlowHandler)run.Handler;
        Assert.Equal(0, handler.Overlaps);
        Assert.True(handler.MaxConcurrentKeys > 1, $"keys were delivered one at a time (max {handler.MaxConcurrentKeys} at once)");
        for (var k = 0; k < 6; k++)
        {
            var expected = Enumerable.Range(0, 600).Where(i => i % 6 == k).Select(i => $"{i}").ToList();
            Assert.Equal(expected, handler.Received[$"k{k}"]);
        }
        // Records that piled up behind a running call went out together: fewer calls than records.
        Assert.True(handler.Calls < 600, $"{handler.Calls} calls for 600 records");
    }

    [Fact]
    public async Task Offset_is_not_committed_past_a_record_whose_call_has_not_completed()
    {
        var messages = Enumerable.Range(0, 50).Select(i => (i == 10 ? "held" : $"k{i}", $"{i}")).ToList();
        var handler = new HoldingHandler("held");
        await using var run = await PumpRun.StartAsync(messages, handler);

        // Everything else is delivered, but the commit stays at the held record's read: 0 of the 50 are committed.
        await Eventually.Until(() => Task.FromResult(handler.Delivered), n => n == 49, TimeSpan.FromSeconds(20), "the 49 records not held delivered");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await run.CommittedAsync() <= 10, $"committed {await run.CommittedAsync()} with offset 10 still in delivery");

        handler.Release();
        await run.WaitForCommitAsync(50);
    }

    [Fact]
    public async Task An_entity_that_keeps_failing_becomes_rejections_and_the_partition_moves_on()
    {
        var messages = Enumerable.Range(0, 30).Select(i => (i % 10 == 3 ? "broken" : $"k{i}", $"{i}")).ToList();
        var handler = new FailingHandler("broken", failures: int.MaxValue, () => new InvalidOperationException("state of 'broken' cannot be applied"));
        await using var run = await PumpRun.StartAsync(messages, handler, deliveryAttempts: 3);

        await run.WaitForCommitAsync(30);

        // The three records of the broken key (offsets 3, 13, 23) are rejections with the failure in their reason;
        // the 27 others were delivered.
        Assert.Equal([3L, 13L, 23L], run.Rejected.Select(r => r.Offset).Order());
        Assert.All(run.Rejected, r => Assert.Contains("state of 'broken' cannot be applied", r.Reason, StringComparison.Ordinal));
        Assert.All(run.Rejected, r => Assert.Equal("broken", r.Key));
        Assert.All(run.Rejected, r => Assert.Equal(KafkaPoisonKind.DeliveryFailed, r.Kind));
        Assert.Equal(27, handler.Delivered);
    }

    [Fact]
    public async Task A_failure_of_the_cluster_is_retried_and_never_rejected()
    {
        var messages = Enumerable.Range(0, 20).Select(i => ($"k{i}", $"{i}")).ToList();
        // A timeout wrapped the way Orleans reports a call that got no answer, more times than the attempts allowed.
        var handler = new FailingHandler("k7", failures: 8, () => new InvalidOperationException("call failed", new TimeoutException("no answer in 30 s")));
        await using var run = await PumpRun.StartAsync(messages, handler, deliveryAttempts: 2);

        await run.WaitForCommitAsync(20);

        Assert.Empty(run.Rejected);
        Assert.Equal(20, handler.Delivered);
        Assert.Equal(8, handler.Failures);
    }

    [Fact]
    public async Task Undecodable_messages_are_rejections_and_do_not_reach_the_handler()
    {
        var messages = new List<(string, string)> { ("a", "1"), ("", "no key"), ("b", "2") };
        var handler = new SlowHandler(TimeSpan.Zero);
        await using var run = await PumpRun.StartAsync(messages, handler);

        await run.WaitForCommitAsync(3);

        Assert.Equal([1L], run.Rejected.Select(r => r.Offset));
        Assert.Equal(KafkaPoisonKind.Undecodable, Assert.Single(run.Rejected).Kind);
        Assert.Equal(["a", "b"], handler.Received.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>One partition of a fresh topic, its messages produced, read by a receiver in direct-delivery mode.</summary>
    private sealed class PumpRun : IAsyncDisposable
    {
        private readonly KafkaConsumerHub hub;
        private readonly InFlightBudget budget;
        private readonly KafkaQueueAdapterReceiver receiver;
        private readonly KafkaStreamOptions options;
        private readonly string topic;

        private PumpRun(string topic, KafkaStreamOptions options, IKafkaRecordHandler handler, RecordingPoisonHandler poison)
        {
            this.topic = topic;
            this.options = options;
            Handler = handler;
            Poison = poison;
            hub = new KafkaConsumerHub(options, NullLogger.Instance);
            budget = new InFlightBudget(options.MaxInFlight);
            var partition = new KafkaPartition(QueueId.GetQueueId(topic, 0, 0), topic, 0, "test");
            receiver = new KafkaQueueAdapterReceiver(partition, new KafkaQueueCache(100), hub, new TextDecoder(), poison, null, handler, budget, options,
                new KafkaStreamStatistics(), NullLogger.Instance);
        }

        public IKafkaRecordHandler Handler { get; }

        public RecordingPoisonHandler Poison { get; }

        public IReadOnlyList<KafkaPoisonMessage> Rejected => [.. Poison.Messages];

        public static async Task<PumpRun> StartAsync(IReadOnlyList<(string Key, string Value)> messages, IKafkaRecordHandler handler, int deliveryAttempts = 6)
        {
            var topic = "pump" + Guid.NewGuid().ToString("N")[..10];
            SharedBroker.Instance.CreateTopic(topic, 1);
            using (var producer = new RawProducer(SharedBroker.Instance.BootstrapServers))
            {
                foreach (var (key, value) in messages)
                {
                    await producer.SendRawAsync(topic, key.Length == 0 ? null : key, Encoding.UTF8.GetBytes(value));
                }
            }
            var options = new KafkaStreamOptions
            {
                BootstrapServers = SharedBroker.Instance.BootstrapServers,
                ConsumerGroupId = "pump" + Guid.NewGuid().ToString("N")[..10],
                DeliveryAttempts = deliveryAttempts,
                CommitInterval = TimeSpan.FromMilliseconds(50),
            };
            var run = new PumpRun(topic, options, handler, new RecordingPoisonHandler());
            await run.receiver.Initialize(TimeSpan.FromSeconds(30));
            return run;
        }

        /// <summary>The group's committed offset as the broker has it (-1 when none).</summary>
        public Task<long> CommittedAsync()
        {
            using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = options.BootstrapServers, GroupId = options.ConsumerGroupId }).Build();
            var committed = consumer.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10)).Single().Offset;
            return Task.FromResult(committed.IsSpecial ? -1L : committed.Value);
        }

        public Task WaitForCommitAsync(long offset) =>
            Eventually.Until(CommittedAsync, c => c >= offset, TimeSpan.FromSeconds(60), $"the committed offset reaching {offset}", TimeSpan.FromMilliseconds(200));

        public async ValueTask DisposeAsync()
        {
            await receiver.Shutdown(TimeSpan.FromSeconds(10));
            hub.Dispose();
            budget.Dispose();
        }
    }

    private sealed class TextDecoder : IKafkaMessageDecoder
    {
        public KafkaDecodeResult Decode(string streamNamespace, ConsumeResult<byte[], byte[]> message) =>
            KafkaDecodeResult.Ok(Encoding.UTF8.GetString(message.Message.Value));
    }

    private sealed class RecordingPoisonHandler : IKafkaPoisonMessageHandler
    {
        public ConcurrentQueue<KafkaPoisonMessage> Messages { get; } = new();

        public Task HandleAsync(IReadOnlyList<KafkaPoisonMessage> messages, CancellationToken cancellationToken)
        {
            foreach (var m in messages)
            {
                Messages.Enqueue(m);
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Takes a while per call; records what each key received and whether a key ever had two calls at once.</summary>
    private sealed class SlowHandler(TimeSpan delay) : IKafkaRecordHandler
    {
        private readonly ConcurrentDictionary<string, int> running = new(StringComparer.Ordinal);
        private int concurrent;
        private int maxConcurrent;
        private int overlaps;
        private int calls;

        public ConcurrentDictionary<string, List<string>> Received { get; } = new(StringComparer.Ordinal);

        public int Overlaps => overlaps;

        public int MaxConcurrentKeys => maxConcurrent;

        public int Calls => calls;

        public async Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            Interlocked.Increment(ref calls);
            if (running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            await Task.Delay(delay);
            Received.GetOrAdd(key, _ => []).AddRange(records.Cast<string>());
            Interlocked.Decrement(ref concurrent);
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    /// <summary>Holds every call for one key until released.</summary>
    private sealed class HoldingHandler(string heldKey) : IKafkaRecordHandler
    {
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int delivered;

        public int Delivered => delivered;

        public void Release() => release.TrySetResult();

        public async Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            if (key == heldKey)
            {
                await release.Task;
            }
            Interlocked.Add(ref delivered, records.Count);
        }
    }

    /// <summary>Fails one key's calls a number of times with a given exception, then delivers.</summary>
    private sealed class FailingHandler(string failingKey, int failures, Func<Exception> failure) : IKafkaRecordHandler
    {
        private int failed;
        private int delivered;

        public int Delivered => delivered;

        public int Failures => failed;

        public Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            if (key == failingKey && Volatile.Read(ref failed) < failures)
            {
                Interlocked.Increment(ref failed);
                return Task.FromException(failure());
            }
            Interlocked.Add(ref delivered, records.Count);
            return Task.CompletedTask;
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;
using Shopstream.Streaming.Kafka.Providers;
using Shopstream.Tests.Support;

namespace Shopstream.Pipeline.Tests.Grains;

/// <summary>
/// The memory governor's pull gate, round by round, with the memory reading and the clock in the test's hands:
/// budget 1,000 MB, so the gate closes at 750 MB, reopens under 650 MB, and lets go after 10 s held back.
/// </summary>
public sealed class MemoryGovernorGateTests(GovernorSiloFixture silo) : IClassFixture<GovernorSiloFixture>
{
    private readonly FakeTimeProvider time = new();
    private readonly CollectingLogger logger = new();
    private double rss;

    private MemoryGovernor Governor() =>
        new(new ShopstreamOptions { MemoryLimitMb = 1000 }, silo.Grains, silo.Silo, () => rss, time, logger);

    /// <summary>One round of the governor at <paramref name="mb"/>, after <paramref name="after"/> of the clock.</summary>
    private bool CheckAt(MemoryGovernor governor, double mb, TimeSpan after = default)
    {
        time.Advance(after);
        rss = mb;
        governor.Check();
        return governor.IsOpen;
    }

    [Fact]
    public void Pull_gate_closes_at_75_percent_of_the_budget()
    {
        var governor = Governor();

        Assert.True(CheckAt(governor, 749.9));
        Assert.False(CheckAt(governor, 750, TimeSpan.FromMilliseconds(250)));
        Assert.Contains(logger.Entries, e => e is { Level: LogLevel.Warning } && e.Message.Contains("750 MB of 1,000 MB: holding back the Kafka pull", StringComparison.Ordinal));
    }

    [Fact]
    public void Closed_gate_reopens_only_under_65_percent()
    {
        var governor = Governor();
        Assert.False(CheckAt(governor, 800));

        // Memory falls (so the hold-back is not given up), but 650 MB is not yet under 65%.
        Assert.False(CheckAt(governor, 700, TimeSpan.FromSeconds(2)));
        Assert.False(CheckAt(governor, 650, TimeSpan.FromSeconds(2)));
        Assert.True(CheckAt(governor, 649.9, TimeSpan.FromSeconds(2)));
        Assert.Contains(logger.Entries, e => e.Message.Contains("650 MB of 1,000 MB: pulling again", StringComparison.Ordinal));
        // Open again, it stays open below 750 MB.
        Assert.True(CheckAt(governor, 749, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Held_back_10_s_without_memory_falling_the_gate_opens_for_30_s_and_says_why()
    {
        var governor = Governor();
        Assert.False(CheckAt(governor, 800));
        Assert.False(CheckAt(governor, 800, TimeSpan.FromSeconds(9.9)));

        Assert.True(CheckAt(governor, 800, TimeSpan.FromSeconds(0.1)));
        Assert.Contains(logger.Entries, e => e is { Level: LogLevel.Warning }
            && e.Message.Contains("the busy grains need more than the budget; not holding the pull back for 30 s", StringComparison.Ordinal));

        // For the respite the gate stays open whatever memory does, then holds back again.
        Assert.True(CheckAt(governor, 900, TimeSpan.FromSeconds(29.9)));
        Assert.False(CheckAt(governor, 900, TimeSpan.FromSeconds(0.1)));
    }

    [Fact]
    public void Held_back_10_s_with_memory_falling_the_gate_stays_closed()
    {
        var governor = Governor();
        Assert.False(CheckAt(governor, 800));

        // 780 MB is more than 2% below the 800 MB it closed at: holding back is working, so it goes on.
        Assert.False(CheckAt(governor, 780, TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("busy grains", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pump_delivers_nothing_while_the_gate_is_closed()
    {
        var topic = "gate" + Guid.NewGuid().ToString("N")[..10];
        SharedBroker.Instance.CreateTopic(topic, 1);
        using (var producer = new RawProducer(SharedBroker.Instance.BootstrapServers))
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.SendRawAsync(topic, $"k{i}", Encoding.UTF8.GetBytes($"m{i}"));
            }
        }
        var governor = Governor();
        Assert.False(CheckAt(governor, 800));
        var options = new KafkaStreamOptions { BootstrapServers = SharedBroker.Instance.BootstrapServers, ConsumerGroupId = "g" + Guid.NewGuid().ToString("N")[..10] };
        using var hub = new KafkaConsumerHub(options, NullLogger.Instance);
        using var budget = new InFlightBudget(options.MaxInFlight);
        var partition = new KafkaPartition(QueueId.GetQueueId(topic, 0, 0), topic, 0, "products");
        var delivered = new ConcurrentQueue<string>();
        var handler = new RecordingHandler(delivered);
        var receiver = new KafkaQueueAdapterReceiver(partition, new KafkaQueueCache(100), hub, null, null, governor, handler, budget, options, new KafkaStreamStatistics(), NullLogger.Instance);
        await receiver.Initialize(TimeSpan.FromSeconds(30));

        // Three seconds closed: the five messages reach the partition's buffer, none is delivered.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(delivered);

        // Open: all five are delivered, so they were there all along.
        Assert.True(CheckAt(governor, 600, TimeSpan.FromSeconds(1)));
        await Eventually.Until(() => Task.FromResult(delivered.Count), n => n == 5, TimeSpan.FromSeconds(10), "the five messages delivered once the gate opened");
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], delivered.Order(StringComparer.Ordinal));
        await receiver.Shutdown(TimeSpan.FromSeconds(10));
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> delivered) : IKafkaRecordHandler
    {
        public Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records)
        {
            delivered.Enqueue(key);
            return Task.CompletedTask;
        }
    }

    private sealed class CollectingLogger : ILogger<MemoryGovernor>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}

using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Rejection;

namespace Shopstream.Ingest.Feeds;

/// <summary>
/// Bridges one foreign topic into ours: reads it in the feed's consumer group (the group's rebalancing shares its
/// partitions across the silos, one owner each), judges every message as <c>POST /events</c> judges an event
/// (<see cref="ClickEventIntake"/>), and commits the foreign offsets of a batch only once our cluster acknowledged every
/// event and rejection of it. A failure before that reads the batch again: duplicates are dropped downstream, nothing
/// is lost.
/// </summary>
public sealed partial class FeedBridge : BackgroundService
{
    /// <summary>Messages forwarded per round trip to our cluster at most.</summary>
    public const int MaxBatch = 5000;

    /// <summary>How long after a failure the bridge's state stays <see cref="FeedStates.Failing"/>.</summary>
    public static readonly TimeSpan FailingWindow = TimeSpan.FromSeconds(15);

    /// <summary>A batch waiting longer than this for our cluster's acknowledgement or the foreign commit makes the state <see cref="FeedStates.Failing"/>.</summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly string name;
    private readonly FeedOptions options;
    private readonly ClickEventIntake intake;
    private readonly ILogger logger;
    private readonly ConsumerConfig consumerConfig;
    private long consumed;
    private long produced;
    private long rejected;
    private volatile LagSnapshot lag = new(null, []);
    private volatile Failure? lastError;
    // When the batch in hand started to be forwarded (Stopwatch timestamp), 0 between batches. While a broker is away
    // the bridge waits inside the produce or the commit and its client reports nothing, so the wait itself is the sign.
    private long forwardingSince;

    /// <summary>A bridge of feed <paramref name="name"/> producing through <paramref name="producer"/> (our cluster).</summary>
    public FeedBridge(string name, FeedOptions options, KafkaRecordProducer producer, ILogger<FeedBridge> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate(name);
        this.name = name;
        this.options = options;
        this.logger = logger;
        intake = new ClickEventIntake(producer, source: SourceName(name));
        consumerConfig = options.ToConsumerConfig(name);
    }

    /// <summary>The feed's name.</summary>
    public string Name => name;

    /// <summary>The source a feed's rejections are recorded under: <c>feed-&lt;name&gt;</c>.</summary>
    public static string SourceName(string feedName) => $"feed-{feedName}";

    /// <summary>What this silo's bridge has done so far.</summary>
    public FeedStatus Status()
    {
        var snapshot = lag;
        var failure = lastError;
        var run = ExecuteTask;
        var state = run is null ? FeedStates.Starting
            : run.IsCompleted ? FeedStates.Stopped
            : failure is not null && DateTimeOffset.UtcNow - failure.At < FailingWindow ? FeedStates.Failing
            : Volatile.Read(ref forwardingSince) is var since && since != 0 && Stopwatch.GetElapsedTime(since) > StalledAfter ? FeedStates.Failing
            : snapshot.Partitions.Count > 0 ? FeedStates.Bridging
            : FeedStates.Idle;
        return new FeedStatus(
            name, options.Topic, options.Shape, Interlocked.Read(ref consumed), Interlocked.Read(ref produced), Interlocked.Read(ref rejected),
            snapshot.Lag, snapshot.Partitions, failure?.ToString())
        {
            Bootstrap = options.Bootstrap,
            Group = consumerConfig.GroupId,
            State = state,
        };
    }

    /// <summary>
    /// The feed group's lag over the whole foreign topic, read from the foreign brokers with this feed's client settings
    /// (blocking, up to about twice <paramref name="timeout"/>).
    /// </summary>
    public FeedLag ReadLag(TimeSpan timeout) => FeedLag.Read(consumerConfig, options.Topic, timeout);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Consume blocks its thread; the loop gets one of its own instead of a pool thread.
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig)
            .SetErrorHandler((_, error) => Failed(error.Reason))
            .SetLogHandler((_, message) => LogClient(logger, name, message.Facility, message.Message))
            .Build();
        consumer.Subscribe(options.Topic);
        LogStarted(logger, name, options.Topic, options.Bootstrap, consumerConfig.GroupId);
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(MaxBatch);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                KafkaBatches.Next(consumer, batch, MaxBatch, TimeSpan.FromMilliseconds(200));
                if (batch.Count > 0)
                {
                    await ForwardAsync(consumer, batch, stoppingToken).ConfigureAwait(false);
                }
                lag = Lag(consumer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Leaves the group at once, so that the others take this silo's partitions over without waiting for a timeout.
            consumer.Close();
        }
    }

    private async Task ForwardAsync(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var events = new List<RawEvent>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            // The index names a rejected message without an event id (feed-<name>:#<index>) and enters its fingerprint:
            // the offset, not the place in the batch, so that a message read again after a restart is the same rejection.
            events.Add(Judge((int)(batch[i].Offset.Value % int.MaxValue), batch[i].Message.Value));
        }
        Volatile.Write(ref forwardingSince, Stopwatch.GetTimestamp());
        try
        {
            var response = await intake.AcceptAsync(events, ct).ConfigureAwait(false);
            consumer.Commit(KafkaBatches.NextOffsets(batch));
            Interlocked.Add(ref consumed, batch.Count);
            Interlocked.Add(ref produced, response.Accepted);
            Interlocked.Add(ref rejected, response.Rejected.Count);
        }
        catch (Exception ex) when (ex is IngestException or KafkaException)
        {
            // Not acknowledged by our cluster, or the commit failed: read the batch again from its first offsets.
            Failed(ex.Message);
            LogBatchRetried(logger, name, batch.Count, ex);
            KafkaBatches.Rewind(consumer, batch);
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref forwardingSince, 0);
        }
    }

    /// <summary>A message as the API judges an event; one of another shape than the feed's is rejected with its reason.</summary>
    private RawEvent Judge(int index, byte[]? value)
    {
        var raw = EventsBody.ReadOne(index, value ?? []);
        if (raw.Error is null && ClickEventNormalizer.ShapeOf(raw.Element) is var shape && shape != options.ExpectedShape && shape != ClickEventShape.Unknown)
        {
            return raw with
            {
                Element = default,
                Text = RejectedPayload.Excerpt(value),
                Error = $"event: feed '{name}' carries {options.Shape} events, this one is {FeedOptions.Shapes.First(s => s.Value == shape).Key}",
            };
        }
        return raw;
    }

    private static LagSnapshot Lag(IConsumer<byte[]?, byte[]?> consumer)
    {
        var assignment = consumer.Assignment;
        long? total = null;
        foreach (var partition in assignment)
        {
            var ends = consumer.GetWatermarkOffsets(partition);
            var position = consumer.Position(partition);
            if (ends.High.IsSpecial || position.IsSpecial)
            {
                continue;
            }
            total = (total ?? 0) + Math.Max(0, ends.High.Value - position.Value);
        }
        return new LagSnapshot(total, [.. assignment.Select(p => p.Partition.Value).Order()]);
    }

    private void Failed(string reason) => lastError = new Failure(DateTimeOffset.UtcNow, reason);

    private sealed record LagSnapshot(long? Lag, IReadOnlyList<int> Partitions);

    private sealed record Failure(DateTimeOffset At, string Reason)
    {
        public override string ToString() => $"{At:O} {Reason}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed {Feed}: bridging topic {Topic} at {Bootstrap} (group {Group})")]
    private static partial void LogStarted(ILogger logger, string feed, string topic, string bootstrap, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed {Feed}: {Count} messages not acknowledged or not committed; reading them again")]
    private static partial void LogBatchRetried(ILogger logger, string feed, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed {Feed} client: {Facility} {Message}")]
    private static partial void LogClient(ILogger logger, string feed, string facility, string message);
}

using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Lake.Writing;

/// <summary>
/// Reads the events topic (and the entity topics, for their history tables) with its own consumer group and writes
/// the lake. Partitions are shared between silos by
/// the consumer group's own rebalancing (not by Orleans' queue balancer). Each partition has its own buffer, flushed
/// on rows, bytes or age; a partition resumes from the offset the manifest stored with its last committed file, so
/// Kafka's committed offsets (moved after each manifest commit) only show lag. Any failure restarts the consumer
/// from the manifest, as a crash would.
/// </summary>
internal sealed partial class LakeWriter : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    private readonly LakeWriterSettings settings;
    private readonly LakeOptions options;
    private readonly ILakeStore store;
    private readonly LakeManifest manifest;
    private readonly LakeFlusher flusher;
    private readonly TimeProvider time;
    private readonly ILogger<LakeWriter> logger;
    private readonly Dictionary<TopicPartition, PartitionBuffer> buffers = [];
    private long eventsWritten;
    private long firstAssignedAt;

    public LakeWriter(LakeWriterSettings settings, LakeOptions options, ILakeStore store, LakeManifest manifest, TimeProvider time, ILogger<LakeWriter> logger)
    {
        this.settings = settings;
        this.options = options;
        this.store = store;
        this.manifest = manifest;
        this.time = time;
        this.logger = logger;
        flusher = new LakeFlusher(store, manifest, options);
    }

    /// <summary>When the consumer group first gave this writer partitions (Stopwatch ticks), or 0 before that.</summary>
    public long FirstAssignedAt => Interlocked.Read(ref firstAssignedAt);

    /// <summary>Events committed to the lake by this writer since it started.</summary>
    public long EventsWritten => Interlocked.Read(ref eventsWritten);

    /// <summary>See <see cref="LakeFlusher.BeforeCommit"/>.</summary>
    internal Func<CancellationToken, Task>? BeforeCommit
    {
        get => flusher.BeforeCommit;
        set => flusher.BeforeCommit = value;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deleted = await OrphanSweep.RunAsync(store, manifest, options.OrphanGrace, time, stoppingToken);
                if (deleted.Count > 0)
                {
                    LogOrphansDeleted(deleted.Count, store.Location);
                }
                await ConsumeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRestart(ex);
                await Task.Delay(RestartDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        LibrdkafkaLocator.EnsureLoaded();
        var config = new ConsumerConfig(new Dictionary<string, string>(settings.ClientSettings))
        {
            BootstrapServers = settings.BootstrapServers,
            GroupId = options.ConsumerGroup,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        buffers.Clear();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((_, assigned) => Assign(assigned))
            .SetPartitionsRevokedHandler((_, revoked) => Drop(revoked.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => Drop(lost.Select(p => p.TopicPartition)))
            .Build();
        consumer.Subscribe(settings.TablesByTopic.Keys);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is { IsPartitionEOF: false, Message: not null } && buffers.TryGetValue(result.TopicPartition, out var buffer))
                {
                    buffer.Add(result.Offset.Value, result.Message.Key, result.Message.Value ?? [], time.GetTimestamp());
                    if (buffer.Messages.Count >= options.MaxRows || buffer.Bytes >= options.MaxBytes)
                    {
                        await FlushAsync(consumer, buffer, stoppingToken);
                    }
                }
                var now = time.GetTimestamp();
                foreach (var aged in buffers.Values.Where(b => !b.IsEmpty && time.GetElapsedTime(b.StartedAtTicks, now) >= options.MaxAge).ToList())
                {
                    await FlushAsync(consumer, aged, stoppingToken);
                }
            }
        }
        finally
        {
            // Uncommitted buffers are dropped: the next owner reads them again from the manifest's offsets.
            consumer.Close();
        }
    }

    private async Task FlushAsync(IConsumer<byte[], byte[]> consumer, PartitionBuffer buffer, CancellationToken cancellationToken)
    {
        var rows = buffer.Messages.Count;
        var started = Stopwatch.GetTimestamp();
        if (!await flusher.FlushAsync(buffer, cancellationToken))
        {
            // Another writer committed these offsets first (a rebalance moved the partition): read on from its offset.
            var next = manifest.NextOffsets(buffer.Topic).TryGetValue(buffer.Partition, out var stored) ? stored : (long?)null;
            LogLostRace(buffer.Partition, next);
            buffer.Reset(next);
            consumer.Seek(new TopicPartitionOffset(buffer.Topic, buffer.Partition, next is { } n ? new Offset(n) : Offset.Beginning));
            return;
        }
        var committed = buffer.Last + 1;
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        buffer.Committed();
        Interlocked.Add(ref eventsWritten, rows);
        LogFlushed(buffer.Partition, rows, elapsedMs);
        try
        {
            consumer.Commit([new TopicPartitionOffset(buffer.Topic, buffer.Partition, committed)]);
        }
        catch (KafkaException ex)
        {
            // Only lag reporting depends on it: the manifest already holds the offset the lake resumes from.
            LogKafkaCommitFailed(buffer.Partition, ex);
        }
    }

    private List<TopicPartitionOffset> Assign(List<TopicPartition> assigned)
    {
        Interlocked.CompareExchange(ref firstAssignedAt, Stopwatch.GetTimestamp(), 0);
        var positions = new List<TopicPartitionOffset>(assigned.Count);
        foreach (var topic in assigned.GroupBy(tp => tp.Topic, StringComparer.Ordinal))
        {
            var stored = manifest.NextOffsets(topic.Key);
            foreach (var tp in topic)
            {
                long? next = stored.TryGetValue(tp.Partition.Value, out var n) ? n : null;
                buffers[tp] = new PartitionBuffer(tp.Topic, tp.Partition.Value, settings.TablesByTopic[tp.Topic], next);
                positions.Add(new TopicPartitionOffset(tp, next is { } offset ? new Offset(offset) : Offset.Beginning));
            }
        }
        return positions;
    }

    private void Drop(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            buffers.Remove(tp);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lake: {Count} orphan files deleted from {Location}")]
    private partial void LogOrphansDeleted(int count, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake writer failed; restarting from the manifest's offsets")]
    private partial void LogRestart(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lake: partition {Partition} was committed by another writer; reading on from offset {Next}")]
    private partial void LogLostRace(int partition, long? next);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lake: partition {Partition} committed {Rows} events in {Ms:F0} ms")]
    private partial void LogFlushed(int partition, int rows, double ms);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lake: Kafka offset commit for partition {Partition} failed (lag only)")]
    private partial void LogKafkaCommitFailed(int partition, Exception exception);
}

using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shopstream.Grains.Interfaces;
using Shopstream.Ingest.Producing;
using Shopstream.Projection.Raw;
using Shopstream.Silo.Hosting;

namespace Shopstream.Silo.Raw;

/// <summary>
/// Lands every message of our products, carts, users and events topics in <c>raw_events</c>, off the hot path. The
/// messages come from the silo's own partition pumps through the <see cref="RawTee"/>, so the broker serves them once;
/// what the tee did not hand over (before the pump's start offset, reads dropped while the tee was full) this service
/// reads itself with a consumer of its own, assigned to one partition at a time, before going on with the tee's reads.
/// Where each partition has been landed up to is kept in PostgreSQL (<c>raw_offsets</c>) and moved with the rows in one
/// transaction, compare-and-set, so a message seen again (read again by the pump, or by the silo a partition moved to)
/// is skipped. Landed positions are also committed to the consumer group <c>&lt;ConsumerGroup&gt;-raw</c>, for lag
/// readers only. Messages produced by <c>shopstream replay</c> are already there and are skipped.
/// Once an hour it drops the day partitions older than <c>Shopstream:RawRetentionDays</c>.
/// </summary>
internal sealed partial class RawLandingService(ShopstreamOptions options, RawEventWriter writer, RawTee tee, ILogger<RawLandingService> logger) : BackgroundService
{
    private const int MaxBatch = 10_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);
    // A COPY per pump read would cost a round trip per 2,000 messages; waiting this long gathers several reads.
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CommitEvery = TimeSpan.FromSeconds(1);
    // A gap that makes no progress for this long (broker unreachable) is left for the next round.
    private static readonly TimeSpan CatchUpStall = TimeSpan.FromSeconds(10);

    private readonly Dictionary<TopicPartition, RawPartition> partitions = [];
    private long rounds;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // The group is not subscribed to (the pumps decide which silo reads what); it only carries the landed positions.
        var config = new ConsumerConfig(new Dictionary<string, string>(options.KafkaClient, StringComparer.Ordinal))
        {
            BootstrapServers = options.Kafka,
            GroupId = options.ConsumerGroup + "-raw",
            ClientId = "shopstream-raw",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) => LogClient(logger, m.Facility, m.Message))
            .Build();
        var retentionDue = DateTimeOffset.MinValue;
        var commitDue = DateTimeOffset.MinValue;
        var more = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (options.RawRetentionDays > 0 && DateTimeOffset.UtcNow >= retentionDue)
                {
                    retentionDue = DateTimeOffset.UtcNow + RetentionEvery;
                    await DropExpiredAsync(stoppingToken).ConfigureAwait(false);
                }
                if (!more)
                {
                    await tee.WaitAsync(Idle, stoppingToken).ConfigureAwait(false);
                    if (tee.Held < MaxBatch / 2)
                    {
                        await Task.Delay(Linger, stoppingToken).ConfigureAwait(false);
                    }
                }
                Apply(tee.Take());
                try
                {
                    more = await LandAsync(consumer, stoppingToken).ConfigureAwait(false);
                    if (DateTimeOffset.UtcNow >= commitDue)
                    {
                        commitDue = DateTimeOffset.UtcNow + CommitEvery;
                        CommitLanded(consumer);
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or KafkaException)
                {
                    LogRoundRetried(logger, ex);
                    foreach (var partition in partitions.Values)
                    {
                        partition.Position = null;
                    }
                    more = false;
                    await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>Files what the tee handed over under its partitions, in order.</summary>
    private void Apply(List<TeeEvent> events)
    {
        foreach (var e in events)
        {
            if (!partitions.TryGetValue(e.Partition, out var partition))
            {
                partition = new RawPartition(e.Partition) { Owned = true };
                partitions.Add(e.Partition, partition);
            }
            switch (e.Kind)
            {
                case TeeEventKind.Assigned:
                    // The pump reads everything again from its start, and what lies before is a gap to read here: what
                    // was handed over earlier is not needed, and the position may have been moved by the last owner.
                    tee.Release(partition.Clear());
                    partition.Owned = true;
                    partition.Position = null;
                    if (e.GapEnd is not null)
                    {
                        partition.Segments.Add(e with { Kind = TeeEventKind.Gap });
                    }
                    break;
                case TeeEventKind.Unassigned:
                    partition.Owned = false;
                    break;
                default:
                    partition.Segments.Add(e);
                    break;
            }
        }
        foreach (var gone in partitions.Values.Where(p => !p.Owned && p.Segments.Count == 0).ToList())
        {
            partitions.Remove(gone.Partition);
        }
    }

    /// <summary>
    /// One transaction: up to <see cref="MaxBatch"/> messages past the partitions' landed positions, read from the tee and,
    /// for the gaps before them, from Kafka. True when there was more to land than fitted.
    /// </summary>
    private async Task<bool> LandAsync(IConsumer<byte[], byte[]> consumer, CancellationToken ct)
    {
        await LoadPositionsAsync(consumer, ct).ConfigureAwait(false);
        var budget = MaxBatch;
        var plans = new List<Plan>();
        var messages = new List<ConsumeResult<byte[], byte[]>>();
        // Each round starts at another partition, so that a busy one cannot keep the budget from the rest.
        var first = partitions.Count == 0 ? 0 : (int)(++rounds % partitions.Count);
        foreach (var partition in partitions.Values.Skip(first).Concat(partitions.Values.Take(first)))
        {
            if (budget <= 0)
            {
                break;
            }
            if (partition.Position is { } position && partition.Segments.Count > 0)
            {
                var plan = Walk(consumer, partition, position, messages, ref budget, ct);
                plans.Add(plan);
            }
        }
        if (plans.Count == 0)
        {
            return false;
        }
        var moves = plans
            .Where(p => p.Next is { } next && (p.Position.StartsOver || p.Position.Next != next))
            .Select(p => new RawOffsetMove(p.Partition.Partition.Topic, p.Partition.Partition.Partition.Value, p.Position.Next, p.Next!.Value))
            .ToList();
        var movedPartitions = moves.Select(m => new TopicPartition(m.Topic, m.Partition)).ToHashSet();
        var rows = messages.Where(m => movedPartitions.Contains(m.TopicPartition)).Select(Row).OfType<RawEventRow>().ToList();
        if (await writer.WriteAsync(rows, moves, ct).ConfigureAwait(false) is null)
        {
            LogPositionsMoved(logger, rows.Count);
            foreach (var plan in plans)
            {
                plan.Partition.Position = null;
            }
            return true;
        }
        foreach (var plan in plans)
        {
            Done(plan);
        }
        return budget <= 0;
    }

    /// <summary>
    /// Walks a partition's segments from its landed position: a gap not landed yet is read from Kafka (only while this
    /// silo owns the partition), a read's messages below the position are skipped, the rest taken, within the budget.
    /// </summary>
    private Plan Walk(IConsumer<byte[], byte[]> consumer, RawPartition partition, Landed position, List<ConsumeResult<byte[], byte[]>> messages, ref int budget, CancellationToken ct)
    {
        var next = position.From;
        var segment = 0;
        var index = partition.FirstIndex;
        while (segment < partition.Segments.Count && budget > 0)
        {
            var s = partition.Segments[segment];
            if (s.Kind == TeeEventKind.Gap)
            {
                var end = s.GapEnd!.Value;
                if (next is null ? end > 0 : next < end)
                {
                    if (!partition.Owned)
                    {
                        // Its next owner reads the gap; what lies after it cannot land before the gap does.
                        return new Plan(partition, position, next, segment, index, Abandoned: true);
                    }
                    var reached = CatchUp(consumer, partition.Partition, next, end, messages, ref budget, ct);
                    if (reached is null || reached < end)
                    {
                        return new Plan(partition, position, reached ?? next, segment, index, Abandoned: false);
                    }
                    next = reached;
                }
                segment++;
                index = 0;
                continue;
            }
            var read = s.Messages!;
            if (next is null && read[index].Offset.Value > 0 && partition.Owned)
            {
                // Never landed, and the pump did not start at the partition's start (Latest, or a start past retention):
                // what lies before its first read is a gap too.
                var first = read[index].Offset.Value;
                var reached = CatchUp(consumer, partition.Partition, null, first, messages, ref budget, ct);
                if (reached is null || reached < first)
                {
                    return new Plan(partition, position, reached, segment, index, Abandoned: false);
                }
                next = reached;
            }
            for (; index < read.Count && budget > 0; index++)
            {
                var offset = read[index].Offset.Value;
                if (next is null || offset >= next)
                {
                    messages.Add(read[index]);
                    budget--;
                    next = offset + 1;
                }
            }
            if (index < read.Count)
            {
                break;
            }
            segment++;
            index = 0;
        }
        return new Plan(partition, position, next, segment, index, Abandoned: false);
    }

    /// <summary>
    /// Reads <paramref name="partition"/> from <paramref name="from"/> (null: its start) up to <paramref name="end"/> with
    /// the service's own consumer, within the budget; returns the offset it got to (null: nowhere yet).
    /// </summary>
    private long? CatchUp(IConsumer<byte[], byte[]> consumer, TopicPartition partition, long? from, long end, List<ConsumeResult<byte[], byte[]>> messages, ref int budget, CancellationToken ct)
    {
        LogCatchUp(logger, partition.Topic, partition.Partition.Value, from, end);
        consumer.Assign(new TopicPartitionOffset(partition, from is { } f ? new Offset(f) : Offset.Beginning));
        var reached = from;
        var progress = Environment.TickCount64;
        try
        {
            while (budget > 0 && !ct.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    // Offsets may be missing (compaction, transaction markers): the consumer's position says how far it got.
                    var at = consumer.Position(partition);
                    if (!at.IsSpecial && at.Value >= end)
                    {
                        return end;
                    }
                    if (Environment.TickCount64 - progress > CatchUpStall.TotalMilliseconds)
                    {
                        LogCatchUpStalled(logger, partition.Topic, partition.Partition.Value, reached, end);
                        return reached;
                    }
                    continue;
                }
                if (result.TopicPartition != partition)
                {
                    continue; // fetched for the partition read before
                }
                if (result.Offset.Value >= end)
                {
                    return end;
                }
                messages.Add(result);
                budget--;
                reached = result.Offset.Value + 1;
                progress = Environment.TickCount64;
                if (reached >= end)
                {
                    return end;
                }
            }
            return reached;
        }
        finally
        {
            consumer.Unassign();
        }
    }

    /// <summary>After the write: the partition's new position, and the segments it is done with given back to the tee.</summary>
    private void Done(Plan plan)
    {
        var partition = plan.Partition;
        if (plan.Abandoned)
        {
            // Landed up to the gap (if anything moved); the rest is the next owner's.
            tee.Release(partition.Clear());
            partitions.Remove(partition.Partition);
            return;
        }
        var released = 0;
        for (var i = 0; i < plan.Segment; i++)
        {
            released += partition.Segments[i].Messages?.Count ?? 0;
        }
        partition.Segments.RemoveRange(0, plan.Segment);
        partition.FirstIndex = plan.Index;
        tee.Release(released);
        if (plan.Next is { } next)
        {
            partition.Position = new Landed(next, StartsOver: false);
        }
        if (!partition.Owned && partition.Segments.Count == 0)
        {
            partitions.Remove(partition.Partition);
        }
    }

    /// <summary>
    /// Reads the landed positions of the partitions with something to land and none known. A position past the
    /// partition's high watermark is from a topic deleted and created again (its offsets started over): that partition
    /// lands from the start again. Asked only when the position is past the first offset handed over.
    /// </summary>
    private async Task LoadPositionsAsync(IConsumer<byte[], byte[]> consumer, CancellationToken ct)
    {
        var unknown = partitions.Values.Where(p => p.Position is null && p.Segments.Count > 0).ToList();
        if (unknown.Count == 0)
        {
            return;
        }
        var positions = await writer.PositionsAsync([.. unknown.Select(p => (p.Partition.Topic, p.Partition.Partition.Value))], ct).ConfigureAwait(false);
        foreach (var partition in unknown)
        {
            if (!positions.TryGetValue((partition.Partition.Topic, partition.Partition.Partition.Value), out var position))
            {
                partition.Position = new Landed(null, StartsOver: false);
                continue;
            }
            var first = partition.Segments[0] is { Kind: TeeEventKind.Gap } gap ? gap.GapEnd!.Value : partition.Segments[0].Messages![partition.FirstIndex].Offset.Value;
            var startsOver = false;
            if (position > first)
            {
                var high = consumer.QueryWatermarkOffsets(partition.Partition, WatermarkTimeout).High.Value;
                startsOver = position > high;
                if (startsOver)
                {
                    LogTopicRecreated(logger, partition.Partition.Topic, partition.Partition.Partition.Value, position, high);
                }
            }
            partition.Position = new Landed(position, startsOver);
        }
    }

    /// <summary>Commits the landed positions that moved to the raw consumer group, so that lag readers see the raw zone's progress.</summary>
    private void CommitLanded(IConsumer<byte[], byte[]> consumer)
    {
        var moved = partitions.Values.Where(p => p.Position is { Next: { } next } && next != p.Committed).ToList();
        if (moved.Count == 0)
        {
            return;
        }
        consumer.Commit([.. moved.Select(p => new TopicPartitionOffset(p.Partition, p.Position!.Value.Next!.Value))]);
        foreach (var partition in moved)
        {
            partition.Committed = partition.Position!.Value.Next;
        }
    }

    /// <summary>
    /// What one round does to a partition: its position before (<see cref="Position"/>) and after (<see cref="Next"/>), the
    /// segment and index it got to; <see cref="Abandoned"/>: a gap before the rest that only the partition's new owner reads.
    /// </summary>
    private readonly record struct Plan(RawPartition Partition, Landed Position, long? Next, int Segment, int Index, bool Abandoned);

    private async Task DropExpiredAsync(CancellationToken ct)
    {
        try
        {
            var dropped = await writer.DropBeforeAsync(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-options.RawRetentionDays), ct).ConfigureAwait(false);
            LogRetention(logger, dropped, options.RawRetentionDays);
        }
        catch (NpgsqlException ex)
        {
            LogRetentionFailed(logger, ex);
        }
    }

    /// <summary>The row of a message; null for a replayed one, and for a value that is not JSON (the decoder rejected it).</summary>
    private RawEventRow? Row(ConsumeResult<byte[], byte[]> result)
    {
        var message = result.Message;
        if (message.Headers?.TryGetLastBytes(KafkaProducerOptions.ReplayedHeaderName, out _) == true || message.Value is not { Length: > 0 } value)
        {
            return null;
        }
        if (!IsJson(value))
        {
            return null;
        }
        var key = message.Key is { } k ? Encoding.UTF8.GetString(k) : null;
        return new RawEventRow(
            new DateTimeOffset(message.Timestamp.UtcDateTime, TimeSpan.Zero), SourceOf(result.Topic, key, message.Headers), result.Topic,
            result.Partition.Value, result.Offset.Value, key, value);
    }

    /// <summary>Whether <paramref name="value"/> is one JSON document; read through without building one.</summary>
    private static bool IsJson(byte[] value)
    {
        var reader = new Utf8JsonReader(value, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The producer's source header (events API, feeds); else the source part of an entity key; else the topic.</summary>
    private string SourceOf(string topic, string? key, Headers? headers)
    {
        if (headers?.TryGetLastBytes(KafkaProducerOptions.SourceHeaderName, out var source) == true)
        {
            return Encoding.UTF8.GetString(source);
        }
        if (topic != options.EventsTopic && key is not null && EntityKey.TryParse(key, out var entity))
        {
            return entity.Source;
        }
        return topic;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: a batch was not written; trying again")]
    private static partial void LogRoundRetried(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raw zone: reading {Topic}/{Partition} from {From} up to {End} from Kafka (not handed over by the pump)")]
    private static partial void LogCatchUp(ILogger logger, string topic, int partition, long? from, long end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: reading {Topic}/{Partition} up to {End} got no further than {Reached}; trying again")]
    private static partial void LogCatchUpStalled(ILogger logger, string topic, int partition, long? reached, long end);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raw zone: {Count} messages were landed by another writer meanwhile; going on from the positions it left")]
    private static partial void LogPositionsMoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: {Topic}/{Partition} was landed up to offset {Position} but ends at {High}: the topic was created again; landing it from its start")]
    private static partial void LogTopicRecreated(ILogger logger, string topic, int partition, long position, long high);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raw zone: dropped {Dropped} day partitions older than {Days} days")]
    private static partial void LogRetention(ILogger logger, int dropped, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: dropping old partitions failed; tried again in an hour")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raw zone client: {Facility} {Message}")]
    private static partial void LogClient(ILogger logger, string facility, string message);
}

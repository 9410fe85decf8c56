using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Feeds;
using Shopstream.Ingest.Producing;
using Shopstream.Projection.Raw;
using Shopstream.Silo.Hosting;

namespace Shopstream.Silo.Raw;

/// <summary>
/// Lands every message of our products, carts, users and events topics in <c>raw_events</c>, off the hot path: a
/// consumer group of its own (<c>&lt;ConsumerGroup&gt;-raw</c>, partitions shared across the silos). Where each partition
/// has been landed up to is kept in PostgreSQL (<c>raw_offsets</c>) and moved with the rows in one transaction, so a
/// message read again (after a restart, or by the silo a partition moved to) is skipped; the Kafka commit that follows
/// only saves re-reading. Messages produced by <c>shopstream replay</c> are already there and are skipped.
/// Once an hour it drops the day partitions older than <c>Shopstream:RawRetentionDays</c>.
/// </summary>
internal sealed partial class RawLandingService(ShopstreamOptions options, RawEventWriter writer, ILogger<RawLandingService> logger) : BackgroundService
{
    private const int MaxBatch = 10_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(10);

    // The landed position of each partition this consumer owns, read from raw_offsets when first needed and forgotten
    // when the partition goes: another silo may move it meanwhile.
    private readonly Dictionary<TopicPartition, Landed> landed = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(options.KafkaClient, StringComparer.Ordinal))
        {
            BootstrapServers = options.Kafka,
            GroupId = options.ConsumerGroup + "-raw",
            ClientId = "shopstream-raw",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => LogClient(logger, m.Facility, m.Message))
            .SetPartitionsRevokedHandler((_, gone) => Forget(gone.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, gone) => Forget(gone.Select(p => p.TopicPartition)))
            .Build();
        consumer.Subscribe([options.ProductsTopic, options.CartsTopic, options.UsersTopic, options.EventsTopic]);
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(MaxBatch);
        var retentionDue = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (options.RawRetentionDays > 0 && DateTimeOffset.UtcNow >= retentionDue)
                {
                    retentionDue = DateTimeOffset.UtcNow + RetentionEvery;
                    await DropExpiredAsync(stoppingToken).ConfigureAwait(false);
                }
                KafkaBatches.Next(consumer, batch, MaxBatch, TimeSpan.FromMilliseconds(500));
                if (batch.Count == 0)
                {
                    continue;
                }
                try
                {
                    await LandAsync(consumer, batch, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or KafkaException)
                {
                    LogBatchRetried(logger, batch.Count, ex);
                    Forget(batch.Select(r => r.TopicPartition));
                    KafkaBatches.Rewind(consumer, batch);
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

    /// <summary>
    /// Writes the messages of <paramref name="batch"/> past each partition's landed position and moves the positions; when
    /// another writer moved one meanwhile, nothing is written and the batch is read again from the positions read anew.
    /// </summary>
    private async Task LandAsync(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        await LoadPositionsAsync(consumer, batch, ct).ConfigureAwait(false);
        var moves = new List<RawOffsetMove>();
        foreach (var partition in batch.GroupBy(r => r.TopicPartition))
        {
            var next = partition.Max(r => r.Offset.Value) + 1;
            var position = landed[partition.Key];
            if (position.Next is not { } from || next > from || position.StartsOver)
            {
                moves.Add(new RawOffsetMove(partition.Key.Topic, partition.Key.Partition.Value, position.Next, next));
            }
        }
        var rows = batch.Where(r => landed[r.TopicPartition].Takes(r.Offset.Value)).Select(Row).OfType<RawEventRow>().ToList();
        if (await writer.WriteAsync(rows, moves, ct).ConfigureAwait(false) is null)
        {
            LogPositionsMoved(logger, batch.Count);
            Forget(batch.Select(r => r.TopicPartition));
            KafkaBatches.Rewind(consumer, batch);
            return;
        }
        foreach (var move in moves)
        {
            landed[new TopicPartition(move.Topic, move.Partition)] = new Landed(move.Next, StartsOver: false);
        }
        consumer.Commit(KafkaBatches.NextOffsets(batch));
    }

    /// <summary>
    /// Reads the landed positions of the batch's partitions not known yet. A position past the partition's high watermark
    /// is from a topic deleted and created again (its offsets started over): that partition lands from the start again.
    /// </summary>
    private async Task LoadPositionsAsync(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batch, CancellationToken ct)
    {
        var unknown = batch.Select(r => r.TopicPartition).Distinct().Where(p => !landed.ContainsKey(p)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }
        var positions = await writer.PositionsAsync([.. unknown.Select(p => (p.Topic, p.Partition.Value))], ct).ConfigureAwait(false);
        foreach (var partition in unknown)
        {
            if (!positions.TryGetValue((partition.Topic, partition.Partition.Value), out var position))
            {
                landed[partition] = new Landed(null, StartsOver: false);
                continue;
            }
            var high = consumer.QueryWatermarkOffsets(partition, WatermarkTimeout).High.Value;
            var startsOver = position > high;
            if (startsOver)
            {
                LogTopicRecreated(logger, partition.Topic, partition.Partition.Value, position, high);
            }
            landed[partition] = new Landed(position, startsOver);
        }
    }

    /// <summary>
    /// A partition's landed position (null: never landed). <paramref name="StartsOver"/>: the topic was created again, so
    /// every message read is new and the position moves back; the move still starts from the stored one, so that of two
    /// writers racing there, one wins.
    /// </summary>
    private readonly record struct Landed(long? Next, bool StartsOver)
    {
        public bool Takes(long offset) => StartsOver || Next is not { } next || offset >= next;
    }

    private void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            landed.Remove(partition);
        }
    }

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
    private RawEventRow? Row(ConsumeResult<byte[]?, byte[]?> result)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: {Count} messages not written; reading them again")]
    private static partial void LogBatchRetried(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raw zone: {Count} messages were landed by another writer meanwhile; reading on from the positions it left")]
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

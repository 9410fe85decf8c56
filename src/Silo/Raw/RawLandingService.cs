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
/// consumer group of its own (<c>&lt;ConsumerGroup&gt;-raw</c>, partitions shared across the silos) that commits a batch
/// only once it is in PostgreSQL. Messages produced by <c>shopstream replay</c> are already there and are skipped.
/// Once an hour it drops the day partitions older than <c>Shopstream:RawRetentionDays</c>.
/// </summary>
internal sealed partial class RawLandingService(ShopstreamOptions options, RawEventWriter writer, ILogger<RawLandingService> logger) : BackgroundService
{
    private const int MaxBatch = 5000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);

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
                    await writer.WriteAsync([.. batch.Select(Row).OfType<RawEventRow>()], stoppingToken).ConfigureAwait(false);
                    consumer.Commit(KafkaBatches.NextOffsets(batch));
                }
                catch (Exception ex) when (ex is NpgsqlException or KafkaException)
                {
                    LogBatchRetried(logger, batch.Count, ex);
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
        try
        {
            using var document = JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            return null;
        }
        var key = message.Key is { } k ? Encoding.UTF8.GetString(k) : null;
        return new RawEventRow(
            new DateTimeOffset(message.Timestamp.UtcDateTime, TimeSpan.Zero), SourceOf(result.Topic, key, message.Headers), result.Topic,
            result.Partition.Value, result.Offset.Value, key, Encoding.UTF8.GetString(value));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Raw zone: dropped {Dropped} day partitions older than {Days} days")]
    private static partial void LogRetention(ILogger logger, int dropped, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raw zone: dropping old partitions failed; tried again in an hour")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Raw zone client: {Facility} {Message}")]
    private static partial void LogClient(ILogger logger, string facility, string message);
}

using Microsoft.Extensions.Logging;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>Records messages a partition moves past without delivering them.</summary>
internal static partial class PoisonMessages
{
    /// <summary>Hands them to the host's handler (which makes them durable), logs and counts them.</summary>
    public static async Task RecordAsync(
        IKafkaPoisonMessageHandler? handler, IReadOnlyList<KafkaPoisonMessage> poison, KafkaPartition partition, KafkaStreamStatistics statistics, ILogger logger)
    {
        if (handler is not null)
        {
            await handler.HandleAsync(poison, CancellationToken.None);
        }
        foreach (var p in poison)
        {
            LogPoison(logger, p.Topic, p.Partition, p.Offset, p.Reason);
        }
        statistics.Rejected(partition, poison.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message {Topic}/{Partition}@{Offset} skipped: {Reason}")]
    private static partial void LogPoison(ILogger logger, string topic, int partition, long offset, string reason);
}

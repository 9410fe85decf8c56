namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Receives messages that cannot be decoded, or (direct delivery) whose entity keeps refusing them. The partition moves on once the returned task completes,
/// so an implementation should make the message durable (for example in a table) before completing.
/// Without one registered, poison messages are logged and skipped.
/// </summary>
public interface IKafkaPoisonMessageHandler
{
    /// <summary>Handles poison messages read from one partition, in offset order.</summary>
    Task HandleAsync(IReadOnlyList<KafkaPoisonMessage> messages, CancellationToken cancellationToken);
}

/// <summary>A message that could not be decoded.</summary>
/// <param name="Topic">Kafka topic.</param>
/// <param name="Partition">Kafka partition.</param>
/// <param name="Offset">Offset in the partition.</param>
/// <param name="Key">Message key as UTF-8 text, if any.</param>
/// <param name="Value">Raw message value.</param>
/// <param name="Reason">Why it could not be decoded.</param>
public sealed record KafkaPoisonMessage(string Topic, int Partition, long Offset, string? Key, byte[]? Value, string Reason)
{
    /// <summary>Why the partition moves past it: it could not be decoded, or its entity kept refusing it.</summary>
    public KafkaPoisonKind Kind { get; init; } = KafkaPoisonKind.Undecodable;
}

/// <summary>What made a message poison.</summary>
public enum KafkaPoisonKind
{
    /// <summary>No usable key, or the decoder refused it.</summary>
    Undecodable,

    /// <summary>
    /// Decoded, but every delivery to its entity failed with an error of the entity's own (direct delivery, see
    /// <see cref="KafkaStreamOptions.DeliveryAttempts"/>).
    /// </summary>
    DeliveryFailed,
}

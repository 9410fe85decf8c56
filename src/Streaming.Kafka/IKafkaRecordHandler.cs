namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Direct delivery: receives each key's records straight from its partition's pump, without Orleans stream
/// subscriptions or per-stream cursors. Register one in the silo's services and every topic of the provider is
/// delivered through it; the queue balancer still decides which silo reads which partition.
/// </summary>
/// <remarks>
/// For one key, calls never overlap and come in offset order; different keys are delivered concurrently. A record's
/// offset is committed only after the call that carried it has completed, so the returned task must complete only
/// once the records' effects are durable. A call that throws is retried; see <see cref="KafkaStreamOptions.DeliveryAttempts"/>.
/// </remarks>
public interface IKafkaRecordHandler
{
    /// <summary>Delivers the records of one key, decoded and in offset order.</summary>
    /// <param name="streamNamespace">The namespace of the topic the records were read from.</param>
    /// <param name="key">The message key: the entity the records are for.</param>
    /// <param name="records">Decoded records (see <see cref="IKafkaMessageDecoder"/>), oldest first.</param>
    Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records);
}

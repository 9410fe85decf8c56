namespace Shopstream.Ingest.Producing;

/// <summary>Where normalized and rejected records go; <see cref="KafkaRecordProducer"/> in production.</summary>
public interface IRecordSink
{
    /// <summary>The topic a stream namespace is written to (also recorded in rejections).</summary>
    string TopicFor(string streamNamespace);

    /// <summary>
    /// Hands one record over for delivery. Returns once it is queued, not once it is delivered:
    /// call <see cref="FlushAsync"/> to wait for delivery.
    /// </summary>
    /// <exception cref="IngestException">An earlier delivery failed, or the record cannot be queued.</exception>
    ValueTask ProduceAsync<TRecord>(string streamNamespace, string key, TRecord record, CancellationToken cancellationToken = default)
        where TRecord : class;

    /// <summary>Waits until every queued record is delivered.</summary>
    /// <exception cref="IngestException">At least one delivery failed.</exception>
    Task FlushAsync(CancellationToken cancellationToken = default);
}

using Confluent.Kafka;

namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Sees every read of this silo's partitions as it was taken from Kafka, beside delivery: for a consumer of the raw
/// messages (an archive, an audit) that must not read the topics a second time. The calls come from the partitions'
/// readers and must return at once and not throw (a pump treats an exception as a bug and stops its partition): hand the
/// messages to a bounded queue and, when it is full, drop them and read the gap later from Kafka; the provider never
/// waits for the observer. Without one registered, nothing is handed over.
/// </summary>
/// <remarks>
/// For each partition the calls come in order: <see cref="Assigned"/>, then its reads in offset order, then
/// <see cref="Unassigned"/>. A partition that moves to another silo is seen there from the offset its delivery resumes
/// at, so offsets may be seen twice across silos (read again after a failure) and an observer that needs every offset
/// exactly once keeps its own positions.
/// </remarks>
public interface IKafkaReadObserver
{
    /// <summary>This silo starts reading <paramref name="topic"/>/<paramref name="partition"/>.</summary>
    /// <param name="topic">Kafka topic.</param>
    /// <param name="partition">Kafka partition.</param>
    /// <param name="startOffset">The first offset it reads: the committed one; null when there is none (it starts at the configured start position).</param>
    void Assigned(string topic, int partition, long? startOffset);

    /// <summary>One read of one partition, in offset order, before its records are delivered.</summary>
    /// <param name="messages">The messages as read; shared with delivery, so not to be changed. Key and value may be null.</param>
    void Read(IReadOnlyList<ConsumeResult<byte[], byte[]>> messages);

    /// <summary>This silo stopped reading <paramref name="topic"/>/<paramref name="partition"/> (it may move to another silo).</summary>
    /// <param name="topic">Kafka topic.</param>
    /// <param name="partition">Kafka partition.</param>
    void Unassigned(string topic, int partition);
}

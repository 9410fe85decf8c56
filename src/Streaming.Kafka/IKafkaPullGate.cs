namespace Shopstream.Streaming.Kafka;

/// <summary>
/// Lets the host hold back reading. While the gate is closed, receivers hand the pulling agent nothing: delivered
/// offsets are still committed, the partitions' read-ahead buffers fill and the shared consumer pauses those
/// partitions. Without one registered, pulling is never held back.
/// </summary>
public interface IKafkaPullGate
{
    /// <summary>False while the host wants no more messages taken in.</summary>
    bool IsOpen { get; }
}

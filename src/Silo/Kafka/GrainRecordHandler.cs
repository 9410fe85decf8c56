using Shopstream.Grains.Delivery;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Direct delivery for the silo: each key's records go to its entity or session grain in one call.</summary>
internal sealed class GrainRecordHandler(GrainReferenceCache grains) : IKafkaRecordHandler
{
    public Task DeliverAsync(string streamNamespace, string key, IReadOnlyList<object> records) =>
        EntityRoutes.DeliverAsync(grains, streamNamespace, key, records);
}

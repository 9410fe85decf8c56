using Orleans.Runtime;
using Orleans.Streams;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>
/// Stores records the ingest rejected (they travel on the rejected topic, keyed by fingerprint).
/// Stateless: the fingerprint makes a replayed rejection a no-op in <c>rejected_records</c>.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Rejected)]
public sealed class RejectedRecordGrain(IProjectionWriter writer) : Grain, IGrainWithStringKey
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(StreamProviders.Kafka)
            .GetStream<EntityMessage<RejectedRecord>>(StreamId.Create(StreamNamespaces.Rejected, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((message, _) =>
        {
            var r = message.Record;
            var row = new RejectedRow(r.Stage, r.Topic, r.Partition, r.Offset, r.Key, r.Payload, r.Reason,
                ContentHash.OfParts(r.Stage, r.Topic, r.Key, r.Payload, r.Reason));
            PipelineMetrics.Applied(StreamNamespaces.Rejected);
            return writer.WriteAsync([row]);
        });
    }
}

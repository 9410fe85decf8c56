using Orleans.Placement;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Entities;

/// <summary>
/// Stores records the ingest rejected (they travel on the rejected topic, keyed by fingerprint).
/// Stateless: the fingerprint makes a replayed rejection a no-op in <c>rejected_records</c>.
/// </summary>
[PreferLocalPlacement]
public sealed class RejectedRecordGrain(IProjectionWriter writer) : Grain, IRejectedRecordGrain
{
    public Task ApplyAsync(EntityBatch<RejectedRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var rows = new List<RejectedRow>(batch.Messages.Length);
        foreach (var message in batch.Messages)
        {
            var r = message.Record;
            rows.Add(new RejectedRow(r.Stage, r.Topic, r.Partition, r.Offset, r.Key, r.Payload, r.Reason,
                ContentHash.OfParts(r.Stage, r.Topic, r.Key, r.Payload, r.Reason)));
            PipelineMetrics.Applied(StreamNamespaces.Rejected);
        }
        return writer.WriteAsync(rows);
    }
}

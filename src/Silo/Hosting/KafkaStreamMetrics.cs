using System.Diagnostics.Metrics;
using Shopstream.Grains;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Hosting;

/// <summary>Publishes the Kafka provider's per-partition numbers on the <c>Shopstream</c> meter.</summary>
public sealed class KafkaStreamMetrics : IDisposable
{
    private readonly Meter meter = new(PipelineMetrics.MeterName);

    public KafkaStreamMetrics(KafkaStreamStatistics statistics)
    {
        meter.CreateObservableCounter("shopstream.records.consumed", () => statistics.Snapshot()
            .GroupBy(p => p.Topic)
            .Select(g => new Measurement<long>(g.Sum(p => p.Consumed), new KeyValuePair<string, object?>("topic", g.Key))),
            description: "Records read from Kafka by this silo");
        meter.CreateObservableCounter("shopstream.records.rejected", () => statistics.Snapshot()
            .GroupBy(p => p.Topic)
            .Select(g => new Measurement<long>(g.Sum(p => p.Rejected), new KeyValuePair<string, object?>("topic", g.Key))),
            description: "Undecodable records sent to rejected_records by this silo");
        meter.CreateObservableCounter("shopstream.records.skipped", () => statistics.Snapshot()
            .GroupBy(p => p.Topic)
            .Select(g => new Measurement<long>(g.Sum(p => p.Skipped), new KeyValuePair<string, object?>("topic", g.Key))),
            description: "Offsets the broker no longer had when this silo got to them (retention deleted them unread): records lost to the pipeline");
        meter.CreateObservableGauge("shopstream.partition.lag", () => statistics.Snapshot()
            .Where(p => p.OwnedHere && p.Lag is not null)
            .Select(p => new Measurement<long>(p.Lag!.Value,
                new KeyValuePair<string, object?>("topic", p.Topic), new KeyValuePair<string, object?>("partition", p.Partition))),
            description: "Messages not yet committed, per partition read by this silo");
    }

    public void Dispose() => meter.Dispose();
}

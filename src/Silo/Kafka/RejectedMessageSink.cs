using System.Text;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Projection;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>
/// Makes messages the silo moves past durable in <c>rejected_records</c> before their partition moves on: stage
/// <c>decode</c> for undecodable ones, <c>delivery</c> for records their entity grain kept refusing.
/// </summary>
internal sealed class RejectedMessageSink(IProjectionWriter writer) : IKafkaPoisonMessageHandler
{
    public Task HandleAsync(IReadOnlyList<KafkaPoisonMessage> messages, CancellationToken cancellationToken)
    {
        var rows = messages.Select(m =>
        {
            var payload = m.Value is null ? "" : Encoding.UTF8.GetString(m.Value);
            var stage = m.Kind == KafkaPoisonKind.DeliveryFailed ? "delivery" : "decode";
            return new RejectedRow(stage, m.Topic, m.Partition, m.Offset, m.Key, payload, m.Reason,
                ContentHash.OfParts(stage, m.Topic, m.Key, payload, m.Reason));
        }).ToList();
        return writer.WriteAsync(rows);
    }
}

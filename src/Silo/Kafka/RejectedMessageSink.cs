using System.Text;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Projection;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Kafka;

/// <summary>Makes undecodable messages durable in <c>rejected_records</c> before their partition moves on.</summary>
internal sealed class RejectedMessageSink(IProjectionWriter writer) : IKafkaPoisonMessageHandler
{
    public Task HandleAsync(IReadOnlyList<KafkaPoisonMessage> messages, CancellationToken cancellationToken)
    {
        var rows = messages.Select(m =>
        {
            var payload = m.Value is null ? "" : Encoding.UTF8.GetString(m.Value);
            return new RejectedRow("decode", m.Topic, m.Partition, m.Offset, m.Key, payload, m.Reason,
                ContentHash.OfParts("decode", m.Topic, m.Key, payload, m.Reason));
        }).ToList();
        return writer.WriteAsync(rows);
    }
}

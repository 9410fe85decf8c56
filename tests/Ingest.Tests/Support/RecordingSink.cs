using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Tests.Support;

/// <summary>
/// Keeps what would have gone to Kafka, already serialized with <see cref="WireFormat"/> so that tests see exactly
/// the bytes a consumer would decode.
/// </summary>
internal sealed class RecordingSink : IRecordSink
{
    private readonly VersionClock versions = new();

    public List<SentMessage> Messages { get; } = [];

    public int Flushes { get; private set; }

    /// <summary>When set, flushing fails as a failed Kafka delivery would.</summary>
    public string? DeliveryFailure { get; set; }

    public string TopicFor(string streamNamespace) => "shop." + streamNamespace;

    public ValueTask ProduceAsync<TRecord>(string streamNamespace, string key, TRecord record, CancellationToken cancellationToken = default)
        where TRecord : class
    {
        var value = WireFormat.Serialize(streamNamespace, record, versions.Next(), DateTimeOffset.UtcNow);
        Messages.Add(new SentMessage(streamNamespace, TopicFor(streamNamespace), key, record, value));
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Flushes++;
        return DeliveryFailure is null ? Task.CompletedTask : Task.FromException(new IngestException(DeliveryFailure));
    }

    public IEnumerable<SentMessage> In(string streamNamespace) => Messages.Where(m => m.Namespace == streamNamespace);
}

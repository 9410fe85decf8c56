using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Tests.Support;

namespace Shopstream.Ingest.Tests.Support;

/// <summary>
/// The real <see cref="ClickEventIntake"/> producing to fresh one-partition topics on the embedded Kafka-protocol
/// broker (the run's one shared broker), and a reader of what those topics then hold, as a consumer would see it.
/// </summary>
internal sealed class IntakeRig : IAsyncDisposable
{
    private readonly KafkaRecordProducer producer;
    private readonly string eventsTopic = "door" + Guid.NewGuid().ToString("N")[..10] + ".events";
    private readonly string rejectedTopic = "door" + Guid.NewGuid().ToString("N")[..10] + ".rejected";

    public IntakeRig()
    {
        SharedBroker.Instance.CreateTopic(eventsTopic, 1);
        SharedBroker.Instance.CreateTopic(rejectedTopic, 1);
        producer = new KafkaRecordProducer(new KafkaProducerOptions
        {
            BootstrapServers = SharedBroker.Instance.BootstrapServers,
            EventsTopic = eventsTopic,
            RejectedTopic = rejectedTopic,
        });
        Intake = new ClickEventIntake(producer);
    }

    public ClickEventIntake Intake { get; }

    /// <summary>Reads a body as the API does (<see cref="EventsBody.Read"/>) and hands it to the intake.</summary>
    public Task<EventsResponse> PostAsync(string body, bool ndjson = false) => PostAsync(Encoding.UTF8.GetBytes(body), ndjson);

    public Task<EventsResponse> PostAsync(byte[] body, bool ndjson = false) => Intake.AcceptAsync(EventsBody.Read(body, ndjson));

    /// <summary>The message values (the wire envelopes' text) the events topic holds, in order.</summary>
    public IReadOnlyList<string> Events() => Read(eventsTopic);

    /// <summary>The <c>record</c> of every rejection the rejected topic holds, in order.</summary>
    public IReadOnlyList<JsonElement> Rejections() =>
        [.. Read(rejectedTopic).Select(value => JsonDocument.Parse(value).RootElement.GetProperty("record").Clone())];

    public async ValueTask DisposeAsync() => await producer.DisposeAsync();

    private static List<string> Read(string topic)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = SharedBroker.Instance.BootstrapServers,
            GroupId = "door-" + Guid.NewGuid().ToString("N")[..8],
            EnableAutoCommit = false,
        }).Build();
        var partition = new TopicPartition(topic, 0);
        var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (values.Count < end && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { Message: { } message })
            {
                values.Add(Encoding.UTF8.GetString(message.Value));
            }
        }

        return values;
    }
}

using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Shopstream.Ingest.Feeds;
using Shopstream.Ingest.Producing;
using Shopstream.Kafka.Embedded;
using Shopstream.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests.Feeds;

/// <summary>
/// A bridge between two embedded brokers: the "foreign" one with a topic per shape holding the shipped samples, some
/// malformed messages and duplicates, and ours with the events and rejected topics.
/// </summary>
public sealed class FeedBridgeTests : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker foreign = EmbeddedKafkaBroker.Start();
    private readonly EmbeddedKafkaBroker ours = EmbeddedKafkaBroker.Start();
    private readonly string prefix = "f" + Guid.NewGuid().ToString("N")[..8] + ".";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreign.Dispose();
        ours.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_message_of_every_shape_lands_once_in_events_or_rejected_and_the_foreign_offsets_reach_the_end()
    {
        var web = FeedSamples.Lines("web-tracker");
        var feed = FeedSamples.Lines("product-view-feed");
        var generic = FeedSamples.Lines("generic");
        // The samples' shapes, counted by hand with the README's rule (python3 over both files); each file holds one
        // deliberately bad generic event (no session, timestamp "yesterday"), so 182 of the 184 are valid.
        Assert.Equal((137, 140, 184), (web.Count, feed.Count, generic.Count));
        await SendAsync("web", FeedSamples.ForeignMessages("web-tracker"));
        await SendAsync("feed", FeedSamples.ForeignMessages("product-view-feed"));
        await SendAsync("generic", FeedSamples.ForeignMessages("generic"));

        await using var bridges = Bridges(new()
        {
            ["web"] = Feed("web", "web-tracker"),
            ["feed"] = Feed("feed", "product-view-feed"),
            ["generic"] = Feed("generic", "generic"),
        });
        await bridges.StartAsync(CancellationToken.None);
        var statuses = await Eventually.Until(
            bridges.Statuses, s => s.Sum(x => x.Consumed) == 145 + 143 + 185, TimeSpan.FromSeconds(60), "every foreign message consumed");
        await bridges.StopAsync(CancellationToken.None);

        Assert.Equal(
            [("feed", 143L, 143L, 0L), ("generic", 185L, 182L, 3L), ("web", 145L, 142L, 3L)],
            statuses.Select(s => (s.Name, s.Consumed, s.Produced, s.Rejected)));
        var events = ReadAll(prefix + "events", 142 + 143 + 182);
        var rejected = ReadAll(prefix + "rejected", 6);
        Assert.Equal(142 + 143 + 182, events.Count);
        Assert.Equal(6, rejected.Count);
        // Keyed by session: the 114 session keys of the valid samples (session_id, else device_id), counted by hand.
        Assert.Equal(114, events.Select(e => e.Key).Distinct().Count());
        Assert.Equal(
            [.. web.Concat(feed).Concat(generic).Select(FeedSamples.SessionKeyOf).OfType<string>().Distinct().Order(StringComparer.Ordinal)],
            events.Select(e => e.Key).Distinct().Order(StringComparer.Ordinal));
        var reasons = string.Join("\n", rejected.Select(r => RecordText(r.Value)));
        Assert.Contains("not valid JSON", reasons, StringComparison.Ordinal);
        Assert.Contains("feed 'web' carries web-tracker events, this one is generic", reasons, StringComparison.Ordinal);
        Assert.Contains("time_stamp", reasons, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", reasons, StringComparison.Ordinal);
        Assert.Contains("session_key: session_id or device_id is required", reasons, StringComparison.Ordinal);
        Assert.Contains("feed-web:", reasons, StringComparison.Ordinal);
        foreach (var name in new[] { "web", "feed", "generic" })
        {
            Assert.Equal(0, Uncommitted(name));
        }
    }

    [Fact]
    public async Task Feed_client_settings_reach_the_foreign_consumer_and_a_failing_handshake_consumes_nothing()
    {
        // The mock cluster cannot require SASL; a client that got the feed's SASL settings fails its handshake against
        // it and says so, one that did not would consume the message.
        await SendAsync("sasl", [FeedSamples.ForeignMessages("generic")[0]]);
        var options = Feed("sasl", "generic");
        options.Client["security.protocol"] = "SASL_PLAINTEXT";
        options.Client["sasl.mechanism"] = "PLAIN";
        options.Client["sasl.username"] = "wrong-user";
        options.Client["sasl.password"] = "wrong-password";
        await using var bridges = Bridges(new() { ["sasl"] = options });
        await bridges.StartAsync(CancellationToken.None);

        // librdkafka reports more than one error as it fails (also "1/1 brokers are down", which names no protocol):
        // wait for the one that names the broker by the SASL protocol it was told to speak.
        await Eventually.Until(
            () => bridges.Statuses()[0], s => s.LastError?.Contains("sasl_plaintext://", StringComparison.OrdinalIgnoreCase) == true,
            TimeSpan.FromSeconds(30), "the foreign client reports a failure naming sasl_plaintext://");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await bridges.StopAsync(CancellationToken.None);

        Assert.Equal(0, bridges.Statuses()[0].Consumed);
    }

    private FeedOptions Feed(string topic, string shape) => new() { Bootstrap = foreign.BootstrapServers, Topic = prefix + topic, Shape = shape, Group = prefix + "g-" + topic };

    private FeedBridges Bridges(Dictionary<string, FeedOptions> feeds)
    {
        ours.CreateTopic(prefix + "events", 4);
        ours.CreateTopic(prefix + "rejected", 4);
        return new FeedBridges(feeds, name => new KafkaProducerOptions
        {
            BootstrapServers = ours.BootstrapServers,
            EventsTopic = prefix + "events",
            RejectedTopic = prefix + "rejected",
            Source = FeedBridge.SourceName(name),
        }, NullLoggerFactory.Instance);
    }

    private async Task SendAsync(string topic, IEnumerable<byte[]> messages)
    {
        foreign.CreateTopic(prefix + topic, 3);
        using var producer = new RawProducer(foreign.BootstrapServers);
        var i = 0;
        foreach (var message in messages)
        {
            // Keys spread the messages over the partitions; a foreign producer's keys mean nothing to the bridge.
            await producer.SendRawAsync(prefix + topic, $"k{i++}", message);
        }
    }

    private List<(string Key, string Value)> ReadAll(string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = ours.BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var read = new List<(string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // A little past the expected count, so that a message produced twice would be seen.
        var quietSince = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && (read.Count < expected || DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(2)))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                read.Add((r.Message.Key, Encoding.UTF8.GetString(r.Message.Value)));
                quietSince = DateTime.UtcNow;
            }
        }
        consumer.Close();
        return read;
    }

    /// <summary>The record of a wire envelope as plain text (key, reason, ...), JSON escapes undone.</summary>
    private static string RecordText(string envelope)
    {
        using var document = JsonDocument.Parse(envelope);
        return string.Join(" ", document.RootElement.GetProperty("record").EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
    }

    private long Uncommitted(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = foreign.BootstrapServers }).Build();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = foreign.BootstrapServers, GroupId = prefix + "g-" + topic }).Build();
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(prefix + topic, p)).ToList();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
        return committed.Sum(c => consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).High.Value - Math.Max(0, c.Offset.Value));
    }
}

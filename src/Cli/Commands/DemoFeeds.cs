using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shopstream.Ingest.Feeds;
using Shopstream.Kafka.Embedded;
using Shopstream.Silo.Hosting;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>
/// <c>demo --feed</c>: a second embedded broker plays the foreign cluster; the sample events go to it raw, one topic per
/// shape (<c>web-tracker</c>, <c>product-view-feed</c>, <c>generic</c>), and the demo's silo bridges them as three feeds.
/// </summary>
internal sealed class DemoFeeds : IDisposable
{
    private readonly EmbeddedKafkaBroker broker;
    private readonly int messages;

    private DemoFeeds(EmbeddedKafkaBroker broker, int messages)
    {
        this.broker = broker;
        this.messages = messages;
    }

    /// <summary>Starts the foreign broker, writes the events of <paramref name="directory"/> to it and adds the feeds to <paramref name="options"/>.</summary>
    public static DemoFeeds Start(string directory, ShopstreamOptions options, int partitions)
    {
        var broker = EmbeddedKafkaBroker.Start();
        var lines = Directory.GetFiles(directory, "*.ndjson").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).Where(l => l.Trim().Length > 0).ToList();
        using var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(
            new Confluent.Kafka.ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        foreach (var shape in FeedOptions.Shapes.Keys)
        {
            broker.CreateTopic(shape, partitions);
            options.Feeds[shape] = new FeedOptions { Bootstrap = broker.BootstrapServers, Topic = shape, Shape = shape };
        }
        foreach (var line in lines)
        {
            producer.Produce(ShapeOf(line), new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = line });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        AnsiConsole.MarkupLine($"--feed: {lines.Count} events written raw to the foreign broker [bold]{broker.BootstrapServers}[/], topics {string.Join(", ", FeedOptions.Shapes.Keys)}");
        return new DemoFeeds(broker, lines.Count);
    }

    /// <summary>Waits until the silo's bridges consumed every message; returns what they produced and rejected.</summary>
    public async Task<(int Accepted, int Rejected)> WaitBridgedAsync(IServiceProvider services, TimeSpan timeout, CancellationToken ct)
    {
        var bridges = services.GetRequiredService<FeedBridges>();
        var deadline = DateTime.UtcNow + timeout;
        while (bridges.Statuses().Sum(s => s.Consumed) < messages && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
        foreach (var s in bridges.Statuses())
        {
            AnsiConsole.MarkupLine($"  feed [grey]{Markup.Escape(s.Name)}[/]: consumed {s.Consumed}, produced {s.Produced}, rejected {s.Rejected}, lag {s.Lag}");
        }
        return ((int)bridges.Statuses().Sum(s => s.Produced), (int)bridges.Statuses().Sum(s => s.Rejected));
    }

    public void Dispose() => broker.Dispose();

    /// <summary>The README's rule: generic with event_id/event_type, else web tracker, else the product view feed.</summary>
    private static string ShapeOf(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            bool Has(params string[] names) => root.ValueKind == JsonValueKind.Object && names.Any(n => root.TryGetProperty(n, out _));
            return Has("event_id", "event_type") ? "generic" : Has("collection", "time_stamp", "_id", "user_id_db", "api_version") ? "web-tracker" : "product-view-feed";
        }
        catch (JsonException)
        {
            return "generic";
        }
    }
}

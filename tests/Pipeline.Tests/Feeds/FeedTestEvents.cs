using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Shopstream.Pipeline.Tests.Feeds;

/// <summary>
/// Generic product views whose facts are easy to count by hand: event i (id <c>d&lt;i&gt;</c>) is a view of product
/// (i mod 20) + 1 in session s(i mod 500) at 2024-05-01 00:00 UTC plus i seconds, desktop Chrome, no referrer, no location.
/// Up to 86,400 events stay on that one day; from 500 events on, each product is viewed by 25 sessions
/// (i = p - 1 + 20k reaches 25 values of i mod 500, as gcd(20, 500) = 20).
/// </summary>
internal static class FeedTestEvents
{
    public const int Sessions = 500;

    public const int Products = 20;

    public static byte[] Event(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$"""{"event_id":"d{{i}}","event_type":"product_view","timestamp":"{{new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i):yyyy-MM-ddTHH:mm:ssZ}}","session_id":"s{{i % Sessions}}","product_id":{{i % Products + 1}},"user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"}"""));

    /// <summary>A producer onto the foreign broker that keeps its reconnect attempts to itself (a broker going away is the point).</summary>
    public static IProducer<string, byte[]> Producer(string bootstrap) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 })
            .SetLogHandler((_, _) => { })
            .Build();

    /// <summary>Sends <paramref name="messages"/> with keys spread over the partitions and waits for their acknowledgements.</summary>
    public static void Send(IProducer<string, byte[]> producer, string topic, IEnumerable<byte[]> messages)
    {
        var i = 0;
        foreach (var message in messages)
        {
            producer.Produce(topic, new Message<string, byte[]> { Key = $"k{i++}", Value = message });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
    }
}

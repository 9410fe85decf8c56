using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Shopstream.Ingest.Feeds;
using Shopstream.Ingest.Producing;
using Shopstream.Kafka.Embedded;

namespace Shopstream.Cli;

/// <summary>
/// Feed bridge throughput (the bench's <c>feed=</c>): <c>events</c> generic product views written raw to a "foreign"
/// embedded broker, then one bridge in this process moves them into our broker's events topic; events/s from the
/// bridge's start until it has consumed, produced (acknowledged) and committed the last one.
/// </summary>
internal static class FeedBridgeBench
{
    /// <summary>What one run measured.</summary>
    /// <param name="Events">Events bridged.</param>
    /// <param name="Seconds">From the bridge's start until every event was acknowledged by our broker.</param>
    /// <param name="JoinSeconds">Of those, until its first batch was done: joining the consumer group, the first fetch.</param>
    public sealed record Result(int Events, double Seconds, double JoinSeconds)
    {
        /// <summary>Events/s once the bridge runs: after its first batch (the group join is a one-off).</summary>
        public double EventsPerSecond => Events / Math.Max(Seconds - JoinSeconds, 1e-6);
    }

    /// <summary>Distinct sessions of the bench's events: event i is in session <c>s(i mod 50,000)</c>.</summary>
    public const int Sessions = 50_000;

    /// <summary>
    /// Bench event <paramref name="i"/>, as a web tracker would send it (generic shape): a view of product <c>i mod 500</c>
    /// on 2024-05-01 in session <c>s(i mod 50,000)</c>, desktop Chrome from Google.
    /// </summary>
    public static byte[] GenericView(int i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$"""{"event_id":"b{{i}}","event_type":"product_view","timestamp":"2024-05-01T10:{{i / 60 % 60:00}}:{{i % 60:00}}Z","session_id":"s{{i % Sessions}}","product_id":{{i % 500}},"user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36","referrer_url":"https://www.google.com/"}"""));

    /// <summary>Runs one measurement on two fresh embedded brokers.</summary>
    public static async Task<Result> RunAsync(int events, int partitions, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        using var foreign = EmbeddedKafkaBroker.Start();
        using var ours = EmbeddedKafkaBroker.Start();
        const string Topic = "product_view";
        foreign.CreateTopic(Topic, partitions);
        ours.CreateTopic("events", partitions);
        ours.CreateTopic("rejected", partitions);
        using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = foreign.BootstrapServers, LingerMs = 20 }).Build())
        {
            for (var i = 0; i < events; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(Topic, new Message<string, byte[]> { Key = $"s{i % Sessions}", Value = GenericView(i) });
                        break;
                    }
                    catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(50));
                    }
                }
            }
            producer.Flush(cancellationToken);
        }

        var feeds = new Dictionary<string, FeedOptions>
        {
            ["bench"] = new() { Bootstrap = foreign.BootstrapServers, Topic = Topic, Shape = "generic" },
        };
        await using var bridges = new FeedBridges(feeds, name => new KafkaProducerOptions
        {
            BootstrapServers = ours.BootstrapServers,
            ClientId = "shopstream-feed-bench",
            Source = FeedBridge.SourceName(name),
        }, NullLoggerFactory.Instance);
        var clock = Stopwatch.StartNew();
        await bridges.StartAsync(cancellationToken);
        double? join = null;
        long atJoin = 0;
        while (bridges.Statuses()[0].Consumed is var consumed && consumed < events)
        {
            if (join is null && consumed > 0)
            {
                (join, atJoin) = (clock.Elapsed.TotalSeconds, consumed);
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"feed bench: {consumed} of {events} events bridged after 5 minutes (the embedded broker keeps about 5 MB per partition: use more partitions)");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await bridges.StopAsync(cancellationToken);
        var status = bridges.Statuses()[0];
        return status.Produced == events
            ? new Result((int)(events - atJoin), seconds, join ?? 0)
            : throw new InvalidOperationException($"feed bench: {status.Produced} of {events} events produced, {status.Rejected} rejected ({status.LastError})");
    }
}

using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Shopstream.Ingest.Feeds;
using Shopstream.Kafka.Embedded;
using Xunit;

namespace Shopstream.Ingest.Tests.Feeds;

/// <summary>
/// A feed's lag as the sources listing shows it: read from the foreign brokers for the feed's group over every partition
/// of its topic, whoever owns them.
/// </summary>
public sealed class FeedLagTests : IDisposable
{
    private readonly EmbeddedKafkaBroker foreign = EmbeddedKafkaBroker.Start();
    private readonly string topic = "lag" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => foreign.Dispose();

    [Fact]
    public void Lag_is_each_partitions_end_minus_the_feed_groups_committed_offset_summed()
    {
        var feed = FiveThreeAndNoneWithTwoCommitted("earliest");

        var lag = FeedLag.Read(feed.ToConsumerConfig("t"), topic, TimeSpan.FromSeconds(10));

        Assert.Null(lag.Error);
        Assert.Equal(
            [new FeedPartitionLag(0, 5, 2, 3), new FeedPartitionLag(1, 3, null, 3), new FeedPartitionLag(2, 0, null, 0)],
            lag.Partitions);
        Assert.Equal(6, lag.Total);
    }

    [Fact]
    public void A_partition_without_a_committed_offset_lags_nothing_when_the_feed_starts_at_the_latest()
    {
        var feed = FiveThreeAndNoneWithTwoCommitted("latest");

        var lag = FeedLag.Read(feed.ToConsumerConfig("t"), topic, TimeSpan.FromSeconds(10));

        Assert.Equal(3, lag.Total);
    }

    [Fact]
    public void Lag_of_an_unreachable_foreign_cluster_is_unknown_with_the_reason_within_the_timeout()
    {
        var feed = new FeedOptions { Bootstrap = "127.0.0.1:1", Topic = topic, Shape = "generic", Group = "g" + topic };
        var clock = Stopwatch.StartNew();

        var lag = FeedLag.Read(feed.ToConsumerConfig("t"), topic, TimeSpan.FromSeconds(2));

        Assert.Null(lag.Total);
        Assert.NotNull(lag.Error);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
    }

    /// <summary>5 messages on partition 0, 3 on partition 1, none on 2; the feed's group committed 2 on partition 0 only.</summary>
    private FeedOptions FiveThreeAndNoneWithTwoCommitted(string start)
    {
        foreign.CreateTopic(topic, 3);
        var feed = new FeedOptions { Bootstrap = foreign.BootstrapServers, Topic = topic, Shape = "generic", Group = "g" + topic, StartPosition = start };
        Produce(0, 5);
        Produce(1, 3);
        Commit(feed, 0, 2);
        return feed;
    }

    private void Produce(int partition, int count)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = foreign.BootstrapServers }).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes("{}") });
        }
        producer.Flush(TimeSpan.FromSeconds(10));
    }

    private void Commit(FeedOptions feed, int partition, long offset)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(feed.ToConsumerConfig("t")).Build();
        consumer.Commit([new TopicPartitionOffset(topic, partition, offset)]);
    }
}

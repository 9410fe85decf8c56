using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Shopstream.Streaming.Kafka;
using Shopstream.Streaming.Kafka.Providers;
using Shopstream.Tests.Support;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>
/// A partition whose committed offset the broker no longer has (retention deleted the records before the silo read
/// them): the consumer starts again at the earliest record it still has, and the hub says which offsets were skipped
/// instead of moving on without a word (one default bench run lost 248 events of a partition that way, README).
/// </summary>
public sealed class SkippedOffsetsTests
{
    [Fact]
    public async Task Records_deleted_before_they_were_read_are_counted_and_logged_as_skipped()
    {
        var topic = "skip" + Guid.NewGuid().ToString("N")[..10];
        var group = "skip" + Guid.NewGuid().ToString("N")[..10];
        SharedBroker.Instance.CreateTopic(topic, 1);
        var partition = new TopicPartition(topic, 0);
        // The group had read up to offset 2 ...
        using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = SharedBroker.Instance.BootstrapServers, GroupId = group }).Build())
        {
            consumer.Commit([new TopicPartitionOffset(partition, 2)]);
        }
        // ... then 8 MB more arrived: the embedded broker keeps about 5 MB of a partition and drops the oldest (the mock
        // cluster has no DeleteRecords), as retention does on a real one.
        var value = new byte[1_000];
        using (var producer = new RawProducer(SharedBroker.Instance.BootstrapServers))
        {
            for (var i = 0; i < 8_000; i += 500)
            {
                await Task.WhenAll(Enumerable.Range(i, 500).Select(j => producer.SendRawAsync(topic, $"k{j}", value)));
            }
        }
        long earliest;
        long end;
        using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = SharedBroker.Instance.BootstrapServers, GroupId = group }).Build())
        {
            var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            (earliest, end) = (marks.Low.Value, marks.High.Value);
        }
        Assert.True(earliest > 2, $"the broker still has offset 2 (earliest {earliest}): nothing was dropped");

        var options = new KafkaStreamOptions { BootstrapServers = SharedBroker.Instance.BootstrapServers, ConsumerGroupId = group };
        var statistics = new KafkaStreamStatistics();
        using var hub = new KafkaConsumerHub(options, NullLogger.Instance, statistics);
        var buffer = await hub.AssignAsync(partition);
        var read = 0L;
        long first = -1;
        await Eventually.Until(() =>
        {
            foreach (var m in buffer.Take(1_000))
            {
                first = first < 0 ? m.Offset.Value : first;
                read++;
            }
            return read >= end - earliest;
        }, TimeSpan.FromSeconds(60), "the hub reading what the broker still has");

        Assert.Equal(earliest, first);
        // Offsets 2 to earliest - 1, read by nobody: counted where /api/stats and shopstream.records.skipped read them.
        Assert.Equal((earliest - 2, earliest - 2), (statistics.TotalSkipped, statistics.Snapshot().Single(p => p.Topic == topic).Skipped));
    }
}

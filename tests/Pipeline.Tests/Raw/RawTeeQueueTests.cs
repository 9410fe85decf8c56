using Confluent.Kafka;
using Shopstream.Silo.Raw;

namespace Shopstream.Pipeline.Tests.Raw;

/// <summary>The tee's bounded hand-over: what does not fit becomes a gap, in order, and the pump never waits.</summary>
public sealed class RawTeeQueueTests
{
    private const string Topic = "raw-tee-queue";

    [Fact]
    public void Reads_that_do_not_fit_become_one_gap_ending_where_the_next_read_handed_over_starts()
    {
        using var tee = new RawTee(capacity: 5, [Topic]);
        tee.Assigned(Topic, 0, 10);
        tee.Read(Messages(10, 3));   // fits: 3 held
        tee.Read(Messages(13, 3));   // 6 > 5: dropped, a gap up to 16
        tee.Read(Messages(16, 1));   // would fit, but follows a gap not taken yet: dropped too, the gap grows to 17
        var first = tee.Take();

        Assert.Equal([TeeEventKind.Assigned, TeeEventKind.Read, TeeEventKind.Gap], first.Select(e => e.Kind));
        Assert.Equal(10, first[0].GapEnd);
        Assert.Equal([10L, 11L, 12L], first[1].Messages!.Select(m => m.Offset.Value));
        Assert.Equal(17, first[2].GapEnd);
        Assert.Equal(4, tee.DroppedMessages);

        tee.Release(3);
        tee.Read(Messages(17, 5)); // the gap was taken and there is room again: handed over
        var second = tee.Take();
        Assert.Equal([17L, 18L, 19L, 20L, 21L], Assert.Single(second).Messages!.Select(m => m.Offset.Value));
        Assert.Equal(5, tee.Held);
    }

    [Fact]
    public void Reads_of_topics_the_raw_zone_does_not_keep_are_ignored()
    {
        using var tee = new RawTee(capacity: 5, [Topic]);
        tee.Assigned("rejected", 0, null);
        tee.Read([Message("rejected", 0)]);

        Assert.Empty(tee.Take());
        Assert.Equal(0, tee.Held);
    }

    private static List<ConsumeResult<byte[], byte[]>> Messages(long from, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Message(Topic, from + i))];

    private static ConsumeResult<byte[], byte[]> Message(string topic, long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(topic, 0, offset),
        Message = new Message<byte[], byte[]> { Key = [1], Value = [2] },
    };
}

#pragma warning disable CS0618 // MoveNext is what the 10.4.2 agent reaches through MoveNextWithResult
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using Shopstream.Streaming.Kafka.Providers;

namespace Shopstream.Streaming.Kafka.Tests;

/// <summary>The provider's cache decides what may be committed: only what every stream has delivered.</summary>
public sealed class KafkaQueueCacheTests
{
    private static readonly StreamId A = StreamId.Create("products", "a");
    private static readonly StreamId B = StreamId.Create("products", "b");

    private static KafkaBatchContainer Message(StreamId stream, long offset) =>
        new(stream, $"payload {offset}", offset);

    private static KafkaQueueCache CacheWith(params KafkaBatchContainer[] messages)
    {
        var cache = new KafkaQueueCache(capacity: 100);
        cache.AddToCache(messages);
        return cache;
    }

    [Fact]
    public void Cursor_walks_one_stream_in_offset_order()
    {
        var cache = CacheWith(Message(A, 0), Message(B, 1), Message(A, 2));
        var cursor = cache.GetCacheCursor(A, new EventSequenceTokenV2(0));

        var seen = new List<long>();
        while (cursor.MoveNext())
        {
            seen.Add(((KafkaBatchContainer)cursor.GetCurrent(out _)!).Offset);
        }
        Assert.Equal([0L, 2L], seen);
    }

    [Fact]
    public void Nothing_is_committable_before_delivery()
    {
        var cache = CacheWith(Message(A, 5), Message(B, 6));
        Assert.Equal(5, cache.FirstUncommittableOffset);
    }

    [Fact]
    public void A_message_counts_as_delivered_when_the_cursor_moves_past_it()
    {
        var cache = CacheWith(Message(A, 5), Message(B, 6));
        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(5));
        Assert.True(a.MoveNext());
        Assert.Equal(5, cache.FirstUncommittableOffset); // being delivered, not yet delivered
        Assert.False(a.MoveNext());
        Assert.Equal(6, cache.FirstUncommittableOffset); // B still waits
    }

    [Fact]
    public void Purge_returns_only_the_delivered_prefix()
    {
        var cache = CacheWith(Message(A, 0), Message(B, 1), Message(A, 2));
        var a = cache.GetCacheCursor(A, null);
        while (a.MoveNext())
        {
        }
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([0L], purged.Cast<KafkaBatchContainer>().Select(m => m.Offset));
        Assert.Equal(2, cache.Count);
        Assert.Equal(1, cache.FirstUncommittableOffset);
    }

    [Fact]
    public void Failed_delivery_blocks_the_commit_so_a_restart_reads_it_again()
    {
        var cache = CacheWith(Message(A, 0), Message(A, 1));
        var a = cache.GetCacheCursor(A, null);
        Assert.True(a.MoveNext());
        a.RecordDeliveryFailure();
        Assert.True(a.MoveNext());
        Assert.False(a.MoveNext());
        cache.TryPurgeFromCache(out _);
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.FirstUncommittableOffset);
    }

    [Fact]
    public void Cursor_without_token_starts_at_the_first_undelivered_message()
    {
        var cache = CacheWith(Message(A, 0), Message(A, 1), Message(A, 2));
        var first = cache.GetCacheCursor(A, null);
        first.MoveNext();
        first.MoveNext(); // 0 delivered, 1 current

        var second = cache.GetCacheCursor(A, null);
        Assert.True(second.MoveNext());
        Assert.Equal(1, ((KafkaBatchContainer)second.GetCurrent(out _)!).Offset);
    }

    [Fact]
    public void A_cursor_sees_messages_added_after_its_stream_was_purged()
    {
        var cache = CacheWith(Message(A, 0));
        var a = cache.GetCacheCursor(A, null);
        Assert.True(a.MoveNext());
        Assert.False(a.MoveNext());
        cache.TryPurgeFromCache(out _);
        cache.AddToCache([Message(A, 7)]);
        Assert.True(a.MoveNext());
        Assert.Equal(7, ((KafkaBatchContainer)a.GetCurrent(out _)!).Offset);
    }

    [Fact]
    public void A_full_cache_reports_pressure_but_still_allows_a_read_attempt()
    {
        var cache = new KafkaQueueCache(capacity: 2);
        cache.AddToCache([Message(A, 0), Message(A, 1)]);
        Assert.True(cache.IsUnderPressure());
        Assert.Equal(1, cache.GetMaxAddCount());
    }

    [Fact]
    public void A_batch_of_one_stream_is_found_by_any_offset_it_holds_and_commits_past_all_of_them()
    {
        var cache = new KafkaQueueCache(capacity: 100);
        cache.AddToCache([new KafkaBatchContainer(A, ["x", "y", "z"], [3, 5, 8]), Message(B, 9)]);
        Assert.Equal(4, cache.Count);

        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(5)); // a token inside the batch
        Assert.True(a.MoveNext());
        var batch = (KafkaBatchContainer)a.GetCurrent(out _)!;
        Assert.Equal(["x", "y", "z"], batch.GetEvents<string>().Select(e => e.Item1));
        Assert.Equal([3L, 5L, 8L], batch.GetEvents<string>().Select(e => e.Item2.SequenceNumber));
        Assert.Equal(3, cache.FirstUncommittableOffset);
        Assert.False(a.MoveNext());
        Assert.Equal(9, cache.FirstUncommittableOffset);
    }

    [Fact]
    public void Batch_container_yields_only_events_of_the_requested_type()
    {
        var m = (IBatchContainer)Message(A, 3);
        Assert.Single(m.GetEvents<string>());
        Assert.Empty(m.GetEvents<int>());
        Assert.Equal(3, m.SequenceToken.SequenceNumber);
    }
}

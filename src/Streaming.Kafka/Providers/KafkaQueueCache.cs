using Orleans.Runtime;
using Orleans.Streams;

namespace Shopstream.Streaming.Kafka.Providers;

/// <summary>
/// The messages of one partition between being read and being delivered, and the record of which
/// offsets may be committed. A message counts as delivered when its stream's cursor moves past it,
/// which the pulling agent does only after the consumer's call returned.
/// </summary>
internal sealed class KafkaQueueCache(int capacity) : IQueueCache
{
    private readonly Lock gate = new();
    private readonly Queue<Entry> entries = new();
    private readonly Dictionary<StreamId, StreamLog> streams = [];
    private long? firstFailedOffset;
    private int messageCount;

    /// <summary>Messages in the cache, delivered or not.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return messageCount;
            }
        }
    }

    /// <summary>
    /// The lowest offset that must not be committed yet: the oldest undelivered message, or a message whose
    /// delivery failed (so that a restart reads it again). Null when everything read has been delivered.
    /// </summary>
    public long? FirstUncommittableOffset
    {
        get
        {
            lock (gate)
            {
                long? pending = null;
                foreach (var e in entries)
                {
                    if (e.State == EntryState.Pending)
                    {
                        pending = e.Offset;
                        break;
                    }
                }
                if (firstFailedOffset is { } failed && (pending is null || failed < pending))
                {
                    return failed;
                }
                return pending;
            }
        }
    }

    public int GetMaxAddCount()
    {
        // Never zero: the agent purges (and so commits) only on a read attempt, and
        // IsUnderPressure stops the read itself when the cache is full.
        lock (gate)
        {
            return Math.Max(1, capacity - messageCount);
        }
    }

    public bool IsUnderPressure()
    {
        lock (gate)
        {
            return messageCount >= capacity;
        }
    }

    public void AddToCache(IList<IBatchContainer> messages)
    {
        lock (gate)
        {
            foreach (var message in messages)
            {
                var container = (KafkaBatchContainer)message;
                var entry = new Entry(container);
                entries.Enqueue(entry);
                messageCount += container.Offsets.Length;
                if (!streams.TryGetValue(container.StreamId, out var log))
                {
                    log = new StreamLog();
                    streams.Add(container.StreamId, log);
                }
                log.Items.Add(entry);
            }
        }
    }

    public bool TryPurgeFromCache(out IList<IBatchContainer> purgedItems)
    {
        var purged = new List<IBatchContainer>();
        lock (gate)
        {
            while (entries.TryPeek(out var head) && head.State != EntryState.Pending)
            {
                entries.Dequeue();
                messageCount -= head.Container.Offsets.Length;
                purged.Add(head.Container);
                if (streams.TryGetValue(head.Container.StreamId, out var log))
                {
                    log.RemoveHead(head);
                    if (log.IsEmpty)
                    {
                        streams.Remove(head.Container.StreamId);
                    }
                }
            }
        }
        // Always report, even with nothing purged: the receiver also commits offsets of
        // messages that never entered the cache (poison messages).
        purgedItems = purged;
        return true;
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token) =>
        new Cursor(this, streamId, token?.SequenceNumber);

    private void MarkFailed(Entry entry)
    {
        lock (gate)
        {
            entry.State = EntryState.Failed;
            if (firstFailedOffset is null || entry.Offset < firstFailedOffset)
            {
                firstFailedOffset = entry.Offset;
            }
        }
    }

    /// <summary>
    /// The stream's first entry that holds offset <paramref name="from"/> or a later one, or else the first
    /// entry that starts after <paramref name="after"/>.
    /// </summary>
    private Entry? Find(StreamId streamId, long? from, long? after)
    {
        lock (gate)
        {
            if (!streams.TryGetValue(streamId, out var log))
            {
                return null;
            }
            if (after is null && from is null)
            {
                // No position: start at the stream's first message not yet delivered.
                for (var i = log.Head; i < log.Items.Count; i++)
                {
                    if (log.Items[i].State == EntryState.Pending)
                    {
                        return log.Items[i];
                    }
                }
                return null;
            }
            // Entries are ordered by both first and last offset, so one binary search serves both cases.
            int lo = log.Head, hi = log.Items.Count;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo) / 2);
                var before = after is { } a ? log.Items[mid].Offset <= a : log.Items[mid].Container.LastOffset < from!.Value;
                if (before)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo < log.Items.Count ? log.Items[lo] : null;
        }
    }

    private void MarkDelivered(Entry entry)
    {
        lock (gate)
        {
            if (entry.State == EntryState.Pending)
            {
                entry.State = EntryState.Delivered;
            }
        }
    }

    private enum EntryState
    {
        Pending,
        Delivered,
        Failed,
    }

    private sealed class Entry(KafkaBatchContainer container)
    {
        public KafkaBatchContainer Container { get; } = container;

        public long Offset => Container.Offset;

        public EntryState State { get; set; }
    }

    private sealed class StreamLog
    {
        public List<Entry> Items { get; } = [];

        public int Head { get; private set; }

        public bool IsEmpty => Head >= Items.Count;

        public void RemoveHead(Entry entry)
        {
            // Per-stream delivery is in offset order, so purged entries are always this log's head.
            if (Head < Items.Count && ReferenceEquals(Items[Head], entry))
            {
                Head++;
            }
            if (Head > 64 && Head * 2 > Items.Count)
            {
                Items.RemoveRange(0, Head);
                Head = 0;
            }
        }
    }

    /// <summary>
    /// Walks one stream's messages. It finds its place by offset on every move, so it keeps working when the
    /// stream's entries are purged and new ones arrive.
    /// </summary>
    private sealed class Cursor(KafkaQueueCache cache, StreamId streamId, long? startOffset) : IQueueCacheCursor
    {
        private Entry? current;
        private long? lastOffset;

        public IBatchContainer? GetCurrent(out Exception? exception)
        {
            exception = null;
            return current?.Container;
        }

        public bool MoveNext()
        {
            if (current is not null)
            {
                // The agent moves a cursor only once the previous message's delivery has completed.
                cache.MarkDelivered(current);
            }
            var next = cache.Find(streamId, startOffset, lastOffset);
            if (next is null)
            {
                current = null;
                return false;
            }
            current = next;
            lastOffset = next.Offset;
            return true;
        }

        public void Refresh(StreamSequenceToken token)
        {
        }

        public void RecordDeliveryFailure()
        {
            if (current is not null)
            {
                cache.MarkFailed(current);
            }
        }

        public void Dispose()
        {
        }
    }
}

using Confluent.Kafka;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.Raw;

/// <summary>
/// The raw zone's share of what the silo's partition pumps read: the reads are queued for
/// <see cref="RawLandingService"/>, up to <c>Shopstream:RawTeeCapacity</c> messages not landed yet. A read that does
/// not fit is dropped at once (the pump never waits for the raw zone) and only its end is kept: the landing service
/// reads the gap from Kafka itself.
/// </summary>
/// <param name="capacity">Messages held at most (<c>Shopstream:RawTeeCapacity</c>).</param>
/// <param name="topics">The topics the raw zone keeps; the pumps read others too (rejected, recalls), which are ignored.</param>
internal sealed class RawTee(int capacity, IReadOnlyCollection<string> topics) : IKafkaReadObserver, IDisposable
{
    private readonly HashSet<string> kept = new(topics, StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly SemaphoreSlim arrived = new(0, 1);
    private List<TeeEvent> events = [];
    private readonly Dictionary<TopicPartition, int> openGaps = [];
    private int held;
    private long droppedMessages;

    /// <summary>Messages dropped so far because the queue was full (read from Kafka again by the landing service).</summary>
    public long DroppedMessages => Interlocked.Read(ref droppedMessages);

    /// <summary>Messages queued or taken and not yet released.</summary>
    public int Held
    {
        get
        {
            lock (sync)
            {
                return held;
            }
        }
    }

    public void Assigned(string topic, int partition, long? startOffset) =>
        Add(new TeeEvent(new TopicPartition(topic, partition), TeeEventKind.Assigned, startOffset, null));

    public void Unassigned(string topic, int partition) =>
        Add(new TeeEvent(new TopicPartition(topic, partition), TeeEventKind.Unassigned, null, null));

    public void Read(IReadOnlyList<ConsumeResult<byte[], byte[]>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }
        var partition = messages[0].TopicPartition;
        if (!kept.Contains(partition.Topic))
        {
            return;
        }
        var next = messages[^1].Offset.Value + 1;
        lock (sync)
        {
            // Once a read of a partition is dropped, its later reads are too until the service takes the gap: the gap
            // then ends where the next read handed over starts, so the service's messages of a partition have no hole
            // that a gap before them does not cover.
            if (openGaps.TryGetValue(partition, out var gap))
            {
                events[gap] = events[gap] with { GapEnd = next };
                Interlocked.Add(ref droppedMessages, messages.Count);
                return;
            }
            if (held + messages.Count > capacity)
            {
                openGaps[partition] = events.Count;
                events.Add(new TeeEvent(partition, TeeEventKind.Gap, next, null));
                Interlocked.Add(ref droppedMessages, messages.Count);
            }
            else
            {
                held += messages.Count;
                events.Add(new TeeEvent(partition, TeeEventKind.Read, null, messages));
            }
        }
        Signal();
    }

    /// <summary>Waits until something was handed over since the last take, or the timeout passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => arrived.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// Takes what was handed over and the gaps of dropped reads, in order. The messages taken stay counted against the
    /// capacity until <see cref="Release"/>.
    /// </summary>
    public List<TeeEvent> Take()
    {
        lock (sync)
        {
            var taken = events;
            events = [];
            openGaps.Clear();
            return taken;
        }
    }

    /// <summary>Gives back room for <paramref name="messages"/> messages: landed, or found landed already.</summary>
    public void Release(int messages)
    {
        lock (sync)
        {
            held -= messages;
        }
    }

    public void Dispose() => arrived.Dispose();

    private void Add(TeeEvent e)
    {
        if (!kept.Contains(e.Partition.Topic))
        {
            return;
        }
        lock (sync)
        {
            openGaps.Remove(e.Partition);
            events.Add(e);
        }
        Signal();
    }

    private void Signal()
    {
        if (arrived.CurrentCount == 0)
        {
            try
            {
                arrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another hand-over signalled first: one wake-up is enough.
            }
        }
    }
}

using Shopstream.Lake.Tables;

namespace Shopstream.Lake.Writing;

/// <summary>
/// The events read from one topic-partition since its last commit. <see cref="Expected"/> is the lake offset the
/// buffer started from (null when the manifest had none): the commit moves it only if it is still that.
/// </summary>
internal sealed class PartitionBuffer(string topic, int partition, long? expected)
{
    private readonly List<LakeEvent> events = [];

    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    public long? Expected { get; private set; } = expected;

    /// <summary>First and last offset read (undecodable messages included), or null before the first.</summary>
    public long? First { get; private set; }

    public long Last { get; private set; } = -1;

    public long Bytes { get; private set; }

    /// <summary>When the first message of this buffer arrived, for the age trigger.</summary>
    public long StartedAtTicks { get; private set; }

    public IReadOnlyList<LakeEvent> Events => events;

    public bool IsEmpty => First is null;

    /// <summary>Counts an offset whose message is not an event (undecodable): it is covered, not stored.</summary>
    public void Skip(long offset, int bytes, long nowTicks) => Cover(offset, bytes, nowTicks);

    public void Add(LakeEvent e, int bytes, long nowTicks)
    {
        Cover(e.Offset, bytes, nowTicks);
        events.Add(e);
    }

    /// <summary>After a commit: the next buffer starts where this one ended.</summary>
    public void Committed()
    {
        Expected = Last + 1;
        Clear();
    }

    /// <summary>After a lost race or a failed commit: start again from <paramref name="next"/>.</summary>
    public void Reset(long? next)
    {
        Expected = next;
        Clear();
    }

    private void Cover(long offset, int bytes, long nowTicks)
    {
        if (First is null)
        {
            First = offset;
            StartedAtTicks = nowTicks;
        }
        Last = offset;
        Bytes += bytes;
    }

    private void Clear()
    {
        events.Clear();
        First = null;
        Last = -1;
        Bytes = 0;
    }
}

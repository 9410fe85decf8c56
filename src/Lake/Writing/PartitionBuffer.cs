namespace Shopstream.Lake.Writing;

/// <summary>
/// The messages read from one topic-partition since its last commit, kept as read: decoding waits for the flush, which
/// spreads it over the cores (the consume loop is one thread). <see cref="Expected"/> is the lake offset the
/// buffer started from (null when the manifest had none): the commit moves it only if it is still that.
/// </summary>
internal sealed class PartitionBuffer(string topic, int partition, string table, long? expected)
{
    private readonly List<(long Offset, byte[]? Key, byte[] Value)> messages = [];

    public string Topic { get; } = topic;

    public int Partition { get; } = partition;

    /// <summary>The lake table the topic feeds: <c>events</c> or an entity's history.</summary>
    public string Table { get; } = table;

    public long? Expected { get; private set; } = expected;

    /// <summary>First and last offset read, or null before the first.</summary>
    public long? First { get; private set; }

    public long Last { get; private set; } = -1;

    public long Bytes { get; private set; }

    /// <summary>When the first message of this buffer arrived, for the age trigger.</summary>
    public long StartedAtTicks { get; private set; }

    public IReadOnlyList<(long Offset, byte[]? Key, byte[] Value)> Messages => messages;

    public bool IsEmpty => First is null;

    public void Add(long offset, byte[]? key, byte[] value, long nowTicks)
    {
        if (First is null)
        {
            First = offset;
            StartedAtTicks = nowTicks;
        }
        Last = offset;
        Bytes += value.Length;
        messages.Add((offset, key, value));
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

    private void Clear()
    {
        messages.Clear();
        First = null;
        Last = -1;
        Bytes = 0;
    }
}

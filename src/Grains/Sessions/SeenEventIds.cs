namespace Shopstream.Grains.Sessions;

/// <summary>The most recent event ids of a session, at most <c>cap</c> of them: the oldest is forgotten first.</summary>
internal sealed class SeenEventIds
{
    private readonly int cap;
    private readonly HashSet<string> ids = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();

    public SeenEventIds(int cap, IEnumerable<string> remembered)
    {
        this.cap = cap;
        foreach (var id in remembered)
        {
            Add(id);
        }
    }

    public int Count => ids.Count;

    public bool Contains(string id) => ids.Contains(id);

    public void Add(string id)
    {
        if (cap == 0 || !ids.Add(id))
        {
            return;
        }
        order.Enqueue(id);
        while (order.Count > cap)
        {
            ids.Remove(order.Dequeue());
        }
    }

    /// <summary>The remembered ids, oldest first, as saved in grain state.</summary>
    public List<string> ToList() => [.. order];
}

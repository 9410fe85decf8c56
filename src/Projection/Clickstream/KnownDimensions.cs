using System.Collections.Concurrent;

namespace Shopstream.Projection.Clickstream;

/// <summary>
/// The dimension rows this writer has committed, per table and key: a batch leaves out a row equal to the one last
/// committed under its key, since upserting it again changes nothing. Without this every batch upserted the same few
/// hundred <c>dim_product</c> rows, and because <c>ON CONFLICT DO UPDATE</c> locks each conflicting row even when its
/// <c>WHERE</c> skips the update, two writers' batches waited on each other's commit.
/// </summary>
/// <remarks>
/// Only rows of committed transactions are remembered, so a left-out row is always in the table. A row that differs
/// from the remembered one under its key is written as before (and then remembered instead), so the table ends as it
/// would without the cache. Bounded: when full it starts over, which only costs a few upserts.
/// </remarks>
internal sealed class KnownDimensions(int capacity = 100_000)
{
    private readonly ConcurrentDictionary<(string Table, string Key), object> rows = new();

    /// <summary>Whether <paramref name="row"/> is exactly the row last committed under <paramref name="key"/> in <paramref name="table"/>.</summary>
    public bool Has(string table, string key, object row) =>
        rows.TryGetValue((table, key), out var known) && known.Equals(row);

    /// <summary>Remembers rows a transaction has just committed.</summary>
    public void Remember<T>(string table, IEnumerable<T> committed, Func<T, string> key) where T : notnull
    {
        if (rows.Count >= capacity)
        {
            rows.Clear();
        }
        foreach (var row in committed)
        {
            rows[(table, key(row))] = row;
        }
    }
}

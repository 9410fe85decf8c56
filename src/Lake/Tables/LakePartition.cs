using System.Text;

namespace Shopstream.Lake.Tables;

/// <summary>A table and its Hive partition values, in partition-spec order.</summary>
internal sealed record LakePartition(string Table, IReadOnlyList<(string Name, string Value)> Values)
{
    /// <summary><c>events/event_type=page_view/event_date=2024-05-01</c>.</summary>
    public string Directory
    {
        get
        {
            var path = new StringBuilder(Table);
            foreach (var (name, value) in Values)
            {
                path.Append('/').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
            return path.ToString();
        }
    }

    public bool Equals(LakePartition? other) =>
        other is not null && Table == other.Table && Values.SequenceEqual(other.Values);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Table, StringComparer.Ordinal);
        foreach (var v in Values)
        {
            hash.Add(v);
        }
        return hash.ToHashCode();
    }
}

using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Lake.Tables;

/// <summary>Which lake table each topic feeds.</summary>
internal static class LakeTables
{
    private static readonly string[] EntityNamespaces = [StreamNamespaces.Products, StreamNamespaces.Carts, StreamNamespaces.Users];

    /// <summary>The events topic feeds <c>events</c>; the products, carts and users topics their history tables.</summary>
    public static Dictionary<string, string> ByTopic(IReadOnlyDictionary<string, string> topicsByNamespace)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal) { [topicsByNamespace[StreamNamespaces.Events]] = EventsTable.Name };
        foreach (var ns in EntityNamespaces)
        {
            tables[topicsByNamespace[ns]] = HistoryTable.NameOf(ns);
        }
        return tables;
    }
}

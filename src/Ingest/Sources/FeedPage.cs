using System.Text.Json;
using Shopstream.Ingest.Json;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// The records of one JSON document: a plain array (FakeStore, snapshot files) or DummyJSON's page wrapper
/// <c>{"products":[...],"total":194,"skip":0,"limit":30}</c>, whose array property is named after the entity.
/// </summary>
internal sealed class FeedPage
{
    private FeedPage(IReadOnlyList<JsonElement> items, int? total)
    {
        Items = items;
        Total = total;
    }

    public IReadOnlyList<JsonElement> Items { get; }

    /// <summary>The wrapper's <c>total</c>; null for a plain array, which is always complete.</summary>
    public int? Total { get; }

    /// <summary>Parses a whole document. <paramref name="origin"/> (file path or URL) goes into every error message.</summary>
    public static async Task<FeedPage> ParseAsync(Stream json, string entity, string origin, CancellationToken cancellationToken)
    {
        var root = await JsonRoot.ParseAsync(json, origin, cancellationToken).ConfigureAwait(false);
        return FromRoot(root, entity, origin);
    }

    private static FeedPage FromRoot(JsonElement root, string entity, string origin)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return new FeedPage([.. root.EnumerateArray()], null);
        }

        if (root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty(entity, out var items)
            && items.ValueKind == JsonValueKind.Array)
        {
            int? total = root.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n)
                ? n
                : null;
            return new FeedPage([.. items.EnumerateArray()], total);
        }

        throw new IngestException(
            $"{origin} is neither a JSON array nor a page object with a '{entity}' array (found {root.ValueKind})");
    }
}

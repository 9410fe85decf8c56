using System.Text.Json;
using Shopstream.Ingest.Json;

namespace Shopstream.Ingest.RappelConso;

/// <summary>
/// One reply of the records endpoint: Explore v2.1's <c>{"total_count": N, "results": [flat records]}</c> or v2.0's
/// <c>{"total_count": N, "records": [{"record": {"fields": {...}}}]}</c> (the <c>rappelconso0</c> dataset), as records.
/// </summary>
public sealed class RecallPage
{
    private RecallPage(IReadOnlyList<JsonElement> records, long totalCount)
    {
        Records = records;
        TotalCount = totalCount;
    }

    /// <summary>The records: V2 records as they are, V1 records' <c>fields</c> objects.</summary>
    public IReadOnlyList<JsonElement> Records { get; }

    /// <summary>Records matching the request's filter, all pages together.</summary>
    public long TotalCount { get; }

    /// <exception cref="IngestException">The reply is not JSON or of neither shape; the message names <paramref name="origin"/>.</exception>
    public static async Task<RecallPage> ParseAsync(Stream json, string origin, CancellationToken cancellationToken)
    {
        var root = await JsonRoot.ParseAsync(json, origin, cancellationToken).ConfigureAwait(false);
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("total_count", out var total) || !total.TryGetInt64(out var totalCount))
        {
            throw new IngestException($"{origin} has no numeric total_count (found {root.ValueKind})");
        }

        if (root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
        {
            return new RecallPage([.. results.EnumerateArray()], totalCount);
        }

        if (root.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array)
        {
            // A V1 entry without record.fields stays as it is: the normalizer rejects it with a reason.
            return new RecallPage([.. records.EnumerateArray().Select(FieldsOf)], totalCount);
        }

        throw new IngestException($"{origin} has neither a 'results' array (Explore v2.1) nor a 'records' array (v2.0)");
    }

    private static JsonElement FieldsOf(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object
        && entry.TryGetProperty("record", out var record) && record.ValueKind == JsonValueKind.Object
        && record.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object
            ? fields
            : entry;
}

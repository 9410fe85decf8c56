using System.Text.Json;

namespace Shopstream.Ingest.Json;

/// <summary>The root of a whole JSON document read from a file or a response, for readers that keep its elements.</summary>
internal static class JsonRoot
{
    /// <summary>Parses <paramref name="json"/>; <paramref name="origin"/> (file path or URL) goes into the error message.</summary>
    /// <exception cref="IngestException">It is not valid JSON.</exception>
    public static async Task<JsonElement> ParseAsync(Stream json, string origin, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(json, default, cancellationToken).ConfigureAwait(false);
            // Clone once so the elements outlive the pooled document without one clone per record.
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            // One line: the parser quotes the offending text, line breaks included.
            throw new IngestException($"{origin} is not valid JSON: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }
}

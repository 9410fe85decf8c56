using System.Text;
using System.Text.Json;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Splits a <c>POST /events</c> body into events: one JSON object, a JSON array of events, or NDJSON (one event per
/// line, blank lines ignored). Each event stands on its own: an NDJSON line that is not JSON rejects that line only.
/// </summary>
public static class EventsBody
{
    /// <summary>Media types read as NDJSON; everything else is read as JSON.</summary>
    public static readonly IReadOnlyList<string> NdjsonMediaTypes =
        ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"];

    private const int MaxKeptTextChars = 4096;

    /// <summary>Whether a <c>Content-Type</c> header announces NDJSON.</summary>
    public static bool IsNdjson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return NdjsonMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The events of a body, in order.</summary>
    public static IReadOnlyList<RawEvent> Read(ReadOnlyMemory<byte> body, bool ndjson) =>
        ndjson ? ReadLines(body) : ReadJson(body);

    private static List<RawEvent> ReadJson(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return [Unparsable(0, body.Span, $"body: not valid JSON ({ex.Message}); send one object, an array or NDJSON with Content-Type: application/x-ndjson")];
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return [new RawEvent(0, root.Clone(), null, null)];
            }
            var events = new List<RawEvent>(root.GetArrayLength());
            var index = 0;
            foreach (var item in root.EnumerateArray())
            {
                events.Add(new RawEvent(index++, item.Clone(), null, null));
            }
            return events;
        }
    }

    private static List<RawEvent> ReadLines(ReadOnlyMemory<byte> body)
    {
        var events = new List<RawEvent>();
        var rest = body;
        var index = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (IsBlank(line.Span))
            {
                continue;
            }
            try
            {
                using var document = JsonDocument.Parse(line);
                events.Add(new RawEvent(index, document.RootElement.Clone(), null, null));
            }
            catch (JsonException ex)
            {
                events.Add(Unparsable(index, line.Span, $"event: not valid JSON ({ex.Message})"));
            }
            index++;
        }
        return events;
    }

    private static RawEvent Unparsable(int index, ReadOnlySpan<byte> bytes, string error)
    {
        var text = Encoding.UTF8.GetString(bytes).Trim();
        return new RawEvent(index, default, text.Length > MaxKeptTextChars ? text[..MaxKeptTextChars] : text, error);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }
        return true;
    }
}

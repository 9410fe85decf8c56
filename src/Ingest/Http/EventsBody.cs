using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Rejection;

namespace Shopstream.Ingest.Http;

/// <summary>
/// Splits a <c>POST /events</c> body into events: one JSON object, a JSON array of events, or NDJSON (one event per
/// line). Each event stands on its own: an array element or NDJSON line that is larger than
/// <see cref="EventLimits.MaxEventBytes"/>, not UTF-8 or not JSON rejects that event only, and the rest is judged
/// normally.
/// </summary>
/// <remarks>
/// An array is split into its elements by a scan that only follows strings, escapes and nesting, never decoding
/// anything, and each element is then parsed alone: one element with invalid UTF-8 or broken syntax cannot fail the
/// others (parsing the whole array would). Indexes are 0-based: the element's position in the array, or the line
/// number in NDJSON (blank lines are skipped but counted, so an index is the line an editor shows minus one). A body
/// cut short keeps its complete elements; text after an array's closing <c>]</c> is rejected as one more event.
/// </remarks>
public static class EventsBody
{
    /// <summary>Media types read as NDJSON; everything else is read as JSON.</summary>
    public static readonly IReadOnlyList<string> NdjsonMediaTypes =
        ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"];

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

    /// <summary>The events of a body, in order. Never throws for anything a client sends.</summary>
    public static IReadOnlyList<RawEvent> Read(ReadOnlyMemory<byte> body, bool ndjson)
    {
        // A UTF-8 byte order mark is not JSON; editors and some clients still write one.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        return ndjson ? ReadLines(body) : ReadJson(body);
    }

    /// <summary>
    /// One event that arrives on its own (a Kafka message of a feed), judged for size, encoding and JSON as an element
    /// of a body is. Never throws.
    /// </summary>
    public static RawEvent ReadOne(int index, ReadOnlyMemory<byte> message)
    {
        if (message.Span.StartsWith("\uFEFF"u8))
        {
            message = message[3..];
        }

        return Parse(index, Trim(message), "event", "");
    }

    private static List<RawEvent> ReadJson(ReadOnlyMemory<byte> memory)
    {
        var body = memory.Span;
        var start = SkipBlank(body, 0);
        if (start == body.Length)
        {
            return [];
        }

        if (body[start] != (byte)'[')
        {
            return [Parse(0, Trim(memory), "body", "; send one object, an array or NDJSON with Content-Type: application/x-ndjson")];
        }

        var events = new List<RawEvent>();
        var at = start + 1;
        while (true)
        {
            at = SkipBlank(body, at);
            if (at == body.Length)
            {
                return events;
            }

            if (body[at] == (byte)']')
            {
                if (events.Count > 0)
                {
                    events.Add(Unparsable(events.Count, [], "event: empty array element (a comma too many)"));
                }
                at++;
                break;
            }

            var end = EndOfElement(body, at);
            events.Add(Parse(events.Count, Trim(memory[at..end]), "event", ""));
            if (end == body.Length)
            {
                return events;
            }

            at = end + 1;
            if (body[end] == (byte)']')
            {
                break;
            }
        }

        var rest = Trim(memory[at..]);
        if (!rest.IsEmpty)
        {
            events.Add(Unparsable(events.Count, rest.Span, "body: text after the array's closing ]"));
        }
        return events;
    }

    private static List<RawEvent> ReadLines(ReadOnlyMemory<byte> body)
    {
        var events = new List<RawEvent>();
        var lineNumber = 0;
        while (!body.IsEmpty)
        {
            var end = body.Span.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? ReadOnlyMemory<byte>.Empty : body[(end + 1)..];
            line = Trim(line);
            if (!line.IsEmpty)
            {
                events.Add(Parse(lineNumber, line, "event", ""));
            }
            lineNumber++;
        }
        return events;
    }

    /// <summary>One event's bytes, judged for size and encoding before they are parsed.</summary>
    private static RawEvent Parse(int index, ReadOnlyMemory<byte> memory, string subject, string hint)
    {
        var json = memory.Span;
        if (json.Length > EventLimits.MaxEventBytes)
        {
            return Unparsable(index, json, string.Create(
                CultureInfo.InvariantCulture, $"{subject}: larger than {EventLimits.MaxEventBytes} bytes of JSON ({json.Length})"));
        }

        if (json.IsEmpty)
        {
            return Unparsable(index, json, $"{subject}: empty{hint}");
        }

        if (!Utf8.IsValid(json))
        {
            return Unparsable(index, json, $"{subject}: not valid UTF-8{hint}");
        }

        try
        {
            using var document = JsonDocument.Parse(memory);
            return new RawEvent(index, document.RootElement.Clone(), null, null);
        }
        catch (JsonException ex)
        {
            return Unparsable(index, json, $"{subject}: not valid JSON ({ex.Message}){hint}");
        }
    }

    private static RawEvent Unparsable(int index, ReadOnlySpan<byte> bytes, string error) =>
        new(index, default, RejectedPayload.Excerpt(bytes), error);

    /// <summary>
    /// Where the array element starting at <paramref name="start"/> ends: the index of the <c>,</c> or <c>]</c> after
    /// it at nesting depth 0 outside strings, or the body's length when the body ends first.
    /// </summary>
    private static int EndOfElement(ReadOnlySpan<byte> body, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < body.Length; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)',' or (byte)']' when depth == 0:
                    return i;
                case (byte)'}' or (byte)']':
                    depth--;
                    break;
            }
        }
        return body.Length;
    }

    private static int SkipBlank(ReadOnlySpan<byte> body, int at)
    {
        while (at < body.Length && IsBlank(body[at]))
        {
            at++;
        }
        return at;
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var start = SkipBlank(span, 0);
        var end = span.Length;
        while (end > start && IsBlank(span[end - 1]))
        {
            end--;
        }
        return bytes[start..end];
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}

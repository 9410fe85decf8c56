using System.Text;
using System.Text.Json;

namespace Shopstream.Tests.Support;

/// <summary>
/// The shipped clickstream samples (samples/clickstream/events), split by shape with the README's rule (generic with
/// <c>event_id</c>/<c>event_type</c>, else web tracker with <c>collection</c>/<c>time_stamp</c>/<c>_id</c>, else the
/// product view feed), as a foreign producer would send them: one raw JSON line per message.
/// </summary>
public static class FeedSamples
{
    /// <summary>The three shapes, as a feed's <c>Shape</c> names them.</summary>
    public static IReadOnlyList<string> Shapes { get; } = ["web-tracker", "product-view-feed", "generic"];

    public static IReadOnlyList<string> Lines(string shape) => [.. All.Value.Where(l => l.Shape == shape).Select(l => l.Line)];

    /// <summary>
    /// What a foreign producer sends on a topic of <paramref name="shape"/>: the samples of that shape, then duplicates and
    /// malformed messages. Web tracker: 137 samples, the first 5 again, then 3 bad ones (not JSON, a generic event, no
    /// <c>time_stamp</c>); product view feed: 140 samples and the first 3 again; generic: 184 samples (2 of them invalid:
    /// no session key, timestamp "yesterday") and one message that is not UTF-8.
    /// </summary>
    public static IReadOnlyList<byte[]> ForeignMessages(string shape)
    {
        var lines = Lines(shape);
        IEnumerable<string> text = shape switch
        {
            "web-tracker" =>
            [
                .. lines, .. lines.Take(5),
                """{"_id": "cut-off""",
                Lines("generic")[0],
                """{"_id": "w-bad-1", "collection": "view_product_detail", "device_id": "d-1"}""",
            ],
            "product-view-feed" => [.. lines, .. lines.Take(3)],
            _ => lines,
        };
        var messages = text.Select(Encoding.UTF8.GetBytes).ToList();
        if (shape == "generic")
        {
            messages.Add([0xff, 0xfe, 0x7b]);
        }
        return messages;
    }

    /// <summary>The session key each line's event goes to: <c>session_id</c>, else <c>device_id</c>; null without either.</summary>
    public static string? SessionKeyOf(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (!root.TryGetProperty("session_id", out var key) && !root.TryGetProperty("device_id", out key))
        {
            return null;
        }
        return key.ValueKind == JsonValueKind.Number ? key.GetRawText() : key.GetString();
    }

    /// <summary>The sample files, by name: clicks-2024-05-01.ndjson, clicks-2024-05-02.ndjson.</summary>
    public static IReadOnlyList<string> EventFiles => [.. Directory.GetFiles(EventsDirectory(), "*.ndjson").Order(StringComparer.Ordinal)];

    private static readonly Lazy<IReadOnlyList<(string Shape, string Line)>> All = new(() =>
    [
        .. EventFiles
            .SelectMany(File.ReadAllLines)
            .Where(l => l.Trim().Length > 0)
            .Select(l => (ShapeOf(l), l)),
    ]);

    private static string EventsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "clickstream", "events");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("samples/clickstream/events not found above " + AppContext.BaseDirectory);
    }

    private static string ShapeOf(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        bool Has(params string[] names) => names.Any(n => root.TryGetProperty(n, out _));
        return Has("event_id", "event_type") ? "generic"
            : Has("collection", "time_stamp", "_id", "user_id_db", "api_version") ? "web-tracker"
            : "product-view-feed";
    }
}

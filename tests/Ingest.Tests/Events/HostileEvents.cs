using System.Text;

namespace Shopstream.Ingest.Tests.Events;

/// <summary>
/// Raw JSON text of events, so that tests can plant what a <c>JsonObject</c> would refuse or re-escape: NUL escapes,
/// unpaired surrogates, invalid UTF-8, numbers no .NET type holds.
/// </summary>
internal static class HostileEvents
{
    /// <summary>
    /// A valid generic <c>product_view</c> with event id <paramref name="id"/> in session <c>door-session</c>, with each
    /// override's field set to its raw JSON text (or removed when the text is null); added fields come last.
    /// </summary>
    public static string Event(string id, params (string Field, string? Json)[] overrides)
    {
        var fields = new List<(string Field, string? Json)>
        {
            ("event_id", $"\"{id}\""),
            ("event_type", "\"product_view\""),
            ("timestamp", "\"2024-05-01T10:15:30Z\""),
            ("session_id", "\"door-session\""),
            ("product_id", "\"dummyjson:1\""),
            ("ip", "\"81.2.69.160\""),
            ("user_agent", "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\""),
            ("current_url", "\"https://shop.example.com/products/essence-mascara-lash-princess\""),
        };
        foreach (var (field, json) in overrides)
        {
            var at = fields.FindIndex(f => f.Field == field);
            if (at >= 0)
            {
                fields[at] = (field, json);
            }
            else
            {
                fields.Add((field, json));
            }
        }

        return "{" + string.Join(",", fields.Where(f => f.Json is not null).Select(f => $"\"{f.Field}\":{f.Json}")) + "}";
    }

    /// <summary>A JSON string literal of <paramref name="length"/> times <paramref name="c"/>.</summary>
    public static string Long(int length, char c = 'x') => "\"" + new string(c, length) + "\"";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Byte arrays joined, for bodies with bytes that are not UTF-8.</summary>
    public static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p switch
        {
            string text => Utf8(text),
            byte[] bytes => bytes,
            _ => throw new ArgumentException("a part is a string or bytes", nameof(parts)),
        })];
}

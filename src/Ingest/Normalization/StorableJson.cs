using System.Globalization;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// JSON whose strings and numbers PostgreSQL can store. It refuses a NUL character in <c>text</c> and <c>jsonb</c>
/// (22021, 22P05); a JSON escape of an unpaired surrogate (<c>"\ud800"</c>) cannot even be read as a .NET string
/// (reading it throws); a number beyond a double's range (<c>1e999999</c>) overflows <c>jsonb</c>'s numeric. So every
/// string (names included) and number of a raw event, at any depth, is checked before any field of it is read.
/// </summary>
internal static class StorableJson
{
    /// <summary>A record with more problems than this lists the first ones only: the answer stays readable.</summary>
    private const int MaxProblems = 10;

    private const int MaxShownNameLength = 64;

    /// <summary>The problem of a string System.Text.Json cannot decode: an escaped unpaired surrogate or invalid UTF-8.</summary>
    public const string Undecodable = "contains an unpaired surrogate or invalid UTF-8";

    /// <summary>Why <paramref name="text"/> cannot be stored, or null when it can.</summary>
    public static string? ProblemOf(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "contains a NUL character";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "contains an unpaired surrogate";
            }
        }

        return null;
    }

    /// <summary>
    /// Every problem with the strings (values and names) and numbers of <paramref name="raw"/>, at any depth, as
    /// <c>"path: problem"</c>, at most <see cref="MaxProblems"/>; empty when all of them can be stored.
    /// </summary>
    public static IReadOnlyList<string> ProblemsIn(JsonElement raw)
    {
        var problems = new List<string>();
        Collect(raw, "", problems);
        return problems;
    }

    /// <summary>
    /// A name or value as it may appear in a message: as is when short and printable, otherwise JSON-escaped and cut,
    /// so that an error message never carries what it complains about (a NUL, 8,000 characters) into storage.
    /// </summary>
    public static string Shown(string text)
    {
        if (text.Length <= MaxShownNameLength && ProblemOf(text) is null && !text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            if (escaped.Length >= MaxShownNameLength)
            {
                return escaped.Append("...").ToString();
            }

            escaped.Append(char.IsControl(c) || char.IsSurrogate(c)
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")
                : c.ToString());
        }

        return escaped.ToString();
    }

    private static void Collect(JsonElement value, string path, List<string> problems)
    {
        if (problems.Count >= MaxProblems)
        {
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var index = 0;
                foreach (var property in value.EnumerateObject())
                {
                    // Most names and values are plain: checked on their UTF-8 bytes, with no string and no path made.
                    var plainName = IsPlain(JsonMarshal.GetRawUtf8PropertyName(property));
                    if (plainName && IsPlainLeaf(property.Value))
                    {
                        index++;
                        continue;
                    }

                    var name = plainName ? property.Name : Read(property, static p => p.Name);
                    var problem = name is null ? Undecodable : ProblemOf(name);
                    var shownName = name is null ? string.Create(CultureInfo.InvariantCulture, $"(field {index})") : Shown(name);
                    var childPath = path.Length == 0 ? shownName : path + "." + shownName;
                    if (problem is not null)
                    {
                        Add(problems, $"{childPath}: field name {problem}");
                    }

                    Collect(property.Value, childPath, problems);
                    index++;
                }

                break;
            case JsonValueKind.Array:
                var item = 0;
                foreach (var element in value.EnumerateArray())
                {
                    if (!IsPlainLeaf(element))
                    {
                        Collect(element, string.Create(CultureInfo.InvariantCulture, $"{path}[{item}]"), problems);
                    }

                    item++;
                }

                break;
            case JsonValueKind.Number:
                if (!IsStorableNumber(value))
                {
                    Add(problems, $"{(path.Length == 0 ? "event" : path)}: number out of range (beyond ±1.7e308)");
                }

                break;
            case JsonValueKind.String:
                var text = Read(value, static v => v.GetString());
                var valueProblem = text is null ? Undecodable : ProblemOf(text);
                if (valueProblem is not null)
                {
                    Add(problems, $"{(path.Length == 0 ? "event" : path)}: {valueProblem}");
                }

                break;
        }
    }

    /// <summary>A string without escapes in valid UTF-8, a storable number, a boolean or null: nothing to report.</summary>
    private static bool IsPlainLeaf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => IsPlain(JsonMarshal.GetRawUtf8Value(value)),
        JsonValueKind.Number => IsStorableNumber(value),
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
        _ => false,
    };

    /// <summary>
    /// Raw JSON text (a string with its quotes, or a name) without a backslash, in valid UTF-8: it cannot hold a NUL (a
    /// raw control character is not JSON) or an unpaired surrogate (only an escape can write one).
    /// </summary>
    private static bool IsPlain(ReadOnlySpan<byte> raw) => !raw.Contains((byte)'\\') && Utf8.IsValid(raw);

    private static bool IsStorableNumber(JsonElement value) => value.TryGetDouble(out var number) && double.IsFinite(number);

    private static void Add(List<string> problems, string problem)
    {
        if (problems.Count < MaxProblems && !problems.Contains(problem))
        {
            problems.Add(problem);
        }
    }

    /// <summary>
    /// A string or name, or null when the JSON escapes an unpaired surrogate: System.Text.Json throws reading one
    /// (raw invalid UTF-8 is caught before parsing, where the bytes are still at hand). A static reader: no closure.
    /// </summary>
    private static string? Read<T>(T source, Func<T, string?> read)
    {
        try
        {
            return read(source) ?? "";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

using System.Globalization;
using System.Text.Json;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// Reads typed fields out of one raw JSON object and remembers the first problem as the rejection reason,
/// so a normalizer can read every field in a row and decide once at the end.
/// Absent and <c>null</c> fields read as null; a field of the wrong JSON type rejects the record.
/// </summary>
internal sealed class FieldReader
{
    private readonly JsonElement element;
    private readonly string path;
    private readonly FieldReader? root;
    private string? reason;

    private FieldReader(JsonElement element, string path, FieldReader? root)
    {
        this.element = element;
        this.path = path;
        this.root = root;
    }

    /// <summary>The first problem found by this reader or any reader nested in it; null while the record is usable.</summary>
    public string? Reason => (root ?? this).reason;

    public static FieldReader Over(JsonElement raw)
    {
        var reader = new FieldReader(raw, "", null);
        if (raw.ValueKind != JsonValueKind.Object)
        {
            reader.Reject($"record is not a JSON object but {KindOf(raw)}");
        }

        return reader;
    }

    public void Reject(string problem)
    {
        var owner = root ?? this;
        owner.reason ??= problem;
    }

    /// <summary>The path of a field for messages, e.g. <c>rating.rate</c> or <c>products[2].quantity</c>.</summary>
    public string PathOf(string name) => path + name;

    /// <summary>A record or line id: a JSON integer greater than 0. Anything else rejects.</summary>
    public long? Id(string name)
    {
        if (TryGet(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id) && id > 0)
        {
            return id;
        }

        Reject(path.Length == 0 && name == "id" ? "missing or invalid id" : $"missing or invalid {PathOf(name)}");
        return null;
    }

    public string? Text(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        return WrongType(name, "a string", value);
    }

    /// <summary>A string, or a number kept as written (house numbers come either way).</summary>
    public string? TextOrNumber(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => WrongType(name, "a string or a number", value),
        };
    }

    public decimal? Decimal(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }

        return WrongType<decimal>(name, "a number", value);
    }

    public int? Int32(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        return WrongType<int>(name, "an integer", value);
    }

    public long? Int64(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        return WrongType<long>(name, "an integer", value);
    }

    /// <summary>An ISO 8601 timestamp as a UTC <see cref="DateTime"/>; one without offset is taken as UTC.</summary>
    public DateTime? UtcDateTime(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(
                value.GetString(),
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
                out var at))
        {
            return at.UtcDateTime;
        }

        return WrongType<DateTime>(name, "an ISO 8601 date string", value);
    }

    /// <summary>The number of elements of an array field.</summary>
    public int? ArrayLength(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            return value.GetArrayLength();
        }

        return WrongType<int>(name, "an array", value);
    }

    /// <summary>A nested object. Absent or of the wrong type, the returned reader reads every field as null.</summary>
    public FieldReader Object(string name)
    {
        var owner = root ?? this;
        if (!TryGet(name, out var value))
        {
            return new FieldReader(default, PathOf(name) + ".", owner);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            WrongType(name, "an object", value);
            return new FieldReader(default, PathOf(name) + ".", owner);
        }

        return new FieldReader(value, PathOf(name) + ".", owner);
    }

    /// <summary>The objects of an array field, each with its own reader; absent reads as empty.</summary>
    public IReadOnlyList<FieldReader> Objects(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            WrongType(name, "an array", value);
            return [];
        }

        var owner = root ?? this;
        var items = new List<FieldReader>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{PathOf(name)}[{index}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                Reject($"{itemPath} must be an object, got {KindOf(item)}");
            }
            else
            {
                items.Add(new FieldReader(item, itemPath + ".", owner));
            }

            index++;
        }

        return items;
    }

    private bool TryGet(string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object
            && element.TryGetProperty(name, out value)
            && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    private string? WrongType(string name, string expected, JsonElement value)
    {
        Reject($"field '{PathOf(name)}' must be {expected}, got {KindOf(value)}");
        return null;
    }

    private T? WrongType<T>(string name, string expected, JsonElement value)
        where T : struct
    {
        WrongType(name, expected, value);
        return null;
    }

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Quoted(value.GetString())}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // Enough of the value to recognise it in a log, not the whole description of a product.
    private static string Quoted(string? text) =>
        text is null ? "\"\"" : text.Length <= 40 ? $"\"{text}\"" : $"\"{text[..40]}...\"";
}

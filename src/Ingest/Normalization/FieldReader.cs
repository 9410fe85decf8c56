using System.Globalization;
using System.Text.Json;
using Shopstream.Ingest.Events;

namespace Shopstream.Ingest.Normalization;

/// <summary>
/// Reads typed fields out of one raw JSON object and remembers the first problem as the rejection reason,
/// so a normalizer can read every field in a row and decide once at the end.
/// Absent and <c>null</c> fields read as null; a field of the wrong JSON type rejects the record, and so does one
/// PostgreSQL could not store: text with a NUL or an unpaired surrogate or longer than
/// <see cref="EventLimits.MaxTextLength"/>, a number beyond its column's type, a date outside
/// [<see cref="EventLimits.MinTimestamp"/>, <see cref="EventLimits.MaxTimestamp"/>).
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
            return StorableString(name, value);
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
            JsonValueKind.String => StorableString(name, value),
            JsonValueKind.Number => WithinLength(name, value.GetRawText()),
            _ => WrongType(name, "a string or a number", value),
        };
    }

    /// <summary>An amount for a <c>numeric(12,2)</c> column: from 0 to 9,999,999,999.99 once rounded to cents.</summary>
    public decimal? Money(string name) => DecimalIn(name, 0m, 9_999_999_999.99m);

    /// <summary>A rating for a <c>numeric(4,2)</c> column: from 0 to 99.99 once rounded to hundredths.</summary>
    public decimal? Rating(string name) => DecimalIn(name, 0m, 99.99m);

    /// <summary>An integer for an <c>integer</c> column, from <paramref name="min"/> up to 2,147,483,647.</summary>
    public int? Int32(string name, int min = int.MinValue) => (int?)IntegerIn(name, min, int.MaxValue);

    /// <summary>An integer for a <c>bigint</c> column.</summary>
    public long? Int64(string name) => IntegerIn(name, long.MinValue, long.MaxValue);

    /// <summary>An ISO 8601 timestamp as a UTC <see cref="DateTime"/>; one without offset is taken as UTC.</summary>
    public DateTime? UtcDateTime(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(
                StringOf(value),
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
                out var at))
        {
            if (!EventLimits.InRange(at))
            {
                Reject($"field '{PathOf(name)}' must be from 1970-01-01 up to (not including) 2100-01-01, got {KindOf(value)}");
                return null;
            }

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

    private decimal? DecimalIn(string name, decimal min, decimal max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return WrongType<decimal>(name, "a number", value);
        }

        // PostgreSQL rounds to the column's scale (half away from zero) before it checks the precision.
        if (value.TryGetDecimal(out var number) && decimal.Round(number, 2, MidpointRounding.AwayFromZero) is var rounded
            && rounded >= min && rounded <= max)
        {
            return number;
        }

        return OutOfRange<decimal>(name, min, max, value);
    }

    private long? IntegerIn(string name, long min, long max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max)
        {
            return number;
        }

        // 10^12 or 1e100 is an integer all right, only too large: say so rather than "must be an integer".
        var isInteger = value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var real) && double.IsFinite(real) && real == Math.Floor(real);
        var isUnboundedInteger = value.ValueKind == JsonValueKind.Number && !value.TryGetDouble(out _);
        return isInteger || isUnboundedInteger
            ? OutOfRange<long>(name, min, max, value)
            : WrongType<long>(name, "an integer", value);
    }

    private string? StorableString(string name, JsonElement value)
    {
        var text = StringOf(value);
        var problem = text is null ? StorableJson.Undecodable : StorableJson.ProblemOf(text);
        if (problem is not null)
        {
            Reject($"field '{PathOf(name)}' {problem}");
            return null;
        }

        return WithinLength(name, text);
    }

    private string? WithinLength(string name, string? text)
    {
        if (text is not null && text.Length > EventLimits.MaxTextLength)
        {
            Reject(string.Create(
                CultureInfo.InvariantCulture,
                $"field '{PathOf(name)}' is longer than {EventLimits.MaxTextLength} characters ({text.Length})"));
            return null;
        }

        return text;
    }

    private T? OutOfRange<T>(string name, IFormattable min, IFormattable max, JsonElement value)
        where T : struct
    {
        Reject(string.Create(
            CultureInfo.InvariantCulture,
            $"field '{PathOf(name)}' is out of range: must be from {min} to {max}, got {KindOf(value)}"));
        return null;
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
        JsonValueKind.String => StringOf(value) is { } text ? $"the string {Quoted(text)}" : "a string that is not valid Unicode",
        JsonValueKind.Number => $"the number {StorableJson.Shown(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    // Enough of the value to recognise it in a log, not the whole description of a product, nor a NUL that would make
    // the reason itself unstorable.
    private static string Quoted(string text) => $"\"{StorableJson.Shown(text)}\"";

    /// <summary>The string, or null when its JSON escapes an unpaired surrogate (reading it throws).</summary>
    private static string? StringOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

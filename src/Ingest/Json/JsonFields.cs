using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shopstream.Ingest.Events;
using Shopstream.Ingest.Normalization;

namespace Shopstream.Ingest.Json;

/// <summary>
/// Reads typed fields out of one JSON object and collects the problems, so that a normalizer reads every field and
/// decides once at the end. Absent and <c>null</c> fields read as null; a field of the wrong JSON type, or one beyond
/// <see cref="EventLimits"/>, is a problem. Source records (<see cref="OfRecord"/>) and click events
/// (<see cref="OfEvent"/>) word their problems differently: see <see cref="quotesValues"/>.
/// </summary>
internal sealed partial class JsonFields
{
    private readonly JsonElement element;
    private readonly string path;
    private readonly List<string> errors;

    /// <summary>
    /// A source record's problem reads <c>field 'rating.rate' must be a number, got the string "x"</c>: an operator
    /// reads it in rejected_records, without the record at hand. An event's reads <c>rating: must be a number</c>: it
    /// goes back to the sender, who has the value, and an event may carry personal data that an answer should not echo.
    /// </summary>
    private readonly bool quotesValues;

    private JsonFields(JsonElement element, string path, List<string> errors, bool quotesValues)
    {
        this.element = element;
        this.path = path;
        this.errors = errors;
        this.quotesValues = quotesValues;
    }

    /// <summary>
    /// Every problem found by this reader or any reader nested in it, in order, each once: a rejected event tells its
    /// sender everything to fix at once, not one field per round trip.
    /// </summary>
    public IReadOnlyList<string> Errors => errors;

    /// <summary>The first problem: a source record is rejected with one reason. Null while the record is usable.</summary>
    public string? Reason => errors.Count > 0 ? errors[0] : null;

    /// <summary>A reader over a source record (FakeStore, DummyJSON): a record that is not an object is a problem.</summary>
    public static JsonFields OfRecord(JsonElement raw)
    {
        var fields = new JsonFields(raw, "", [], quotesValues: true);
        if (raw.ValueKind != JsonValueKind.Object)
        {
            fields.Add($"record is not a JSON object but {KindOf(raw)}");
        }

        return fields;
    }

    /// <summary>
    /// A reader over a click event, a JSON object whose strings all passed <see cref="StorableJson.ProblemsIn"/>.
    /// Its text is trimmed and blank text reads as null.
    /// </summary>
    public static JsonFields OfEvent(JsonElement raw)
    {
        var fields = new JsonFields(raw, "", [], quotesValues: false);

        // With a field twice, which value the sender meant is a guess: two event ids, two timestamps.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in raw.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                fields.Add($"{StorableJson.Shown(property.Name)}: appears more than once");
            }
        }

        return fields;
    }

    public void Add(string problem)
    {
        if (!errors.Contains(problem))
        {
            errors.Add(problem);
        }
    }

    /// <summary>Whether an event problem with <paramref name="name"/> has been reported, so a second one would only repeat it.</summary>
    public bool HasErrorFor(string name) => errors.Exists(e => e.StartsWith(name + ":", StringComparison.Ordinal));

    /// <summary>The path of a field for messages, e.g. <c>rating.rate</c> or <c>products[2].quantity</c>.</summary>
    public string PathOf(string name) => path + name;

    public bool TryGet(string name, out JsonElement value)
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

    // Source records.

    /// <summary>A record or line id: a JSON integer greater than 0. Anything else, absent included, is a problem.</summary>
    public long? Id(string name)
    {
        if (TryGet(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id) && id > 0)
        {
            return id;
        }

        Add(path.Length == 0 && name == "id" ? "missing or invalid id" : $"missing or invalid {PathOf(name)}");
        return null;
    }

    /// <summary>A string as written, storable (no NUL, no unpaired surrogate) and at most <see cref="EventLimits.MaxTextLength"/> long.</summary>
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
            JsonValueKind.Number => WithinLength(name, value.GetRawText(), EventLimits.MaxTextLength),
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
            return InRange(name, at, value)?.UtcDateTime;
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
    public JsonFields Object(string name)
    {
        if (TryGet(name, out var value) && value.ValueKind != JsonValueKind.Object)
        {
            WrongType(name, "an object", value);
            value = default;
        }

        return Nested(value, PathOf(name) + ".");
    }

    /// <summary>The objects of an array field, each with its own reader; absent reads as empty.</summary>
    public IReadOnlyList<JsonFields> Objects(string name)
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

        var items = new List<JsonFields>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{PathOf(name)}[{index}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                Add($"{itemPath} must be an object, got {KindOf(item)}");
            }
            else
            {
                items.Add(Nested(item, itemPath + "."));
            }

            index++;
        }

        return items;
    }

    // Click events.

    /// <summary>Free text, trimmed, at most <see cref="EventLimits.MaxTextLength"/> characters.</summary>
    public string? TrimmedText(string name) => TrimmedText(name, EventLimits.MaxTextLength);

    /// <summary>Text that becomes a key or an indexed column, trimmed, at most <see cref="EventLimits.MaxKeyLength"/> characters.</summary>
    public string? KeyText(string name) => TrimmedText(name, EventLimits.MaxKeyLength);

    /// <summary>An id: a string, or an integer kept as its digits (trackers send ids either way).</summary>
    public string? Identifier(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        var id = IdentifierOf(value);
        if (id is null && !IsBlankString(value))
        {
            WrongType(name, "a string or an integer", value);
        }

        return WithinLength(name, id, EventLimits.MaxKeyLength);
    }

    /// <summary>An identifier that may also be a MongoDB extended-JSON object id, <c>{"$oid": "..."}</c>.</summary>
    public string? ObjectIdentifier(string name)
    {
        if (TryGet(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            if (value.TryGetProperty("$oid", out var oid) && value.EnumerateObject().Count() == 1
                && oid.ValueKind == JsonValueKind.String && Trimmed(oid.GetString()) is { } text)
            {
                return WithinLength(name, text, EventLimits.MaxKeyLength);
            }

            return WrongType(name, "a string, an integer or {\"$oid\": \"...\"}", value);
        }

        return Identifier(name);
    }

    /// <summary>An ISO 8601 date-time string, as UTC.</summary>
    public DateTimeOffset? IsoTimestamp(string name, bool required)
    {
        if (!TryGet(name, out var value) || IsBlankString(value))
        {
            if (required)
            {
                Problem(name, "required");
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.String && Iso8601.TryParse(value.GetString(), out var at))
        {
            return InRange(name, at, value);
        }

        return Problem<DateTimeOffset>(name, "not an ISO 8601 date");
    }

    /// <summary>
    /// Unix seconds, required: a JSON number or a string of digits, fractions kept to the millisecond. 10^11 or more
    /// would be past the year 5000: it is taken for milliseconds and rejected, not read as a date far in the future.
    /// </summary>
    public DateTimeOffset? UnixSeconds(string name)
    {
        if (!TryGet(name, out var value) || IsBlankString(value))
        {
            return Problem<DateTimeOffset>(name, "required");
        }

        decimal seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            seconds = number;
        }
        else if (value.ValueKind == JsonValueKind.String
            && decimal.TryParse(value.GetString()!.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
        {
            seconds = parsed;
        }
        else
        {
            return WrongType<DateTimeOffset>(name, "unix seconds", value);
        }

        if (seconds <= 0)
        {
            return Problem<DateTimeOffset>(name, "must be unix seconds after 1970-01-01");
        }

        if (seconds >= 100_000_000_000m)
        {
            return Problem<DateTimeOffset>(name, "looks like milliseconds; unix seconds expected");
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(seconds * 1000m, MidpointRounding.AwayFromZero));
        return InRange(name, at, value);
    }

    /// <summary>A local wall-clock time in exactly <c>yyyy-MM-dd HH:mm:ss</c>; only validated, the value stays in the extras.</summary>
    public void LocalDateTime(string name)
    {
        var text = TrimmedText(name);
        if (text is not null
            && !DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            Problem(name, "not a yyyy-MM-dd HH:mm:ss time");
        }
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address.</summary>
    public string? IpAddress(string name)
    {
        var text = TrimmedText(name);
        if (text is null)
        {
            return null;
        }

        // IPAddress.TryParse alone would take "1" or "1.2" as IPv4 addresses; a tracker never sends those.
        if (IPAddress.TryParse(text, out var address)
            && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || DottedQuad().IsMatch(text)))
        {
            return text;
        }

        return Problem(name, "not an IP address");
    }

    /// <summary>Validates an optional amount: a number, or a numeric string, not below zero.</summary>
    public void NonNegativeNumber(string name)
    {
        if (TryGet(name, out var value) && (DecimalOf(value) is not { } number || number < 0))
        {
            WrongType(name, "a non-negative number", value);
        }
    }

    /// <summary>Validates an optional count: an integer, or a string of digits, above zero.</summary>
    public void PositiveInteger(string name)
    {
        if (TryGet(name, out var value)
            && (DecimalOf(value) is not { } number || number <= 0 || number != decimal.Truncate(number)))
        {
            WrongType(name, "a positive integer", value);
        }
    }

    private JsonFields Nested(JsonElement value, string nestedPath) => new(value, nestedPath, errors, quotesValues);

    /// <summary>Reports a problem with a field; null, to return in place of its text.</summary>
    private string? Problem(string name, string problem)
    {
        Add(quotesValues ? $"field '{PathOf(name)}' {problem}" : $"{PathOf(name)}: {problem}");
        return null;
    }

    /// <summary>Reports a problem with a field; null, to return in place of its value.</summary>
    private T? Problem<T>(string name, string problem)
        where T : struct
    {
        Problem(name, problem);
        return null;
    }

    private string? WrongType(string name, string expected, JsonElement value) =>
        Problem(name, $"must be {expected}{Got(value)}");

    private T? WrongType<T>(string name, string expected, JsonElement value)
        where T : struct
    {
        WrongType(name, expected, value);
        return null;
    }

    /// <summary>The value as the end of a problem, where problems quote values.</summary>
    private string Got(JsonElement value) => quotesValues ? $", got {KindOf(value)}" : "";

    /// <summary>The text when it fits; else null and a problem. Never cut: a cut id or URL would be another one.</summary>
    private string? WithinLength(string name, string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        var verb = quotesValues ? "is longer" : "longer";
        return Problem(name, string.Create(CultureInfo.InvariantCulture, $"{verb} than {maxLength} characters ({text.Length})"));
    }

    /// <summary>The time when it is within the accepted range; else null and a problem (year 1 or 9999 is a bug, not a date).</summary>
    private DateTimeOffset? InRange(string name, DateTimeOffset at, JsonElement value)
    {
        if (EventLimits.InRange(at))
        {
            return at;
        }

        return Problem<DateTimeOffset>(name, quotesValues
            ? $"must be from 1970-01-01 up to (not including) 2100-01-01{Got(value)}"
            : "must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z");
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

    private T? OutOfRange<T>(string name, IFormattable min, IFormattable max, JsonElement value)
        where T : struct =>
        Problem<T>(name, string.Create(CultureInfo.InvariantCulture, $"is out of range: must be from {min} to {max}{Got(value)}"));

    private string? StorableString(string name, JsonElement value)
    {
        var text = StringOf(value);
        var problem = text is null ? StorableJson.Undecodable : StorableJson.ProblemOf(text);
        return problem is null ? WithinLength(name, text, EventLimits.MaxTextLength) : Problem(name, problem);
    }

    private string? TrimmedText(string name, int maxLength)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return WithinLength(name, Trimmed(value.GetString()), maxLength);
        }

        return WrongType(name, "a string", value);
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

    private static string? IdentifierOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Trimmed(value.GetString()),
        JsonValueKind.Number when Integer().IsMatch(value.GetRawText()) => value.GetRawText(),
        _ => null,
    };

    private static decimal? DecimalOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDecimal(out var number) => number,
        JsonValueKind.String when decimal.TryParse(
            value.GetString()!.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            => parsed,
        _ => null,
    };

    private static bool IsBlankString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString());

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex(@"^-?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[0-9]{1,3}(\.[0-9]{1,3}){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}

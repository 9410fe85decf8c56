using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shopstream.Ingest.Normalization;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Reads typed fields out of one raw event and collects every problem as <c>"field: what is wrong"</c>, so that a
/// rejected event tells its sender everything to fix at once, not one field per round trip.
/// Absent fields, <c>null</c> and blank strings all read as null; strings are trimmed. Ids and keys longer than
/// <see cref="EventLimits.MaxKeyLength"/>, other text longer than <see cref="EventLimits.MaxTextLength"/> and timestamps
/// outside [<see cref="EventLimits.MinTimestamp"/>, <see cref="EventLimits.MaxTimestamp"/>) are problems too.
/// Expects an event whose strings all passed <see cref="StorableJson.ProblemsIn"/>: reading them cannot throw.
/// </summary>
internal sealed partial class EventFields
{
    private readonly JsonElement raw;
    private readonly List<string> errors = [];

    public EventFields(JsonElement raw)
    {
        this.raw = raw;

        // With a field twice, which value the sender meant is a guess: two event ids, two timestamps.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in raw.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                Add($"{StorableJson.Shown(property.Name)}: appears more than once");
            }
        }
    }

    public IReadOnlyList<string> Errors => errors;

    public void Add(string error)
    {
        if (!errors.Contains(error))
        {
            errors.Add(error);
        }
    }

    /// <summary>Whether a problem with <paramref name="name"/> has been reported, so a second one would only repeat it.</summary>
    public bool HasErrorFor(string name) => errors.Exists(e => e.StartsWith(name + ":", StringComparison.Ordinal));

    public bool TryGet(string name, out JsonElement value)
    {
        if (raw.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Free text, at most <see cref="EventLimits.MaxTextLength"/> characters.</summary>
    public string? Text(string name) => Text(name, EventLimits.MaxTextLength);

    /// <summary>Text that becomes a key or an indexed column, at most <see cref="EventLimits.MaxKeyLength"/> characters.</summary>
    public string? KeyText(string name) => Text(name, EventLimits.MaxKeyLength);

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
            Add($"{name}: must be a string or an integer");
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

            Add($"{name}: must be a string, an integer or {{\"$oid\": \"...\"}}");
            return null;
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
                Add($"{name}: required");
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.String && Iso8601.TryParse(value.GetString(), out var at))
        {
            return InRange(name, at);
        }

        Add($"{name}: not an ISO 8601 date");
        return null;
    }

    /// <summary>
    /// Unix seconds, required: a JSON number or a string of digits, fractions kept to the millisecond. A value of
    /// 10^11 or more would be past the year 5000 in seconds and is almost certainly milliseconds, so it is rejected
    /// as such rather than read as a date three thousand years away.
    /// </summary>
    public DateTimeOffset? UnixSeconds(string name)
    {
        if (!TryGet(name, out var value) || IsBlankString(value))
        {
            Add($"{name}: required");
            return null;
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
            Add($"{name}: must be unix seconds");
            return null;
        }

        if (seconds <= 0)
        {
            Add($"{name}: must be unix seconds after 1970-01-01");
            return null;
        }

        if (seconds >= 100_000_000_000m)
        {
            Add($"{name}: looks like milliseconds; unix seconds expected");
            return null;
        }

        return InRange(name, DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(seconds * 1000m, MidpointRounding.AwayFromZero)));
    }

    /// <summary>A local wall-clock time in exactly <c>yyyy-MM-dd HH:mm:ss</c>; only validated, the value stays in the extras.</summary>
    public void LocalDateTime(string name)
    {
        var text = Text(name);
        if (text is not null
            && !DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            Add($"{name}: not a yyyy-MM-dd HH:mm:ss time");
        }
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address.</summary>
    public string? IpAddress(string name)
    {
        var text = Text(name);
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

        Add($"{name}: not an IP address");
        return null;
    }

    /// <summary>Validates an optional amount: a number, or a numeric string, not below zero.</summary>
    public void NonNegativeNumber(string name)
    {
        if (TryGet(name, out var value) && (DecimalOf(value) is not { } number || number < 0))
        {
            Add($"{name}: must be a non-negative number");
        }
    }

    /// <summary>Validates an optional count: an integer, or a string of digits, above zero.</summary>
    public void PositiveInteger(string name)
    {
        if (TryGet(name, out var value)
            && (DecimalOf(value) is not { } number || number <= 0 || number != decimal.Truncate(number)))
        {
            Add($"{name}: must be a positive integer");
        }
    }

    private string? Text(string name, int maxLength)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return WithinLength(name, Trimmed(value.GetString()), maxLength);
        }

        Add($"{name}: must be a string");
        return null;
    }

    /// <summary>The text when it fits; else null and a problem. Never cut: a cut id or URL would be another one.</summary>
    private string? WithinLength(string name, string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        Add(string.Create(CultureInfo.InvariantCulture, $"{name}: longer than {maxLength} characters ({text.Length})"));
        return null;
    }

    /// <summary>The time when it is within the documented range; else null and a problem (year 1 or 9999 is a bug, not a date).</summary>
    private DateTimeOffset? InRange(string name, DateTimeOffset at)
    {
        if (EventLimits.InRange(at))
        {
            return at;
        }

        Add($"{name}: must be from 1970-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z");
        return null;
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

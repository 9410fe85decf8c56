using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Json;
using Shopstream.Ingest.Normalization;
using Shopstream.Ingest.Rejection;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Turns one raw clickstream event, in any of the three accepted shapes (<see cref="ShapeOf"/>), into a
/// <see cref="ClickEvent"/>, or lists every problem with it. Pure: no I/O, no clock; each event is judged on its own.
/// What each shape requires is in the README's "Event shapes"; the limits every shape is held to are in
/// <see cref="EventLimits"/> and the README's "Bad input".
/// </summary>
public sealed partial class ClickEventNormalizer
{
    private const string FeedCanonicalVersion = "product-view-feed/1";

    private static readonly string[] CommonFields =
    [
        "product_id", "store_id", "session_id", "device_id", "user_agent", "referrer_url", "current_url",
        "utm_source", "utm_medium", "resolution", "email_address", "email",
    ];

    private static readonly FrozenSet<string> WebTrackerFields =
        FrozenSet.Create(StringComparer.Ordinal, [.. CommonFields, "_id", "id", "time_stamp", "collection", "user_id_db", "ip", "option"]);

    private static readonly FrozenSet<string> FeedFields =
        FrozenSet.Create(StringComparer.Ordinal, [.. CommonFields, "timestamp", "remote_ip"]);

    private static readonly FrozenSet<string> GenericFields =
        FrozenSet.Create(StringComparer.Ordinal, [.. CommonFields, "event_id", "event_type", "timestamp", "user_id", "ip", "location"]);

    private static readonly FrozenSet<string> DeviceTypes = FrozenSet.Create(
        StringComparer.Ordinal, UserAgentClassifier.Desktop, UserAgentClassifier.Mobile, UserAgentClassifier.Tablet, UserAgentClassifier.Bot);

    private readonly string? storeHost;

    /// <summary>A normalizer that counts a referrer as internal only when it matches the event's own <c>current_url</c>.</summary>
    public ClickEventNormalizer()
        : this(null)
    {
    }

    /// <summary>A normalizer for one store.</summary>
    /// <param name="storeHost">The store's host or URL (e.g. <c>shop.example.com</c>): referrers from it are internal
    /// even when an event has no <c>current_url</c>.</param>
    public ClickEventNormalizer(string? storeHost)
    {
        this.storeHost = storeHost;
    }

    /// <summary>The shape <paramref name="raw"/> is read as; see the class remarks.</summary>
    public static ClickEventShape ShapeOf(JsonElement raw)
    {
        if (raw.ValueKind != JsonValueKind.Object)
        {
            return ClickEventShape.Unknown;
        }

        bool Has(string name) => raw.TryGetProperty(name, out _);

        if (Has("event_id") || Has("event_type"))
        {
            return ClickEventShape.Generic;
        }

        if (Has("collection") || Has("time_stamp") || Has("_id") || Has("user_id_db") || Has("api_version"))
        {
            return ClickEventShape.WebTracker;
        }

        if (Has("timestamp") || Has("remote_ip"))
        {
            return ClickEventShape.ProductViewFeed;
        }

        return ClickEventShape.Unknown;
    }

    /// <summary>Normalizes one event given as JSON text. Never throws for bad data.</summary>
    public ClickEventResult Normalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return ClickEventResult.Rejected(ClickEventShape.Unknown, null, ["event: not valid JSON"]);
        }
        catch (ArgumentException)
        {
            // A .NET string with an unpaired surrogate cannot be transcoded to the UTF-8 the parser reads.
            return ClickEventResult.Rejected(ClickEventShape.Unknown, null, ["event: not valid Unicode text"]);
        }

        using (document)
        {
            return Normalize(document.RootElement);
        }
    }

    /// <summary>Normalizes one event. Never throws for bad data.</summary>
    public ClickEventResult Normalize(JsonElement raw)
    {
        if (raw.ValueKind != JsonValueKind.Object)
        {
            return ClickEventResult.Rejected(ClickEventShape.Unknown, null, ["event: must be a JSON object"]);
        }

        var shape = ShapeOf(raw);
        var unstorable = StorableJson.ProblemsIn(raw);
        if (unstorable.Count > 0)
        {
            return ClickEventResult.Rejected(shape, null, unstorable);
        }

        if (shape == ClickEventShape.Unknown)
        {
            return ClickEventResult.Rejected(
                shape,
                null,
                ["event: unrecognised shape; expected event_id and event_type (generic event), collection and time_stamp " +
                 "(web tracker) or timestamp and remote_ip (product view feed)"]);
        }

        var fields = JsonFields.OfEvent(raw);
        var redaction = EmailRedaction.For(raw);

        string? eventId = null;
        string? eventType;
        DateTimeOffset? occurredAt;
        string? userId = null;
        string? ip;
        string? options = null;
        string? location = null;
        string? device = null;
        DateTimeOffset? localTime = null;
        FrozenSet<string> mapped;
        switch (shape)
        {
            case ClickEventShape.WebTracker:
                eventId = WebTrackerIdOf(fields);
                occurredAt = fields.UnixSeconds("time_stamp");
                eventType = CollectionOf(fields);
                userId = fields.Identifier("user_id_db");
                ip = fields.IpAddress("ip");
                options = OptionsOf(fields, redaction);
                fields.LocalDateTime("local_time");
                mapped = WebTrackerFields;
                break;
            case ClickEventShape.ProductViewFeed:
                eventType = ClickEventTypes.ProductView;
                occurredAt = fields.IsoTimestamp("timestamp", required: true);
                localTime = fields.IsoTimestamp("local_time", required: false);
                ip = fields.IpAddress("remote_ip");
                mapped = FeedFields;
                break;
            default:
                eventId = fields.Identifier("event_id");
                if (eventId is null && !fields.HasErrorFor("event_id"))
                {
                    fields.Add("event_id: required");
                }

                eventType = GenericEventTypeOf(fields);
                occurredAt = fields.IsoTimestamp("timestamp", required: true);
                userId = fields.Identifier("user_id");
                ip = fields.IpAddress("ip");
                location = fields.KeyText("location");
                device = fields.TrimmedText("device");
                fields.NonNegativeNumber("price");
                fields.PositiveInteger("quantity");
                mapped = GenericFields;
                break;
        }

        var productId = fields.Identifier("product_id");
        var storeId = fields.Identifier("store_id");
        var deviceId = fields.Identifier("device_id");
        var sessionKey = fields.Identifier("session_id") ?? deviceId;
        var userAgent = fields.TrimmedText("user_agent");
        var referrerUrl = fields.TrimmedText("referrer_url");
        var currentUrl = fields.TrimmedText("current_url");
        var utmSource = fields.TrimmedText("utm_source");
        var utmMedium = fields.TrimmedText("utm_medium");
        var resolution = fields.TrimmedText("resolution");
        var emailSha256 = EmailSha256Of(fields);

        // An id that was given but unusable (too long, wrong type) has been reported; "required" would only repeat it.
        if (sessionKey is null && !fields.HasErrorFor("session_id") && !fields.HasErrorFor("device_id"))
        {
            fields.Add("session_key: session_id or device_id is required");
        }

        if (eventType is not null && productId is null && !fields.HasErrorFor("product_id") && ClickEventTypes.NeedsProduct(eventType))
        {
            fields.Add($"product_id: required for {eventType}");
        }

        if (shape == ClickEventShape.ProductViewFeed && occurredAt is { } viewedAt)
        {
            eventId = FeedEventIdOf([productId, deviceId, storeId, referrerUrl, Utc(localTime), ip, Utc(viewedAt)]);
        }

        if (fields.Errors.Count > 0 || eventId is null || eventType is null || occurredAt is null || sessionKey is null)
        {
            return ClickEventResult.Rejected(shape, redaction.Redact(eventId), [.. fields.Errors]);
        }

        var agent = UserAgentClassifier.Classify(userAgent);
        var deviceHint = device?.ToLowerInvariant();
        var deviceType = userAgent is null && deviceHint is not null && DeviceTypes.Contains(deviceHint) ? deviceHint : agent.DeviceType;
        var referrer = ReferrerClassifier.Classify(redaction.Redact(referrerUrl), currentUrl, storeHost);

        return ClickEventResult.Accepted(
            shape,
            new ClickEvent
            {
                EventId = redaction.Redact(eventId)!,
                EventType = eventType,
                OccurredAt = occurredAt.Value,
                SessionKey = redaction.Redact(sessionKey)!,
                UserId = redaction.Redact(userId),
                ProductId = redaction.Redact(productId),
                StoreId = redaction.Redact(storeId),
                Ip = ip,
                UserAgent = redaction.Redact(userAgent),
                ReferrerUrl = RejectedPayload.MaskSecretValues(redaction.Redact(referrerUrl)),
                CurrentUrl = RejectedPayload.MaskSecretValues(redaction.Redact(currentUrl)),
                UtmSource = redaction.Redact(utmSource),
                UtmMedium = redaction.Redact(utmMedium),
                Resolution = redaction.Redact(resolution),
                EmailSha256 = emailSha256,
                Location = redaction.Redact(location),
                Options = options,
                Extras = redaction.ObjectText(
                    raw.EnumerateObject().Where(p => !mapped.Contains(p.Name) && p.Value.ValueKind != JsonValueKind.Null)),
                Browser = agent.Browser,
                Os = agent.Os,
                DeviceType = deviceType,
                ReferrerDomain = referrer.Domain,
                ReferrerType = referrer.Type,
            });
    }

    private static string? WebTrackerIdOf(JsonFields fields)
    {
        var underscoreId = fields.ObjectIdentifier("_id");
        var plainId = fields.Identifier("id");
        if (underscoreId is not null && plainId is not null && !string.Equals(underscoreId, plainId, StringComparison.Ordinal))
        {
            fields.Add("id: differs from _id");
            return underscoreId;
        }

        var id = underscoreId ?? plainId;

        // An id of the wrong type has already been reported; "required" on top would only repeat it.
        if (id is null && !fields.HasErrorFor("_id") && !fields.HasErrorFor("id"))
        {
            fields.Add("_id: _id or id is required");
        }

        return id;
    }

    private static string? CollectionOf(JsonFields fields)
    {
        var collection = fields.KeyText("collection");
        if (collection is null)
        {
            if (!fields.HasErrorFor("collection"))
            {
                fields.Add("collection: required");
            }

            return null;
        }

        if (!SnakeCase().IsMatch(collection))
        {
            fields.Add("collection: must be a snake_case name such as view_product_detail");
            return null;
        }

        return collection == "view_product_detail" ? ClickEventTypes.ProductView : collection;
    }

    private static string? GenericEventTypeOf(JsonFields fields)
    {
        var eventType = fields.TrimmedText("event_type");
        if (eventType is null)
        {
            if (!fields.HasErrorFor("event_type"))
            {
                fields.Add("event_type: required");
            }

            return null;
        }

        // Any type the reference's event model might send ("etc."): unknown ones reach the lake, not the product facts.
        if (eventType.Length > ClickEventTypes.MaxLength || !SnakeCase().IsMatch(eventType))
        {
            fields.Add($"event_type: must be a lowercase identifier (a-z, then a-z, 0-9, _) of at most {ClickEventTypes.MaxLength} characters, such as {ClickEventTypes.PageView}");
            return null;
        }

        return eventType;
    }

    /// <summary>The web tracker's <c>option</c> array as JSON text; none (absent, null, "" or []) is null.</summary>
    private static string? OptionsOf(JsonFields fields, EmailRedaction redaction)
    {
        if (!fields.TryGet("option", out var option)
            || (option.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(option.GetString())))
        {
            return null;
        }

        if (option.ValueKind != JsonValueKind.Array)
        {
            fields.Add("option: must be an array of {option_label, option_id, value_label, value_id} objects");
            return null;
        }

        var index = 0;
        var valid = true;
        foreach (var item in option.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Add(string.Create(CultureInfo.InvariantCulture, $"option[{index}]: must be an object"));
                valid = false;
            }

            index++;
        }

        return valid && index > 0 ? redaction.ValueText(option) : null;
    }

    private static string? EmailSha256Of(JsonFields fields)
    {
        string? hash = null;
        foreach (var name in (string[])["email_address", "email"])
        {
            var address = fields.TrimmedText(name);
            if (address is null)
            {
                continue;
            }

            if (!EmailRedaction.LooksLikeAddress(address))
            {
                fields.Add($"{name}: not an email address");
            }
            else
            {
                hash ??= ContentHash.OfText(address.ToLowerInvariant());
            }
        }

        return hash;
    }

    /// <summary>
    /// The feed's content id from product_id, device_id, store_id, referrer_url, local_time, remote_ip and timestamp,
    /// normalized (trimmed, dates as UTC). They are hashed as a JSON array, so that a missing field and an empty one,
    /// or "a"+"bc" and "ab"+"c", never hash alike; the version tag changes the ids if the recipe ever has to.
    /// </summary>
    private static string FeedEventIdOf(string?[] canonical) =>
        ContentHash.OfText(JsonSerializer.Serialize<string?[]>([FeedCanonicalVersion, .. canonical]));

    private static string? Utc(DateTimeOffset? at) => at?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SnakeCase();
}

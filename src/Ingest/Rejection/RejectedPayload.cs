using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shopstream.Grains.Interfaces;
using Shopstream.Ingest.Events;

namespace Shopstream.Ingest.Rejection;

/// <summary>
/// The raw record as it is kept for a rejection: secrets removed at any depth, whitespace normalized; text that is
/// not JSON as a bounded, masked excerpt with the SHA-256 of the whole. The rejected topic is read by people and
/// stored in a table, so it must not become a password dump.
/// </summary>
/// <remarks>
/// <see cref="IsSecret"/> is the one secret rule for every payload the ingest stores (rejections, event extras and
/// options); the rule and the excerpt format are spelled out in the README's "Bad input".
/// </remarks>
public static partial class RejectedPayload
{
    /// <summary>The <c>RejectedRecord.Stage</c> of records rejected by the ingest.</summary>
    public const string IngestStage = "ingest";

    /// <summary>What replaces a masked value in an excerpt.</summary>
    public const string Masked = "[redacted]";

    private static readonly HashSet<string> SecretParts = new(StringComparer.Ordinal)
    {
        "password", "passwd", "pwd", "passcode", "passphrase", "secret", "token", "auth", "authorization",
        "credential", "credentials", "cookie", "apikey", "card", "cvv", "cvc", "iban", "ssn", "pin", "otp",
        "ein", "bank", "crypto", "wallet", "salt",
    };

    private static readonly HashSet<string> SecretPairs = new(StringComparer.Ordinal) { "apikey", "privatekey", "accesskey", "secretkey" };

    private static readonly HashSet<string> SecretWholeNames = new(StringComparer.Ordinal) { "hash", "session" };

    // Words that make any name a secret even inside one lower-case run: mypassword, accesstoken, clientsecret.
    private static readonly string[] SecretFragments = ["password", "passwd", "secret", "token"];

    // Relaxed escaping keeps names like "men's clothing" readable; the payload is data, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True when a property of this name is never copied out of a raw record (see the class remarks).</summary>
    public static bool IsSecret(string propertyName)
    {
        ArgumentNullException.ThrowIfNull(propertyName);
        var parts = NameParts(propertyName);
        var bare = string.Concat(parts);
        if (SecretWholeNames.Contains(bare) || SecretFragments.Any(f => bare.Contains(f, StringComparison.Ordinal)))
        {
            return true;
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (SecretParts.Contains(parts[i]) || (i + 1 < parts.Count && SecretPairs.Contains(parts[i] + parts[i + 1])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The raw JSON minus every secret property, compact. A record whose strings cannot be read (an escaped unpaired
    /// surrogate) is kept as an <see cref="Excerpt(string)"/> of its JSON text instead.
    /// </summary>
    public static string Redact(JsonElement raw)
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using var writer = new Utf8JsonWriter(buffer, WriterOptions);
            WriteWithoutSecrets(writer, raw);
        }
        catch (InvalidOperationException)
        {
            return Excerpt(raw.GetRawText());
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// What is kept of a rejected source user: only what identifies it, <c>{"source":"dummyjson","id":5}</c> (the id
    /// when it is a number or a short string); its e-mail, birth date, addresses, IP and the like are not.
    /// </summary>
    public static string Identity(string source, JsonElement raw)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("source", source);
            if (raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty("id", out var id)
                && ((id.ValueKind == JsonValueKind.Number && id.GetRawText().Length <= 32)
                    || (id.ValueKind == JsonValueKind.String && id.GetRawText().Length <= EventLimits.MaxKeyLength
                        && Normalization.StorableJson.ProblemsIn(id).Count == 0)))
            {
                writer.WritePropertyName("id");
                id.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A text that is not JSON (or cannot be decoded), as kept: see the class remarks.</summary>
    public static string Excerpt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Excerpt(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Bytes that are not JSON (or not UTF-8), as kept: see the class remarks.</summary>
    public static string Excerpt(ReadOnlySpan<byte> utf8)
    {
        // Decoding replaces invalid UTF-8 with U+FFFD; only the head is decoded, however large the body.
        var head = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, EventLimits.MaxExcerptLength * 4)]).Trim();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("excerpt", Mask(Head(head, EventLimits.MaxExcerptLength)));
            writer.WriteNumber("length", utf8.Length);
            writer.WriteString("sha256", ContentHash.OfBytes(utf8));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Message key of a rejection: lower-case hex SHA-256 of stage, source, entity and payload, so that
    /// re-running the ingest on the same data produces the same key (and compaction keeps one copy).
    /// </summary>
    public static string Fingerprint(string stage, string source, string entity, string payload)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(payload);
        // Newlines, not ContentHash.PartSeparator: the keys already produced were made so. They keep ("ab", "c") and
        // ("a", "bc") apart, as none of the names contain a newline.
        return ContentHash.OfText($"{stage}\n{source}\n{entity}\n{payload}");
    }

    /// <summary>
    /// The text with the value of every secret-named key (<see cref="IsSecret"/>) replaced by <see cref="Masked"/>: a
    /// URL's <c>?card_number=4111...&amp;step=2</c> becomes <c>?card_number=[redacted]&amp;step=2</c>.
    /// </summary>
    public static string? MaskSecretValues(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var masked = new StringBuilder(text.Length);
        var copied = 0;
        var match = KeyValue().Match(text);
        while (match.Success)
        {
            var value = match.Groups["value"];
            if (IsSecret(match.Groups["name"].Value))
            {
                masked.Append(text, copied, value.Index - copied).Append(Masked);
                copied = value.Index + value.Length;
                match = KeyValue().Match(text, copied);
            }
            else
            {
                // The value may itself hold keys ("{\"password\":...}" inside a string): look into it too.
                match = KeyValue().Match(text, value.Index);
            }
        }

        return copied == 0 ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>E-mail addresses and the values of secret-named keys replaced by <see cref="Masked"/>.</summary>
    private static string Mask(string text) => EmailAddress().Replace(MaskSecretValues(text)!, Masked);

    /// <summary>At most <paramref name="length"/> characters, never ending inside a surrogate pair.</summary>
    private static string Head(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        return text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)];
    }

    private static List<string> NameParts(string name)
    {
        var parts = new List<string>();
        var part = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            var previous = i > 0 ? name[i - 1] : ' ';
            var next = i + 1 < name.Length ? name[i + 1] : ' ';
            var boundary = part.Length > 0
                && ((char.IsUpper(c) && (char.IsLower(previous) || (char.IsUpper(previous) && char.IsLower(next))))
                    || char.IsDigit(c) != char.IsDigit(previous));
            if (boundary)
            {
                Flush();
            }

            part.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return parts;

        void Flush()
        {
            if (part.Length > 0)
            {
                parts.Add(part.ToString());
                part.Clear();
            }
        }
    }

    // A key and its value in JSON, JavaScript, a query string or an escaped JSON string: "password":"x", 'pin': 12,
    // api_key=x, \"token\":\"x\". A value cut off by the excerpt's end is matched too. A name starts a word (the
    // look-behind), so that a long run of letters is not tried again at every position.
    [GeneratedRegex(
        @"(?<![A-Za-z0-9_\-])(?<name>[A-Za-z][A-Za-z0-9_\-]{0,63})(?<separator>\\?[""']?\s*[:=]\s*)" +
        @"(?<value>\\""(?:(?!\\"").)*(?:\\"")?|""(?:[^""\\]|\\.)*""?|'[^']*'?|[^\s,;&}\]""']+)",
        RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"[^\s""'<>(),;:@\\/=&?]+(?:@|%40)[^\s""'<>(),;:@\\/=&?]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EmailAddress();

    private static void WriteWithoutSecrets(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (IsSecret(property.Name))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    WriteWithoutSecrets(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteWithoutSecrets(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}

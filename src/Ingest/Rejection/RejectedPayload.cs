using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shopstream.Ingest.Rejection;

/// <summary>
/// The raw record as it is kept for a rejection: secrets removed at any depth, whitespace normalized.
/// The rejected topic is read by people and stored in a table, so it must not become a password dump.
/// </summary>
public static class RejectedPayload
{
    /// <summary>The <c>RejectedRecord.Stage</c> of records rejected by the ingest.</summary>
    public const string IngestStage = "ingest";

    // Whole-name matches (case-insensitive, '_' and '-' ignored). DummyJSON users carry ssn, ein,
    // bank (card number, IBAN) and crypto (wallet) next to the password.
    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "pwd", "pin", "ssn", "ein", "bank", "crypto", "wallet",
        "cardnumber", "cardcvv", "cvv", "cvc", "iban", "apikey", "privatekey", "salt", "hash",
        "authorization", "cookie", "session", "credentials",
    };

    // Fragments that make any name a secret: passwordHash, accessToken, clientSecret, ...
    private static readonly string[] SecretFragments = ["password", "secret", "token"];

    // Relaxed escaping keeps names like "men's clothing" readable; the payload is data, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>True when a property of this name is never copied out of a raw record.</summary>
    public static bool IsSecret(string propertyName)
    {
        ArgumentNullException.ThrowIfNull(propertyName);
        var bare = propertyName.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return SecretNames.Contains(bare)
            || SecretFragments.Any(fragment => bare.Contains(fragment, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The raw JSON minus every secret property, compact.</summary>
    public static string Redact(JsonElement raw)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteWithoutSecrets(writer, raw);
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
        // Separators keep ("ab", "c") and ("a", "bc") apart; none of the names contain a newline.
        var bytes = Encoding.UTF8.GetBytes($"{stage}\n{source}\n{entity}\n{payload}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

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

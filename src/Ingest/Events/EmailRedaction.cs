using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shopstream.Ingest.Rejection;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Keeps e-mail addresses out of everything a normalized event stores. Built per raw event from the values of its
/// e-mail fields: fields named like <c>email</c> (at any depth) are never copied, and any occurrence of one of those
/// addresses elsewhere, as typed or URL-encoded (a <c>current_url</c> with <c>?email=...</c>), is replaced. Fields
/// named like credentials or payment data (<see cref="RejectedPayload.IsSecret"/>, the one rule for every stored
/// payload) are never copied either.
/// </summary>
internal sealed class EmailRedaction
{
    public const string Replacement = "[redacted]";

    // jsonb is the only consumer of the JSON text, never an HTML page: no need to escape '+', '<' or non-ASCII.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly List<string> addresses = [];

    private EmailRedaction()
    {
    }

    /// <summary>The redaction for the addresses found in <paramref name="raw"/>.</summary>
    public static EmailRedaction For(JsonElement raw)
    {
        var redaction = new EmailRedaction();
        redaction.Collect(raw, inEmailField: false);
        return redaction;
    }

    /// <summary>Whether a field of this name holds an e-mail address: email, email_address, customerEmail, e-mail, ...</summary>
    public static bool IsEmailField(string name) =>
        name.Contains("email", StringComparison.OrdinalIgnoreCase)
        || name.Contains("e_mail", StringComparison.OrdinalIgnoreCase)
        || name.Contains("e-mail", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a field of this name may be copied into what is stored: neither an e-mail field nor a secret.</summary>
    public static bool IsCopied(string name) => !IsEmailField(name) && !RejectedPayload.IsSecret(name);

    /// <summary>Whether the text has the form of an address: one <c>@</c> with something either side and no blanks.</summary>
    public static bool LooksLikeAddress(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < text.Length - 1 && text.IndexOf('@', at + 1) < 0 && !text.Any(char.IsWhiteSpace);
    }

    public string? Redact(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var address in addresses)
        {
            text = text.Replace(address, Replacement, StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }

    /// <summary>
    /// The properties as compact JSON object text, without e-mail fields and secrets at any depth and with addresses redacted;
    /// null when no property is left.
    /// </summary>
    public string? ObjectText(IEnumerable<JsonProperty> properties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var written = 0;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var property in properties)
            {
                if (IsCopied(property.Name))
                {
                    writer.WritePropertyName(Redact(property.Name)!);
                    Write(writer, property.Value);
                    written++;
                }
            }

            writer.WriteEndObject();
        }

        return written == 0 ? null : Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A JSON value as compact text, without e-mail fields and secrets at any depth and with addresses redacted.</summary>
    public string ValueText(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    if (IsCopied(property.Name))
                    {
                        writer.WritePropertyName(Redact(property.Name)!);
                        Write(writer, property.Value);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Redact(value.GetString()));
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private void Collect(JsonElement value, bool inEmailField)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Collect(property.Value, inEmailField || IsEmailField(property.Name));
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    Collect(item, inEmailField);
                }

                break;
            case JsonValueKind.String when inEmailField:
                Add(value.GetString()!.Trim());
                break;
        }
    }

    private void Add(string address)
    {
        // Only text shaped like an address: redacting a stray "x" from an e-mail field everywhere would mangle the event.
        if (!LooksLikeAddress(address))
        {
            return;
        }

        foreach (var form in new[] { address, Uri.EscapeDataString(address), address.Replace("@", "%40", StringComparison.Ordinal) })
        {
            if (!addresses.Contains(form, StringComparer.OrdinalIgnoreCase))
            {
                addresses.Add(form);
            }
        }

        // Longest first, so that an encoded form is replaced whole rather than around a shorter form inside it.
        addresses.Sort((a, b) => b.Length.CompareTo(a.Length));
    }
}

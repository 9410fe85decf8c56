using System.Text.Json;
using System.Text.Json.Serialization;
using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Grains.Interfaces.Wire;

/// <summary>
/// The JSON value of every Kafka message Shopstream produces:
/// <c>{"schema_version":1,"entity":"product","version":..,"ingested_at":"..","record":{..}}</c>.
/// One definition shared by the producer (ingest) and the consumer (silo decoder).
/// </summary>
public static class WireFormat
{
    public const int SchemaVersion = 1;

    /// <summary>
    /// Longest message key, in characters. The key names the grain, whose state row keeps it in a
    /// <c>varchar(512)</c> column, and the rows it projects are indexed by it.
    /// </summary>
    public const int MaxKeyChars = 256;

    /// <summary>snake_case names, nulls kept so that a cleared field is visible.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The entity name written into the envelope for a namespace.</summary>
    public static string EntityOf(string streamNamespace) => streamNamespace switch
    {
        StreamNamespaces.Products => "product",
        StreamNamespaces.Carts => "cart",
        StreamNamespaces.Users => "user",
        StreamNamespaces.Rejected => "rejected",
        StreamNamespaces.Events => "event",
        StreamNamespaces.Recalls => "recall",
        _ => throw new ArgumentOutOfRangeException(nameof(streamNamespace), streamNamespace, "unknown stream namespace"),
    };

    /// <summary>Serializes a record into a message value.</summary>
    public static byte[] Serialize<T>(string streamNamespace, T record, long version, DateTimeOffset ingestedAt)
    {
        var envelope = new Envelope<T>(SchemaVersion, EntityOf(streamNamespace), version, ingestedAt, record);
        return JsonSerializer.SerializeToUtf8Bytes(envelope, Json);
    }

    /// <summary>
    /// Decodes a message value read from <paramref name="streamNamespace"/>. Returns the
    /// <see cref="EntityMessage{T}"/> on success; on failure returns null and a reason a user can act on.
    /// </summary>
    public static object? TryDecode(string streamNamespace, ReadOnlyMemory<byte> value, out string? error)
    {
        error = null;
        try
        {
            // One pass over the bytes (the silo's hot path): the record is deserialized where it stands, without
            // building a document first and writing the record out of it again.
            var reader = new Utf8JsonReader(value.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "message value is not a JSON object";
                return null;
            }
            int? schema = null;
            string? entity = null;
            long? version = null;
            DateTimeOffset? ingestedAt = null;
            ReadOnlyMemory<byte>? recordBytes = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // A property given twice counts once, as its last occurrence (as JsonDocument's lookup did).
                if (reader.ValueTextEquals("schema_version"u8))
                {
                    reader.Read();
                    schema = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : null;
                }
                else if (reader.ValueTextEquals("entity"u8))
                {
                    reader.Read();
                    entity = reader.GetString();
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    version = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : null;
                }
                else if (reader.ValueTextEquals("ingested_at"u8))
                {
                    reader.Read();
                    ingestedAt = reader.TryGetDateTimeOffset(out var at) ? at : null;
                }
                else if (reader.ValueTextEquals("record"u8))
                {
                    // Found now, read once the envelope is known to be right: its rules are reported first.
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    recordBytes = isObject ? value.Slice(start, (int)reader.BytesConsumed - start) : (ReadOnlyMemory<byte>?)null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.Read())
            {
                error = "invalid JSON: more than one value in the message";
                return null;
            }
            error = schema != SchemaVersion ? $"unsupported or missing schema_version (expected {SchemaVersion})"
                : entity != EntityOf(streamNamespace) ? $"entity is not '{EntityOf(streamNamespace)}' on the '{streamNamespace}' stream"
                : version is null ? "missing numeric version"
                : ingestedAt is null ? "missing or invalid ingested_at"
                : recordBytes is null ? "missing record object"
                : null;
            if (error is not null)
            {
                return null;
            }
            var message = ReadMessage(streamNamespace, recordBytes!.Value.Span, version!.Value, ingestedAt!.Value);
            error = message is null ? "record is null" : null;
            return message;
        }
        catch (JsonException ex)
        {
            error = $"invalid JSON: {ex.Message}";
            return null;
        }
        catch (FormatException ex)
        {
            error = $"invalid value: {ex.Message}";
            return null;
        }
        catch (InvalidOperationException ex)
        {
            error = $"invalid value: {ex.Message}";
            return null;
        }
    }

    private static object? ReadMessage(string streamNamespace, ReadOnlySpan<byte> record, long version, DateTimeOffset at) => streamNamespace switch
    {
        StreamNamespaces.Products => Message<ProductRecord>(record, version, at),
        StreamNamespaces.Carts => Message<CartRecord>(record, version, at),
        StreamNamespaces.Users => Message<UserRecord>(record, version, at),
        StreamNamespaces.Rejected => Message<RejectedRecord>(record, version, at),
        StreamNamespaces.Events => Message<ClickEvent>(record, version, at),
        StreamNamespaces.Recalls => Message<RecallRecord>(record, version, at),
        _ => throw new ArgumentOutOfRangeException(nameof(streamNamespace), streamNamespace, "unknown stream namespace"),
    };

    private static EntityMessage<T>? Message<T>(ReadOnlySpan<byte> record, long version, DateTimeOffset at) where T : class =>
        JsonSerializer.Deserialize<T>(record, Json) is { } r ? new EntityMessage<T>(r, version, at) : null;

    private sealed record Envelope<T>(int SchemaVersion, string Entity, long Version, DateTimeOffset IngestedAt, T Record);
}

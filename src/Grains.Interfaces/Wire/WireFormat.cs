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
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "message value is not a JSON object";
                return null;
            }
            if (!root.TryGetProperty("schema_version", out var sv) || sv.ValueKind != JsonValueKind.Number || sv.GetInt32() != SchemaVersion)
            {
                error = $"unsupported or missing schema_version (expected {SchemaVersion})";
                return null;
            }
            var expected = EntityOf(streamNamespace);
            if (!root.TryGetProperty("entity", out var entity) || entity.GetString() != expected)
            {
                error = $"entity is not '{expected}' on the '{streamNamespace}' stream";
                return null;
            }
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number)
            {
                error = "missing numeric version";
                return null;
            }
            if (!root.TryGetProperty("ingested_at", out var ingestedAt) || !ingestedAt.TryGetDateTimeOffset(out var at))
            {
                error = "missing or invalid ingested_at";
                return null;
            }
            if (!root.TryGetProperty("record", out var record) || record.ValueKind != JsonValueKind.Object)
            {
                error = "missing record object";
                return null;
            }
            var v = version.GetInt64();
            object? message = streamNamespace switch
            {
                StreamNamespaces.Products => Wrap(record.Deserialize<ProductRecord>(Json), v, at),
                StreamNamespaces.Carts => Wrap(record.Deserialize<CartRecord>(Json), v, at),
                StreamNamespaces.Users => Wrap(record.Deserialize<UserRecord>(Json), v, at),
                StreamNamespaces.Rejected => Wrap(record.Deserialize<RejectedRecord>(Json), v, at),
                StreamNamespaces.Events => Wrap(record.Deserialize<ClickEvent>(Json), v, at),
                StreamNamespaces.Recalls => Wrap(record.Deserialize<RecallRecord>(Json), v, at),
                _ => null,
            };
            if (message is null)
            {
                error = "record is null";
            }
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

    private static EntityMessage<T>? Wrap<T>(T? record, long version, DateTimeOffset at) where T : class =>
        record is null ? null : new EntityMessage<T>(record, version, at);

    private sealed record Envelope<T>(int SchemaVersion, string Entity, long Version, DateTimeOffset IngestedAt, T Record);
}

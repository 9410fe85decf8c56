using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Lake.Tables;

/// <summary>
/// The change history of an entity topic (<c>products_history</c>, <c>carts_history</c>, <c>users_history</c>):
/// every record version as the ingest produced it, partitioned by the UTC day it was ingested. The record is kept
/// whole as JSON text (its fields differ per source and per entity); key, version and times are typed columns.
/// </summary>
internal static class HistoryTable
{
    private static readonly DataField EntityKey = new DataField<string>("entity_key", true);
    private static readonly DataField Version = new DataField<long>("version");
    private static readonly DateTimeDataField IngestedAt = new("ingested_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, false);
    private static readonly DataField Record = new DataField<string>("record", false);
    private static readonly DataField KafkaPartition = new DataField<int>("kafka_partition");
    private static readonly DataField KafkaOffset = new DataField<long>("kafka_offset");

    public static ParquetSchema Schema { get; } = new(EntityKey, Version, IngestedAt, Record, KafkaPartition, KafkaOffset);

    /// <summary>The history table of a stream namespace: <c>products</c> gives <c>products_history</c>.</summary>
    public static string NameOf(string streamNamespace) => streamNamespace + "_history";

    /// <summary>Every history table, for the orphan sweep and the query views.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [NameOf(StreamNamespaces.Products), NameOf(StreamNamespaces.Carts), NameOf(StreamNamespaces.Users)];

    /// <summary>One version of an entity as read from Kafka.</summary>
    public sealed record Row(string? Key, long Version, DateTimeOffset IngestedAt, string Record, int Partition, long Offset);

    /// <summary>The row of a message, or null when it is not a Shopstream envelope (the silo's decoder rejects it).</summary>
    public static Row? Decode(byte[]? key, byte[] value, int partition, long offset)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || !version.TryGetInt64(out var v)
                || !root.TryGetProperty("ingested_at", out var at) || !at.TryGetDateTimeOffset(out var ingestedAt)
                || !root.TryGetProperty("record", out var record) || record.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            return new Row(key is null ? null : Encoding.UTF8.GetString(key), v, ingestedAt.ToUniversalTime(), record.GetRawText(), partition, offset);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static LakePartition PartitionOf(string table, Row row) =>
        new(table, [("ingest_date", row.IngestedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]);

    /// <summary>Writes <paramref name="rows"/> as one Parquet file with one row group.</summary>
    public static async Task WriteAsync(IReadOnlyList<Row> rows, Stream output, CompressionMethod compression, CancellationToken cancellationToken)
    {
        var options = new ParquetOptions { CompressionMethod = compression, CompressionLevel = CompressionLevel.Optimal };
        await using var writer = await ParquetWriter.CreateAsync(Schema, output, options, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(EntityKey, rows.Select(r => r.Key!).ToArray());
        await group.WriteAsync<long>(Version, rows.Select(r => r.Version).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<DateTime>(IngestedAt, rows.Select(r => r.IngestedAt.UtcDateTime).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync(Record, rows.Select(r => r.Record).ToArray());
        await group.WriteAsync<int>(KafkaPartition, rows.Select(r => r.Partition).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(KafkaOffset, rows.Select(r => r.Offset).ToArray().AsMemory(), cancellationToken: cancellationToken);
        group.CompleteValidate();
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Shopstream.Lake.Tables;

/// <summary>
/// The <c>events</c> table: one Parquet file per (event_type, event_date) of a flush, columns typed (timestamps as
/// UTC timestamps, price as a decimal, ids as strings), the event's extra fields kept as JSON text in <c>extras</c>,
/// with <c>price</c> and <c>quantity</c> also promoted to columns of their own when they are there.
/// </summary>
internal static class EventsTable
{
    public const string Name = "events";

    /// <summary>Decimal(18,4): a price with more digits is left only in <c>extras</c>, never rounded.</summary>
    private const int PricePrecision = 18;
    private const int PriceScale = 4;
    private const decimal MaxPrice = 99_999_999_999_999.9999m;

    private static readonly DataField EventId = new DataField<string>("event_id", false);
    private static readonly DataField EventType = new DataField<string>("event_type", false);
    private static readonly DataField OccurredAt = Timestamp("occurred_at");
    private static readonly DataField SessionKey = new DataField<string>("session_key", false);
    private static readonly DataField UserId = Text("user_id");
    private static readonly DataField ProductId = Text("product_id");
    private static readonly DataField StoreId = Text("store_id");
    private static readonly DataField Ip = Text("ip");
    private static readonly DataField UserAgent = Text("user_agent");
    private static readonly DataField ReferrerUrl = Text("referrer_url");
    private static readonly DataField CurrentUrl = Text("current_url");
    private static readonly DataField UtmSource = Text("utm_source");
    private static readonly DataField UtmMedium = Text("utm_medium");
    private static readonly DataField Resolution = Text("resolution");
    private static readonly DataField EmailSha256 = Text("email_sha256");
    private static readonly DataField Location = Text("location");
    private static readonly DataField Options = Text("options");
    private static readonly DataField Extras = Text("extras");
    private static readonly DataField Browser = new DataField<string>("browser", false);
    private static readonly DataField Os = new DataField<string>("os", false);
    private static readonly DataField DeviceType = new DataField<string>("device_type", false);
    private static readonly DataField ReferrerDomain = Text("referrer_domain");
    private static readonly DataField ReferrerType = new DataField<string>("referrer_type", false);
    private static readonly DataField Price = new DecimalDataField("price", PricePrecision, PriceScale, forceByteArrayEncoding: false, true);
    private static readonly DataField Quantity = new DataField<long?>("quantity");
    private static readonly DataField Version = new DataField<long>("version");
    private static readonly DataField IngestedAt = Timestamp("ingested_at");
    private static readonly DataField KafkaPartition = new DataField<int>("kafka_partition");
    private static readonly DataField KafkaOffset = new DataField<long>("kafka_offset");

    public static ParquetSchema Schema { get; } = new(
        EventId, EventType, OccurredAt, SessionKey, UserId, ProductId, StoreId, Ip, UserAgent, ReferrerUrl, CurrentUrl,
        UtmSource, UtmMedium, Resolution, EmailSha256, Location, Options, Extras, Browser, Os, DeviceType, ReferrerDomain,
        ReferrerType, Price, Quantity, Version, IngestedAt, KafkaPartition, KafkaOffset);

    /// <summary>The Hive partition of an event: its type and its UTC day.</summary>
    public static LakePartition PartitionOf(LakeEvent e) =>
        new(Name, [("event_type", e.Event.EventType), ("event_date", e.Event.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]);

    /// <summary>Writes <paramref name="rows"/> as one Parquet file with one row group.</summary>
    public static async Task WriteAsync(IReadOnlyList<LakeEvent> rows, Stream output, CompressionMethod compression, CancellationToken cancellationToken)
    {
        var options = new ParquetOptions { CompressionMethod = compression, CompressionLevel = CompressionLevel.Optimal };
        await using var writer = await ParquetWriter.CreateAsync(Schema, output, options, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(EventId, Strings(rows, e => e.Event.EventId));
        await group.WriteAsync(EventType, Strings(rows, e => e.Event.EventType));
        await group.WriteAsync<DateTime>(OccurredAt, Values(rows, e => e.Event.OccurredAt.UtcDateTime), cancellationToken: cancellationToken);
        await group.WriteAsync(SessionKey, Strings(rows, e => e.Event.SessionKey));
        await group.WriteAsync(UserId, Strings(rows, e => e.Event.UserId));
        await group.WriteAsync(ProductId, Strings(rows, e => e.Event.ProductId));
        await group.WriteAsync(StoreId, Strings(rows, e => e.Event.StoreId));
        await group.WriteAsync(Ip, Strings(rows, e => e.Event.Ip));
        await group.WriteAsync(UserAgent, Strings(rows, e => e.Event.UserAgent));
        await group.WriteAsync(ReferrerUrl, Strings(rows, e => e.Event.ReferrerUrl));
        await group.WriteAsync(CurrentUrl, Strings(rows, e => e.Event.CurrentUrl));
        await group.WriteAsync(UtmSource, Strings(rows, e => e.Event.UtmSource));
        await group.WriteAsync(UtmMedium, Strings(rows, e => e.Event.UtmMedium));
        await group.WriteAsync(Resolution, Strings(rows, e => e.Event.Resolution));
        await group.WriteAsync(EmailSha256, Strings(rows, e => e.Event.EmailSha256));
        await group.WriteAsync(Location, Strings(rows, e => e.Event.Location));
        await group.WriteAsync(Options, Strings(rows, e => e.Event.Options));
        await group.WriteAsync(Extras, Strings(rows, e => e.Event.Extras));
        await group.WriteAsync(Browser, Strings(rows, e => e.Event.Browser));
        await group.WriteAsync(Os, Strings(rows, e => e.Event.Os));
        await group.WriteAsync(DeviceType, Strings(rows, e => e.Event.DeviceType));
        await group.WriteAsync(ReferrerDomain, Strings(rows, e => e.Event.ReferrerDomain));
        await group.WriteAsync(ReferrerType, Strings(rows, e => e.Event.ReferrerType));
        var promoted = rows.Select(e => Promoted.Of(e.Event.Extras)).ToArray();
        await group.WriteAsync<decimal>(Price, promoted.Select(p => p.Price).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(Quantity, promoted.Select(p => p.Quantity).ToArray().AsMemory(), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(Version, Values(rows, e => e.Version), cancellationToken: cancellationToken);
        await group.WriteAsync<DateTime>(IngestedAt, Values(rows, e => e.IngestedAt.UtcDateTime), cancellationToken: cancellationToken);
        await group.WriteAsync<int>(KafkaPartition, Values(rows, e => e.Partition), cancellationToken: cancellationToken);
        await group.WriteAsync<long>(KafkaOffset, Values(rows, e => e.Offset), cancellationToken: cancellationToken);
        group.CompleteValidate();
    }

    /// <summary>Reads every row of a file this table wrote (compaction rewrites files with <see cref="WriteAsync"/>).</summary>
    public static async Task<List<LakeEvent>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: cancellationToken);
        var rows = new List<LakeEvent>();
        // The file's own fields, not this class's: they carry what was read from the footer (a timestamp's unit).
        var fields = reader.Schema.DataFields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            async Task<string?[]> Text(DataField field)
            {
                var values = new string?[n];
                await group.ReadAsync(fields[field.Name], values.AsMemory(), cancellationToken: cancellationToken);
                return values;
            }
            async Task<T[]> Column<T>(DataField field) where T : struct
            {
                var values = new T[n];
                await group.ReadAsync(fields[field.Name], values.AsMemory(), cancellationToken: cancellationToken);
                return values;
            }
            var (eventId, eventType, occurredAt, sessionKey) = (await Text(EventId), await Text(EventType), await Column<DateTime>(OccurredAt), await Text(SessionKey));
            var (userId, productId, storeId, ip, userAgent) = (await Text(UserId), await Text(ProductId), await Text(StoreId), await Text(Ip), await Text(UserAgent));
            var (referrerUrl, currentUrl, utmSource, utmMedium) = (await Text(ReferrerUrl), await Text(CurrentUrl), await Text(UtmSource), await Text(UtmMedium));
            var (resolution, email, location, options, extras) = (await Text(Resolution), await Text(EmailSha256), await Text(Location), await Text(Options), await Text(Extras));
            var (browser, os, deviceType, referrerDomain, referrerType) = (await Text(Browser), await Text(Os), await Text(DeviceType), await Text(ReferrerDomain), await Text(ReferrerType));
            var (version, ingestedAt, partition, offset) = (await Column<long>(Version), await Column<DateTime>(IngestedAt), await Column<int>(KafkaPartition), await Column<long>(KafkaOffset));
            for (var i = 0; i < n; i++)
            {
                var e = new Grains.Interfaces.Records.ClickEvent
                {
                    EventId = eventId[i]!, EventType = eventType[i]!, OccurredAt = Utc(occurredAt[i]), SessionKey = sessionKey[i]!,
                    UserId = userId[i], ProductId = productId[i], StoreId = storeId[i], Ip = ip[i], UserAgent = userAgent[i],
                    ReferrerUrl = referrerUrl[i], CurrentUrl = currentUrl[i], UtmSource = utmSource[i], UtmMedium = utmMedium[i],
                    Resolution = resolution[i], EmailSha256 = email[i], Location = location[i], Options = options[i], Extras = extras[i],
                    Browser = browser[i]!, Os = os[i]!, DeviceType = deviceType[i]!, ReferrerDomain = referrerDomain[i], ReferrerType = referrerType[i]!,
                };
                rows.Add(new LakeEvent(e, version[i], Utc(ingestedAt[i]), partition[i], offset[i]));
            }
        }
        return rows;
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private static DataField<string> Text(string name) => new(name, true);

    private static DateTimeDataField Timestamp(string name) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, false);

    // Nullable strings go through the same helper as required ones: the schema, not the array, says which may be null.
    private static string[] Strings(IReadOnlyList<LakeEvent> rows, Func<LakeEvent, string?> value)
    {
        var values = new string[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(rows[i])!;
        }
        return values;
    }

    private static ReadOnlyMemory<T> Values<T>(IReadOnlyList<LakeEvent> rows, Func<LakeEvent, T> value)
    {
        var values = new T[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(rows[i]);
        }
        return values;
    }

    /// <summary>The extras' <c>price</c> and <c>quantity</c>, when they are numbers that fit their column exactly.</summary>
    private readonly record struct Promoted(decimal? Price, long? Quantity)
    {
        public static Promoted Of(string? extras)
        {
            // Most events carry neither: skip parsing JSON for them.
            if (extras is null || (!extras.Contains("\"price\"", StringComparison.Ordinal) && !extras.Contains("\"quantity\"", StringComparison.Ordinal)))
            {
                return default;
            }
            using var doc = JsonDocument.Parse(extras);
            decimal? price = null;
            long? quantity = null;
            if (doc.RootElement.TryGetProperty("price", out var p) && p.ValueKind == JsonValueKind.Number
                && p.TryGetDecimal(out var d) && Math.Abs(d) <= MaxPrice && decimal.Round(d, PriceScale) == d)
            {
                price = d;
            }
            if (doc.RootElement.TryGetProperty("quantity", out var q) && q.ValueKind == JsonValueKind.Number && q.TryGetInt64(out var n))
            {
                quantity = n;
            }
            return new Promoted(price, quantity);
        }
    }
}

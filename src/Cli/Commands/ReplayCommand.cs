using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Npgsql;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream replay --from raw --since DATE [--until DATE]</c>: produces the raw zone's messages of those days
/// again to the topics they were read from, with their keys and in their order, so that the silos derive the star
/// schema and the entity tables from them once more. What is already applied is dropped by the grains (event ids,
/// versions and content hashes), so replaying what is there changes nothing. The raw zone skips what replay produces.
/// </summary>
internal static class ReplayCommand
{
    private const int PageSize = 10_000;

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "What to replay from: raw (the raw_events landing zone)", Required = true };
        from.AcceptOnlyFromAmong("raw");
        var since = new Option<string>("--since") { Description = "First day received (yyyy-MM-dd, UTC)", Required = true };
        var until = new Option<string?>("--until") { Description = "Last day received, included (yyyy-MM-dd, UTC; default: today)" };
        since.Validators.Add(r => Day(r.GetValueOrDefault<string>(), "--since", r.AddError));
        until.Validators.Add(r => Day(r.GetValueOrDefault<string?>(), "--until", r.AddError));
        var postgres = CommonOptions.Postgres(required: false);
        var kafka = CommonOptions.Kafka("required");
        var command = new Command("replay", "Produce the raw zone's messages of some days again, so that the star schema is derived from them") { from, since, until, postgres, kafka };
        command.SetAction(async (r, ct) =>
        {
            var pg = r.GetValue(postgres);
            var bootstrap = r.GetValue(kafka);
            if (string.IsNullOrWhiteSpace(pg) || string.IsNullOrWhiteSpace(bootstrap))
            {
                await Console.Error.WriteLineAsync("replay: --postgres (or SHOPSTREAM_POSTGRES) and --kafka (or SHOPSTREAM_KAFKA) are required");
                return 2;
            }
            if (await KafkaClientCheck.ReadOrReportAsync("replay") is not { } clientSettings)
            {
                return 2;
            }
            var first = Parse(r.GetValue(since)!);
            var last = r.GetValue(until) is { } u ? Parse(u) : DateOnly.FromDateTime(DateTime.UtcNow);
            if (last < first)
            {
                await Console.Error.WriteLineAsync("replay: --until must not be before --since");
                return 2;
            }
            await using var db = NpgsqlDataSource.Create(pg);
            var replayed = await RunAsync(db, bootstrap, clientSettings, first, last, ct);
            await Console.Error.WriteLineAsync($"replay: {replayed} messages received {first:yyyy-MM-dd} to {last:yyyy-MM-dd} produced again; ./shopstream wait shows when they are applied");
            return 0;
        });
        return command;
    }

    /// <summary>Produces every raw row received on the days <paramref name="first"/> to <paramref name="last"/>; returns how many.</summary>
    public static async Task<long> RunAsync(
        NpgsqlDataSource db, string bootstrapServers, IReadOnlyDictionary<string, string> clientSettings, DateOnly first, DateOnly last, CancellationToken ct)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(clientSettings, StringComparer.Ordinal))
        {
            BootstrapServers = bootstrapServers,
            ClientId = "shopstream-replay",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        using var producer = new ProducerBuilder<string?, byte[]>(config).Build();
        var headers = new Headers { { KafkaProducerOptions.ReplayedHeaderName, [1] } };
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        long produced = 0;
        Exception? failure = null;
        // Keyset pages in the order the messages were read, so that each key's messages go out in their order.
        (string Topic, int Partition, long Offset) after = ("", -1, -1);
        while (true)
        {
            await using var page = db.CreateCommand("""
                SELECT topic, partition, "offset", key, payload::text FROM raw_events
                WHERE received_at >= $1 AND received_at < $2 AND (topic, partition, "offset") > ($3, $4, $5)
                ORDER BY topic, partition, "offset" LIMIT $6
                """);
            foreach (var value in new object[] { from, to, after.Topic, after.Partition, after.Offset, PageSize })
            {
                page.Parameters.Add(new NpgsqlParameter { Value = value });
            }
            var rows = 0;
            await using (var reader = await page.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    rows++;
                    after = (reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2));
                    var message = new Message<string?, byte[]>
                    {
                        Key = reader.IsDBNull(3) ? null : reader.GetString(3),
                        Value = Encoding.UTF8.GetBytes(reader.GetString(4)),
                        Headers = headers,
                    };
                    producer.Produce(after.Topic, message, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.CompareExchange(ref failure, new KafkaException(report.Error), null);
                        }
                    });
                    produced++;
                }
            }
            // One page in flight at most: librdkafka's queue stays below its limit.
            producer.Flush(ct);
            if (rows < PageSize)
            {
                break;
            }
        }
        return failure is null ? produced : throw new InvalidOperationException($"replay: Kafka did not take every message: {failure.Message}", failure);
    }

    private static void Day(string? text, string flag, Action<string> error)
    {
        if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            error($"{flag} must be a date, yyyy-MM-dd (was '{text}')");
        }
    }

    private static DateOnly Parse(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream wait</c>: exits 0 once every partition's committed offset reached its end. Offsets are committed
/// only after projection, so this also means the tables hold everything produced so far.
/// </summary>
internal static class WaitCommand
{
    public static Command Create()
    {
        var kafka = CommonOptions.Kafka("required");
        var group = new Option<string>("--group") { Description = "Consumer group of the silos", DefaultValueFactory = _ => "shopstream" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds before giving up", DefaultValueFactory = _ => 300 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--timeout must be at least 1 second");
            }
        });
        var postgres = CommonOptions.Postgres(required: false);
        var command = new Command("wait", "Wait until the silos have applied everything produced so far") { postgres, kafka, group, timeout };
        command.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(CommonOptions.Peek(r, kafka) ?? Environment.GetEnvironmentVariable("SHOPSTREAM_KAFKA")))
            {
                r.AddError("--kafka (or SHOPSTREAM_KAFKA) is required");
            }
        });
        command.SetAction(async (r, ct) =>
        {
            if (await KafkaClientCheck.ReadOrReportAsync("wait") is not { } clientSettings)
            {
                return 2;
            }
            var topics = new ShopstreamOptions().TopicsByNamespace().Values;
            using var progress = new DeliveryProgress(r.GetValue(kafka)!, r.GetValue(group)!, clientSettings, topics);
            IReadOnlyList<PartitionLag> last = [];
            var shown = DateTime.MinValue;
            var ok = await progress.WaitUntilCaughtUpAsync(TimeSpan.FromSeconds(r.GetValue(timeout)), l =>
            {
                last = l;
                if (DateTime.UtcNow - shown >= TimeSpan.FromSeconds(2))
                {
                    shown = DateTime.UtcNow;
                    Console.Error.WriteLine($"wait: lag {l.Sum(x => x.Lag)} over {l.Count(x => x.Lag > 0)} partitions");
                }
            }, ct);
            if (ok && r.GetValue(postgres) is { Length: > 0 } pg)
            {
                // Offsets are committed only after projection, so caught up means flushed; check the database answers too.
                try
                {
                    await using var db = Npgsql.NpgsqlDataSource.Create(pg);
                    await using var check = db.CreateCommand("SELECT 1");
                    await check.ExecuteScalarAsync(ct);
                    await Console.Error.WriteLineAsync("wait: PostgreSQL answers");
                }
                catch (Npgsql.NpgsqlException ex)
                {
                    await Console.Error.WriteLineAsync($"wait: caught up, but --postgres is not reachable: {ex.Message}");
                    return 1;
                }
            }
            if (ok)
            {
                await Console.Error.WriteLineAsync("wait: every partition is committed to its end");
                return 0;
            }
            AnsiConsole.Write(LagTable(last));
            await Console.Error.WriteLineAsync($"wait: timed out after {r.GetValue(timeout)} s with lag {last.Sum(x => x.Lag)}");
            return 1;
        });
        return command;
    }

    public static Table LagTable(IReadOnlyList<PartitionLag> lags)
    {
        var table = new Table { Title = new TableTitle("lag per partition"), Border = TableBorder.Rounded };
        table.AddColumns("topic", "partition", "end offset", "committed", "lag");
        foreach (var l in lags)
        {
            table.AddRow(Markup.Escape(l.Topic), $"{l.Partition}", $"{l.EndOffset}", $"{l.CommittedOffset}", $"{l.Lag}");
        }
        return table;
    }
}

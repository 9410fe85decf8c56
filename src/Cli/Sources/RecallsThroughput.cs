using System.Diagnostics;
using Npgsql;
using Shopstream.Ingest;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Sources;
using Shopstream.Kafka.Embedded;
using Shopstream.Silo.Hosting;

namespace Shopstream.Cli.Sources;

/// <summary>What <see cref="RecallsThroughput.MeasureAsync"/> measured.</summary>
/// <param name="Records">Notices served and waited for in <c>rappel_conso</c>.</param>
/// <param name="Seconds">From the first request of the run to the last notice's row visible.</param>
/// <param name="RunSeconds">The source run alone: every page fetched and acknowledged by Kafka.</param>
/// <param name="SecondRunSeconds">A second run right after, with nothing new: its whole duration.</param>
/// <param name="SecondRunPages">Pages the second run fetched (1: the notice at the watermark).</param>
internal sealed record RecallsThroughputResult(int Records, double Seconds, double RunSeconds, double SecondRunSeconds, int SecondRunPages)
{
    /// <summary>The bench figure, <c>recalls=&lt;records/s&gt;</c>.</summary>
    public double RecordsPerSecond => Records / Math.Max(Seconds, 0.001);
}

/// <summary>
/// The bench's <c>recalls</c> phase: RappelConso notices from a local fixture API through the source run, Kafka (the
/// embedded broker), the recall grains and the projection to rows in a scratch database
/// (<c>shopstream_bench_recalls</c>, recreated), then a second run with nothing new.
/// </summary>
internal static class RecallsThroughput
{
    /// <summary>Measures <paramref name="records"/> notices on the PostgreSQL server of <paramref name="serverPostgres"/>.</summary>
    public static async Task<RecallsThroughputResult> MeasureAsync(string serverPostgres, int records = 10_000, CancellationToken ct = default)
    {
        var postgres = await ScratchDatabase.RecreateAsync(serverPostgres, "shopstream_bench_recalls", ct);
        using var broker = EmbeddedKafkaBroker.Start();
        var options = new ShopstreamOptions { Postgres = postgres, Kafka = broker.BootstrapServers, ClusterId = "bench-recalls" };
        foreach (var topic in options.TopicsByNamespace().Values)
        {
            broker.CreateTopic(topic, 8);
        }
        await using var api = await RecallFixtureApi.StartAsync(records, Path.Combine(RecallIngest.SampleDirectory(), "v2.1-records-page.json"), ct);
        using var host = SiloHostFactory.BuildLocal(options);
        await host.StartAsync(ct);
        try
        {
            await using var database = NpgsqlDataSource.Create(postgres);
            using var http = new HttpClient();
            var source = RappelConsoSource.Create(new SourceOptions { BaseUrl = api.BaseUrl }, http, new IngestOptions());
            await using var producer = new KafkaRecordProducer(IngestCommand.ProducerOptions(broker.BootstrapServers, options.KafkaClient));

            var clock = Stopwatch.StartNew();
            await SourceRunner.RunAsync(source, producer, database, "cli", full: false, since: null, progress: null, ct);
            var runSeconds = clock.Elapsed.TotalSeconds;
            await using (var count = database.CreateCommand("SELECT count(*) FROM rappel_conso"))
            {
                while ((long)(await count.ExecuteScalarAsync(ct))! < records)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
                }
            }
            var seconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var second = await SourceRunner.RunAsync(source, producer, database, "cli", full: false, since: null, progress: null, ct);
            return new RecallsThroughputResult(records, seconds, runSeconds, clock.Elapsed.TotalSeconds, second.Pages);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}

using System.Diagnostics;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Kafka.Embedded;
using Shopstream.Lake;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Tables;
using Shopstream.Lake.Writing;

namespace Shopstream.Cli.Chaos;

/// <summary>
/// Chaos <c>lake</c>: a lake writer is stopped dead between an upload and its commit (its third flush: it does no
/// clean-up, as after a crash), a second writer in a new consumer group takes over. Every event must be in the
/// committed files once, and no file may be on disk that the manifest does not list. In process: the stop is a
/// cancellation at that exact point, not a SIGKILL of a silo process.
/// </summary>
internal static class LakeChaos
{
    public static async Task<ChaosOutcome> RunAsync(string postgres, int records, EmbeddedKafkaBroker broker, Action<string> log, CancellationToken ct)
    {
        const string Scenario = ChaosScenarios.Lake;
        var db = await ScratchDatabase.RecreateAsync(postgres, "chaos_lake", ct);
        await using var data = NpgsqlDataSource.Create(db);
        var manifest = new LakeManifest(data);
        var topic = $"chaos-lake-{Guid.NewGuid():N}";
        broker.CreateTopic(topic, 8);
        Produce(broker.BootstrapServers, topic, records);
        var directory = Directory.CreateTempSubdirectory("shopstream-chaos-lake-");
        try
        {
            var options = new LakeOptions { Path = directory.FullName, MaxRows = Math.Max(1, records / 40), MaxAge = TimeSpan.FromSeconds(1), OrphanGrace = TimeSpan.Zero };
            var killedAt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var flushes = 0;
            var first = Writer(broker, topic, options, manifest);
            first.BeforeCommit = async token =>
            {
                if (Interlocked.Increment(ref flushes) == 3)
                {
                    killedAt.TrySetResult();
                    await Task.Delay(Timeout.Infinite, token);
                }
            };
            await first.StartAsync(ct);
            await killedAt.Task.WaitAsync(TimeSpan.FromMinutes(2), ct);
            var lagAtFault = records - await CommittedAsync(data, topic, ct);
            await first.StopAsync(CancellationToken.None);
            log($"  {Scenario}: writer stopped between upload and commit with {lagAtFault:N0} events uncommitted");

            var recovery = Stopwatch.StartNew();
            options.ConsumerGroup += "-restarted";
            var second = Writer(broker, topic, options, manifest);
            await second.StartAsync(ct);
            while (await CommittedAsync(data, topic, ct) < records && recovery.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(200, ct);
            }
            await second.StopAsync(CancellationToken.None);

            var files = await manifest.LiveFilesAsync(await manifest.SnapshotAtAsync(null, ct), EventsTable.Name, ct);
            var (rows, distinct) = Count(files.Select(f => Path.Combine(directory.FullName, f.Path)).ToList());
            var listed = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var unlisted = Directory.EnumerateFiles(Path.Combine(directory.FullName, EventsTable.Name), "*", SearchOption.AllDirectories)
                .Count(f => !listed.Contains(Path.GetRelativePath(directory.FullName, f).Replace('\\', '/')));
            // Lost: events in no committed file; applied twice: rows beyond one per event; mismatched: files on disk the
            // manifest does not list (an uncommitted upload left visible to a reader that lists the directory).
            var outcome = new ChaosOutcome(Scenario, records, "lake writer stopped between upload and commit", records - distinct, rows - distinct, unlisted,
                0, recovery.Elapsed.TotalSeconds, rows, records, LagAtFault: lagAtFault);
            log($"chaos {Scenario}: lost {outcome.Lost}, applied twice {outcome.AppliedTwice}, files not in the manifest {unlisted}, " +
                $"{lagAtFault:N0} uncommitted at the fault, {files.Count} committed files");
            return outcome;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static LakeWriter Writer(EmbeddedKafkaBroker broker, string topic, LakeOptions options, LakeManifest manifest) => new(
        new LakeWriterSettings(broker.BootstrapServers, new Dictionary<string, string> { [topic] = EventsTable.Name }, new Dictionary<string, string>()),
        options, new LocalLakeStore(options.Path!), manifest, TimeProvider.System, NullLogger<LakeWriter>.Instance);

    private static void Produce(string bootstrapServers, string topic, int records)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, EnableIdempotence = true, LingerMs = 5 }).Build();
        var start = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < records; i++)
        {
            var e = new ClickEvent
            {
                EventId = $"chaos-{i}", EventType = (i % 3) switch { 0 => "page_view", 1 => "product_view", _ => "wishlist_add" },
                OccurredAt = start.AddSeconds(i * 7), SessionKey = $"s{i % 997}", ProductId = $"dummyjson:{i % 190}",
                Browser = "Chrome", Os = "Linux", DeviceType = "desktop", ReferrerType = "direct",
            };
            producer.Produce(topic, new Message<byte[], byte[]>
            {
                Key = System.Text.Encoding.UTF8.GetBytes(e.SessionKey),
                Value = WireFormat.Serialize(StreamNamespaces.Events, e, i, DateTimeOffset.UtcNow),
            });
        }
        producer.Flush(TimeSpan.FromMinutes(1));
    }

    private static async Task<long> CommittedAsync(NpgsqlDataSource data, string topic, CancellationToken ct)
    {
        await using var command = data.CreateCommand("SELECT coalesce(sum(next_offset), 0)::bigint FROM lake_offsets WHERE topic = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = topic });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Rows and distinct event ids in the files, read by DuckDB.</summary>
    private static (long Rows, long Distinct) Count(List<string> files)
    {
        if (files.Count == 0)
        {
            return (0, 0);
        }
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT event_id) FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}

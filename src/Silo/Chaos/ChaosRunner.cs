using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Silo.Bench;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Shopstream.Silo.Storage;
using Shopstream.Streaming.Kafka.Embedded;

namespace Shopstream.Silo.Chaos;

/// <summary>
/// Runs fault scenarios end to end against real PostgreSQL and the embedded Kafka-protocol broker. Each scenario
/// gets its own database and topics, produces a known sequence of product updates, injects its faults while
/// the silo consumes, waits until everything is committed and compares the tables with what the input implies.
/// A trigger audits every row write, so an effect applied twice is seen even when the final table is right.
/// </summary>
public sealed class ChaosRunner(string postgres, int records, Action<string> log, Func<CancellationToken, Task>? restartPostgres = null) : IAsyncDisposable
{
    private const int Partitions = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Lazy<EmbeddedKafkaBroker> broker = new(() => EmbeddedKafkaBroker.Start());
    private readonly Random random = new();

    private int Entities => Math.Max(1, records / 5);

    public async Task<ChaosOutcome> RunAsync(string scenario, CancellationToken ct)
    {
        log($"chaos {scenario}: {records:N0} records to {Entities:N0} entities");
        return scenario switch
        {
            ChaosScenarios.SiloKill => await SiloKillAsync(ct),
            ChaosScenarios.BrokerDown => await InProcessAsync(scenario, "broker down 3 s, then up", async (_, _) =>
            {
                broker.Value.SetBrokerDown(1);
                await Task.Delay(3000, ct);
                broker.Value.SetBrokerUp(1);
            }, ct),
            ChaosScenarios.RequestErrors => await InProcessAsync(scenario, "errors on 5 produce, 5 fetch, 5 offset-commit requests", (_, _) =>
            {
                broker.Value.PushRequestErrors(0, 7, 6, 7, 6, 7);   // Produce: REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER
                broker.Value.PushRequestErrors(1, 6, 6, 7, 6, 6);   // Fetch
                broker.Value.PushRequestErrors(8, 15, 16, 15, 16, 15); // OffsetCommit: COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR
                return Task.CompletedTask;
            }, ct),
            ChaosScenarios.PostgresRestart => restartPostgres is null
                ? throw new InvalidOperationException("postgres-restart needs the project-local PostgreSQL (run without --postgres)")
                : await InProcessAsync(scenario, "PostgreSQL stopped and started", (_, _) => restartPostgres(ct), ct),
            ChaosScenarios.PostgresTerminate => await InProcessAsync(scenario, "all connections killed twice (pg_terminate_backend)", async (db, _) =>
            {
                await TerminateConnectionsAsync(db, ct);
                await Task.Delay(1000, ct);
                await TerminateConnectionsAsync(db, ct);
            }, ct),
            ChaosScenarios.Poison => await InProcessAsync(scenario, "1% undecodable messages, 1% rows PostgreSQL refuses", null, ct, poison: true),
            ChaosScenarios.Duplicates => await InProcessAsync(scenario, "every record produced twice", null, ct, duplicates: true),
            ChaosScenarios.Replay => await InProcessAsync(scenario, "full replay by a new group; replay into a new topic", null, ct, replay: true),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'; known: {string.Join(", ", ChaosScenarios.All)}", nameof(scenario)),
        };
    }

    private static ProductRecord Update(int i, int entities) => new()
    {
        Source = "chaos",
        Id = (i % entities) + 1,
        Title = "v" + (i + 1).ToString(Inv),
        Price = (i % 500) + 0.5m,
        Category = "chaos",
    };

    private List<Message<byte[], byte[]>> Messages(bool poison, out int expectedRejections)
    {
        var list = new List<Message<byte[], byte[]>>(records + (records / 50));
        expectedRejections = 0;
        for (var i = 0; i < records; i++)
        {
            var r = Update(i, Entities);
            list.Add(new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes($"chaos:{r.Id}"),
                Value = WireFormat.Serialize(StreamNamespaces.Products, r, i + 1, DateTimeOffset.UtcNow),
            });
            if (poison && i % 100 == 0)
            {
                list.Add(new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"poison:{i}"), Value = Encoding.UTF8.GetBytes("{\"schema_version\":1,\"entity\":\"product\" garbage") });
                var bad = new ProductRecord { Source = "bad", Id = i + 1, Title = "too expensive", Price = 1e13m };
                list.Add(new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"bad:{i + 1}"), Value = WireFormat.Serialize(StreamNamespaces.Products, bad, 1, DateTimeOffset.UtcNow) });
                expectedRejections += 2;
            }
        }
        return list;
    }

    private async Task<ChaosOutcome> InProcessAsync(
        string scenario, string faults, Func<string, ShopstreamOptions, Task>? fault, CancellationToken ct,
        bool poison = false, bool duplicates = false, bool replay = false)
    {
        var db = await CreateDatabaseAsync(scenario, ct);
        var options = Options(db, broker.Value.BootstrapServers, "c" + Guid.NewGuid().ToString("N")[..8] + ".");
        foreach (var t in options.TopicsByNamespace().Values)
        {
            broker.Value.CreateTopic(t, Partitions);
        }
        var messages = Messages(poison, out var expectedRejections);
        var faultEnded = Stopwatch.StartNew();
        using (var host = SiloHostFactory.BuildLocal(options))
        {
            await host.StartAsync(ct);
            using var producer = Producer(options.Kafka);
            var at = fault is null ? -1 : messages.Count * 2 / 5;
            for (var pass = 0; pass < (duplicates ? 2 : 1); pass++)
            {
                for (var i = 0; i < messages.Count; i++)
                {
                    if (i == at && pass == 0)
                    {
                        producer.Flush(ct);
                        log($"  {scenario}: injecting fault after {i:N0} messages: {faults}");
                        await fault!(db, options);
                        faultEnded.Restart();
                    }
                    producer.Produce(options.ProductsTopic, messages[i]);
                }
            }
            producer.Flush(ct);
            await WaitAsync(options, scenario, ct);
            var recovery = faultEnded.Elapsed.TotalSeconds;
            if (replay)
            {
                await host.StopAsync(ct);
                log($"  {scenario}: full replay from the earliest offset under a new consumer group");
                var again = Derive(options, options.ConsumerGroup + "-replay", options.ProductsTopic);
                await RunHostUntilCaughtUpAsync(again, scenario, ct);
                log($"  {scenario}: the same records into a re-created topic whose offsets start over");
                var recreated = Derive(options, options.ConsumerGroup + "-recreated", options.ProductsTopic + ".recreated");
                broker.Value.CreateTopic(recreated.ProductsTopic, Partitions);
                foreach (var m in messages)
                {
                    producer.Produce(recreated.ProductsTopic, m);
                }
                producer.Flush(ct);
                await RunHostUntilCaughtUpAsync(recreated, scenario, ct);
                recovery = faultEnded.Elapsed.TotalSeconds;
            }
            else
            {
                await host.StopAsync(ct);
            }
            var produced = messages.Count * (duplicates ? 2 : 1) * (replay ? 2 : 1);
            return await VerifyAsync(scenario, db, produced, faults, expectedRejections, fault is null ? 0 : recovery, ct);
        }
    }

    private async Task RunHostUntilCaughtUpAsync(ShopstreamOptions options, string scenario, CancellationToken ct)
    {
        using var host = SiloHostFactory.BuildLocal(options);
        await host.StartAsync(ct);
        await WaitAsync(options, scenario, ct);
        await host.StopAsync(ct);
    }

    /// <summary>Silo processes killed with SIGKILL at three random moments, each restarted; the broker runs in its own process.</summary>
    private async Task<ChaosOutcome> SiloKillAsync(CancellationToken ct)
    {
        const string scenario = ChaosScenarios.SiloKill;
        var db = await CreateDatabaseAsync(scenario, ct);
        using var childBroker = await ChildBroker.StartAsync(Partitions, [], ct);
        var options = Options(db, childBroker.BootstrapServers, "");
        var ports = Enumerable.Range(0, 2).Select(_ => (Silo: SiloHostFactory.FreePort(), Gateway: SiloHostFactory.FreePort(), Http: SiloHostFactory.FreePort())).ToArray();
        var silos = ports.Select(p => StartSiloProcess(options, p)).ToArray();
        try
        {
            await Task.Delay(8000, ct);
            var messages = Messages(poison: false, out _);
            using var producer = Producer(options.Kafka);
            var kills = new SortedSet<int>();
            while (kills.Count < 3)
            {
                kills.Add(random.Next(messages.Count / 10, messages.Count * 9 / 10));
            }
            var faultEnded = Stopwatch.StartNew();
            for (var i = 0; i < messages.Count; i++)
            {
                if (kills.Contains(i))
                {
                    producer.Flush(ct);
                    var victim = random.Next(silos.Length);
                    log($"  {scenario}: SIGKILL silo process {silos[victim].Id} after {i:N0} messages; restarting it");
                    silos[victim].Kill(entireProcessTree: true);
                    await silos[victim].WaitForExitAsync(ct);
                    silos[victim].Dispose();
                    silos[victim] = StartSiloProcess(options, ports[victim]);
                    faultEnded.Restart();
                }
                producer.Produce(options.ProductsTopic, messages[i]);
            }
            producer.Flush(ct);
            await WaitAsync(options, scenario, ct);
            return await VerifyAsync(scenario, db, messages.Count, "3 silo processes killed (SIGKILL) and restarted", 0, faultEnded.Elapsed.TotalSeconds, ct);
        }
        finally
        {
            foreach (var s in silos)
            {
                if (!s.HasExited)
                {
                    s.Kill(entireProcessTree: true);
                }
                s.Dispose();
            }
        }
    }

    private static Process StartSiloProcess(ShopstreamOptions options, (int Silo, int Gateway, int Http) ports)
    {
        var dll = typeof(ChaosRunner).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (!(Environment.ProcessPath ?? "").EndsWith("shopstream", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(dll);
        }
        foreach (var a in new[]
        {
            "silo", "--postgres", options.Postgres, "--kafka", options.Kafka,
            "--silo-port", ports.Silo.ToString(Inv), "--gateway-port", ports.Gateway.ToString(Inv), "--http-port", ports.Http.ToString(Inv),
        })
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["Shopstream__ClusterId"] = options.ClusterId;
        start.Environment["Shopstream__ConsumerGroup"] = options.ConsumerGroup;
        var p = Process.Start(start) ?? throw new InvalidOperationException("could not start a silo process");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static ShopstreamOptions Options(string db, string kafka, string prefix) => new()
    {
        Postgres = db,
        Kafka = kafka,
        ConsumerGroup = "chaos-" + Guid.NewGuid().ToString("N")[..8],
        ClusterId = "chaos-" + Guid.NewGuid().ToString("N")[..8],
        ProductsTopic = prefix + StreamNamespaces.Products,
        CartsTopic = prefix + StreamNamespaces.Carts,
        UsersTopic = prefix + StreamNamespaces.Users,
        RejectedTopic = prefix + StreamNamespaces.Rejected,
    };

    private static ShopstreamOptions Derive(ShopstreamOptions o, string group, string productsTopic) => new()
    {
        Postgres = o.Postgres,
        Kafka = o.Kafka,
        ConsumerGroup = group,
        ClusterId = o.ClusterId,
        ProductsTopic = productsTopic,
        CartsTopic = o.CartsTopic,
        UsersTopic = o.UsersTopic,
        RejectedTopic = o.RejectedTopic,
    };

    private static IProducer<byte[], byte[]> Producer(string kafka) =>
        new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = kafka, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 }).Build();

    private async Task WaitAsync(ShopstreamOptions options, string scenario, CancellationToken ct)
    {
        using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, [options.ProductsTopic]);
        var shown = DateTime.UtcNow;
        IReadOnlyList<PartitionLag> last = [];
        var ok = await progress.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(5), lags =>
        {
            last = lags;
            if (DateTime.UtcNow - shown > TimeSpan.FromSeconds(3))
            {
                shown = DateTime.UtcNow;
                log($"  {scenario}: lag {lags.Sum(l => l.Lag):N0}");
            }
        }, ct);
        if (!ok)
        {
            log($"  {scenario}: did not catch up within 5 minutes (lag {last.Sum(l => l.Lag):N0}); verifying what landed");
        }
    }

    private async Task<ChaosOutcome> VerifyAsync(string scenario, string db, int produced, string faults, int expectedRejections, double recovery, CancellationToken ct)
    {
        await using var data = NpgsqlDataSource.Create(db);
        var expected = new Dictionary<long, long>();
        for (var i = 0; i < records; i++)
        {
            expected[(i % Entities) + 1] = i + 1;
        }
        var actual = new Dictionary<long, (long Version, string Title)>();
        await using (var q = data.CreateCommand("SELECT id, version, title FROM products WHERE source = 'chaos'"))
        await using (var r = await q.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                actual[r.GetInt64(0)] = (r.GetInt64(1), r.GetString(2));
            }
        }
        long lost = 0, mismatched = 0;
        foreach (var (id, version) in expected)
        {
            if (!actual.TryGetValue(id, out var row) || row.Version < version)
            {
                lost++;
            }
            else if (row.Version != version || row.Title != "v" + version.ToString(Inv))
            {
                mismatched++;
            }
        }
        mismatched += actual.Keys.Count(k => !expected.ContainsKey(k));
        mismatched += await Scalar(data, "SELECT count(*) FROM products WHERE source <> 'chaos'", ct);
        var rejected = await Scalar(data, "SELECT count(*) FROM rejected_records", ct);
        lost += Math.Max(0, expectedRejections - rejected);
        var twice = await Scalar(data, "SELECT count(*) FROM (SELECT 1 FROM chaos_audit GROUP BY source, id, version HAVING count(*) > 1) d", ct);
        var audited = await Scalar(data, "SELECT count(*) FROM chaos_audit", ct);
        var outcome = new ChaosOutcome(scenario, produced, faults, lost, twice, mismatched, rejected, Math.Round(recovery, 1), audited, Entities);
        log($"chaos {scenario}: lost {lost}, applied twice {twice}, mismatched {mismatched}, rejected {rejected}, {audited:N0} row writes audited");
        return outcome;
    }

    private async Task<string> CreateDatabaseAsync(string scenario, CancellationToken ct)
    {
        var cs = await ScratchDatabase.RecreateAsync(postgres, "chaos_" + scenario.Replace('-', '_'), ct);
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await ScratchDatabase.ExecuteAsync(c, """
            CREATE TABLE chaos_audit (source text, id bigint, version bigint, op text, at timestamptz DEFAULT clock_timestamp());
            CREATE FUNCTION chaos_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO chaos_audit (source, id, version, op) VALUES (NEW.source, NEW.id, NEW.version, TG_OP); RETURN NEW; END $$;
            CREATE TRIGGER chaos_audit_products AFTER INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION chaos_audit_row();
            """, ct);
        return cs;
    }

    private static async Task TerminateConnectionsAsync(string db, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(db) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync(ct);
        await using var q = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", c);
        q.Parameters.Add(new NpgsqlParameter<string> { TypedValue = new NpgsqlConnectionStringBuilder(db).Database! });
        await q.ExecuteScalarAsync(ct);
    }

    private static async Task<long> Scalar(NpgsqlDataSource data, string sql, CancellationToken ct)
    {
        await using var q = data.CreateCommand(sql);
        return Convert.ToInt64(await q.ExecuteScalarAsync(ct), Inv);
    }


    public ValueTask DisposeAsync()
    {
        if (broker.IsValueCreated)
        {
            broker.Value.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}

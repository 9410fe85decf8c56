using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Cli.Bench;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Shopstream.Projection.Storage;
using Shopstream.Kafka.Embedded;
using Shopstream.Projection;

namespace Shopstream.Cli.Chaos;

/// <summary>
/// Runs fault scenarios end to end against real PostgreSQL and the embedded Kafka-protocol broker. Each scenario
/// gets its own database and topics, produces a known sequence of product updates (<see cref="ChaosInput"/>), injects
/// its faults while the silo consumes, waits until everything is committed and compares the tables with what the input
/// implies. What is in flight at a fault is single-version records only, and the fault must find some uncommitted.
/// A trigger audits every row write, so an effect applied twice is seen even when the final table is right.
/// </summary>
public sealed class ChaosRunner(string postgres, int records, Action<string> log, Func<CancellationToken, Task>? restartPostgres = null,
    Dictionary<string, string>? kafkaClient = null) : IAsyncDisposable
{
    private const int Partitions = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Lazy<EmbeddedKafkaBroker> broker = new(() => EmbeddedKafkaBroker.Start());
    private readonly Random random = new();

    public async Task<ChaosOutcome> RunAsync(string scenario, CancellationToken ct)
    {
        log($"chaos {scenario}: {records:N0} records");
        try
        {
            return await RunScenarioAsync(scenario, ct);
        }
        finally
        {
            // Orleans' ADO.NET storage and membership keep static connection pools per connection string, and each
            // scenario has a database of its own: without this, eight scenarios in one process ran PostgreSQL out of
            // connections (53300 in the seventh).
            NpgsqlConnection.ClearAllPools();
        }
    }

    private async Task<ChaosOutcome> RunScenarioAsync(string scenario, CancellationToken ct)
    {
        return scenario switch
        {
            ChaosScenarios.SiloKill => await SiloKillAsync(ct),
            ChaosScenarios.BrokerDown => await InProcessAsync(scenario, "broker down 3 s, then up", async _ =>
            {
                broker.Value.SetBrokerDown(1);
                await Task.Delay(3000, ct);
                broker.Value.SetBrokerUp(1);
                return 0;
            }, ct),
            ChaosScenarios.RequestErrors => await InProcessAsync(scenario, "errors on 5 produce, 5 fetch, 5 offset-commit requests", _ =>
            {
                broker.Value.PushRequestErrors(0, 7, 6, 7, 6, 7);   // Produce: REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER
                broker.Value.PushRequestErrors(1, 6, 6, 7, 6, 6);   // Fetch
                broker.Value.PushRequestErrors(8, 15, 16, 15, 16, 15); // OffsetCommit: COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR
                return Task.FromResult(0L);
            }, ct),
            ChaosScenarios.PostgresRestart => restartPostgres is null
                ? throw new InvalidOperationException("postgres-restart needs the project-local PostgreSQL (run without --postgres)")
                : await InProcessAsync(scenario, "PostgreSQL stopped and started", async _ =>
                {
                    await restartPostgres(ct);
                    return 0;
                }, ct),
            // Every 100 ms for 2 s: delivery is fast enough that two kills a second apart can both land between batches,
            // and a kill that interrupts no write proves nothing about the writer's retries.
            ChaosScenarios.PostgresTerminate => await InProcessAsync(scenario, "all connections killed every 100 ms for 2 s (pg_terminate_backend)", async db =>
            {
                long terminated = 0;
                for (var round = 0; round < 20; round++)
                {
                    terminated += await TerminateConnectionsAsync(db, ct);
                    await Task.Delay(100, ct);
                }
                return terminated;
            }, ct),
            ChaosScenarios.Poison => await InProcessAsync(scenario, "1% undecodable messages, 1% rows PostgreSQL refuses", null, ct, poison: true),
            ChaosScenarios.Duplicates => await InProcessAsync(scenario, "every record produced twice", null, ct, duplicates: true),
            ChaosScenarios.Replay => await InProcessAsync(scenario, "full replay by a new group; replay into a new topic", null, ct, replay: true),
            ChaosScenarios.Lake => await LakeChaos.RunAsync(postgres, records, broker.Value, log, ct),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'; known: {string.Join(", ", ChaosScenarios.All)}", nameof(scenario)),
        };
    }

    /// <summary>One silo in this process; <c>fault</c> gets the scenario's database and returns the connections it terminated.</summary>
    private async Task<ChaosOutcome> InProcessAsync(
        string scenario, string faults, Func<string, Task<long>>? fault, CancellationToken ct,
        bool poison = false, bool duplicates = false, bool replay = false)
    {
        var db = await CreateDatabaseAsync(scenario, ct);
        var options = Options(db, broker.Value.BootstrapServers, "c" + Guid.NewGuid().ToString("N")[..8] + ".");
        foreach (var t in options.TopicsByNamespace().Values)
        {
            broker.Value.CreateTopic(t, Partitions);
        }
        var input = ChaosInput.Create(records, fault is null ? [] : [0.4], poison);
        var messages = input.Messages;
        long lagAtFault = -1, terminated = 0;
        var faultEnded = Stopwatch.StartNew();
        using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, [options.ProductsTopic]);
        using (var host = SiloHostFactory.BuildLocal(options))
        {
            // The writer counts its own retries; the fault checks read them from it.
            var writer = host.Services.GetRequiredService<PostgresProjectionWriter>();
            await host.StartAsync(ct);
            using var producer = Producer(options.Kafka);
            if (fault is not null)
            {
                // Everything before the band is committed first, so what is in flight at the fault is band records only:
                // entities with no later version, whose loss the tables show.
                Produce(producer, options.ProductsTopic, messages, 0, input.BandStarts[0], ct);
                await WaitAsync(progress, scenario, ct);
                Produce(producer, options.ProductsTopic, messages, input.BandStarts[0], input.FaultsAt[0], ct);
                lagAtFault = progress.Read(TimeSpan.FromSeconds(10)).Sum(l => l.Lag);
                log($"  {scenario}: injecting fault after {input.FaultsAt[0]:N0} messages, {lagAtFault:N0} uncommitted: {faults}");
                terminated = await fault(db);
                faultEnded.Restart();
                Produce(producer, options.ProductsTopic, messages, input.FaultsAt[0], messages.Count, ct);
            }
            else
            {
                for (var pass = 0; pass < (duplicates ? 2 : 1); pass++)
                {
                    Produce(producer, options.ProductsTopic, messages, 0, messages.Count, ct);
                }
            }
            await WaitAsync(progress, scenario, ct);
            var recovery = faultEnded.Elapsed.TotalSeconds;
            await host.StopAsync(ct);
            if (replay)
            {
                log($"  {scenario}: full replay from the earliest offset under a new consumer group");
                var again = Derive(options, options.ConsumerGroup + "-replay", options.ProductsTopic);
                await RunHostUntilCaughtUpAsync(again, scenario, ct);
                log($"  {scenario}: the same records into a re-created topic whose offsets start over");
                var recreated = Derive(options, options.ConsumerGroup + "-recreated", options.ProductsTopic + ".recreated");
                broker.Value.CreateTopic(recreated.ProductsTopic, Partitions);
                Produce(producer, recreated.ProductsTopic, messages, 0, messages.Count, ct);
                await RunHostUntilCaughtUpAsync(recreated, scenario, ct);
                recovery = faultEnded.Elapsed.TotalSeconds;
            }
            var produced = messages.Count * (duplicates ? 2 : 1) * (replay ? 2 : 1);
            var counts = await ChaosVerifier.VerifyAsync(db, input.Expected, input.ExpectedRejections, ct);
            return Report(new ChaosOutcome(scenario, produced, faults, counts.Lost, counts.AppliedTwice, counts.Mismatched, counts.Rejected,
                Math.Round(fault is null ? 0 : recovery, 1), counts.Audited, input.Entities, input.BandEntities, lagAtFault, terminated, writer.Retries));
        }
    }

    private static void Produce(IProducer<byte[], byte[]> producer, string topic, IReadOnlyList<Message<byte[], byte[]>> messages, int from, int to, CancellationToken ct)
    {
        for (var i = from; i < to; i++)
        {
            producer.Produce(topic, messages[i]);
        }
        producer.Flush(ct);
    }

    private async Task RunHostUntilCaughtUpAsync(ShopstreamOptions options, string scenario, CancellationToken ct)
    {
        using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, [options.ProductsTopic]);
        using var host = SiloHostFactory.BuildLocal(options);
        await host.StartAsync(ct);
        await WaitAsync(progress, scenario, ct);
        await host.StopAsync(ct);
    }

    /// <summary>
    /// Silo processes killed with SIGKILL at three random moments, each restarted; the broker runs in its own process.
    /// Before each kill everything so far is committed, then a band of single-version records is produced, and the
    /// victim is killed as soon as its <c>/api/stats</c> show it read some of them.
    /// </summary>
    private async Task<ChaosOutcome> SiloKillAsync(CancellationToken ct)
    {
        const string scenario = ChaosScenarios.SiloKill;
        var db = await CreateDatabaseAsync(scenario, ct);
        using var childBroker = await ChildBroker.StartAsync(typeof(ChaosRunner).Assembly.Location, Partitions, [], ct);
        var options = Options(db, childBroker.BootstrapServers, "");
        var ports = Enumerable.Range(0, 2).Select(_ => (Silo: SiloHostFactory.FreePort(), Gateway: SiloHostFactory.FreePort(), Http: SiloHostFactory.FreePort())).ToArray();
        var silos = ports.Select(p => StartSiloProcess(options, p)).ToArray();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            foreach (var p in ports)
            {
                await SiloStats.WaitReadyAsync(http, p.Http, TimeSpan.FromSeconds(120), ct);
            }
            var fractions = new SortedSet<double>();
            while (fractions.Count < 3)
            {
                fractions.Add(Math.Round(0.1 + (random.NextDouble() * 0.8), 2));
            }
            var input = ChaosInput.Create(records, [.. fractions], poison: false);
            var messages = input.Messages;
            using var progress = new DeliveryProgress(options.Kafka, options.ConsumerGroup, options.KafkaClient, [options.ProductsTopic]);
            using var producer = Producer(options.Kafka);
            var lagAtFault = long.MaxValue;
            var faultEnded = Stopwatch.StartNew();
            var next = 0;
            for (var k = 0; k < input.FaultsAt.Count; k++)
            {
                Produce(producer, options.ProductsTopic, messages, next, input.BandStarts[k], ct);
                await WaitAsync(progress, scenario, ct);
                var (victim, before) = await SiloStats.AnyReadingPartitionsAsync(http, [.. ports.Select(p => p.Http)], options.ProductsTopic, random, TimeSpan.FromSeconds(120), ct);
                Produce(producer, options.ProductsTopic, messages, input.BandStarts[k], input.FaultsAt[k], ct);
                var hit = await SiloStats.WaitUntilReadAsync(http, ports[victim].Http, options.ProductsTopic, before.Consumed, TimeSpan.FromSeconds(60), ct);
                silos[victim].Kill(entireProcessTree: true);
                lagAtFault = Math.Min(lagAtFault, hit.Lag);
                log($"  {scenario}: SIGKILL silo process {silos[victim].Id} after {input.FaultsAt[k]:N0} messages, " +
                    $"having read {hit.Consumed - before.Consumed:N0} of the band with {hit.Lag:N0} uncommitted; restarting it");
                await silos[victim].WaitForExitAsync(ct);
                silos[victim].Dispose();
                silos[victim] = StartSiloProcess(options, ports[victim]);
                faultEnded.Restart();
                next = input.FaultsAt[k];
            }
            Produce(producer, options.ProductsTopic, messages, next, messages.Count, ct);
            await WaitAsync(progress, scenario, ct);
            var counts = await ChaosVerifier.VerifyAsync(db, input.Expected, 0, ct);
            return Report(new ChaosOutcome(scenario, messages.Count, "3 silo processes killed (SIGKILL) and restarted", counts.Lost, counts.AppliedTwice,
                counts.Mismatched, counts.Rejected, Math.Round(faultEnded.Elapsed.TotalSeconds, 1), counts.Audited, input.Entities, input.BandEntities, lagAtFault));
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
        // Each silo's output is kept (.run/chaos/silo-<pid>.log): a scenario that fails is read from these.
        var logDirectory = Directory.CreateDirectory(Path.Combine(RepoPaths.Root(), ".run", "chaos"));
        var siloLog = TextWriter.Synchronized(new StreamWriter(Path.Combine(logDirectory.FullName, $"silo-{p.Id}.log")) { AutoFlush = true });
        // Not disposed: output may still arrive after the exit; the file is closed with this process (a few per run).
        p.OutputDataReceived += (_, e) => siloLog.WriteLine(e.Data);
        p.ErrorDataReceived += (_, e) => siloLog.WriteLine(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private ShopstreamOptions Options(string db, string kafka, string prefix) => new()
    {
        Postgres = db,
        Kafka = kafka,
        KafkaClient = kafkaClient ?? [],
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
        KafkaClient = o.KafkaClient,
        ConsumerGroup = group,
        ClusterId = o.ClusterId,
        ProductsTopic = productsTopic,
        CartsTopic = o.CartsTopic,
        UsersTopic = o.UsersTopic,
        RejectedTopic = o.RejectedTopic,
    };

    private static IProducer<byte[], byte[]> Producer(string kafka) =>
        new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = kafka, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 }).Build();

    private async Task WaitAsync(DeliveryProgress progress, string scenario, CancellationToken ct)
    {
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

    private ChaosOutcome Report(ChaosOutcome o)
    {
        log($"chaos {o.Scenario}: lost {o.Lost}, applied twice {o.AppliedTwice}, mismatched {o.Mismatched}, rejected {o.Rejected}, " +
            $"{o.AuditedWrites:N0} row writes audited, {o.BandEntities:N0} single-version entities around the faults" +
            (o.LagAtFault >= 0 ? $", {o.LagAtFault:N0} uncommitted at the fault" : "") +
            (o.TerminatedConnections > 0 ? $", {o.TerminatedConnections} connections terminated" : "") +
            (o.WriterRetries > 0 ? $", {o.WriterRetries} projection retries" : "") +
            (o.FaultHit ? "" : "; the fault did not hit work in flight"));
        return o;
    }

    private async Task<string> CreateDatabaseAsync(string scenario, CancellationToken ct)
    {
        var cs = await ScratchDatabase.RecreateAsync(postgres, "chaos_" + scenario.Replace('-', '_'), ct);
        await ChaosAudit.InstallAsync(cs, ct);
        return cs;
    }

    /// <summary>Terminates every backend of the scenario's database; returns how many there were.</summary>
    private static async Task<long> TerminateConnectionsAsync(string db, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(db) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync(ct);
        await using var q = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", c);
        q.Parameters.Add(new NpgsqlParameter<string> { TypedValue = new NpgsqlConnectionStringBuilder(db).Database! });
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

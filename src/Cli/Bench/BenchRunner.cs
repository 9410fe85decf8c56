using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;
using Shopstream.Grains.Interfaces;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Kafka;
using Shopstream.Projection.Storage;
using Shopstream.Kafka.Embedded;

namespace Shopstream.Cli.Bench;

/// <summary>
/// Measures, in one run on one machine: Shopstream end to end, a plain Kafka consumer (floor-consume),
/// binary COPY plus one upsert (floor-db), and a consumer doing one upsert round trip per record (baseline).
/// </summary>
public sealed class BenchRunner(BenchSettings settings, Action<string> log)
{
    private const string FloorTopic = "bench.floor";
    private const string Group = "bench";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<BenchResult> RunAsync(CancellationToken ct)
    {
        log($"starting the embedded broker in a child process ({settings.Partitions} partitions per topic)");
        using var broker = await ChildBroker.StartAsync(typeof(BenchRunner).Assembly.Location, settings.Partitions, [FloorTopic, EventsEndToEndBench.Topic], ct);
        var db = await ScratchDatabase.RecreateAsync(settings.Postgres, "shopstream_bench", ct);
        log($"broker {broker.BootstrapServers} (pid {broker.ProcessId}); database {new NpgsqlConnectionStringBuilder(db).Database}");

        // The end-to-end and latency runs measure throughput on a silo without a memory budget: the 100,000 busy
        // entities are its working set. The memory phase then runs on a fresh silo with the budget.
        var options = new ShopstreamOptions { Postgres = db, Kafka = broker.BootstrapServers, ConsumerGroup = Group, KafkaClient = settings.KafkaClient, RawZone = settings.RawZone };
        double p50, p99, offered, achieved, p50New, p99New;
        Phase e2e, distinct = default;
        using (var host = SiloHostFactory.BuildLocal(options))
        {
            await host.StartAsync(ct);
            e2e = await EndToEndAsync(host, options, "e2e", "bench", settings.Records, settings.Entities, settings.Keys, ct);
            // Updates to the entities the e2e phase left active, then updates that each name a new entity.
            (p50, p99, offered, achieved) = await LatencyAsync(options, "latency", "bench", n => (n % settings.Entities) + 1, ct);
            (p50New, p99New, _, _) = await LatencyAsync(options, "latency-new", "latency", n => n + 1, ct);
            await host.StopAsync(ct);
        }
        if (settings.Distinct > 0)
        {
            // Memory: every record names a new entity, so live grains pile up unless idle ones go.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var budgeted = new ShopstreamOptions { Postgres = db, Kafka = broker.BootstrapServers, ConsumerGroup = Group, MemoryLimitMb = settings.MemoryLimitMb, RawZone = settings.RawZone, KafkaClient = settings.KafkaClient };
            log($"memory: a fresh silo with a budget of {settings.MemoryLimitMb:N0} MB (RSS now {ProcessMemory.RssMb():N0} MB)");
            using var host = SiloHostFactory.BuildLocal(budgeted);
            await host.StartAsync(ct);
            distinct = await EndToEndAsync(host, budgeted, "distinct", "distinct", settings.Distinct, settings.Distinct, BenchKeyDistribution.RoundRobin, ct);
            await host.StopAsync(ct);
        }
        EventsEndToEndResult? events = null;
        if (settings.Events > 0)
        {
            var eventsOptions = new ShopstreamOptions { Postgres = db, Kafka = broker.BootstrapServers, ConsumerGroup = Group, RawZone = settings.RawZone, KafkaClient = settings.KafkaClient, EventsTopic = EventsEndToEndBench.Topic };
            events = await new EventsEndToEndBench(settings.Events, settings.Partitions, log).RunAsync(eventsOptions, ct);
        }
        HttpIngestResult? http = null;
        if (settings.HttpSeconds > 0)
        {
            // After the silo stopped: this measures the ingest API and the produce path, not the grains.
            http = await new HttpIngestBench(settings.HttpRate, settings.HttpSeconds, log)
                .RunAsync(broker.BootstrapServers, Path.Combine(Cli.RepoPaths.Root(), "samples", "clickstream", "events"), ct);
        }
        var lake = http is not null ? await LakeAsync(broker.BootstrapServers, db, ct) : 0;
        log("recalls: 10,000 RappelConso notices from a local fixture API through a source run to rows (own broker and silo)");
        var recalls = await Sources.RecallsThroughput.MeasureAsync(settings.Postgres, 10_000, ct);
        log($"recalls: {recalls.RecordsPerSecond:N0} records/s; a second run with nothing new took {recalls.SecondRunSeconds:0.00} s, {recalls.SecondRunPages} page(s)");
        log($"feed: 100,000 generic events bridged from a foreign embedded broker to ours ({settings.Partitions} partitions)");
        var feed = await FeedBridgeBench.RunAsync(100_000, settings.Partitions, ct);
        log($"feed: {feed.EventsPerSecond:N0} events/s after the group join ({feed.JoinSeconds:0.0} s)");
        var floorConsume = await FloorConsumeAsync(broker.BootstrapServers, ct);
        var floorDb = await FloorDbAsync(db, ct);
        var baseline = await BaselineAsync(broker.BootstrapServers, db, connectionPerRecord: true, ct);
        var baselinePooled = await BaselineAsync(broker.BootstrapServers, db, connectionPerRecord: false, ct);
        return new BenchResult(e2e.Rate, floorConsume, floorDb, baseline, baselinePooled, p50, p99, e2e.PeakRssMb, settings.Records, settings.Entities, e2e.Rows, offered, achieved)
        {
            ExpectedRows = e2e.ExpectedRows,
            Keys = settings.Keys,
            Activation = e2e.Activation,
            GcShare = e2e.GcShare,
            Distinct = settings.Distinct,
            DistinctRate = distinct.Rate,
            DistinctPeakRssMb = distinct.PeakRssMb,
            DistinctRows = distinct.Rows,
            Http = http,
            Lake = lake,
            Recalls = recalls.RecordsPerSecond,
            Feed = feed.EventsPerSecond,
            P50NewMs = p50New,
            P99NewMs = p99New,
            Events = events,
        };
    }

    /// <summary>Update number <paramref name="sequence"/>, to entity <paramref name="id"/>; its title is the produce time (for latency).</summary>
    private static ProductRecord Update(int id, string source, int sequence) => new()
    {
        Source = source,
        Id = id,
        Title = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(Inv),
        Price = sequence % 1000,
        Category = "bench",
        Description = "bench record " + sequence.ToString(Inv),
    };

    /// <summary>What one end-to-end phase measured.</summary>
    /// <param name="Rate">Updates/s from the first produce to the last offset committed.</param>
    /// <param name="PeakRssMb">Peak resident set of this process (producer and silo).</param>
    /// <param name="Rows">Product rows of the phase's source afterwards.</param>
    /// <param name="ExpectedRows">Distinct entities the phase updated.</param>
    /// <param name="Activation">With round-robin keys: new entities/s over the first pass, where every update names an entity not seen before.</param>
    /// <param name="GcShare">Share of the phase the GC had the process paused.</param>
    private readonly record struct Phase(double Rate, double PeakRssMb, long Rows, long ExpectedRows, double Activation, double GcShare);

    private async Task<Phase> EndToEndAsync(
        IHost host, ShopstreamOptions options, string phase, string source, int records, int entities, BenchKeyDistribution distribution, CancellationToken ct)
    {
        var keys = new BenchKeys(distribution, entities);
        var firstPass = distribution == BenchKeyDistribution.RoundRobin ? Math.Min(records, entities) : 0;
        var firstPassSeconds = 0.0;
        var writer = host.Services.GetRequiredService<Projection.PostgresProjectionWriter>();
        log($"{phase}: {records:N0} updates to {entities:N0} entities ({keys} keys) through ingest -> Kafka -> grains -> PostgreSQL");
        await using var producer = new KafkaRecordProducer(new KafkaProducerOptions { BootstrapServers = options.Kafka });
        using var progress = new DeliveryProgress(options.Kafka, Group, options.KafkaClient, [options.ProductsTopic]);
        // Offsets are cumulative over the phases; this phase counts from where the last one left the topic.
        var start = progress.Read(TimeSpan.FromSeconds(5)).Sum(l => l.CommittedOffset);
        long committed = 0;
        long worstPartitionLag = 0;
        var peak = 0.0;
        ProcessMemory.ResetPeak();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var gcAtStart = GC.GetTotalPauseDuration();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watch = Stopwatch.StartNew();
        var monitor = Task.Run(async () =>
        {
            var lastLog = 0L;
            var lastPause = GC.GetTotalPauseDuration();
            while (!stop.IsCancellationRequested)
            {
                var lags = progress.Read(TimeSpan.FromSeconds(5));
                Interlocked.Exchange(ref committed, lags.Sum(l => l.CommittedOffset) - start);
                Interlocked.Exchange(ref worstPartitionLag, lags.Count == 0 ? 0 : lags.Max(l => l.Lag));
                if (firstPassSeconds == 0 && firstPass > 0 && Interlocked.Read(ref committed) >= firstPass)
                {
                    firstPassSeconds = watch.Elapsed.TotalSeconds;
                }
                peak = Math.Max(peak, ProcessMemory.RssMb());
                if (watch.ElapsedMilliseconds - lastLog >= 2000)
                {
                    var pause = GC.GetTotalPauseDuration();
                    var gcShare = (pause - lastPause).TotalMilliseconds / Math.Max(1, watch.ElapsedMilliseconds - lastLog);
                    (lastLog, lastPause) = (watch.ElapsedMilliseconds, pause);
                    var c = Interlocked.Read(ref committed);
                    log($"  {phase} {c,10:N0} / {records:N0} applied  {c / watch.Elapsed.TotalSeconds,9:N0} rec/s  lag {lags.Sum(l => l.Lag),8:N0}  rss {ProcessMemory.RssMb(),6:N0} MB (managed heap {GC.GetTotalMemory(false) / 1048576.0,5:N0} MB, committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0,5:N0} MB)  batches {writer.BatchesWritten:N0} avg {writer.RowsWritten / Math.Max(1.0, writer.BatchesWritten):N0} rows {writer.BatchTime.TotalMilliseconds / Math.Max(1.0, writer.BatchesWritten):N0} ms  gc paused {gcShare,4:P0}");
                }
                await Task.Delay(250, CancellationToken.None);
            }
        }, CancellationToken.None);

        // The embedded broker keeps ~5 MB per partition, read or not: never run further ahead of the silo than that allows,
        // in all and on any one partition (a partition whose commit waits for one slow entity falls behind the others;
        // once the broker has dropped what it did not read, the consumer can only skip ahead).
        var maxAhead = Math.Max(20_000, settings.Partitions * 8_000);
        const long MaxPartitionLag = 8_000;
        for (var i = 0; i < records; i++)
        {
            while (i - Interlocked.Read(ref committed) > maxAhead || Interlocked.Read(ref worstPartitionLag) > MaxPartitionLag)
            {
                await Task.Delay(2, ct);
            }
            var id = keys.Next(i);
            await producer.ProduceAsync(StreamNamespaces.Products, new EntityKey(source, id).ToString(), Update(id, source, i), ct);
        }
        await producer.FlushAsync(ct);
        while (Interlocked.Read(ref committed) < records)
        {
            await Task.Delay(20, ct);
        }
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        var phaseGcShare = (GC.GetTotalPauseDuration() - gcAtStart).TotalSeconds / elapsed;
        log($"{phase}: CPU {cpu.TotalMicroseconds / records:N1} us per record (this process: producer and silo), GC paused {phaseGcShare:P0} of the phase");
        await stop.CancelAsync();
        await monitor;
        peak = Math.Max(peak, ProcessMemory.PeakRssMb());

        await using var db = NpgsqlDataSource.Create(options.Postgres);
        await using var count = db.CreateCommand("SELECT count(*) FROM products WHERE source = $1");
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        var rows = (long)(await count.ExecuteScalarAsync(ct))!;
        var activation = firstPassSeconds > 0 ? firstPass / firstPassSeconds : 0;
        log($"{phase}: {records:N0} records in {elapsed:0.0} s = {records / elapsed:N0} rec/s; {rows:N0} product rows of {keys.Touched:N0} entities; peak RSS {peak:N0} MB" +
            (activation > 0 ? $"; first pass over {firstPass:N0} new entities at {activation:N0}/s" : ""));
        return new Phase(records / elapsed, peak, rows, keys.Touched, activation, phaseGcShare);
    }

    /// <summary>
    /// Produce-to-visible latency at the offered rate: each update's title is its produce time, compared with its row's
    /// <c>updated_at</c>. <paramref name="idOf"/> picks the entity of update number n: the entities of <paramref name="source"/>
    /// the end-to-end phase left active (updates, the usual case), or entities never seen (each update an activation).
    /// </summary>
    private async Task<(double P50, double P99, double Offered, double Achieved)> LatencyAsync(
        ShopstreamOptions options, string label, string source, Func<int, int> idOf, CancellationToken ct)
    {
        var total = settings.LatencyRate * settings.LatencySeconds;
        log($"{label}: {settings.LatencyRate:N0} records/s offered for {settings.LatencySeconds} s ({total:N0} records)");
        await using var producer = new KafkaRecordProducer(options.ProducerOptions("shopstream-bench-latency"));
        var perTick = Math.Max(1, settings.LatencyRate / 100);
        var watch = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            var due = (int)Math.Min(total, watch.Elapsed.TotalSeconds * settings.LatencyRate);
            for (; sent < due; sent++)
            {
                var id = idOf(sent);
                await producer.ProduceAsync(StreamNamespaces.Products, $"{source}:{id}", Update(id, source, sent) with { Category = label }, ct);
            }
            await Task.Delay(TimeSpan.FromSeconds(1.0 * perTick / settings.LatencyRate), ct);
        }
        var achieved = total / watch.Elapsed.TotalSeconds;
        await producer.FlushAsync(ct);
        using var progress = new DeliveryProgress(options.Kafka, Group, options.KafkaClient, [options.ProductsTopic]);
        await progress.WaitUntilCaughtUpAsync(TimeSpan.FromMinutes(5), null, ct);
        await using var db = NpgsqlDataSource.Create(options.Postgres);
        await using var q = db.CreateCommand("""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
            FROM (SELECT extract(epoch FROM updated_at) * 1000 - title::bigint AS ms FROM products WHERE source = $1 AND category = $2) l
            """);
        q.Parameters.Add(new NpgsqlParameter { Value = source });
        q.Parameters.Add(new NpgsqlParameter { Value = label });
        await using var r = await q.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (p50, p99) = (r.GetDouble(0), r.GetDouble(1));
        log($"{label}: p50 {p50:0} ms, p99 {p99:0} ms (produce to row visible) at {achieved:N0} records/s");
        return (p50, p99, settings.LatencyRate, achieved);
    }

    /// <summary>
    /// The lake writer over the events the http phase left in the events topic: events/s from its partitions' assignment
    /// to the last commit, into a fresh directory.
    /// </summary>
    private async Task<double> LakeAsync(string kafka, string db, CancellationToken ct)
    {
        const string Topic = "events";
        long events;
        using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka, GroupId = "bench-lake-count" }).Build())
        {
            events = Enumerable.Range(0, settings.Partitions)
                .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)).High.Value);
        }
        var directory = Directory.CreateTempSubdirectory("shopstream-bench-lake");
        try
        {
            log($"lake: a lake writer over the {events:N0} events of the http phase, Parquet into {directory.FullName}");
            var rate = await Lake.Writing.LakeThroughput.MeasureAsync(kafka, Topic, db, directory.FullName, (int)events, TimeSpan.FromMinutes(5), ct);
            log($"lake: {rate:N0} events/s");
            return rate;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private byte[] Payload(int i) =>
        WireFormat.Serialize(StreamNamespaces.Products, Update((i % settings.Entities) + 1, "bench", i), i + 1, DateTimeOffset.UtcNow);

    private async Task<double> FloorConsumeAsync(string kafka, CancellationToken ct)
    {
        var chunk = Math.Max(10_000, settings.Partitions * 12_000);
        log($"floor-consume: a plain Confluent.Kafka consumer, {settings.Records:N0} records in chunks of {chunk:N0}");
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = kafka, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5 }).Build();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka,
            GroupId = "bench-floor",
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        }).Build();
        var partitions = Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartition(FloorTopic, p)).ToList();
        var consumeSeconds = 0.0;
        for (var start = 0; start < settings.Records; start += chunk)
        {
            var count = Math.Min(chunk, settings.Records - start);
            var from = partitions.Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High)).ToList();
            for (var i = start; i < start + count; i++)
            {
                producer.Produce(FloorTopic, new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes($"bench:{(i % settings.Entities) + 1}"), Value = Payload(i) });
            }
            producer.Flush(ct);
            consumer.Assign(from);
            var watch = Stopwatch.StartNew();
            var read = 0;
            while (read < count)
            {
                var m = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("floor consumer got nothing for 10 s");
                read++;
            }
            consumeSeconds += watch.Elapsed.TotalSeconds;
            consumer.Unassign();
        }
        var rate = settings.Records / consumeSeconds;
        log($"floor-consume: {rate:N0} records/s");
        return rate;
    }

    private async Task<double> FloorDbAsync(string db, CancellationToken ct)
    {
        log($"floor-db: {settings.Records:N0} rows by binary COPY into a staging table plus one upsert");
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        await ScratchDatabase.ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS bench_floor (LIKE products INCLUDING ALL); TRUNCATE bench_floor;", ct);
        var watch = Stopwatch.StartNew();
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ScratchDatabase.ExecuteAsync(connection, "CREATE TEMP TABLE staging (source text, id bigint, title text, description text, category text, price numeric, version bigint, content_hash text) ON COMMIT DROP", ct);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY staging FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < settings.Records; i++)
            {
                var r = Update((i % settings.Entities) + 1, "bench", i);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(r.Source, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Id, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(r.Title!, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Description!, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Category!, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(r.Price!.Value, NpgsqlDbType.Numeric, ct);
                await copy.WriteAsync((long)i + 1, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(i.ToString(Inv), NpgsqlDbType.Text, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await ScratchDatabase.ExecuteAsync(connection, """
            INSERT INTO bench_floor AS t (source, id, title, description, category, price, version, content_hash, updated_at)
            SELECT DISTINCT ON (source, id) source, id, title, description, category, price, version, content_hash, now()
            FROM staging ORDER BY source, id, version DESC
            ON CONFLICT (source, id) DO UPDATE SET title = excluded.title, description = excluded.description,
                category = excluded.category, price = excluded.price, version = excluded.version,
                content_hash = excluded.content_hash, updated_at = excluded.updated_at
            WHERE t.version < excluded.version
            """, ct);
        await tx.CommitAsync(ct);
        var rate = settings.Records / watch.Elapsed.TotalSeconds;
        log($"floor-db: {rate:N0} rows/s");
        return rate;
    }

    /// <summary>
    /// A consumer doing one <c>INSERT ... ON CONFLICT</c> round trip per record. With
    /// <paramref name="connectionPerRecord"/> it opens a new, unpooled connection for each record and sends the statement
    /// unprepared, as the reference system's consumer does; without, it keeps one connection and a prepared statement,
    /// the best a per-record design can do.
    /// </summary>
    private async Task<double> BaselineAsync(string kafka, string db, bool connectionPerRecord, CancellationToken ct)
    {
        var n = Math.Min(connectionPerRecord ? settings.ReferenceRecords : settings.BaselineRecords, settings.Records);
        var name = connectionPerRecord ? "baseline" : "baseline-pooled";
        var how = connectionPerRecord ? "a new connection and one INSERT ... ON CONFLICT per record (the reference's way)" : "one INSERT ... ON CONFLICT round trip per record on one open connection";
        log($"{name}: a consumer doing {how}, {n:N0} records");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka,
            GroupId = "bench-" + name,
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        }).Build();
        var partitions = Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartition(FloorTopic, p)).ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).Low)));
        var table = "bench_" + name.Replace('-', '_');
        await using (var setup = new NpgsqlConnection(db))
        {
            await setup.OpenAsync(ct);
            await ScratchDatabase.ExecuteAsync(setup, $"CREATE TABLE IF NOT EXISTS {table} (LIKE products INCLUDING ALL); TRUNCATE {table};", ct);
        }
        var sql = $"""
            INSERT INTO {table} AS t (source, id, title, description, category, price, version, content_hash, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
            ON CONFLICT (source, id) DO UPDATE SET title = excluded.title, description = excluded.description,
                category = excluded.category, price = excluded.price, version = excluded.version,
                content_hash = excluded.content_hash, updated_at = excluded.updated_at
            WHERE t.version < excluded.version
            """;
        var perRecord = new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString;
        // Pooled: one open connection and a prepared statement for the whole run (disposing null does nothing).
        await using var shared = connectionPerRecord ? null : new NpgsqlConnection(db);
        await using var prepared = shared is null ? null : Upsert(sql, shared);
        if (shared is not null)
        {
            await shared.OpenAsync(ct);
            await prepared!.PrepareAsync(ct);
        }
        var watch = Stopwatch.StartNew();
        var lastLog = 0L;
        for (var done = 0; done < n;)
        {
            var m = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{name} consumer got nothing for 10 s");
            if (WireFormat.TryDecode(StreamNamespaces.Products, m.Message.Value, out _) is not EntityMessage<ProductRecord> e)
            {
                continue;
            }
            if (prepared is not null)
            {
                Bind(prepared, e);
                await prepared.ExecuteNonQueryAsync(ct);
            }
            else
            {
                await using var connection = new NpgsqlConnection(perRecord);
                await connection.OpenAsync(ct);
                await using var command = Upsert(sql, connection);
                Bind(command, e);
                await command.ExecuteNonQueryAsync(ct);
            }
            done++;
            if (watch.ElapsedMilliseconds - lastLog >= 2000)
            {
                lastLog = watch.ElapsedMilliseconds;
                log($"  {name} {done,8:N0} / {n:N0}  {done / watch.Elapsed.TotalSeconds,7:N0} rec/s");
            }
        }
        var rate = n / watch.Elapsed.TotalSeconds;
        log($"{name}: {rate:N0} records/s");
        return rate;
    }

    private static NpgsqlCommand Upsert(string sql, NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var type in (NpgsqlDbType[])[NpgsqlDbType.Text, NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Numeric, NpgsqlDbType.Bigint, NpgsqlDbType.Text])
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
        }
        return command;
    }

    private static void Bind(NpgsqlCommand command, EntityMessage<ProductRecord> e)
    {
        var r = e.Record;
        var p = command.Parameters;
        p[0].Value = r.Source;
        p[1].Value = r.Id;
        p[2].Value = (object?)r.Title ?? DBNull.Value;
        p[3].Value = (object?)r.Description ?? DBNull.Value;
        p[4].Value = (object?)r.Category ?? DBNull.Value;
        p[5].Value = (object?)r.Price ?? DBNull.Value;
        p[6].Value = e.Version;
        p[7].Value = e.Version.ToString(Inv);
    }
}

using System.CommandLine;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Shopstream.Lake;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Reading;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Tables;
using Shopstream.Lake.Writing;
using Shopstream.Silo.CommandLine;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream lake files|query|compact</c>: the lake's snapshots, SQL over them with DuckDB, and compaction. The
/// lake is <c>--path</c>, else <c>Shopstream__Lake__Path</c> or <c>Shopstream__Lake__S3__*</c> from the environment,
/// else <c>.lake</c>; the manifest is in <c>--postgres</c> (or <c>SHOPSTREAM_POSTGRES</c>).
/// </summary>
internal static class LakeCommand
{
    /// <summary>Where <c>demo</c> writes its lake, relative to the working directory.</summary>
    public const string DemoPath = ".lake";

    /// <summary>What <c>demo</c> prints over its lake: events per type per day.</summary>
    public const string DemoQuery = "SELECT event_date, event_type, count(*) AS events, count(DISTINCT session_key) AS sessions FROM events GROUP BY ALL ORDER BY ALL";

    private static readonly string[] FileColumns = ["path", "rows", "bytes", "min event time", "max event time", "offsets"];

    public static Command Create()
    {
        var postgres = CommonOptions.Postgres(required: false);
        var path = new Option<string?>("--path") { Description = "The lake's directory (default: Shopstream__Lake__Path, the S3 settings, or .lake)" };
        var asOf = new Option<string?>("--as-of") { Description = "A snapshot id or a time (ISO 8601, UTC unless an offset is given); default: the current snapshot" };
        asOf.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !LakeSnapshotRef.TryParse(text, out _, out _, out var error))
            {
                r.AddError(error!);
            }
        });
        var table = new Option<string?>("--table") { Description = $"The table: {EventsTable.Name}, {string.Join(", ", HistoryTable.Names)}" };
        table.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } t && t != EventsTable.Name && !HistoryTable.Names.Contains(t))
            {
                r.AddError($"--table must be {EventsTable.Name} or one of {string.Join(", ", HistoryTable.Names)} (was '{t}')");
            }
        });

        var files = new Command("files", "List the files a reader sees at a snapshot (of every table unless --table)") { postgres, path, asOf, table };
        files.SetAction((r, ct) => WithLakeAsync(r.GetValue(postgres), r.GetValue(path), async (store, manifest, _) =>
        {
            var snapshot = await LakeSnapshotRef.ResolveAsync(manifest, r.GetValue(asOf), ct);
            var live = await manifest.LiveFilesAsync(snapshot, r.GetValue(table), ct);
            var t = new Table { Title = new TableTitle($"snapshot {snapshot} of {Markup.Escape(store.Location)}"), Border = TableBorder.Rounded };
            t.AddColumns(FileColumns);
            foreach (var f in live)
            {
                t.AddRow(Markup.Escape(f.Path), f.Rows.ToString(CultureInfo.InvariantCulture), f.Bytes.ToString(CultureInfo.InvariantCulture),
                    Time(f.MinEventTime), Time(f.MaxEventTime), f.Range is { } g ? Markup.Escape($"{g.Topic}[{g.Partition}] {g.First}-{g.Last}") : "compacted");
            }
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"lake files: snapshot={snapshot} files={live.Count} rows={live.Sum(f => f.Rows)}");
            return 0;
        }));

        var sql = new Argument<string>("SQL") { Description = "DuckDB SQL over the views of the lake's tables (events)" };
        var query = new Command("query", "Run SQL over the lake with DuckDB, reading only the snapshot's files") { sql, postgres, path, asOf };
        query.SetAction((r, ct) => WithLakeAsync(r.GetValue(postgres), r.GetValue(path), async (store, manifest, _) =>
        {
            try
            {
                AnsiConsole.Write(await QueryAsync(store, manifest, r.GetValue(sql)!, r.GetValue(asOf), ct));
                return 0;
            }
            catch (DuckDBException ex)
            {
                // A table with no files at the snapshot has no view (except events, which is always there).
                await Console.Error.WriteLineAsync($"lake query: {ex.Message}");
                return 1;
            }
        }));

        var partition = new Option<string?>("--partition") { Description = "A partition path or its prefix, e.g. event_type=page_view/event_date=2024-05-01 (default: every partition)" };
        var compact = new Command("compact", "Merge each events partition's files into one (a new snapshot); delete files removed longer than the retention ago")
        {
            postgres, path, partition,
        };
        compact.SetAction((r, ct) => WithLakeAsync(r.GetValue(postgres), r.GetValue(path), async (store, manifest, options) =>
        {
            var result = await new LakeCompactor(store, manifest, options, TimeProvider.System).CompactAsync(EventsTable.Name, r.GetValue(partition), ct);
            AnsiConsole.MarkupLine(
                $"lake compact: partitions={result.PartitionsCompacted} files_merged={result.FilesMerged} rows={result.Rows} files_purged={result.FilesPurged} retention={options.Retention}");
            return 0;
        }));

        return new Command("lake", "The lake: Parquet files of every event, committed with their Kafka offsets") { files, query, compact };
    }

    /// <summary>
    /// Runs <paramref name="sql"/> over one view per table (<c>events</c>, <c>products_history</c>, ...) of the
    /// snapshot's files; S3 files are read from a local copy.
    /// </summary>
    public static async Task<Table> QueryAsync(ILakeStore store, LakeManifest manifest, string sql, string? asOf, CancellationToken ct)
    {
        var snapshot = await LakeSnapshotRef.ResolveAsync(manifest, asOf, ct);
        var files = await manifest.LiveFilesAsync(snapshot, null, ct);
        var scratch = Directory.CreateTempSubdirectory("shopstream-lake-query-");
        try
        {
            using var duck = new DuckDBConnection("DataSource=:memory:");
            await duck.OpenAsync(ct);
            await ExecuteAsync(duck, "SET TimeZone = 'UTC'", ct);
            var copied = 0;
            foreach (var (table, day) in Views)
            {
                var local = new List<string>();
                foreach (var file in files.Where(f => f.Table == table))
                {
                    local.Add(store is LocalLakeStore directory ? directory.FullPath(file.Path) : await CopyAsync(store, file.Path, scratch, copied++, ct));
                }
                if (local.Count == 0 && table != EventsTable.Name)
                {
                    continue;
                }
                if (local.Count == 0)
                {
                    // An empty events table still has its columns: a file with the schema and no rows.
                    var empty = Path.Combine(scratch.FullName, "empty.parquet");
                    await using (var stream = File.Create(empty))
                    {
                        await EventsTable.WriteAsync([], stream, Parquet.CompressionMethod.Snappy, ct);
                    }
                    local.Add(empty);
                }
                // The partition's day column as the partition spec derives it: the UTC day of a timestamp column.
                var list = string.Join(", ", local.Select(p => "'" + p.Replace("'", "''", StringComparison.Ordinal) + "'"));
                await ExecuteAsync(duck, $"CREATE VIEW {table} AS SELECT *, CAST({day.Source} AS DATE) AS {day.Name} FROM read_parquet([{list}])", ct);
            }
            await using var command = duck.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await ConsoleTables.FromReaderAsync(reader, $"lake query, snapshot {snapshot} ({files.Count} files)");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Each table's view and its day column: (name, the timestamp it is the UTC day of).</summary>
    private static readonly (string Table, (string Name, string Source) Day)[] Views =
    [
        (EventsTable.Name, ("event_date", "occurred_at")),
        .. HistoryTable.Names.Select(t => (t, ("ingest_date", "ingested_at"))),
    ];

    private static async Task ExecuteAsync(DuckDBConnection duck, string sql, CancellationToken ct)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The topics the silo's lake writer reads (events and the entity topics).</summary>
    public static IReadOnlyList<string> Topics(Shopstream.Silo.Hosting.ShopstreamOptions options) =>
        [.. LakeTables.ByTopic(options.TopicsByNamespace()).Keys];

    /// <summary>Options for <c>demo</c>: a local lake in <see cref="DemoPath"/>, flushed every 2 s so the demo need not wait a minute.</summary>
    public static LakeOptions DemoOptions() => new() { Path = DemoPath, MaxAge = TimeSpan.FromSeconds(2), OrphanGrace = TimeSpan.Zero };

    /// <summary>
    /// The demo's broker is new each run, its offsets start at 0 again: the demo's lake starts over with it (files and
    /// manifest), or it would resume at the previous run's offsets.
    /// </summary>
    public static async Task ResetDemoLakeAsync(string postgres, LakeOptions options, CancellationToken ct)
    {
        if (Directory.Exists(options.Path))
        {
            Directory.Delete(options.Path, recursive: true);
        }
        await using var db = NpgsqlDataSource.Create(postgres);
        await using var command = db.CreateCommand("TRUNCATE lake_files, lake_snapshots, lake_offsets");
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Prints <see cref="DemoQuery"/> over the demo's lake, and the entity versions it holds.</summary>
    public static async Task PrintDemoQueryAsync(string postgres, LakeOptions options, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(postgres);
        var store = new LocalLakeStore(options.Path!);
        var manifest = new LakeManifest(db);
        AnsiConsole.MarkupLine($"The lake in [bold]{Markup.Escape(Path.GetFullPath(options.Path!))}[/]: ./shopstream lake query \"{Markup.Escape(DemoQuery)}\"");
        AnsiConsole.Write(await QueryAsync(store, manifest, DemoQuery, null, ct));
        var tables = (await manifest.LiveFilesAsync(await manifest.SnapshotAtAsync(null, ct), null, ct))
            .Select(f => f.Table).Where(t => t != EventsTable.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (tables.Count > 0)
        {
            var versions = string.Join(" UNION ALL ", tables.Select(t =>
                $"SELECT '{t}' AS table_name, ingest_date, count(*) AS versions, count(DISTINCT entity_key) AS entities FROM {t} GROUP BY ALL"));
            AnsiConsole.Write(await QueryAsync(store, manifest, versions + " ORDER BY ALL", null, ct));
        }
    }

    private static async Task<int> WithLakeAsync(string? postgres, string? path, Func<ILakeStore, LakeManifest, LakeOptions, Task<int>> action)
    {
        if (string.IsNullOrWhiteSpace(postgres))
        {
            await Console.Error.WriteLineAsync("--postgres (or SHOPSTREAM_POSTGRES) is required: the lake's manifest is in PostgreSQL");
            return 2;
        }
        LakeOptions options;
        try
        {
            options = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(LakeOptions.Section).Get<LakeOptions>() ?? new();
            if (path is not null)
            {
                options.Path = path;
                options.S3.Bucket = null;
            }
            if (!options.Enabled)
            {
                options.Path = DemoPath;
            }
            options.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        var store = LakeStores.Open(options);
        try
        {
            await using var db = NpgsqlDataSource.Create(postgres);
            return await action(store, new LakeManifest(db), options);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static async Task<string> CopyAsync(ILakeStore store, string path, DirectoryInfo scratch, int index, CancellationToken ct)
    {
        var local = Path.Combine(scratch.FullName, $"{index}.parquet");
        await using var source = await store.OpenReadAsync(path, ct);
        await using var target = File.Create(local);
        await source.CopyToAsync(target, ct);
        return local;
    }

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}

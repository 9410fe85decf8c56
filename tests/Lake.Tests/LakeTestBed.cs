using System.Globalization;
using DuckDB.NET.Data;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Lake.Manifest;
using Shopstream.Lake.Storage;
using Shopstream.Lake.Writing;
using Shopstream.Tests.Support;

namespace Shopstream.Lake.Tests;

/// <summary>
/// One test's lake: a fresh database with the schema, its own events topic on the shared embedded broker, a temporary
/// directory, a producer, and writers built the way the silo builds them.
/// </summary>
internal sealed class LakeTestBed : IAsyncDisposable
{
    private readonly RawProducer producer;

    private LakeTestBed(TestDatabase database, string topic, int partitions, string directory)
    {
        Database = database;
        Topic = topic;
        Partitions = partitions;
        Directory = directory;
        producer = new RawProducer(SharedBroker.Instance.BootstrapServers);
        Manifest = new LakeManifest(database.DataSource);
        TablesByTopic[topic] = Tables.EventsTable.Name;
    }

    public TestDatabase Database { get; }

    public string Topic { get; }

    public int Partitions { get; }

    /// <summary>The lake's root directory.</summary>
    public string Directory { get; }

    public LakeManifest Manifest { get; }

    /// <summary>The topics the writers read: this test's events topic, and whatever a test adds.</summary>
    public Dictionary<string, string> TablesByTopic { get; } = [];

    public static async Task<LakeTestBed> CreateAsync(int partitions = 2)
    {
        var database = await TestDatabase.CreateAsync();
        var topic = "lake-events-" + Guid.NewGuid().ToString("N")[..8];
        SharedBroker.Instance.CreateTopic(topic, partitions);
        var directory = Path.Combine(Path.GetTempPath(), "shopstream-lake-" + Guid.NewGuid().ToString("N")[..8]);
        return new LakeTestBed(database, topic, partitions, directory);
    }

    /// <summary>Options with small, fast flushes; no orphan grace (one writer at a time in these tests).</summary>
    public LakeOptions Options(int maxRows = 100_000) => new()
    {
        Path = Directory,
        ConsumerGroup = "lake-" + Topic,
        MaxRows = maxRows,
        MaxAge = TimeSpan.FromMilliseconds(300),
        OrphanGrace = TimeSpan.Zero,
    };

    public LakeWriter Writer(LakeOptions options, ILakeStore? store = null) => new(
        new LakeWriterSettings(SharedBroker.Instance.BootstrapServers, TablesByTopic, new Dictionary<string, string>()),
        options, store ?? new LocalLakeStore(options.Path!), Manifest, TimeProvider.System, new ConsoleErrorLogger<LakeWriter>());

    public Task SendAsync(ClickEvent e) => producer.SendAsync(Topic, StreamNamespaces.Events, e.SessionKey, e, e.OccurredAt.UtcTicks);

    /// <summary>An event as the ingest produces it (the wire envelope).</summary>
    public static byte[] Message(ClickEvent e) => WireFormat.Serialize(StreamNamespaces.Events, e, e.OccurredAt.UtcTicks, DateTimeOffset.UtcNow);

    public Task SendRawAsync(string topic, string key, byte[] value) => producer.SendRawAsync(topic, key, value);

    /// <summary>Waits until the manifest's offsets cover <paramref name="messages"/> messages over all partitions.</summary>
    public Task WaitCommittedAsync(long messages, string because) =>
        Eventually.Until(() => Database.ScalarAsync($"SELECT coalesce(sum(next_offset), 0) FROM lake_offsets WHERE topic = '{Topic}'"),
            n => n >= messages, TimeSpan.FromSeconds(60), because);

    /// <summary>Files on disk under the lake's tables (the staging directory excluded), relative, sorted.</summary>
    public List<string> FilesOnDisk() => !System.IO.Directory.Exists(Path.Combine(Directory, "events")) ? [] :
        [.. System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "events"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    /// <summary>Rows of a DuckDB query, cells joined with <c>|</c>: DuckDB, not our code, reads the files.</summary>
    public static List<string> DuckDb(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var cells = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                cells[i] = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
            }
            rows.Add(string.Join("|", cells));
        }
        return rows;
    }

    /// <summary>A DuckDB list literal of the committed files of the current snapshot.</summary>
    public async Task<string> CommittedFilesListAsync()
    {
        var snapshot = await Manifest.SnapshotAtAsync(null, CancellationToken.None);
        var files = await Manifest.LiveFilesAsync(snapshot, "events", CancellationToken.None);
        return "[" + string.Join(", ", files.Select(f => "'" + Path.Combine(Directory, f.Path) + "'")) + "]";
    }

    public static ClickEvent Event(string id, string type, string at, string session = "s1", string? product = null, string? extras = null) => new()
    {
        EventId = id,
        EventType = type,
        OccurredAt = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture),
        SessionKey = session,
        ProductId = product,
        Extras = extras,
        Browser = "Chrome",
        Os = "Linux",
        DeviceType = "desktop",
        ReferrerType = "direct",
    };

    public async ValueTask DisposeAsync()
    {
        producer.Dispose();
        await Database.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

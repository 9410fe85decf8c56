using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// One cluster of three <c>shopstream silo</c> processes on a fresh database and the shared broker, with the bundled
/// snapshot ingested: one silo's web host on loopback, two bound to every address (with the key, one also with a metrics key).
/// </summary>
public sealed class SiloWebFixture : IAsyncLifetime
{
    public const string DashboardApiKey = "test-dashboard-key";

    public const string MetricsApiKey = "test-metrics-key";

    public ClusterSettings Settings { get; private set; } = null!;

    /// <summary>HTTP on 127.0.0.1: the dashboard needs no key.</summary>
    public SiloProcess Loopback { get; private set; } = null!;

    /// <summary>HTTP on 0.0.0.0 with <see cref="DashboardApiKey"/>: the dashboard needs the key.</summary>
    public SiloProcess Exposed { get; private set; } = null!;

    /// <summary>HTTP on 0.0.0.0 with <see cref="DashboardApiKey"/> and <see cref="MetricsApiKey"/> (which opens only <c>/metrics</c>).</summary>
    public SiloProcess ExposedWithMetricsKey { get; private set; } = null!;

    public IReadOnlyList<SiloProcess> Silos => [Loopback, Exposed, ExposedWithMetricsKey];

    public async Task InitializeAsync()
    {
        Settings = await ClusterSettings.CreateAsync(partitions: 4);
        try
        {
            Loopback = SiloProcess.Start(Settings);
            Exposed = SiloProcess.Start(Settings, httpBind: "0.0.0.0", dashboardApiKey: DashboardApiKey);
            ExposedWithMetricsKey = SiloProcess.Start(Settings, httpBind: "0.0.0.0", dashboardApiKey: DashboardApiKey,
                environment: new Dictionary<string, string> { ["Shopstream__MetricsApiKey"] = MetricsApiKey });
            await Task.WhenAll(Silos.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));

            await using var producer = Settings.Producer();
            await new IngestRunner(new SnapshotReader(Fixtures.SamplesDirectory), producer).RunAsync();
            await producer.FlushAsync();
            try
            {
                await Settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException e)
            {
                // What the silos logged (warnings and up) says why a partition did not move.
                var stats = await Task.WhenAll(Silos.Select(StatsAsync));
                var sessions = await Settings.Database.RowsAsync(
                    "SELECT state || ' ' || coalesce(wait_event_type, '-') || ' ' || coalesce(wait_event, '-') || ' ' || left(query, 200) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
                throw new TimeoutException(e.Message + string.Concat(Silos.Select((s, i) => $"\n--- silo {i}:\n{Tail(s.Log)}\n{stats[i]}"))
                    + "\n--- database sessions:\n" + string.Join("\n", sessions)
                    + "\n--- rows: " + string.Join(", ", await Settings.Database.RowsAsync(
                        "SELECT 'products ' || (SELECT count(*) FROM products) || ', carts ' || (SELECT count(*) FROM carts) || ', users ' || (SELECT count(*) FROM users)")), e);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in new[] { Loopback, Exposed, ExposedWithMetricsKey }.Where(s => s is not null))
        {
            await silo.DisposeAsync();
        }
        if (Settings is not null)
        {
            await Settings.DisposeAsync();
        }
    }

    // Which partitions each silo reads, with their offsets: a partition nobody owns and a stuck owner look different here.
    private static async Task<string> StatsAsync(SiloProcess silo)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Add("X-Api-Key", DashboardApiKey);
            return await http.GetStringAsync("api/stats");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"api/stats: {ex.Message}";
        }
    }

    private static string Tail(string log) => log.Length <= 6_000 ? log : log[^6_000..];
}

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
            await Settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(90));
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
}

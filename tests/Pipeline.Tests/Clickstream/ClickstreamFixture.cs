using Microsoft.AspNetCore.Builder;
using Shopstream.Ingest;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>
/// One silo locating events with the MaxMind test database and remembering only 4 event ids per session, the
/// DummyJSON catalogue ingested, and the real ingest API in front of it on a free loopback port.
/// </summary>
public sealed class ClickstreamFixture : IAsyncLifetime
{
    public const int SessionEventIdCap = 4;

    private WebApplication api = null!;

    public static string GeoIpDatabase => Path.GetFullPath(Path.Combine(Fixtures.SamplesDirectory, "..", "geoip", "GeoLite2-City-Test.mmdb"));

    public PipelineCluster Pipeline { get; private set; } = null!;

    public KafkaRecordProducer Producer { get; private set; } = null!;

    internal EventsApiClient Client() => new(EventsApiHost.BaseAddress(api), apiKey: null);

    public async Task InitializeAsync()
    {
        Pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 4, settings: new Dictionary<string, string>
        {
            ["GeoIpDatabase"] = GeoIpDatabase,
            ["SessionEventIdCap"] = SessionEventIdCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Producer = Pipeline.Producer();
        api = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0 }, Producer);
        await new IngestRunner(new SnapshotReader(Fixtures.SamplesDirectory), Producer).RunAsync([new Feed(SourceNames.DummyJson, "products")]);
        await Pipeline.WaitCaughtUpAsync();
    }

    public async Task DisposeAsync()
    {
        await api.StopAsync();
        await api.DisposeAsync();
        await Producer.DisposeAsync();
        await Pipeline.DisposeAsync();
    }
}

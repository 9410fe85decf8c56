using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;

namespace Shopstream.Pipeline.Tests.EndToEnd;

/// <summary>Runs the bundled snapshot through ingest, Kafka, grains and projection once for the class.</summary>
public sealed class SnapshotPipelineFixture : IAsyncLifetime
{
    public PipelineCluster Pipeline { get; private set; } = null!;

    public IReadOnlyList<FeedCounts> Counts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Pipeline = await PipelineCluster.StartAsync(silos: 2, partitions: 4);
        await using var producer = Pipeline.Producer();
        Counts = await new IngestRunner(new SnapshotReader(Fixtures.SamplesDirectory), producer).RunAsync();
        await producer.FlushAsync();
        await Pipeline.WaitCaughtUpAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync() => await Pipeline.DisposeAsync();
}

using Shopstream.Tests.Support;

namespace Shopstream.Grains.Tests;

/// <summary>One single-silo pipeline for the grain behaviour tests; each test uses its own entity ids.</summary>
public sealed class GrainBehaviourFixture : IAsyncLifetime
{
    private static int nextId = 1000;

    public PipelineCluster Pipeline { get; private set; } = null!;

    public RawProducer Producer { get; private set; } = null!;

    public static long NewId() => Interlocked.Increment(ref nextId);

    public async Task InitializeAsync()
    {
        Pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        Producer = new RawProducer(Pipeline.Options.Kafka);
    }

    public async Task DisposeAsync()
    {
        Producer.Dispose();
        await Pipeline.DisposeAsync();
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Shopstream.Pipeline.Tests.Grains;

/// <summary>
/// A plain Orleans silo (no Kafka, no PostgreSQL) whose grain factory and silo details a memory governor under test
/// uses for its sheds, so that its gate can be driven round by round without the silo's own governor.
/// </summary>
public sealed class GovernorSiloFixture : IAsyncLifetime
{
    private TestCluster cluster = null!;

    public IGrainFactory Grains => cluster.GrainFactory;

    public ILocalSiloDetails Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        cluster = new TestClusterBuilder(1).Build();
        await cluster.DeployAsync();
        Silo = Assert.IsType<InProcessSiloHandle>(cluster.Primary).SiloHost.Services.GetRequiredService<ILocalSiloDetails>();
    }

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }
}

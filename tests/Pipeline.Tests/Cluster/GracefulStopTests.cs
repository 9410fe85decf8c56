using Orleans.Runtime;
using Shopstream.Ingest;
using Shopstream.Ingest.Sources;
using Shopstream.Pipeline.Tests.Infrastructure;
using Shopstream.Silo.Kafka;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// SIGTERM to a silo process as soon as it has written its first rows of a snapshot (it may or may not have applied the
/// rest by then): it exits 0, having committed and left the cluster itself (the only silo, so nobody else could vote it
/// out), and a new silo finishes the job with nothing lost.
/// </summary>
public sealed class GracefulStopTests
{
    private const int Dead = (int)SiloStatus.Dead; // as OrleansMembershipTable.Status stores it

    [Fact]
    public async Task Sigterm_stops_the_silo_cleanly_and_a_new_silo_loses_nothing()
    {
        await using var settings = await ClusterSettings.CreateAsync(partitions: 4);
        var first = SiloProcess.Start(settings);
        await using (first)
        {
            await first.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await using (var producer = settings.Producer())
            {
                await new IngestRunner(new SnapshotReader(Fixtures.SamplesDirectory), producer).RunAsync();
                await producer.FlushAsync();
            }
            // Stop as soon as the first rows are written.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await settings.Database.ScalarAsync("SELECT count(*) FROM products") == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.True(await settings.Database.ScalarAsync("SELECT count(*) FROM products") > 0, "the silo wrote nothing before the stop");

            // The bound of issue 15: a silo stops within 10 s of SIGTERM.
            var exitCode = await first.TerminateAsync(TimeSpan.FromSeconds(10));

            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{first.Log}");
        }
        Assert.Equal(1, await settings.Database.ScalarAsync(
            $"SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = '{settings.Options.ClusterId}'"));
        Assert.Equal(Dead, await settings.Database.ScalarAsync(
            $"SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = '{settings.Options.ClusterId}'"));
        // What it delivered, it committed on the way out.
        using (var progress = new DeliveryProgress(settings.Options.Kafka, settings.Options.ConsumerGroup, settings.Options.KafkaClient, settings.Options.TopicsByNamespace().Values))
        {
            Assert.True(progress.Read(TimeSpan.FromSeconds(10)).Sum(l => Math.Max(0, l.CommittedOffset)) > 0, "nothing was committed before the silo left");
        }

        await using var second = SiloProcess.Start(settings);
        await second.WaitReadyAsync(TimeSpan.FromSeconds(90));
        await settings.WaitCaughtUpAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(214, await settings.Database.ScalarAsync("SELECT count(*) FROM products"));
        Assert.Equal(218, await settings.Database.ScalarAsync("SELECT count(*) FROM users"));
        Assert.Equal(215, await settings.Database.ScalarAsync("SELECT count(*) FROM carts"));
    }
}

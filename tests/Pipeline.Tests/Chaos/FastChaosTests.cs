using Shopstream.Cli.Chaos;

namespace Shopstream.Pipeline.Tests.Chaos;

/// <summary>
/// The fast subset of <c>shopstream chaos</c>: the same runner and the same audit, fewer records. The silo-kill and
/// PostgreSQL-restart scenarios run in <c>./shopstream chaos</c>; a SIGKILL of a silo process also runs in
/// scripts/cluster-kill-test.sh, part of <c>./shopstream test</c>.
/// </summary>
public sealed class FastChaosTests
{
    // 2,000 records. With a fault: a band of 200 single-version entities around it, the other 1,800 records give 360
    // entities five versions each. Without: 400 entities, five versions each. Poison: 20 undecodable messages and 20
    // refused rows (one each per 100 records).
    [Theory]
    [InlineData(ChaosScenarios.BrokerDown, 560, 200, 0)]
    [InlineData(ChaosScenarios.RequestErrors, 560, 200, 0)]
    [InlineData(ChaosScenarios.PostgresTerminate, 560, 200, 0)]
    [InlineData(ChaosScenarios.Poison, 400, 0, 40)]
    [InlineData(ChaosScenarios.Duplicates, 400, 0, 0)]
    [InlineData(ChaosScenarios.Replay, 400, 0, 0)]
    public async Task Fault_scenario_loses_nothing_and_applies_nothing_twice(string scenario, int entities, int bandEntities, int rejected)
    {
        var server = Environment.GetEnvironmentVariable(TestDatabase.Variable)
            ?? throw new InvalidOperationException($"{TestDatabase.Variable} is not set: run ./shopstream test");
        await using var runner = new ChaosRunner(server, records: 2_000, log: _ => { });

        var outcome = await runner.RunAsync(scenario, CancellationToken.None);

        Assert.Equal(0, outcome.Lost);
        Assert.Equal(0, outcome.AppliedTwice);
        Assert.Equal(0, outcome.Mismatched);
        Assert.Equal(rejected, outcome.Rejected);
        Assert.Equal(entities, outcome.Entities);
        Assert.Equal(bandEntities, outcome.BandEntities);
        // "Applied twice" is read from an audit of every row write: it must have seen each entity written.
        Assert.InRange(outcome.AuditedWrites, outcome.Entities, 2_000);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Faults));
        Assert.True(outcome.FaultHit, $"the fault hit no work in flight: {outcome}");
    }

    [Theory]
    [InlineData(ChaosScenarios.BrokerDown)]
    [InlineData(ChaosScenarios.RequestErrors)]
    [InlineData(ChaosScenarios.PostgresTerminate)]
    public void A_fault_that_finds_nothing_uncommitted_fails_the_scenario(string scenario)
    {
        var idle = new ChaosOutcome(scenario, 2_000, "f", 0, 0, 0, 0, 1, 560, 560, 200, LagAtFault: 0, TerminatedConnections: 3, WriterRetries: 2);

        Assert.False(idle.Passed);
        Assert.True((idle with { LagAtFault = 1 }).Passed);
    }

    [Fact]
    public void Terminating_no_connection_or_causing_no_retry_fails_postgres_terminate()
    {
        var hit = new ChaosOutcome(ChaosScenarios.PostgresTerminate, 2_000, "f", 0, 0, 0, 0, 1, 560, 560, 200, LagAtFault: 5, TerminatedConnections: 3, WriterRetries: 2);

        Assert.True(hit.Passed);
        Assert.False((hit with { TerminatedConnections = 0 }).Passed);
        Assert.False((hit with { WriterRetries = 0 }).Passed);
    }
}

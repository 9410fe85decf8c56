using Shopstream.Pipeline.Tests.Infrastructure;
using Shopstream.Silo.Chaos;

namespace Shopstream.Pipeline.Tests.Chaos;

/// <summary>
/// The fast subset of <c>shopstream chaos</c>: the same runner and the same audit, fewer records. The silo-kill and
/// PostgreSQL-restart scenarios run in <c>./shopstream chaos</c> and, for silo kills, scripts/cluster-kill-test.sh.
/// </summary>
public sealed class FastChaosTests
{
    [Theory]
    [InlineData(ChaosScenarios.BrokerDown)]
    [InlineData(ChaosScenarios.RequestErrors)]
    [InlineData(ChaosScenarios.PostgresTerminate)]
    [InlineData(ChaosScenarios.Poison)]
    [InlineData(ChaosScenarios.Duplicates)]
    [InlineData(ChaosScenarios.Replay)]
    public async Task Fault_scenario_loses_nothing_and_applies_nothing_twice(string scenario)
    {
        var server = Environment.GetEnvironmentVariable(TestDatabase.Variable)
            ?? throw new InvalidOperationException($"{TestDatabase.Variable} is not set: run ./shopstream test");
        await using var runner = new ChaosRunner(server, records: 2_000, log: _ => { });

        var outcome = await runner.RunAsync(scenario, CancellationToken.None);

        Assert.Equal(0, outcome.Lost);
        Assert.Equal(0, outcome.AppliedTwice);
        Assert.Equal(0, outcome.Mismatched);
        Assert.Equal(scenario == ChaosScenarios.Poison ? 40 : 0, outcome.Rejected);
        // "Applied twice" is read from an audit of every row write: it must have seen each entity written.
        Assert.Equal(400, outcome.Entities);
        Assert.InRange(outcome.AuditedWrites, outcome.Entities, 2_000);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Faults));
    }
}

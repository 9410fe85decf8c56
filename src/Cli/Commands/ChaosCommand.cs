using System.CommandLine;
using System.Diagnostics;
using Shopstream.Cli.Chaos;
using Spectre.Console;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary><c>shopstream chaos</c>: the fault campaign; exits non-zero if anything was lost, applied twice or mismatched, or a fault hit no work in flight.</summary>
internal static class ChaosCommand
{
    public static Command Create()
    {
        var records = new Option<int>("--records") { Description = "Product updates per scenario", DefaultValueFactory = _ => 20_000 };
        records.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 10)
            {
                r.AddError("--records must be at least 10");
            }
        });
        var scenarios = new Option<string[]>("--scenario") { Description = "Run only these scenarios (repeatable): " + string.Join(", ", ChaosScenarios.All) };
        scenarios.AcceptOnlyFromAmong([.. ChaosScenarios.All]);
        var postgres = CommonOptions.Postgres(required: false);
        var command = new Command("chaos", "Fault campaign end to end: silo kills, broker faults, PostgreSQL restarts, poison, duplicates, replays")
        {
            records, scenarios, postgres,
        };
        command.SetAction(async (r, ct) =>
        {
            var pg = r.GetValue(postgres);
            if (string.IsNullOrWhiteSpace(pg))
            {
                await Console.Error.WriteLineAsync("--postgres (or SHOPSTREAM_POSTGRES) is required; ./shopstream chaos starts a local PostgreSQL and passes it");
                return 2;
            }
            if (await KafkaClientCheck.ReadOrReportAsync("chaos") is not { } clientSettings)
            {
                return 2;
            }
            var local = Environment.GetEnvironmentVariable("SHOPSTREAM_LOCAL_POSTGRES") == "1";
            var selected = r.GetValue(scenarios) is { Length: > 0 } s ? s : [.. ChaosScenarios.All.Where(x => local || x != ChaosScenarios.PostgresRestart)];
            if (!local && selected.Contains(ChaosScenarios.PostgresRestart))
            {
                await Console.Error.WriteLineAsync("--scenario postgres-restart needs the project-local PostgreSQL: run ./shopstream chaos without --postgres");
                return 2;
            }
            await using var runner = new ChaosRunner(pg, r.GetValue(records), line => AnsiConsole.MarkupLine(Markup.Escape(line)), local ? RestartLocalPostgresAsync : null, clientSettings);
            var outcomes = new List<ChaosOutcome>();
            foreach (var scenario in selected)
            {
                outcomes.Add(await runner.RunAsync(scenario, ct));
            }
            var table = new Table { Title = new TableTitle("chaos"), Border = TableBorder.Rounded };
            table.AddColumns("scenario", "records", "faults injected", "uncommitted at fault", "lost", "applied twice", "mismatched", "rejected", "recovery s", "result");
            foreach (var o in outcomes)
            {
                table.AddRow(o.Scenario, $"{o.Records:N0}", Markup.Escape(o.Faults), o.LagAtFault < 0 ? "-" : $"{o.LagAtFault:N0}", $"{o.Lost}", $"{o.AppliedTwice}", $"{o.Mismatched}", $"{o.Rejected}", $"{o.RecoverySeconds:0.0}",
                    o.Passed ? "[green]pass[/]" : "[red]FAIL[/]");
            }
            AnsiConsole.Write(table);
            var lost = outcomes.Sum(o => o.Lost);
            var twice = outcomes.Sum(o => o.AppliedTwice);
            var mismatched = outcomes.Sum(o => o.Mismatched);
            Console.WriteLine($"chaos: scenarios={outcomes.Count} lost={lost} duplicated={twice} mismatched={mismatched}");
            // A scenario whose fault hit no work in flight proved nothing: it fails too.
            return outcomes.All(o => o.Passed) ? 0 : 1;
        });
        return command;
    }

    private static async Task RestartLocalPostgresAsync(CancellationToken ct)
    {
        var script = Path.Combine(RepoPaths.Root(), "scripts", "postgres.sh");
        foreach (var verb in new[] { "stop", "start" })
        {
            using var p = Process.Start(new ProcessStartInfo(script, verb) { RedirectStandardOutput = true, RedirectStandardError = true })
                ?? throw new InvalidOperationException($"could not run {script} {verb}");
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{script} {verb} failed: {await p.StandardError.ReadToEndAsync(ct)}");
            }
            if (verb == "stop")
            {
                await Task.Delay(2000, ct);
            }
        }
    }
}

using System.Diagnostics;
using Shopstream.Pipeline.Tests.Cluster;

namespace Shopstream.Pipeline.Tests.Hosting;

/// <summary>
/// A bad setting in the environment stops <c>shopstream silo</c> and <c>shopstream ingest-api</c> at start, before
/// they reach PostgreSQL or Kafka, with exit code 2 and a message naming the key.
/// </summary>
public sealed class SettingsRefusalProcessTests
{
    [Fact]
    public async Task Silo_with_a_bad_start_position_refuses_to_start_naming_the_key()
    {
        // Nothing listens at either address: a silo that got past its settings would fail differently, or hang.
        var (exitCode, log) = await RunAsync(
            ["silo", "--postgres", "Host=127.0.0.1;Port=1;Database=unused", "--kafka", "127.0.0.1:1"],
            new() { ["Shopstream__StartPosition"] = "Sideways" });

        Assert.Equal(2, exitCode);
        Assert.Contains("silo: setting Shopstream:StartPosition must be Earliest or Latest, not 'Sideways'", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_api_with_a_bad_event_limit_refuses_to_start_naming_the_key()
    {
        await using var api = SiloProcess.StartIngestApi("127.0.0.1:1", [], new Dictionary<string, string> { ["Shopstream__IngestApiMaxEvents"] = "0" });

        var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("Shopstream:IngestApiMaxEvents must be between 1 and 1000000 (was 0)", api.Log, StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Log)> RunAsync(string[] arguments, Dictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "shopstream.dll") }.Concat(arguments))
        {
            psi.ArgumentList.Add(argument);
        }
        // Only this test's settings: nothing inherited may make the start fail, or succeed, for another reason.
        foreach (var inherited in psi.Environment.Keys.Where(k => k.StartsWith("Shopstream__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("SHOPSTREAM_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(inherited);
        }
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }
        using var process = Process.Start(psi)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, string.Concat(await output));
    }
}

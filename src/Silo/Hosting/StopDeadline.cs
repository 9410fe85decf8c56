using Microsoft.Extensions.Hosting;

namespace Shopstream.Silo.Hosting;

/// <summary>
/// Ends the process when a stop outlives its budget. The host cancels its services' stop after
/// <see cref="HostOptions.ShutdownTimeout"/>, but work that ignores the token (a grain retrying its state save against a
/// PostgreSQL that refuses connections) would keep the process alive forever; an orchestrator would then have to kill it.
/// </summary>
public static class StopDeadline
{
    /// <summary>Time after the host's shutdown timeout for what follows its stop (disposing, the producer's flush).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1.5);

    /// <summary>Exit code of a process whose stop did not finish in time.</summary>
    public const int ExitCode = 3;

    /// <summary>
    /// Once <paramref name="lifetime"/> starts stopping, exits the process with <see cref="ExitCode"/> after
    /// <paramref name="shutdownTimeout"/> and <see cref="Grace"/>.
    /// </summary>
    public static void Arm(IHostApplicationLifetime lifetime, TimeSpan shutdownTimeout, string name)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStopping.Register(() => _ = ExitAfterAsync(shutdownTimeout + Grace, name));
    }

    private static async Task ExitAfterAsync(TimeSpan budget, string name)
    {
        await Task.Delay(budget).ConfigureAwait(false);
        await Console.Error.WriteLineAsync(
            $"{name}: the stop did not finish within {budget.TotalSeconds:0.#} s (Shopstream:ShutdownTimeout plus {Grace.TotalSeconds:0.#} s); exiting with code {ExitCode}").ConfigureAwait(false);
        Environment.Exit(ExitCode);
    }
}

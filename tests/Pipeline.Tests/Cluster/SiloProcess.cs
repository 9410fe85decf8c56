using System.Diagnostics;
using System.Net;
using System.Text;
using Shopstream.Silo.Hosting;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// <c>shopstream silo</c> as a child process (<c>dotnet shopstream.dll silo</c> from the test output, under a watchdog
/// shell), joined to the cluster of <see cref="ClusterSettings"/> through PostgreSQL, with its web host on a free port.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const string Watchdog =
        "dotnet \"$@\" & silo=$!; " +
        "while kill -0 \"$SHOPSTREAM_TEST_PID\" 2>/dev/null && kill -0 $silo 2>/dev/null; do sleep 1; done; " +
        "kill -9 $silo 2>/dev/null; wait $silo";

    private readonly Process process;
    private readonly StringBuilder log = new();
    private bool disposed;

    private SiloProcess(Process process, int httpPort)
    {
        this.process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
    }

    /// <summary>Where the web host answers; on loopback even when it binds every address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Everything the process wrote so far.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <param name="settings">The cluster to join, given as <c>Shopstream__*</c> environment variables.</param>
    /// <param name="httpBind"><c>--http-bind</c>: loopback, or e.g. <c>0.0.0.0</c> to put the dashboard behind its key.</param>
    /// <param name="dashboardApiKey"><c>Shopstream__DashboardApiKey</c>, or none.</param>
    /// <param name="environment">More environment variables, e.g. <c>Shopstream__MetricsApiKey</c>.</param>
    /// <param name="kafka">Another broker than the cluster's (its topics created there by the caller).</param>
    public static SiloProcess Start(
        ClusterSettings settings, string httpBind = "127.0.0.1", string? dashboardApiKey = null,
        IReadOnlyDictionary<string, string>? environment = null, string? kafka = null)
    {
        var httpPort = SiloHostFactory.FreePort();
        var variables = settings.AsEnvironment().ToDictionary(StringComparer.Ordinal);
        if (dashboardApiKey is not null)
        {
            variables[$"{ShopstreamOptions.Section}__DashboardApiKey"] = dashboardApiKey;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }
        return Launch(
        [
            "silo",
            "--postgres", settings.Options.Postgres, "--kafka", kafka ?? settings.Options.Kafka,
            "--silo-port", $"{SiloHostFactory.FreePort()}", "--gateway-port", $"{SiloHostFactory.FreePort()}",
            "--http-port", $"{httpPort}", "--http-bind", httpBind,
            // Silos talk over loopback even when HTTP binds every address.
            "--advertised-ip", "127.0.0.1",
        ], variables, httpPort);
    }

    /// <summary><c>shopstream ingest-api --kafka <paramref name="kafka"/> --port (free)</c> with more arguments and <c>Shopstream__*</c> variables.</summary>
    public static SiloProcess StartIngestApi(string kafka, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var httpPort = SiloHostFactory.FreePort();
        return Launch(["ingest-api", "--kafka", kafka, "--port", $"{httpPort}", .. arguments], environment ?? new Dictionary<string, string>(), httpPort);
    }

    private static SiloProcess Launch(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, int httpPort)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "shopstream.dll");
        if (!File.Exists(app))
        {
            throw new FileNotFoundException("shopstream.dll is not in the test output (tests/Pipeline.Tests references src/Cli)", app);
        }
        // A watchdog shell: the child dies with the test process even when that is killed before disposing this.
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { "-c", Watchdog, "shopstream-child", app }.Concat(arguments))
        {
            psi.ArgumentList.Add(argument);
        }
        psi.Environment["SHOPSTREAM_TEST_PID"] = $"{Environment.ProcessId}";
        foreach (var inherited in psi.Environment.Keys.Where(k => k.StartsWith(ShopstreamOptions.Section + "__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(inherited);
        }
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }
        psi.Environment["Logging__LogLevel__Default"] = "Warning";

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new SiloProcess(process, httpPort);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to exit by itself; returns its exit code. Throws if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"shopstream did not exit within {timeout.TotalSeconds:0} s:\n{Log}");
        }
        return process.ExitCode;
    }

    /// <summary>Waits for <paramref name="path"/> to answer 200; fails with the process's output if it exits or times out.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, string path = "health/ready")
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.Until(() => AnswerAsync(http, path), status => status == HttpStatusCode.OK, timeout,
                $"shopstream silo at {BaseAddress} was not ready", TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}:\n{Log}", e);
        }
    }

    /// <summary>The status <paramref name="path"/> answers with, or null while the silo does not answer yet.</summary>
    private async Task<HttpStatusCode?> AnswerAsync(HttpClient http, string path)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"shopstream silo exited with code {process.ExitCode}:\n{Log}");
        }
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Sends SIGTERM to the silo (the watchdog shell's child) and waits for it to exit; returns its exit code, which the
    /// watchdog passes on. Throws if it is still running after <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var signal = Process.Start("pkill", ["-TERM", "-P", $"{process.Id}"]))
        {
            await signal.WaitForExitAsync();
            if (signal.ExitCode != 0)
            {
                throw new InvalidOperationException($"pkill found no silo under the watchdog {process.Id}:\n{Log}");
            }
        }
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }
}

using System.Diagnostics;

namespace Shopstream.Silo.Bench;

/// <summary>
/// <c>shopstream broker</c> in a child process, so that the broker's memory is not counted as the silo's and
/// the broker outlives a silo that is killed.
/// </summary>
public sealed class ChildBroker : IDisposable
{
    private readonly Process process;

    private ChildBroker(Process process, string bootstrapServers)
    {
        this.process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public int ProcessId => process.Id;

    public static async Task<ChildBroker> StartAsync(int partitions, IEnumerable<string> extraTopics, CancellationToken cancellationToken = default)
    {
        var dll = typeof(ChildBroker).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll.EndsWith(".dll", StringComparison.Ordinal) && !(Environment.ProcessPath ?? "").EndsWith("shopstream", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(dll);
        }
        start.ArgumentList.Add("broker");
        start.ArgumentList.Add("--partitions");
        start.ArgumentList.Add(partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var topic in extraTopics)
        {
            start.ArgumentList.Add("--topic");
            start.ArgumentList.Add(topic);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the broker process");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (string.IsNullOrWhiteSpace(line))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("the broker process printed no bootstrap servers");
        }
        return new ChildBroker(process, line.Trim());
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process.Dispose();
    }
}

using System.Diagnostics;

namespace Shopstream.Kafka.Embedded;

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

    /// <param name="cli">The <c>shopstream</c> assembly (or apphost) whose <c>broker</c> command runs the broker.</param>
    /// <param name="partitions">Partitions per topic.</param>
    /// <param name="extraTopics">Topics to create besides Shopstream's own.</param>
    /// <param name="cancellationToken">Stops waiting for the broker's first line.</param>
    public static async Task<ChildBroker> StartAsync(string cli, int partitions, IEnumerable<string> extraTopics, CancellationToken cancellationToken = default)
    {
        var dll = cli;
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

using System.Diagnostics;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream demo --console</c>'s screenshots: every console page in headless Debian Chromium (<c>--screenshot</c>),
/// written to <c>.run/console/</c>. Without Chromium (scripts/chromium.sh installs it) the demo says so and goes on.
/// </summary>
internal static class ConsoleScreenshots
{
    private static readonly (string Path, string Name)[] Pages = [("", "catalogue"), ("clickstream.html", "clickstream"), ("recalls.html", "recalls"), ("pipeline.html", "pipeline")];

    private static readonly string[] Chromiums = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public static async Task WriteAsync(Uri console, CancellationToken cancellationToken)
    {
        var chromium = Chromiums.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            AnsiConsole.MarkupLine("[yellow]No Chromium:[/] no screenshots (scripts/chromium.sh installs Debian's).");
            return;
        }
        var directory = Path.Combine(RepoPaths.Root(), ".run", "console");
        Directory.CreateDirectory(directory);
        var profile = Directory.CreateTempSubdirectory("shopstream-chromium-");
        try
        {
            foreach (var (path, name) in Pages)
            {
                var file = Path.Combine(directory, name + ".png");
                var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in new[]
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    $"--user-data-dir={profile.FullName}", "--window-size=1280,1600", "--hide-scrollbars",
                    // Time for the pages' first refresh (their JSON) before the picture is taken.
                    "--virtual-time-budget=10000", $"--screenshot={file}", new Uri(console, path).AbsoluteUri,
                })
                {
                    psi.ArgumentList.Add(argument);
                }
                using var process = Process.Start(psi)!;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(timeout.Token), process.StandardError.ReadToEndAsync(timeout.Token));
                await process.WaitForExitAsync(timeout.Token);
                await drain;
                AnsiConsole.MarkupLine(File.Exists(file) ? $"  screenshot [grey]{Markup.Escape(file)}[/]" : $"  [red]no screenshot of {name}[/] (chromium exited {process.ExitCode})");
            }
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}

using System.Globalization;
using Microsoft.Playwright;

namespace Shopstream.Console.Tests;

/// <summary>One console page in its own browser context (with the key), recording what the browser reports as errors.</summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IBrowserContext context;

    private ConsoleBrowser(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => Errors.Add($"page: {error}");
        page.RequestFailed += (_, request) => Errors.Add($"request failed: {request.Url}");
    }

    public IPage Page { get; }

    /// <summary>Console errors, uncaught exceptions and failed requests, in order.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Opens <paramref name="path"/> (relative to <c>/console/</c>) and waits until its first refresh succeeded.</summary>
    public static async Task<ConsoleBrowser> OpenAsync(ConsoleFixture fixture, string path, int width = 1280, int height = 800)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Api-Key"] = ConsoleFixture.ApiKey },
            Locale = "en-GB",
        });
        var page = await context.NewPageAsync();
        var browser = new ConsoleBrowser(context, page);
        await page.GotoAsync(new Uri(fixture.BaseAddress, "console/" + path).AbsoluteUri);
        await browser.WaitRefreshedAsync();
        return browser;
    }

    /// <summary>Waits until the page shows a "last updated" time and no load error.</summary>
    public async Task WaitRefreshedAsync()
    {
        await Page.WaitForFunctionAsync("() => document.getElementById('last-updated')?.dateTime", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        Assert.Equal("", await Page.Locator("#status").TextContentAsync());
    }

    /// <summary>The texts an SVG chart draws (labels, axis names, title).</summary>
    public Task<IReadOnlyList<string>> ChartTextsAsync(string chartId) => Page.Locator($"#{chartId} svg text").AllTextContentsAsync();

    /// <summary>The rows of the table in <paramref name="containerId"/>, cells as text, header excluded.</summary>
    public async Task<List<List<string>>> TableAsync(string containerId)
    {
        var rows = new List<List<string>>();
        foreach (var row in await Page.Locator($"#{containerId} tbody tr").AllAsync())
        {
            rows.Add([.. (await row.Locator("td").AllTextContentsAsync()).Select(t => t.Trim())]);
        }
        return rows;
    }

    /// <summary>The headers of the table in <paramref name="containerId"/>.</summary>
    public async Task<IReadOnlyList<string>> HeadersAsync(string containerId) => await Page.Locator($"#{containerId} thead th").AllTextContentsAsync();

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ConsoleFixture.ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    /// <summary>A number as the page formats it (en-US grouping: 1,234.5).</summary>
    public static string Shown(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream sources</c>: each source of the cluster (enabled, schedule, last run, watermark, next due), read from a
/// silo's <c>GET /api/sources</c>; <c>shopstream sources run NAME</c> asks the cluster to run a source now
/// (<c>POST /api/sources/NAME/run</c>) and follows that run in <c>GET /api/sources/NAME/runs</c> until it ends.
/// Feeds are listed from the same answer rather than from the brokers and the database: the silo holds each feed's
/// foreign cluster settings (its SASL credentials among them), which this command does not have, and the live counts.
/// </summary>
internal static class SourcesCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var silo = new Option<string>("--silo")
        {
            Description = "A silo's HTTP address",
            DefaultValueFactory = _ => "http://127.0.0.1:8080/",
        };
        silo.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                r.AddError($"--silo must be an absolute http or https URL, not '{r.GetValueOrDefault<string>()}'");
            }
        });
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "The silo's key (Shopstream:DashboardApiKey) when it listens beyond loopback (env Shopstream__DashboardApiKey)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Shopstream__DashboardApiKey"),
        };
        var name = new Argument<string>("name") { Description = "The source to run: fakestore, dummyjson or rappelconso" };
        var run = new Command("run", "Run a source now in the cluster and follow the run to its end") { name, silo, apiKey };
        run.SetAction((r, ct) => RunAsync(SiloUrl(r.GetValue(silo)!), r.GetValue(apiKey), r.GetValue(name)!, ct));
        var command = new Command("sources", "List the cluster's sources: enabled, schedule, last run, watermark, next due") { silo, apiKey, run };
        command.SetAction((r, ct) => ListAsync(SiloUrl(r.GetValue(silo)!), r.GetValue(apiKey), ct));
        return command;
    }

    // A base address without its trailing slash would drop its last segment from every relative path.
    private static Uri SiloUrl(string text) => new(text.EndsWith('/') ? text : text + "/");

    private static HttpClient Client(Uri silo, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = silo, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return http;
    }

    private static async Task<int> ListAsync(Uri silo, string? apiKey, CancellationToken ct)
    {
        using var http = Client(silo, apiKey);
        if (await GetAsync(http, "api/sources", ct) is not { } sources)
        {
            return 1;
        }
        var table = new Table { Title = new TableTitle("sources"), Border = TableBorder.Rounded };
        table.AddColumns("source", "enabled", "schedule", "last run", "status", "read / produced / rejected", "watermark", "next due");
        foreach (var s in sources.EnumerateArray().Where(s => Text(s, "kind") != "feed"))
        {
            var last = s.GetProperty("lastRun");
            var hasRun = last.ValueKind == JsonValueKind.Object;
            table.AddRow(
                Text(s, "name"), s.GetProperty("enabled").GetBoolean() ? "yes" : "no", Text(s, "schedule"),
                hasRun ? Text(last, "startedAt") : "-", hasRun ? Text(last, "status") : "-",
                hasRun ? $"{Text(last, "recordsRead")} / {Text(last, "recordsProduced")} / {Text(last, "recordsRejected")}" : "-",
                Text(s, "watermark"), Text(s, "nextDue"));
        }
        AnsiConsole.Write(table);
        var feeds = sources.EnumerateArray().Where(s => Text(s, "kind") == "feed").ToList();
        if (feeds.Count > 0)
        {
            AnsiConsole.Write(FeedTable(feeds));
            AnsiConsole.MarkupLine($"[grey]lag: the feed group's on the whole foreign topic; counts: the bridge of silo {Markup.Escape(silo.ToString())} since it started[/]");
        }
        return 0;
    }

    private static Table FeedTable(IEnumerable<JsonElement> feeds)
    {
        var table = new Table { Title = new TableTitle("feeds"), Border = TableBorder.Rounded };
        table.AddColumns("feed", "kind", "foreign topic", "shape", "state", "lag", "consumed / produced / rejected", "last error");
        foreach (var f in feeds)
        {
            var lag = Text(f, "lag") is "-" ? $"? ({Text(f, "lagError")})" : Text(f, "lag");
            table.AddRow(
                Markup.Escape(Text(f, "name")), "feed", Markup.Escape($"{Text(f, "bootstrap")}/{Text(f, "topic")}"), Text(f, "shape"), Text(f, "state"),
                Markup.Escape(lag), $"{Text(f, "consumed")} / {Text(f, "produced")} / {Text(f, "rejected")}", Markup.Escape(Text(f, "lastError")));
        }
        return table;
    }

    private static async Task<int> RunAsync(Uri silo, string? apiKey, string name, CancellationToken ct)
    {
        using var http = Client(silo, apiKey);
        using var response = await http.PostAsync(new Uri($"api/sources/{Uri.EscapeDataString(name)}/run", UriKind.Relative), null, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            await Console.Error.WriteLineAsync($"sources run {name}: HTTP {(int)response.StatusCode}: {Text(body, "error")}");
            return 2;
        }
        var runId = Text(body, "runId");
        AnsiConsole.MarkupLine(body.GetProperty("started").GetBoolean()
            ? $"{Markup.Escape(name)}: run [bold]{runId}[/] started"
            : $"{Markup.Escape(name)}: run [bold]{runId}[/] was already running; following it");
        var shown = "";
        while (true)
        {
            var runs = await GetAsync(http, $"api/sources/{Uri.EscapeDataString(name)}/runs?limit=20", ct);
            var current = runs?.EnumerateArray().FirstOrDefault(r => Text(r, "runId") == runId);
            if (current is { ValueKind: JsonValueKind.Object } r)
            {
                var line = $"pages {Text(r, "pages")}, read {Text(r, "recordsRead")}, produced {Text(r, "recordsProduced")}, rejected {Text(r, "recordsRejected")}, watermark {Text(r, "watermarkAfter")}";
                if (line != shown)
                {
                    AnsiConsole.MarkupLine($"  {Markup.Escape(line)}");
                    shown = line;
                }
                var status = Text(r, "status");
                if (status != "running")
                {
                    AnsiConsole.MarkupLine(status == "succeeded"
                        ? $"{Markup.Escape(name)}: run {runId} [green]succeeded[/]"
                        : $"{Markup.Escape(name)}: run {runId} [red]{Markup.Escape(status)}[/]: {Markup.Escape(Text(r, "error"))}");
                    return status == "succeeded" ? 0 : 1;
                }
            }
            await Task.Delay(Poll, ct);
        }
    }

    private static async Task<JsonElement?> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode)
        {
            await Console.Error.WriteLineAsync($"GET {http.BaseAddress}{path}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            return null;
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static string Text(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.Null => "-",
                JsonValueKind.String => v.GetString()!,
                _ => v.GetRawText(),
            }
            : "-";
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shopstream.Cli.Sources;

/// <summary>
/// A local stand-in for RappelConso's Explore v2.1 records endpoint (Kestrel on a free loopback port) for the bench: N
/// notices made from the first real sample notice, one minute apart, served with <c>limit</c> (at most 100),
/// <c>offset</c> (<c>offset + limit</c> at most 10,000), <c>order_by=date_publication</c> and the
/// <c>where=date_publication &gt;= date'...'</c> bound the reader sends.
/// </summary>
internal sealed class RecallFixtureApi : IAsyncDisposable
{
    private static readonly DateTimeOffset First = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly WebApplication app;
    private readonly List<(DateTimeOffset At, string Json)> notices;

    private RecallFixtureApi(WebApplication app, List<(DateTimeOffset, string)> notices)
    {
        this.app = app;
        this.notices = notices;
    }

    /// <summary>The bound address (port 0 asked for, the one Kestrel picked), known once started.</summary>
    public Uri BaseUrl => new(app.Urls.First());

    /// <summary>Records requests answered so far.</summary>
    public int Requests { get; private set; }

    public static async Task<RecallFixtureApi> StartAsync(int count, string samplePage, CancellationToken ct)
    {
        var template = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(samplePage, ct))!["results"]![0]!;
        var notices = Enumerable.Range(0, count).Select(i =>
        {
            var at = First.AddMinutes(i);
            var notice = (JsonObject)template.DeepClone();
            notice["numero_fiche"] = string.Create(CultureInfo.InvariantCulture, $"B-{i:D6}");
            notice["id"] = i + 1;
            notice["date_publication"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
            return (at, notice.ToJsonString());
        }).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new RecallFixtureApi(app, notices);
        app.MapGet("/api/explore/v2.1/catalog/datasets/{dataset}/records", api.Page);
        await app.StartAsync(ct);
        return api;
    }

    private IResult Page(int? limit, int? offset, string? where)
    {
        Requests++;
        var (take, skip) = (limit ?? 10, offset ?? 0);
        if (take is < 0 or > 100 || skip + take > 10_000)
        {
            return Results.BadRequest(new { error_code = "InvalidRESTParameterError", message = "offset + limit must be lower or equal to 10000" });
        }
        var since = where is null
            ? DateTimeOffset.MinValue
            : DateTimeOffset.Parse(where[(where.IndexOf('\'', StringComparison.Ordinal) + 1)..where.LastIndexOf('\'')], CultureInfo.InvariantCulture);
        // Notices are made in date order, so the matching ones are a suffix.
        var matching = notices.FindIndex(n => n.At >= since) is var from and >= 0 ? notices.Count - from : 0;
        var page = notices.Skip(notices.Count - matching + skip).Take(take).Select(n => n.Json);
        return Results.Text($"{{\"total_count\":{matching},\"results\":[{string.Join(',', page)}]}}", "application/json");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

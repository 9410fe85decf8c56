using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Shopstream.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers like Opendatasoft's Explore v2.1 records endpoint of RappelConso:
/// <c>limit</c> (at most 100), <c>offset</c>, <c>order_by=date_publication</c>, <c>where=date_publication &gt;= date'...'</c>,
/// 400 when <c>offset + limit</c> exceeds 10,000, and scripted 429/5xx answers. Its records are the real sample's first
/// notice with a new number and publication date each (<see cref="Notice"/>).
/// </summary>
public sealed partial class RappelConsoFixtureApi : IAsyncDisposable
{
    public const string Dataset = "rappelconso-v2-gtin-espaces";

    private readonly LoopbackHttpServer server;
    private readonly ConcurrentQueue<(HttpStatusCode Status, string? RetryAfter)> failures = new();
    private readonly ConcurrentQueue<(int Offset, HttpStatusCode Status)> offsetFailures = new();
    private readonly Lock gate = new();
    private readonly List<JsonObject> records = [];

    private RappelConsoFixtureApi(int notices)
    {
        records.AddRange(Enumerable.Range(0, notices).Select(i => Notice(i)));
        server = LoopbackHttpServer.Start(AnswerAsync);
    }

    public Uri BaseUrl => server.BaseUrl;

    /// <summary>How long each records request waits before it is answered (a slow API, for runs that last).</summary>
    public TimeSpan PageDelay { get; set; }

    /// <summary>Path and decoded query of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Decoded query parameters of every records request, in arrival order.</summary>
    public ConcurrentQueue<Dictionary<string, string>> Queries { get; } = new();

    /// <summary>The first notice of <c>samples/rappelconso/v2.1-records-page.json</c>.</summary>
    public static JsonObject Template { get; } = LoadTemplate();

    /// <summary>Publication date of notice <c>i</c> made by <see cref="Notice"/>: one minute apart from 2024-01-01.</summary>
    public static DateTimeOffset DateOf(int i) => new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i);

    public static string NumberOf(int i) => string.Create(CultureInfo.InvariantCulture, $"F-{i:D6}");

    /// <summary>Notice <c>i</c>: the template with number <c>F-00000i</c>, version <paramref name="version"/> and date <see cref="DateOf"/>.</summary>
    public static JsonObject Notice(int i, int version = 1, DateTimeOffset? published = null)
    {
        var notice = (JsonObject)Template.DeepClone();
        notice["numero_fiche"] = NumberOf(i);
        notice["numero_version"] = version;
        notice["id"] = i + 1;
        notice["date_publication"] = (published ?? DateOf(i)).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
        return notice;
    }

    public static RappelConsoFixtureApi Start(int notices) => new(notices);

    /// <summary>Publishes more records (served from the next request on).</summary>
    public void Add(IEnumerable<JsonObject> more)
    {
        lock (gate)
        {
            records.AddRange(more);
        }
    }

    /// <summary>
    /// The next <paramref name="times"/> records requests for <paramref name="offset"/> get <paramref name="status"/>: a
    /// failure that hits one page whatever else is in flight.
    /// </summary>
    public void FailAtOffset(int offset, HttpStatusCode status, int times)
    {
        for (var i = 0; i < times; i++)
        {
            offsetFailures.Enqueue((offset, status));
        }
    }

    /// <summary>The next <paramref name="times"/> records requests get <paramref name="status"/> (with Retry-After when given).</summary>
    public void FailNext(HttpStatusCode status, int times = 1, string? retryAfter = null)
    {
        for (var i = 0; i < times; i++)
        {
            failures.Enqueue((status, retryAfter));
        }
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private static JsonObject LoadTemplate()
    {
        var page = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "rappelconso", "v2.1-records-page.json")))!;
        return (JsonObject)page["results"]![0]!.DeepClone();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shopstream.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Shopstream.sln not found above {AppContext.BaseDirectory}");
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        Requests.Enqueue(Uri.UnescapeDataString(request.Url!.PathAndQuery));
        try
        {
            if (request.Url.AbsolutePath != $"/api/explore/v2.1/catalog/datasets/{Dataset}/records")
            {
                await AnswerAsync(context.Response, HttpStatusCode.NotFound, """{"error_code":"NotFound","message":"Unknown dataset"}""");
                return;
            }

            var query = request.QueryString.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.QueryString[k]!, StringComparer.Ordinal);
            Queries.Enqueue(query);
            if (failures.TryDequeue(out var failure))
            {
                if (failure.RetryAfter is not null)
                {
                    context.Response.Headers["Retry-After"] = failure.RetryAfter;
                }

                await AnswerAsync(context.Response, failure.Status, """{"error_code":"Scripted","message":"scripted failure"}""");
                return;
            }

            if (offsetFailures.TryPeek(out var at) && query.TryGetValue("offset", out var o) && o == at.Offset.ToString(CultureInfo.InvariantCulture)
                && offsetFailures.TryDequeue(out at))
            {
                await AnswerAsync(context.Response, at.Status, """{"error_code":"Scripted","message":"scripted failure"}""");
                return;
            }

            if (PageDelay > TimeSpan.Zero)
            {
                await Task.Delay(PageDelay);
            }

            var (status, body) = Page(query);
            await AnswerAsync(context.Response, status, body);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up or the server is stopping.
        }
    }

    private (HttpStatusCode, string) Page(Dictionary<string, string> query)
    {
        var limit = query.TryGetValue("limit", out var l) ? int.Parse(l, CultureInfo.InvariantCulture) : 10;
        var offset = query.TryGetValue("offset", out var o) ? int.Parse(o, CultureInfo.InvariantCulture) : 0;
        if (limit is < 0 or > 100)
        {
            return (HttpStatusCode.BadRequest, """{"error_code":"InvalidRESTParameterError","message":"Invalid value for limit API parameter: must be between -1 and 100."}""");
        }

        if (offset + limit > 10_000)
        {
            return (HttpStatusCode.BadRequest, """{"error_code":"InvalidRESTParameterError","message":"Invalid value for offset API parameter: offset + limit must be lower or equal to 10000."}""");
        }

        if (query.TryGetValue("order_by", out var orderBy) && orderBy != "date_publication")
        {
            return (HttpStatusCode.BadRequest, """{"error_code":"ODSQLError","message":"this fixture orders by date_publication only"}""");
        }

        DateTimeOffset? since = null;
        if (query.TryGetValue("where", out var where))
        {
            var match = WhereBound().Match(where);
            if (!match.Success)
            {
                return (HttpStatusCode.BadRequest, """{"error_code":"ODSQLError","message":"unsupported where"}""");
            }

            since = DateTimeOffset.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }

        List<JsonObject> matching;
        lock (gate)
        {
            // A stable sort: records of one date keep the order they were published in, as the API's order is stable.
            matching = [.. records
                .Select(r => (Record: r, At: DateTimeOffset.Parse(r["date_publication"]!.GetValue<string>(), CultureInfo.InvariantCulture)))
                .Where(r => since is null || r.At >= since)
                .OrderBy(r => r.At)
                .Select(r => r.Record)];
        }

        var page = new JsonObject
        {
            ["total_count"] = matching.Count,
            ["results"] = new JsonArray([.. matching.Skip(offset).Take(limit).Select(r => r.DeepClone())]),
        };
        return (HttpStatusCode.OK, page.ToJsonString());
    }

    private static async Task AnswerAsync(HttpListenerResponse response, HttpStatusCode status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = (int)status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    [GeneratedRegex(@"^date_publication\s*>=\s*date'([^']+)'$")]
    private static partial Regex WhereBound();
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Shopstream.Tests.Support;

namespace Shopstream.Ingest.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 serving the fixture data the way the APIs do:
/// <c>/fakestore/{entity}</c> as plain arrays, <c>/dummyjson/{entity}?limit=&amp;skip=</c> as page wrappers.
/// Tests can script failures and delays per path and see every request.
/// </summary>
internal sealed class FixtureApiServer : IAsyncDisposable
{
    private readonly LoopbackHttpServer server;
    // Per path, what the next requests get; a null entry means "serve the fixture as usual".
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpListenerResponse, Task>?>> scripted = new();

    private FixtureApiServer()
    {
        server = LoopbackHttpServer.Start(AnswerAsync);
    }

    public int Port => server.Port;

    public Uri FakeStoreBaseUrl => new($"http://127.0.0.1:{Port}/fakestore");

    public Uri DummyJsonBaseUrl => new($"http://127.0.0.1:{Port}/dummyjson/");

    /// <summary>Path and query of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static FixtureApiServer Start() => new();

    /// <summary>A port nothing listens on: connections to it are refused at once.</summary>
    public static int FreePort() => LoopbackHttpServer.FreePort();

    /// <summary>
    /// After <paramref name="afterServing"/> normal answers, the next <paramref name="times"/> requests to
    /// <paramref name="path"/> get this status and no body (with <c>Retry-After: <paramref name="retryAfter"/></c> if given).
    /// </summary>
    public void FailNext(string path, HttpStatusCode status, int times = 1, int afterServing = 0, string? retryAfter = null)
    {
        for (var i = 0; i < afterServing; i++)
        {
            Script(path, null);
        }

        for (var i = 0; i < times; i++)
        {
            Script(path, response =>
            {
                response.StatusCode = (int)status;
                if (retryAfter is not null)
                {
                    response.Headers["Retry-After"] = retryAfter;
                }

                response.Close();
                return Task.CompletedTask;
            });
        }
    }

    /// <summary>The next request to <paramref name="path"/> is answered only after <paramref name="delay"/>.</summary>
    public void DelayNext(string path, TimeSpan delay) =>
        Script(path, async response =>
        {
            await Task.Delay(delay);
            response.StatusCode = 500;
            response.Close();
        });

    /// <summary>The next request to <paramref name="path"/> gets this body with status 200.</summary>
    public void AnswerNext(string path, string body) =>
        Script(path, response => WriteAsync(response, Encoding.UTF8.GetBytes(body)));

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private void Script(string path, Func<HttpListenerResponse, Task>? answer) =>
        scripted.GetOrAdd(path, _ => new ConcurrentQueue<Func<HttpListenerResponse, Task>?>()).Enqueue(answer);

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var url = context.Request.Url!;
        Requests.Enqueue(url.PathAndQuery);
        try
        {
            if (scripted.TryGetValue(url.AbsolutePath, out var queue) && queue.TryDequeue(out var answer) && answer is not null)
            {
                await answer(context.Response);
                return;
            }

            var segments = url.AbsolutePath.Trim('/').Split('/');
            if (segments.Length != 2 || !File.Exists(SampleData.FileOf(segments[0], segments[1])))
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                return;
            }

            var (source, entity) = (segments[0], segments[1]);
            var body = source == "dummyjson"
                ? PageOf(entity, context.Request.QueryString["limit"], context.Request.QueryString["skip"])
                : File.ReadAllBytes(SampleData.FileOf(source, entity));
            await WriteAsync(context.Response, body);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client gave up (timeout test) or the server is stopping.
        }
    }

    /// <summary>DummyJSON's wrapper: default limit 30, <c>limit=0</c> means everything.</summary>
    private static byte[] PageOf(string entity, string? limitText, string? skipText)
    {
        var all = SampleData.Raw("dummyjson", entity);
        var limit = limitText is null ? 30 : int.Parse(limitText, CultureInfo.InvariantCulture);
        var skip = skipText is null ? 0 : int.Parse(skipText, CultureInfo.InvariantCulture);
        var page = all.Skip(skip).Take(limit == 0 ? all.Count : limit).ToList();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(entity);
            writer.WriteStartArray();
            foreach (var item in page)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteNumber("total", all.Count);
            writer.WriteNumber("skip", skip);
            writer.WriteNumber("limit", page.Count);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpListenerResponse response, byte[] body)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Shopstream.Tests.Support;

/// <summary>A real HTTP server on 127.0.0.1 on a free port, answering each request with the given function, for fixture APIs.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Func<HttpListenerContext, Task> answer;
    private readonly Task loop;

    private LoopbackHttpServer(HttpListener listener, int port, Func<HttpListenerContext, Task> answer)
    {
        this.listener = listener;
        this.answer = answer;
        Port = port;
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>Starts serving; <paramref name="answer"/> runs for each request and must close its response.</summary>
    public static LoopbackHttpServer Start(Func<HttpListenerContext, Task> answer)
    {
        // The port is free a moment ago; in the rare race with another process, try again.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, port, answer);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A port nothing listens on: connections to it are refused at once.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => answer(context));
        }
    }
}

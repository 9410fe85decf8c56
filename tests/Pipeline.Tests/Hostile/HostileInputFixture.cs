using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;

namespace Shopstream.Pipeline.Tests.Hostile;

/// <summary>
/// One silo and the real ingest API in front of it, on loopback: hostile bodies go in through HTTP exactly as a client
/// sends them, and what they leave behind is read from PostgreSQL.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime, IDisposable
{
    private WebApplication api = null!;
    private HttpClient http = null!;

    public PipelineCluster Pipeline { get; private set; } = null!;

    public KafkaRecordProducer Producer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pipeline = await PipelineCluster.StartAsync(silos: 1, partitions: 2);
        Producer = Pipeline.Producer();
        api = await EventsApiHost.StartAsync(new EventsApiOptions { Port = 0 }, Producer);
        http = new HttpClient { BaseAddress = EventsApiHost.BaseAddress(api), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Posts raw bytes; returns the status and the answer's JSON (null when it has none).</summary>
    public async Task<(HttpStatusCode Status, JsonElement? Body)> PostAsync(byte[] body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(new Uri("/events", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return (response.StatusCode, null);
        }
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    public async Task<long> ScalarAsync(string sql) => await Pipeline.Database.ScalarAsync(sql);

    public Task<(HttpStatusCode Status, JsonElement? Body)> PostAsync(string body, string contentType = "application/json") =>
        PostAsync(Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>xunit calls this after <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => http?.Dispose();

    public async Task DisposeAsync()
    {
        await api.StopAsync();
        await api.DisposeAsync();
        await Producer.DisposeAsync();
        await Pipeline.DisposeAsync();
    }
}

/// <summary>The hostile-input tests share one silo and ingest API.</summary>
[CollectionDefinition(Name)]
public sealed class HostileInputGroup : ICollectionFixture<HostileInputFixture>
{
    public const string Name = "hostile input";
}

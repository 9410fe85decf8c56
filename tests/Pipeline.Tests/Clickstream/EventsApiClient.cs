using System.Net;
using System.Net.Http.Json;
using System.Text;
using Shopstream.Ingest.Http;

namespace Shopstream.Pipeline.Tests.Clickstream;

/// <summary>Posts bodies to a running ingest API the way a tracker would.</summary>
internal sealed class EventsApiClient(Uri baseAddress, string? apiKey) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(HttpStatusCode Status, EventsResponse? Body)> PostAsync(string body, string contentType = "application/json", string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if ((key ?? apiKey) is { } k)
        {
            request.Headers.Add("X-Api-Key", k);
        }
        using var response = await http.SendAsync(request);
        var parsed = response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest
            ? await response.Content.ReadFromJsonAsync<EventsResponse>()
            : null;
        return (response.StatusCode, parsed);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => http.GetAsync(new Uri(path, UriKind.Relative));

    public void Dispose() => http.Dispose();
}

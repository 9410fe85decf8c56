using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shopstream.Ingest.Http;

namespace Shopstream.Cli;

/// <summary>Posts NDJSON files to <c>POST /events</c>, in bodies below the API's size limit, split at line ends.</summary>
internal sealed class EventFilePoster(HttpClient http, long maxBodyBytes)
{
    /// <summary>Posts one file; returns the events accepted and rejected.</summary>
    public async Task<(int Accepted, int Rejected)> PostAsync(string path, CancellationToken cancellationToken)
    {
        var accepted = 0;
        var rejected = 0;
        foreach (var body in Bodies(await File.ReadAllBytesAsync(path, cancellationToken)))
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync(new Uri("/events", UriKind.Relative), content, cancellationToken);
            if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.BadRequest))
            {
                throw new HttpRequestException(
                    $"POST /events for {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            var result = await response.Content.ReadFromJsonAsync<EventsResponse>(cancellationToken)
                ?? throw new HttpRequestException("POST /events answered without a body");
            accepted += result.Accepted;
            rejected += result.RejectedTotal;
        }
        return (accepted, rejected);
    }

    private IEnumerable<byte[]> Bodies(byte[] file)
    {
        var start = 0;
        while (start < file.Length)
        {
            var end = (int)Math.Min(file.Length, start + maxBodyBytes);
            if (end < file.Length)
            {
                var lastNewline = Array.LastIndexOf(file, (byte)'\n', end - 1, end - start);
                if (lastNewline < start)
                {
                    throw new InvalidOperationException($"a line is longer than the API's body limit of {maxBodyBytes} bytes");
                }
                end = lastNewline + 1;
            }
            yield return file[start..end];
            start = end;
        }
    }
}

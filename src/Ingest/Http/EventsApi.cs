using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Shopstream.Ingest.Http;

/// <summary>
/// <c>POST /events</c> and <c>GET /health</c>. A request is answered 202 with what was accepted and rejected once Kafka
/// acknowledged every event of it, 400 when no event is valid, 413 above <see cref="EventsApiOptions.MaxBodyBytes"/>,
/// 401 without the configured API key, 503 when Kafka did not acknowledge.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/events", PostEventsAsync);
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        return app;
    }

    private static async Task<IResult> PostEventsAsync(HttpContext context, EventsApiOptions options, ClickEventIntake intake)
    {
        if (options.ApiKey is not null && !HasApiKey(context.Request, options.ApiKey))
        {
            return Results.Json(new { error = $"missing or wrong {EventsApiOptions.ApiKeyHeader} header" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var body = await ReadBodyAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return Results.Json(new { error = $"request body larger than {options.MaxBodyBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var events = EventsBody.Read(body, EventsBody.IsNdjson(context.Request.ContentType));
        if (events.Count == 0)
        {
            return Results.Json(new EventsResponse(0, [new EventRejection(0, ["body: no events"])]), statusCode: StatusCodes.Status400BadRequest);
        }

        EventsResponse response;
        try
        {
            response = await intake.AcceptAsync(events, context.RequestAborted);
        }
        catch (IngestException ex)
        {
            return Results.Json(new { error = "Kafka did not acknowledge the events; nothing is confirmed, send them again: " + ex.Message },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(response, statusCode: response.Accepted > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status400BadRequest);
    }

    private static bool HasApiKey(HttpRequest request, string apiKey)
    {
        var sent = request.Headers[EventsApiOptions.ApiKeyHeader].ToString();
        return sent.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(apiKey));
    }

    /// <summary>The whole body, or null as soon as it grows past <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 64 * 1024, maxBytes) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                return null;
            }
        }
    }
}

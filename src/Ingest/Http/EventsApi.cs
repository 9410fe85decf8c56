using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shopstream.Ingest.Http;

/// <summary>
/// <c>POST /events</c>, <c>GET /health</c>, <c>/health/live</c> and <c>/health/ready</c>. A request is answered 202 with
/// what was accepted and rejected once Kafka acknowledged every event of it, 400 when no event is valid, 413 above
/// <see cref="EventsApiOptions.MaxBodyBytes"/> or <see cref="EventsApiOptions.MaxEventsPerBody"/>, 401 without the
/// configured API key, 429 above the rate or concurrency limits, 503 when Kafka did not acknowledge within
/// <see cref="EventsApiOptions.AckTimeout"/>. Every error answer is JSON: <c>{"error": "..."}</c>.
/// </summary>
public static class EventsApi
{
    /// <summary>The path the key guard and the limits apply to.</summary>
    public const string EventsPath = "/events";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(EventsPath, PostEventsAsync);
        // No check behind /health and /health/live: they say the process answers; readiness asks Kafka.
        app.MapHealthAnswer("/health", HealthEndpoints.LiveTag, "ok", "not ok");
        app.MapHealthAnswer("/health/live", HealthEndpoints.LiveTag, "live", "not live");
        app.MapHealthAnswer("/health/ready", HealthEndpoints.ReadyTag, "ready", "not ready");
        return app;
    }

    /// <summary>
    /// Answers 401 to a <c>POST /events</c> without the key before the rate limiter counts it, so anonymous traffic cannot
    /// use up the permits of those who have the key.
    /// </summary>
    public static async Task GuardAsync(HttpContext context, EventsApiOptions options, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(next);
        if (options.ApiKey is not null && context.Request.Path.StartsWithSegments(EventsPath, StringComparison.OrdinalIgnoreCase)
            && !HasApiKey(context.Request, options.ApiKey))
        {
            await Error(StatusCodes.Status401Unauthorized, $"missing or wrong {EventsApiOptions.ApiKeyHeader} header").ExecuteAsync(context);
            return;
        }
        await next();
    }

    /// <summary>The JSON error answer every failure path of the API uses.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> PostEventsAsync(
        HttpContext context, EventsApiOptions options, ClickEventIntake intake, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        var log = loggers.CreateLogger(typeof(EventsApi).FullName!);
        var body = await ReadBodyAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        if (body is null)
        {
            EventsApiLog.BodyTooLarge(log, context.Connection.RemoteIpAddress?.ToString(), options.MaxBodyBytes);
            return Error(StatusCodes.Status413PayloadTooLarge, $"request body larger than {options.MaxBodyBytes} bytes (Shopstream:IngestApiMaxBodyBytes)");
        }

        var events = EventsBody.Read(body, EventsBody.IsNdjson(context.Request.ContentType));
        if (events.Count == 0)
        {
            return Results.Json(new EventsResponse(0, [new EventRejection(0, ["body: no events"])]), statusCode: StatusCodes.Status400BadRequest);
        }
        if (events.Count > options.MaxEventsPerBody)
        {
            EventsApiLog.TooManyEvents(log, context.Connection.RemoteIpAddress?.ToString(), events.Count, options.MaxEventsPerBody);
            return Error(StatusCodes.Status413PayloadTooLarge,
                $"{events.Count} events in one body; at most {options.MaxEventsPerBody} (Shopstream:IngestApiMaxEvents): split it");
        }

        EventsResponse response;
        var waited = Stopwatch.StartNew();
        using var ackWait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        ackWait.CancelAfter(options.AckTimeout);
        // A stop drains: a request still waiting for Kafka gets half the shutdown timeout more, then its 503, so that
        // the process exits in time and the client hears that nothing is confirmed instead of a dropped connection.
        using var stopping = lifetime.ApplicationStopping.Register(() =>
        {
            var drain = options.ShutdownTimeout / 2;
            if (options.AckTimeout - waited.Elapsed > drain)
            {
                ackWait.CancelAfter(drain);
            }
        });
        try
        {
            response = await intake.AcceptAsync(events, ackWait.Token);
        }
        catch (IngestException ex)
        {
            EventsApiLog.NotAcknowledged(log, events.Count, ex.Message);
            return Error(StatusCodes.Status503ServiceUnavailable, "Kafka did not acknowledge the events; nothing is confirmed, send them again: " + ex.Message);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Events already handed to librdkafka may still arrive later; a client that sends them again makes duplicates,
            // which the session grains drop.
            var reason = lifetime.ApplicationStopping.IsCancellationRequested
                ? "the API is stopping"
                : $"no acknowledgement within {options.AckTimeout.TotalSeconds:0.#} s (Shopstream:IngestApiAckTimeout)";
            EventsApiLog.NotAcknowledged(log, events.Count, reason);
            return Error(StatusCodes.Status503ServiceUnavailable, $"Kafka did not acknowledge the events: {reason}; nothing is confirmed, send them again");
        }

        if (response.Rejected.Count > EventsApiOptions.MaxListedRejections)
        {
            response = response with { Rejected = response.Rejected.Take(EventsApiOptions.MaxListedRejections).ToList() };
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
        try
        {
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
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (one byte above ours) tripped inside a read of a chunked body: the same answer.
            return null;
        }
    }
}

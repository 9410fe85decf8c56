using Microsoft.Extensions.Logging;

namespace Shopstream.Ingest.Http;

/// <summary>What the ingest API logs about requests it refuses: one line each, no stack trace (they are the client's doing).</summary>
internal static partial class EventsApiLog
{
    [LoggerMessage(1, LogLevel.Warning, "POST /events from {Client}: body larger than {MaxBytes} bytes, answered 413")]
    public static partial void BodyTooLarge(ILogger logger, string? client, long maxBytes);

    [LoggerMessage(2, LogLevel.Warning, "POST /events from {Client}: {Events} events in one body, more than {MaxEvents}, answered 413")]
    public static partial void TooManyEvents(ILogger logger, string? client, int events, int maxEvents);

    [LoggerMessage(3, LogLevel.Warning, "POST /events: Kafka did not acknowledge {Events} events, answered 503: {Reason}")]
    public static partial void NotAcknowledged(ILogger logger, int events, string reason);

    [LoggerMessage(4, LogLevel.Warning, "POST /events from {Client}: over the rate or concurrency limit, answered 429")]
    public static partial void Limited(ILogger logger, string? client);
}

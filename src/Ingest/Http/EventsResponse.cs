namespace Shopstream.Ingest.Http;

/// <summary>The answer to <c>POST /events</c>: <c>{"accepted": n, "rejected": [{"index": i, "errors": [...]}]}</c>.</summary>
public sealed record EventsResponse(int Accepted, IReadOnlyList<EventRejection> Rejected);

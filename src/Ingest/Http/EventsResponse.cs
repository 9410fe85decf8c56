namespace Shopstream.Ingest.Http;

/// <summary>
/// The answer to <c>POST /events</c>: <c>{"accepted": n, "rejected": [{"index": i, "errors": [...]}], "rejectedTotal": m}</c>.
/// The API lists at most <see cref="EventsApiOptions.MaxListedRejections"/> rejections; <see cref="RejectedTotal"/>
/// counts all of them.
/// </summary>
public sealed record EventsResponse(int Accepted, IReadOnlyList<EventRejection> Rejected)
{
    /// <summary>Events rejected, including those beyond the listed ones.</summary>
    public int RejectedTotal { get; init; } = Rejected.Count;
}

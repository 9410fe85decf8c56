using System.Text.Json;

namespace Shopstream.Ingest.Http;

/// <summary>One event as found in a request body, before normalization.</summary>
/// <param name="Index">Its position in the body: 0-based among the array's elements, or the 0-based NDJSON line number
/// (blank lines counted).</param>
/// <param name="Element">The parsed JSON; default when it was not usable JSON.</param>
/// <param name="Text">When it was not usable JSON: what is kept for its rejection, a bounded, masked excerpt with the
/// SHA-256 of the whole (<see cref="Rejection.RejectedPayload.Excerpt(System.ReadOnlySpan{byte})"/>).</param>
/// <param name="Error">Why it could not be parsed; null when it could.</param>
public sealed record RawEvent(int Index, JsonElement Element, string? Text, string? Error);

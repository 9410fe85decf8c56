using System.Text.Json;

namespace Shopstream.Ingest.Http;

/// <summary>One event as found in a request body, before normalization.</summary>
/// <param name="Index">Its position in the body: 0-based among the array's items or the non-blank NDJSON lines.</param>
/// <param name="Element">The parsed JSON; default when it was not valid JSON.</param>
/// <param name="Text">The raw text when it was not valid JSON (kept for the rejection).</param>
/// <param name="Error">Why it could not be parsed; null when it could.</param>
public sealed record RawEvent(int Index, JsonElement Element, string? Text, string? Error);

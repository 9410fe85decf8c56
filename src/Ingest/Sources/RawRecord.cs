using System.Text.Json;

namespace Shopstream.Ingest.Sources;

/// <summary>One record as the API delivered it, with its position in the feed (used to key records without a usable id).</summary>
/// <param name="Element">The raw JSON value; owns its memory (not tied to a disposed document).</param>
/// <param name="Index">Zero-based position in the feed, counted across pages.</param>
public readonly record struct RawRecord(JsonElement Element, int Index);

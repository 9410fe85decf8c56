using System.Text.Json;

namespace Shopstream.Ingest.Normalization;

/// <summary>Turns one raw API record of one entity into a normalized record, or says why it cannot.</summary>
/// <typeparam name="TRecord">The normalized record type.</typeparam>
public interface IRecordNormalizer<TRecord>
    where TRecord : class
{
    /// <summary>The entity (= stream namespace) this normalizer handles.</summary>
    string Entity { get; }

    /// <summary>Normalizes <paramref name="raw"/>, read from <paramref name="source"/>. Never throws for bad data.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> is not a known source.</exception>
    NormalizationResult<TRecord> Normalize(string source, JsonElement raw);
}

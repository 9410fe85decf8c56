using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains.Interfaces;

/// <summary>
/// The one content hash: lower-case hex SHA-256. Its values are stored (fact event keys, rejection fingerprints,
/// e-mail hashes, feed event ids, content hashes) and compared across runs, so a recipe never changes once used.
/// </summary>
public static class ContentHash
{
    /// <summary>Between parts: a control character no id or name contains, so ("a", "bc") and ("ab", "c") differ.</summary>
    public const char PartSeparator = '\u001f';

    /// <summary>A null part, so that a null and an empty part differ.</summary>
    public const string NullPart = "\u0000";

    /// <summary>Hash of the UTF-8 bytes of <paramref name="text"/> (an unpaired surrogate counts as U+FFFD).</summary>
    public static string OfText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return OfBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Hash of <paramref name="bytes"/>.</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Hash of the parts joined as <see cref="JoinParts"/> does.</summary>
    public static string OfParts(params string?[] parts) => OfText(JoinParts(parts));

    /// <summary>The parts joined with <see cref="PartSeparator"/>, a null part written as <see cref="NullPart"/>.</summary>
    public static string JoinParts(params string?[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return string.Join(PartSeparator, parts.Select(p => p ?? NullPart));
    }

    /// <summary>Hash of a record's canonical JSON (<see cref="WireFormat.Json"/>): equal content, equal hash.</summary>
    public static string OfRecord<T>(T record) => OfBytes(JsonSerializer.SerializeToUtf8Bytes(record, WireFormat.Json));
}

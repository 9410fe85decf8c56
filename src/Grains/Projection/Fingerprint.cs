using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shopstream.Grains.Interfaces.Wire;

namespace Shopstream.Grains.Projection;

/// <summary>Content hashes: equal content, equal hash, whatever the Kafka offset or ingest time.</summary>
public static class Fingerprint
{
    /// <summary>Hex SHA-256 of a record's canonical JSON.</summary>
    public static string Of<T>(T record) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(record, WireFormat.Json)));

    /// <summary>Hex SHA-256 of text parts joined with a separator that cannot occur in them ambiguously.</summary>
    public static string OfParts(params string?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts.Select(p => p ?? "\u0000")))));
}

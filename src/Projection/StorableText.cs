using System.Globalization;
using System.Text;
using Shopstream.Grains.Interfaces;

namespace Shopstream.Projection;

/// <summary>
/// Makes any text storable in a PostgreSQL <c>text</c> column: what PostgreSQL cannot take (NUL) and what UTF-8 cannot
/// encode (an unpaired surrogate) is written as a visible <c>\uXXXX</c> escape, and text beyond a maximum is cut and
/// ends with its full length and SHA-256, so that a rejected record can always be kept and still be told apart.
/// </summary>
internal static class StorableText
{
    /// <summary>Longest payload kept in <c>rejected_records</c>, in characters.</summary>
    public const int MaxPayloadChars = 64 * 1024;

    /// <summary>Longest key or reason kept in <c>rejected_records</c>, in characters.</summary>
    public const int MaxShortChars = 1024;

    /// <summary>The text as it can be stored, at most about <paramref name="maxChars"/> characters long.</summary>
    public static string Of(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = NeedsEscaping(text) ? Escape(text) : text;
        if (clean.Length <= maxChars)
        {
            return clean;
        }
        var cut = maxChars;
        if (char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{clean.AsSpan(0, cut)}... [cut: {text.Length} chars, sha256 {Sha256Hex(text)}]");
    }

    /// <summary>The text as it can be stored, or null.</summary>
    public static string? OfNullable(string? text, int maxChars) => text is null ? null : Of(text, maxChars);

    private static bool NeedsEscaping(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return true;
            }
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }
                i++;
            }
        }
        return false;
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    // Hashed as UTF-16 code units: the text may hold unpaired surrogates, which UTF-8 cannot encode.
    private static string Sha256Hex(string text) =>
        ContentHash.OfBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan()));
}

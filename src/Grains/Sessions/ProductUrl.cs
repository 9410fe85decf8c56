using System.Globalization;
using System.Text.RegularExpressions;

namespace Shopstream.Grains.Sessions;

/// <summary>
/// What a product page's URL says about the product when the catalogue does not know it: a name from its slug
/// (<c>/products/essence-mascara-lash-princess</c> → <c>Essence Mascara Lash Princess</c>) and a language from a
/// leading language segment (<c>/fr/produits/...</c> → <c>fr</c>).
/// </summary>
public static partial class ProductUrl
{
    // Path segments that name a kind of page, not a product.
    private static readonly HashSet<string> PageWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "product", "products", "produit", "produits", "p", "item", "items", "dp", "shop", "store", "catalog", "catalogue",
        "detail", "details", "view", "pd",
    };

    /// <summary>The name in the URL's last meaningful path segment, or null when there is none (an id-only URL).</summary>
    public static string? NameOf(string? url, string? productId)
    {
        var segments = SegmentsOf(url);
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var segment = ExtensionPattern().Replace(segments[i], "");
            if (productId is not null && segment.EndsWith("-" + productId, StringComparison.OrdinalIgnoreCase))
            {
                segment = segment[..^(productId.Length + 1)];
            }
            if (segment.Length == 0 || string.Equals(segment, productId, StringComparison.OrdinalIgnoreCase)
                || segment.All(char.IsAsciiDigit) || (i == 0 && LanguagePattern().IsMatch(segment)))
            {
                continue;
            }
            if (PageWords.Contains(segment) || !segment.Any(char.IsLetter))
            {
                return null;
            }
            var words = segment.Split(['-', '_', '+', ' '], StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Select(w => char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..]));
        }
        return null;
    }

    /// <summary>The language of a URL whose first path segment is a language code (<c>en</c>, <c>pt-br</c>), else null.</summary>
    public static string? LanguageOf(string? url)
    {
        var segments = SegmentsOf(url);
        return segments.Count > 1 && LanguagePattern().IsMatch(segments[0]) ? segments[0].ToLowerInvariant() : null;
    }

    private static List<string> SegmentsOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return [];
        }
        return [.. uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).Select(s => s.Trim())];
    }

    [GeneratedRegex(@"\.(html?|php|aspx?|jsp)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionPattern();

    [GeneratedRegex(@"^[a-z]{2}([-_][a-z]{2})?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LanguagePattern();
}

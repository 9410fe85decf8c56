using System.Globalization;
using Shopstream.Grains.Interfaces;

namespace Shopstream.Grains.Sessions;

/// <summary>
/// The catalogue product (<c>source:id</c>, as the products stream keys it) an event's product id refers to: the id
/// itself when it has that form (<c>dummyjson:5</c>), else the configured events catalogue with the plain id
/// (<c>5</c>), else none: which catalogue a bare id belongs to is not guessed.
/// </summary>
public sealed record CatalogueProduct(string Source, long Id)
{
    /// <summary>The product grain key, <c>source:id</c>.</summary>
    public string Key => new EntityKey(Source, Id).ToString();

    public static CatalogueProduct? Of(string productKey, string? eventsCatalogue)
    {
        ArgumentNullException.ThrowIfNull(productKey);
        if (EntityKey.TryParse(productKey, out var key))
        {
            return key.Source.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-') && IdOf(key.Id) is { } qualified
                ? new CatalogueProduct(key.Source, qualified)
                : null;
        }
        return !string.IsNullOrEmpty(eventsCatalogue) && IdOf(productKey) is { } plain ? new CatalogueProduct(eventsCatalogue, plain) : null;
    }

    private static long? IdOf(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

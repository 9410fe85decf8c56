using System.Collections.Immutable;
using System.Globalization;
using Shopstream.Grains.Interfaces.Records;

namespace Shopstream.Ingest.RappelConso;

/// <summary>
/// Parses <c>identification_produits</c>. Its canonical form is one string: products separated by <c>|</c>, each
/// <c>gtin$lot$date type$date[$date]</c> (<c>"$22ej084c01$date limite de consommation$2022-04-13$"</c>: no GTIN).
/// Some replies give it already split on <c>$</c> as a list of strings (<c>["3574100075109", "2017006", ..., "2022-12-05",
/// "|3574100075109", ...]</c>); joined back with <c>$</c> it is the same string. A part is a GTIN only when it is 8 to 14
/// digits; a product without one starts with its lot.
/// </summary>
internal static class RecallProducts
{
    public static ImmutableArray<RecallProduct> Parse(string text)
    {
        var products = ImmutableArray.CreateBuilder<RecallProduct>();
        foreach (var entry in text.Split('|'))
        {
            var parts = entry.Split('$').Select(p => p.Trim()).ToList();
            string? gtin = null;
            if (parts.Count > 1 && (parts[0].Length == 0 || IsGtin(parts[0])))
            {
                gtin = parts[0].Length == 0 ? null : parts[0];
                parts.RemoveAt(0);
            }
            else if (parts.Count == 1 && IsGtin(parts[0]))
            {
                gtin = parts[0];
                parts.Clear();
            }

            parts.RemoveAll(p => p.Length == 0);
            var lot = parts.Count > 0 ? parts[0] : null;
            var dateType = parts.Count > 1 ? parts[1] : null;
            // A range ("2021-07-31", "2021-10-31") keeps its first date: the one the date type names first.
            DateOnly? date = parts.Skip(2).Select(DateOf).FirstOrDefault(d => d is not null);
            if (gtin is not null || lot is not null || dateType is not null)
            {
                products.Add(new RecallProduct(gtin, lot, dateType, date));
            }
        }

        return products.ToImmutable();
    }

    private static bool IsGtin(string part) => part.Length is >= 8 and <= 14 && part.All(char.IsAsciiDigit);

    private static DateOnly? DateOf(string part) =>
        DateOnly.TryParseExact(part, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}

using System.Globalization;

namespace Shopstream.Grains.Projection;

/// <summary>Fields the rows in <see cref="ProductRow"/> and <see cref="CartRow"/> carry that no source sends: computed from the record by its grain.</summary>
public static class DerivedFields
{
    /// <summary>
    /// Price band: under 50 is <c>économique</c>, under 100 <c>moyen</c>, otherwise <c>premium</c>; null without a price.
    /// </summary>
    public static string? PriceCategory(decimal? price) => price switch
    {
        null => null,
        < 50m => "économique",
        < 100m => "moyen",
        _ => "premium",
    };

    /// <summary>English weekday name of a UTC date, e.g. <c>Monday</c>; null without a date.</summary>
    public static string? DayOfWeek(DateTime? utcDate) =>
        utcDate?.ToUniversalTime().DayOfWeek.ToString();

    /// <summary>English month name of a UTC date, e.g. <c>March</c>; null without a date.</summary>
    public static string? Month(DateTime? utcDate) =>
        utcDate?.ToUniversalTime().ToString("MMMM", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Shopstream.Projection.Clickstream;

/// <summary>One row of <c>dim_date</c>: the calendar attributes of a date the reports group and filter by.</summary>
public sealed record DateDimension
{
    private static readonly string[] DayShortNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary><c>yyyymmdd</c> as an integer, e.g. 20240131.</summary>
    public required int DateKey { get; init; }

    public required DateOnly FullDate { get; init; }

    /// <summary>ISO 8601 day number: Monday = 1 ... Sunday = 7.</summary>
    public required int DayOfWeek { get; init; }

    /// <summary>Mon, Tue, Wed, Thu, Fri, Sat, Sun.</summary>
    public required string DayOfWeekShort { get; init; }

    /// <summary><c>weekday</c> Monday to Friday, <c>weekend</c> Saturday and Sunday.</summary>
    public required string IsWeekdayOrWeekend { get; init; }

    public required int DayOfMonth { get; init; }

    /// <summary><c>yyyy-MM</c>, e.g. 2024-01.</summary>
    public required string YearMonth { get; init; }

    /// <summary>The English month name, e.g. January; fixed rather than culture-dependent so reports read the same everywhere.</summary>
    public required string Month { get; init; }

    public required int DayOfYear { get; init; }

    /// <summary>
    /// ISO 8601 week number (1-53): weeks start on Monday and week 1 holds the year's first Thursday, so
    /// 2021-01-03 is in week 53 (of 2020) and 2024-12-30 in week 1 (of 2025). <see cref="Year"/> stays the calendar year.
    /// </summary>
    public required int WeekOfYear { get; init; }

    /// <summary>1-4.</summary>
    public required int QuarterNumber { get; init; }

    /// <summary>The calendar year.</summary>
    public required int Year { get; init; }

    public static DateDimension Of(DateOnly date)
    {
        var isoDay = date.DayOfWeek == System.DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek;
        return new DateDimension
        {
            DateKey = (date.Year * 10000) + (date.Month * 100) + date.Day,
            FullDate = date,
            DayOfWeek = isoDay,
            DayOfWeekShort = DayShortNames[isoDay - 1],
            IsWeekdayOrWeekend = isoDay <= 5 ? "weekday" : "weekend",
            DayOfMonth = date.Day,
            YearMonth = date.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            Month = MonthNames[date.Month - 1],
            DayOfYear = date.DayOfYear,
            WeekOfYear = ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue)),
            QuarterNumber = ((date.Month - 1) / 3) + 1,
            Year = date.Year,
        };
    }

    /// <summary>The row of the UTC date of <paramref name="at"/>, the date a fact's <c>date_key</c> refers to.</summary>
    public static DateDimension Of(DateTimeOffset at) => Of(DateOnly.FromDateTime(at.UtcDateTime));
}

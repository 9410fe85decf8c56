using Shopstream.Projection.Clickstream;

namespace Shopstream.Projection.Tests;

public sealed class DateDimensionTests
{
    [Fact]
    public void A_date_gives_its_whole_dim_date_row()
    {
        Assert.Equal(
            new DateDimension
            {
                DateKey = 20240131,
                FullDate = new DateOnly(2024, 1, 31),
                DayOfWeek = 3,
                DayOfWeekShort = "Wed",
                IsWeekdayOrWeekend = "weekday",
                DayOfMonth = 31,
                YearMonth = "2024-01",
                Month = "January",
                DayOfYear = 31,
                WeekOfYear = 5,
                QuarterNumber = 1,
                Year = 2024,
            },
            DateDimension.Of(new DateOnly(2024, 1, 31)));
    }

    [Theory]
    [InlineData("2024-07-01", 1, "Mon", "weekday")]
    [InlineData("2024-07-02", 2, "Tue", "weekday")]
    [InlineData("2024-07-03", 3, "Wed", "weekday")]
    [InlineData("2024-07-04", 4, "Thu", "weekday")]
    [InlineData("2024-07-05", 5, "Fri", "weekday")]
    [InlineData("2024-07-06", 6, "Sat", "weekend")]
    [InlineData("2024-07-07", 7, "Sun", "weekend")]
    public void Days_of_the_week_run_from_monday_1_to_sunday_7(string date, int dayOfWeek, string shortName, string kind)
    {
        var row = DateDimension.Of(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(dayOfWeek, row.DayOfWeek);
        Assert.Equal(shortName, row.DayOfWeekShort);
        Assert.Equal(kind, row.IsWeekdayOrWeekend);
    }

    [Theory]
    [InlineData("2021-01-03", 53, 2021)] // a Sunday: still the last ISO week of 2020
    [InlineData("2021-01-04", 1, 2021)]
    [InlineData("2020-12-31", 53, 2020)]
    [InlineData("2024-12-30", 1, 2024)] // a Monday: already ISO week 1 of 2025
    [InlineData("2024-12-29", 52, 2024)]
    [InlineData("2023-01-01", 52, 2023)]
    [InlineData("2026-01-01", 1, 2026)]
    [InlineData("2027-01-01", 53, 2027)]
    [InlineData("2015-12-31", 53, 2015)]
    public void Week_of_year_is_the_iso_8601_week_while_year_stays_the_calendar_year(string date, int week, int year)
    {
        var row = DateDimension.Of(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(week, row.WeekOfYear);
        Assert.Equal(year, row.Year);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(4, 2)]
    [InlineData(6, 2)]
    [InlineData(7, 3)]
    [InlineData(9, 3)]
    [InlineData(10, 4)]
    [InlineData(12, 4)]
    public void Quarter_follows_the_month(int month, int quarter)
    {
        Assert.Equal(quarter, DateDimension.Of(new DateOnly(2024, month, 15)).QuarterNumber);
    }

    [Fact]
    public void Month_names_year_month_and_day_of_year_count_leap_days()
    {
        var newYearsEve = DateDimension.Of(new DateOnly(2024, 12, 31));
        var leapDay = DateDimension.Of(new DateOnly(2024, 2, 29));

        Assert.Equal((20241231, "December", "2024-12", 366, 31), (newYearsEve.DateKey, newYearsEve.Month, newYearsEve.YearMonth, newYearsEve.DayOfYear, newYearsEve.DayOfMonth));
        Assert.Equal((20240229, "February", "2024-02", 60), (leapDay.DateKey, leapDay.Month, leapDay.YearMonth, leapDay.DayOfYear));
        Assert.Equal(365, DateDimension.Of(new DateOnly(2023, 12, 31)).DayOfYear);
    }

    [Fact]
    public void Month_names_are_english_whatever_the_current_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var row = DateDimension.Of(new DateOnly(2024, 3, 4));
            Assert.Equal(("March", "Mon", "2024-03"), (row.Month, row.DayOfWeekShort, row.YearMonth));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void An_instant_belongs_to_its_utc_date()
    {
        var row = DateDimension.Of(new DateTimeOffset(2024, 1, 1, 0, 30, 0, TimeSpan.FromHours(2)));

        Assert.Equal(20231231, row.DateKey);
        Assert.Equal(new DateOnly(2023, 12, 31), row.FullDate);
    }
}

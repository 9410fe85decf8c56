using System.Globalization;
using System.Text.RegularExpressions;

namespace Shopstream.Ingest.Events;

/// <summary>
/// Parses ISO 8601 / RFC 3339 date-times strictly. <see cref="DateTimeOffset.TryParse(string?, out DateTimeOffset)"/>
/// would also take "1/2/2024" or "Tuesday", which a timestamp from a tracker never legitimately is.
/// </summary>
/// <remarks>
/// Accepted: <c>yyyy-MM-ddTHH:mm[:ss[.fraction]][Z|±HH:mm|±HHmm]</c>, with <c>T</c> or a space between date and time
/// (RFC 3339 allows the space) and up to 9 fraction digits (kept to the 100 ns tick). No offset means UTC.
/// Digits are ASCII only: <c>\d</c> would also match Arabic-Indic or full-width digits, which the parse then refuses.
/// </remarks>
internal static partial class Iso8601
{
    public static bool TryParse(string? text, out DateTimeOffset utc)
    {
        utc = default;
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var year = Number(match, "year");
        var month = Number(match, "month");
        var day = Number(match, "day");
        var hour = Number(match, "hour");
        var minute = Number(match, "minute");
        var second = match.Groups["second"].Success ? Number(match, "second") : 0;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        if (match.Groups["sign"].Success)
        {
            var offsetHours = Number(match, "offsetHours");
            var offsetMinutes = Number(match, "offsetMinutes");
            if (offsetHours > 14 || offsetMinutes > 59)
            {
                return false;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (match.Groups["sign"].Value == "-")
            {
                offset = -offset;
            }
        }

        var fraction = match.Groups["fraction"].Value;
        var ticks = fraction.Length == 0
            ? 0
            : long.Parse(fraction.Length >= 7 ? fraction[..7] : fraction.PadRight(7, '0'), CultureInfo.InvariantCulture);
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);

        // Near 0001-01-01 or 9999-12-31 an offset can push the instant outside what DateTimeOffset holds.
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static int Number(Match match, string group) =>
        int.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(
        @"^(?<year>[0-9]{4})-(?<month>[0-9]{2})-(?<day>[0-9]{2})[T ](?<hour>[0-9]{2}):(?<minute>[0-9]{2})" +
        @"(?::(?<second>[0-9]{2})(?:[.,](?<fraction>[0-9]{1,9}))?)?" +
        @"(?:Z|(?<sign>[+-])(?<offsetHours>[0-9]{2}):?(?<offsetMinutes>[0-9]{2}))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pattern();
}

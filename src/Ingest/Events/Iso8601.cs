
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
internal static class Iso8601
{
    public static bool TryParse(string? text, out DateTimeOffset utc)
    {
        utc = default;
        if (text is null)
        {
            return false;
        }

        // Read left to right over the trimmed text, with no allocation: this runs for every event at the door.
        var s = text.AsSpan().Trim();
        var at = 0;
        if (!Digits(s, ref at, 4, out var year) || !Char(s, ref at, '-') || !Digits(s, ref at, 2, out var month)
            || !Char(s, ref at, '-') || !Digits(s, ref at, 2, out var day))
        {
            return false;
        }

        if (at >= s.Length || s[at] is not ('T' or 't' or ' '))
        {
            return false;
        }

        at++;
        if (!Digits(s, ref at, 2, out var hour) || !Char(s, ref at, ':') || !Digits(s, ref at, 2, out var minute))
        {
            return false;
        }

        var second = 0;
        long ticks = 0;
        if (at < s.Length && s[at] == ':')
        {
            at++;
            if (!Digits(s, ref at, 2, out second))
            {
                return false;
            }

            if (at < s.Length && s[at] is '.' or ',')
            {
                at++;
                var digits = 0;
                while (at < s.Length && IsDigit(s[at]))
                {
                    // Up to 9 digits, kept to the 100 ns tick (7 digits).
                    if (digits < 7)
                    {
                        ticks = (ticks * 10) + (s[at] - '0');
                    }

                    digits++;
                    at++;
                }

                if (digits is 0 or > 9)
                {
                    return false;
                }

                for (var d = Math.Min(digits, 7); d < 7; d++)
                {
                    ticks *= 10;
                }
            }
        }

        var offset = TimeSpan.Zero;
        if (at < s.Length && s[at] is 'Z' or 'z')
        {
            at++;
        }
        else if (at < s.Length && s[at] is '+' or '-')
        {
            var negative = s[at] == '-';
            at++;
            if (!Digits(s, ref at, 2, out var offsetHours))
            {
                return false;
            }

            if (at < s.Length && s[at] == ':')
            {
                at++;
            }

            if (!Digits(s, ref at, 2, out var offsetMinutes) || offsetHours > 14 || offsetMinutes > 59)
            {
                return false;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (negative)
            {
                offset = -offset;
            }
        }

        if (at != s.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

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

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    /// <summary>Exactly <paramref name="count"/> ASCII digits at <paramref name="at"/>.</summary>
    private static bool Digits(ReadOnlySpan<char> s, ref int at, int count, out int value)
    {
        value = 0;
        if (at + count > s.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var c = s[at + i];
            if (!IsDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        at += count;
        return true;
    }

    private static bool Char(ReadOnlySpan<char> s, ref int at, char expected)
    {
        if (at >= s.Length || s[at] != expected)
        {
            return false;
        }

        at++;
        return true;
    }
}

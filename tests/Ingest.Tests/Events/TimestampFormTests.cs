using Xunit;
using Shopstream.Ingest.Events;

namespace Shopstream.Ingest.Tests.Events;

/// <summary>
/// Every form of ISO 8601 / RFC 3339 date-time the door takes, with the instant it stands for (worked out by hand), and
/// forms it refuses; the README's "Event shapes" lists the accepted form.
/// </summary>
public sealed class TimestampFormTests
{
    [Theory]
    [InlineData("2024-05-01T08:15:30Z", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01t08:15:30z", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01 08:15:30Z", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01T08:15", "2024-05-01T08:15:00.0000000+00:00")]
    [InlineData("2024-05-01T08:15Z", "2024-05-01T08:15:00.0000000+00:00")]
    [InlineData("2024-05-01T08:15:30", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("  2024-05-01T08:15:30Z\n", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01T08:15:30.5Z", "2024-05-01T08:15:30.5000000+00:00")]
    [InlineData("2024-05-01T08:15:30,25Z", "2024-05-01T08:15:30.2500000+00:00")]
    [InlineData("2024-05-01T08:15:30.1234567Z", "2024-05-01T08:15:30.1234567+00:00")]
    [InlineData("2024-05-01T08:15:30.123456789Z", "2024-05-01T08:15:30.1234567+00:00")]
    [InlineData("2024-05-01T10:15:30+02:00", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01T10:15:30+0200", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01T02:45:30-05:30", "2024-05-01T08:15:30.0000000+00:00")]
    [InlineData("2024-05-01T00:30:00+01:00", "2024-04-30T23:30:00.0000000+00:00")]
    [InlineData("2024-02-29T23:59:59.9999999+14:00", "2024-02-29T09:59:59.9999999+00:00")]
    [InlineData("2024-05-01T08:15+01:00", "2024-05-01T07:15:00.0000000+00:00")]
    public void An_accepted_form_gives_its_instant_in_utc(string timestamp, string expectedUtc)
    {
        var result = new ClickEventNormalizer().Normalize(Event(timestamp));

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), result.Event.OccurredAt);
        Assert.Equal(TimeSpan.Zero, result.Event.OccurredAt.Offset);
    }

    [Theory]
    [InlineData("2024-05-01T08:15:30.1234567890Z")] // 10 fraction digits
    [InlineData("2024-05-01T08:15:30.Z")]
    [InlineData("2024-05-01T08:15.5Z")] // a fraction needs seconds
    [InlineData("2024-05-01T8:15:30Z")]
    [InlineData("24-05-01T08:15:30Z")]
    [InlineData("2024-5-01T08:15:30Z")]
    [InlineData("2024-05-01X08:15:30Z")]
    [InlineData("2024-05-01T08:15:30ZZ")]
    [InlineData("2024-05-01T08:15:30+2:00")]
    [InlineData("2024-05-01T08:15:30+02:0")]
    [InlineData("2024-05-01T08:15:30+02")]
    [InlineData("2024-05-01T08:15:30 +02:00")]
    [InlineData("2024-05-01T08:15:30+02:60")]
    [InlineData("2024-05-01T08:60:00Z")]
    [InlineData("2024-05-01T08:15:60Z")]
    [InlineData("2023-02-29T08:15:30Z")]
    [InlineData("2024-13-01T08:15:30Z")]
    [InlineData("2024-00-01T08:15:30Z")]
    [InlineData("2024-05-00T08:15:30Z")]
    [InlineData("２０２４-05-01T08:15:30Z")] // full-width digits
    [InlineData("2024-05-01T08:15:30Z trailing")]
    [InlineData("2024-05-01T")]
    public void Other_forms_are_refused(string timestamp)
    {
        var result = new ClickEventNormalizer().Normalize(Event(timestamp));

        Assert.False(result.IsAccepted);
        Assert.Contains("timestamp: not an ISO 8601 date", result.Errors);
    }

    private static string Event(string timestamp) =>
        $$"""{"event_id":"e1","event_type":"page_view","session_id":"s1","timestamp":{{System.Text.Json.JsonSerializer.Serialize(timestamp)}}}""";
}

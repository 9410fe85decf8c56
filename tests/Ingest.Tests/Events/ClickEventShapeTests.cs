using Shopstream.Ingest.Events;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests.Events;

public sealed class ClickEventShapeTests
{
    [Theory]
    [InlineData("""{"event_id":"e1"}""", ClickEventShape.Generic)]
    [InlineData("""{"event_type":"page_view"}""", ClickEventShape.Generic)]
    [InlineData("""{"event_id":"e1","collection":"view_product_detail","time_stamp":1}""", ClickEventShape.Generic)]
    [InlineData("""{"collection":"view_product_detail"}""", ClickEventShape.WebTracker)]
    [InlineData("""{"time_stamp":1591266092}""", ClickEventShape.WebTracker)]
    [InlineData("""{"_id":"5ed8"}""", ClickEventShape.WebTracker)]
    [InlineData("""{"api_version":"1.0","timestamp":"2024-05-01T10:15:30Z"}""", ClickEventShape.WebTracker)]
    [InlineData("""{"timestamp":"2024-05-01T10:15:30Z"}""", ClickEventShape.ProductViewFeed)]
    [InlineData("""{"remote_ip":"1.2.3.4"}""", ClickEventShape.ProductViewFeed)]
    [InlineData("""{"product_id":1,"device_id":"d"}""", ClickEventShape.Unknown)]
    [InlineData("""{}""", ClickEventShape.Unknown)]
    [InlineData("""[{"event_id":"e1"}]""", ClickEventShape.Unknown)]
    public void Shape_is_told_by_the_fields_only_that_shape_has(string json, ClickEventShape shape)
    {
        Assert.Equal(shape, ClickEventNormalizer.ShapeOf(SampleData.Json(json)));
    }

    [Fact]
    public void Sub_tick_fractions_are_cut_to_the_tick_not_rejected()
    {
        var result = new ClickEventNormalizer().Normalize(
            """{"event_id":"e1","event_type":"page_view","session_id":"s1","timestamp":"2024-05-01T08:15:30.123456789Z"}""");

        Assert.True(result.IsAccepted, string.Join("; ", result.Errors));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 8, 15, 30, TimeSpan.Zero).AddTicks(1234567), result.Event.OccurredAt);
    }
}

using Shopstream.Ingest.Feeds;
using Shopstream.Streaming.Kafka;
using Xunit;

namespace Shopstream.Ingest.Tests.Feeds;

public sealed class FeedOptionsTests
{
    private static FeedOptions Valid() => new() { Bootstrap = "127.0.0.1:1", Topic = "product_view", Shape = "web-tracker" };

    [Fact]
    public void Unknown_shape_is_refused_naming_the_feeds_key()
    {
        var options = Valid();
        options.Shape = "xml";

        var ex = Assert.Throws<IngestException>(() => options.Validate("tracker"));

        Assert.Equal("setting Shopstream:Feeds:tracker:Shape must be web-tracker, product-view-feed, generic, not 'xml'", ex.Message);
    }

    [Fact]
    public void Client_setting_librdkafka_refuses_is_named_with_the_feeds_client_key()
    {
        LibrdkafkaLocator.EnsureLoaded();
        var options = Valid();
        options.Client["sasl.mechanism"] = "PLAIN";
        options.Client["security.protocol"] = "carrier_pigeon";

        var ex = Assert.Throws<IngestException>(() => options.Validate("tracker"));

        Assert.StartsWith("setting Shopstream:Feeds:tracker:Client:security.protocol: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_position_other_than_earliest_or_latest_is_refused()
    {
        var options = Valid();
        options.StartPosition = "middle";

        var ex = Assert.Throws<IngestException>(() => options.Validate("tracker"));

        Assert.Equal("setting Shopstream:Feeds:tracker:StartPosition must be earliest or latest, not 'middle'", ex.Message);
    }

    [Fact]
    public void Feed_group_defaults_to_one_per_feed_name()
    {
        Assert.Equal("shopstream-feed-tracker", Valid().ToConsumerConfig("tracker").GroupId);
    }
}

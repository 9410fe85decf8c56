using Confluent.Kafka;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;
using Xunit;

namespace Shopstream.Ingest.Tests;

public sealed class KafkaProducerOptionsTests
{
    [Fact]
    public void Producer_is_idempotent_with_acks_all()
    {
        var config = new KafkaProducerOptions { BootstrapServers = "kafka:9092" }.ToProducerConfig();

        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal("kafka:9092", config.BootstrapServers);
    }

    [Fact]
    public void Extra_client_settings_are_passed_through()
    {
        var options = new KafkaProducerOptions();
        options.ClientSettings["security.protocol"] = "SASL_SSL";
        options.ClientSettings["sasl.mechanism"] = "SCRAM-SHA-512";
        options.ClientSettings["sasl.username"] = "ingest";
        options.ClientSettings["linger.ms"] = "50";

        var config = options.ToProducerConfig();

        Assert.Equal("SASL_SSL", config.Get("security.protocol"));
        Assert.Equal("SCRAM-SHA-512", config.Get("sasl.mechanism"));
        Assert.Equal("ingest", config.Get("sasl.username"));
        Assert.Equal(50, config.LingerMs);
        options.Validate();
    }

    [Theory]
    [InlineData("enable.idempotence", "false")]
    [InlineData("acks", "1")]
    public void Delivery_guarantees_cannot_be_weakened_through_client_settings(string key, string value)
    {
        var options = new KafkaProducerOptions();
        options.ClientSettings[key] = value;

        var error = Assert.Throws<IngestException>(options.Validate);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_topics_are_the_stream_namespaces()
    {
        var options = new KafkaProducerOptions();

        Assert.All(StreamNamespaces.All, ns => Assert.Equal(ns, options.TopicFor(ns)));
    }

    [Fact]
    public void Topics_are_configurable_per_namespace()
    {
        var options = new KafkaProducerOptions { CartsTopic = "shop.carts.v1", RejectedTopic = "shop.dlq" };

        Assert.Equal("shop.carts.v1", options.TopicFor(StreamNamespaces.Carts));
        Assert.Equal("shop.dlq", options.TopicFor(StreamNamespaces.Rejected));
        Assert.Equal("products", options.TopicFor(StreamNamespaces.Products));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.TopicFor("orders"));
    }

    [Theory]
    [InlineData("UsersTopic", "")]
    [InlineData("UsersTopic", "users topic")]
    [InlineData("UsersTopic", "products")]
    public void Invalid_or_shared_topic_is_refused_naming_the_key(string key, string topic)
    {
        var options = new KafkaProducerOptions { UsersTopic = topic };

        var error = Assert.Throws<IngestException>(options.Validate);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_bootstrap_servers_are_refused()
    {
        var error = Assert.Throws<IngestException>(new KafkaProducerOptions { BootstrapServers = " " }.Validate);

        Assert.Contains("BootstrapServers", error.Message, StringComparison.Ordinal);
    }
}

using Orleans.Runtime;
using Shopstream.Streaming.Kafka.Providers;

namespace Shopstream.Streaming.Kafka.Tests;

/// <summary>What the silo's consumer is configured with: the provider's fetch wait unless the client settings name one.</summary>
public sealed class ConsumerConfigTests
{
    private static KafkaStreamOptions Options()
    {
        var options = new KafkaStreamOptions { BootstrapServers = "127.0.0.1:9092", ConsumerGroupId = "g" };
        options.Topics.Add(new KafkaTopicOptions { Name = "products", StreamNamespace = "products" });
        return options;
    }

    [Fact]
    public void Consumer_fetch_wait_is_50_ms_not_librdkafkas_500()
    {
        Assert.Equal(50, KafkaConsumerHub.ConfigFor(Options()).FetchWaitMaxMs);
    }

    [Fact]
    public void Fetch_wait_in_the_client_settings_wins_over_the_providers()
    {
        var options = Options();
        options.MaxFetchWait = TimeSpan.FromMilliseconds(20);
        Assert.Equal(20, KafkaConsumerHub.ConfigFor(options).FetchWaitMaxMs);

        options.ClientSettings["fetch.wait.max.ms"] = "250";
        Assert.Equal(250, KafkaConsumerHub.ConfigFor(options).FetchWaitMaxMs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30_001)]
    public void Fetch_wait_out_of_range_fails_start_up_naming_the_setting(int milliseconds)
    {
        var options = Options();
        options.MaxFetchWait = TimeSpan.FromMilliseconds(milliseconds);

        var error = Assert.Throws<OrleansConfigurationException>(() => new KafkaStreamOptionsValidator(options, "kafka").ValidateConfiguration());
        Assert.Contains("MaxFetchWait", error.Message, StringComparison.Ordinal);
    }
}

using Shopstream.Pipeline.Tests.Hosting;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>
/// Every command that talks to Kafka reads <c>Shopstream:KafkaClient:*</c> and hands it to librdkafka before it does
/// anything else: a value librdkafka refuses ends the command with exit code 2 and a line naming the setting. The
/// PostgreSQL and Kafka addresses given point nowhere, so a command that skipped the check would fail differently
/// (or hang until the test's timeout).
/// </summary>
public sealed class KafkaClientSettingsCommandTests
{
    public static TheoryData<string[]> Commands => new()
    {
        { new[] { "ingest", "--kafka", "127.0.0.1:1" } },
        { new[] { "demo", "--postgres", "Host=127.0.0.1;Port=1;Database=none", "--kafka", "127.0.0.1:1" } },
        { new[] { "wait", "--kafka", "127.0.0.1:1", "--timeout", "5" } },
        { new[] { "bench", "--postgres", "Host=127.0.0.1;Port=1;Database=none" } },
        { new[] { "chaos", "--postgres", "Host=127.0.0.1;Port=1;Database=none" } },
        { new[] { "ingest-api", "--kafka", "127.0.0.1:1", "--port", "1" } },
        { new[] { "silo", "--postgres", "Host=127.0.0.1;Port=1;Database=none", "--kafka", "127.0.0.1:1" } },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Bad_kafka_client_setting_stops_the_command_naming_it(string[] arguments)
    {
        var (exitCode, output) = await SettingsRefusalProcessTests.RunAsync(arguments, new()
        {
            ["Shopstream__KafkaClient__security.protocol"] = "carrier_pigeon",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains($"{arguments[0]}: setting Shopstream:KafkaClient:security.protocol: ", output, StringComparison.Ordinal);
        Assert.Contains("carrier_pigeon", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_kafka_client_key_stops_the_silo_naming_it()
    {
        var (exitCode, output) = await SettingsRefusalProcessTests.RunAsync(
            ["silo", "--postgres", "Host=127.0.0.1;Port=1;Database=none", "--kafka", "127.0.0.1:1"],
            new() { ["Shopstream__KafkaClient__sasl.usernme"] = "probe-user" });

        Assert.Equal(2, exitCode);
        Assert.Contains("setting Shopstream:KafkaClient:sasl.usernme: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_with_a_bad_shape_in_the_environment_stops_the_silo_naming_it()
    {
        var (exitCode, output) = await SettingsRefusalProcessTests.RunAsync(
            ["silo", "--postgres", "Host=127.0.0.1;Port=1;Database=none", "--kafka", "127.0.0.1:1"],
            new()
            {
                ["Shopstream__Feeds__tracker__Bootstrap"] = "127.0.0.1:2",
                ["Shopstream__Feeds__tracker__Topic"] = "product_view",
                ["Shopstream__Feeds__tracker__Shape"] = "xml",
            });

        Assert.Equal(2, exitCode);
        Assert.Contains("silo: setting Shopstream:Feeds:tracker:Shape must be web-tracker, product-view-feed, generic, not 'xml'", output, StringComparison.Ordinal);
    }
}

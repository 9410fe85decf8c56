using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shopstream.Cli;
using Shopstream.Ingest.Http;
using Shopstream.Silo.CommandLine;
using Shopstream.Silo.Hosting;

namespace Shopstream.Pipeline.Tests.Hosting;

/// <summary>
/// How flags, environment and defaults layer for <c>shopstream silo</c> and <c>shopstream ingest-api</c>: the real
/// commands parse real flags; the environment is the process's, under a prefix of this test's own.
/// </summary>
public sealed class SettingsLayeringTests : IDisposable
{
    // Keeps what a test sets away from every other reader of the environment (and from child processes of other
    // tests); the configuration strips it, leaving exactly the documented names.
    private readonly string prefix = "SSLAYER" + Guid.NewGuid().ToString("N")[..8] + "_";
    private readonly List<string> variables = [];

    private const string Postgres = "Host=127.0.0.1;Port=1;Database=unused";

    public void Dispose()
    {
        foreach (var name in variables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    private void Set(string name, string value)
    {
        variables.Add(prefix + name);
        Environment.SetEnvironmentVariable(prefix + name, value);
    }

    private ShopstreamOptions Silo(params string[] args) =>
        ShopstreamConfiguration.Get(SiloCommand.Configuration(SiloCommand.Create().Parse(args), prefix), s => s.AddShopstreamOptions());

    private IConfigurationRoot IngestApi(params string[] args) => IngestApiCommand.Configuration(IngestApiCommand.Create().Parse(args), prefix);

    private EventsApiOptions IngestApiOptions(params string[] args) => ShopstreamConfiguration.Get(IngestApi(args), s => s.AddEventsApiOptions());

    [Fact]
    public void Silo_kafka_flag_beats_the_environment()
    {
        Set("Shopstream__Postgres", Postgres);
        Set("Shopstream__Kafka", "from-env:9092");

        Assert.Equal("from-flag:9092", Silo("--kafka", "from-flag:9092").Kafka);
        Assert.Equal("from-env:9092", Silo().Kafka);
    }

    [Fact]
    public void Silo_environment_beats_the_default()
    {
        Set("Shopstream__Postgres", Postgres);
        Set("Shopstream__Kafka", "from-env:9092");

        Assert.Equal("shopstream", Silo().ConsumerGroup);
        Set("Shopstream__ConsumerGroup", "from-env-group");
        Assert.Equal("from-env-group", Silo().ConsumerGroup);
    }

    [Fact]
    public void Silo_legacy_alias_beats_the_structured_variable_and_the_flag_beats_both()
    {
        Set("Shopstream__Kafka", "structured:9092");
        Set("SHOPSTREAM_KAFKA", "legacy:9092");
        Set("Shopstream__Postgres", "Host=structured");
        Set("SHOPSTREAM_POSTGRES", Postgres);

        var fromEnvironment = Silo();
        var fromFlags = Silo("--kafka", "flag:9092", "--postgres", "Host=flag");

        Assert.Equal("legacy:9092", fromEnvironment.Kafka);
        Assert.Equal(Postgres, fromEnvironment.Postgres);
        Assert.Equal("flag:9092", fromFlags.Kafka);
        Assert.Equal("Host=flag", fromFlags.Postgres);
    }

    [Fact]
    public void Ingest_api_port_flag_beats_the_environment_which_beats_the_default()
    {
        Assert.Equal(8090, IngestApiOptions().Port);
        Set("Shopstream__IngestApiPort", "9001");
        Assert.Equal(9001, IngestApiOptions().Port);
        Assert.Equal(9002, IngestApiOptions("--port", "9002").Port);
    }

    [Fact]
    public void Ingest_api_bind_flag_beats_the_environment()
    {
        Set("Shopstream__IngestApiBind", "127.0.0.2");

        Assert.Equal("127.0.0.2", IngestApiOptions().Bind);
        Assert.Equal("127.0.0.3", IngestApiOptions("--bind", "127.0.0.3").Bind);
    }

    [Fact]
    public void Ingest_api_allow_anonymous_comes_from_the_environment_or_the_flag()
    {
        // Beyond loopback without a key only an allowance lets the options through validation.
        Assert.False(IngestApiOptions().AllowAnonymous);
        Assert.True(IngestApiOptions("--bind", "0.0.0.0", "--allow-anonymous").AllowAnonymous);
        Set("Shopstream__IngestApiAllowAnonymous", "true");
        Assert.True(IngestApiOptions("--bind", "0.0.0.0").AllowAnonymous);
    }

    [Fact]
    public void Ingest_api_kafka_flag_beats_the_legacy_alias_which_beats_the_structured_variable()
    {
        Set("Shopstream__Kafka", "structured:9092");
        Assert.Equal("structured:9092", IngestApiCommand.ProducerOptions(IngestApi()).BootstrapServers);
        Set("SHOPSTREAM_KAFKA", "legacy:9092");
        Assert.Equal("legacy:9092", IngestApiCommand.ProducerOptions(IngestApi()).BootstrapServers);
        Assert.Equal("flag:9092", IngestApiCommand.ProducerOptions(IngestApi("--kafka", "flag:9092")).BootstrapServers);
    }

    [Fact]
    public void Silo_setting_out_of_range_fails_naming_the_key()
    {
        Set("Shopstream__Postgres", Postgres);
        Set("Shopstream__Kafka", "127.0.0.1:1");
        Set("Shopstream__SessionEventIdCap", "-1");

        var refused = Assert.Throws<OptionsValidationException>(() => Silo());

        Assert.Equal("setting Shopstream:SessionEventIdCap must be between 0 and 1000000 (was -1)", refused.Message);
    }

    [Fact]
    public void Ingest_api_value_of_the_wrong_type_fails_naming_the_key()
    {
        Set("Shopstream__IngestApiAckTimeout", "soon");

        var refused = Assert.Throws<InvalidOperationException>(() => IngestApiOptions());

        Assert.Contains("'Shopstream:IngestApiAckTimeout'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_with_a_bad_projection_setting_fails_at_start_naming_the_key()
    {
        using var host = Host(new() { ["Shopstream:Projection:Writers"] = "0" }, s => s.AddProjectionWriterOptions());

        // Nothing asks for the options: only ValidateOnStart makes the start fail.
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Shopstream:Projection:Writers must be between 1 and 64", refused.Message);
    }

    [Fact]
    public async Task Host_with_a_bad_ingest_api_setting_fails_at_start_naming_the_key()
    {
        using var host = Host(new() { ["Shopstream:IngestApiMaxEvents"] = "0" }, s => s.AddEventsApiOptions());

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Shopstream:IngestApiMaxEvents must be between 1 and 1000000 (was 0)", refused.Message);
    }

    private static IHost Host(Dictionary<string, string?> settings, Action<IServiceCollection> register) =>
        new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .ConfigureServices(register)
            .Build();
}

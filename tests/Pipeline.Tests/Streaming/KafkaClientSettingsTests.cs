using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Cli;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;
using Shopstream.Streaming.Kafka.Providers;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Pipeline.Tests.Streaming;

/// <summary>
/// <c>Shopstream__KafkaClient__sasl.username</c>, set as an environment variable, reaches every Kafka client: the
/// silo's consumer and admin client, the <c>ingest</c> and <c>ingest-api</c> producers.
/// </summary>
public sealed class KafkaClientSettingsTests : IDisposable
{
    // A prefix of this test's own keeps the variable away from every other reader of the environment (and from the
    // child processes other tests start); the provider strips it, leaving exactly the documented form.
    private readonly string prefix = "SSTEST" + Guid.NewGuid().ToString("N")[..8] + "_";
    private readonly IConfiguration configuration;

    // Nothing is started: the silo host is only built, so no broker or database is reached.
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["Shopstream__KafkaClient__sasl.username"] = "probe-user",
        ["Shopstream__Kafka"] = "127.0.0.1:1",
        ["Shopstream__Postgres"] = "Host=127.0.0.1;Port=1;Database=unused",
    };

    public KafkaClientSettingsTests()
    {
        foreach (var (key, value) in Variables)
        {
            Environment.SetEnvironmentVariable(prefix + key, value);
        }
        configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
    }

    public void Dispose()
    {
        foreach (var key in Variables.Keys)
        {
            Environment.SetEnvironmentVariable(prefix + key, null);
        }
    }

    [Fact]
    public void Env_var_sasl_username_reaches_the_silo_consumer_and_its_admin_client()
    {
        var options = new ShopstreamOptions();
        configuration.GetSection(ShopstreamOptions.Section).Bind(options); // as `shopstream silo` binds it
        Assert.Equal("probe-user", options.KafkaClient["sasl.username"]);

        // Built, not started: the provider's options as the silo registers them.
        using var host = SiloHostFactory.BuildLocal(options);
        var stream = host.Services.GetRequiredService<IOptionsMonitor<KafkaStreamOptions>>().Get(StreamProviders.Kafka);

        Assert.Equal("probe-user", KafkaConsumerHub.ConfigFor(stream).SaslUsername);
        Assert.Equal("probe-user", KafkaQueueAdapterFactory.AdminConfigFor(stream).SaslUsername);
    }

    [Fact]
    public void Env_var_sasl_username_reaches_the_ingest_producer()
    {
        var producer = IngestCommand.ProducerOptions("127.0.0.1:1", CommonOptions.KafkaClientSettings(configuration)).ToProducerConfig();

        Assert.Equal("probe-user", producer.SaslUsername);
    }

    [Fact]
    public void Env_var_sasl_username_reaches_the_ingest_api_producer()
    {
        var producer = IngestApiCommand.ProducerOptions(configuration).ToProducerConfig();

        Assert.Equal("probe-user", producer.SaslUsername);
        Assert.Equal("127.0.0.1:1", producer.BootstrapServers);
    }

    [Fact]
    public async Task Ingest_command_talks_sasl_when_the_env_var_says_so()
    {
        // The embedded broker speaks no SASL: a client that got the settings fails its handshake and says so, one
        // that did not would produce the record and exit 0.
        var data = Directory.CreateTempSubdirectory("shopstream-sasl-");
        try
        {
            Directory.CreateDirectory(Path.Combine(data.FullName, "fakestore"));
            await File.WriteAllTextAsync(Path.Combine(data.FullName, "fakestore", "products.json"), """[{"id":1,"title":"t","price":1}]""");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "shopstream.dll"), "ingest", "--kafka", SharedBroker.Instance.BootstrapServers, "--data", data.FullName })
            {
                psi.ArgumentList.Add(argument);
            }
            psi.Environment["Shopstream__KafkaClient__security.protocol"] = "SASL_PLAINTEXT";
            psi.Environment["Shopstream__KafkaClient__sasl.mechanism"] = "PLAIN";
            psi.Environment["Shopstream__KafkaClient__sasl.username"] = "probe-user";
            psi.Environment["Shopstream__KafkaClient__sasl.password"] = "probe-password";
            psi.Environment["Shopstream__KafkaClient__message.timeout.ms"] = "3000";
            using var ingest = Process.Start(psi)!;
            var output = Task.WhenAll(ingest.StandardOutput.ReadToEndAsync(), ingest.StandardError.ReadToEndAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await ingest.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                ingest.Kill();
                throw;
            }
            var text = string.Concat(await output);

            Assert.NotEqual(0, ingest.ExitCode);
            Assert.Contains("sasl_plaintext://", text, StringComparison.Ordinal);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}

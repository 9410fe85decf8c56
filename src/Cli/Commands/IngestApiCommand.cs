using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Silo.Hosting;
using Shopstream.Streaming.Kafka;
using Shopstream.Silo.CommandLine;

namespace Shopstream.Cli;

/// <summary>
/// <c>shopstream ingest-api</c>: serves <c>POST /events</c> and produces the events to Kafka. Settings from the
/// <c>Shopstream</c> section (<c>Shopstream__IngestApiKey</c>, <c>Shopstream__IngestApiMaxBodyBytes</c>, topics,
/// <c>Shopstream__KafkaClient__*</c>); flags override.
/// </summary>
internal static class IngestApiCommand
{
    public static Command Create()
    {
        var kafka = CommonOptions.Kafka("required (or Shopstream__Kafka)");
        var port = new Option<int?>("--port") { Description = "TCP port (default 8090, or Shopstream__IngestApiPort)" };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 65535)
            {
                r.AddError("--port must be a TCP port (1-65535)");
            }
        });
        var bind = new Option<string?>("--bind") { Description = "Address to bind to (default 127.0.0.1, or Shopstream__IngestApiBind)" };
        var allowAnonymous = new Option<bool>("--allow-anonymous")
        {
            Description = "Accept events without a key when binding beyond loopback (or Shopstream__IngestApiAllowAnonymous=true)",
        };
        var command = new Command("ingest-api", "Serve POST /events: validate clickstream events and produce them to Kafka") { kafka, port, bind, allowAnonymous };
        command.SetAction(async (r, ct) =>
        {
            var configuration = Configuration(r);
            if (await ShopstreamConfiguration.GetOrReportAsync(configuration, s => s.AddEventsApiOptions(), "") is not { } api)
            {
                return 2;
            }
            if (await KafkaClientCheck.ReadOrReportAsync("ingest-api", configuration) is null)
            {
                return 2;
            }
            var producerOptions = ProducerOptions(configuration);
            // librdkafka retries a message for 300 s by default; past the API's bound nobody waits for it any more.
            producerOptions.ClientSettings.TryAdd("message.timeout.ms", $"{(long)api.AckTimeout.TotalMilliseconds}");
            // What is left at exit belongs to requests already answered 503; do not hold the exit for it.
            producerOptions.DisposeFlushTimeout = TimeSpan.FromSeconds(2);
            if (string.IsNullOrWhiteSpace(producerOptions.BootstrapServers))
            {
                await Console.Error.WriteLineAsync("--kafka (or SHOPSTREAM_KAFKA, Shopstream__Kafka) is required");
                return 2;
            }
            try
            {
                producerOptions.Validate();
            }
            catch (Ingest.IngestException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            LibrdkafkaLocator.EnsureLoaded();
            await using var producer = new KafkaRecordProducer(producerOptions);
            await using var app = await EventsApiHost.StartAsync(api, producer, cancellationToken: ct);
            StopDeadline.Arm(app.Lifetime, api.ShutdownTimeout, "ingest-api");
            await Console.Error.WriteLineAsync(
                $"ingest-api: POST {EventsApiHost.BaseAddress(app)}events -> topic {producerOptions.EventsTopic} at {producerOptions.BootstrapServers}" +
                $"{(api.ApiKey is null ? " (anonymous)" : " (X-Api-Key required)")}; stop with Ctrl+C or SIGTERM");
            // The host's console lifetime turns SIGTERM and Ctrl+C into a stop; this returns once the host has stopped
            // (within Shopstream:ShutdownTimeout), and the producer is flushed for at most 2 s after it.
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The API's settings: <see cref="ShopstreamConfiguration"/>'s layers with the flags on top. <c>--allow-anonymous</c>
    /// only ever allows: without it the configured <c>Shopstream:IngestApiAllowAnonymous</c> stands.
    /// </summary>
    internal static IConfigurationRoot Configuration(ParseResult result, string environmentPrefix = "") => ShopstreamConfiguration.Build(
        [
            ShopstreamConfiguration.Flag<string>(result, "--kafka", "Shopstream:Kafka"),
            ShopstreamConfiguration.Flag<int?>(result, "--port", "Shopstream:IngestApiPort"),
            ShopstreamConfiguration.Flag<string>(result, "--bind", "Shopstream:IngestApiBind"),
            KeyValuePair.Create("Shopstream:IngestApiAllowAnonymous", result.GetValue<bool>("--allow-anonymous") ? "true" : null),
        ],
        environmentPrefix);

    /// <summary>The producer settings of the API: bootstrap servers, topics and client settings from <c>Shopstream</c>.</summary>
    public static KafkaProducerOptions ProducerOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection("Shopstream");
        var options = new KafkaProducerOptions
        {
            BootstrapServers = section["Kafka"] ?? "",
            ClientId = "shopstream-ingest-api",
            Source = ClickEventIntake.Source,
            EventsTopic = section["EventsTopic"] is { Length: > 0 } events ? events : "events",
            RejectedTopic = section["RejectedTopic"] is { Length: > 0 } rejected ? rejected : "rejected",
        };
        foreach (var (key, value) in CommonOptions.KafkaClientSettings(configuration))
        {
            options.ClientSettings[key] = value;
        }
        return options;
    }
}

using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Shopstream.Ingest.Http;
using Shopstream.Ingest.Producing;
using Shopstream.Streaming.Kafka.Embedded;

namespace Shopstream.Silo.Cli;

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
        var command = new Command("ingest-api", "Serve POST /events: validate clickstream events and produce them to Kafka") { kafka, port, bind };
        command.SetAction(async (r, ct) =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var api = EventsApiOptions.From(configuration);
            api.Port = r.GetValue(port) ?? api.Port;
            api.Bind = r.GetValue(bind) ?? api.Bind;
            var producerOptions = ProducerOptions(configuration, r.GetValue(kafka));
            if (string.IsNullOrWhiteSpace(producerOptions.BootstrapServers))
            {
                await Console.Error.WriteLineAsync("--kafka (or SHOPSTREAM_KAFKA, Shopstream__Kafka) is required");
                return 2;
            }
            try
            {
                api.Validate();
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
            await Console.Error.WriteLineAsync(
                $"ingest-api: POST {EventsApiHost.BaseAddress(app)}events -> topic {producerOptions.EventsTopic} at {producerOptions.BootstrapServers}" +
                $"{(api.ApiKey is null ? "" : " (X-Api-Key required)")}; stop with Ctrl+C");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>The producer settings of the API: topics and client settings from <c>Shopstream</c>, bootstrap servers from the flag first.</summary>
    public static KafkaProducerOptions ProducerOptions(IConfiguration configuration, string? kafka)
    {
        var section = configuration.GetSection("Shopstream");
        var options = new KafkaProducerOptions
        {
            BootstrapServers = new[] { kafka, Environment.GetEnvironmentVariable("SHOPSTREAM_KAFKA"), section["Kafka"] }
                .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "",
            ClientId = "shopstream-ingest-api",
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

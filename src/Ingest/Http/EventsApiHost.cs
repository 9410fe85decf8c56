using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Http;

/// <summary>Builds and starts the web host of the clickstream ingest API.</summary>
public static class EventsApiHost
{
    /// <summary>Starts the API on <see cref="EventsApiOptions.Bind"/>:<see cref="EventsApiOptions.Port"/>, producing with <paramref name="producer"/>.</summary>
    /// <returns>The running application; stop and dispose it when done (the producer stays the caller's).</returns>
    public static async Task<WebApplication> StartAsync(
        EventsApiOptions options, KafkaRecordProducer producer, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The endpoint enforces its own limit so that it can answer 413 with a body; Kestrel's must not be lower.
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes + 1;
            if (options.Bind == "localhost")
            {
                k.ListenLocalhost(options.Port);
            }
            else
            {
                k.Listen(IPAddress.Parse(options.Bind), options.Port);
            }
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(producer);
        builder.Services.AddSingleton<ClickEventIntake>();
        var app = builder.Build();
        app.MapEventsApi();
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The address the started application listens on, e.g. <c>http://127.0.0.1:8090</c>.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the ingest API has no address; was it started?");
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}

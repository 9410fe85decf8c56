using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Producing;

namespace Shopstream.Ingest.Http;

/// <summary>Builds and starts the web host of the clickstream ingest API.</summary>
public static class EventsApiHost
{
    /// <summary>Starts the API on <see cref="EventsApiOptions.Bind"/>:<see cref="EventsApiOptions.Port"/>, producing with <paramref name="producer"/>.</summary>
    /// <returns>The running application; stop and dispose it when done (the producer stays the caller's).</returns>
    /// <exception cref="IngestException">A setting is invalid, e.g. a bind beyond loopback without a key.</exception>
    public static async Task<WebApplication> StartAsync(
        EventsApiOptions options, KafkaRecordProducer producer, LogLevel logLevel = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(producer);
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
        // Requests still waiting for Kafka when the stop began get this long; AckTimeout bounds them anyway.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(producer);
        builder.Services.AddSingleton<ClickEventIntake>();
        builder.Services.AddSingleton(_ => new KafkaReadinessProbe(
            producer.CreateAdminClient(), producer.TopicFor(StreamNamespaces.Events), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)));
        builder.Services.AddHealthChecks().AddCheck<KafkaReadinessProbe>("kafka", tags: [HealthEndpoints.ReadyTag]);
        builder.Services.AddRateLimiter(r =>
        {
            r.GlobalLimiter = Limits(options);
            r.OnRejected = async (rejected, ct) =>
            {
                var log = rejected.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventsApi).FullName!);
                EventsApiLog.Limited(log, rejected.HttpContext.Connection.RemoteIpAddress?.ToString());
                await EventsApi.Error(StatusCodes.Status429TooManyRequests,
                    "too many requests: over Shopstream:IngestApiRequestsPerSecond or Shopstream:IngestApiConcurrentRequests; retry later")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        var app = builder.Build();
        app.Use((context, next) => EventsApi.GuardAsync(context, options, () => next(context)));
        app.UseRateLimiter();
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

    /// <summary>
    /// One rate (token bucket) and one concurrency limit shared by every <c>POST /events</c>: they protect the producer and
    /// Kafka, whoever sends. Health requests are never limited.
    /// </summary>
    private static PartitionedRateLimiter<HttpContext> Limits(EventsApiOptions options)
    {
        static bool IsEvents(HttpContext c) => c.Request.Path.StartsWithSegments(EventsApi.EventsPath, StringComparison.OrdinalIgnoreCase);
        var rate = PartitionedRateLimiter.Create<HttpContext, string>(c => IsEvents(c)
            ? RateLimitPartition.GetTokenBucketLimiter("events", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RequestsPerSecond,
                TokensPerPeriod = options.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter("other"));
        var concurrency = PartitionedRateLimiter.Create<HttpContext, string>(c => IsEvents(c)
            ? RateLimitPartition.GetConcurrencyLimiter("events", _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = options.ConcurrentRequests,
                QueueLimit = options.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            : RateLimitPartition.GetNoLimiter("other"));
        return PartitionedRateLimiter.CreateChained(rate, concurrency);
    }
}

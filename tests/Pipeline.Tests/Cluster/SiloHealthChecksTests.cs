using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Grains.Projection;
using Shopstream.Ingest.Http;
using Shopstream.Kafka.Embedded;
using Shopstream.Projection;
using Shopstream.Silo.Hosting;
using Shopstream.Silo.Web;
using Shopstream.Streaming.Kafka;
using Xunit.Abstractions;

namespace Shopstream.Pipeline.Tests.Cluster;

/// <summary>
/// The silo's health checks in a web host of their own, against the real things they check: PostgreSQL (the test server,
/// or a port nothing listens on), the embedded broker and a real projection writer that cannot reach its database.
/// </summary>
public sealed class SiloHealthChecksTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ready_is_503_naming_postgres_while_the_database_is_unreachable_and_live_stays_200()
    {
        using var broker = EmbeddedKafkaBroker.Start();
        await using var nowhere = NpgsqlDataSource.Create(ClosedPostgres());
        await using var app = await StartAsync(nowhere, broker.BootstrapServers, projection: null, TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = BaseAddress(app), Timeout = TimeSpan.FromSeconds(30) };

        using var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
        using var live = await http.GetAsync(new Uri("health/live", UriKind.Relative));
        var text = await ready.Content.ReadAsStringAsync();
        output.WriteLine(text);
        var body = JsonDocument.Parse(text).RootElement;
        var checks = body.GetProperty("checks");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not ready", body.GetProperty("status").GetString());
        Assert.NotEqual("ok", checks.GetProperty("postgres").GetString());
        Assert.False(string.IsNullOrWhiteSpace(checks.GetProperty("postgres").GetString()));
        Assert.Equal("ok", checks.GetProperty("kafka").GetString());
        Assert.Equal("ok", checks.GetProperty("projection").GetString());
        Assert.Equal("0 partitions read here", checks.GetProperty("queues").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"live"}""", await live.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_is_503_once_the_projection_has_failed_longer_than_the_threshold()
    {
        using var broker = EmbeddedKafkaBroker.Start();
        await using var db = await TestDatabase.CreateAsync();
        await using var nowhere = NpgsqlDataSource.Create(ClosedPostgres());
        var writer = new PostgresProjectionWriter(nowhere,
            Options.Create(new ProjectionWriterOptions { Writers = 1, MaxRetryDelay = TimeSpan.FromMilliseconds(200) }),
            NullLogger<PostgresProjectionWriter>.Instance);
        try
        {
            var threshold = TimeSpan.FromMilliseconds(300);
            await using var app = await StartAsync(db.DataSource, broker.BootstrapServers, writer, threshold);
            using var http = new HttpClient { BaseAddress = BaseAddress(app), Timeout = TimeSpan.FromSeconds(30) };
            _ = writer.WriteAsync([new RejectedRow("ingest", null, null, null, "k", "{}", "why", "fp-health")]);
            await Eventually.Until(() => writer.FailingSince is not null, TimeSpan.FromSeconds(30),
                "the writer never reported failing", TimeSpan.FromMilliseconds(50));
            await Task.Delay(threshold * 2);

            using var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            var checks = body.GetProperty("checks");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("not ready", body.GetProperty("status").GetString());
            Assert.StartsWith("failing since ", checks.GetProperty("projection").GetString(), StringComparison.Ordinal);
            Assert.Equal("ok", checks.GetProperty("postgres").GetString());
            Assert.Equal("ok", checks.GetProperty("kafka").GetString());
        }
        finally
        {
            await writer.DisposeAsync();
        }
    }

    /// <summary>A connection string to a port nothing listens on: connections are refused at once.</summary>
    private static string ClosedPostgres() =>
        $"Host=127.0.0.1;Port={SiloHostFactory.FreePort()};Username=nobody;Password=none;Timeout=2";

    private static async Task<WebApplication> StartAsync(NpgsqlDataSource db, string kafka, IProjectionHealth? projection, TimeSpan threshold)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(_ => new KafkaReadinessProbe(
            new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka }).Build(), "products", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)));
        builder.Services.AddKeyedSingleton(StreamProviders.Kafka, (_, _) => new KafkaStreamStatistics());
        if (projection is not null)
        {
            builder.Services.AddSingleton(projection);
        }
        builder.Services.AddShopstreamHealthChecks(new ShopstreamOptions { ProjectionFailingThreshold = threshold });
        var app = builder.Build();
        app.MapShopstreamHealth();
        await app.StartAsync();
        return app;
    }

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
}

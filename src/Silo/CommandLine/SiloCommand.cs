using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Dashboard;
using Shopstream.Grains;
using Shopstream.Grains.Interfaces.Wire;
using Shopstream.Ingest.Http;
using Shopstream.Silo.Hosting;
using Shopstream.Projection.Storage;
using Shopstream.Silo.Web;
using Shopstream.Silo.Web.Console;
using Shopstream.Streaming.Kafka;

namespace Shopstream.Silo.CommandLine;

/// <summary>
/// <c>shopstream silo</c>: one silo that joins the cluster recorded in PostgreSQL, with its web host:
/// dashboard, live entity API, health and Prometheus metrics.
/// </summary>
public static class SiloCommand
{
    /// <summary><c>shopstream silo</c>: the silo as a subcommand of the CLI.</summary>
    public static Command Create() => Configure(new Command("silo", "Run one silo that joins the cluster (membership in PostgreSQL)"));

    /// <summary>Adds the silo's options and action to <paramref name="command"/> (the thin executable's root command).</summary>
    public static T Configure<T>(T command) where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        var postgres = CommonOptions.Postgres(required: false);
        var kafka = CommonOptions.Kafka("required (or Shopstream__Kafka)");
        var siloPort = Port("--silo-port", "Silo-to-silo port", 11111);
        var gatewayPort = Port("--gateway-port", "Client gateway port", 30000);
        var httpPort = Port("--http-port", "HTTP port for dashboard, API, health and metrics", 8080);
        var httpBind = new Option<string>("--http-bind") { Description = "Address the HTTP endpoints bind to", DefaultValueFactory = _ => "127.0.0.1" };
        var advertised = new Option<string?>("--advertised-ip") { Description = "IP other silos reach this one at (default: loopback, or the first non-loopback IPv4 when binding beyond loopback)" };
        foreach (var option in new Option[] { postgres, kafka, siloPort, gatewayPort, httpPort, httpBind, advertised })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (r, ct) =>
        {
            var configuration = Configuration(r);
            if (await ShopstreamConfiguration.GetOrReportAsync(configuration, s => s.AddShopstreamOptions(), "silo: ") is not { } options)
            {
                return 2;
            }
            var builder = WebApplication.CreateBuilder();
            // The host reads exactly what the options were read from (logging included), not its own default layering.
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddConfiguration(configuration);
            builder.Services.AddShopstreamOptions();
            var web = new SiloWebOptions
            {
                Bind = r.GetValue(httpBind)!,
                Port = r.GetValue(httpPort),
                DashboardApiKey = configuration[$"{ShopstreamOptions.Section}:DashboardApiKey"],
                MetricsApiKey = configuration[$"{ShopstreamOptions.Section}:MetricsApiKey"],
            };
            if (!IPAddress.TryParse(web.Bind, out var bindAddress) && web.Bind != "localhost")
            {
                await Console.Error.WriteLineAsync($"--http-bind: '{web.Bind}' is not an IP address");
                return 2;
            }
            try
            {
                web.Validate();
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"silo: {ex.Message}");
                return 2;
            }
            var advertisedIp = r.GetValue(advertised) is { } a
                ? (IPAddress.TryParse(a, out var ip) ? ip : throw new ArgumentException($"--advertised-ip: '{a}' is not an IP address"))
                : web.IsLoopbackOnly ? IPAddress.Loopback : FirstNonLoopbackIPv4();

            await SchemaMigrator.ApplyAsync(options.Postgres, ct);

            // Orleans honours it (its stop turns ungraceful when the token fires); grain work that ignores the token, such as
            // state saves retried against a PostgreSQL that refuses connections, is cut by StopDeadline below.
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
            builder.WebHost.UseUrls($"http://{(bindAddress?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{web.Bind}]" : web.Bind)}:{web.Port}");
            builder.UseOrleans(silo =>
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = options.Postgres;
                });
                silo.ConfigureEndpoints(advertisedIp, r.GetValue(siloPort), r.GetValue(gatewayPort), listenOnAnyHostAddress: !web.IsLoopbackOnly);
                silo.AddShopstream(options);
                silo.AddDashboard();
            });
            builder.Services.AddSingleton(web);
            builder.Services.AddSingleton(_ => new KafkaReadinessProbe(
                new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(options.KafkaClient)) { BootstrapServers = options.Kafka }).Build(),
                options.ProductsTopic, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)));
            builder.Services.AddShopstreamHealthChecks(options);
            builder.Services.AddSingleton(sp => new KafkaStreamMetrics(sp.GetRequiredKeyedService<KafkaStreamStatistics>(StreamProviders.Kafka)));
            builder.Services.AddOpenTelemetry().WithMetrics(m => m
                .AddMeter(PipelineMetrics.MeterName, "Microsoft.Orleans")
                .AddPrometheusExporter());

            var app = builder.Build();
            app.Services.GetRequiredService<KafkaStreamMetrics>();
            var guard = new WebKeyGuard(web);
            app.Use((context, next) => guard.InvokeAsync(context, () => next(context)));
            app.MapOrleansDashboard("/dashboard");
            app.MapPrometheusScrapingEndpoint("/metrics");
            app.MapShopstreamHealth();
            app.MapShopstreamApi();
            app.MapShopstreamConsole();
            StopDeadline.Arm(app.Lifetime, options.ShutdownTimeout, "silo");
            await app.StartAsync(ct);
            await Console.Error.WriteLineAsync(
                $"silo: cluster '{options.ClusterId}', silo {advertisedIp}:{r.GetValue(siloPort)}, gateway {r.GetValue(gatewayPort)}, http://{web.Bind}:{web.Port}/dashboard");
            await app.WaitForShutdownAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>The silo's settings: <see cref="ShopstreamConfiguration"/>'s layers with <c>--postgres</c> and <c>--kafka</c> on top.</summary>
    internal static IConfigurationRoot Configuration(ParseResult result, string environmentPrefix = "") => ShopstreamConfiguration.Build(
        [
            ShopstreamConfiguration.Flag<string>(result, "--postgres", $"{ShopstreamOptions.Section}:{nameof(ShopstreamOptions.Postgres)}"),
            ShopstreamConfiguration.Flag<string>(result, "--kafka", $"{ShopstreamOptions.Section}:{nameof(ShopstreamOptions.Kafka)}"),
        ],
        environmentPrefix);

    private static IPAddress FirstNonLoopbackIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("no non-loopback IPv4 address found: pass --advertised-ip");

    private static Option<int> Port(string name, string description, int defaultValue)
    {
        var o = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        o.Validators.Add(v =>
        {
            if (v.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                v.AddError($"{name} must be a TCP port (1-65535)");
            }
        });
        return o;
    }
}

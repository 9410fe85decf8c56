using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using Orleans.Hosting;
using Shopstream.Silo.Hosting;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// One silo with localhost clustering and its web host (Orleans dashboard, entity API, sources, console), behind <see cref="WebKeyGuard"/>:
/// <c>shopstream demo --console</c> and the console's browser tests. <c>shopstream silo</c> builds its own host
/// (PostgreSQL membership, health, metrics) and maps the same console.
/// </summary>
public static class LocalWebSilo
{
    /// <summary>Builds (does not start) the host; <paramref name="settings"/> adds configuration keys, e.g. <c>Shopstream:Sources:rappelconso:BaseUrl</c>.</summary>
    public static WebApplication Build(ShopstreamOptions options, SiloWebOptions web, IReadOnlyDictionary<string, string?>? settings = null, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(web);
        web.Validate();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.SetMinimumLevel(logLevel).AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{web.Bind}:{web.Port}");
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: SiloHostFactory.FreePort(), gatewayPort: SiloHostFactory.FreePort(), serviceId: options.ClusterId, clusterId: options.ClusterId);
            silo.AddShopstream(options);
            silo.AddDashboard();
        });
        builder.Services.AddSingleton(web);
        var app = builder.Build();
        var guard = new WebKeyGuard(web);
        app.Use((context, next) => guard.InvokeAsync(context, () => next(context)));
        app.MapOrleansDashboard("/dashboard");
        app.MapShopstreamApi();
        app.MapShopstreamConsole();
        return app;
    }

    /// <summary>Where a started host answers (the port Kestrel chose for port 0), on loopback even when it binds every address.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var url = new Uri(app.Urls.First());
        return new Uri($"http://127.0.0.1:{url.Port}/");
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace Shopstream.Silo.Hosting;

/// <summary>Builds the generic host of one silo.</summary>
public static class SiloHostFactory
{
    /// <summary>A single silo with localhost clustering on free loopback ports, for the one-process demo.</summary>
    public static IHost BuildLocal(ShopstreamOptions options, LogLevel logLevel = LogLevel.Warning)
    {
        var builder = Host.CreateDefaultBuilder();
        builder.ConfigureLogging(l => l.SetMinimumLevel(logLevel).AddFilter("Orleans", LogLevel.Warning));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(), serviceId: options.ClusterId, clusterId: options.ClusterId);
            silo.AddShopstream(options);
        });
        return builder.Build();
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

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
        // Below the kernel's ephemeral range (32768 and up on Linux): a port the OS hands out for port 0 may be taken
        // by an outgoing connection between this check and the bind, which made parallel test runs fail with
        // "address already in use".
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Shopstream.Silo.Hosting;

namespace Shopstream.Tests.Support;

/// <summary>Configures each TestingHost silo exactly as a production silo, from the cluster's properties.</summary>
public sealed class ShopstreamSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var options = new ShopstreamOptions();
        siloBuilder.Configuration.GetSection(ShopstreamOptions.Section).Bind(options);
        siloBuilder.AddShopstream(options);
        if (Environment.GetEnvironmentVariable("SHOPSTREAM_TEST_SILO_LOG") is { Length: > 0 } level)
        {
            siloBuilder.Services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(level)));
        }
    }
}

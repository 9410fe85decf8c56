using Microsoft.Extensions.Configuration;
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
    }
}

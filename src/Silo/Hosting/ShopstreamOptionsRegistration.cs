using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shopstream.Ingest;
using Shopstream.Projection;

namespace Shopstream.Silo.Hosting;

/// <summary>
/// Registers the silo's options the one way every host reads them: bound from the host's configuration, validated by
/// the class's own rules when the host starts, so that a bad setting stops the start with a message naming its key.
/// </summary>
public static class ShopstreamOptionsRegistration
{
    /// <summary><see cref="ShopstreamOptions"/> from the <c>Shopstream</c> section.</summary>
    public static OptionsBuilder<ShopstreamOptions> AddShopstreamOptions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<ShopstreamOptions>>(new OwnValidation<ShopstreamOptions>(o => o.Validate()));
        return services.AddOptions<ShopstreamOptions>().BindConfiguration(ShopstreamOptions.Section).ValidateOnStart();
    }

    /// <summary><see cref="ProjectionWriterOptions"/> from the <c>Shopstream:Projection</c> section.</summary>
    public static OptionsBuilder<ProjectionWriterOptions> AddProjectionWriterOptions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<ProjectionWriterOptions>>(new OwnValidation<ProjectionWriterOptions>(o => o.Validate()));
        return services.AddOptions<ProjectionWriterOptions>().BindConfiguration("Shopstream:Projection").ValidateOnStart();
    }
}

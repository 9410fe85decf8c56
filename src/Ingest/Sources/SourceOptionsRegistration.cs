using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// Registers one named <see cref="SourceOptions"/> per source of <see cref="SourceCatalog"/>: the source's defaults, then
/// <c>Shopstream:Sources:&lt;name&gt;</c> bound over them, validated when the host starts with a message naming the key.
/// Read them with <c>IOptionsMonitor&lt;SourceOptions&gt;.Get(name)</c>.
/// </summary>
public static class SourceOptionsRegistration
{
    public static IServiceCollection AddSourceOptions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<SourceOptions>, Validation>();
        foreach (var source in SourceCatalog.All)
        {
            services.AddOptions<SourceOptions>(source.Name)
                .Configure(source.ApplyDefaults)
                .BindConfiguration($"{SourceOptions.SectionPrefix}:{source.Name}")
                .ValidateOnStart();
        }

        return services;
    }

    private sealed class Validation : IValidateOptions<SourceOptions>
    {
        public ValidateOptionsResult Validate(string? name, SourceOptions options)
        {
            if (name is null || SourceCatalog.Find(name) is null)
            {
                return ValidateOptionsResult.Skip;
            }

            try
            {
                options.Validate(name);
                return ValidateOptionsResult.Success;
            }
            catch (IngestException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Shopstream.Ingest.Http;

/// <summary>Registers <see cref="EventsApiOptions"/> the one way every host reads them.</summary>
public static class EventsApiOptionsRegistration
{
    /// <summary>
    /// <see cref="EventsApiOptions"/> bound from the <c>Shopstream</c> section of the host's configuration and validated
    /// when the host starts; a bad setting stops the start with a message naming its key.
    /// </summary>
    public static OptionsBuilder<EventsApiOptions> AddEventsApiOptions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<EventsApiOptions>>(new OwnValidation<EventsApiOptions>(o => o.Validate()));
        return services.AddOptions<EventsApiOptions>().BindConfiguration(EventsApiOptions.Section).ValidateOnStart();
    }
}

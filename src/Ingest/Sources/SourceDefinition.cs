namespace Shopstream.Ingest.Sources;

/// <summary>A kind of source the ingest knows: its name, its defaults and how to make one from its settings.</summary>
/// <param name="Name">The source's name (<see cref="SourceNames"/>).</param>
/// <param name="DefaultSchedule">The cron schedule when none is configured.</param>
/// <param name="DefaultBaseUrl">The API's base URL when none is configured.</param>
/// <param name="DefaultDataset">The dataset when none is configured, for sources that have one.</param>
/// <param name="Create">Makes the source from its settings, an HTTP client and the retry settings.</param>
public sealed record SourceDefinition(
    string Name,
    string DefaultSchedule,
    Uri DefaultBaseUrl,
    string? DefaultDataset,
    Func<SourceOptions, HttpClient, IngestOptions, ISource> Create)
{
    /// <summary>The settings with this source's defaults, before configuration is bound over them.</summary>
    public void ApplyDefaults(SourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Schedule = DefaultSchedule;
        options.BaseUrl = DefaultBaseUrl;
        options.Dataset = DefaultDataset;
    }
}

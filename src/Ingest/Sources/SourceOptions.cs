using Cronos;

namespace Shopstream.Ingest.Sources;

/// <summary>
/// Settings of one source, section <c>Shopstream:Sources:&lt;name&gt;</c> (named options, the name is the source's).
/// Defaults come from the source's <see cref="SourceDefinition"/>; every source is disabled until enabled.
/// </summary>
public sealed class SourceOptions
{
    /// <summary>The section holding one subsection per source.</summary>
    public const string SectionPrefix = "Shopstream:Sources";

    /// <summary>Whether the cluster runs the source on its <see cref="Schedule"/>; a manual run works either way.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// A cron expression in UTC: five fields (<c>0 6 * * *</c>, daily at 06:00) or six with seconds first
    /// (<c>*/10 * * * * *</c>, for tests).
    /// </summary>
    public string Schedule { get; set; } = "0 * * * *";

    /// <summary>The API's base URL; the source's default when not set.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>RappelConso: the Opendatasoft dataset id.</summary>
    public string? Dataset { get; set; }

    /// <summary>RappelConso: records per request (<c>limit</c>), 1 to 100 (the API's maximum).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Throws when a setting is unusable; the message names the key.</summary>
    /// <exception cref="IngestException">A setting is invalid.</exception>
    public void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            _ = Cron();
        }
        catch (CronFormatException ex)
        {
            throw Invalid(name, nameof(Schedule), $"is not a cron expression ('{Schedule}': {ex.Message})");
        }
        catch (ArgumentNullException)
        {
            throw Invalid(name, nameof(Schedule), "is required");
        }

        if (BaseUrl is not null && (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps)))
        {
            throw Invalid(name, nameof(BaseUrl), $"must be an absolute http or https URL (was '{BaseUrl}')");
        }

        if (Dataset is not null && (Dataset.Length == 0 || !Dataset.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw Invalid(name, nameof(Dataset), $"must be a dataset id of letters, digits, '-' and '_' (was '{Dataset}')");
        }

        if (PageSize is < 1 or > 100)
        {
            throw Invalid(name, nameof(PageSize), $"must be between 1 and 100 (was {PageSize})");
        }
    }

    /// <summary>The parsed <see cref="Schedule"/>.</summary>
    /// <exception cref="CronFormatException">It is not a cron expression.</exception>
    public CronExpression Cron() => CronExpression.Parse(
        Schedule, Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    /// <summary>The first time the schedule is due strictly after <paramref name="after"/>, or null if never.</summary>
    public DateTimeOffset? NextDue(DateTimeOffset after) => Cron().GetNextOccurrence(after, TimeZoneInfo.Utc);

    private static IngestException Invalid(string name, string key, string problem) =>
        new($"setting {SectionPrefix}:{name}:{key} {problem}");
}

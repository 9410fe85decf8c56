using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Shopstream.Ingest.Sources;

namespace Shopstream.Ingest.RappelConso;

/// <summary>
/// Reads RappelConso from Opendatasoft's Explore v2.1 records endpoint,
/// <c>GET {base}/api/explore/v2.1/catalog/datasets/{dataset}/records?limit=L&amp;offset=O&amp;order_by=date_publication&amp;where=date_publication >= date'W'</c>,
/// oldest first. The API refuses <c>offset + limit</c> above 10,000: on reaching that, the <c>where</c> bound moves to the
/// last publication date read and paging starts again at offset 0, so a backfill of any size works (records of that
/// date are read again; downstream drops them as identical). Failures are retried as for every live API
/// (<see cref="RetryingHttpGet"/>).
/// </summary>
public sealed class RappelConsoReader
{
    /// <summary>The API's largest <c>limit</c>.</summary>
    public const int MaxPageSize = 100;

    /// <summary>The API's largest <c>offset + limit</c>.</summary>
    public const int OffsetCap = 10_000;

    private const string DateField = "date_publication";

    private readonly RetryingHttpGet get;
    private readonly Uri endpoint;
    private readonly int pageSize;

    /// <exception cref="IngestException">The retry settings are invalid.</exception>
    public RappelConsoReader(HttpClient http, IngestOptions retries, Uri baseUrl, string dataset, int pageSize, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(retries);
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        retries.Validate();
        get = new RetryingHttpGet(http, retries, timeProvider ?? TimeProvider.System);
        endpoint = new Uri($"{baseUrl.AbsoluteUri.TrimEnd('/')}/api/explore/v2.1/catalog/datasets/{Uri.EscapeDataString(dataset)}/records");
        this.pageSize = pageSize;
    }

    /// <summary>The records endpoint, without parameters.</summary>
    public Uri Endpoint => endpoint;

    /// <summary>Pages of records published at or after <paramref name="since"/> (all when null), oldest first.</summary>
    /// <exception cref="IngestException">A page failed for good, or more than 10,000 records share one publication date.</exception>
    public async IAsyncEnumerable<RecallPage> ReadAsync(DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var bound = since;
        var offset = 0;
        DateTimeOffset? lastRead = null;
        while (true)
        {
            var limit = Math.Min(pageSize, OffsetCap - offset);
            if (limit == 0)
            {
                // The API serves no further offset: start again from the last date read.
                if (lastRead is null || lastRead == bound)
                {
                    throw new IngestException(
                        $"GET {endpoint}: more than {OffsetCap} records published at {bound:O}; the API cannot page past them");
                }

                bound = lastRead;
                offset = 0;
                continue;
            }

            var url = PageUrl(bound, limit, offset);
            var page = await get.GetAsync(url, RecallPage.ParseAsync, cancellationToken).ConfigureAwait(false);
            if (page.Records.Count > 0)
            {
                yield return page;
            }

            offset += page.Records.Count;
            lastRead = LastDateOf(page) ?? lastRead;
            if (page.Records.Count < limit || offset >= page.TotalCount)
            {
                yield break;
            }
        }
    }

    /// <summary>The URL of one page.</summary>
    public Uri PageUrl(DateTimeOffset? since, int limit, int offset)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"limit={limit}&offset={offset}&order_by={DateField}");
        if (since is { } s)
        {
            var where = $"{DateField} >= date'{s.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}'";
            query += "&where=" + Uri.EscapeDataString(where);
        }

        return new Uri($"{endpoint.AbsoluteUri}?{query}");
    }

    /// <summary>The publication date of the page's last record that has one (records are in date order).</summary>
    private static DateTimeOffset? LastDateOf(RecallPage page)
    {
        for (var i = page.Records.Count - 1; i >= 0; i--)
        {
            var record = page.Records[i];
            if (record.ValueKind == JsonValueKind.Object
                && (record.TryGetProperty(DateField, out var date) || record.TryGetProperty("date_de_publication", out date))
                && date.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(date.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at;
            }
        }

        return null;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shopstream.Grains.Interfaces.Grains;
using Shopstream.Ingest.Feeds;
using Shopstream.Ingest.Sources;
using Shopstream.Projection.Sources;

namespace Shopstream.Silo.Web;

/// <summary>
/// <c>GET /api/sources</c>, <c>GET /api/sources/{name}/runs</c> and <c>POST /api/sources/{name}/run</c>. Behind the same
/// key as the rest of <c>/api</c> (<see cref="WebKeyGuard"/>); an unknown name is answered 404 before any grain activates.
/// <c>GET /api/sources</c> lists the configured feeds after the REST sources (<c>kind</c> <c>feed</c>): their lag is
/// the cluster's, read from the foreign brokers; their counts are this silo's bridge's since it started.
/// </summary>
internal static class SourceEndpoints
{
    private const int MaxRuns = 100;

    // A foreign cluster that does not answer must not hold the listing for long: its lag then shows as unknown, with why.
    private static readonly TimeSpan LagTimeout = TimeSpan.FromSeconds(2);

    // A source grain on a silo that just died answers nothing until the cluster declares that silo dead: the listing
    // shows that source's status as unknown, with why, instead of failing whole.
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(3);

    public static RouteGroupBuilder MapSourcesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/sources", async (IGrainFactory grains, SourceRunStore store, IServiceProvider services, CancellationToken ct) =>
        {
            var list = new List<object>();
            foreach (var source in SourceCatalog.All)
            {
                SourceStatus? status = null;
                string? statusError = null;
                try
                {
                    status = await grains.GetGrain<ISourceGrain>(source.Name).GetStatusAsync().WaitAsync(StatusTimeout, ct);
                }
                catch (Exception ex) when (ex is TimeoutException or OrleansException)
                {
                    statusError = $"the source's grain did not answer ({ex.GetType().Name}: {ex.Message})";
                }
                var runs = await store.RunsAsync(source.Name, 1, ct);
                var last = runs.Count > 0 ? runs[0] : null;
                list.Add(new
                {
                    name = source.Name,
                    kind = "api",
                    enabled = status?.Enabled,
                    schedule = status?.Schedule,
                    nextDue = status?.NextDue,
                    watermark = await store.WatermarkAsync(source.Name, ct),
                    runningRunId = status?.RunningRunId,
                    statusError,
                    lastRun = last is null ? null : Run(last),
                });
            }
            if (services.GetService<FeedBridges>() is { } feeds)
            {
                var lags = await feeds.LagsAsync(LagTimeout);
                list.AddRange(feeds.Statuses().Zip(lags, Feed));
            }
            return Results.Ok(list);
        });
        api.MapGet("/sources/{name}/runs", async (string name, int? limit, SourceRunStore store, CancellationToken ct) =>
        {
            if (SourceCatalog.Find(name) is null)
            {
                return Unknown();
            }
            if (limit is < 1 or > MaxRuns)
            {
                return Results.BadRequest(new { error = $"limit must be from 1 to {MaxRuns}" });
            }
            return Results.Ok((await store.RunsAsync(name, limit ?? 20, ct)).Select(Run));
        });
        api.MapPost("/sources/{name}/run", async (string name, IGrainFactory grains) =>
        {
            if (SourceCatalog.Find(name) is null)
            {
                return Unknown();
            }
            var start = await grains.GetGrain<ISourceGrain>(name).RunNowAsync();
            return start.RunId is { } runId
                ? Results.Accepted($"/api/sources/{name}/runs", new { runId, start.Started })
                : Results.Conflict(new { error = start.Reason });
        });
        return api;
    }

    private static IResult Unknown() =>
        Results.NotFound(new { error = $"unknown source; known: {string.Join(", ", SourceCatalog.All.Select(s => s.Name))}" });

    private static object Feed(FeedStatus s, FeedLag lag) => new
    {
        name = s.Name,
        kind = "feed",
        s.Bootstrap,
        s.Topic,
        s.Shape,
        s.Group,
        s.State,
        lag = lag.Total,
        lagPartitions = lag.Partitions.Select(p => new { p.Partition, p.End, p.Committed, p.Lag }),
        lagError = lag.Error,
        s.Consumed,
        s.Produced,
        s.Rejected,
        ownedPartitions = s.Partitions,
        s.LastError,
    };

    private static object Run(SourceRunRow r) => new
    {
        r.RunId,
        r.Source,
        r.Trigger,
        r.StartedAt,
        r.FinishedAt,
        r.Status,
        r.Counts.Pages,
        recordsRead = r.Counts.Read,
        recordsProduced = r.Counts.Produced,
        recordsRejected = r.Counts.Rejected,
        r.WatermarkBefore,
        watermarkAfter = r.Counts.Watermark,
        r.Error,
    };
}

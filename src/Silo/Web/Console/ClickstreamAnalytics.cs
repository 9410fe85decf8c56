using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// <c>/api/analytics/clickstream/*</c>: the six daily reports (the <c>rpt_*</c> functions of sql/0005) for a UTC date,
/// the dates that have product views, sessions and conversion per day, and events per minute.
/// </summary>
internal static class ClickstreamAnalytics
{
    /// <summary>Report names in URLs and the functions behind them; the same names as <c>shopstream report</c>.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Reports = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["top-products"] = "rpt_top_products",
        ["top-countries"] = "rpt_top_countries",
        ["top-referrers"] = "rpt_top_referrers",
        ["store-country"] = "rpt_store_country",
        ["hourly-product-views"] = "rpt_hourly_product_views",
        ["hourly-browser-os"] = "rpt_hourly_browser_os",
    };

    private const int MaxDays = 366;

    private const int MaxMinutes = 24 * 60;

    /// <summary>Report rows beyond this are cut (store-country and the hourly reports grow with the data).</summary>
    private const int MaxReportRows = 1000;

    public static RouteGroupBuilder MapClickstreamAnalytics(this RouteGroupBuilder api)
    {
        var clickstream = api.MapGroup("/clickstream");
        clickstream.MapGet("/dates", async (NpgsqlDataSource db, CancellationToken ct) => Results.Ok(await AnalyticsSql.RowsAsync(db, """
            SELECT make_date(date_key / 10000, date_key / 100 % 100, date_key % 100) AS date, count(*) AS views
            FROM fact_events WHERE event_type = 'product_view' GROUP BY date_key ORDER BY date_key DESC LIMIT $1
            """, ct, MaxDays)));
        clickstream.MapGet("/reports/{name}", async (string name, string? date, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!Reports.TryGetValue(name, out var function))
            {
                return Results.NotFound(new { error = $"unknown report '{name}'; known: {string.Join(", ", Reports.Keys)}" });
            }
            if (!AnalyticsSql.TryDate(date, "date", out var day, out var error))
            {
                return error!;
            }
            if (day is null)
            {
                return AnalyticsSql.Bad("date is required (yyyy-MM-dd)");
            }
            // The function name comes from the fixed table above, never from the request.
            var rows = await AnalyticsSql.RowsAsync(db, $"SELECT * FROM {function}($1) LIMIT $2", ct, day.Value, MaxReportRows);
            return Results.Ok(new { report = name, date = day, rows });
        });
        clickstream.MapGet("/daily", async (string? from, string? to, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryDate(from, "from", out var first, out var error) || !AnalyticsSql.TryDate(to, "to", out var last, out error))
            {
                return error!;
            }
            if (first is { } f && last is { } l && (l < f || l.DayNumber - f.DayNumber >= MaxDays))
            {
                return AnalyticsSql.Bad($"from..to must be ordered and span at most {MaxDays} days");
            }
            // Sessions by the UTC day they started; product views by their UTC day. The newest days when no range is given.
            return Results.Ok(await AnalyticsSql.RowsAsync(db, """
                WITH s AS (
                    SELECT (first_event_at AT TIME ZONE 'UTC')::date AS date, count(*) AS sessions, count(*) FILTER (WHERE converted) AS converted
                    FROM sessions GROUP BY 1),
                v AS (
                    SELECT make_date(date_key / 10000, date_key / 100 % 100, date_key % 100) AS date, count(*) AS product_views
                    FROM fact_events WHERE event_type = 'product_view' GROUP BY date_key)
                SELECT * FROM (
                    SELECT coalesce(s.date, v.date) AS date, coalesce(s.sessions, 0) AS sessions, coalesce(s.converted, 0) AS converted,
                           round(coalesce(s.converted, 0)::numeric / nullif(s.sessions, 0), 4) AS conversion_rate,
                           coalesce(v.product_views, 0) AS product_views
                    FROM s FULL JOIN v ON v.date = s.date
                    WHERE ($1::date IS NULL OR coalesce(s.date, v.date) >= $1) AND ($2::date IS NULL OR coalesce(s.date, v.date) <= $2)
                    ORDER BY 1 DESC LIMIT $3) d
                ORDER BY date
                """, ct, first, last, MaxDays));
        });
        clickstream.MapGet("/events-per-minute", async (int? minutes, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryLimit(minutes, 60, out var n, out var error, "minutes", MaxMinutes))
            {
                return error!;
            }
            // Ending at the newest event rather than now: replayed or sample data still draws its last hour.
            var rows = await AnalyticsSql.RowsAsync(db, """
                WITH newest AS (SELECT date_trunc('minute', max(occurred_at)) AS m FROM fact_events)
                SELECT date_trunc('minute', f.occurred_at) AS minute, count(*) AS events
                FROM fact_events f, newest
                WHERE f.occurred_at >= newest.m - make_interval(mins => $1 - 1)
                GROUP BY 1 ORDER BY 1
                """, ct, n);
            return Results.Ok(new { minutes = n, rows });
        });
        return api;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Shopstream.Silo.Web.Console;

/// <summary>
/// <c>/api/analytics/catalogue/*</c>: the catalogue's views (sql/0003) per category, price, cart date and product;
/// each takes an optional <c>source</c> (<c>fakestore</c>, <c>dummyjson</c>; 400 for another).
/// </summary>
internal static class CatalogueAnalytics
{
    /// <summary>Upper bounds of the price histogram's buckets; the last bucket is open.</summary>
    internal static readonly decimal[] PriceBounds = [10m, 25m, 50m, 100m, 250m, 500m, 1000m];

    public static RouteGroupBuilder MapCatalogueAnalytics(this RouteGroupBuilder api)
    {
        var catalogue = api.MapGroup("/catalogue");
        catalogue.MapGet("/ratings", (string? source, NpgsqlDataSource db, CancellationToken ct) => Filtered(source, s => AnalyticsSql.RowsAsync(db, """
            SELECT category, price_category, sum(product_count)::bigint AS product_count,
                   round(sum(avg_rating * product_count) / nullif(sum(product_count) FILTER (WHERE avg_rating IS NOT NULL), 0), 2) AS avg_rating
            FROM vw_product_ratings WHERE $1::text IS NULL OR source = $1
            GROUP BY category, price_category ORDER BY category NULLS LAST, price_category NULLS LAST
            """, ct, s)));
        catalogue.MapGet("/prices", (string? source, NpgsqlDataSource db, CancellationToken ct) => Filtered(source, s => AnalyticsSql.RowsAsync(db, """
            SELECT source, width_bucket(price, $2::numeric[]) AS bucket, count(*) AS products
            FROM products WHERE price IS NOT NULL AND ($1::text IS NULL OR source = $1)
            GROUP BY 1, 2 ORDER BY 1, 2
            """, ct, s, PriceBounds)));
        catalogue.MapGet("/carts", async (string? source, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryCatalogueSource(source, out var s, out var error))
            {
                return error!;
            }
            // A cart has one date, so it counts once per weekday and once per month: the view's distinct carts add up.
            var byWeekday = await AnalyticsSql.RowsAsync(db, """
                SELECT day_of_week, sum(cart_count)::bigint AS carts, sum(total_items)::bigint AS items
                FROM vw_cart_analysis WHERE day_of_week IS NOT NULL AND ($1::text IS NULL OR source = $1)
                GROUP BY 1 ORDER BY array_position(ARRAY['Monday','Tuesday','Wednesday','Thursday','Friday','Saturday','Sunday'], trim(day_of_week)), 1
                """, ct, s);
            var byMonth = await AnalyticsSql.RowsAsync(db, """
                SELECT month, sum(cart_count)::bigint AS carts, sum(total_items)::bigint AS items
                FROM vw_cart_analysis WHERE month IS NOT NULL AND ($1::text IS NULL OR source = $1)
                GROUP BY 1 ORDER BY array_position(ARRAY['January','February','March','April','May','June','July','August','September','October','November','December'], trim(month)), 1
                """, ct, s);
            return Results.Ok(new { byWeekday, byMonth });
        });
        catalogue.MapGet("/top-cart-products", async (string? source, int? limit, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryCatalogueSource(source, out var s, out var error) || !AnalyticsSql.TryLimit(limit, 15, out var n, out error))
            {
                return error!;
            }
            return Results.Ok(await AnalyticsSql.RowsAsync(db, """
                SELECT source, product_id, title, sum(quantity)::bigint AS quantity, sum(total_price) AS revenue
                FROM vw_cart_products WHERE $1::text IS NULL OR source = $1
                GROUP BY source, product_id, title
                ORDER BY revenue DESC NULLS LAST, source, product_id LIMIT $2
                """, ct, s, n));
        });
        catalogue.MapGet("/sources", (string? source, NpgsqlDataSource db, CancellationToken ct) => Filtered(source, s => AnalyticsSql.RowsAsync(db,
            "SELECT * FROM vw_data_source_comparison WHERE $1::text IS NULL OR source = $1 ORDER BY source", ct, s)));
        return api;
    }

    private static async Task<IResult> Filtered(string? source, Func<string?, Task<List<Dictionary<string, object?>>>> query) =>
        AnalyticsSql.TryCatalogueSource(source, out var s, out var error) ? Results.Ok(await query(s)) : error!;
}

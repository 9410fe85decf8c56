using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Shopstream.Silo.Web.Console;

/// <summary><c>/api/analytics/recalls/*</c>: RappelConso notices (sql/0008) per month, category and risk, and the newest ones.</summary>
internal static class RecallAnalytics
{
    public static RouteGroupBuilder MapRecallAnalytics(this RouteGroupBuilder api)
    {
        var recalls = api.MapGroup("/recalls");
        recalls.MapGet("/by-month", async (NpgsqlDataSource db, CancellationToken ct) =>
            Results.Ok(await AnalyticsSql.RowsAsync(db, "SELECT * FROM vw_recalls_by_month ORDER BY month DESC LIMIT $1", ct, AnalyticsSql.MaxLimit)));
        recalls.MapGet("/by-category", async (NpgsqlDataSource db, CancellationToken ct) => Results.Ok(await AnalyticsSql.RowsAsync(db, """
            SELECT categorie_produit AS category, sum(recalls)::bigint AS recalls
            FROM vw_recalls_by_category GROUP BY 1 ORDER BY recalls DESC, category LIMIT $1
            """, ct, AnalyticsSql.MaxLimit)));
        recalls.MapGet("/by-risk", async (NpgsqlDataSource db, CancellationToken ct) => Results.Ok(await AnalyticsSql.RowsAsync(db,
            "SELECT risque AS risk, recalls FROM vw_recalls_by_risk ORDER BY recalls DESC, risk LIMIT $1", ct, AnalyticsSql.MaxLimit)));
        recalls.MapGet("/newest", async (int? limit, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (!AnalyticsSql.TryLimit(limit, 20, out var n, out var error))
            {
                return error!;
            }
            return Results.Ok(await AnalyticsSql.RowsAsync(db, """
                SELECT numero_fiche, numero_version, libelle, marque_produit, categorie_produit, date_publication,
                       risques_encourus, lien_vers_la_fiche_rappel
                FROM rappel_conso ORDER BY date_publication DESC, numero_fiche LIMIT $1
                """, ct, n));
        });
        return api;
    }
}

namespace Shopstream.Cli.Sources;

/// <summary>The recall views the demo prints (<c>sql/0008_rappel_conso.sql</c>).</summary>
internal static class RecallViews
{
    public static readonly (string Title, string Sql)[] Queries =
    [
        ("rappel_conso: notices and products", """
            SELECT count(*) AS notices, count(*) FILTER (WHERE date_publication_is_month) AS dated_by_month,
                   (SELECT count(*) FROM rappel_conso_products) AS products
            FROM rappel_conso
            """),
        ("vw_recalls_by_category", "SELECT * FROM vw_recalls_by_category ORDER BY recalls DESC, categorie_produit, sous_categorie_produit"),
        ("vw_recalls_by_risk", "SELECT * FROM vw_recalls_by_risk ORDER BY recalls DESC, risque"),
        ("vw_recalls_by_month", "SELECT * FROM vw_recalls_by_month ORDER BY month"),
        ("vw_recalls_top_brands", "SELECT * FROM vw_recalls_top_brands"),
        ("vw_recalls_open", "SELECT numero_fiche, libelle, date_de_fin_de_la_procedure_de_rappel FROM vw_recalls_open ORDER BY date_de_fin_de_la_procedure_de_rappel LIMIT 15"),
    ];
}

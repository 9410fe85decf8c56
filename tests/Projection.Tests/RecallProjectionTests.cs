using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;
using Shopstream.Projection;
using Shopstream.Tests.Support;

namespace Shopstream.Projection.Tests;

/// <summary>Recall notices in <c>rappel_conso</c> and <c>rappel_conso_products</c> on real PostgreSQL: which version wins, typed columns, the views.</summary>
public sealed class RecallProjectionTests : IAsyncLifetime, IAsyncDisposable
{
    private TestDatabase db = null!;
    private PostgresProjectionWriter writer = null!;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync();
        writer = new PostgresProjectionWriter(db.DataSource, Options.Create(new ProjectionWriterOptions { Writers = 1 }), NullLogger<PostgresProjectionWriter>.Instance);
    }

    public async Task DisposeAsync()
    {
        await writer.DisposeAsync();
        await db.DisposeAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private static RecallRecord Notice(int version, string libelle, params RecallProduct[] products) => new()
    {
        NumeroFiche = "2021-07-1063",
        NumeroVersion = version,
        DatePublication = new DateTimeOffset(2021, 7, 29, 10, 58, 19, TimeSpan.Zero),
        Libelle = libelle,
        CategorieProduit = "alimentation",
        MarqueProduit = "marque",
        RisquesEncourus = ["listeria monocytogenes", "salmonella"],
        ZoneGeographiqueDeVente = ["ardeche (07)", "gard (30)"],
        DateDeFinDeLaProcedureDeRappel = new DateOnly(2099, 1, 31),
        Products = [.. products],
    };

    private static readonly RecallProduct Lot1 = new("3410280005188", "20286", "date limite de consommation", new DateOnly(2022, 10, 31));
    private static readonly RecallProduct Lot2 = new("3410280005188", "20237", "date limite de consommation", null);
    private static readonly RecallProduct Lot3 = new(null, "tous les lots", null, null);

    [Fact]
    public async Task Higher_numero_version_replaces_the_notice_and_its_products()
    {
        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1, Lot2), 10, "h1"));

        await writer.WriteAsync(new RecallRow(Notice(2, "second", Lot3), 11, "h2"));

        Assert.Equal(["2|second|h2"], await db.RowsAsync("SELECT numero_version, libelle, content_hash FROM rappel_conso"));
        Assert.Equal(["1|null|tous les lots|null|null"], await db.RowsAsync("SELECT position, gtin, lot, date_type, date FROM rappel_conso_products ORDER BY position"));
    }

    [Fact]
    public async Task Lower_numero_version_never_overwrites_a_newer_one_even_ingested_later()
    {
        await writer.WriteAsync(new RecallRow(Notice(2, "second", Lot3), 10, "h2"));

        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1, Lot2), 99, "h1"));

        Assert.Equal(["2|second"], await db.RowsAsync("SELECT numero_version, libelle FROM rappel_conso"));
        Assert.Equal(["tous les lots"], await db.RowsAsync("SELECT lot FROM rappel_conso_products"));
    }

    [Fact]
    public async Task Same_version_with_identical_content_changes_nothing()
    {
        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1), 10, "h1"));
        var before = await db.RowsAsync("SELECT updated_at::text FROM rappel_conso");

        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1), 11, "h1"));

        Assert.Equal(before, await db.RowsAsync("SELECT updated_at::text FROM rappel_conso"));
        Assert.Equal(["10"], await db.RowsAsync("SELECT version FROM rappel_conso"));
    }

    [Fact]
    public async Task Columns_are_typed_and_multi_valued_fields_are_text_arrays()
    {
        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1, Lot2), 10, "h1"));

        Assert.Equal(["2021-07-29 10:58:19+00|false|{\"ardeche (07)\",\"gard (30)\"}|2|2099-01-31"], await db.RowsAsync("""
            SELECT date_publication AT TIME ZONE 'UTC' || '+00', date_publication_is_month::text, zone_geographique_de_vente::text,
                   cardinality(risques_encourus), date_de_fin_de_la_procedure_de_rappel::text FROM rappel_conso
            """));
        Assert.Equal(["1|3410280005188|20286|2022-10-31", "2|3410280005188|20237|null"],
            await db.RowsAsync("SELECT position, gtin, lot, date::text FROM rappel_conso_products ORDER BY position"));
    }

    [Fact]
    public async Task Views_count_per_category_risk_month_brand_and_open_procedure()
    {
        await writer.WriteAsync(new RecallRow(Notice(1, "first", Lot1), 10, "h1"));

        Assert.Equal(["alimentation|(none)|1"], await db.RowsAsync("SELECT categorie_produit, sous_categorie_produit, recalls FROM vw_recalls_by_category"));
        Assert.Equal(["listeria monocytogenes|1", "salmonella|1"], await db.RowsAsync("SELECT risque, recalls FROM vw_recalls_by_risk ORDER BY risque"));
        Assert.Equal(["2021-07|1|0"], await db.RowsAsync("SELECT * FROM vw_recalls_by_month"));
        Assert.Equal(["marque|1"], await db.RowsAsync("SELECT marque_produit, recalls FROM vw_recalls_top_brands"));
        Assert.Equal(["2021-07-1063"], await db.RowsAsync("SELECT numero_fiche FROM vw_recalls_open"));
    }
}

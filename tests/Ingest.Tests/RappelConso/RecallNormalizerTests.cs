using System.Text.Json;
using System.Text.Json.Nodes;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.RappelConso;
using Shopstream.Ingest.Tests.Support;
using Xunit;

namespace Shopstream.Ingest.Tests.RappelConso;

public sealed class RecallNormalizerTests
{
    private static readonly string Samples = Path.Combine(SampleData.RepositoryRoot, "samples", "rappelconso");

    private static async Task<RecallPage> PageAsync(string file)
    {
        await using var stream = File.OpenRead(Path.Combine(Samples, file));
        return await RecallPage.ParseAsync(stream, file, CancellationToken.None);
    }

    private static RecallRecord Accepted(JsonElement raw)
    {
        var result = RecallNormalizer.Normalize(raw);
        Assert.True(result.IsAccepted, result.Reason);
        return result.Record;
    }

    [Fact]
    public async Task Both_schemas_pages_parse_with_their_records_and_total()
    {
        var v2 = await PageAsync("v2.1-records-page.json");
        var v1 = await PageAsync("v2.0-rappelconso0-records-page.json");

        Assert.Equal((20, 17_080L), (v2.Records.Count, v2.TotalCount));
        Assert.Equal((10, 5_101L), (v1.Records.Count, v1.TotalCount));
        Assert.All(v2.Records.Concat(v1.Records), r => Assert.True(RecallNormalizer.Normalize(r).IsAccepted));
    }

    [Fact]
    public async Task V2_notice_maps_its_fields_typed()
    {
        var notice = Accepted((await PageAsync("v2.1-records-page.json")).Records[0]);

        Assert.Equal("2021-07-0344", notice.NumeroFiche);
        Assert.Equal(1, notice.NumeroVersion);
        Assert.Equal(1506, notice.Id);
        Assert.Equal("6e0abf43-91c1-481f-8892-e865ef797baa", notice.RappelGuid);
        Assert.Equal(new DateTimeOffset(2021, 7, 21, 9, 7, 11, TimeSpan.Zero), notice.DatePublication);
        Assert.False(notice.DatePublicationIsMonth);
        Assert.Equal("laboratoires phytoceutic", notice.MarqueProduit);
        Assert.Equal(new DateOnly(2020, 4, 20), notice.DateDebutCommercialisation);
        Assert.Equal(new DateOnly(2023, 3, 31), notice.DateFinCommercialisation);
        Assert.Equal(new DateOnly(2021, 9, 15), notice.DateDeFinDeLaProcedureDeRappel);
        Assert.Equal(["france entière"], notice.ZoneGeographiqueDeVente.ToArray());
        Assert.Equal(["auchan, leclerc, lafayette réseau, hyper u"], notice.Distributeurs.ToArray());
        Assert.Equal(["https://rappel.conso.gouv.fr/image/def27262-7aa8-4bd5-98b9-f99d8b19ad9f.jpg"], notice.LiensVersLesImages.ToArray());
        Assert.Equal([new RecallProduct("3492270125021", "2000754b", "date limite de consommation", new DateOnly(2023, 3, 31))], notice.Products.ToArray());
    }

    [Fact]
    public async Task Pipe_separated_fields_become_one_value_each()
    {
        var notice = Accepted((await PageAsync("v2.1-records-page.json")).Records[3]);

        Assert.Equal(["produits phytosanitaires non autorisés", "dépassement des limites autorisées de pesticides"], notice.RisquesEncourus.ToArray());
        // Eight products without a date: "non concerné" is the date type.
        Assert.Equal(8, notice.Products.Length);
        Assert.Equal(new RecallProduct("208617000004", "confère affichette apposée dans chaque magasin", "non concerné", null), notice.Products[2]);
    }

    [Fact]
    public async Task Products_as_a_list_of_strings_and_as_one_dollar_string_are_the_same()
    {
        var listed = (await PageAsync("v2.1-records-page.json")).Records[1];
        var node = JsonNode.Parse(listed.GetRawText())!.AsObject();
        node["identification_produits"] =
            "3574100075109$2017006$date de durabilité minimale$2022-12-05|3574100075109$2020601$date de durabilité minimale$2023-01-12";
        var text = SampleData.Json(node.ToJsonString());
        Assert.Equal(JsonValueKind.String, text.GetProperty("identification_produits").ValueKind);

        RecallProduct[] expected =
        [
            new("3574100075109", "2017006", "date de durabilité minimale", new DateOnly(2022, 12, 5)),
            new("3574100075109", "2020601", "date de durabilité minimale", new DateOnly(2023, 1, 12)),
        ];
        Assert.Equal(expected, Accepted(listed).Products.ToArray());
        Assert.Equal(expected, Accepted(text).Products.ToArray());
    }

    [Fact]
    public void Dollar_string_without_a_gtin_starts_with_its_lot()
    {
        var notice = Accepted(SampleData.Json("""
            {"numero_fiche":"2022-04-0001","numero_version":1,"date_publication":"2022-04-01T10:00:00+02:00",
             "identification_produits":"$22ej084c01$date limite de consommation$2022-04-13$"}
            """));

        Assert.Equal([new RecallProduct(null, "22ej084c01", "date limite de consommation", new DateOnly(2022, 4, 13))], notice.Products.ToArray());
        Assert.Equal(new DateTimeOffset(2022, 4, 1, 8, 0, 0, TimeSpan.Zero), notice.DatePublication);
    }

    [Fact]
    public async Task V1_notice_without_publication_date_is_dated_by_its_month_and_says_so()
    {
        var notice = Accepted((await PageAsync("v2.0-rappelconso0-records-page.json")).Records[0]);

        Assert.Equal("2022-03-0002", notice.NumeroFiche);
        Assert.Equal(1, notice.NumeroVersion);
        Assert.Equal(new DateTimeOffset(2022, 3, 1, 0, 0, 0, TimeSpan.Zero), notice.DatePublication);
        Assert.True(notice.DatePublicationIsMonth);
        Assert.Equal("BIBS", notice.MarqueProduit);
        Assert.Equal("Bébés-Enfants (hors alimentaire)", notice.CategorieProduit);
        Assert.Equal(["Blessures externes"], notice.RisquesEncourus.ToArray());
        Assert.Equal(new DateOnly(2022, 1, 20), notice.DateDebutCommercialisation);
        Assert.Equal(new DateOnly(2022, 2, 28), notice.DateFinCommercialisation);
        Assert.Equal(new DateOnly(2022, 3, 31), notice.DateDeFinDeLaProcedureDeRappel);
        Assert.Equal(3, notice.LiensVersLesImages.Length);
        Assert.Empty(notice.Products);
    }

    [Fact]
    public async Task V1_marketing_period_since_a_date_has_no_end()
    {
        var notice = Accepted((await PageAsync("v2.0-rappelconso0-records-page.json")).Records[2]);

        Assert.Equal((new DateOnly(2021, 12, 11), (DateOnly?)null), (notice.DateDebutCommercialisation, notice.DateFinCommercialisation));
    }

    [Theory]
    [InlineData("""{"numero_version":1,"date_publication":"2024-01-01T00:00:00Z"}""", null, "missing notice number (numero_fiche)")]
    [InlineData("""{"numero_fiche":"  ","numero_version":1,"date_publication":"2024-01-01T00:00:00Z"}""", null, "missing notice number (numero_fiche)")]
    [InlineData("""{"numero_fiche":"A-1","numero_version":1}""", "A-1", "missing publication date (date_publication, or date_ref in V1)")]
    [InlineData("""{"numero_fiche":"A-1","date_publication":"2024-01-01T00:00:00Z"}""", "A-1", "missing notice version (numero_version)")]
    [InlineData("""{"numero_fiche":"A-1","numero_version":"2","date_publication":"2024-01-01T00:00:00Z"}""", "A-1", "field 'numero_version' must be an integer, got the string \"2\"")]
    [InlineData("""{"numero_fiche":"A-1","numero_version":1,"date_publication":"yesterday"}""", "A-1", "field 'date_publication' must be an ISO 8601 date string, got the string \"yesterday\"")]
    [InlineData("""{"numero_fiche":"A-1","numero_version":1,"date_publication":"2024-01-01T00:00:00Z","identification_produits":7}""", "A-1", "field 'identification_produits' must be a string or a list of strings, got number")]
    [InlineData("""{"numero_fiche":"A-1","numero_version":1,"date_publication":"2024-01-01T00:00:00Z","date_debut_commercialisation":"01/02/2024"}""", "A-1", "field 'date_debut_commercialisation' must be a yyyy-mm-dd date, got \"01/02/2024\"")]
    [InlineData("""{"reference_fiche":"B-1","ndeg_de_version":1}""", "B-1", "missing publication date (date_publication, or date_ref in V1)")]
    public void Bad_notice_is_rejected_with_its_reason_and_number(string json, string? numeroFiche, string reason)
    {
        var result = RecallNormalizer.Normalize(SampleData.Json(json));

        Assert.False(result.IsAccepted);
        Assert.Equal(numeroFiche, result.NumeroFiche);
        Assert.Equal(reason, result.Reason);
    }
}

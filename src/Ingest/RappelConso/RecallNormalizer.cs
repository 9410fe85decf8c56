using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Ingest.Json;

namespace Shopstream.Ingest.RappelConso;

/// <summary>
/// Turns one RappelConso record into a <see cref="RecallRecord"/>, from either schema: V2 (Explore v2.1, flat records,
/// <c>numero_fiche</c>) or V1 (<c>rappelconso0</c>, Explore v2.0 <c>record.fields</c>, <c>reference_fiche</c>,
/// <c>ndeg_de_version</c>). A notice needs its number, its version and a publication date; V1 notices published before
/// October 2022 have no <c>date_de_publication</c> and are dated by the first day of their <c>date_ref</c> month, which
/// the record says (<see cref="RecallRecord.DatePublicationIsMonth"/>). Free-text dates of V1 that do not parse are left
/// empty, not rejected: they are prose, not data.
/// </summary>
public static partial class RecallNormalizer
{
    /// <summary>Normalizes one record; never throws for bad data.</summary>
    public static RecallNormalization Normalize(JsonElement raw)
    {
        var fields = JsonFields.OfRecord(raw);
        return raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty("reference_fiche", out _)
            ? NormalizeV1(fields)
            : NormalizeV2(fields);
    }

    private static RecallNormalization NormalizeV2(JsonFields f)
    {
        var fiche = NoticeNumber(f, "numero_fiche");
        var version = f.Int32("numero_version", min: 0);
        var published = f.UtcDateTime("date_publication");
        var record = new RecallRecord
        {
            NumeroFiche = fiche ?? "",
            NumeroVersion = version ?? 0,
            Id = f.Int64("id"),
            RappelGuid = f.Text("rappel_guid"),
            Libelle = f.Text("libelle"),
            DatePublication = published is { } p ? new DateTimeOffset(p, TimeSpan.Zero) : default,
            NatureJuridiqueRappel = f.Text("nature_juridique_rappel"),
            CategorieProduit = f.Text("categorie_produit"),
            SousCategorieProduit = f.Text("sous_categorie_produit"),
            MarqueProduit = f.Text("marque_produit"),
            ModelesOuReferences = f.Text("modeles_ou_references"),
            Conditionnements = f.Text("conditionnements"),
            DateDebutCommercialisation = IsoDate(f, "date_debut_commercialisation"),
            DateFinCommercialisation = IsoDate(f, "date_date_fin_commercialisation"),
            TemperatureConservation = f.Text("temperature_conservation"),
            MarqueSalubrite = f.Text("marque_salubrite"),
            ZoneGeographiqueDeVente = Split(f.Text("zone_geographique_de_vente"), '|'),
            Distributeurs = Split(f.Text("distributeurs"), '|'),
            MotifRappel = Split(f.Text("motif_rappel"), '|'),
            RisquesEncourus = Split(f.Text("risques_encourus"), '|'),
            ConduitesATenirParLeConsommateur = Split(f.Text("conduites_a_tenir_par_le_consommateur"), '|'),
            ModalitesDeCompensation = f.Text("modalites_de_compensation"),
            DateDeFinDeLaProcedureDeRappel = IsoDate(f, "date_de_fin_de_la_procedure_de_rappel"),
            LiensVersLesImages = Split(f.Text("liens_vers_les_images"), '|'),
            LienVersAffichettePdf = f.Text("lien_vers_affichette_pdf"),
            LienVersLaFicheRappel = f.Text("lien_vers_la_fiche_rappel"),
            Products = Products(f, "identification_produits"),
        };
        return Result(f, fiche, version, published, record);
    }

    private static RecallNormalization NormalizeV1(JsonFields f)
    {
        var fiche = NoticeNumber(f, "reference_fiche");
        var version = f.Int32("ndeg_de_version", min: 0);
        var published = f.UtcDateTime("date_de_publication");
        var byMonth = false;
        if (published is null && !f.TryGet("date_de_publication", out _))
        {
            published = MonthStart(f, "date_ref");
            byMonth = published is not null;
        }

        var (from, until) = MarketingPeriod(f.Text("date_debut_fin_de_commercialisation"));
        var record = new RecallRecord
        {
            NumeroFiche = fiche ?? "",
            NumeroVersion = version ?? 0,
            DatePublication = published is { } p ? new DateTimeOffset(p, TimeSpan.Zero) : default,
            DatePublicationIsMonth = byMonth,
            NatureJuridiqueRappel = f.Text("nature_juridique_du_rappel"),
            CategorieProduit = f.Text("categorie_de_produit"),
            SousCategorieProduit = f.Text("sous_categorie_de_produit"),
            MarqueProduit = f.Text("nom_de_la_marque_du_produit"),
            ModelesOuReferences = f.Text("noms_des_modeles_ou_references"),
            Conditionnements = f.Text("conditionnements"),
            DateDebutCommercialisation = from,
            DateFinCommercialisation = until,
            TemperatureConservation = f.Text("temperature_de_conservation"),
            MarqueSalubrite = f.Text("marque_de_salubrite"),
            ZoneGeographiqueDeVente = Split(f.Text("zone_geographique_de_vente"), '|'),
            Distributeurs = Split(f.Text("distributeurs"), '|'),
            MotifRappel = Split(f.Text("motif_du_rappel"), '|'),
            RisquesEncourus = Split(f.Text("risques_encourus_par_le_consommateur"), '|'),
            ConduitesATenirParLeConsommateur = Split(f.Text("conduites_a_tenir_par_le_consommateur"), '|'),
            ModalitesDeCompensation = f.Text("modalites_de_compensation"),
            DateDeFinDeLaProcedureDeRappel = FrenchDate(f.Text("date_de_fin_de_la_procedure_de_rappel")),
            // V1 separates image URLs with spaces.
            LiensVersLesImages = Split(f.Text("liens_vers_les_images"), ' '),
            LienVersAffichettePdf = f.Text("lien_vers_affichette_pdf"),
            LienVersLaFicheRappel = f.Text("lien_vers_la_fiche_rappel"),
            // V1's identification_des_produits is free prose ("5713795220915 Tous les lots ..."): no products are guessed from it.
        };
        return Result(f, fiche, version, published, record);
    }

    private static RecallNormalization Result(JsonFields f, string? fiche, int? version, DateTime? published, RecallRecord record)
    {
        if (fiche is null)
        {
            return new(null, null, f.Reason ?? "missing notice number (numero_fiche)");
        }

        if (f.Reason is { } reason)
        {
            return new(null, fiche, reason);
        }

        if (version is null)
        {
            return new(null, fiche, "missing notice version (numero_version)");
        }

        return published is null
            ? new(null, fiche, "missing publication date (date_publication, or date_ref in V1)")
            : new(record, fiche, null);
    }

    /// <summary>The notice number: it is the key, so it must be a short non-blank string without the key separator's troubles.</summary>
    private static string? NoticeNumber(JsonFields f, string name)
    {
        var text = f.Text(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length > 256)
        {
            f.Add($"field '{name}' is longer than 256 characters");
            return null;
        }

        return text;
    }

    private static DateOnly? IsoDate(JsonFields f, string name)
    {
        var text = f.Text(name);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        f.Add($"field '{name}' must be a yyyy-mm-dd date, got \"{Shown(text)}\"");
        return null;
    }

    private static DateTime? MonthStart(JsonFields f, string name)
    {
        var text = f.Text(name);
        if (text is null)
        {
            return null;
        }

        if (DateTime.TryParseExact(text.Trim(), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            return DateTime.SpecifyKind(month, DateTimeKind.Utc);
        }

        f.Add($"field '{name}' must be a yyyy-mm month, got \"{Shown(text)}\"");
        return null;
    }

    private static ImmutableArray<RecallProduct> Products(JsonFields f, string name)
    {
        if (!f.TryGet(name, out var value))
        {
            return [];
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return RecallProducts.Parse(value.GetString()!);
            case JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                return RecallProducts.Parse(string.Join('$', value.EnumerateArray().Select(e => e.GetString())));
            default:
                f.Add($"field '{name}' must be a string or a list of strings, got {value.ValueKind.ToString().ToLowerInvariant()}");
                return [];
        }
    }

    private static ImmutableArray<string> Split(string? text, char separator) =>
        text is null ? [] : [.. text.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>V1's <c>"Du 20/01/2022 au 28/02/2022"</c> or <c>"Depuis le 11/12/2021"</c>; anything else gives no dates.</summary>
    private static (DateOnly? From, DateOnly? Until) MarketingPeriod(string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        var dates = FrenchNumericDate().Matches(text).Select(m => DateOnly.TryParseExact(m.Value, "dd/MM/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null).ToList();
        return dates.Count switch
        {
            0 => (null, null),
            1 => (dates[0], null),
            _ => (dates[0], dates[1]),
        };
    }

    /// <summary>V1's <c>"jeudi 31 mars 2022"</c>.</summary>
    private static DateOnly? FrenchDate(string? text)
    {
        if (text is null || FrenchLongDate().Match(text) is not { Success: true } m)
        {
            return null;
        }

        var month = Array.IndexOf(FrenchMonths, m.Groups["month"].Value.ToLowerInvariant().Replace('é', 'e').Replace('û', 'u')) + 1;
        var day = int.Parse(m.Groups["day"].Value, CultureInfo.InvariantCulture);
        var year = int.Parse(m.Groups["year"].Value, CultureInfo.InvariantCulture);
        return year >= 1 && month > 0 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    private static readonly string[] FrenchMonths =
        ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"];

    private static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "...";

    [GeneratedRegex(@"\b\d{2}/\d{2}/\d{4}\b")]
    private static partial Regex FrenchNumericDate();

    [GeneratedRegex(@"(?<day>\d{1,2})\s+(?<month>\p{L}+)\s+(?<year>\d{4})")]
    private static partial Regex FrenchLongDate();
}

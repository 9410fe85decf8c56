using System.Collections.Immutable;

namespace Shopstream.Grains.Interfaces.Records;

/// <summary>
/// One product recall notice (RappelConso) as normalized by the ingest, whichever API schema it came from. Keyed
/// <c>rappelconso:&lt;numero_fiche&gt;</c>; a notice republished with corrections keeps its number and gets a higher
/// <see cref="NumeroVersion"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RecallRecord
{
    [Id(0)] public required string NumeroFiche { get; init; }
    [Id(1)] public required int NumeroVersion { get; init; }
    /// <summary>The API's numeric id (V2 only).</summary>
    [Id(2)] public long? Id { get; init; }
    [Id(3)] public string? RappelGuid { get; init; }
    [Id(4)] public string? Libelle { get; init; }
    [Id(5)] public required DateTimeOffset DatePublication { get; init; }
    /// <summary>True when the notice had no publication date and <see cref="DatePublication"/> is the first day of its <c>date_ref</c> month.</summary>
    [Id(6)] public bool DatePublicationIsMonth { get; init; }
    [Id(7)] public string? NatureJuridiqueRappel { get; init; }
    [Id(8)] public string? CategorieProduit { get; init; }
    [Id(9)] public string? SousCategorieProduit { get; init; }
    [Id(10)] public string? MarqueProduit { get; init; }
    [Id(11)] public string? ModelesOuReferences { get; init; }
    [Id(12)] public string? Conditionnements { get; init; }
    [Id(13)] public DateOnly? DateDebutCommercialisation { get; init; }
    [Id(14)] public DateOnly? DateFinCommercialisation { get; init; }
    [Id(15)] public string? TemperatureConservation { get; init; }
    [Id(16)] public string? MarqueSalubrite { get; init; }
    [Id(17)] public ImmutableArray<string> ZoneGeographiqueDeVente { get; init; } = [];
    [Id(18)] public ImmutableArray<string> Distributeurs { get; init; } = [];
    [Id(19)] public ImmutableArray<string> MotifRappel { get; init; } = [];
    [Id(20)] public ImmutableArray<string> RisquesEncourus { get; init; } = [];
    [Id(21)] public ImmutableArray<string> ConduitesATenirParLeConsommateur { get; init; } = [];
    [Id(22)] public string? ModalitesDeCompensation { get; init; }
    [Id(23)] public DateOnly? DateDeFinDeLaProcedureDeRappel { get; init; }
    [Id(24)] public ImmutableArray<string> LiensVersLesImages { get; init; } = [];
    [Id(25)] public string? LienVersAffichettePdf { get; init; }
    [Id(26)] public string? LienVersLaFicheRappel { get; init; }
    /// <summary>The products the notice names (<c>identification_produits</c>), in the notice's order.</summary>
    [Id(27)] public ImmutableArray<RecallProduct> Products { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(RecallRecord? other) =>
        other is not null && NumeroFiche == other.NumeroFiche && NumeroVersion == other.NumeroVersion && Id == other.Id
        && RappelGuid == other.RappelGuid && Libelle == other.Libelle && DatePublication == other.DatePublication
        && DatePublicationIsMonth == other.DatePublicationIsMonth && NatureJuridiqueRappel == other.NatureJuridiqueRappel
        && CategorieProduit == other.CategorieProduit && SousCategorieProduit == other.SousCategorieProduit
        && MarqueProduit == other.MarqueProduit && ModelesOuReferences == other.ModelesOuReferences
        && Conditionnements == other.Conditionnements && DateDebutCommercialisation == other.DateDebutCommercialisation
        && DateFinCommercialisation == other.DateFinCommercialisation && TemperatureConservation == other.TemperatureConservation
        && MarqueSalubrite == other.MarqueSalubrite && ZoneGeographiqueDeVente.SequenceEqual(other.ZoneGeographiqueDeVente)
        && Distributeurs.SequenceEqual(other.Distributeurs) && MotifRappel.SequenceEqual(other.MotifRappel)
        && RisquesEncourus.SequenceEqual(other.RisquesEncourus)
        && ConduitesATenirParLeConsommateur.SequenceEqual(other.ConduitesATenirParLeConsommateur)
        && ModalitesDeCompensation == other.ModalitesDeCompensation
        && DateDeFinDeLaProcedureDeRappel == other.DateDeFinDeLaProcedureDeRappel
        && LiensVersLesImages.SequenceEqual(other.LiensVersLesImages) && LienVersAffichettePdf == other.LienVersAffichettePdf
        && LienVersLaFicheRappel == other.LienVersLaFicheRappel && Products.SequenceEqual(other.Products);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(NumeroFiche, NumeroVersion, DatePublication, Products.Length);
}

/// <summary>One product of a recall notice: its GTIN (bar code) when it has one, lot, kind of date and date.</summary>
[GenerateSerializer, Immutable]
public sealed record RecallProduct(
    [property: Id(0)] string? Gtin,
    [property: Id(1)] string? Lot,
    [property: Id(2)] string? DateType,
    [property: Id(3)] DateOnly? Date);

using System.Collections.Immutable;
using System.Text.Json;
using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;
using Shopstream.Projection.Clickstream;

namespace Shopstream.Projection;

/// <summary>
/// The column map of every row type the projection writes, in the order of its table's columns (where the statement
/// inserts <c>SELECT *</c> or <c>u.*</c>, that order is what puts each value in its column).
/// </summary>
internal static class ProjectionColumns
{
    public static readonly RowColumns<ProductRow> Products = new()
    {
        { "source", "text", r => r.Source },
        { "id", "bigint", r => r.Id },
        { "title", "text", r => r.Title },
        { "description", "text", r => r.Description },
        { "category", "text", r => r.Category },
        { "price", "numeric", r => r.Price },
        { "image_url", "text", r => r.ImageUrl },
        { "rating_value", "numeric", r => r.RatingValue },
        { "rating_count", "int", r => r.RatingCount },
        { "stock", "int", r => r.Stock },
        { "brand", "text", r => r.Brand },
        { "price_category", "text", r => r.PriceCategory },
        { "version", "bigint", r => r.Version },
        { "content_hash", "text", r => r.ContentHash },
    };

    /// <summary>The key of a product row, for the statement that renames clickstream products after it.</summary>
    public static readonly RowColumns<ProductRow> ProductKeys = new()
    {
        { "source", "text", r => r.Source },
        { "id", "bigint", r => r.Id },
    };

    public static readonly RowColumns<UserRow> Users = new()
    {
        { "source", "text", r => r.Source },
        { "id", "bigint", r => r.Id },
        { "email", "text", r => r.Email },
        { "username", "text", r => r.Username },
        { "first_name", "text", r => r.FirstName },
        { "last_name", "text", r => r.LastName },
        { "phone", "text", r => r.Phone },
        { "address_street", "text", r => r.AddressStreet },
        { "address_city", "text", r => r.AddressCity },
        { "address_zipcode", "text", r => r.AddressZipcode },
        { "version", "bigint", r => r.Version },
        { "content_hash", "text", r => r.ContentHash },
    };

    /// <summary>A cart's header; its day and month go to its lines' rows, not to <c>carts</c>.</summary>
    public static readonly RowColumns<CartRow> Carts = new()
    {
        { "source", "text", r => r.Source },
        { "cart_id", "bigint", r => r.CartId },
        { "user_id", "bigint", r => r.UserId },
        { "cart_date", "timestamptz", r => r.CartDate is { } d ? DateTime.SpecifyKind(d.ToUniversalTime(), DateTimeKind.Utc) : (DateTime?)null },
        { "day_of_week", "text", r => r.DayOfWeek },
        { "month", "text", r => r.Month },
        { "version", "bigint", r => r.Version },
        { "content_hash", "text", r => r.ContentHash },
    };

    public static readonly RowColumns<CartLine> CartLines = new()
    {
        { "source", "text", l => l.Source },
        { "cart_id", "bigint", l => l.CartId },
        { "product_id", "bigint", l => l.Line.ProductId },
        { "quantity", "int", l => l.Line.Quantity },
        { "unit_price", "numeric", l => l.Line.UnitPrice },
    };

    /// <summary>
    /// A recall notice. Its multi-valued fields travel as JSON array text (an array parameter cannot hold one array per
    /// row); the statement turns them into <c>text[]</c>.
    /// </summary>
    public static readonly RowColumns<RecallRow> Recalls = new()
    {
        { "numero_fiche", "text", r => r.Recall.NumeroFiche },
        { "numero_version", "int", r => r.Recall.NumeroVersion },
        { "id", "bigint", r => r.Recall.Id },
        { "rappel_guid", "text", r => r.Recall.RappelGuid },
        { "libelle", "text", r => r.Recall.Libelle },
        { "date_publication", "timestamptz", r => r.Recall.DatePublication.ToUniversalTime() },
        { "date_publication_is_month", "boolean", r => r.Recall.DatePublicationIsMonth },
        { "nature_juridique_rappel", "text", r => r.Recall.NatureJuridiqueRappel },
        { "categorie_produit", "text", r => r.Recall.CategorieProduit },
        { "sous_categorie_produit", "text", r => r.Recall.SousCategorieProduit },
        { "marque_produit", "text", r => r.Recall.MarqueProduit },
        { "modeles_ou_references", "text", r => r.Recall.ModelesOuReferences },
        { "conditionnements", "text", r => r.Recall.Conditionnements },
        { "date_debut_commercialisation", "date", r => r.Recall.DateDebutCommercialisation },
        { "date_fin_commercialisation", "date", r => r.Recall.DateFinCommercialisation },
        { "temperature_conservation", "text", r => r.Recall.TemperatureConservation },
        { "marque_salubrite", "text", r => r.Recall.MarqueSalubrite },
        { "zone_geographique_de_vente", "text", r => JsonArray(r.Recall.ZoneGeographiqueDeVente) },
        { "distributeurs", "text", r => JsonArray(r.Recall.Distributeurs) },
        { "motif_rappel", "text", r => JsonArray(r.Recall.MotifRappel) },
        { "risques_encourus", "text", r => JsonArray(r.Recall.RisquesEncourus) },
        { "conduites_a_tenir_par_le_consommateur", "text", r => JsonArray(r.Recall.ConduitesATenirParLeConsommateur) },
        { "modalites_de_compensation", "text", r => r.Recall.ModalitesDeCompensation },
        { "date_de_fin_de_la_procedure_de_rappel", "date", r => r.Recall.DateDeFinDeLaProcedureDeRappel },
        { "liens_vers_les_images", "text", r => JsonArray(r.Recall.LiensVersLesImages) },
        { "lien_vers_affichette_pdf", "text", r => r.Recall.LienVersAffichettePdf },
        { "lien_vers_la_fiche_rappel", "text", r => r.Recall.LienVersLaFicheRappel },
        { "version", "bigint", r => r.Version },
        { "content_hash", "text", r => r.ContentHash },
    };

    /// <summary>The columns of <see cref="Recalls"/> sent as JSON array text and stored as <c>text[]</c>.</summary>
    public static readonly IReadOnlySet<string> RecallArrayColumns = new HashSet<string>(StringComparer.Ordinal)
    {
        "zone_geographique_de_vente", "distributeurs", "motif_rappel", "risques_encourus",
        "conduites_a_tenir_par_le_consommateur", "liens_vers_les_images",
    };

    public static readonly RowColumns<RecallProductLine> RecallProducts = new()
    {
        { "numero_fiche", "text", p => p.NumeroFiche },
        { "position", "int", p => p.Position },
        { "gtin", "text", p => p.Product.Gtin },
        { "lot", "text", p => p.Product.Lot },
        { "date_type", "text", p => p.Product.DateType },
        { "date", "date", p => p.Product.Date },
    };

    /// <summary>Whatever a rejection carries, it must be storable: it is where refused input ends up.</summary>
    public static readonly RowColumns<RejectedRow> Rejected = new()
    {
        { "stage", "text", r => StorableText.Of(r.Stage, StorableText.MaxShortChars) },
        { "topic", "text", r => StorableText.OfNullable(r.Topic, StorableText.MaxShortChars) },
        { "partition", "int", r => r.Partition },
        { "\"offset\"", "bigint", r => r.Offset },
        { "key", "text", r => StorableText.OfNullable(r.Key, StorableText.MaxShortChars) },
        { "payload", "text", r => StorableText.Of(r.Payload, StorableText.MaxPayloadChars) },
        { "reason", "text", r => StorableText.Of(r.Reason, StorableText.MaxShortChars) },
        { "fingerprint", "text", r => StorableText.Of(r.Fingerprint, StorableText.MaxShortChars) },
    };

    public static readonly RowColumns<DateDimension> DimDates = new()
    {
        { "date_key", "int", d => d.DateKey },
        { "full_date", "date", d => d.FullDate },
        { "day_of_week", "int", d => d.DayOfWeek },
        { "day_of_week_short", "text", d => d.DayOfWeekShort },
        { "is_weekday_or_weekend", "text", d => d.IsWeekdayOrWeekend },
        { "day_of_month", "int", d => d.DayOfMonth },
        { "year_month", "text", d => d.YearMonth },
        { "month", "text", d => d.Month },
        { "day_of_year", "int", d => d.DayOfYear },
        { "week_of_year", "int", d => d.WeekOfYear },
        { "quarter_number", "int", d => d.QuarterNumber },
        { "year", "int", d => d.Year },
    };

    /// <summary><c>url_name</c> is no column of <c>dim_product</c>: the statement names the product from it or the catalogue.</summary>
    public static readonly RowColumns<ProductDimensionRow> DimProducts = new()
    {
        { "product_key", "text", p => p.ProductKey },
        { "url_name", "text", p => p.UrlName },
        { "current_url", "text", p => p.CurrentUrl },
        { "language_code", "text", p => p.LanguageCode },
        { "catalogue_source", "text", p => p.CatalogueSource },
        { "catalogue_id", "bigint", p => p.CatalogueId },
    };

    public static readonly RowColumns<LocationRow> DimLocations = new()
    {
        { "location_key", "text", l => l.LocationKey },
        { "ip_address", "text", l => l.IpAddress },
        { "country_code", "text", l => l.CountryCode },
        { "country_name", "text", l => l.CountryName },
        { "region_name", "text", l => l.RegionName },
        { "city_name", "text", l => l.CityName },
    };

    public static readonly RowColumns<UserAgentRow> DimUserAgents = new()
    {
        { "user_agent_key", "text", a => a.UserAgentKey },
        { "user_agent", "text", a => a.UserAgent },
        { "browser", "text", a => a.Browser },
        { "os", "text", a => a.Os },
        { "device_type", "text", a => a.DeviceType },
    };

    public static readonly RowColumns<ReferrerRow> DimReferrers = new()
    {
        { "referrer_key", "text", r => r.ReferrerKey },
        { "referrer_url", "text", r => r.ReferrerUrl },
        { "referrer_domain", "text", r => r.ReferrerDomain },
        { "referrer_type", "text", r => r.ReferrerType },
    };

    /// <summary><c>date_key</c> and <c>event_time</c> are not here: the statement derives them from <c>occurred_at</c>.</summary>
    public static readonly RowColumns<KeyedFact> Facts = new()
    {
        { "event_key", "text", f => f.EventKey },
        { "event_id", "text", f => f.Fact.EventId },
        { "event_type", "text", f => f.Fact.EventType },
        { "occurred_at", "timestamptz", f => f.Fact.OccurredAt.ToUniversalTime() },
        { "session_key", "text", f => f.Fact.SessionKey },
        { "user_id", "text", f => f.Fact.UserId },
        { "product_key", "text", f => f.Fact.ProductKey },
        { "location_key", "text", f => f.Fact.LocationKey },
        { "user_agent_key", "text", f => f.Fact.UserAgentKey },
        { "referrer_key", "text", f => f.Fact.ReferrerKey },
        { "store_id", "text", f => f.Fact.StoreId },
        { "current_url", "text", f => f.Fact.CurrentUrl },
        { "utm_source", "text", f => f.Fact.UtmSource },
        { "utm_medium", "text", f => f.Fact.UtmMedium },
        { "resolution", "text", f => f.Fact.Resolution },
        { "options", "text", f => f.Fact.Options },
        { "extras", "text", f => f.Fact.Extras },
    };

    /// <summary>One product of a recall notice with its notice number and its 1-based position in the notice.</summary>
    public readonly record struct RecallProductLine(string NumeroFiche, int Position, RecallProduct Product);

    private static string JsonArray(ImmutableArray<string> values) => JsonSerializer.Serialize(values.IsDefault ? [] : values.ToArray());

    /// <summary>One line of a cart with the key of its cart.</summary>
    public readonly record struct CartLine(string Source, long CartId, CartLineRow Line);

    /// <summary>A fact with the <c>event_key</c> the writer derived for it.</summary>
    public readonly record struct KeyedFact(string EventKey, FactEventRow Fact);
}

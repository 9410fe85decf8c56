namespace Shopstream.Projection;

/// <summary>
/// The statements of the projection writer: one per entity type, each taking whole batches as arrays.
/// An upsert applies only when the incoming version is newer and the content differs. Column lists and
/// <c>unnest(...)</c> come from <see cref="ProjectionColumns"/>, which also produces the parameters; built once.
/// </summary>
internal static class ProjectionSql
{
    public static readonly string Products = $"""
        INSERT INTO products AS t ({ProjectionColumns.Products.Names}, updated_at)
        SELECT u.*, now() FROM {ProjectionColumns.Products.Unnest("u")}
        ON CONFLICT (source, id) DO UPDATE SET
            title = excluded.title, description = excluded.description, category = excluded.category,
            price = excluded.price, image_url = excluded.image_url, rating_value = excluded.rating_value,
            rating_count = excluded.rating_count, stock = excluded.stock, brand = excluded.brand,
            price_category = excluded.price_category, version = excluded.version,
            content_hash = excluded.content_hash, updated_at = excluded.updated_at
        WHERE t.version < excluded.version AND t.content_hash <> excluded.content_hash
        """;

    public static readonly string Users = $"""
        INSERT INTO users AS t ({ProjectionColumns.Users.Names}, updated_at)
        SELECT u.*, now() FROM {ProjectionColumns.Users.Unnest("u")}
        ON CONFLICT (source, id) DO UPDATE SET
            email = excluded.email, username = excluded.username, first_name = excluded.first_name,
            last_name = excluded.last_name, phone = excluded.phone, address_street = excluded.address_street,
            address_city = excluded.address_city, address_zipcode = excluded.address_zipcode,
            version = excluded.version, content_hash = excluded.content_hash, updated_at = excluded.updated_at
        WHERE t.version < excluded.version AND t.content_hash <> excluded.content_hash
        """;

    /// <summary>
    /// Carts whose header advances get their lines replaced: lines no longer listed are deleted, changed
    /// lines updated, unchanged lines left alone. A cart that does not advance keeps its lines untouched.
    /// </summary>
    public static readonly string Carts = $"""
        WITH incoming AS (
            SELECT * FROM {ProjectionColumns.Carts.Unnest("i")}
        ), advanced AS (
            INSERT INTO carts AS t (source, cart_id, user_id, cart_date, version, content_hash, updated_at)
            SELECT source, cart_id, user_id, cart_date, version, content_hash, now() FROM incoming
            ON CONFLICT (source, cart_id) DO UPDATE SET
                user_id = excluded.user_id, cart_date = excluded.cart_date, version = excluded.version,
                content_hash = excluded.content_hash, updated_at = excluded.updated_at
            WHERE t.version < excluded.version AND t.content_hash <> excluded.content_hash
            RETURNING t.source, t.cart_id
        ), lines AS (
            SELECT * FROM {ProjectionColumns.CartLines.Unnest("l", firstParameter: ProjectionColumns.Carts.Count + 1)}
        ), removed AS (
            DELETE FROM cart_items ci USING advanced a
            WHERE ci.source = a.source AND ci.cart_id = a.cart_id
              AND NOT EXISTS (SELECT 1 FROM lines l
                              WHERE l.source = ci.source AND l.cart_id = ci.cart_id AND l.product_id = ci.product_id)
        )
        INSERT INTO cart_items AS t (source, cart_id, product_id, user_id, cart_date, quantity, unit_price,
            day_of_week, month, updated_at)
        SELECT l.source, l.cart_id, l.product_id, i.user_id, i.cart_date, l.quantity, l.unit_price,
            i.day_of_week, i.month, now()
        FROM lines l
        JOIN advanced a ON a.source = l.source AND a.cart_id = l.cart_id
        JOIN incoming i ON i.source = l.source AND i.cart_id = l.cart_id
        ON CONFLICT (source, cart_id, product_id) DO UPDATE SET
            user_id = excluded.user_id, cart_date = excluded.cart_date, quantity = excluded.quantity,
            unit_price = excluded.unit_price, day_of_week = excluded.day_of_week, month = excluded.month,
            updated_at = excluded.updated_at
        WHERE (t.user_id, t.cart_date, t.quantity, t.unit_price, t.day_of_week, t.month)
              IS DISTINCT FROM (excluded.user_id, excluded.cart_date, excluded.quantity, excluded.unit_price,
                                excluded.day_of_week, excluded.month)
        """;

    /// <summary>
    /// A notice advances on a higher <c>numero_version</c>, or on the same one with a newer ingest version and different
    /// content; a lower <c>numero_version</c> never overwrites. An advanced notice's products are replaced like a cart's lines.
    /// </summary>
    public static readonly string Recalls = $"""
        WITH incoming AS (
            SELECT * FROM {ProjectionColumns.Recalls.Unnest("i")}
        ), advanced AS (
            INSERT INTO rappel_conso AS t ({ProjectionColumns.Recalls.Names}, updated_at)
            SELECT {RecallSelectList}, now() FROM incoming
            ON CONFLICT (numero_fiche) DO UPDATE SET
                {string.Join(", ", ProjectionColumns.Recalls.Skip(1).Select(c => $"{c.Name} = excluded.{c.Name}"))},
                updated_at = excluded.updated_at
            WHERE t.numero_version < excluded.numero_version
               OR (t.numero_version = excluded.numero_version AND t.version < excluded.version
                   AND t.content_hash <> excluded.content_hash)
            RETURNING t.numero_fiche
        ), lines AS (
            SELECT * FROM {ProjectionColumns.RecallProducts.Unnest("l", firstParameter: ProjectionColumns.Recalls.Count + 1)}
        ), removed AS (
            DELETE FROM rappel_conso_products p USING advanced a
            WHERE p.numero_fiche = a.numero_fiche
              AND NOT EXISTS (SELECT 1 FROM lines l WHERE l.numero_fiche = p.numero_fiche AND l.position = p.position)
        )
        INSERT INTO rappel_conso_products AS t ({ProjectionColumns.RecallProducts.Names})
        SELECT l.* FROM lines l JOIN advanced a ON a.numero_fiche = l.numero_fiche
        ON CONFLICT (numero_fiche, position) DO UPDATE SET
            gtin = excluded.gtin, lot = excluded.lot, date_type = excluded.date_type, date = excluded.date
        WHERE (t.gtin, t.lot, t.date_type, t.date) IS DISTINCT FROM (excluded.gtin, excluded.lot, excluded.date_type, excluded.date)
        """;

    /// <summary>The incoming columns in table order, JSON array text turned into <c>text[]</c>.</summary>
    private static string RecallSelectList => string.Join(", ", ProjectionColumns.Recalls.Select(c =>
        ProjectionColumns.RecallArrayColumns.Contains(c.Name)
            ? $"ARRAY(SELECT jsonb_array_elements_text({c.Name}::jsonb))"
            : c.Name));

    public static readonly string Rejected = $"""
        INSERT INTO rejected_records ({ProjectionColumns.Rejected.Names})
        SELECT * FROM {ProjectionColumns.Rejected.Unnest("u")}
        ON CONFLICT (fingerprint) DO NOTHING
        """;

    /// <summary>
    /// Names of clickstream products follow the catalogue: after products are written, the dimension rows that
    /// refer to them take their current title (read back from <c>products</c>, so an ignored older record changes nothing).
    /// </summary>
    public static readonly string ProductNamesFromCatalogue = $"""
        UPDATE dim_product d SET name = p.title
        FROM {ProjectionColumns.ProductKeys.Unnest("u")}
        JOIN products p ON p.source = u.source AND p.id = u.id
        WHERE d.catalogue_source = p.source AND d.catalogue_id = p.id AND p.title IS NOT NULL
          AND d.name IS DISTINCT FROM p.title
        """;

    /// <summary>No conflict target: a concurrent batch adding the same day may trip either of the table's unique keys.</summary>
    public static readonly string DimDates = $"""
        INSERT INTO dim_date ({ProjectionColumns.DimDates.Names})
        SELECT * FROM {ProjectionColumns.DimDates.Unnest("u")}
        ON CONFLICT DO NOTHING
        """;

    /// <summary>The catalogue's title when it knows the product, else the name from the URL; never a null over a name.</summary>
    public static readonly string DimProducts = $"""
        INSERT INTO dim_product AS t (product_key, name, current_url, language_code, catalogue_source, catalogue_id)
        SELECT u.product_key, coalesce(p.title, u.url_name), u.current_url, u.language_code, u.catalogue_source, u.catalogue_id
        FROM {ProjectionColumns.DimProducts.Unnest("u")}
        LEFT JOIN products p ON p.source = u.catalogue_source AND p.id = u.catalogue_id
        ON CONFLICT (product_key) DO UPDATE SET
            name = coalesce(excluded.name, t.name), current_url = coalesce(excluded.current_url, t.current_url),
            language_code = coalesce(excluded.language_code, t.language_code),
            catalogue_source = coalesce(excluded.catalogue_source, t.catalogue_source),
            catalogue_id = coalesce(excluded.catalogue_id, t.catalogue_id)
        WHERE (t.name, t.current_url, t.language_code, t.catalogue_source, t.catalogue_id)
              IS DISTINCT FROM (coalesce(excluded.name, t.name), coalesce(excluded.current_url, t.current_url),
                                coalesce(excluded.language_code, t.language_code),
                                coalesce(excluded.catalogue_source, t.catalogue_source),
                                coalesce(excluded.catalogue_id, t.catalogue_id))
        """;

    public static readonly string DimLocations = $"""
        INSERT INTO dim_location AS t ({ProjectionColumns.DimLocations.Names})
        SELECT * FROM {ProjectionColumns.DimLocations.Unnest("u")}
        ON CONFLICT (location_key) DO UPDATE SET
            ip_address = excluded.ip_address, country_code = excluded.country_code, country_name = excluded.country_name,
            region_name = excluded.region_name, city_name = excluded.city_name
        WHERE (t.ip_address, t.country_code, t.country_name, t.region_name, t.city_name)
              IS DISTINCT FROM (excluded.ip_address, excluded.country_code, excluded.country_name, excluded.region_name,
                                excluded.city_name)
        """;

    /// <summary>Keyed by a hash of every column: a key's row never changes.</summary>
    public static readonly string DimUserAgents = $"""
        INSERT INTO dim_user_agent ({ProjectionColumns.DimUserAgents.Names})
        SELECT * FROM {ProjectionColumns.DimUserAgents.Unnest("u")}
        ON CONFLICT (user_agent_key) DO NOTHING
        """;

    /// <summary>Keyed by a hash of every column: a key's row never changes.</summary>
    public static readonly string DimReferrers = $"""
        INSERT INTO dim_referrer ({ProjectionColumns.DimReferrers.Names})
        SELECT * FROM {ProjectionColumns.DimReferrers.Unnest("u")}
        ON CONFLICT (referrer_key) DO NOTHING
        """;

    /// <summary>
    /// Facts are immutable: one already there (a replay) is skipped. Returns the keys inserted, which is how grains
    /// learn which events were new, and which product views <see cref="Clickstream.ProductViewsStatement"/> counts.
    /// date_key and event_time come from occurred_at here, by the functions the table's checks use.
    /// </summary>
    public static readonly string Facts = $"""
        INSERT INTO fact_events (event_key, event_id, event_type, date_key, event_time, occurred_at, session_key, user_id,
            product_key, location_key, user_agent_key, referrer_key, store_id, current_url, utm_source, utm_medium,
            resolution, options, extras)
        SELECT u.event_key, u.event_id, u.event_type, date_key_of((u.occurred_at AT TIME ZONE 'UTC')::date),
            (u.occurred_at AT TIME ZONE 'UTC')::time, u.occurred_at, u.session_key, u.user_id, u.product_key,
            u.location_key, u.user_agent_key, u.referrer_key, u.store_id, u.current_url, u.utm_source, u.utm_medium,
            u.resolution, u.options::jsonb, u.extras::jsonb
        FROM {ProjectionColumns.Facts.Unnest("u")}
        ON CONFLICT (event_key) DO NOTHING
        RETURNING event_key
        """;

    /// <summary>
    /// The first statement of a transaction that writes sessions: locks each session's row, in key order, inserting a
    /// placeholder for a session that has none yet (the sessions statement then fills it in, or deletes it when the
    /// session has no facts). Two transactions writing the same session (a grain activated twice while a silo is
    /// declared dead, a partition moving) then run one after the other, so the second one's recompute sees the first
    /// one's facts; without it each saw only its own, and the last to commit left the row short of the other's events.
    /// Row locks rather than advisory locks: those live in a shared table of about 64 per connection, which a few
    /// batches of 2,000 sessions would fill. First in the transaction, so that no transaction waits for one of these
    /// while holding another lock. (<c>DO UPDATE ... WHERE false</c> locks the existing row and changes nothing.)
    /// </summary>
    public const string LockSessions = """
        INSERT INTO sessions AS t (session_key, first_event_at, last_event_at, updated_at)
        SELECT u.session_key, u.first_event_at, u.first_event_at, now()
        FROM unnest($1::text[], $2::timestamptz[]) AS u(session_key, first_event_at)
        ON CONFLICT (session_key) DO UPDATE SET updated_at = t.updated_at WHERE false
        """;

    /// <summary>
    /// Each session's aggregate, recomputed from all its facts (so replays and duplicates cannot skew it), saved when
    /// it changed, and returned either way.
    /// </summary>
    public const string Sessions = """
        WITH agg AS (
            SELECT f.session_key,
                   min(f.occurred_at) AS first_event_at,
                   max(f.occurred_at) AS last_event_at,
                   count(DISTINCT f.event_id)::int AS events,
                   (count(DISTINCT f.product_key) FILTER (WHERE f.event_type = 'product_view'))::int AS products_viewed,
                   (count(DISTINCT f.product_key) FILTER (WHERE f.event_type = 'add_to_cart'))::int AS products_carted,
                   (count(DISTINCT f.product_key) FILTER (WHERE f.event_type = 'purchase'))::int AS products_purchased,
                   bool_or(f.event_type = 'purchase') AS converted
            FROM fact_events f
            WHERE f.session_key = ANY($1::text[])
            GROUP BY f.session_key
        ), saved AS (
            INSERT INTO sessions AS t (session_key, first_event_at, last_event_at, events, products_viewed,
                products_carted, products_purchased, converted, updated_at)
            SELECT agg.*, now() FROM agg
            ON CONFLICT (session_key) DO UPDATE SET
                first_event_at = excluded.first_event_at, last_event_at = excluded.last_event_at, events = excluded.events,
                products_viewed = excluded.products_viewed, products_carted = excluded.products_carted,
                products_purchased = excluded.products_purchased, converted = excluded.converted,
                updated_at = excluded.updated_at
            WHERE (t.first_event_at, t.last_event_at, t.events, t.products_viewed, t.products_carted,
                   t.products_purchased, t.converted)
                  IS DISTINCT FROM (excluded.first_event_at, excluded.last_event_at, excluded.events,
                                    excluded.products_viewed, excluded.products_carted, excluded.products_purchased,
                                    excluded.converted)
        ), emptied AS (
            -- A placeholder of LockSessions whose session has no facts (each was another session's event id).
            DELETE FROM sessions s
            WHERE s.session_key = ANY($1::text[]) AND s.events = 0
              AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.session_key = s.session_key)
        )
        SELECT session_key, first_event_at, last_event_at, events, products_viewed, products_carted, products_purchased,
               converted
        FROM agg
        """;
}

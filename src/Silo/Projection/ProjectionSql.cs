namespace Shopstream.Silo.Projection;

/// <summary>
/// The statements of the projection writer: one per entity type, each taking whole batches as arrays.
/// An upsert applies only when the incoming version is newer and the content differs.
/// </summary>
internal static class ProjectionSql
{
    public const string Products = """
        INSERT INTO products AS t (source, id, title, description, category, price, image_url, rating_value,
            rating_count, stock, brand, price_category, version, content_hash, updated_at)
        SELECT u.*, now() FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::numeric[],
            $7::text[], $8::numeric[], $9::int[], $10::int[], $11::text[], $12::text[], $13::bigint[], $14::text[]) AS u
        ON CONFLICT (source, id) DO UPDATE SET
            title = excluded.title, description = excluded.description, category = excluded.category,
            price = excluded.price, image_url = excluded.image_url, rating_value = excluded.rating_value,
            rating_count = excluded.rating_count, stock = excluded.stock, brand = excluded.brand,
            price_category = excluded.price_category, version = excluded.version,
            content_hash = excluded.content_hash, updated_at = excluded.updated_at
        WHERE t.version < excluded.version AND t.content_hash <> excluded.content_hash
        """;

    public const string Users = """
        INSERT INTO users AS t (source, id, email, username, first_name, last_name, phone, address_street,
            address_city, address_zipcode, version, content_hash, updated_at)
        SELECT u.*, now() FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[]) AS u
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
    public const string Carts = """
        WITH incoming AS (
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[],
                $7::bigint[], $8::text[]) AS i(source, cart_id, user_id, cart_date, day_of_week, month, version, content_hash)
        ), advanced AS (
            INSERT INTO carts AS t (source, cart_id, user_id, cart_date, version, content_hash, updated_at)
            SELECT source, cart_id, user_id, cart_date, version, content_hash, now() FROM incoming
            ON CONFLICT (source, cart_id) DO UPDATE SET
                user_id = excluded.user_id, cart_date = excluded.cart_date, version = excluded.version,
                content_hash = excluded.content_hash, updated_at = excluded.updated_at
            WHERE t.version < excluded.version AND t.content_hash <> excluded.content_hash
            RETURNING t.source, t.cart_id
        ), lines AS (
            SELECT * FROM unnest($9::text[], $10::bigint[], $11::bigint[], $12::int[], $13::numeric[])
                AS l(source, cart_id, product_id, quantity, unit_price)
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

    public const string Rejected = """
        INSERT INTO rejected_records (stage, topic, partition, "offset", key, payload, reason, fingerprint)
        SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
        ON CONFLICT (fingerprint) DO NOTHING
        """;
}

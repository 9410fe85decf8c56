-- The reference's aggregated fact: product views per day, product, country, referrer and device, kept exactly and
-- incrementally by the statement that inserts fact_events (ProjectionSql.Facts): only facts actually inserted are
-- counted, so a replayed or duplicate event never counts twice. Unknown dimensions are '' (product, referrer) or
-- 'Unknown' / 'unknown' (country, device type), as in dim_location and dim_user_agent.
CREATE TABLE IF NOT EXISTS fact_product_views (
    date_key         integer     NOT NULL,
    product_key      text        NOT NULL,
    country_name     text        NOT NULL,
    referrer_key     text        NOT NULL,
    device_type      text        NOT NULL,
    view_count       bigint      NOT NULL CHECK (view_count > 0),
    -- 0 is allowed only because the candidate row of an increment (ON CONFLICT ... DO UPDATE) is checked too.
    unique_visitors  bigint      NOT NULL CHECK (unique_visitors BETWEEN 0 AND view_count),
    first_view_time  timestamptz NOT NULL,
    last_view_time   timestamptz NOT NULL CHECK (last_view_time >= first_view_time),
    PRIMARY KEY (date_key, product_key, country_name, referrer_key, device_type)
);

-- Who has viewed each row's product (user id, else session key): a visitor inserted here for the first time is what
-- adds one to unique_visitors, so the count stays exact without recounting.
CREATE TABLE IF NOT EXISTS fact_product_view_visitors (
    date_key      integer NOT NULL,
    product_key   text    NOT NULL,
    country_name  text    NOT NULL,
    referrer_key  text    NOT NULL,
    device_type   text    NOT NULL,
    visitor       text    NOT NULL,
    PRIMARY KEY (date_key, product_key, country_name, referrer_key, device_type, visitor)
);

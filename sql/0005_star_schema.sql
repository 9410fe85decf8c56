-- Clickstream star schema: one fact row per (event, product), conformed dimensions for date, product, location,
-- user agent and referrer, a session roll-up, a daily product-view view and the report functions the dashboards call.
--
-- Idempotent: every statement may run again on a database that already has the objects (CREATE ... IF NOT EXISTS,
-- CREATE OR REPLACE), so the file can be re-applied by hand or by the migration runner.
-- Function bodies are $$-quoted rather than SQL-standard BEGIN ATOMIC blocks: the migrator sends the file through
-- Npgsql, whose statement splitter cuts a BEGIN ATOMIC body at its first semicolon (npgsql/npgsql#4445).
--
-- Keys are computed by the application (src/Ingest/Events): fact_events.event_key is the hex SHA-256 of the event id
-- and the product key (FactEventKey), date_key is yyyymmdd of the UTC date (DateDimension), and the dimension keys
-- are whatever the loader derives from the dimension's natural value. The fact table deliberately has no foreign keys
-- to the dimensions: they are filled by different writers at different times (a product's name, an IP's country
-- arrive later than the click), and the reports LEFT JOIN so that a fact never disappears for a missing dimension row.

-- yyyymmdd of a date, e.g. 2024-01-31 -> 20240131: the one definition the table checks and the reports share.
CREATE OR REPLACE FUNCTION date_key_of(d date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT (extract(year FROM d) * 10000 + extract(month FROM d) * 100 + extract(day FROM d))::integer
$$;

CREATE TABLE IF NOT EXISTS dim_date (
    date_key              integer PRIMARY KEY,
    full_date             date    NOT NULL UNIQUE,
    day_of_week           integer NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),          -- ISO: Monday = 1 .. Sunday = 7
    day_of_week_short     text    NOT NULL CHECK (day_of_week_short IN ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')),
    is_weekday_or_weekend text    NOT NULL CHECK (is_weekday_or_weekend IN ('weekday', 'weekend')),
    day_of_month          integer NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
    year_month            text    NOT NULL,                                              -- 'yyyy-MM'
    month                 text    NOT NULL,                                              -- English month name
    day_of_year           integer NOT NULL CHECK (day_of_year BETWEEN 1 AND 366),
    week_of_year          integer NOT NULL CHECK (week_of_year BETWEEN 1 AND 53),        -- ISO 8601 week
    quarter_number        integer NOT NULL CHECK (quarter_number BETWEEN 1 AND 4),
    year                  integer NOT NULL,                                              -- calendar year
    CHECK (date_key = date_key_of(full_date))
);

-- Fills dim_date for a range of dates with the same values as DateDimension in the application; rows already there
-- are left alone. Returns the number of rows added. For backfills and for databases loaded outside the ingest.
CREATE OR REPLACE FUNCTION fill_dim_date(first_day date, last_day date) RETURNS integer
    LANGUAGE sql VOLATILE
AS $$
    WITH added AS (
        INSERT INTO dim_date (date_key, full_date, day_of_week, day_of_week_short, is_weekday_or_weekend, day_of_month,
                              year_month, month, day_of_year, week_of_year, quarter_number, year)
        SELECT date_key_of(g.day),
               g.day,
               extract(isodow FROM g.day)::integer,
               (ARRAY['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])[extract(isodow FROM g.day)::integer],
               CASE WHEN extract(isodow FROM g.day) <= 5 THEN 'weekday' ELSE 'weekend' END,
               extract(day FROM g.day)::integer,
               to_char(g.day, 'YYYY-MM'),
               (ARRAY['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
                      'October', 'November', 'December'])[extract(month FROM g.day)::integer],
               extract(doy FROM g.day)::integer,
               extract(week FROM g.day)::integer,
               extract(quarter FROM g.day)::integer,
               extract(year FROM g.day)::integer
        FROM (SELECT s::date AS day FROM generate_series(first_day, last_day, interval '1 day') AS s) AS g
        ON CONFLICT (date_key) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM added
$$;

CREATE TABLE IF NOT EXISTS dim_product (
    product_key   text PRIMARY KEY,
    name          text,
    current_url   text,
    language_code text
);

CREATE TABLE IF NOT EXISTS dim_location (
    location_key  text PRIMARY KEY,
    ip_address    text,
    country_code  text,
    country_name  text,
    region_name   text,
    city_name     text
);

CREATE TABLE IF NOT EXISTS dim_user_agent (
    user_agent_key text PRIMARY KEY,
    user_agent     text,
    browser        text NOT NULL,   -- Chrome, Edge, Firefox, Safari, Opera, Samsung Internet, Bot, Other, Unknown
    os             text NOT NULL,   -- Windows, macOS, iOS, Android, Linux, Other, Unknown
    device_type    text NOT NULL CHECK (device_type IN ('desktop', 'mobile', 'tablet', 'bot', 'unknown'))
);

CREATE TABLE IF NOT EXISTS dim_referrer (
    referrer_key    text PRIMARY KEY,
    referrer_url    text,
    referrer_domain text,           -- host without www.; null for direct traffic and non-http referrers
    referrer_type   text NOT NULL CHECK (referrer_type IN ('direct', 'search', 'social', 'internal', 'other'))
);

CREATE TABLE IF NOT EXISTS fact_events (
    event_key       text        PRIMARY KEY CHECK (event_key ~ '^[0-9a-f]{64}$'),
    event_id        text        NOT NULL,
    event_type      text        NOT NULL,
    date_key        integer     NOT NULL,
    event_time      time        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    session_key     text        NOT NULL,
    user_id         text,
    product_key     text,
    location_key    text,
    user_agent_key  text,
    referrer_key    text,
    store_id        text,
    current_url     text,
    utm_source      text,
    utm_medium      text,
    resolution      text,
    options         jsonb       CHECK (options IS NULL OR jsonb_typeof(options) = 'array'),
    extras          jsonb       CHECK (extras IS NULL OR jsonb_typeof(extras) = 'object'),
    -- date_key and event_time are the UTC date and time of day of occurred_at; a loader that got either wrong would
    -- silently move views to another day or hour of every report.
    CONSTRAINT fact_events_date_key_is_utc_date CHECK (date_key = date_key_of((occurred_at AT TIME ZONE 'UTC')::date)),
    CONSTRAINT fact_events_event_time_is_utc_time CHECK (event_time = (occurred_at AT TIME ZONE 'UTC')::time)
);

CREATE INDEX IF NOT EXISTS fact_events_date_type_idx ON fact_events (date_key, event_type);
CREATE INDEX IF NOT EXISTS fact_events_product_date_idx ON fact_events (product_key, date_key);
CREATE INDEX IF NOT EXISTS fact_events_session_idx ON fact_events (session_key);

-- One row per session key (session_id, else device_id), maintained by the application as events arrive.
CREATE TABLE IF NOT EXISTS sessions (
    session_key        text        PRIMARY KEY,
    first_event_at     timestamptz NOT NULL,
    last_event_at      timestamptz NOT NULL,
    events             integer     NOT NULL DEFAULT 0 CHECK (events >= 0),
    products_viewed    integer     NOT NULL DEFAULT 0 CHECK (products_viewed >= 0),
    products_carted    integer     NOT NULL DEFAULT 0 CHECK (products_carted >= 0),
    products_purchased integer     NOT NULL DEFAULT 0 CHECK (products_purchased >= 0),
    converted          boolean     NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (last_event_at >= first_event_at)
);

-- Product views per UTC day, product, country, referrer domain and device type. unique_visitors counts distinct
-- session keys: device ids for the web tracker and the feed, session ids for generic events.
CREATE OR REPLACE VIEW vw_product_views_daily AS
SELECT make_date(f.date_key / 10000, f.date_key / 100 % 100, f.date_key % 100) AS full_date,
       f.product_key,
       l.country_name,
       r.referrer_domain,
       ua.device_type,
       count(*)                      AS view_count,
       count(DISTINCT f.session_key) AS unique_visitors,
       min(f.event_time)             AS first_view_time,
       max(f.event_time)             AS last_view_time
FROM fact_events f
LEFT JOIN dim_location l    ON l.location_key = f.location_key
LEFT JOIN dim_referrer r    ON r.referrer_key = f.referrer_key
LEFT JOIN dim_user_agent ua ON ua.user_agent_key = f.user_agent_key
WHERE f.event_type = 'product_view'
GROUP BY f.date_key, f.product_key, l.country_name, r.referrer_domain, ua.device_type;

-- Report functions. Each takes a UTC date, counts product_view facts of that date, returns its grouping columns
-- then views, ordered by views descending with ties broken by the grouping columns (nulls last) so that the same
-- data always gives the same rows in the same order. A null grouping value means the dimension row or value is
-- missing (no geo lookup yet, no user agent).

-- The 10 most viewed products, with their names when dim_product has them.
CREATE OR REPLACE FUNCTION rpt_top_products(d date)
    RETURNS TABLE (product_key text, name text, views bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT f.product_key, p.name, count(*) AS views
    FROM fact_events f
    LEFT JOIN dim_product p ON p.product_key = f.product_key
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view'
    GROUP BY f.product_key, p.name
    ORDER BY views DESC, f.product_key ASC NULLS LAST
    LIMIT 10
$$;

-- The 10 countries with the most product views.
CREATE OR REPLACE FUNCTION rpt_top_countries(d date)
    RETURNS TABLE (country_name text, views bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT l.country_name, count(*) AS views
    FROM fact_events f
    LEFT JOIN dim_location l ON l.location_key = f.location_key
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view'
    GROUP BY l.country_name
    ORDER BY views DESC, l.country_name ASC NULLS LAST
    LIMIT 10
$$;

-- The 5 referring domains with the most product views. Direct traffic and non-http referrers have no domain and
-- are left out: they are not referrers.
CREATE OR REPLACE FUNCTION rpt_top_referrers(d date)
    RETURNS TABLE (referrer_domain text, views bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT r.referrer_domain, count(*) AS views
    FROM fact_events f
    JOIN dim_referrer r ON r.referrer_key = f.referrer_key
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view' AND r.referrer_domain IS NOT NULL
    GROUP BY r.referrer_domain
    ORDER BY views DESC, r.referrer_domain ASC
    LIMIT 5
$$;

-- Product views per store and country; rank is the country's rank within its store (1 = most views, ties share a
-- rank).
CREATE OR REPLACE FUNCTION rpt_store_country(d date)
    RETURNS TABLE (store_id text, country_name text, views bigint, rank bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT f.store_id,
           l.country_name,
           count(*) AS views,
           rank() OVER (PARTITION BY f.store_id ORDER BY count(*) DESC) AS rank
    FROM fact_events f
    LEFT JOIN dim_location l ON l.location_key = f.location_key
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view'
    GROUP BY f.store_id, l.country_name
    ORDER BY views DESC, f.store_id ASC NULLS LAST, l.country_name ASC NULLS LAST
$$;

-- Product views per UTC hour (0-23) and product.
CREATE OR REPLACE FUNCTION rpt_hourly_product_views(d date)
    RETURNS TABLE (hour integer, product_key text, views bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT extract(hour FROM f.event_time)::integer AS hour, f.product_key, count(*) AS views
    FROM fact_events f
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view'
    GROUP BY 1, f.product_key
    ORDER BY views DESC, hour ASC, f.product_key ASC NULLS LAST
$$;

-- Product views per UTC hour (0-23), browser and operating system.
CREATE OR REPLACE FUNCTION rpt_hourly_browser_os(d date)
    RETURNS TABLE (hour integer, browser text, os text, views bigint)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT extract(hour FROM f.event_time)::integer AS hour, ua.browser, ua.os, count(*) AS views
    FROM fact_events f
    LEFT JOIN dim_user_agent ua ON ua.user_agent_key = f.user_agent_key
    WHERE f.date_key = date_key_of(d) AND f.event_type = 'product_view'
    GROUP BY 1, ua.browser, ua.os
    ORDER BY views DESC, hour ASC, ua.browser ASC NULLS LAST, ua.os ASC NULLS LAST
$$;

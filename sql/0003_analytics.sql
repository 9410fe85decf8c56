-- Analytic tables written by the projection writer. Every entity row carries the version of the record it
-- came from and a hash of its content: an upsert applies only when it is newer and different, so replays,
-- late records and re-run ingests change nothing.

CREATE TABLE IF NOT EXISTS products (
    source          text        NOT NULL,
    id              bigint      NOT NULL,
    title           text,
    description     text,
    category        text,
    price           numeric(12, 2),
    image_url       text,
    rating_value    numeric(4, 2),
    rating_count    integer,
    stock           integer,
    brand           text,
    price_category  text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint      NOT NULL,
    content_hash    text        NOT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE IF NOT EXISTS carts (
    source          text        NOT NULL,
    cart_id         bigint      NOT NULL,
    user_id         bigint,
    cart_date       timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint      NOT NULL,
    content_hash    text        NOT NULL,
    PRIMARY KEY (source, cart_id)
);

CREATE TABLE IF NOT EXISTS cart_items (
    source          text        NOT NULL,
    cart_id         bigint      NOT NULL,
    product_id      bigint      NOT NULL,
    user_id         bigint,
    cart_date       timestamptz,
    quantity        integer     NOT NULL,
    unit_price      numeric(12, 2),
    day_of_week     text,
    month           text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, cart_id, product_id)
);

CREATE TABLE IF NOT EXISTS users (
    source          text        NOT NULL,
    id              bigint      NOT NULL,
    email           text,
    username        text,
    first_name      text,
    last_name       text,
    phone           text,
    address_street  text,
    address_city    text,
    address_zipcode text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint      NOT NULL,
    content_hash    text        NOT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE IF NOT EXISTS rejected_records (
    id              bigserial   PRIMARY KEY,
    stage           text        NOT NULL,
    topic           text,
    partition       integer,
    "offset"        bigint,
    key             text,
    payload         text        NOT NULL,
    reason          text        NOT NULL,
    rejected_at     timestamptz NOT NULL DEFAULT now(),
    fingerprint     text        NOT NULL UNIQUE
);

CREATE OR REPLACE VIEW vw_product_ratings AS
SELECT category, price_category, source,
       count(*)                         AS product_count,
       round(avg(rating_value), 2)      AS avg_rating
FROM products
GROUP BY category, price_category, source;

CREATE OR REPLACE VIEW vw_cart_analysis AS
SELECT day_of_week, month, source,
       count(DISTINCT cart_id)          AS cart_count,
       sum(quantity)                    AS total_items
FROM cart_items
GROUP BY day_of_week, month, source;

CREATE OR REPLACE VIEW vw_cart_products AS
SELECT ci.source, ci.cart_id, ci.user_id, ci.product_id, p.title, ci.quantity,
       coalesce(ci.unit_price, p.price)                 AS unit_price,
       ci.quantity * coalesce(ci.unit_price, p.price)   AS total_price
FROM cart_items ci
LEFT JOIN products p ON p.source = ci.source AND p.id = ci.product_id;

CREATE OR REPLACE VIEW vw_data_source_comparison AS
WITH sources AS (
    SELECT source FROM products UNION SELECT source FROM users
    UNION SELECT source FROM carts UNION SELECT source FROM cart_items
)
SELECT s.source,
       (SELECT count(*) FROM products p WHERE p.source = s.source)                      AS products,
       (SELECT count(*) FROM users u WHERE u.source = s.source)                         AS users,
       (SELECT count(*) FROM carts c WHERE c.source = s.source)                         AS carts,
       (SELECT count(*) FROM cart_items ci WHERE ci.source = s.source)                  AS cart_items,
       (SELECT round(avg(price), 2) FROM products p WHERE p.source = s.source)          AS avg_price,
       (SELECT round(avg(rating_value), 2) FROM products p WHERE p.source = s.source)   AS avg_rating
FROM sources s;

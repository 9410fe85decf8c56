-- dim_product remembers which catalogue product (products.source, products.id) an event's product id refers to, when
-- the event or the configuration says so, so that the name follows the catalogue whichever of the two arrives first:
-- the projection writer takes the title from products when it writes the dimension row, and refreshes the row when
-- the product is written later. Products the catalogue does not know keep the name their page URL gives.
ALTER TABLE dim_product ADD COLUMN IF NOT EXISTS catalogue_source text;
ALTER TABLE dim_product ADD COLUMN IF NOT EXISTS catalogue_id bigint;
CREATE INDEX IF NOT EXISTS dim_product_catalogue_idx ON dim_product (catalogue_source, catalogue_id);

-- Product recall notices (RappelConso), one row per notice, written by the projection writer from RecallGrain.
-- A notice republished with corrections keeps its numero_fiche and gets a higher numero_version: the upsert takes a
-- higher numero_version, or the same one with a newer ingest version and different content, never a lower one.

CREATE TABLE IF NOT EXISTS rappel_conso (
    numero_fiche                            text        PRIMARY KEY,
    numero_version                          integer     NOT NULL,
    id                                      bigint,
    rappel_guid                             text,
    libelle                                 text,
    date_publication                        timestamptz NOT NULL,
    -- true when the notice had no publication date (V1 before October 2022) and date_publication is the first
    -- day of its date_ref month
    date_publication_is_month               boolean     NOT NULL DEFAULT false,
    nature_juridique_rappel                 text,
    categorie_produit                       text,
    sous_categorie_produit                  text,
    marque_produit                          text,
    modeles_ou_references                   text,
    conditionnements                        text,
    date_debut_commercialisation            date,
    date_fin_commercialisation              date,
    temperature_conservation                text,
    marque_salubrite                        text,
    zone_geographique_de_vente              text[]      NOT NULL DEFAULT '{}',
    distributeurs                           text[]      NOT NULL DEFAULT '{}',
    motif_rappel                            text[]      NOT NULL DEFAULT '{}',
    risques_encourus                        text[]      NOT NULL DEFAULT '{}',
    conduites_a_tenir_par_le_consommateur   text[]      NOT NULL DEFAULT '{}',
    modalites_de_compensation               text,
    date_de_fin_de_la_procedure_de_rappel   date,
    liens_vers_les_images                   text[]      NOT NULL DEFAULT '{}',
    lien_vers_affichette_pdf                text,
    lien_vers_la_fiche_rappel               text,
    version                                 bigint      NOT NULL,
    content_hash                            text        NOT NULL,
    updated_at                              timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS rappel_conso_date_publication ON rappel_conso (date_publication);

-- The products a notice names (identification_produits), replaced whenever the notice's row is.
CREATE TABLE IF NOT EXISTS rappel_conso_products (
    numero_fiche    text    NOT NULL,
    position        integer NOT NULL,
    gtin            text,
    lot             text,
    date_type       text,
    date            date,
    PRIMARY KEY (numero_fiche, position)
);

CREATE INDEX IF NOT EXISTS rappel_conso_products_gtin ON rappel_conso_products (gtin) WHERE gtin IS NOT NULL;

CREATE OR REPLACE VIEW vw_recalls_by_category AS
SELECT coalesce(categorie_produit, '(none)') AS categorie_produit,
       coalesce(sous_categorie_produit, '(none)') AS sous_categorie_produit,
       count(*) AS recalls,
       min(date_publication) AS first_published,
       max(date_publication) AS last_published
FROM rappel_conso
GROUP BY 1, 2;

-- A notice names several risks: it counts once under each.
CREATE OR REPLACE VIEW vw_recalls_by_risk AS
SELECT risk AS risque, count(*) AS recalls
FROM rappel_conso, unnest(CASE WHEN cardinality(risques_encourus) = 0 THEN ARRAY['(none)'] ELSE risques_encourus END) AS risk
GROUP BY risk;

CREATE OR REPLACE VIEW vw_recalls_by_month AS
SELECT to_char(date_publication AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
       count(*) AS recalls,
       count(*) FILTER (WHERE date_publication_is_month) AS dated_by_month_only
FROM rappel_conso
GROUP BY 1;

CREATE OR REPLACE VIEW vw_recalls_top_brands AS
SELECT marque_produit, count(*) AS recalls, max(date_publication) AS last_published
FROM rappel_conso
WHERE marque_produit IS NOT NULL
GROUP BY marque_produit
ORDER BY recalls DESC, marque_produit
LIMIT 20;

-- Open: the notice states an end of its recall procedure that is today or later.
CREATE OR REPLACE VIEW vw_recalls_open AS
SELECT numero_fiche, numero_version, libelle, marque_produit, categorie_produit, date_publication,
       date_de_fin_de_la_procedure_de_rappel, lien_vers_la_fiche_rappel
FROM rappel_conso
WHERE date_de_fin_de_la_procedure_de_rappel >= current_date;

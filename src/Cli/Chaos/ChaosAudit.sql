-- Audits every row write of products and users. A record version written more than once is an effect applied twice,
-- which the final table cannot show (the second write leaves the same row). Installed into each chaos database by
-- ChaosAudit.InstallAsync and into the database of scripts/cluster-kill-test.sh by psql, after the schema migrations.
CREATE TABLE chaos_audit (
    tbl     text        NOT NULL,
    source  text        NOT NULL,
    id      bigint      NOT NULL,
    version bigint      NOT NULL,
    op      text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE FUNCTION chaos_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO chaos_audit (tbl, source, id, version, op) VALUES (TG_TABLE_NAME, NEW.source, NEW.id, NEW.version, TG_OP);
    RETURN NEW;
END $$;
CREATE TRIGGER chaos_audit_products AFTER INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION chaos_audit_row();
CREATE TRIGGER chaos_audit_users AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION chaos_audit_row();

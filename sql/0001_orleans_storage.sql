-- Orleans ADO.NET grain storage for PostgreSQL (Microsoft.Orleans.Persistence.AdoNet 10.x, invariant "Npgsql").
--
-- Idempotent: safe to run any number of times (CREATE ... IF NOT EXISTS, CREATE OR REPLACE, upserts).
-- No explicit transaction control here, so the migration runner may wrap the script in its own transaction.
--
-- Contract with the provider (AdoNetGrainStorage):
--   * At start-up it runs: SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey IN (...)
--     and needs WriteToStorageKey, ReadFromStorageKey, ClearStorageKey (DeleteStorageKey is optional and only
--     used with AdoNetGrainStorageOptions.DeleteStateOnClear = true).
--   * Parameters it binds (Npgsql types): @GrainIdHash int4, @GrainIdN0 int8, @GrainIdN1 int8,
--     @GrainTypeHash int4, @GrainTypeString text, @GrainIdExtensionString text (NULL when the grain key has no
--     string part), @ServiceId text, @GrainStateVersion int4 (NULL = "no ETag", i.e. first write),
--     @PayloadBinary bytea.
--   * The ETag is the integer Version. Write/Clear/Delete return one column NewGrainStateVersion; a NULL
--     (or no row) means the expected version did not match and the provider throws InconsistentStateException.
--   * Read returns at most one row with columns PayloadBinary (NULL after a clear) and Version.
--   * The hashes only narrow the index search; every query also compares the full key
--     (N0, N1, ServiceId, GrainTypeString, GrainIdExtensionString), so hash collisions are harmless.
-- Result columns are aliased with quoted, exactly-cased names matching what the provider asks for.

-- Orleans reads its operational queries from this table (unquoted name: stored as orleansquery).
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (QueryKey)
);

-- One row per grain state. PayloadBinary is NULL after ClearStateAsync (the row and its version are kept).
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NOT NULL
);

-- Identity of a grain state. Leading hash columns keep lookups narrow; NULLS NOT DISTINCT (PostgreSQL 15+)
-- makes two rows with a NULL extension string collide, so concurrent first writes cannot create duplicates.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString)
    NULLS NOT DISTINCT;

-- Optimistic-concurrency write.
--   p_expected_version NULL     -> insert version 1, only if the grain has no row yet.
--   p_expected_version NOT NULL -> replace the payload and bump the version, only if the stored version matches.
-- Returns the new version, or NULL when the condition failed (version conflict).
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grain_id_hash       integer,
    p_grain_id_n0         bigint,
    p_grain_id_n1         bigint,
    p_grain_type_hash     integer,
    p_grain_type          text,
    p_grain_id_extension  text,
    p_service_id          text,
    p_expected_version    integer,
    p_payload             bytea)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_new_version integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO OrleansStorage AS s
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
             GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type,
             p_grain_id_extension, p_service_id, p_payload, now(), 1)
        ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, GrainIdExtensionString)
            DO NOTHING
        RETURNING s.Version INTO v_new_version;
    ELSE
        UPDATE OrleansStorage AS s
           SET PayloadBinary = p_payload,
               Version       = s.Version + 1,
               ModifiedOn    = now()
         WHERE s.GrainIdHash = p_grain_id_hash
           AND s.GrainTypeHash = p_grain_type_hash
           AND s.GrainIdN0 = p_grain_id_n0
           AND s.GrainIdN1 = p_grain_id_n1
           AND s.ServiceId = p_service_id
           AND s.GrainTypeString = p_grain_type
           AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_extension
           AND s.Version = p_expected_version
        RETURNING s.Version INTO v_new_version;
    END IF;

    RETURN v_new_version;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    'SELECT
        s.PayloadBinary AS "PayloadBinary",
        s.Version AS "Version"
    FROM OrleansStorage AS s
    WHERE s.GrainIdHash = @GrainIdHash
        AND s.GrainTypeHash = @GrainTypeHash
        AND s.GrainIdN0 = @GrainIdN0
        AND s.GrainIdN1 = @GrainIdN1
        AND s.ServiceId = @ServiceId
        AND s.GrainTypeString = @GrainTypeString
        AND s.GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString'
),
(
    'WriteToStorageKey',
    'SELECT orleans_storage_write(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"'
),
(
    'ClearStorageKey',
    'UPDATE OrleansStorage AS s
    SET PayloadBinary = NULL,
        Version = s.Version + 1,
        ModifiedOn = now()
    WHERE s.GrainIdHash = @GrainIdHash
        AND s.GrainTypeHash = @GrainTypeHash
        AND s.GrainIdN0 = @GrainIdN0
        AND s.GrainIdN1 = @GrainIdN1
        AND s.ServiceId = @ServiceId
        AND s.GrainTypeString = @GrainTypeString
        AND s.GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND s.Version = @GrainStateVersion
    RETURNING s.Version AS "NewGrainStateVersion"'
),
(
    'DeleteStorageKey',
    'DELETE FROM OrleansStorage AS s
    WHERE s.GrainIdHash = @GrainIdHash
        AND s.GrainTypeHash = @GrainTypeHash
        AND s.GrainIdN0 = @GrainIdN0
        AND s.GrainIdN1 = @GrainIdN1
        AND s.ServiceId = @ServiceId
        AND s.GrainTypeString = @GrainTypeString
        AND s.GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND s.Version = @GrainStateVersion
    RETURNING s.Version + 1 AS "NewGrainStateVersion"'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

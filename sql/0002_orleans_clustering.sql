-- Orleans ADO.NET clustering (membership) for PostgreSQL (Microsoft.Orleans.Clustering.AdoNet 10.x,
-- invariant "Npgsql").
--
-- Idempotent: safe to run any number of times (CREATE ... IF NOT EXISTS, CREATE OR REPLACE, upserts).
-- No explicit transaction control here, so the migration runner may wrap the script in its own transaction.
--
-- Contract with the provider (RelationalOrleansQueries / DbStoredQueries):
--   * At start-up it runs SELECT QueryKey, QueryText FROM OrleansQuery (all rows) and fails unless all nine
--     clustering keys below are present.
--   * Parameters it binds (Npgsql types): @DeploymentId text (= ClusterOptions.ClusterId), @Address text (IP
--     address string), @Port int4, @Generation int4, @SiloName text, @HostName text, @Status int4 (SiloStatus:
--     3 = Active, 6 = Dead), @ProxyPort int4 (0 = not a gateway), @StartTime / @IAmAliveTime (UTC DateTime,
--     DbType.DateTime), @SuspectTimes text (NULL or "silo,date|silo,date"), @Version int4.
--   * @Version is the membership table version the silo last READ (TableVersion.VersionEtag); an insert/update
--     succeeds only if it still equals the stored version, and the stored version is then incremented.
--   * Insert/update/insert-version return one row with a single boolean column (true = done, false = not done).
--   * Read queries return the version row LEFT JOINed with members: always at least one row (when the
--     version row exists), member columns NULL when there is no member; columns are read by name.
-- Result columns are aliased with quoted, exactly-cased names matching what the provider asks for.

-- Also created by 0001; repeated so this script can run on its own.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (QueryKey)
);

-- One row per cluster (DeploymentId = ClusterId); Version is the membership table version (ETag).
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    ModifiedOn   timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleansmembershipversiontable PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NOT NULL DEFAULT 0,
    SuspectTimes text         NULL,
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    CONSTRAINT pk_orleansmembershiptable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT fk_orleansmembershiptable_version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE
);

-- Adds a silo row if the caller's view of the table version is current. The version row is locked first, so
-- all membership changes of a cluster are serialised and the existence check cannot race.
-- Returns true when inserted (and the table version was incremented), false otherwise (nothing changed).
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    v_current integer;
BEGIN
    SELECT v.Version INTO v_current
      FROM OrleansMembershipVersionTable AS v
     WHERE v.DeploymentId = p_deployment_id
       FOR UPDATE;

    IF NOT FOUND OR v_current IS DISTINCT FROM p_version THEN
        RETURN false;
    END IF;

    IF EXISTS (SELECT 1
                 FROM OrleansMembershipTable AS m
                WHERE m.DeploymentId = p_deployment_id
                  AND m.Address = p_address
                  AND m.Port = p_port
                  AND m.Generation = p_generation) THEN
        RETURN false;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         coalesce(p_proxy_port, 0), NULL, p_start_time, p_i_am_alive);

    UPDATE OrleansMembershipVersionTable AS v
       SET Version = v.Version + 1,
           ModifiedOn = now()
     WHERE v.DeploymentId = p_deployment_id;

    RETURN true;
END
$$;

-- Updates a silo row if the caller's view of the table version is current.
-- Returns true when updated (and the table version was incremented), false otherwise (nothing changed).
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    v_current integer;
BEGIN
    SELECT v.Version INTO v_current
      FROM OrleansMembershipVersionTable AS v
     WHERE v.DeploymentId = p_deployment_id
       FOR UPDATE;

    IF NOT FOUND OR v_current IS DISTINCT FROM p_version THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipTable AS m
       SET Status = p_status,
           SuspectTimes = p_suspect_times,
           IAmAliveTime = p_i_am_alive
     WHERE m.DeploymentId = p_deployment_id
       AND m.Address = p_address
       AND m.Port = p_port
       AND m.Generation = p_generation;

    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipVersionTable AS v
       SET Version = v.Version + 1,
           ModifiedOn = now()
     WHERE v.DeploymentId = p_deployment_id;

    RETURN true;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'InsertMembershipVersionKey',
    'WITH inserted AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM inserted) AS "Inserted"'
),
(
    'InsertMembershipKey',
    'SELECT orleans_membership_insert(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS "Inserted"'
),
(
    'UpdateMembershipKey',
    'SELECT orleans_membership_update(
        @DeploymentId, @Address, @Port, @Generation,
        @Status, @SuspectTimes, @IAmAliveTime, @Version) AS "Updated"'
),
(
    'UpdateIAmAlivetimeKey',
    'UPDATE OrleansMembershipTable AS m
    SET IAmAliveTime = @IAmAliveTime
    WHERE m.DeploymentId = @DeploymentId
        AND m.Address = @Address
        AND m.Port = @Port
        AND m.Generation = @Generation'
),
(
    'MembershipReadRowKey',
    'SELECT
        v.DeploymentId AS "DeploymentId",
        m.Address AS "Address",
        m.Port AS "Port",
        m.Generation AS "Generation",
        m.SiloName AS "SiloName",
        m.HostName AS "HostName",
        m.Status AS "Status",
        m.ProxyPort AS "ProxyPort",
        m.SuspectTimes AS "SuspectTimes",
        m.StartTime AS "StartTime",
        m.IAmAliveTime AS "IAmAliveTime",
        v.Version AS "Version"
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
        ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address
        AND m.Port = @Port
        AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId'
),
(
    'MembershipReadAllKey',
    'SELECT
        v.DeploymentId AS "DeploymentId",
        m.Address AS "Address",
        m.Port AS "Port",
        m.Generation AS "Generation",
        m.SiloName AS "SiloName",
        m.HostName AS "HostName",
        m.Status AS "Status",
        m.ProxyPort AS "ProxyPort",
        m.SuspectTimes AS "SuspectTimes",
        m.StartTime AS "StartTime",
        m.IAmAliveTime AS "IAmAliveTime",
        v.Version AS "Version"
    FROM OrleansMembershipVersionTable AS v
    LEFT JOIN OrleansMembershipTable AS m
        ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId
    ORDER BY m.Address, m.Port, m.Generation'
),
(
    'GatewaysQueryKey',
    'SELECT
        m.Address AS "Address",
        m.ProxyPort AS "ProxyPort",
        m.Generation AS "Generation"
    FROM OrleansMembershipTable AS m
    WHERE m.DeploymentId = @DeploymentId
        AND m.Status = @Status
        AND m.ProxyPort > 0'
),
(
    'DeleteMembershipTableEntriesKey',
    'DELETE FROM OrleansMembershipVersionTable AS v
    WHERE v.DeploymentId = @DeploymentId'
),
(
    'CleanupDefunctSiloEntriesKey',
    'DELETE FROM OrleansMembershipTable AS m
    WHERE m.DeploymentId = @DeploymentId
        AND m.Status <> 3
        AND greatest(m.IAmAliveTime, m.StartTime) < @IAmAliveTime'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

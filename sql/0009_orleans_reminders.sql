-- Orleans ADO.NET reminders for PostgreSQL (Microsoft.Orleans.Reminders.AdoNet 10.x, invariant "Npgsql"): the
-- schedule of the source grains lives here, so a reminder fires on a surviving silo when its silo dies.
--
-- Idempotent (CREATE ... IF NOT EXISTS, upserts); no transaction control, so the migration runner may wrap it.
--
-- Contract with the provider (RelationalOrleansQueries / DbStoredQueries):
--   * At start-up it reads its seven query keys from OrleansQuery and fails unless all are present.
--   * Parameters it binds: @ServiceId text (= ClusterOptions.ServiceId), @GrainId text (the grain id's string form),
--     @ReminderName text, @StartTime timestamp (UTC DateTime), @Period int4 or int8 (milliseconds; int8 only when
--     it does not fit an int4), @GrainHash / @BeginHash / @EndHash int4 (the uint uniform hash cast to int, so it
--     may be negative), @Version int4 (the ETag the grain holds).
--   * Rows it reads: columns GrainId, ReminderName, StartTime, Period (read as int8), Version, by name.
--   * Upsert returns one row with the new Version; delete returns one row with one boolean (true = deleted; false
--     when the ETag no longer matches).
--   * Range reads: the provider compares the hashes as int4; (BeginHash, EndHash] with BeginHash < EndHash uses
--     ReadRangeRows1Key, otherwise the range wraps around and ReadRangeRows2Key takes both ends.

-- Also created by 0001; repeated so this script can run on its own.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(150) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    CONSTRAINT pk_orleansreminderstable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Each silo reads the reminders of its hash range of the ring.
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_hash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'UpsertReminderRowKey',
    'INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE SET
        StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash, Version = r.Version + 1
    RETURNING r.Version AS "Version"'
),
(
    'ReadReminderRowsKey',
    'SELECT r.GrainId AS "GrainId", r.ReminderName AS "ReminderName", r.StartTime AS "StartTime",
        r.Period AS "Period", r.Version AS "Version"
    FROM OrleansRemindersTable AS r
    WHERE r.ServiceId = @ServiceId AND r.GrainId = @GrainId'
),
(
    'ReadReminderRowKey',
    'SELECT r.GrainId AS "GrainId", r.ReminderName AS "ReminderName", r.StartTime AS "StartTime",
        r.Period AS "Period", r.Version AS "Version"
    FROM OrleansRemindersTable AS r
    WHERE r.ServiceId = @ServiceId AND r.GrainId = @GrainId AND r.ReminderName = @ReminderName'
),
(
    'ReadRangeRows1Key',
    'SELECT r.GrainId AS "GrainId", r.ReminderName AS "ReminderName", r.StartTime AS "StartTime",
        r.Period AS "Period", r.Version AS "Version"
    FROM OrleansRemindersTable AS r
    WHERE r.ServiceId = @ServiceId AND r.GrainHash > @BeginHash AND r.GrainHash <= @EndHash'
),
(
    'ReadRangeRows2Key',
    'SELECT r.GrainId AS "GrainId", r.ReminderName AS "ReminderName", r.StartTime AS "StartTime",
        r.Period AS "Period", r.Version AS "Version"
    FROM OrleansRemindersTable AS r
    WHERE r.ServiceId = @ServiceId AND (r.GrainHash > @BeginHash OR r.GrainHash <= @EndHash)'
),
(
    'DeleteReminderRowKey',
    'WITH deleted AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
        RETURNING 1
    )
    SELECT count(*) > 0 AS "Deleted" FROM deleted'
),
(
    'DeleteReminderRowsKey',
    'DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

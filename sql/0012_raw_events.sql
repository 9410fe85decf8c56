-- The raw landing zone: every record and event as it was on our topics (the wire envelope, jsonb), where it came
-- from and where it was read, so that the star schema can be derived again (`shopstream replay --from raw`).
-- Partitioned by the day it was received (the Kafka message's timestamp); a day is one partition, created by the
-- writer before its first row (raw_events_ensure_day) and dropped whole after Shopstream:RawRetentionDays
-- (raw_events_drop_before). (topic, partition, offset) is where a row was read: a re-read after a restart is a no-op.
CREATE TABLE IF NOT EXISTS raw_events (
    received_at  timestamptz NOT NULL,
    source       text        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    key          text,
    payload      jsonb       NOT NULL,
    PRIMARY KEY (topic, partition, "offset", received_at)
) PARTITION BY RANGE (received_at);

CREATE INDEX IF NOT EXISTS raw_events_received_idx ON raw_events (received_at);

-- The partition of one UTC day, raw_events_yyyymmdd.
CREATE OR REPLACE FUNCTION raw_events_ensure_day(day date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I PARTITION OF raw_events FOR VALUES FROM (%L) TO (%L)',
        'raw_events_' || to_char(day, 'YYYYMMDD'),
        (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
END $$;

-- Drops the partitions of days before `day`; returns how many.
CREATE OR REPLACE FUNCTION raw_events_drop_before(day date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    FOR part IN
        SELECT c.relname FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'raw_events' AND c.relname ~ '^raw_events_[0-9]{8}$'
          AND to_date(substr(c.relname, 12), 'YYYYMMDD') < day
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

-- The raw zone's own offsets: how far each partition of our topics has been landed, moved in the same transaction as
-- the rows (RawEventWriter.WriteAsync compares and sets them), so a batch read again after a restart, or by two silos
-- while a partition moves, is written once. That replaces the per-row primary key of raw_events, whose unique index and
-- ON CONFLICT check (with a jsonb array parameter) made landing a message cost about a third of the star-schema path;
-- rows now go in by binary COPY. received_at keeps a BRIN index: it grows with the Kafka timestamps, and day
-- partitions already prune whole days.
CREATE TABLE IF NOT EXISTS raw_offsets (
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    next_offset  bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

-- A raw zone written before this script carries on after what it holds.
INSERT INTO raw_offsets (topic, partition, next_offset)
SELECT topic, partition, max("offset") + 1 FROM raw_events GROUP BY topic, partition
ON CONFLICT DO NOTHING;

ALTER TABLE raw_events DROP CONSTRAINT IF EXISTS raw_events_pkey;
DROP INDEX IF EXISTS raw_events_received_idx;
CREATE INDEX IF NOT EXISTS raw_events_received_brin ON raw_events USING brin (received_at);

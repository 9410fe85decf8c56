-- The lake's manifest (src/Lake). Parquet files live in a directory or an S3 bucket; this schema says which of them
-- a reader sees. A file is committed here with the Kafka offsets it covers in one transaction, so a file listed
-- nowhere is invisible, and a replay of the same offsets cannot commit a second copy (lake_offsets moves only
-- forward, from the offset the writer started at).
--
-- Every commit is a snapshot (Iceberg's snapshot): the files a reader sees at snapshot S are those added at or
-- before S and not removed at or before S. Compaction adds the merged file and removes the small ones in one
-- snapshot; the removed files are deleted from storage only after a retention period (purged_at).
CREATE TABLE IF NOT EXISTS lake_snapshots (
    snapshot_id  bigint      PRIMARY KEY,
    operation    text        NOT NULL CHECK (operation IN ('append', 'compact')),
    committed_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS lake_files (
    file_id             uuid        PRIMARY KEY,
    path                text        NOT NULL UNIQUE,      -- relative to the lake root: events/event_type=../event_date=../part-...parquet
    table_name          text        NOT NULL,
    partition_values    jsonb       NOT NULL,             -- {"event_type": "page_view", "event_date": "2024-05-01"}
    rows                bigint      NOT NULL CHECK (rows >= 0),
    bytes               bigint      NOT NULL CHECK (bytes >= 0),
    min_event_time      timestamptz,
    max_event_time      timestamptz,
    topic               text,                             -- null for a compacted file (its rows came from several ranges)
    kafka_partition     int,
    offset_first        bigint,                           -- the flush's offset range, inclusive; the files of one flush share it
    offset_last         bigint,
    snapshot_id         bigint      NOT NULL REFERENCES lake_snapshots (snapshot_id),
    removed_snapshot_id bigint      REFERENCES lake_snapshots (snapshot_id),
    committed_at        timestamptz NOT NULL,
    purged_at           timestamptz                       -- when the file was deleted from storage after its retention
);

CREATE INDEX IF NOT EXISTS ix_lake_files_table_snapshot ON lake_files (table_name, snapshot_id);

-- Where the lake resumes each topic-partition: the offset after the last one committed in a file.
CREATE TABLE IF NOT EXISTS lake_offsets (
    topic           text   NOT NULL,
    kafka_partition int    NOT NULL,
    next_offset     bigint NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (topic, kafka_partition)
);

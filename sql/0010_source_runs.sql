-- Runs of the sources (scheduled, manual or from the CLI) and each source's watermark: the largest publication date
-- whose records Kafka acknowledged. A run that fails keeps the watermark it reached; the next one starts there.

CREATE TABLE IF NOT EXISTS source_runs (
    run_id            uuid        PRIMARY KEY,
    source            text        NOT NULL,
    trigger           text        NOT NULL CHECK (trigger IN ('schedule', 'manual', 'cli')),
    -- written with every page and every few seconds while the run is alive: a 'running' row whose heartbeat stopped
    -- belongs to a run whose silo died, and is closed as abandoned when the source runs again
    heartbeat_at      timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    status            text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    pages             integer     NOT NULL DEFAULT 0,
    records_read      bigint      NOT NULL DEFAULT 0,
    records_produced  bigint      NOT NULL DEFAULT 0,
    records_rejected  bigint      NOT NULL DEFAULT 0,
    watermark_before  timestamptz,
    watermark_after   timestamptz,
    error             text
);

CREATE INDEX IF NOT EXISTS source_runs_source_started ON source_runs (source, started_at DESC);

-- At most one run of a source at a time in the whole cluster, whichever silo runs it.
CREATE UNIQUE INDEX IF NOT EXISTS source_runs_one_running ON source_runs (source) WHERE status = 'running';

CREATE TABLE IF NOT EXISTS source_watermarks (
    source      text        PRIMARY KEY,
    watermark   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

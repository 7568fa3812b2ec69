-- Core bookkeeping of the workers: consumed offsets (kept with the aggregates, in the same
-- transaction, so a crash can neither lose nor repeat a batch) and the ids of applied events
-- (so a redelivered or replayed fact changes nothing).
CREATE SCHEMA IF NOT EXISTS pipeline;
CREATE SCHEMA IF NOT EXISTS bi;

CREATE TABLE pipeline.consumer_offsets (
    group_id    text   NOT NULL,
    topic       text   NOT NULL,
    partition   int    NOT NULL,
    next_offset bigint NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);

CREATE TABLE pipeline.applied_events (
    id         text COLLATE "C" PRIMARY KEY
);

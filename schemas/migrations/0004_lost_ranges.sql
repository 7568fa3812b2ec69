-- Messages the broker no longer had when a worker came to read them: a partition's log start
-- had moved past the offset stored for it (retention shorter than an outage, or the embedded
-- broker's size cap). The aggregates of this schema lack those events; the row is the record
-- of it, written in the same transaction that moves the offset past the range. The worker
-- also logs it and counts it in pipeline_worker_lost_messages_total (alert KafkaMessagesLost).
CREATE TABLE pipeline.lost_ranges (
    group_id      text   NOT NULL,
    topic         text   NOT NULL,
    partition     int    NOT NULL,
    from_offset   bigint NOT NULL CHECK (from_offset >= 0),
    -- Exclusive: the log start the worker went on from.
    to_offset     bigint NOT NULL CHECK (to_offset > from_offset),
    lost_messages bigint GENERATED ALWAYS AS (to_offset - from_offset) STORED,
    detected_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition, from_offset)
);

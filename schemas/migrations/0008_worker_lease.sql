-- One worker owns a group's partitions at a time, under a lease: its epoch is checked inside every
-- batch's transaction, so an owner that lost the lease (a standby took over, or a rebuild's swap
-- brought tables without its row) cannot commit again. The owner keeps the entity state and the
-- applied ids in memory; the ids are stored a batch at a time, as 16-byte SHA-256 prefixes.
CREATE TABLE pipeline.worker_lease (
    group_id  text        PRIMARY KEY,
    epoch     bigint      NOT NULL CHECK (epoch > 0),
    owner     text        NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pipeline.applied_batches (
    seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    events     integer NOT NULL CHECK (events > 0),
    id_hashes  bytea   NOT NULL,
    CHECK (length(id_hashes) = 16 * events)
);

-- Ids applied before this migration, as one batch.
INSERT INTO pipeline.applied_batches (events, id_hashes)
SELECT count(*), string_agg(substring(sha256(convert_to(id, 'UTF8')) FROM 1 FOR 16), ''::bytea ORDER BY id)
FROM pipeline.applied_events
HAVING count(*) > 0;

DROP TABLE pipeline.applied_events;

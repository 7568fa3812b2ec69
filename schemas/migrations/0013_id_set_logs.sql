-- Three tables that BI reads only as sets became logs of arrays: each batch appends one row of
-- parallel arrays instead of a row per id (issue #19).
--
-- `contacts` (the ids named by chat and mail events), `activity_months` and `chat_members_daily`
-- took 0.48 of the 1.8 rows PostgreSQL wrote per event, each with an index entry and the probe of
-- `ON CONFLICT`. Their views only ever group them (`bool_or(chat_active)` per id, the distinct
-- months of an id, the distinct members of a chat's day), so an id repeated in a later batch
-- changes no figure. A row holds one project's elements (a view's project filter skips the other
-- rows); the views unnest the arrays where BI reads. The worker compacts each log (duplicates
-- merged, rows of at most 100,000 elements) in the transaction of its state-log snapshot, so a
-- log holds about its distinct elements plus the batches since the last snapshot.
CREATE TABLE pipeline.contacts_log (
    project     text      NOT NULL,
    user_ids    text[]    NOT NULL,
    chat_active boolean[] NOT NULL,
    CHECK (cardinality(user_ids) = cardinality(chat_active))
);

CREATE TABLE pipeline.activity_months_log (
    project  text      NOT NULL,
    user_ids text[]    NOT NULL,
    months   date[]    NOT NULL,
    contact  boolean[] NOT NULL,
    CHECK (cardinality(user_ids) = cardinality(months) AND cardinality(months) = cardinality(contact))
);

CREATE TABLE pipeline.chat_members_log (
    project  text   NOT NULL,
    chat_ids text[] NOT NULL,
    days     date[] NOT NULL,
    user_ids text[] NOT NULL,
    CHECK (cardinality(chat_ids) = cardinality(days) AND cardinality(days) = cardinality(user_ids))
);

-- lz4, as the state log (0011): several times faster than pglz on the arrays of a batch.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE pipeline.contacts_log ALTER COLUMN user_ids SET COMPRESSION lz4;
        ALTER TABLE pipeline.activity_months_log ALTER COLUMN user_ids SET COMPRESSION lz4,
                                                 ALTER COLUMN months SET COMPRESSION lz4;
        ALTER TABLE pipeline.chat_members_log ALTER COLUMN chat_ids SET COMPRESSION lz4,
                                              ALTER COLUMN days SET COMPRESSION lz4,
                                              ALTER COLUMN user_ids SET COMPRESSION lz4;
    END IF;
END
$$;

-- What the tables held, in rows of one project and at most 100,000 elements.
INSERT INTO pipeline.contacts_log (project, user_ids, chat_active)
SELECT project, array_agg(user_id), array_agg(chat_active)
FROM (SELECT c.*, (row_number() OVER (PARTITION BY project) - 1) / 100000 AS chunk FROM pipeline.contacts c) numbered
GROUP BY project, chunk;

INSERT INTO pipeline.activity_months_log (project, user_ids, months, contact)
SELECT project, array_agg(user_id), array_agg(month), array_agg(contact)
FROM (SELECT m.*, (row_number() OVER (PARTITION BY project) - 1) / 100000 AS chunk FROM pipeline.activity_months m) numbered
GROUP BY project, chunk;

INSERT INTO pipeline.chat_members_log (project, chat_ids, days, user_ids)
SELECT project, array_agg(chat_id), array_agg(day), array_agg(user_id)
FROM (SELECT m.*, (row_number() OVER (PARTITION BY project) - 1) / 100000 AS chunk
      FROM pipeline.chat_members_daily m) numbered
GROUP BY project, chunk;

-- The views are bound to the old tables until `bi.sql` is applied again after the migrations.
DROP TABLE pipeline.contacts CASCADE;
DROP TABLE pipeline.activity_months CASCADE;
DROP TABLE pipeline.chat_members_daily CASCADE;

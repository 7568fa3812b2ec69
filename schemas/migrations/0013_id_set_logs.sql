-- Five tables that BI reads only grouped became logs of arrays: each batch appends one row of
-- parallel arrays instead of a row per id (issue #19).
--
-- `users`, `contacts` (the ids named by chat and mail events), `activity_months`,
-- `chat_members_daily` and `mail_recipients` took 0.71 of the 1.8 rows PostgreSQL wrote per event,
-- each with an index entry and mostly the probe of `ON CONFLICT`. Their views only ever group them
-- (a user's earliest first registration, `bool_or(chat_active)` per id, the distinct months of an
-- id, the distinct members of a chat's day, the earliest open and click of a letter's reader), so
-- an element repeated in a later batch changes no figure. A user's first registration only ever
-- moves earlier: the entry with the earliest (first_reg_at, first_reg_id) is the user's state, and
-- the owner reads the log back into memory so (`EntityStore`). A row holds one project's elements (a view's project filter skips the other
-- rows); the views unnest the arrays where BI reads. The worker compacts each log (duplicates
-- merged, rows of at most 100,000 elements) in the transaction of its state-log snapshot, so a
-- log holds about its distinct elements plus the batches since the last snapshot.
CREATE TABLE pipeline.users_log (
    project       text          NOT NULL,
    user_ids      text[]        NOT NULL,
    first_reg_at  timestamptz[] NOT NULL,
    first_reg_ids text[]        NOT NULL,
    first_reg_day date[]        NOT NULL,
    networks      text[]        NOT NULL,
    campaign_ids  text[]        NOT NULL,
    ad_ids        text[]        NOT NULL,
    CHECK (cardinality(user_ids) = cardinality(first_reg_at) AND cardinality(user_ids) = cardinality(first_reg_ids)
           AND cardinality(user_ids) = cardinality(first_reg_day) AND cardinality(user_ids) = cardinality(networks)
           AND cardinality(user_ids) = cardinality(campaign_ids) AND cardinality(user_ids) = cardinality(ad_ids))
);

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

CREATE TABLE pipeline.mail_recipients_log (
    project         text          NOT NULL,
    channels        text[]        NOT NULL,
    letter_ids      text[]        NOT NULL,
    user_ids        text[]        NOT NULL,
    first_open_at   timestamptz[] NOT NULL,
    first_open_day  date[]        NOT NULL,
    first_click_at  timestamptz[] NOT NULL,
    first_click_day date[]        NOT NULL,
    CHECK (cardinality(channels) = cardinality(letter_ids) AND cardinality(letter_ids) = cardinality(user_ids)
           AND cardinality(user_ids) = cardinality(first_open_at) AND cardinality(user_ids) = cardinality(first_open_day)
           AND cardinality(user_ids) = cardinality(first_click_at) AND cardinality(user_ids) = cardinality(first_click_day))
);

-- lz4, as the state log (0011): several times faster than pglz on the arrays of a batch.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE pipeline.users_log ALTER COLUMN user_ids SET COMPRESSION lz4,
                                       ALTER COLUMN first_reg_at SET COMPRESSION lz4,
                                       ALTER COLUMN first_reg_ids SET COMPRESSION lz4,
                                       ALTER COLUMN first_reg_day SET COMPRESSION lz4,
                                       ALTER COLUMN networks SET COMPRESSION lz4,
                                       ALTER COLUMN campaign_ids SET COMPRESSION lz4,
                                       ALTER COLUMN ad_ids SET COMPRESSION lz4;
        ALTER TABLE pipeline.contacts_log ALTER COLUMN user_ids SET COMPRESSION lz4;
        ALTER TABLE pipeline.activity_months_log ALTER COLUMN user_ids SET COMPRESSION lz4,
                                                 ALTER COLUMN months SET COMPRESSION lz4;
        ALTER TABLE pipeline.chat_members_log ALTER COLUMN chat_ids SET COMPRESSION lz4,
                                              ALTER COLUMN days SET COMPRESSION lz4,
                                              ALTER COLUMN user_ids SET COMPRESSION lz4;
        ALTER TABLE pipeline.mail_recipients_log ALTER COLUMN channels SET COMPRESSION lz4,
                                                 ALTER COLUMN letter_ids SET COMPRESSION lz4,
                                                 ALTER COLUMN user_ids SET COMPRESSION lz4,
                                                 ALTER COLUMN first_open_at SET COMPRESSION lz4,
                                                 ALTER COLUMN first_open_day SET COMPRESSION lz4,
                                                 ALTER COLUMN first_click_at SET COMPRESSION lz4,
                                                 ALTER COLUMN first_click_day SET COMPRESSION lz4;
    END IF;
END
$$;

-- What the tables held, in rows of one project and at most 100,000 elements.
INSERT INTO pipeline.users_log (project, user_ids, first_reg_at, first_reg_ids, first_reg_day, networks, campaign_ids, ad_ids)
SELECT project, array_agg(user_id), array_agg(first_reg_at), array_agg(first_reg_id), array_agg(first_reg_day),
       array_agg(network), array_agg(campaign_id), array_agg(ad_id)
FROM (SELECT u.*, (row_number() OVER (PARTITION BY project) - 1) / 100000 AS chunk FROM pipeline.users u) numbered
GROUP BY project, chunk;

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

INSERT INTO pipeline.mail_recipients_log (project, channels, letter_ids, user_ids, first_open_at, first_open_day,
                                          first_click_at, first_click_day)
SELECT project, array_agg(channel), array_agg(letter_id), array_agg(user_id), array_agg(first_open_at),
       array_agg(first_open_day), array_agg(first_click_at), array_agg(first_click_day)
FROM (SELECT r.*, (row_number() OVER (PARTITION BY project) - 1) / 100000 AS chunk
      FROM pipeline.mail_recipients r) numbered
GROUP BY project, chunk;

-- The views are bound to the old tables until `bi.sql` is applied again after the migrations.
DROP TABLE pipeline.users CASCADE;
DROP TABLE pipeline.contacts CASCADE;
DROP TABLE pipeline.activity_months CASCADE;
DROP TABLE pipeline.chat_members_daily CASCADE;
DROP TABLE pipeline.mail_recipients CASCADE;

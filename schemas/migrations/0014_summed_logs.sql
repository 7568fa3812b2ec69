-- The worker's deltas of four tables of sums go to logs instead of into the tables (issue #19):
-- `funnel_daily`, `mail_daily`, `chat_daily` and `user_monthly`.
--
-- Upserting each batch's rows of these tables was most of PostgreSQL's work for a batch: 0.60 of
-- the 1.07 rows it wrote per event, each a row lock, an update and index work, because a batch of
-- a backlog touches thousands of (ad, day), (letter, day), (chat, day) and (user, month) rows and
-- the next batch touches most of them again (`funnel_daily` alone: 4.4 s of statements per million
-- events, pg_stat_statements). Now each batch appends one row of parallel arrays per project and
-- table (its deltas, keys distinct within the row), and the worker folds each log into its table
-- now and then (`SummedLog`): one statement deletes the log rows it sees and adds their sums per
-- key to the table, so a key is written once per fold instead of once per batch. The views of
-- schema `bi` sum the table and the log per key (`bi_all.*_sums`), so BI sees every committed batch
-- at once, before a fold and after it alike. `pipeline rebuild` copies the logs with the tables.
CREATE TABLE pipeline.funnel_log (
    project       text      NOT NULL,
    days          date[]    NOT NULL,
    networks      text[]    NOT NULL,
    campaign_ids  text[]    NOT NULL,
    ad_ids        text[]    NOT NULL,
    impressions   bigint[]  NOT NULL,
    ad_clicks     bigint[]  NOT NULL,
    spend         numeric[] NOT NULL,
    visits        bigint[]  NOT NULL,
    registrations bigint[]  NOT NULL,
    orders        bigint[]  NOT NULL,
    paid_orders   bigint[]  NOT NULL,
    payments      bigint[]  NOT NULL,
    revenue       numeric[] NOT NULL,
    refunds       numeric[] NOT NULL,
    CHECK (cardinality(days) = cardinality(networks) AND cardinality(days) = cardinality(campaign_ids)
           AND cardinality(days) = cardinality(ad_ids) AND cardinality(days) = cardinality(impressions)
           AND cardinality(days) = cardinality(ad_clicks) AND cardinality(days) = cardinality(spend)
           AND cardinality(days) = cardinality(visits) AND cardinality(days) = cardinality(registrations)
           AND cardinality(days) = cardinality(orders) AND cardinality(days) = cardinality(paid_orders)
           AND cardinality(days) = cardinality(payments) AND cardinality(days) = cardinality(revenue)
           AND cardinality(days) = cardinality(refunds))
);

CREATE TABLE pipeline.mail_daily_log (
    project      text     NOT NULL,
    channels     text[]   NOT NULL,
    letter_ids   text[]   NOT NULL,
    days         date[]   NOT NULL,
    sent         bigint[] NOT NULL,
    delivered    bigint[] NOT NULL,
    opened       bigint[] NOT NULL,
    clicked      bigint[] NOT NULL,
    unsubscribed bigint[] NOT NULL,
    bounced      bigint[] NOT NULL,
    spam         bigint[] NOT NULL,
    CHECK (cardinality(days) = cardinality(channels) AND cardinality(days) = cardinality(letter_ids)
           AND cardinality(days) = cardinality(sent) AND cardinality(days) = cardinality(delivered)
           AND cardinality(days) = cardinality(opened) AND cardinality(days) = cardinality(clicked)
           AND cardinality(days) = cardinality(unsubscribed) AND cardinality(days) = cardinality(bounced)
           AND cardinality(days) = cardinality(spam))
);

CREATE TABLE pipeline.chat_daily_log (
    project  text     NOT NULL,
    chat_ids text[]   NOT NULL,
    days     date[]   NOT NULL,
    messages bigint[] NOT NULL,
    joins    bigint[] NOT NULL,
    leaves   bigint[] NOT NULL,
    CHECK (cardinality(days) = cardinality(chat_ids) AND cardinality(days) = cardinality(messages)
           AND cardinality(days) = cardinality(joins) AND cardinality(days) = cardinality(leaves))
);

CREATE TABLE pipeline.user_monthly_log (
    project  text      NOT NULL,
    user_ids text[]    NOT NULL,
    months   date[]    NOT NULL,
    payments bigint[]  NOT NULL,
    revenue  numeric[] NOT NULL,
    refunds  numeric[] NOT NULL,
    CHECK (cardinality(months) = cardinality(user_ids) AND cardinality(months) = cardinality(payments)
           AND cardinality(months) = cardinality(revenue) AND cardinality(months) = cardinality(refunds))
);

-- lz4, as the other logs (0011, 0013): a batch's arrays are tens of kB each, and pglz compresses
-- them several times slower.
DO $$
DECLARE
    array_column record;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        FOR array_column IN
            SELECT a.attrelid::regclass AS log, a.attname AS name
            FROM pg_attribute a
            WHERE a.attrelid IN ('pipeline.funnel_log'::regclass, 'pipeline.mail_daily_log'::regclass,
                                 'pipeline.chat_daily_log'::regclass, 'pipeline.user_monthly_log'::regclass)
              AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid::regtype::text LIKE '%[]'
        LOOP
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET COMPRESSION lz4', array_column.log, array_column.name);
        END LOOP;
    END IF;
END
$$;

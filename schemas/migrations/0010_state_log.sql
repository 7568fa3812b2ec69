-- Users' daily ledgers and orders' status events are read by no view: only the worker needs them
-- (to move a user's figures when an earlier registration arrives, and to find when an order
-- became paid). It keeps them in memory; here they become a log of text records, one row per
-- batch plus a snapshot that now and then replaces the rows before it, instead of a table row per
-- ledger day and order event. Format: Sources/Aggregation/WorkerStateRecords.swift.
CREATE TABLE pipeline.state_log (
    seq      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot boolean NOT NULL,
    records  integer NOT NULL CHECK (records >= 0),
    body     text    NOT NULL
);

-- What the two tables held, as the first snapshot. Ids are escaped as the worker writes them.
INSERT INTO pipeline.state_log (snapshot, records, body)
SELECT true, count(*), string_agg(line, '')
FROM (
    SELECT concat_ws(E'\t', 'L',
               replace(replace(replace(project, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'),
               replace(replace(replace(user_id, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'),
               day::text, registrations, orders, paid_orders, payments, revenue::text, refunds::text) || E'\n' AS line
    FROM pipeline.user_daily
    WHERE registrations <> 0 OR orders <> 0 OR paid_orders <> 0 OR payments <> 0 OR revenue <> 0 OR refunds <> 0
    UNION ALL
    SELECT concat_ws(E'\t', 'O',
               replace(replace(replace(project, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'),
               replace(replace(replace(order_id, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'),
               replace(replace(replace(event_id, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'),
               ((extract(epoch FROM occurred_at) * 1000000)::bigint)::text, status) || E'\n'
    FROM pipeline.order_events
) lines
HAVING count(*) > 0;

DROP TABLE pipeline.user_daily;
DROP TABLE pipeline.order_events;

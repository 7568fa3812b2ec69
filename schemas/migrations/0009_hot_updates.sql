-- The worker updates the same aggregate and state rows batch after batch (a day's funnel row, a
-- user's ledger, an order). With every page full (the default fill factor of 100) each update
-- writes its new row version to another page and a new entry into the primary key. Pages kept
-- 30 % free let PostgreSQL put the new version beside the old one (a HOT update): no index entry,
-- and the old version is pruned in place. On the benchmark's data this raised PostgreSQL's rate
-- for the worker's statements by about a quarter (BENCHMARKS.md). Existing pages fill up as
-- before; pages written from now on keep the space. `pipeline rebuild` copies these settings.
ALTER TABLE pipeline.funnel_daily    SET (fillfactor = 70);
ALTER TABLE pipeline.user_daily      SET (fillfactor = 70);
ALTER TABLE pipeline.user_monthly    SET (fillfactor = 70);
ALTER TABLE pipeline.mail_daily      SET (fillfactor = 70);
ALTER TABLE pipeline.chat_daily      SET (fillfactor = 70);
ALTER TABLE pipeline.orders          SET (fillfactor = 70);
ALTER TABLE pipeline.payments        SET (fillfactor = 70);
ALTER TABLE pipeline.users           SET (fillfactor = 70);
ALTER TABLE pipeline.ad_stats        SET (fillfactor = 70);
ALTER TABLE pipeline.mail_recipients SET (fillfactor = 70);

#!/usr/bin/env python3
"""The Python baseline of `pipeline-bench`: what a straightforward, well-batched Python consumer
does with the same topics — confluent-kafka batches of thousands, JSON decoded per message, ids
deduplicated, funnel_daily and the cohort counters pre-aggregated in memory, then one transaction
per batch (ids, upserts via unnest arrays, offsets). It keeps the user states in memory and does not
move a user's figures when an earlier registration arrives late, so it does less than the worker:
its rate is an upper bound for a Python implementation of the same contract.

Usage: baseline.py --brokers HOST:PORT --database URL --expect N [--group G]
Prints one line: "baseline: N messages, D distinct, R funnel rows, C cohort rows".
"""
import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
from confluent_kafka import Consumer

TOPICS = ["school.clicks", "school.registrations", "school.orders", "school.mails", "school.chat", "school.adstats",
          "school.learning"]
NETWORKS = {"yandex": "yandex_direct", "vk": "vk_ads", "facebook": "meta", "google": "google_ads"}
ZONE = ZoneInfo("Europe/Moscow")

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS baseline;
CREATE TABLE IF NOT EXISTS baseline.applied (id text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS baseline.offsets (topic text, partition int, next_offset bigint, PRIMARY KEY (topic, partition));
CREATE TABLE IF NOT EXISTS baseline.funnel_daily (
    project text, day date, network text, campaign_id text, ad_id text,
    visits bigint NOT NULL DEFAULT 0, registrations bigint NOT NULL DEFAULT 0, orders bigint NOT NULL DEFAULT 0,
    paid_orders bigint NOT NULL DEFAULT 0, payments bigint NOT NULL DEFAULT 0, revenue numeric NOT NULL DEFAULT 0,
    refunds numeric NOT NULL DEFAULT 0, spend numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (project, day, network, campaign_id, ad_id));
CREATE TABLE IF NOT EXISTS baseline.cohorts (
    project text, cohort_month date, users bigint NOT NULL DEFAULT 0, paying bigint NOT NULL DEFAULT 0,
    revenue numeric NOT NULL DEFAULT 0, PRIMARY KEY (project, cohort_month));
"""

FUNNEL_UPSERT = """
INSERT INTO baseline.funnel_daily AS f (project, day, network, campaign_id, ad_id, visits, registrations, orders,
    paid_orders, payments, revenue, refunds, spend)
SELECT * FROM unnest(%s::text[], %s::date[], %s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[],
    %s::bigint[], %s::bigint[], %s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[])
ON CONFLICT (project, day, network, campaign_id, ad_id) DO UPDATE SET
    visits = f.visits + excluded.visits, registrations = f.registrations + excluded.registrations,
    orders = f.orders + excluded.orders, paid_orders = f.paid_orders + excluded.paid_orders,
    payments = f.payments + excluded.payments, revenue = f.revenue + excluded.revenue,
    refunds = f.refunds + excluded.refunds, spend = f.spend + excluded.spend
"""

COHORT_UPSERT = """
INSERT INTO baseline.cohorts AS c (project, cohort_month, users, paying, revenue)
SELECT * FROM unnest(%s::text[], %s::date[], %s::bigint[], %s::bigint[], %s::numeric[])
ON CONFLICT (project, cohort_month) DO UPDATE SET
    users = c.users + excluded.users, paying = c.paying + excluded.paying, revenue = c.revenue + excluded.revenue
"""


def local_day(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(ZONE).date()


def attribution(utm):
    source = utm.get("source")
    if not source:
        return ("(none)", utm.get("campaign", ""), utm.get("content", ""))
    return (NETWORKS.get(source, source), utm.get("campaign", ""), utm.get("content", ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--group", default="python-baseline")
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()

    connection = psycopg.connect(args.database)
    connection.execute(SCHEMA)
    connection.commit()
    consumer = Consumer({"bootstrap.servers": args.brokers, "group.id": args.group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe(TOPICS)
    seen = set()
    users = {}          # (project, user) -> (cohort month, attribution, paying)
    orders = {}         # (project, order) -> paid already
    read = distinct = 0
    while read < args.expect:
        messages = consumer.consume(num_messages=args.batch, timeout=0.5)
        if not messages:
            continue
        funnel = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0, 0.0, 0.0])
        cohorts = defaultdict(lambda: [0, 0, 0.0])
        ids = []
        offsets = {}
        for message in messages:
            if message.error():
                continue
            read += 1
            offsets[(message.topic(), message.partition())] = message.offset() + 1
            event = json.loads(message.value())
            if event["id"] in seen:
                continue
            seen.add(event["id"])
            ids.append(event["id"])
            distinct += 1
            project, kind, data = event["project"], event["type"], event["data"]
            day = local_day(event["occurred_at"])
            if kind == "click":
                funnel[(project, day) + attribution(data.get("utm", {}))][0] += 1
            elif kind == "registration":
                key = (project, data["user_id"])
                if key not in users:
                    att = attribution(data.get("utm", {}))
                    month = day.replace(day=1)
                    users[key] = [month, att, False]
                    funnel[(project, day) + att][1] += 1
                    cohorts[(project, month)][0] += 1
            elif kind == "order":
                user = users.get((project, data["user_id"]))
                att = user[1] if user else ("(none)", "", "")
                okey = (project, data["order_id"])
                if okey not in orders:
                    orders[okey] = False
                    funnel[(project, day) + att][2] += 1
                if data["status"] == "paid" and not orders[okey]:
                    orders[okey] = True
                    funnel[(project, day) + att][3] += 1
            elif kind == "payment":
                user = users.get((project, data["user_id"]))
                att = user[1] if user else ("(none)", "", "")
                amount = float(data["amount"])
                if data["status"] == "accepted":
                    row = funnel[(project, day) + att]
                    row[4] += 1
                    row[5] += amount
                    if user:
                        cohort = cohorts[(project, user[0])]
                        cohort[2] += amount
                        if not user[2]:
                            user[2] = True
                            cohort[1] += 1
                else:
                    funnel[(project, day) + att][6] += amount
            elif kind == "ad_stats":
                funnel[(project, datetime.fromisoformat(data["day"]).date(), data["network"], data["campaign_id"],
                        data["ad_id"])][7] += float(data["cost"])
        with connection.transaction():
            if ids:
                connection.execute("INSERT INTO baseline.applied (id) SELECT unnest(%s::text[])", [ids])
            if funnel:
                keys = sorted(funnel)
                columns = list(zip(*keys))
                values = list(zip(*(funnel[k] for k in keys)))
                connection.execute(FUNNEL_UPSERT, [list(c) for c in columns] + [list(v) for v in values])
            if cohorts:
                keys = sorted(cohorts)
                columns = list(zip(*keys))
                values = list(zip(*(cohorts[k] for k in keys)))
                connection.execute(COHORT_UPSERT, [list(c) for c in columns] + [list(v) for v in values])
            topics, partitions, nexts = zip(*((t, p, o) for (t, p), o in sorted(offsets.items())))
            connection.execute(
                "INSERT INTO baseline.offsets SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[]) "
                "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
                [list(topics), list(partitions), list(nexts)])
    consumer.close()
    funnel_rows = connection.execute("SELECT count(*) FROM baseline.funnel_daily").fetchone()[0]
    cohort_rows = connection.execute("SELECT count(*) FROM baseline.cohorts").fetchone()[0]
    print(f"baseline: {read} messages, {distinct} distinct, {funnel_rows} funnel rows, {cohort_rows} cohort rows")


if __name__ == "__main__":
    sys.exit(main())

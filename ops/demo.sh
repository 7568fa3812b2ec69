#!/usr/bin/env bash
# The main job on the embedded defaults: a throwaway PostgreSQL, librdkafka's mock cluster as
# Kafka, a demo school's month produced, applied by a worker, and the resulting figures.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh

bin=$(swift build --show-bin-path)/pipeline
work=$(mktemp -d /tmp/pipeline-demo.XXXXXX)
chmod 755 "$work"   # the PostgreSQL server runs as user postgres and must reach its data dir
kafka_pid=""
cleanup() {
    [ -n "$kafka_pid" ] && kill "$kafka_pid" 2>/dev/null && wait "$kafka_pid" 2>/dev/null
    ops/postgres-throwaway.sh stop "$work/pg" || true
    rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL=$(ops/postgres-throwaway.sh start "$work/pg")
export DATABASE_URL
"$bin" kafka-mock --partitions 4 >"$work/kafka.addr" 2>"$work/kafka.log" &
kafka_pid=$!
for _ in $(seq 100); do [ -s "$work/kafka.addr" ] && break; sleep 0.1; done
KAFKA_BROKERS=$(head -1 "$work/kafka.addr")
[ -n "$KAFKA_BROKERS" ] || { echo "demo: the embedded Kafka did not start" >&2; cat "$work/kafka.log" >&2; exit 1; }
export KAFKA_BROKERS
echo "== embedded Kafka at $KAFKA_BROKERS, PostgreSQL at $DATABASE_URL"

"$bin" migrate
"$bin" demo-data --registrations 2000 --month 2026-10 >"$work/events.jsonl"
echo "== $(wc -l <"$work/events.jsonl") envelopes generated (some twice, as retried webhooks)"
"$bin" produce "$work/events.jsonl"
LOG_LEVEL=warning "$bin" worker --until-caught-up

echo "== registrations per day (bi.overview_daily)"
psql "$DATABASE_URL" -X -q -P pager=off -c \
    "SELECT project, day, registrations, new_users FROM bi.overview_daily ORDER BY project, day"
echo "== registrations per ad (bi.traffic_summary for the month)"
psql "$DATABASE_URL" -X -q -P pager=off -c \
    "SELECT network, campaign_id, ad_id, registrations FROM bi.traffic_summary('demo-school', '2026-10-01', '2026-10-31') ORDER BY registrations DESC"

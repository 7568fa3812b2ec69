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

"$bin" demo-data --month 2026-10 --fx-rates "$work/rates.csv" >"$work/events.jsonl"
"$bin" migrate
# Some payments are in USD: their day's rate must exist before the worker converts them.
"$bin" fx import "$work/rates.csv"
echo "== $(wc -l <"$work/events.jsonl") envelopes generated (some twice, as retried webhooks; some registrations late)"
"$bin" produce "$work/events.jsonl"
LOG_LEVEL=warning "$bin" worker --until-caught-up | tee "$work/worker.out"
dead_letters=$(sed -n 's/.* \([0-9][0-9]*\) dead letters$/\1/p' "$work/worker.out" | tail -1)

psql "$DATABASE_URL" -X -q -P pager=off -v ON_ERROR_STOP=1 -v project=demo-school \
    -v from_day=2026-10-01 -v to_day=2026-10-31 -v dead_letters="${dead_letters:-unknown}" -f ops/demo-summary.sql

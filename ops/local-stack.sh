#!/usr/bin/env bash
# The embedded local stack for running roles by hand: a throwaway PostgreSQL and librdkafka's
# mock cluster (as `pipeline kafka-mock`), migrated, in the background.
#   ops/local-stack.sh start [DIR]   prints `export DATABASE_URL=… KAFKA_BROKERS=…` to eval
#   ops/local-stack.sh stop [DIR]    stops both and removes DIR
# DIR defaults to /tmp/pipeline-local. The embedded Kafka keeps ~5 MiB per partition and drops older
# data silently: PIPELINE_EXPECTED_EVENTS (default 200000) sizes its partitions; it prints its choice.
# Example:
#   eval "$(ops/local-stack.sh start)" && pipeline worker
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:?usage: $0 start|stop [DIR]}
dir=${2:-/tmp/pipeline-local}

case "$cmd" in
start)
    ops/setup.sh >&2
    bin=$(swift build --show-bin-path)/pipeline
    mkdir -p "$dir" && chmod 755 "$dir"
    database_url=$(ops/postgres-throwaway.sh start "$dir/pg")
    nohup "$bin" kafka-mock --partitions 4 --expected-events "${PIPELINE_EXPECTED_EVENTS:-200000}" \
        >"$dir/kafka.addr" 2>"$dir/kafka.log" &
    echo $! >"$dir/kafka.pid"
    for _ in $(seq 100); do [ -s "$dir/kafka.addr" ] && break; sleep 0.1; done
    [ -s "$dir/kafka.addr" ] || { echo "local-stack: the embedded Kafka did not start" >&2; cat "$dir/kafka.log" >&2; exit 1; }
    grep -m1 "^embedded Kafka" "$dir/kafka.log" >&2 || true
    DATABASE_URL=$database_url "$bin" migrate >&2
    echo "export DATABASE_URL='$database_url' KAFKA_BROKERS='$(head -1 "$dir/kafka.addr")'"
    ;;
stop)
    if [ -f "$dir/kafka.pid" ]; then kill "$(cat "$dir/kafka.pid")" 2>/dev/null || true; fi
    ops/postgres-throwaway.sh stop "$dir/pg" || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac

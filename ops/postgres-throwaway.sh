#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and the demo: its own data dir, a free port on 127.0.0.1,
# trust auth for the local superuser "postgres". Nothing outside DIR is touched.
#   ops/postgres-throwaway.sh start DIR     prints the connection URL on stdout
#   ops/postgres-throwaway.sh stop DIR      stops the server and removes DIR
#   ops/postgres-throwaway.sh restart DIR   immediate-mode restart on the same port
#   ops/postgres-throwaway.sh url DIR       prints the connection URL again
# With THROWAWAY_OWNER_PID set, `start` also leaves a watcher that stops the server and removes
# DIR once that process is gone, so a test run that crashes or is killed leaves nothing behind.
#
# The server runs PostgreSQL's stock configuration (max_connections 100, max_locks_per_transaction
# 64, shared_buffers 128MB...), as users run it, except fsync=off: these servers are thrown away,
# and a restart here is of the server, not of the machine, so nothing it wrote is lost without
# fsync. A test that needs other settings says so: THROWAWAY_PG_OPTIONS (postgres -c options,
# e.g. "-c max_connections=50") is added at start and kept for restarts.
set -euo pipefail

cmd=${1:?usage: $0 start|stop|restart|url DIR}
dir=${2:?usage: $0 start|stop|restart|url DIR}
bindir=$(pg_config --bindir 2>/dev/null || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi
[ -x "$bindir/initdb" ] || { echo "postgres-throwaway: initdb not found (apt-get install postgresql)" >&2; exit 1; }

# initdb refuses to run as root, so the server belongs to the postgres user when we are root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

url() { echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres?sslmode=disable"; }

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
    echo "-c fsync=off ${THROWAWAY_PG_OPTIONS:-}" >"$dir/options"
    # Byte-order collation, as in docker-compose.yml: text keys compared with memcmp, not strcoll.
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        echo "$port" >"$dir/port"
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $port -k $dir $(cat "$dir/options")" start >/dev/null; then
            if [ -n "${THROWAWAY_OWNER_PID:-}" ]; then
                setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; [ -d "$3" ] && "$2" stop "$3"' \
                    watcher "$THROWAWAY_OWNER_PID" "$(readlink -f "$0")" "$dir" </dev/null >/dev/null 2>&1 &
            fi
            url
            exit 0
        fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
stop)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
restart)
    port=$(cat "$dir/port")
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m immediate \
        -o "-h 127.0.0.1 -p $port -k $dir $(cat "$dir/options")" restart >/dev/null
    ;;
url)
    url
    ;;
*)
    echo "usage: $0 start|stop|restart|url DIR" >&2; exit 2 ;;
esac

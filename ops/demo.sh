#!/usr/bin/env bash
# The main job on the embedded defaults: a throwaway PostgreSQL, librdkafka's mock cluster as
# Kafka, a demo school's month produced, applied by a worker, and the resulting figures.
# The month ends yesterday in the project's time zone, so the evening sent live belongs to it.
# PIPELINE_DEMO_KEEP=1 leaves the PostgreSQL running at the end, to query the bi views.
# PIPELINE_DEMO_OUTPUT (default /tmp/pipeline-demo-output) receives the report and the digest.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh

bin=$(swift build --show-bin-path)/pipeline
work=$(mktemp -d /tmp/pipeline-demo.XXXXXX)
chmod 755 "$work"   # the PostgreSQL server runs as user postgres and must reach its data dir
kafka_pid=""
ingest_pid=""
cleanup() {
    [ -n "$ingest_pid" ] && kill "$ingest_pid" 2>/dev/null && wait "$ingest_pid" 2>/dev/null
    [ -n "$kafka_pid" ] && kill "$kafka_pid" 2>/dev/null && wait "$kafka_pid" 2>/dev/null
    if [ "${PIPELINE_DEMO_KEEP:-}" = 1 ]; then
        rm -rf "$work/events.jsonl" "$work/kafka.addr"
    else
        ops/postgres-throwaway.sh stop "$work/pg" || true
        rm -rf "$work"
    fi
}
trap cleanup EXIT

started=$(date +%s)
DATABASE_URL=$(ops/postgres-throwaway.sh start "$work/pg")
export DATABASE_URL
# The project's time zone is the pipeline's default, as the worker below runs with no project settings.
zone=Europe/Moscow
until_day=$(TZ=$zone date -d yesterday +%F)
read -r from_day to_day < <("$bin" demo-data --until "$until_day" --time-zone "$zone" --print-period)
launch=$(LC_ALL=C date -d "$to_day" +%B | tr '[:upper:]' '[:lower:]')
echo "== demo month $from_day .. $to_day (it ends yesterday in $zone; pipeline demo-data --month YYYY-MM or --until DAY fixes it)"
"$bin" demo-data --until "$until_day" --time-zone "$zone" --fx-rates "$work/rates.csv" >"$work/events.jsonl"
# The embedded broker keeps ~5 MiB per partition and drops older data: sized for the month's events.
"$bin" kafka-mock --partitions 4 --expected-events "$(wc -l <"$work/events.jsonl")" \
    >"$work/kafka.addr" 2>"$work/kafka.log" &
kafka_pid=$!
for _ in $(seq 100); do [ -s "$work/kafka.addr" ] && break; sleep 0.1; done
KAFKA_BROKERS=$(head -1 "$work/kafka.addr")
[ -n "$KAFKA_BROKERS" ] || { echo "demo: the embedded Kafka did not start" >&2; cat "$work/kafka.log" >&2; exit 1; }
export KAFKA_BROKERS
echo "== embedded Kafka at $KAFKA_BROKERS, PostgreSQL at $DATABASE_URL"
grep -m1 "^embedded Kafka" "$work/kafka.log" | sed 's/^/== /' || true
"$bin" migrate
# Some payments are in USD: their day's rate must exist before the worker converts them.
"$bin" fx import "$work/rates.csv"
echo "== $(wc -l <"$work/events.jsonl") envelopes generated (some twice, as retried webhooks; some registrations late)"
"$bin" produce "$work/events.jsonl"
LOG_LEVEL=warning "$bin" worker --until-caught-up | tee "$work/worker.out"
dead_letters=$(sed -n 's/.* \([0-9][0-9]*\) dead letters$/\1/p' "$work/worker.out" | tail -1)

# The last evening of the month arrives live, through the webhook server, as GetCourse, the click
# tracker and the platform would send it: each request is answered only once Kafka has its event.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
PIPELINE_PROJECT_DEMO_SCHOOL_SALT=demo-salt PIPELINE_PROJECT_DEMO_SCHOOL_SECRET=demo-secret \
PIPELINE_PROJECT_DEMO_SCHOOL_ALLOWED_HOSTS=school.example LOG_LEVEL=warning \
    "$bin" ingest --port "$port" >"$work/ingest.log" 2>&1 &
ingest_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "== webhooks to the ingest server on port $port"
send() {
    local label=$1; shift
    echo "$label: HTTP $(curl -s -o "$work/answer" -w '%{http_code}' "$@") $(cat "$work/answer")"
}
# The click is stamped when it arrives (today): SPEC's 7-day burnout windows then end today, and the
# month's scripted creatives keep their statuses either way (Sources/DemoData/DemoSchool+CreativeStories.swift).
send "click on ad 15501        " "http://127.0.0.1:$port/c/demo-school/webinar?url=https%3A%2F%2Fschool.example%2Fwebinar&utm_source=yandex&utm_campaign=71230001&utm_content=15501&yclid=5550001"
send "registration (GetCourse) " -X POST "http://127.0.0.1:$port/gc/demo-school/user?secret=demo-secret&user_id=live-1&email=Live%40Example.com&funnel=webinar&utm_source=yandex&utm_campaign=71230001&utm_content=15501&created_at=${to_day}+20%3A05%3A00"
send "order paid (GetCourse)   " -X POST "http://127.0.0.1:$port/gc/demo-school/order?secret=demo-secret&order_id=live-order-1&user_id=live-1&status=payed&cost_money_value=14900&currency=RUB&product=course-basic&positions=standard&manager_id=m-anna&manager_name=Anna+Smirnova&tags=launch%3A$launch&created_at=${to_day}+20%3A10%3A00&updated_at=${to_day}+20%3A12%3A00"
send "payment (GetCourse)      " -X POST "http://127.0.0.1:$port/gc/demo-school/payment?secret=demo-secret&payment_id=live-pay-1&order_id=live-order-1&user_id=live-1&amount=14900&currency=RUB&status=accepted&created_at=${to_day}+20%3A12%3A00"
send "the same payment, retried" -X POST "http://127.0.0.1:$port/gc/demo-school/payment?secret=demo-secret&payment_id=live-pay-1&order_id=live-order-1&user_id=live-1&amount=14900&currency=RUB&status=accepted&created_at=${to_day}+20%3A12%3A00"
send "a wrong secret           " -X POST "http://127.0.0.1:$port/gc/demo-school/payment?secret=guess&payment_id=x&order_id=y&user_id=z&amount=1&status=accepted"
send "a bad amount             " -X POST "http://127.0.0.1:$port/gc/demo-school/order?secret=demo-secret&order_id=o&user_id=u&status=new&cost_money_value=abc&created_at=${to_day}+20%3A00%3A00"
LOG_LEVEL=warning "$bin" worker --until-caught-up

psql "$DATABASE_URL" -X -q -P pager=off -v ON_ERROR_STOP=1 -v project=demo-school \
    -v from_day="$from_day" -v to_day="$to_day" -v dead_letters="${dead_letters:-unknown}" -f ops/demo-summary.sql

# The month as a page a school's owner would open (self-contained HTML, charts in SVG), and the
# digest its chat would get for the month's last day. Both outlive the demo's scratch folder.
out=${PIPELINE_DEMO_OUTPUT:-/tmp/pipeline-demo-output}
mkdir -p "$out"
"$bin" report --project demo-school --from "$from_day" --to "$to_day" --output "$out/report.html" >/dev/null
echo
echo "== Daily digest for $to_day (pipeline digest --dry-run; without it, it goes to Telegram)"
"$bin" digest --project demo-school --date "$to_day" --dry-run | tee "$out/digest.txt"

echo
echo "== Where to look (the demo took $(( $(date +%s) - started )) s)"
echo "   report:  $out/report.html (open it in a browser)"
echo "   digest:  $out/digest.txt (printed above)"
echo "   views:   DATABASE_URL=$DATABASE_URL"
echo "            psql \"\$DATABASE_URL\" -c \"SELECT ad_id, status FROM bi.creative_burnout WHERE project = 'demo-school'\""
echo "            bi.overview_daily, bi.funnel_daily, bi.traffic_report, bi.traffic_summary(project, from, to),"
echo "            bi.creative_daily, bi.creative_burnout, bi.cohorts_monthly, bi.managers_daily, bi.managers,"
echo "            bi.mail_daily, bi.mail_letters, bi.chat_daily, bi.community_conversion, bi.products_daily,"
echo "            bi.order_tags_daily, bi.deal_funnel_daily, bi.attribution_compare(project, from, to), bi.ads,"
echo "            bi.learning_daily, bi.course_progress, bi.webinar_conversion, bi.retention_monthly, bi.repeat_purchases"
if [ "${PIPELINE_DEMO_KEEP:-}" = 1 ]; then
    echo "   the PostgreSQL keeps running; stop it with: ops/postgres-throwaway.sh stop $work/pg"
else
    echo "   the PostgreSQL stops now; run with PIPELINE_DEMO_KEEP=1 to keep it for psql"
fi

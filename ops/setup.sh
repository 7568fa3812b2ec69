#!/usr/bin/env bash
# Installs what this repository needs on a fresh Debian machine with Swift, then builds.
# Idempotent: a machine that has everything only builds.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# chromium renders the HTML report in its test; wrk loads the ingest server in the benchmark;
# prometheus brings promtool, which checks the alert rules and runs their unit tests.
for package in librdkafka-dev libpq-dev postgresql tzdata kcat docker-compose chromium fonts-dejavu-core wrk prometheus; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The schema tests check our JSON Schemas with the reference Python validator; schemathesis
# fuzzes the ingest server from its OpenAPI file; the benchmark's Python baseline consumer
# uses confluent-kafka and psycopg.
python3 -c 'import jsonschema, rfc3339_validator, yaml, schemathesis, confluent_kafka, psycopg' 2>/dev/null \
    || python3 -m pip install --quiet jsonschema rfc3339-validator pyyaml schemathesis confluent-kafka 'psycopg[binary]'

swift build "$@"

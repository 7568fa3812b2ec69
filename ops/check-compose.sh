#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: the file parses (`docker-compose config -q`)
# and every service that runs the pipeline image runs a real `pipeline` subcommand.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PIPELINE_BIN:-$(swift build --show-bin-path)/pipeline}
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-check-only} DEMO_SCHOOL_SALT=${DEMO_SCHOOL_SALT:-check-only} DEMO_SCHOOL_SECRET=${DEMO_SCHOOL_SECRET:-check-only}
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml config | python3 -c '
import sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
for name, service in sorted(services.items()):
    if "build" in service and "command" in service:
        print(name, service["command"][0])
' | while read -r service subcommand; do
    "$bin" "$subcommand" --help >/dev/null 2>&1 \
        || { echo "check-compose: service $service runs 'pipeline $subcommand', which is not a subcommand" >&2; exit 1; }
    echo "check-compose: $service → pipeline $subcommand"
done

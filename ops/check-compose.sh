#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine:
# - the file parses (`docker-compose config -q`) with the variables of .env.example, so that
#   .env.example names every variable the stack requires;
# - every service that runs the pipeline image runs a real `pipeline` subcommand, with options
#   that subcommand lists in its --help;
# - Prometheus scrapes every long-running role on the port it serves /metrics on;
# - every file or folder a service mounts from the repository exists;
# - with promtool installed, Prometheus' configuration and alert rules pass `promtool check`, and
#   the alerts' unit tests (ops/prometheus/alerts.test.yml) pass.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PIPELINE_BIN:-$(swift build --show-bin-path)/pipeline}
compose=(docker-compose --env-file .env.example -f docker-compose.yml)
"${compose[@]}" config -q
resolved=$(mktemp)
trap 'rm -f "$resolved"' EXIT
"${compose[@]}" config >"$resolved"

# One line per pipeline service: name, subcommand, then its options.
python3 - "$resolved" <<'PY' | while read -r service subcommand options; do
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
for name, service in sorted(services.items()):
    if "build" in service and "command" in service:
        command = service["command"]
        options = [word.split("=")[0] for word in command[1:] if word.startswith("--")]
        # The words before the first option: a subcommand, perhaps nested (`access grant`), then arguments.
        words = []
        for word in command:
            if word.startswith("--"):
                break
            words.append(word)
        print(name, "+".join(words), " ".join(options))
PY
    # An unknown subcommand with --help prints its parent's help and exits 0: look for its own USAGE
    # line, word by word, so that `access grant ROLE` is the subcommand `access grant` and an argument.
    subcommand_path=""
    for word in ${subcommand//+/ }; do
        candidate="${subcommand_path:+$subcommand_path }$word"
        # shellcheck disable=SC2086
        help=$("$bin" $candidate --help 2>&1 || true)
        grep -Eq "^USAGE: pipeline $candidate( |\$)" <<<"$help" || break
        subcommand_path=$candidate
    done
    subcommand=${subcommand%%+*}
    if [ -z "$subcommand_path" ]; then
        echo "check-compose: service $service runs 'pipeline $subcommand', which is not a subcommand" >&2
        exit 1
    fi
    subcommand=$subcommand_path
    # shellcheck disable=SC2086
    help=$("$bin" $subcommand --help 2>&1 || true)
    for option in $options; do
        grep -Eq -- "(^|[[ ])$option( |]|$)" <<<"$help" \
            || { echo "check-compose: service $service passes $option, which 'pipeline $subcommand' does not take" >&2; exit 1; }
    done
    echo "check-compose: $service → pipeline $subcommand ${options}"
done

python3 - "$resolved" ops/prometheus/prometheus.yml <<'PY'
import os, sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
scrape = yaml.safe_load(open(sys.argv[2]))["scrape_configs"]
targets = set()
for job in scrape:
    for static in job.get("static_configs", []):
        targets.update(static["targets"])
    for dns in job.get("dns_sd_configs", []):
        targets.update(f"{name}:{dns['port']}" for name in dns["names"])
failed = False
for name, service in sorted(services.items()):
    command = service.get("command") or []
    if "build" not in service or service.get("restart") == "no":
        continue
    # The port a role serves /metrics on: its --metrics-port, or the ingest server's own --port.
    port = None
    for flag in ("--metrics-port", "--port"):
        if flag in command:
            port = command[command.index(flag) + 1]
            break
    if port is None:
        print(f"check-compose: long-running service {name} serves no /metrics port", file=sys.stderr)
        failed = True
    elif f"{name}:{port}" not in targets:
        print(f"check-compose: Prometheus does not scrape {name}:{port} (ops/prometheus/prometheus.yml)", file=sys.stderr)
        failed = True
    else:
        print(f"check-compose: Prometheus scrapes {name}:{port}")
for name, service in sorted(services.items()):
    for volume in service.get("volumes", []):
        source = volume.get("source") if isinstance(volume, dict) else volume.split(":")[0]
        if volume.get("type") == "bind" if isinstance(volume, dict) else source.startswith(("/", ".")):
            if not os.path.exists(source):
                print(f"check-compose: service {name} mounts {source}, which does not exist", file=sys.stderr)
                failed = True
sys.exit(1 if failed else 0)
PY

if command -v promtool >/dev/null; then
    # The rule file's path inside the container is /etc/prometheus; check a copy that points here.
    checked=$(mktemp -d)
    sed "s#/etc/prometheus/#$PWD/ops/prometheus/#" ops/prometheus/prometheus.yml >"$checked/prometheus.yml"
    promtool check config --syntax-only "$checked/prometheus.yml" >/dev/null
    promtool check rules ops/prometheus/alerts.yml >/dev/null
    rm -rf "$checked"
    # Each alert fires on the series that should fire it (ops/prometheus/alerts.test.yml).
    promtool test rules ops/prometheus/alerts.test.yml >/dev/null
    echo "check-compose: promtool accepts prometheus.yml and alerts.yml, and the alert unit tests pass"
else
    echo "check-compose: promtool not installed: alert rules are checked by OpsTests only"
fi

#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test tier: pure unit tests,
# Kafka against librdkafka's mock cluster, PostgreSQL and end to end against a real
# throwaway server that the tests start themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/setup.sh --build-tests
# The production-shaped stack cannot run here (no Docker engine), but its file is checked.
ops/check-compose.sh
swift test --skip-build "$@"

#!/usr/bin/env bash
# The long form of the chaos suite, for releases: every scenario of Tests/ChaosTests/ChaosTests.swift
# with more faults and more events than CI runs, then the whole table.
#   ops/chaos.sh                     20 kills, 50,000 events per scenario, scenarios one after another
#   CHAOS_KILLS=8 CHAOS_EVENTS=10000 CHAOS_PARALLEL=1 ops/chaos.sh
# Knobs (read by the tests; CI uses the defaults in brackets): CHAOS_KILLS [5], CHAOS_EVENTS [1500],
# CHAOS_DB_RESTARTS [2], CHAOS_ERROR_ROUNDS [2], CHAOS_OUTAGE_SECONDS [30], CHAOS_SEED [2026].
set -euo pipefail
cd "$(dirname "$0")/.."

export CHAOS_KILLS=${CHAOS_KILLS:-20}
export CHAOS_EVENTS=${CHAOS_EVENTS:-50000}
export CHAOS_DB_RESTARTS=${CHAOS_DB_RESTARTS:-5}
export CHAOS_ERROR_ROUNDS=${CHAOS_ERROR_ROUNDS:-5}
export CHAOS_OUTAGE_SECONDS=${CHAOS_OUTAGE_SECONDS:-30}
export CHAOS_SEED=${CHAOS_SEED:-$(date +%s)}
report=$(mktemp /tmp/chaos-report.XXXXXX)
export CHAOS_REPORT=$report
trap 'rm -f "$report"' EXIT

swift build --build-tests
parallel=(--no-parallel)
[ "${CHAOS_PARALLEL:-0}" = 1 ] && parallel=()
status=0
swift test --skip-build "${parallel[@]}" --filter 'ChaosTests\.ChaosTests/' || status=$?

echo
echo "chaos run: seed $CHAOS_SEED, $CHAOS_KILLS kills, $CHAOS_EVENTS events per scenario, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| scenario | events delivered / distinct | faults injected | lost | double-counted | view differences | recovery (s) |"
echo "|---|---|---|---|---|---|---|"
sort "$report"
[ "$status" = 0 ] && echo "all scenarios exact" || echo "FAILED: see the test output above (replay with CHAOS_SEED=$CHAOS_SEED)"
exit "$status"

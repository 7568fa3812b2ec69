#!/usr/bin/env bash
# Schema-driven fuzzing of a running `pipeline ingest`: validates schemas/openapi.yaml, then lets
# schemathesis generate requests for every operation from it and fails on any 5xx but the documented 503.
#
#   ops/fuzz/ingest-schemathesis.sh http://127.0.0.1:8080 [extra schemathesis options]
#
# Environment: FUZZ_PROJECT (a configured project), FUZZ_SECRET, FUZZ_TELEGRAM_SECRET (its credentials),
# FUZZ_EXAMPLES (examples per operation, default 20), FUZZ_SEED (default 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
url=${1:?usage: $0 BASE_URL [schemathesis options]}
shift
export FUZZ_PROJECT=${FUZZ_PROJECT:-fuzz} FUZZ_SECRET=${FUZZ_SECRET:-} FUZZ_TELEGRAM_SECRET=${FUZZ_TELEGRAM_SECRET:-}
openapi-spec-validator "$root/schemas/openapi.yaml"
# schemathesis keeps a cache in its working directory: a throwaway one keeps the repository clean.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
schemathesis --no-color --config-file "$root/ops/fuzz/schemathesis.toml" run "$root/schemas/openapi.yaml" \
    --url "$url" \
    --checks not_a_server_error \
    --phases examples,fuzzing \
    --max-examples "${FUZZ_EXAMPLES:-20}" \
    --seed "${FUZZ_SEED:-1}" \
    --workers 2 \
    --request-timeout 10 \
    "$@"

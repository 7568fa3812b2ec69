#!/usr/bin/env bash
# Coverage-guided fuzzing of Event.decode(json:) with libFuzzer and AddressSanitizer, seeded with the
# envelope samples. Bounded by time (default 60 s); a crash leaves its input as crash-* in the work directory.
#
#   ops/fuzz/libfuzzer-envelope.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
work=${FUZZ_WORK_DIR:-$(mktemp -d)}
mkdir -p "$work/corpus"
cp Tests/EventsTests/Samples/valid/*.json "$work/corpus/"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Events \
    Sources/Events/*.swift ops/fuzz/EnvelopeFuzzer.swift -o "$work/envelope-fuzzer"
cd "$work"
./envelope-fuzzer -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 corpus
echo "libfuzzer envelope: no crash in ${seconds}s (work directory $work)"

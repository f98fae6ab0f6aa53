#!/bin/sh
# make check: every suite in turn (unit, end-to-end, quality floors, export
# consumers, the sanitizer build), then one closing line over all of them:
# "check: N passed, N failed" (N = suites).
B=${1:-build}
pass=0; fail=0
suite() {
    name=$1; shift
    echo "=== $name"
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "=== $name FAILED"; fi
}
suite gazetteers scripts/check-gazetteers
suite unit tests/run-unit.sh "$B"
suite e2e tests/e2e.sh "$B"
suite quality tests/quality.sh "$B"
[ -x tests/consumers.sh ] && suite consumers tests/consumers.sh "$B"
suite sanitizers make --no-print-directory test-asan
suite fuzz-replay make --no-print-directory test-fuzz-replay
suite faults tests/faults.sh
suite robust tests/robust.sh "$B"
suite valgrind tests/valgrind.sh "$B"
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/fuzz/replay.sh BUILD TARGET... — runs each replay program
# (BUILD/fuzz/fuzz_TARGET, built with replay_main.c and the sanitizers) on
# every file of its seed corpus tests/fuzz/corpus/TARGET. Prints one line
# per target and a closing "fuzz-replay: N passed, N failed" line.
B=${1:-build-fuzz-replay}; shift
pass=0; fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# third-party leaks of Graphviz svg/png rendering (see the file)
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for t in "$@"; do
    out=$("$B/fuzz/fuzz_$t" "tests/fuzz/corpus/$t" 2>&1); rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "ok   $t: $(printf '%s\n' "$out" | grep '^replay' | sed 's/.*: //')"
    else
        fail=$((fail + 1)); echo "FAIL $t (exit $rc)"
        printf '%s\n' "$out" | grep -E -A12 'ERROR|runtime error|fuzz check failed' | head -40
        echo "  (rerun one input: REPLAY_VERBOSE=1 $B/fuzz/fuzz_$t FILE)"
    fi
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS JOBS TARGET... — runs each libFuzzer target
# (BUILD/fuzz/fuzz_TARGET) for SECONDS on its seed corpus, JOBS at a time.
# New inputs go to BUILD/corpus/TARGET (scratch, never the repository),
# crashes to BUILD/crash-TARGET-*, the log to BUILD/logs/TARGET.log.
# Prints each target's final executions and coverage (cov:, ft:) and a
# closing "fuzz: N passed, N failed" line; exits 1 if a target failed.
# Options for libFuzzer can be added with FUZZ_FLAGS="-max_len=8192 ...".
B=$1; S=$2; J=$3; shift 3
mkdir -p "$B/logs"
# third-party leaks of Graphviz svg/png rendering (see the file)
export LSAN_OPTIONS="suppressions=$(pwd)/tests/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
one() {
    t=$1
    mkdir -p "$B/corpus/$t"
    dict=
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    # -timeout: one input taking longer is a bug (every stage is meant to be
    # linear or bounded by PCRE2's limits); -rss_limit_mb: leaks and blow-ups
    "$B/fuzz/fuzz_$t" "$B/corpus/$t" "tests/fuzz/corpus/$t" $dict \
        -max_total_time="$S" -timeout=30 -rss_limit_mb=3072 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$B/crash-$t-" $FUZZ_FLAGS > "$B/logs/$t.log" 2>&1
    echo $? > "$B/logs/$t.rc"
}
if [ "$J" -gt 1 ] 2>/dev/null; then
    running=0
    for t in "$@"; do
        one "$t" &
        running=$((running + 1))
        if [ $running -ge "$J" ]; then wait; running=0; fi
    done
    wait
else
    for t in "$@"; do one "$t"; done
fi
pass=0; fail=0
for t in "$@"; do
    rc=$(cat "$B/logs/$t.rc" 2>/dev/null || echo 1)
    last=$(grep -E '^#[0-9]+' "$B/logs/$t.log" | tail -1)
    runs=$(grep -E '^stat::number_of_executed_units' "$B/logs/$t.log" | awk '{print $2}')
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1)); echo "ok   $t: ${runs:-?} runs; $last"
    else
        fail=$((fail + 1)); echo "FAIL $t (exit $rc): see $B/logs/$t.log"
        grep -E 'ERROR|runtime error|fuzz check failed|Test unit written' "$B/logs/$t.log" | head -5
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# Runs every unit-test binary in BUILD/tests; prints each failure's TAP
# lines and a closing "N passed, N failed" over all checks.
B=${1:-build}
pass=0; fail=0; bad=0
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    pass=$((pass + p)); fail=$((fail + f))
    if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
        bad=1
        echo "FAIL $(basename "$t") (exit $rc)"
        printf '%s\n' "$out" | grep -A3 -E '^not ok|ERROR|runtime error' | head -40
        [ "$f" -eq 0 ] && fail=$((fail + 1))
    else
        echo "ok   $(basename "$t") ($p checks)"
    fi
done
echo "unit: $pass passed, $fail failed"
exit $bad

#!/bin/sh
# tests/valgrind.sh BUILD — the unit tests and one run of the command line
# on corpus/seeds (bundled gazetteers and rules, two threads, every output
# but png) under valgrind --leak-check=full. A memory error or a definite
# leak fails. Third-party leaks of Graphviz's svg rendering are suppressed
# (tests/valgrind.supp). Prints one line per program and a closing
# "valgrind: N passed, N failed" line. Slow (minutes): not part of make check.
B=${1:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
command -v valgrind > /dev/null || { echo "valgrind: not installed"; exit 1; }
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --error-exitcode=99 --suppressions=tests/valgrind.supp"
pass=0; fail=0
vg() { # name command...
    name=$1; shift
    start=$(date +%s)
    $VG --log-file="$T/$name.log" "$@" > "$T/$name.out" 2>&1; rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 99 ] || [ -s "$T/$name.log" ]; then
        fail=$((fail + 1)); echo "FAIL $name (exit $rc, $secs s)"; head -40 "$T/$name.log"
    elif [ $rc -ne 0 ]; then
        fail=$((fail + 1)); echo "FAIL $name (exit $rc, $secs s)"; tail -5 "$T/$name.out"
    else
        pass=$((pass + 1)); echo "ok   $name ($secs s)"
    fi
}
for t in "$B"/tests/test_*; do
    [ -x "$t" ] && vg "$(basename "$t")" "$t"
done
vg entgraph-seeds "$B/entgraph" -q -j2 -f dot,graphml,json,gexf,csv,svg --mentions "$T/m.jsonl" \
    --explain "$T/explain.txt" -o "$T/out" corpus/seeds
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

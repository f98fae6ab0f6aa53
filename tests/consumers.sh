#!/bin/sh
# consumers.sh [BUILD_DIR] — reads entgraph's output with the tools people use
# on it (tests/consumers.py: networkx, igraph, graphology, Graphviz, xmllint,
# the csv module, the JSON schema) and checks that every format agrees.
#
# Outputs checked:
#   1. the writer test's hand-made view with hostile labels
#      (BUILD/tests/test_writers --write-to DIR), the same for an empty
#      graph, a made-up 200-node graph, and three graphs of random hostile
#      labels (a property test: each label must survive every format);
#   2. the sample corpus, when BUILD/entgraph exists:
#      BUILD/entgraph -q -o DIR -f dot,graphml,json,gexf,csv,svg corpus/seeds
# graphology's modules are installed into tests/consumers-js/node_modules
# with npm ci when node and npm are there (skipped, not failed, otherwise).
# Ends with "consumers: N passed, N failed"; exits 1 when a check failed.
set -u
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consumers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

note_fail() { # one failed check of this script's own
    echo "not ok - $1"
    fail=$((fail + 1))
}

# Runs consumers.py on $1 and adds its counts to the totals.
consume() {
    out=$("$PY" tests/consumers.py "$1" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    last=$(printf '%s\n' "$out" | sed -n 's/^consumers\.py: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -1)
    if [ -z "$last" ]; then
        note_fail "consumers.py $1 ended without a summary (exit $rc)"
        return
    fi
    set -- $last
    pass=$((pass + $1))
    fail=$((fail + $2))
    [ "$rc" -eq 0 ] || [ "$2" -gt 0 ] || note_fail "consumers.py exited $rc"
}

# graphology for node
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ ! -d tests/consumers-js/node_modules/graphology ]; then
        echo "# npm ci in tests/consumers-js"
        (cd tests/consumers-js && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
            echo "# npm ci failed: the graphology checks will be skipped"
    fi
else
    echo "# node or npm missing: the graphology checks will be skipped"
fi

# 1. the writer test's views
T="$B/tests/test_writers"
if [ ! -x "$T" ]; then
    make --no-print-directory BUILD="$B" "$T" >"$tmp/make.log" 2>&1 || {
        tail -20 "$tmp/make.log"
    }
fi
if [ -x "$T" ]; then
    for view in write-to write-empty-to write-big-to "write-random-to 1" "write-random-to 2" \
        "write-random-to 3"; do
        d="$tmp/$(echo "$view" | tr ' ' '-')"
        mkdir -p "$d"
        set -- $view
        if "$T" --"$1" "$d" ${2:+"$2"}; then
            consume "$d"
        else
            note_fail "$T --$view"
        fi
    done
else
    note_fail "build $T"
fi

# 2. the sample corpus through the whole program
if [ -x "$B/entgraph" ]; then
    d="$tmp/corpus"
    mkdir -p "$d"
    if "$B/entgraph" -q -o "$d" -f dot,graphml,json,gexf,csv,svg corpus/seeds >"$tmp/entgraph.log" 2>&1; then
        consume "$d"
    else
        tail -5 "$tmp/entgraph.log"
        note_fail "$B/entgraph -q -o DIR -f dot,graphml,json,gexf,csv,svg corpus/seeds"
    fi
else
    echo "# $B/entgraph not built: the corpus output is not checked"
fi

echo "consumers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

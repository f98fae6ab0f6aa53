#!/bin/sh
# make bench: throughput and memory, not a test. Prints, for generated
# corpora of 50, 100 and 200 MB (BENCH_SIZES to change; BENCH_1GB=1 adds
# 1024 MB for the memory figure): entgraph end to end with the bundled
# gazetteers and rules and all three default writers, at 1 thread and at all
# cores (MB/s, documents/s, peak resident memory, nodes and edges), and the
# peer on the same corpus and dictionary: a pyahocorasick scan with every
# gazetteer alias. Then the gazetteer matcher with 1,000 and 1,000,000
# aliases. Each timing is the best of BENCH_RUNS runs (default 3).
B=${1:-build}
SIZES=${BENCH_SIZES:-50 100 200}
[ "${BENCH_1GB:-0}" = 1 ] && SIZES="$SIZES 1024"
RUNS=${BENCH_RUNS:-3}
CACHE=${BENCH_CACHE:-/tmp/entgraph-bench}
NCPU=$(nproc)
mkdir -p "$CACHE"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

best() { # best of RUNS: prints "seconds peakKB" of the fastest run
    bs=""; bm=0
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$T/time" "$@" > "$T/out" 2> "$T/err" || { cat "$T/err" >&2; return 1; }
        read -r s m < "$T/time"
        if [ -z "$bs" ] || python3 -c "import sys; sys.exit(0 if $s < $bs else 1)"; then bs=$s; fi
        [ "$m" -gt "$bm" ] && bm=$m
        i=$((i + 1))
    done
    echo "$bs $bm"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "entgraph $($B/entgraph --version | cut -d' ' -f2), $(/usr/bin/python3 -c 'import ahocorasick; print("pyahocorasick (Debian python3-ahocorasick)")')"
printf '\n%-6s %-22s %9s %9s %10s %8s %8s\n' "MB" "run" "MB/s" "docs/s" "peak MB" "nodes" "edges"
for mb in $SIZES; do
    dir="$CACHE/c$mb"
    [ -d "$dir" ] || python3 bench/make-corpus.py --mb "$mb" --out "$dir" > /dev/null
    bytes=$(find "$dir" -type f -printf "%s\n" | awk '{s += $1} END {print s}')
    docs=$(ls "$dir" | wc -l)
    for j in 1 "$NCPU"; do
        r=$(best "$B/entgraph" -j "$j" -o "$T/out$j" "$dir") || exit 1
        set -- $r
        summary=$(grep 'entities' "$T/err")
        nodes=$(echo "$summary" | sed 's/.* \([0-9]*\) entities.*/\1/')
        edges=$(echo "$summary" | sed 's/.* \([0-9]*\) links.*/\1/')
        python3 -c "print('%-6s %-22s %9.1f %9.0f %10.0f %8s %8s' % ('$mb', 'entgraph -j$j', $bytes/1e6/$1, $docs/$1, $2/1024, '$nodes', '$edges'))"
    done
    r=$(best /usr/bin/python3 bench/peer_aho.py gazetteers "$dir") || exit 1
    set -- $r
    python3 -c "print('%-6s %-22s %9.1f %9.0f %10.0f %8s %8s' % ('$mb', 'pyahocorasick scan', $bytes/1e6/$1, $docs/$1, $2/1024, '-', '-'))"
    sed 's/^/       peer: /' "$T/out"
done

echo
echo "gazetteer matcher (text layer + trie) on a 20 MB corpus, best of $RUNS:"
[ -f "$CACHE/single20.txt" ] || python3 bench/make-corpus.py --mb 20 --single "$CACHE/single20.txt" > /dev/null
for n in 1000 1000000; do
    bestline=""; bestv=0
    i=0
    while [ $i -lt "$RUNS" ]; do
        line=$("$B/gazbench" "$n" bench/pool/names.txt "$CACHE/single20.txt")
        v=$(echo "$line" | sed 's/.*text+match \([0-9.]*\) MB.*/\1/')
        if python3 -c "import sys; sys.exit(0 if $v > $bestv else 1)"; then bestv=$v; bestline=$line; fi
        i=$((i + 1))
    done
    echo "  $bestline"
done

# Per-stage figures (text layer, gazetteer, rules, resolver) when the stage
# benchmark is built (bench/stagebench.c; `make BUILD=... $B/stagebench`).
if [ -x "$B/stagebench" ] && [ -d "$CACHE/c50" ]; then
    echo
    echo "stages, one thread, on the 50 MB corpus ($RUNS passes):"
    "$B/stagebench" -n "$RUNS" "$CACHE/c50" | sed 's/^/  /'
fi

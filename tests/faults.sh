#!/bin/sh
# tests/faults.sh — allocation-failure test. Builds build-fault/entgraph
# with -DEG_FAULT_INJECT under AddressSanitizer (leaks) and UBSan, runs it
# once on a small corpus for reference, then again with EG_FAIL_ALLOC=N for
# every N = 1, 2, ... (the Nth library allocation, eg_malloc & co., fails)
# until the runs stop failing: five runs in a row that succeed mean the
# allocations are exhausted. The corpus is small on purpose (a tiny data
# directory, an extra gazetteer and rules file, two short documents):
# the bundled gazetteers alone make hundreds of thousands of allocations.
#
# Each run must either exit 1 with one line on stderr that says "out of
# memory", or succeed (exit 0) with exactly the reference outputs (a
# failure that was handled). Never a crash, a sanitizer report or a leak;
# never a temporary file left in the output directory; and every output
# file that is there must be complete (identical to the reference): the
# files are written under temporary names and renamed.
#
# Three sweeps: with one worker thread (-j1), with two (-j2, so that the
# graphs are merged), and -j1 with other options (token windows, npmi,
# filters). Prints one line per problem, a line per
# sweep and a closing "faults: N allocation points, N failed cleanly, N
# failed badly" line. Environment:
# FAULT_STEP=K tests every Kth N only (quick look), FAULT_KEEP=1 keeps the
# scratch directory.
B=build-fault
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
make --no-print-directory BUILD=$B OPT="-O1 -g" SAN="$SAN" CFLAGS=-DEG_FAULT_INJECT $B/entgraph > /dev/null ||
    { echo "faults: cannot build $B/entgraph"; exit 1; }
E=$B/entgraph
T=$(mktemp -d)
[ -n "$FAULT_KEEP" ] && echo "faults: scratch in $T" || trap 'rm -rf "$T"' EXIT
STEP=${FAULT_STEP:-1}

# --- the small corpus
mkdir -p "$T/data" "$T/in"
cat > "$T/data/small.tsv" <<'G'
# a tiny gazetteer
iran	PLACE	Iran	Islamic Republic of Iran | Persia	prio=10
albania	PLACE	Albania	Republic of Albania	prio=10
tirana	PLACE	Tirana		prio=5
paris	PLACE	Paris		prio=5 ctx
ncri	ORG	National Council of Resistance of Iran	NCRI
who	ORG	World Health Organization	=WHO
maryam-rajavi	PERSON	Maryam Rajavi	Mrs. Rajavi | Rajavi
massoud-rajavi	PERSON	Massoud Rajavi	Rajavi
G
cat > "$T/data/small.rules" <<'R'
# one PERSON rule, one ORG rule
@define HEAD	(?:Council|Party|Agency)
title-name	PERSON	0	n	on(president|minister),cap(n)	(?i:President|Minister)\h+(?<n>@CAP(?:\h+@CAP){0,2}+)@E
org-head	ORG	0	0	before(%HEAD),strip,minwords(2),cap	@B@CAP(?:\h+@CAP)*+@E
R
printf 'Maryam\nMassoud\nJohn\n' > "$T/data/given-names.txt"
printf 'Rajavi\nSmith\n' > "$T/data/surnames.txt"
printf 'the\nsaid\nin\nmet\n' > "$T/data/common-words.txt"
printf 'ngo\tORG\tWatch Group\tWG\n' > "$T/extra.tsv"
printf 'camp\tPLACE\t0\t0\ton(camp)\t@{B}Camp\\h+@CAP@E\n' > "$T/extra.rules"
cat > "$T/in/a.txt" <<'D'
Maryam Rajavi met President John Smith in Tirana, Albania, on Monday.
The National Council of Resistance of Iran (NCRI) said the Green Party and Watch Group (WG) agreed.
Rajavi later flew to Paris. Mrs. Rajavi and the NCRI visited Camp Ashraf.
D
printf 'Smith spoke at the Green Party in Iran.\n\377 Camp Liberty, WHO and the WG. Persia\n' > "$T/in/b.txt"

BASE="-q --data-dir $T/data -g $T/extra.tsv -r $T/extra.rules -f dot,graphml,json,gexf,csv"
ARGS="$BASE --evidence 2"
JOBS=1
run() { # N dir
    mkdir -p "$2"
    EG_FAIL_ALLOC=$1 ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:exitcode=86 \
        "$E" $ARGS -j$JOBS -o "$2/out" --mentions "$2/out/mentions.jsonl" --explain "$2/out/explain.txt" \
        "$T/in/a.txt" "$T/in/b.txt" > "$2/stdout" 2> "$2/stderr"
}
reference() {
    rm -rf "$T/ref"
    run 0 "$T/ref"; rc=$?
    if [ $rc -ne 0 ] || [ -s "$T/ref/stderr" ]; then
        echo "faults: the reference run failed (exit $rc):"; cat "$T/ref/stderr"; exit 1
    fi
    nref=$(ls "$T/ref/out" | wc -l)
}

sweep() {
    n=0; ok=0; quiet=0; tested=0; handled=
    while [ $quiet -lt 5 ]; do
        n=$((n + STEP))
        d="$T/n$n"
        run $n "$d"; rc=$?
        tested=$((tested + 1))
        why=
        if grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error|Segmentation|Aborted' "$d/stderr"; then
            why="sanitizer report"
        elif [ $rc -eq 0 ]; then
            [ -s "$d/stderr" ] && why="exit 0 with a message"
        elif [ $rc -eq 1 ]; then
            if [ "$(wc -l < "$d/stderr")" -ne 1 ] || ! grep -q 'out of memory' "$d/stderr"; then
                why="exit 1 without a one-line 'out of memory'"
            fi
        else
            why="exit $rc"
        fi
        if [ -z "$why" ] && ls -A "$d/out" 2>/dev/null | grep -q '^\.'; then
            why="temporary file left: $(ls -A "$d/out" | grep '^\.' | head -1)"
        fi
        if [ -z "$why" ] && [ -d "$d/out" ]; then
            for f in $(ls "$d/out"); do
                if ! cmp -s "$d/out/$f" "$T/ref/out/$f"; then why="$f differs from the reference"; break; fi
            done
        fi
        if [ -z "$why" ] && [ $rc -eq 0 ] && [ "$(ls "$d/out" | wc -l)" -ne "$nref" ]; then
            why="exit 0 but outputs missing"
        fi
        if [ -n "$why" ]; then
            bad=$((bad + 1)); quiet=0
            echo "FAIL -j$JOBS EG_FAIL_ALLOC=$n: $why (exit $rc)"
            grep -v '^$' "$d/stderr" | head -12 | sed 's/^/    /'
            [ -n "$FAULT_KEEP" ] || rm -rf "$d"
            continue
        fi
        if [ $rc -eq 0 ]; then
            quiet=$((quiet + 1)); handled="$handled $n"
        else
            quiet=0; ok=$((ok + 1))
        fi
        [ -n "$FAULT_KEEP" ] || rm -rf "$d"
    done
    points=$((n - 5 * STEP))
    # the successes before the last five: failures the library handled
    handled=$(echo $handled | tr ' ' '\n' | awk -v p=$points '$1 <= p' | tr '\n' ' ')
    if [ -n "$handled" ] && [ $JOBS -eq 1 ]; then
        echo "-j$JOBS: exit 0 with the same outputs (the failure was handled) at N = $handled"
    elif [ -n "$handled" ]; then # the count of allocations varies with thread timing
        echo "-j$JOBS: exit 0 with the same outputs (handled, or not reached) at $(echo $handled | wc -w) N"
    fi
    echo "-j$JOBS: $points allocation points ($tested runs, step $STEP), $ok failed cleanly"
    total=$((total + points)); clean=$((clean + ok))
}
bad=0; total=0; clean=0
# -j1: one worker, the Nth allocation is the same in every run;
# -j2: two workers and eg_graph_merge (which allocation is Nth varies;
# the outputs must still be those of -j1)
JOBS=1; reference; sweep
JOBS=2; sweep
# other paths: sliding token windows, npmi weights, top-N and type filters
ARGS="$BASE --window tokens:4 --weight npmi --top 4 --types PERSON,ORG,PLACE --no-ambiguous --fuzzy 0.6"
JOBS=1; reference; sweep
echo "faults: $total allocation points, $clean failed cleanly, $bad failed badly"
[ $bad -eq 0 ]

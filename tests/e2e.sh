#!/bin/sh
# End-to-end tests of the command line: the sample run, the output contract,
# bad inputs, determinism across thread counts, usage errors. Prints one
# line per check and a closing "e2e: N passed, N failed" line.
B=${1:-build}
E="$B/entgraph"
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0; fail=0
ok()   { echo "ok   $1"; pass=$((pass + 1)); }
bad()  { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# --- the sample corpus: outputs and the mention contract
"$E" -q -o "$T/out" --mentions "$T/m.jsonl" corpus/seeds; rc=$?
check "sample run exits 0" "[ $rc -eq 0 ]"
for f in graph.dot graph.graphml graph.json; do
    check "sample run writes $f" "[ -s '$T/out/$f' ]"
done
check "no temporary files left in the output directory" "[ -z \"\$(ls -A '$T/out' | grep '^\.')\" ]"
check "mentions are JSON lines with the contract's fields and true offsets" \
  "python3 - '$T/m.jsonl' <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding='utf-8'):
    r = json.loads(line)
    for k in ('doc', 'start', 'end', 'text', 'type', 'entity', 'label', 'source'):
        assert k in r, k
    assert r['type'] in ('PERSON', 'ORG', 'PLACE', 'EVENT')
    data = open(r['doc'], 'rb').read()
    assert data[r['start']:r['end']].decode('utf-8') == r['text'], r
    n += 1
assert n > 100, n
PY"

# --- determinism: -j1 and -j2 byte-identical, and two runs identical
"$E" -q -j1 -o "$T/j1" --mentions "$T/j1.jsonl" -f dot,graphml,json corpus/seeds
"$E" -q -j2 -o "$T/j2" --mentions "$T/j2.jsonl" -f dot,graphml,json corpus/seeds
for f in graph.dot graph.graphml graph.json; do
    check "-j1 and -j2 give the same $f" "cmp -s '$T/j1/$f' '$T/j2/$f'"
done
check "-j1 and -j2 give the same mentions" "cmp -s '$T/j1.jsonl' '$T/j2.jsonl'"

# --- partial graphs: two machines save, a third merges; same graph as one run
mkdir -p "$T/m1" "$T/m2"
cp corpus/seeds/000_*.txt corpus/seeds/001_*.txt "$T/m1/"
cp corpus/seeds/002_*.txt corpus/seeds/003_*.txt corpus/seeds/004_*.txt "$T/m2/"
"$E" -q -o "$T/all" "$T/m1" "$T/m2"
"$E" -q -o "$T/p1" --save-partial "$T/a.egp" "$T/m1"
"$E" -q -o "$T/p2" --save-partial "$T/b.egp" "$T/m2"
"$E" -q -o "$T/pm" --load-partial "$T/a.egp" --load-partial "$T/b.egp"; rc=$?
check "--load-partial with no PATH merges saved graphs" "[ $rc -eq 0 ]"
for f in graph.dot graph.graphml graph.json; do
    check "merged partial graphs give the same $f as one run" "cmp -s '$T/all/$f' '$T/pm/$f'"
done
"$E" -q -j1 -o "$T/s1" --explain "$T/s1.txt" --save-partial "$T/s1.egp" corpus/seeds
"$E" -q -j2 -o "$T/s2" --explain "$T/s2.txt" --save-partial "$T/s2.egp" corpus/seeds
check "--save-partial writes the same bytes at -j1 and -j2" "cmp -s '$T/s1.egp' '$T/s2.egp'"
head -c 100 "$T/a.egp" > "$T/bad.egp"
"$E" -q -o "$T/pb" --load-partial "$T/bad.egp" 2> "$T/pb.txt"; rc=$?
check "a damaged partial graph: exit 1, file and byte named" "[ $rc -eq 1 ] && grep -q 'bad.egp: byte [0-9]*: bad partial graph' '$T/pb.txt'"

# --- bad inputs: each named, the others still processed, exit 1
mkdir -p "$T/in"
cp corpus/seeds/001_d7fe4fa3b9f4b3af.txt "$T/in/good.txt"
: > "$T/in/empty.txt"
printf 'PK\003\004\000\000binary\000data' > "$T/in/binary.bin"
printf 'Maryam Rajavi met officials in Tirana, Albania.\n\377\376 bad bytes then Iran.\n' > "$T/in/badutf8.txt"
"$E" -o "$T/bad" --mentions "$T/bad.jsonl" "$T/in" "$T/missing.txt" 2> "$T/err.txt"; rc=$?
check "bad inputs: exit status 1" "[ $rc -eq 1 ]"
check "missing path named" "grep -q 'missing.txt: skipped: No such file' '$T/err.txt'"
check "empty file named" "grep -q 'empty.txt: skipped: empty file' '$T/err.txt'"
check "binary file named" "grep -q 'binary.bin: skipped: binary file' '$T/err.txt'"
check "invalid UTF-8 named with its byte offset" "grep -q 'badutf8.txt: invalid UTF-8 at byte 48' '$T/err.txt'"
check "every message is one line naming the file" "! grep -v -e '$T' -e 'entities' '$T/err.txt' | grep -q ."
check "the good file is still processed" "grep -q 'good.txt' '$T/bad.jsonl'"
check "the file with invalid UTF-8 is still processed" "grep -q 'badutf8.txt' '$T/bad.jsonl'"
check "graph written despite skipped inputs" "[ -s '$T/bad/graph.json' ]"
"$E" -q --strict -o "$T/strict" "$T/in" 2>/dev/null; rc=$?
check "--strict: exit 1 and no graph" "[ $rc -eq 1 ] && [ ! -e '$T/strict/graph.json' ]"

# --- standard input
printf 'Maryam Rajavi spoke in Paris.\n' | "$E" -q -o "$T/stdin" --mentions "$T/stdin.jsonl" -; rc=$?
check "- reads standard input" "[ $rc -eq 0 ] && grep -q '\"doc\": \"-\"' '$T/stdin.jsonl'"

# --- corpus-level merges: variants join, relatives and full names stay apart
printf 'donald-trump\tPERSON\tDonald Trump\tDonald Trump | Trump\n' > "$T/people.tsv"
mkdir -p "$T/merge"
printf 'Ivanka Trump spoke in Paris.\n' > "$T/merge/a.txt"
printf 'Donald Trump spoke in Paris. Trump left.\n' > "$T/merge/b.txt"
printf 'Mayor Rudi Guliani spoke. Later Mr. Rudy Giuliani came.\n' > "$T/merge/c.txt"
"$E" -q -g "$T/people.tsv" -o "$T/mo" --mentions "$T/merge.jsonl" --explain "$T/explain.txt" "$T/merge"
check "counter-case: Ivanka Trump does not join Donald Trump" \
  "grep '\"Ivanka Trump\"' '$T/merge.jsonl' | grep -q '\"entity\": \"ivanka-trump\"'"
check "a misspelt name joins its variant (Rudi Guliani → Rudy Giuliani)" \
  "grep '\"Rudi Guliani\"' '$T/merge.jsonl' | grep -q '\"entity\": \"rudy-giuliani\"'"
check "--explain names the merge and its reason" "grep -q 'merge.rudi-guliani.rudy-giuliani.spelling variant' '$T/explain.txt'"

# --- usage errors: exit 2, one line
"$E" --window nonsense corpus/seeds 2> "$T/u.txt"; rc=$?
check "bad option value: exit 2" "[ $rc -eq 2 ] && [ \$(wc -l < '$T/u.txt') -eq 1 ]"
"$E" 2>/dev/null; rc=$?
check "no input: exit 2" "[ $rc -eq 2 ]"
"$E" --bogus x 2>/dev/null; rc=$?
check "unknown option: exit 2" "[ $rc -eq 2 ]"
check "--version" "'$E' --version | grep -q '^entgraph '"
check "--help" "'$E' --help | grep -q -- '--mentions'"

# --- gazetteer errors name file and line
printf 'ok\tPLACE\tOkay\n\nbad\tTHING\tBad\n' > "$T/g.tsv"
"$E" -q -g "$T/g.tsv" -o "$T/g" corpus/seeds 2> "$T/g.txt"; rc=$?
check "bad gazetteer: exit 1 with file:line" "[ $rc -eq 1 ] && grep -q 'g.tsv:3: bad type' '$T/g.txt'"

# --- an output directory that cannot be written
mkdir -p "$T/ro"; chmod a-w "$T/ro"
if [ "$(id -u)" -ne 0 ]; then
    "$E" -q -o "$T/ro" corpus/seeds 2> "$T/ro.txt"; rc=$?
    check "read-only output directory: exit 1, named" "[ $rc -eq 1 ] && grep -q 'ro' '$T/ro.txt'"
fi
: > "$T/afile"
"$E" -q -o "$T/afile" corpus/seeds 2> "$T/nd.txt"; rc=$?
check "output path that is a file: exit 1" "[ $rc -eq 1 ] && grep -q 'afile' '$T/nd.txt'"

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

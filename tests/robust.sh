#!/bin/sh
# tests/robust.sh BUILD — bad inputs and bad conditions for the command line:
# invalid UTF-8, BOM, UTF-16, CRLF, NUL bytes and binary files, empty files,
# a 100 MB file with no newline, a 1 MB word, unreadable files, a directory
# with a symbolic-link loop, missing paths; gazetteers and rules with
# errors; writes that fail (ulimit -f) and runs that are interrupted
# (SIGINT, SIGTERM). The contract (README): each problem is one line on
# stderr naming the file, the other inputs are still processed, exit status
# 1 (--strict: nothing is written); a failed or interrupted run leaves the
# previous outputs as they were and no temporary file.
# Prints one line per check and a closing "robust: N passed, N failed".
# ROBUST_BIG_MB sets the size of the long-line file (default 100).
B=${1:-build}
E="$B/entgraph"
T=$(mktemp -d)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0; fail=0
ok()    { echo "ok   $1"; pass=$((pass + 1)); }
bad()   { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
note()  { echo "note $1"; }
# no temporary (dot) file in a directory
no_tmp() { [ -z "$(ls -A "$1" 2>/dev/null | grep '^\.')" ]; }
# every line of a file names the file given (or is the closing summary)
one_line_each() { ! grep -v -e "$2" -e ' entities, ' "$1" | grep -q .; }

if [ ! -x "$E" ]; then echo "robust: $E not built"; exit 1; fi
SMALL="$T/small.tsv"
printf 'iran\tPLACE\tIran\t\tprio=10\nalbania\tPLACE\tAlbania\nparis\tPLACE\tParis\nmaryam-rajavi\tPERSON\tMaryam Rajavi\tRajavi\nncri\tORG\tNational Council of Resistance of Iran\tNCRI\n' > "$SMALL"
G="--no-default-gazetteers -g $SMALL"

# --- 1. bad inputs in one run: each named, the others still processed
I="$T/in"
mkdir -p "$I/sub/deeper"
S='Maryam Rajavi met officials in Tirana, Albania, and spoke in Paris about Iran.'
printf '%s\n' "$S" > "$I/good.txt"
printf '%s\n\377\376 bad bytes, then Iran and \300\257 Albania.\n' "$S" > "$I/badutf8.txt"
printf '\357\273\277%s\n' "$S" > "$I/bom.txt"
python3 -c "import sys; sys.stdout.buffer.write(('\ufeff' + sys.argv[1] + '\n').encode('utf-16-le'))" "$S" > "$I/utf16le.txt"
python3 -c "import sys; sys.stdout.buffer.write(('\ufeff' + sys.argv[1] + '\n').encode('utf-16-be'))" "$S" > "$I/utf16be.txt"
printf 'Maryam Rajavi met officials in Tirana.\r\nThe NCRI spoke in Paris.\r\n\r\nIran said no.\r\n' > "$I/crlf.txt"
printf 'Maryam Rajavi\000 in Paris.\n' > "$I/nul.txt"
head -c 4096 /dev/urandom > "$I/random.bin"
printf '\001\002\003\004\005\006\007\010\016\017 Iran \020\021\022\023\024\025\026\027\030\031' > "$I/controls.txt"
: > "$I/empty.txt"
python3 -c "import sys; sys.stdout.buffer.write(b'Rajavi said ' + b'W' * 1000000 + b' in Paris, Iran.\n')" > "$I/word.txt"
printf 'Iran and Albania.\n' > "$I/sub/deeper/nested.txt"
ln -s .. "$I/sub/deeper/loop"
ln -s "$I/nowhere.txt" "$I/dangling.txt"
"$E" $G -o "$T/o1" --mentions "$T/o1.jsonl" "$I" "$T/missing.txt" 2> "$T/e1.txt"; rc=$?
check "bad inputs: exit status 1" "[ $rc -eq 1 ]"
check "missing path named" "grep -q 'missing.txt: skipped: No such file or directory' '$T/e1.txt'"
check "dangling symbolic link named" "grep -q 'dangling.txt: skipped: No such file or directory' '$T/e1.txt'"
check "empty file named" "grep -q 'empty.txt: skipped: empty file' '$T/e1.txt'"
check "NUL bytes: skipped as binary" "grep -q 'nul.txt: skipped: binary file (NUL byte)' '$T/e1.txt'"
check "random bytes: skipped as binary" "grep -q 'random.bin: skipped: binary file' '$T/e1.txt'"
check "control bytes: skipped as binary" "grep -q 'controls.txt: skipped: binary file (control bytes)' '$T/e1.txt'"
check "UTF-16 LE skipped, named as UTF-16 with the fix" \
    "grep -q 'utf16le.txt: skipped: UTF-16 text (convert it to UTF-8, e.g. with iconv)' '$T/e1.txt'"
check "UTF-16 BE skipped, named as UTF-16" "grep -q 'utf16be.txt: skipped: UTF-16 text' '$T/e1.txt'"
check "symbolic-link loop named and skipped" "grep -q 'loop: skipped: directory loop' '$T/e1.txt'"
check "invalid UTF-8: a warning with the byte offset" "grep -q 'badutf8.txt: invalid UTF-8 at byte 79' '$T/e1.txt'"
check "every message is one line naming a file" "one_line_each '$T/e1.txt' '$T/'"
check "nine problems, nine lines (and the warning, the summary)" "[ \$(wc -l < '$T/e1.txt') -eq 11 ]"
for f in good badutf8 bom crlf word nested; do
    check "$f.txt still processed" "grep -q '$f.txt\"' '$T/o1.jsonl'"
done
check "graph written despite skipped inputs" "[ -s '$T/o1/graph.json' ] && no_tmp '$T/o1'"
check "mention offsets are true in the original bytes (BOM, CRLF, bad UTF-8, long word)" \
  "python3 - '$T/o1.jsonl' <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1], encoding='utf-8'):
    r = json.loads(line)
    data = open(r['doc'], 'rb').read()
    assert data[r['start']:r['end']].decode('utf-8', 'replace') == r['text'], r
    seen.add(r['doc'].rsplit('/', 1)[-1])
    if r['doc'].endswith('bom.txt'):
        assert r['start'] >= 3, r
assert {'bom.txt', 'crlf.txt', 'badutf8.txt', 'word.txt'} <= seen, seen
PY"
"$E" -q --strict $G -o "$T/o2" "$I" 2> "$T/e2.txt"; rc=$?
check "--strict: exit 1 and no graph" "[ $rc -eq 1 ] && [ ! -e '$T/o2/graph.json' ]"
check "--strict: the first problem is named" "grep -q 'skipped' '$T/e2.txt'"
printf '' | "$E" -q $G -o "$T/o3" - 2> "$T/e3.txt"; rc=$?
check "empty standard input: exit 1, named as -" "[ $rc -eq 1 ] && grep -q '^entgraph: -: skipped: empty file' '$T/e3.txt'"
printf 'x' > "$T/notadir"
"$E" -q $G -o "$T/notadir" "$I/good.txt" 2> "$T/e4.txt"; rc=$?
check "output path that is a file: exit 1, one line" "[ $rc -eq 1 ] && [ \$(wc -l < '$T/e4.txt') -eq 1 ]"

L="$T/$(printf '%0250d/%0250d/%0250d/%0250d' 1 2 3 4)"
mkdir -p "$L" && : > "$L/empty.txt"
"$E" -q $G -o "$T/o7" "$L/empty.txt" "$I/good.txt" "$L/missing.txt" 2> "$T/e7.txt"; rc=$?
check "paths over 1000 bytes: one whole line each" \
    "[ $rc -eq 1 ] && [ \$(wc -l < '$T/e7.txt') -eq 2 ] && grep -q 'empty.txt: skipped: empty file\$' '$T/e7.txt'"

# --- 2. unreadable files (root reads them anyway)
if [ "$(id -u)" -eq 0 ]; then
    note "unreadable files: skipped (running as root, chmod 000 files are readable)"
else
    mkdir -p "$T/perm"
    printf '%s\n' "$S" > "$T/perm/good.txt"
    printf '%s\n' "$S" > "$T/perm/secret.txt"
    chmod 000 "$T/perm/secret.txt"
    "$E" -q $G -o "$T/o5" "$T/perm" 2> "$T/e5.txt"; rc=$?
    check "unreadable file: exit 1, named, others processed" \
        "[ $rc -eq 1 ] && grep -q 'secret.txt: skipped: Permission denied' '$T/e5.txt' && [ -s '$T/o5/graph.json' ]"
fi

# --- 3. a very long line and a long word
MB=${ROBUST_BIG_MB:-100}
python3 -c "
import sys
s = b'Maryam Rajavi met officials of the NCRI in Tirana, Albania, and President Emmanuel Macron spoke in Paris about Iran. '
n = int(sys.argv[1]) * 1000 * 1000
sys.stdout.buffer.write((s * (n // len(s) + 1))[:n])" "$MB" > "$T/big.txt"
timed() { # command...: /usr/bin/time's seconds and peak KB into $T/time.txt when there
    if [ -x /usr/bin/time ]; then /usr/bin/time -f '%e %M' -o "$T/time.txt" "$@"; else "$@"; fi
}
start=$(date +%s)
timed "$E" -q -o "$T/o6" "$T/big.txt" 2> "$T/e6.txt"; rc=$? # the bundled gazetteers and rules
secs=$(( $(date +%s) - start ))
check "$MB MB with no newline: completes (exit 0, ${secs} s)" "[ $rc -eq 0 ] && [ -s '$T/o6/graph.json' ]"
if [ -s "$T/time.txt" ]; then
    read -r el kb < "$T/time.txt"
    note "$MB MB with no newline: $el s, $((kb / 1024)) MB peak memory"
    check "$MB MB with no newline: under 120 s and 40 bytes of memory per input byte" \
        "[ $secs -le 120 ] && [ $kb -le $((MB * 1000 * 40 + 200000)) ]"
fi
rm -f "$T/big.txt"

# --- 4. gazetteers and rules with errors: file:line[:column]: reason, exit 1
# exit 1 and exactly one line on stderr matching ^entgraph: FILE<regex>
one_error() { # rc errfile file regex
    [ "$1" -eq 1 ] && [ "$(wc -l < "$2")" -eq 1 ] && grep -q -E -- "^entgraph: $3$4" "$2"
}
gaz_case() { # name content expected-regex
    printf "$2" > "$T/$1.tsv"
    "$E" -q --no-default-gazetteers -g "$T/$1.tsv" -o "$T/og" "$I/good.txt" 2> "$T/eg.txt"; rc=$?
    if one_error $rc "$T/eg.txt" "$T/$1.tsv" "$3"; then ok "gazetteer $1: exit 1, one line FILE$3"
    else bad "gazetteer $1: exit 1, one line FILE$3 (exit $rc: $(head -2 "$T/eg.txt"))"; fi
}
gaz_case bad-type 'ok\tPLACE\tOkay\n\nbad\tTHING\tBad\n' ":3: bad type 'THING'"
gaz_case bad-utf8 'ok\tPLACE\tOk\377\n' ':1: invalid UTF-8 at column 12'
gaz_case nul 'ok\tPLACE\tOk\000ay\n' ': not a text file \(NUL byte\)'
gaz_case empty-alias 'ok\tPLACE\tOk\tA || B\n' ':1: empty alias'
gaz_case trailing-bar 'ok\tPLACE\tOk\tA | B |\n' ':1: empty alias'
gaz_case bad-prio 'ok\tPLACE\tOk\t\tprio=1000\n' ":1: bad priority '1000'"
gaz_case columns '# comment\nok PLACE Ok\n' ':2: want id, TYPE, label'
gaz_case conflict 'x\tPLACE\tX\nx\tORG\tX\n' ":2: duplicate id 'x' with conflicting type"
gaz_case option 'x\tPLACE\tX\t\tloud\n' ":1: unknown option 'loud'"
gaz_case crlf-bad 'x\tPLACE\tX\r\ny\tPEOPLE\tY\r\n' ":2: bad type 'PEOPLE'"
"$E" -q --no-default-gazetteers -g "$T/nope.tsv" -o "$T/og" "$I/good.txt" 2> "$T/eg.txt"; rc=$?
check "missing gazetteer: exit 1, named" "[ $rc -eq 1 ] && grep -q 'nope.tsv: cannot open' '$T/eg.txt'"
rules_case() { # name content expected-regex
    printf "$2" > "$T/$1.rules"
    "$E" -q $G -r "$T/$1.rules" -o "$T/or" "$I/good.txt" 2> "$T/er.txt"; rc=$?
    if one_error $rc "$T/er.txt" "$T/$1.rules" "$3"; then ok "rules $1: exit 1, one line FILE$3"
    else bad "rules $1: exit 1, one line FILE$3 (exit $rc: $(head -2 "$T/er.txt"))"; fi
}
rules_case regex 'ok\tORG\t0\t0\t-\tfoo\nbad\tORG\t0\t0\t-\t(unclosed\n' ':2:[0-9]+: .*missing closing parenthesis'
rules_case type 'x\tTHING\t0\t0\t-\tfoo\n' ":1:[0-9]+: unknown type 'THING'"
rules_case fields 'x\tORG\t0\n' ':1: a rule needs 6 TAB-separated fields'
rules_case group 'x\tORG\t0\tn\t-\t(a)\n' ":1:[0-9]+: no group 'n'"
rules_case continuation '\tcontinued\n' ':1: continuation line without a rule'
rules_case directive '@include x\n' ':1: unknown directive'
rules_case nul 'x\tORG\t0\t0\t-\tfo\000o\n' ':1: NUL byte'
rules_case macro 'x\tORG\t0\t0\t-\t@NOSUCHMACRO\n' ':1:[0-9]+: '

# --- 5. failed writes (ulimit -f): previous outputs intact, no temporary file
W="$T/w"
"$E" -q $G -o "$W" --mentions "$W/mentions.jsonl" "$I/good.txt" "$I/crlf.txt"
mkdir -p "$T/prev" && cp "$W"/* "$T/prev/"
same_as_prev() { for f in $(ls "$T/prev"); do cmp -s "$T/prev/$f" "$W/$f" || return 1; done; }
check "file-size limit: SIGXFSZ is ignored (the process is not killed by it)" \
    "(ulimit -f 1; exec '$E' -q -o '$W' corpus/seeds 2> '$T/ew.txt'); [ \$? -eq 1 ]"
check "file-size limit: the failure is one line ($(head -1 "$T/ew.txt"))" "[ \$(wc -l < '$T/ew.txt') -eq 1 ]"
check "file-size limit: previous outputs intact, no temporary file" "same_as_prev && no_tmp '$W'"
# without evidence nothing goes to the library's spool file: the graph writers fail
(ulimit -f 1; exec "$E" -q --evidence 0 -o "$W" corpus/seeds 2> "$T/ew.txt"); rc=$?
check "file-size limit on the graph files: exit 1, one line naming the file, previous outputs intact" \
    "[ $rc -eq 1 ] && [ \$(wc -l < '$T/ew.txt') -eq 1 ] && grep -q '$W/graph.dot: write failed' '$T/ew.txt' && same_as_prev && no_tmp '$W'"
(ulimit -f 1; exec "$E" -q -o "$W" --mentions "$W/mentions.jsonl" corpus/seeds 2> "$T/ew.txt"); rc=$?
check "file-size limit on the mentions file: exit 1, named, previous outputs intact, no temporary file" \
    "[ $rc -eq 1 ] && grep -q 'mentions.jsonl: write failed' '$T/ew.txt' && same_as_prev && no_tmp '$W'"

# --- 6. interrupts: SIGINT and SIGTERM during a long run
python3 bench/make-corpus.py --mb 30 --out "$T/c30" > /dev/null 2>&1
# a shell without job control starts background commands with SIGINT
# ignored (and entgraph leaves an ignored signal ignored): start it with
# the default action, as from a terminal (dflt execs: use it with & only)
dflt() { exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
for sig in INT TERM; do
    dflt "$E" -q -j1 -o "$W" --mentions "$W/mentions.jsonl" --explain "$W/explain.txt" "$T/c30" 2> "$T/ei.txt" &
    pid=$!
    # interrupt while documents are being read: as soon as the temporary
    # mentions file is there (after loading), well before the outputs
    i=0
    while [ $i -lt 300 ] && ! ls -A "$W" | grep -q '^\.mentions'; do sleep 0.05; i=$((i + 1)); done
    sleep 0.2
    if ls -A "$W" | grep -q '^\.graph'; then
        note "SIG$sig: the run was already writing the graph files (too fast)"
    fi
    if kill -0 $pid 2>/dev/null; then
        kill -$sig $pid
        wait $pid 2>/dev/null; rc=$?
        check "SIG$sig: the run ends by the signal (exit $rc)" "[ $rc -gt 128 ]"
        check "SIG$sig: previous outputs intact, no temporary file" "same_as_prev && no_tmp '$W' && [ ! -e '$W/explain.txt' ]"
        [ -s "$T/ei.txt" ] && { echo "    stderr:"; head -3 "$T/ei.txt"; }
    else
        wait $pid
        note "SIG$sig: the run finished within 2 s; interrupt not tested"
    fi
done

# an ignored SIGHUP stays ignored (nohup): the run goes on to the end
rm -rf "$T/hup"
(trap '' HUP; exec "$E" -q $G -o "$T/hup" "$T/c30") &
pid=$!
sleep 1
kill -HUP $pid 2>/dev/null
wait $pid; rc=$?
check "SIGHUP ignored at start (nohup): the run completes (exit $rc)" "[ $rc -eq 0 ] && [ -s '$T/hup/graph.json' ]"

echo "robust: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

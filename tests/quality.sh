#!/bin/sh
# Scores entgraph on the bundled gold sets and holds each figure to its
# floor in tests/quality/floors.txt. Prints the score tables and a closing
# "quality: N passed, N failed" line.
B=${1:-build}
Q=tests/quality
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
run() { # name texts gold
    if ! "$B/entgraph" -q -o "$T/$1" --mentions "$T/$1.jsonl" "$2"; then
        echo "FAIL $1: entgraph exited $?"; fail=$((fail + 1)); return
    fi
    python3 "$Q/score.py" "$3" --system "$T/$1.jsonl" > "$T/$1.txt"
    python3 "$Q/score.py" "$3" --system "$T/$1.jsonl" --json > "$T/$1.score.json"
    python3 "$Q/merged_people.py" "$3" "$T/$1.jsonl" > "$T/$1.merged"
    echo "== $1"; cat "$T/$1.txt"
}
run seeds corpus/seeds "$Q/gold/seeds"
run wikigold "$Q/wikigold/texts" "$Q/wikigold/gold"
while read -r name metric floor; do
    case "$name" in ''|'#'*) continue ;; esac
    f="$T/$name.score.json"
    [ -f "$f" ] || { echo "FAIL $name $metric: no score"; fail=$((fail + 1)); continue; }
    got=$(python3 - "$f" "$metric" <<'PY'
import json, sys
# score.py --json prints the object and then its "strict F1" line
r = json.JSONDecoder().raw_decode(open(sys.argv[1]).read())[0]; m = sys.argv[2]
if m == "strict_f1": v = r["by_type"]["ALL"]["strict"][2]
elif m == "strict_p": v = r["by_type"]["ALL"]["strict"][0]
elif m == "bcubed_f1": v = r.get("bcubed", [0, 0, 0])[2]
elif m == "split_copies": v = -r["nodes"]["split_copies"]
elif m == "merged_people": v = -int(open(sys.argv[1][:-len(".score.json")] + ".merged").read().split()[0])
elif m.endswith("_f1"): v = r["by_type"][m[:-3].upper()]["strict"][2]
else: sys.exit("unknown metric " + m)
print("%.4f" % v)
PY
)
    if python3 -c "import sys; sys.exit(0 if float('$got') >= float('$floor') else 1)"; then
        echo "ok   $name $metric $got >= $floor"; pass=$((pass + 1))
    else
        echo "FAIL $name $metric $got < $floor"; fail=$((fail + 1))
    fi
done < "$Q/floors.txt"
echo "quality: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

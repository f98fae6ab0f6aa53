#!/usr/bin/env python3
"""Counts the system entities that hold mentions of two or more different
gold people (the resolver must never merge two people): prints the count,
then one line per such entity with the gold people it holds.

usage: merged_people.py GOLD_DIR SYSTEM_MENTIONS.jsonl
"""
import collections
import json
import os
import sys


def main():
    gold_dir, system = sys.argv[1], sys.argv[2]
    gold = {}
    for f in sorted(os.listdir(gold_dir)):
        if f.endswith(".jsonl"):
            for line in open(os.path.join(gold_dir, f), encoding="utf-8"):
                if line.strip():
                    r = json.loads(line)
                    if r["type"] == "PERSON" and r.get("entity") and not str(r["entity"]).endswith("?"):
                        gold[(os.path.basename(r["doc"]), r["start"], r["end"])] = r["entity"]
    people = collections.defaultdict(set)
    for line in open(system, encoding="utf-8"):
        r = json.loads(line)
        g = gold.get((os.path.basename(r["doc"]), r["start"], r["end"]))
        if g and r["type"] == "PERSON":
            people[r["entity"]].add(g)
    # an explicit ambiguous node ("rajavi?") holds several people by design
    bad = {e: sorted(p) for e, p in people.items() if len(p) > 1 and not e.endswith("?")}
    print(len(bad))
    for e, p in sorted(bad.items()):
        print(e, " ".join(p))


if __name__ == "__main__":
    main()

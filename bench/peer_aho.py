#!/usr/bin/python3
"""The peer for `make bench`: the raw dictionary scan a user would write
without entgraph. Every alias of every bundled gazetteer goes into a
pyahocorasick automaton (Debian's python3-ahocorasick, a C Aho-Corasick
implementation); each document is lower-cased and scanned, and matches that
start and end at word boundaries are counted.

usage: peer_aho.py GAZETTEER_DIR CORPUS_DIR
prints: aliases, documents, bytes, matches, load and scan seconds, MB/s
"""
import os
import sys
import time

import ahocorasick


def aliases(gdir):
    for name in sorted(os.listdir(gdir)):
        if not name.endswith(".tsv"):
            continue
        for line in open(os.path.join(gdir, name), encoding="utf-8"):
            if not line.strip() or line.startswith("#"):
                continue
            col = line.rstrip("\n").split("\t")
            if len(col) < 3:
                continue
            yield col[2]
            if len(col) > 3:
                for a in col[3].split("|"):
                    a = a.strip().lstrip("=~").strip()
                    if a:
                        yield a


def main():
    gdir, cdir = sys.argv[1], sys.argv[2]
    t0 = time.time()
    A = ahocorasick.Automaton()
    n = 0
    for a in aliases(gdir):
        A.add_word(a.lower(), len(a))
        n += 1
    A.make_automaton()
    t_load = time.time() - t0
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(cdir) for f in fs)
    t0 = time.time()
    total = matches = 0
    for p in files:
        text = open(p, encoding="utf-8", errors="replace").read().lower()
        total += len(text.encode("utf-8"))
        for end, length in A.iter(text):
            start = end - length + 1
            if (start == 0 or not text[start - 1].isalnum()) and (end + 1 == len(text) or not text[end + 1].isalnum()):
                matches += 1
    t_scan = time.time() - t0
    print("aliases %d  documents %d  bytes %d  matches %d  load %.2f s  scan %.2f s  %.1f MB/s"
          % (n, len(files), total, matches, t_load, t_scan, total / 1e6 / t_scan))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate a deterministic benchmark corpus of English news-like documents.

usage: make-corpus.py --mb N --out DIR [--seed S] [--single FILE]

Sentences are drawn from the real texts in ../corpus/seeds and
../external/wikigold/texts. In about a third of the sentences a capitalised
name is swapped for a name from pool/names.txt or pool/places.txt, so that the
corpus keeps meeting names it has not seen, as a growing real corpus does, and
the entity table and graph grow with the corpus. Documents are 2 to 30 KB of
paragraphs. Same arguments, same bytes.
"""
import argparse
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT = re.compile(r"(?<=[.!?…”’\"])\s+(?=[A-Z“‘\"(])")
NAME = re.compile(r"\b[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})?\b")


def sentences():
    # entgraph keeps the sample articles in corpus/seeds and WikiGold in
    # tests/quality/wikigold/texts: the same texts as the shared kit's
    # ../corpus/seeds and ../external/wikigold/texts, so the same bytes out.
    roots = [os.path.join(HERE, "..", "corpus", "seeds"),
             os.path.join(HERE, "..", "tests", "quality", "wikigold", "texts")]
    out = []
    for root in roots:
        if not os.path.isdir(root):
            continue
        for f in sorted(os.listdir(root)):
            if f.endswith(".txt"):
                for line in open(os.path.join(root, f), encoding="utf-8"):
                    out.extend(s.strip() for s in SPLIT.split(line) if len(s.strip()) > 20)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, required=True)
    ap.add_argument("--out", help="directory for doc_NNNNNN.txt files")
    ap.add_argument("--single", help="write one file instead, documents separated by blank lines")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not a.out and not a.single:
        ap.error("give --out DIR or --single FILE")
    rng = random.Random(a.seed)
    sents = sentences()
    names = open(os.path.join(HERE, "pool", "names.txt"), encoding="utf-8").read().split("\n")[:-1]
    places = open(os.path.join(HERE, "pool", "places.txt"), encoding="utf-8").read().split("\n")[:-1]
    target = int(a.mb * 1024 * 1024)
    written, n = 0, 0
    single = open(a.single, "w", encoding="utf-8") if a.single else None
    if a.out:
        os.makedirs(a.out, exist_ok=True)
    while written < target:
        size = rng.randint(2048, 30720)
        paras, cur, total = [], [], 0
        while total < size:
            s = rng.choice(sents)
            if rng.random() < 0.33:
                m = list(NAME.finditer(s))
                if m:
                    mm = rng.choice(m)
                    new = (rng.choice(names) + " " + rng.choice(names)) if rng.random() < 0.6 else rng.choice(places)
                    s = s[:mm.start()] + new + s[mm.end():]
            cur.append(s)
            total += len(s) + 1
            if rng.random() < 0.2:
                paras.append(" ".join(cur))
                cur = []
        if cur:
            paras.append(" ".join(cur))
        text = "\n\n".join(paras) + "\n"
        data = text.encode("utf-8")
        if single:
            single.write(text + "\n")
        else:
            with open(os.path.join(a.out, "doc_%06d.txt" % n), "wb") as f:
                f.write(data)
        written += len(data)
        n += 1
    if single:
        single.close()
    print(f"{n} documents, {written} bytes")


if __name__ == "__main__":
    main()

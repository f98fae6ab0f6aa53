#!/usr/bin/env python3
"""tests/fuzz/make-seeds.py — writes the seed corpora tests/fuzz/corpus/<target>/.

Run from the top of the tree after a change to the cases below
(`tests/fuzz/make-seeds.py --entgraph build/entgraph` also writes the
partial-graph seeds of fuzz_graphio, saved with --save-partial); the files
it writes are kept in the repository (crash inputs found by fuzzing are
added there by hand as crash-<what>, and this script leaves them alone).
Small on purpose: sample sentences, gazetteer and rule lines, and the
awkward bytes (bad UTF-8, BOM, CRLF, NUL, long lines, long words).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- text: normalise, tokenize, pipeline ----
def text_cases():
    c = {}
    seeds = os.path.join(ROOT, "corpus", "seeds")
    for i, fn in enumerate(sorted(os.listdir(seeds))):
        with open(os.path.join(seeds, fn), "rb") as f:
            b = f.read()
        c["sample%d" % i] = b[:1500]
        c["sample%d-tail" % i] = b[-800:]
    c["plain"] = "Maryam Rajavi met officials in Tirana, Albania, on Monday.\n"
    c["ncri"] = ("The National Council of Resistance of Iran (NCRI) said the Islamic Revolutionary "
                 "Guard Corps (IRGC) fired at Camp Ashraf. The NCRI's spokesman agreed.\n")
    c["acronyms"] = "The U.S. and the F.B.I. met Mr. Smith, Gen. Soleimani, Dr. No etc. at 3 p.m. in St. Louis.\n"
    c["possessive"] = "Zarif's aide, the Rajavis' home, it's over, don't, O'Brien's cat, 'quoted' words.\n"
    c["hyphens"] = "Iran-Iraq war, Mojahedin-e-Khalq, al-Muhandis, COVID-19, the group\u2014which\u2014left, 1980\u20131988.\n"
    c["numbers"] = "1,000 people; 3.5 million; the 1980s; 3rd; 22 footnote.22 It said 2,50.1.\n"
    c["typographic"] = "\u201cQuoted,\u201d she said \u2018again\u2019\u2026 \u2013 dash \u2014 dash, no\u00a0break, thin\u2009space.\n"
    c["accents"] = "\u00c9lys\u00e9e, \u00d8resund, Stra\u00dfe, \u0130stanbul, \u0131, Ma\u00f1ana, \u0141\u00f3d\u017a.\n"
    c["combining"] = "Ele\u0301onore, e\u0301\u0301\u0301, A\u030a, n\u0303, \u0301 alone, x" + "\u0301" * 80 + "\n"
    c["compat"] = "\ufb01nance \u00bd \u2460 \uff21\uff22\uff23 \u2122 \u33a1 \u01c5ungla \ufdfa H\u2082O.\n"
    c["zero-width"] = "Ra\u200bjavi Ira\u00adn \u200eLTR\u200f \u2066iso\u2069 \ufeffBOM-mid \u180e.\n"
    c["separators"] = "line\u2028separator para\u2029separator next\u0085NEL.\n"
    c["scripts"] = ("\u0645\u0631\u06cc\u0645 \u0631\u062c\u0648\u06cc \u05e9\u05dc\u05d5\u05dd "
                    "\u0928\u092e\u0938\u094d\u0924\u0947 \u4e2d\u56fd \u0391\u03b8\u03ae\u03bd\u03b1 "
                    "\u041c\u043e\u0441\u043a\u0432\u0430 \ud55c\uad6d\uc5b4 \u1100\u1161\u11a8 \U0001F600.\n")
    c["bom"] = b"\xef\xbb\xbfMaryam Rajavi in Paris.\n"
    c["bom-only"] = b"\xef\xbb\xbf"
    c["crlf"] = b"First line in Paris.\r\nSecond line in Tirana.\r\n\r\nNew paragraph.\r\n"
    c["cr-only"] = b"Old Mac text\rin Albania\r\rwith CR only.\r"
    c["nul"] = b"Text with a NUL\x00 byte in Iran.\n"
    c["controls"] = b"bell\x07 esc\x1b[0m del\x7f vt\x0b ff\x0c Iran.\n"
    c["c1-controls"] = "C1\u0080\u0085\u009f controls in Iran.\n"
    c["invalid-utf8"] = b"Maryam Rajavi met officials in Tirana, Albania.\n\xff\xfe bad bytes then Iran.\n"
    c["invalid-mix"] = (b"\x80 lone \xc0\xaf overlong \xe0\x80\xaf \xed\xa0\x80 surrogate \xf5\x80\x80\x80 "
                        b"\xf4\x90\x80\x80 \xc3 trunc\xe2\x82 end \xf0\x9f\x98")
    c["utf16le"] = "\ufeffMaryam Rajavi in Paris.\n".encode("utf-16-le")
    c["utf16be"] = "\ufeffMaryam Rajavi in Paris.\n".encode("utf-16-be")
    c["empty"] = b""
    c["space"] = b" \t\n\n \n"
    c["punct"] = "... !!! ??? ,,, ;; -- \u2014\u2014 (( )) [ ] { } \"\" '' ' \".\n"
    c["long-line"] = ("Maryam Rajavi met Massoud Rajavi in Paris and Tirana. " * 150).encode()
    c["long-word"] = ("Iran" + "a" * 6000 + " said Paris.\n").encode()
    c["long-caps"] = ("The " + " ".join(["Big"] * 500) + " Organization.\n").encode()
    c["hard-wrapped"] = "".join(
        "This is a hard wrapped line number %d of text about Iran and Albania\n" % i for i in range(30))
    c["blank-lines"] = "A.\n\n\n\nB in Paris.\n\n\nC in Iran.\n"
    c["brackets"] = "National Council of Resistance of Iran (NCRI / PMOI) and (MEK) said (\u201cno\u201d).\n"
    c["sentence-ends"] = "He left. she came! Why? \"Yes.\" (No.) Then Inc. Co. left. Jr. St. Paris etc. The end\n"
    c["titles"] = "President Trump, former MEP Struan Stevenson, Prime Minister Edi Rama and Sen. John W. Smith Jr.\n"
    return c


# ---- gazetteer lines ----
def gaz_cases():
    c = {}
    c["good"] = ("# comment\n"
                 "iran\tPLACE\tIran\tIslamic Republic of Iran | Persia\tprio=10\n"
                 "paris\tPLACE\tParis\t\tprio=5 ctx\n"
                 "irgc\tORG\tIslamic Revolutionary Guard Corps\tIRGC | revolutionary guards\tlower\n"
                 "who\tORG\tWorld Health Organization\t=WHO | ~who-org\n"
                 "maryam-rajavi\tPERSON\tMaryam Rajavi\tRajavi\n"
                 "iran-iraq-war\tEVENT\tIran-Iraq War\tIran\u2013Iraq War\n")
    c["three-columns"] = "albania\tPLACE\tAlbania\n"
    c["options"] = "x\tORG\tX Corp\tXC\tprio=-100,lower,ctx\ny\tORG\tY\t\tprio=100\n"
    c["bad-type"] = "ok\tPLACE\tOkay\n\nbad\tTHING\tBad\n"
    c["bad-prio"] = "a\tORG\tA\t\tprio=101\n"
    c["bad-prio2"] = "a\tORG\tA\t\tprio=x\n"
    c["unknown-option"] = "a\tORG\tA\t\tfancy\n"
    c["empty-alias"] = "a\tORG\tA\tB || C\n"
    c["empty-prefixed-alias"] = "a\tORG\tA\tB | = | C\n"
    c["missing-columns"] = "just-an-id\n"
    c["two-columns"] = "id\tPLACE\n"
    c["empty-id"] = "\tPLACE\tX\n"
    c["empty-label"] = "x\tPLACE\t \n"
    c["id-with-space"] = "bad id\tPLACE\tX\n"
    c["conflict"] = "x\tPLACE\tX\nx\tORG\tX Org\n"
    c["duplicate"] = "x\tPLACE\tX\tXX\nx\tPLACE\tX\tXX | XXX\tprio=3\n"
    c["no-words"] = "x\tPLACE\tX\t- | ...\n"
    c["punct-label"] = "x\tPLACE\t!!!\n"
    c["bom-crlf"] = b"\xef\xbb\xbfiran\tPLACE\tIran\tPersia\r\nparis\tPLACE\tParis\r\n"
    c["invalid-utf8"] = b"x\tPLACE\tX\xff\xfe\n"
    c["nul"] = b"x\tPLACE\tX\x00Y\n"
    c["unicode"] = "elysee\tPLACE\t\u00c9lys\u00e9e Palace\tElysee | \u00c9LYS\u00c9E\noresund\tPLACE\t\u00d8resund\n"
    c["many-aliases"] = "x\tORG\tX\t" + " | ".join("Alias %d" % i for i in range(200)) + "\n"
    c["long-alias"] = "x\tORG\tX\t" + " ".join(["Word"] * 100) + "\n"
    c["long-line"] = "x\tORG\t" + "Y" * 8000 + "\n"
    c["extra-tabs"] = "x\tORG\tX\tA\tprio=1\textra\tmore\n"
    c["spaces"] = "  x  \t PLACE \t X \t  A  |  B  \n"
    c["no-newline"] = "x\tPLACE\tX"
    c["comment-only"] = "# nothing\n\n   \n# more\n"
    c["empty"] = ""
    c["acronym-case"] = "us\tPLACE\tUnited States\tUS | U.S. | =Us\nun\tORG\tUnited Nations\tUN\n"
    c["joiners"] = "mek\tORG\tMojahedin-e Khalq\tMojahedin-e-Khalq | Mujahedin\u2013e Khalq | -\n"
    return c


# ---- rules ----
def rules_cases():
    c = {}
    gz = os.path.join(ROOT, "gazetteers")
    for fn in sorted(os.listdir(gz)):
        if fn.endswith(".rules"):
            with open(os.path.join(gz, fn), "rb") as f:
                c["shipped-" + fn[:-6]] = f.read()
    c["simple"] = "camp\tPLACE\t0\t0\ton(camp)\t@{B}Camp\\h+@CAP@E\n"
    c["named-group"] = ("@define INP\t(?:in|near)\n"
                         "in-place\tPLACE\t-50\tn\ton(%INP),weak,prev(n,%INP),cap(n),alone(n)\t@B(?<n>@UPC\\p{Ll}+)@E\n")
    c["define"] = "@define HEAD\t(?:Council|Party)\norg\tORG\t0\t0\tbefore(%HEAD),strip,minwords(2)\t@B@CAP(?:\\h+@CAP)*+@E\n"
    c["continuation"] = ("@define T\t(?:Mr|Mrs|\n\tDr|Prof)\n"
                         "t\tPERSON\t0\tn\tafter(%T),title(n,%T),namelast(n),notquoted(n)\t@T\\.?\\h+(?<n>@CAP)\n")
    c["conditions"] = ("p\tPERSON\t-1\t1\tgiven(1),surname(2),notcommon,okstart,namelike,title,notitle,"
                       "first(1,given),last(2,surname),none(1,common),some(2,surname),next(2,common),notnext(2,title),"
                       "maxwords(3),minwords(1),sentstart,notsentstart,notprev(1,title)\t"
                       "(@CAP)\\h+(@CAP)\n")
    c["bad-type"] = "x\tTHING\t0\t0\t-\tfoo\n"
    c["bad-prio"] = "x\tORG\tone\t0\t-\tfoo\n"
    c["bad-regex"] = "x\tORG\t0\t0\t-\t(unclosed\n"
    c["bad-group"] = "x\tORG\t0\tnope\t-\t(a)\n"
    c["bad-cond"] = "x\tORG\t0\t0\tbogus(1\tfoo\n"
    c["few-fields"] = "x\tORG\t0\n"
    c["unknown-directive"] = "@include other.rules\n"
    c["unknown-macro"] = "x\tORG\t0\t0\t-\t@NOPE\n"
    c["recursive-macro"] = "@define A\t@B@A\nx\tORG\t0\t0\t-\t@A\n"
    c["duplicate-name"] = "x\tORG\t0\t0\t-\tfoo\nx\tORG\t0\t0\t-\tbar\n"
    c["continuation-first"] = "\tcontinued\n"
    c["backtracking"] = "slow\tORG\t0\t0\t-\t(?:a+)+$|(?:\\w+\\s?)*+x|(\\p{L}*)*y\n"
    c["empty-match"] = "e\tORG\t0\t0\t-\t(?=.)|\\b\n"
    c["lookbehind"] = "lb\tPLACE\t0\tn\t-\t(?<=visit to |fled to )(?<n>@CAPW)\n"
    c["keep-out"] = "k\tORG\t0\t0\t-\tthe\\h+\\K@CAP\n"
    c["big-quantifier"] = "q\tORG\t0\t0\t-\t(?:@CAP\\h+){0,50}@CAP\n"
    c["crlf-bom"] = b"\xef\xbb\xbfx\tORG\t0\t0\t-\tfoo\r\ny\tORG\t0\t0\t-\tbar\r\n"
    c["nul"] = b"x\tORG\t0\t0\t-\tfo\x00o\n"
    c["invalid-utf8"] = b"x\tORG\t0\t0\t-\tfo\xffo\n"
    c["many-cont"] = "@define X\t(?:a\n" + "".join("\t|b%d\n" % i for i in range(300)) + "\t)\n"
    c["comments"] = "# only\n\n   # indented comment?\n"
    c["empty"] = ""
    c["acronym-rule"] = "acr\tORG\t0\t0\tacronym\t@ACR\n"
    c["on-words"] = "w\tEVENT\t0\t0\tat(war|wars),cap\t@{B}War\\h+of\\h+@CAP\n"
    return c


# ---- partial graphs (graph_io.c): saved by entgraph --save-partial ----
def graphio_cases(entgraph):
    import subprocess
    import tempfile
    c = {}
    seeds = os.path.join(ROOT, "corpus", "seeds")
    docs = sorted(os.path.join(seeds, f) for f in os.listdir(seeds))
    with tempfile.TemporaryDirectory() as t:
        gaz = os.path.join(t, "small.tsv")
        with open(gaz, "w") as f:
            f.write("iran\tPLACE\tIran\nparis\tPLACE\tParis\nmaryam-rajavi\tPERSON\tMaryam Rajavi\tRajavi\n"
                    "ncri\tORG\tNational Council of Resistance of Iran\tNCRI\n")
        runs = {"one-doc": ["--no-default-gazetteers", "-g", gaz, docs[0]],
                "small-gaz": ["--no-default-gazetteers", "-g", gaz] + docs[:3],
                "explain": ["--explain", os.path.join(t, "x.txt"), docs[0]],
                "full": [docs[0]]}
        for name, args in runs.items():
            out = os.path.join(t, name + ".egg")
            subprocess.run([entgraph, "-q", "-j1", "-o", os.path.join(t, "o"), "--save-partial", out] + args,
                           check=False)
            if os.path.exists(out):
                with open(out, "rb") as f:
                    c[name] = f.read()
    if "one-doc" in c:
        b = c["one-doc"]
        c["truncated-half"] = b[:len(b) // 2]
        c["truncated-header"] = b[:12]
        c["bad-magic"] = b"EGGRAPH2" + b[8:]
        c["huge-count"] = b[:24] + b"\xff\xff\xff\x7f" + b[28:]
    c["magic-only"] = b"EGGRAPH1"
    c["empty"] = b""
    return c


def main():
    for target, cases in (("normalise", text_cases()), ("tokenize", text_cases()), ("pipeline", text_cases()),
                          ("gazetteer", gaz_cases()), ("rules", rules_cases())):
        for name, data in cases.items():
            write(target, name, data)
    # partial graphs need a built entgraph: make-seeds.py --entgraph build/entgraph
    if "--entgraph" in sys.argv:
        for name, data in graphio_cases(sys.argv[sys.argv.index("--entgraph") + 1]).items():
            write("graphio", name, data)
    total = 0
    for dp, _, fns in os.walk(OUT):
        for fn in fns:
            total += os.path.getsize(os.path.join(dp, fn))
    print("seed corpora: %d bytes" % total, file=sys.stderr)


if __name__ == "__main__":
    main()

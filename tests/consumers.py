#!/usr/bin/python3
"""consumers.py DIR — reads entgraph's output in DIR with the programs people
will use on it and checks that every format tells the same graph.

  graph.graphml  networkx.read_graphml, igraph.Graph.Read_GraphML, xmllint,
                 graphology-graphml (through tests/consumers-js, when node and
                 its modules are installed)
  graph.gexf     networkx.read_gexf (GEXF 1.3), xmllint, graphology-gexf
  graph.json     json + networkx.node_link_graph, schema/graph.schema.json
                 (jsonschema when importable, else a small validator below)
  nodes.csv,     the csv module
  edges.csv
  graph.dot      dot, neato and sfdp -Tsvg (output through xmllint), and
                 neato -Tjson to read back labels and weights as Graphviz does
  graph.svg      xmllint

Across formats: the same node ids, the same edges (by endpoint ids), the
same weight per edge (parsed to the same double), the same type and mentions
per node, and labels that survive exactly. The JSON label is the reference;
CSV must equal it; XML formats hold it with C0 controls other than TAB, LF,
CR replaced by U+FFFD (XML 1.0 cannot hold them); graph.dot holds it as
Graphviz text (CR LF / CR as LF, TAB as space, other controls as U+FFFD).

Prints one line per check ("ok - ..." or "not ok - ..."), then
"consumers.py: N passed, N failed"; exits 1 when a check failed.
Run with /usr/bin/python3 (Debian's networkx and igraph).
"""

import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOT_MAX_EDGES = 300
ROOT = os.path.dirname(HERE)

passed = 0
failed = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}" + (f": {detail}" if detail else ""))
    return ok


def attempt(name, fn):
    """Runs fn(); a raised exception is a failed check named `name`."""
    try:
        return fn()
    except Exception as exc:  # any reader failure is a finding
        check(False, name, f"{type(exc).__name__}: {exc}")
        return None


# ---- the text rules of each format (see src/writers.h) ----

XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(s):
    return XML_BAD.sub("\ufffd", s)


def dot_text(s):
    """A label as graph.dot holds it, before escString escaping: line ends as
    LF, TAB as space, controls and U+FEFF as U+FFFD, entity-like '&' as
    '&amp;'."""
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    s = re.sub("[\x00-\x09\x0b-\x1f\x7f\ufeff\ufffe\uffff]", "\ufffd", s)
    return re.sub(r"&(?=(#[xX][0-9a-fA-F]*|#[0-9]*|[A-Za-z]*);)", "&amp;", s)


def dot_unescape(s):
    """Graphviz escString as written by entgraph: \\\\ and \\n only."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


def edge_key(a, b):
    return tuple(sorted((a, b)))


# ---- readers ----

def read_json(d):
    with open(os.path.join(d, "graph.json"), encoding="utf-8") as f:
        return json.load(f)


def json_graph(data):
    """networkx.node_link_graph across its API changes: edges= (3.4+),
    link= (2.6..3.3), attrs= (older)."""
    import networkx as nx
    from networkx.readwrite import json_graph as jg
    key = "links" if "links" in data else "edges"
    for kw in ({"edges": key}, {"link": key}):
        try:
            return jg.node_link_graph(data, **kw)
        except TypeError:
            continue
    return jg.node_link_graph(data, attrs={"source": "source", "target": "target", "name": "id",
                                           "key": "key", "link": key})


def read_gexf_nx(path):
    import networkx as nx
    from networkx.readwrite import gexf as gx
    if "1.3" not in gx.GEXF.versions:
        # networkx before 3.x knows GEXF 1.1draft and 1.2draft only; 1.3 has
        # the same elements under new namespaces.
        gx.GEXF.versions["1.3"] = {
            "NS_GEXF": "http://gexf.net/1.3",
            "NS_VIZ": "http://gexf.net/1.3/viz",
            "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance",
            "SCHEMALOCATION": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
            "VERSION": "1.3",
        }
    return nx.read_gexf(path, version="1.3")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.DictReader(f)
        rows = list(r)
        return r.fieldnames, rows


# ---- a small JSON Schema validator for when jsonschema is missing: the
# keywords schema/graph.schema.json uses ----

def mini_validate(inst, sch, root, where="$"):
    errs = []
    if "$ref" in sch:
        ref = sch["$ref"]
        assert ref.startswith("#/$defs/"), ref
        errs += mini_validate(inst, root["$defs"][ref[8:]], root, where)
    t = sch.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t == "integer":
        if not (isinstance(inst, int) and not isinstance(inst, bool)):
            return errs + [f"{where}: not an integer"]
    elif t == "number":
        if not (isinstance(inst, (int, float)) and not isinstance(inst, bool)):
            return errs + [f"{where}: not a number"]
    elif t and not isinstance(inst, types[t]):
        return errs + [f"{where}: not {t}"]
    if "const" in sch and inst != sch["const"]:
        errs.append(f"{where}: not {sch['const']!r}")
    if "enum" in sch and inst not in sch["enum"]:
        errs.append(f"{where}: {inst!r} not in {sch['enum']}")
    if "minimum" in sch and isinstance(inst, (int, float)) and inst < sch["minimum"]:
        errs.append(f"{where}: below {sch['minimum']}")
    if "minLength" in sch and isinstance(inst, str) and len(inst) < sch["minLength"]:
        errs.append(f"{where}: too short")
    if "pattern" in sch and isinstance(inst, str) and not re.search(sch["pattern"], inst):
        errs.append(f"{where}: does not match {sch['pattern']}")
    if isinstance(inst, dict):
        for k in sch.get("required", []):
            if k not in inst:
                errs.append(f"{where}: no {k!r}")
        props = sch.get("properties", {})
        for k, v in inst.items():
            if k in props:
                errs += mini_validate(v, props[k], root, f"{where}.{k}")
            elif sch.get("additionalProperties") is False:
                errs.append(f"{where}: unexpected {k!r}")
    if isinstance(inst, list) and "items" in sch:
        for i, v in enumerate(inst):
            errs += mini_validate(v, sch["items"], root, f"{where}[{i}]")
    if "oneOf" in sch:
        n = sum(1 for s in sch["oneOf"] if not mini_validate(inst, s, root, where))
        if n != 1:
            errs.append(f"{where}: matches {n} of oneOf")
    if "not" in sch and not mini_validate(inst, sch["not"], root, where):
        errs.append(f"{where}: matches 'not'")
    return errs


def validate_schema(data):
    with open(os.path.join(ROOT, "schema", "graph.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    try:
        if os.environ.get("EG_NO_JSONSCHEMA"):
            raise ImportError
        import jsonschema
    except ImportError:
        errs = mini_validate(data, schema, schema)
        check(not errs, "graph.json matches schema/graph.schema.json (built-in validator; "
              "python3-jsonschema not installed)", "; ".join(errs[:5]))
        return
    cls = getattr(jsonschema, "Draft202012Validator", None)
    if cls is None:
        check(False, "jsonschema knows draft 2020-12", jsonschema.__version__)
        return
    errs = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in cls(schema).iter_errors(data)]
    check(not errs, "graph.json matches schema/graph.schema.json (jsonschema)", "; ".join(errs[:5]))


# ---- the comparisons ----

def same(name, got, want):
    """got and want: dicts; reports the first few differences."""
    if got == want:
        return check(True, name)
    keys = sorted(set(got) | set(want), key=str)
    diff = [f"{k!r}: {got.get(k, '<missing>')!r} != {want.get(k, '<missing>')!r}"
            for k in keys if got.get(k) != want.get(k)]
    return check(False, name, "; ".join(diff[:4]) + (f" (+{len(diff) - 4} more)" if len(diff) > 4 else ""))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=600, **kw)


def xmllint(path, data=None):
    if data is None:
        p = run(["xmllint", "--noout", path])
    else:
        p = run(["xmllint", "--noout", "-"], input=data)
    return p.returncode == 0, p.stderr.decode("utf-8", "replace").strip()[:300]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: consumers.py DIR\n")
        return 2
    d = sys.argv[1]
    path = lambda name: os.path.join(d, name)  # noqa: E731
    print(f"# consumers.py {d}")

    # reference: graph.json
    data = attempt("graph.json parses", lambda: read_json(d))
    if data is None:
        return finish()
    edges_key = "links" if "links" in data else "edges"
    ref_nodes = {n["id"]: n for n in data["nodes"]}
    ref_edges = {edge_key(e["source"], e["target"]): e for e in data[edges_key]}
    ref_label = {k: n["label"] for k, n in ref_nodes.items()}
    ref_weight = {k: float(e["weight"]) for k, e in ref_edges.items()}
    ref_type = {k: n["type"] for k, n in ref_nodes.items()}
    ref_mentions = {k: n["mentions"] for k, n in ref_nodes.items()}
    check(len(ref_nodes) == len(data["nodes"]), f"graph.json: node ids unique ({len(ref_nodes)} nodes)")
    check(len(ref_edges) == len(data[edges_key]), f"graph.json: one edge per pair ({len(ref_edges)} edges)")
    check(all(e["source"] in ref_nodes and e["target"] in ref_nodes for e in data[edges_key]),
          "graph.json: edges join known nodes")
    validate_schema(data)
    xml_label = {k: xml_text(v) for k, v in ref_label.items()}

    G = attempt("networkx.node_link_graph", lambda: json_graph(data))
    if G is not None:
        check(not G.is_directed() and not G.is_multigraph(), "networkx (json): undirected simple graph")
        same("networkx (json): labels", {n: a.get("label") for n, a in G.nodes(data=True)}, ref_label)
        same("networkx (json): weights", {edge_key(a, b): x.get("weight") for a, b, x in G.edges(data=True)},
             ref_weight)

    # GraphML
    ok, msg = xmllint(path("graph.graphml"))
    check(ok, "xmllint graph.graphml", msg)

    def nx_graphml():
        import networkx as nx
        return nx.read_graphml(path("graph.graphml"))
    G = attempt("networkx.read_graphml", nx_graphml)
    if G is not None:
        check(not G.is_directed(), "networkx (graphml): undirected")
        same("networkx (graphml): labels", {n: a.get("label", "") for n, a in G.nodes(data=True)}, xml_label)
        same("networkx (graphml): types", {n: a.get("type") for n, a in G.nodes(data=True)}, ref_type)
        same("networkx (graphml): mentions", {n: a.get("mentions") for n, a in G.nodes(data=True)}, ref_mentions)
        same("networkx (graphml): weights", {edge_key(a, b): x.get("weight") for a, b, x in G.edges(data=True)},
             ref_weight)
        same("networkx (graphml): edge counts", {edge_key(a, b): x.get("count") for a, b, x in G.edges(data=True)},
             {k: e["count"] for k, e in ref_edges.items()})
        same("networkx (graphml): ambiguous", {n: a.get("ambiguous") for n, a in G.nodes(data=True)},
             {k: n["ambiguous"] for k, n in ref_nodes.items()})

    def ig_graphml():
        import igraph
        return igraph.Graph.Read_GraphML(path("graph.graphml"))
    g = attempt("igraph.Graph.Read_GraphML", ig_graphml)
    if g is not None:
        ids = g.vs["id"] if g.vcount() else []
        check(not g.is_directed(), "igraph (graphml): undirected")
        labels = g.vs["label"] if g.vcount() else []
        same("igraph (graphml): labels", {i: (lab or "") for i, lab in zip(ids, labels)}, xml_label)
        same("igraph (graphml): weights",
             {edge_key(ids[e.source], ids[e.target]): e["weight"] for e in g.es}, ref_weight)

    # GEXF
    ok, msg = xmllint(path("graph.gexf"))
    check(ok, "xmllint graph.gexf", msg)
    G = attempt("networkx.read_gexf (1.3)", lambda: read_gexf_nx(path("graph.gexf")))
    if G is not None:
        check(not G.is_directed(), "networkx (gexf): undirected")
        same("networkx (gexf): labels", {n: a.get("label") for n, a in G.nodes(data=True)}, xml_label)
        same("networkx (gexf): types", {n: a.get("type") for n, a in G.nodes(data=True)}, ref_type)
        same("networkx (gexf): mentions", {n: a.get("mentions") for n, a in G.nodes(data=True)}, ref_mentions)
        same("networkx (gexf): weights", {edge_key(a, b): x.get("weight") for a, b, x in G.edges(data=True)},
             ref_weight)

    # CSV
    got = attempt("csv nodes.csv", lambda: read_csv(path("nodes.csv")))
    if got is not None:
        head, rows = got
        check(head == ["Id", "Label", "Type", "Mentions", "Documents", "Aliases"], "nodes.csv: header", str(head))
        same("nodes.csv: labels", {r["Id"]: r["Label"] for r in rows}, ref_label)
        same("nodes.csv: types", {r["Id"]: r["Type"] for r in rows}, ref_type)
        same("nodes.csv: mentions", {r["Id"]: int(r["Mentions"]) for r in rows}, ref_mentions)
    got = attempt("csv edges.csv", lambda: read_csv(path("edges.csv")))
    if got is not None:
        head, rows = got
        check(head == ["Source", "Target", "Type", "Weight", "Count", "Documents", "Evidence"],
              "edges.csv: header", str(head))
        check(all(r["Type"] == "Undirected" for r in rows), "edges.csv: Type=Undirected")
        same("edges.csv: weights", {edge_key(r["Source"], r["Target"]): float(r["Weight"]) for r in rows},
             ref_weight)
        same("edges.csv: counts", {edge_key(r["Source"], r["Target"]): int(r["Count"]) for r in rows},
             {k: e["count"] for k, e in ref_edges.items()})

    # graphology (node), when installed
    js_dir = os.path.join(HERE, "consumers-js")
    if shutil.which("node") and os.path.isdir(os.path.join(js_dir, "node_modules", "graphology")):
        p = run(["node", os.path.join(js_dir, "read.js"), d])
        if check(p.returncode == 0, "graphology parses graph.graphml and graph.gexf",
                 p.stderr.decode("utf-8", "replace").strip()[:300]):
            js = json.loads(p.stdout)
            for fmt in ("graphml", "gexf"):
                s = js[fmt]
                # graphology-gexf makes a "mixed" graph when there is no edge to look at
                check((s["type"] == "undirected" or (s["type"] == "mixed" and not s["size"])) and not s["multi"],
                      f"graphology ({fmt}): undirected simple graph", f"{s['type']}, multi={s['multi']}")
                same(f"graphology ({fmt}): labels", {k: (v or "") for k, v in s["nodes"].items()}, xml_label)
                same(f"graphology ({fmt}): weights", {edge_key(a, b): w for a, b, w in s["edges"]}, ref_weight)
    else:
        print("# skip graphology: node or tests/consumers-js/node_modules missing (tests/consumers.sh installs it)")

    # Graphviz. dot's hierarchical layout takes most of a minute on a dense
    # graph of a thousand edges: above DOT_MAX_EDGES only nop (parse and
    # print, no layout), neato and sfdp run.
    p = run(["nop", path("graph.dot")]) if shutil.which("nop") else None
    if p is not None:
        check(p.returncode == 0 and not p.stderr, "nop graph.dot (Graphviz parses it)",
              p.stderr.decode("utf-8", "replace").strip()[:300])
    for tool in ("dot", "neato", "sfdp"):
        if not shutil.which(tool):
            check(False, f"{tool} installed")
            continue
        if tool == "dot" and len(ref_edges) > DOT_MAX_EDGES:
            print(f"# skip dot -Tsvg: {len(ref_edges)} edges (more than {DOT_MAX_EDGES})")
            continue
        p = run([tool, "-Tsvg", path("graph.dot")])
        err = p.stderr.decode("utf-8", "replace").strip()
        check(p.returncode == 0 and p.stdout and "Error" not in err, f"{tool} -Tsvg graph.dot", err[:300])
        if p.returncode == 0:
            ok, msg = xmllint(None, p.stdout)
            check(ok, f"xmllint ({tool} -Tsvg graph.dot)", msg)
    p = run(["neato", "-Tjson", path("graph.dot")])
    if check(p.returncode == 0, "neato -Tjson graph.dot", p.stderr.decode("utf-8", "replace")[:300]):
        gv = json.loads(p.stdout)
        objs = gv.get("objects", [])
        names = [o["name"] for o in objs]
        same("graph.dot (Graphviz): labels", {dot_unescape(o["name"]): dot_unescape(o["label"]) for o in objs},
             {k: dot_text(v) for k, v in ref_label.items()})
        same("graph.dot (Graphviz): w weights",
             {edge_key(dot_unescape(names[e["tail"]]), dot_unescape(names[e["head"]])): float(e["w"])
              for e in gv.get("edges", [])}, ref_weight)
        ints = [e.get("weight", "1") for e in gv.get("edges", [])]
        check(all(re.fullmatch(r"[1-9][0-9]*", w) for w in ints), "graph.dot: integer weights >= 1",
              ",".join(ints[:5]))
    if os.path.exists(path("graph.svg")):
        ok, msg = xmllint(path("graph.svg"))
        check(ok, "xmllint graph.svg", msg)
    return finish()


def finish():
    print(f"consumers.py: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

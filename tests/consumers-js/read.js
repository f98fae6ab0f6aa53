#!/usr/bin/env node
// read.js DIR — parses DIR/graph.graphml and DIR/graph.gexf with graphology
// (graphology-graphml, graphology-gexf) and prints, as one JSON object, what
// tests/consumers.py compares with the other formats:
//   {"graphml": {"nodes": {id: label}, "edges": [[source, target, weight]]},
//    "gexf": {...the same...}}
// Exits non-zero (message on stderr) when a file cannot be parsed.
'use strict';
const fs = require('fs');
const path = require('path');
const Graph = require('graphology');
const graphml = require('graphology-graphml');
const gexf = require('graphology-gexf');

function summary(g) {
  const nodes = {};
  g.forEachNode((id, attr) => { nodes[id] = attr.label === undefined ? null : attr.label; });
  const edges = [];
  g.forEachEdge((e, attr, s, t) => { edges.push([s, t, attr.weight === undefined ? null : attr.weight]); });
  return {type: g.type, multi: g.multi, order: g.order, size: g.size, nodes, edges};
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: read.js DIR\n');
  process.exit(2);
}
const out = {};
for (const [name, lib] of [['graphml', graphml], ['gexf', gexf]]) {
  const file = path.join(dir, 'graph.' + name);
  try {
    out[name] = summary(lib.parse(Graph, fs.readFileSync(file, 'utf8')));
  } catch (err) {
    process.stderr.write(file + ': ' + err.message + '\n');
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(out) + '\n');

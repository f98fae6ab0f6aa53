/*
 * write_json.c — graph.json: the view in networkx's node-link shape,
 * through Jansson, for networkx (json_graph.node_link_graph), d3 and
 * Cytoscape.js loaders, and anything that reads JSON. One of the writers
 * called by eg_write_all; schema/graph.schema.json describes the result.
 *
 *   {"directed": false, "multigraph": false,
 *    "graph": {"window", "weight", "documents", "generator"},
 *    "nodes": [{"id", "label", "type", "mentions", "docs",
 *               "aliases": [{"text", "count"}], "ambiguous"}],
 *    "edges": [{"source", "target", "weight", "count", "docs",
 *               "evidence": [{"doc", "start", "end", "snippet"}]}]}
 *
 * eg_options.links_key names the edge array "links" (networkx before 3.4,
 * d3's force examples). Strings keep every character (Jansson escapes
 * controls as \uXXXX and keeps other UTF-8 as is); bytes that are not
 * valid UTF-8, which Jansson would refuse, become U+FFFD first. Weights
 * are printed with 15 significant digits, the same digits as the other
 * formats; counts above 2^63-1 (never seen) would be clamped.
 */
#include "writers.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string from UTF-8 text, cleaned when needed; NULL on OOM. */
static json_t *jstr(eg_buf *tmp, const char *s)
{
    const char *ok = egw_utf8_valid(tmp, s ? s : "");
    return ok ? json_string(ok) : NULL;
}

static json_t *jint(uint64_t x) { return json_integer(x > INT64_MAX ? INT64_MAX : (json_int_t)x); }

static json_t *node_json(const eg_node *n, eg_buf *tmp)
{
    json_t *o = json_object(), *al = json_array();
    size_t i;
    int bad = !o || !al;
    if (!bad) {
        for (i = 0; i < n->naliases && !bad; i++) {
            json_t *a = json_object();
            bad |= !a;
            if (a) {
                bad |= json_object_set_new(a, "text", jstr(tmp, n->aliases[i].text));
                bad |= json_object_set_new(a, "count", jint(n->aliases[i].count));
            }
            bad |= json_array_append_new(al, a);
        }
        bad |= json_object_set_new(o, "id", jstr(tmp, n->id));
        bad |= json_object_set_new(o, "label", jstr(tmp, n->label));
        bad |= json_object_set_new(o, "type", json_string(eg_type_name(n->type)));
        bad |= json_object_set_new(o, "mentions", jint(n->mentions));
        bad |= json_object_set_new(o, "docs", jint(n->docs));
        bad |= json_object_set_new(o, "aliases", al);
        al = NULL;
        bad |= json_object_set_new(o, "ambiguous", json_boolean(n->ambiguous));
    }
    json_decref(al);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *edge_json(const eg_gview *v, const eg_edge *ed, eg_buf *tmp)
{
    json_t *o = json_object(), *evs = json_array();
    size_t i;
    int bad = !o || !evs;
    if (!bad) {
        for (i = 0; i < ed->nev && !bad; i++) {
            const eg_evidence *ev = &ed->ev[i];
            json_t *x = json_object();
            bad |= !x;
            if (x) {
                bad |= json_object_set_new(x, "doc", jstr(tmp, ev->doc));
                bad |= json_object_set_new(x, "start", jint(ev->start));
                bad |= json_object_set_new(x, "end", jint(ev->end));
                eg_buf s = {0};
                const char *snip = eg_evidence_snippet(ev, &s);
                bad |= !snip || json_object_set_new(x, "snippet", jstr(tmp, snip));
                eg_buf_free(&s);
            }
            bad |= json_array_append_new(evs, x);
        }
        bad |= json_object_set_new(o, "source", jstr(tmp, v->nodes[ed->a].id));
        bad |= json_object_set_new(o, "target", jstr(tmp, v->nodes[ed->b].id));
        bad |= json_object_set_new(o, "weight", json_real(ed->weight));
        bad |= json_object_set_new(o, "count", jint(ed->count));
        bad |= json_object_set_new(o, "docs", jint(ed->docs));
        bad |= json_object_set_new(o, "evidence", evs);
        evs = NULL;
    }
    json_decref(evs);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Writes one value as Jansson prints it with JSON_INDENT(1), nested at
 * depth `depth`: every line after the first is indented by depth spaces,
 * so the file is the same as one dump of the whole tree. Frees x. */
static void put_value(egw_sink *s, json_t *x, int depth)
{
    char *text, *p, *nl;
    if (!x) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    text = json_dumps(x, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(x);
    if (!text) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    for (p = text; (nl = strchr(p, '\n')); p = nl + 1) {
        egw_add(s, p, (size_t)(nl - p) + 1);
        egw_add(s, "        ", (size_t)depth);
    }
    egw_puts(s, p);
    free(text);
}

/* The document is streamed: one node or edge object at a time goes through
 * Jansson, so memory does not grow with the graph. */
int eg_write_json(const eg_gview *v, const char *dir, eg_err *e)
{
    json_t *graph;
    eg_buf tmp = {0};
    egw_sink s;
    size_t i;
    int rc, bad;

    if ((rc = egw_check_view(v, "graph.json", e)))
        return rc;
    if ((rc = egw_open(&s, dir, "graph.json", e)))
        return rc;
    graph = json_object();
    bad = !graph;
    if (!bad) {
        bad |= json_object_set_new(graph, "window", jstr(&tmp, v->window_name));
        bad |= json_object_set_new(graph, "weight", jstr(&tmp, v->weight_name));
        bad |= json_object_set_new(graph, "documents", jint(v->ndocs));
        bad |= json_object_set_new(graph, "generator", json_string("entgraph " EG_VERSION));
    }
    if (bad) {
        json_decref(graph);
        graph = NULL;
    }
    egw_puts(&s, "{\n \"directed\": false,\n \"multigraph\": false,\n \"graph\": ");
    put_value(&s, graph, 1);
    egw_puts(&s, ",\n \"nodes\": [");
    for (i = 0; i < v->nnodes && !s.status; i++) {
        egw_puts(&s, i ? ",\n  " : "\n  ");
        put_value(&s, node_json(&v->nodes[i], &tmp), 2);
    }
    egw_puts(&s, v->nnodes ? "\n ]" : "]");
    egw_puts(&s, v->opt && v->opt->links_key ? ",\n \"links\": [" : ",\n \"edges\": [");
    for (i = 0; i < v->nedges && !s.status; i++) {
        egw_puts(&s, i ? ",\n  " : "\n  ");
        put_value(&s, edge_json(v, &v->edges[i], &tmp), 2);
    }
    egw_puts(&s, v->nedges ? "\n ]\n}\n" : "]\n}\n");
    eg_buf_free(&tmp);
    return egw_close(&s, e);
}

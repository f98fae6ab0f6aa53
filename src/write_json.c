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
 *
 * The bytes are those of Jansson's dump of the whole tree with
 * JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15), but
 * nodes and edges are not built as Jansson objects: the fixed structure is
 * written here, strings are escaped as Jansson escapes them (egw_json_esc
 * in writers.c; tests/unit/test_writers.c keeps Jansson as its oracle),
 * an integer printed in decimal and a whole-number real as digits and
 * ".0", which is what Jansson prints for them; every other real
 * (fractions) goes through Jansson (json_dumpb of a reused value). The
 * graph's header goes through Jansson as a whole.
 */
#include "writers.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define LIT(s) s, sizeof s - 1

/* A JSON string from UTF-8 text, cleaned when needed; NULL on OOM. */
static json_t *jstr(eg_buf *tmp, const char *s)
{
    const char *ok = egw_utf8_valid(tmp, s ? s : "");
    return ok ? json_string(ok) : NULL;
}

static json_t *jint(uint64_t x) { return json_integer(x > INT64_MAX ? INT64_MAX : (json_int_t)x); }

/* What the writer keeps while it streams. */
typedef struct {
    json_t *real;  /* a reused real value, for Jansson's form of a fraction */
    eg_buf snip;   /* a snippet read with pread */
    egw_names ids; /* every id as a JSON string */
} jctx;

/* Appends id as a JSON string (egw_names_make). */
static int fmt_id(eg_buf *b, size_t i, const char *id, void *ud)
{
    size_t n = strlen(id);
    (void)i;
    (void)ud;
    if (eg_buf_reserve(b, 6 * n + 2))
        return EG_ENOMEM;
    b->len = (size_t)(egw_json_esc(b->p + b->len, id, n) - b->p);
    return EG_OK;
}

/* Room put_real_at needs. */
#define REAL_ROOM 64

/* Puts w at o as Jansson prints it (o has REAL_ROOM bytes). */
static char *put_real_at(egw_sink *s, jctx *j, char *o, double w)
{
    size_t n;
    if (w > -1e15 && w < 1e15 && w == (double)(int64_t)w && !(w == 0 && signbit(w))) {
        n = egw_fmt_real_n(o, w); /* "%.15g" of a whole number: its digits, then ".0" */
        memcpy(o + n, ".0", 2);
        return o + n + 2;
    }
    if (json_real_set(j->real, w) || !(n = json_dumpb(j->real, o, REAL_ROOM, JSON_ENCODE_ANY | JSON_FLAGS)) ||
        n > REAL_ROOM) {
        egw_fail(s, EG_ENOMEM);
        return o;
    }
    return o + n;
}

/* Room for a JSON string of n bytes (egw_json_esc). */
#define STR_ROOM(n) (6 * (n) + 2)

static char *put_int_at(char *o, uint64_t x) { return egw_put_u64(o, x > INT64_MAX ? INT64_MAX : x); }

/* Node k, n = &v->nodes[k], formatted in place (egw_put) in room taken
 * once for the fixed part and once per alias. */
static void put_node(egw_sink *s, jctx *j, const eg_node *n, size_t k)
{
    const char *label = n->label ? n->label : "", *type = eg_type_name(n->type);
    size_t ll = strlen(label), tl = strlen(type), i;
    char *o = egw_room(s, 300 + egw_name_len(&j->ids, k) + STR_ROOM(ll) + STR_ROOM(tl));
    if (!o)
        return;
    o = EGW_PUT_LIT(o, "{\n   \"id\": ");
    o = egw_put_name_at(o, &j->ids, k);
    o = EGW_PUT_LIT(o, ",\n   \"label\": ");
    o = egw_json_esc(o, label, ll);
    o = EGW_PUT_LIT(o, ",\n   \"type\": ");
    o = egw_json_esc(o, type, tl);
    o = EGW_PUT_LIT(o, ",\n   \"mentions\": ");
    o = put_int_at(o, n->mentions);
    o = EGW_PUT_LIT(o, ",\n   \"docs\": ");
    o = put_int_at(o, n->docs);
    if (!n->naliases) {
        o = EGW_PUT_LIT(o, ",\n   \"aliases\": [],\n   \"ambiguous\": ");
    } else {
        o = EGW_PUT_LIT(o, ",\n   \"aliases\": [");
        for (i = 0; i < n->naliases; i++) {
            const char *t = n->aliases[i].text ? n->aliases[i].text : "";
            size_t tn = strlen(t);
            egw_done(s, o);
            if (!(o = egw_room(s, 200 + STR_ROOM(tn)))) /* the alias, and the rest of the node */
                return;
            if (i)
                o = EGW_PUT_LIT(o, ",\n    {\n     \"text\": ");
            else
                o = EGW_PUT_LIT(o, "\n    {\n     \"text\": ");
            o = egw_json_esc(o, t, tn);
            o = EGW_PUT_LIT(o, ",\n     \"count\": ");
            o = put_int_at(o, n->aliases[i].count);
            o = EGW_PUT_LIT(o, "\n    }");
        }
        o = EGW_PUT_LIT(o, "\n   ],\n   \"ambiguous\": ");
    }
    if (n->ambiguous)
        o = EGW_PUT_LIT(o, "true\n  }");
    else
        o = EGW_PUT_LIT(o, "false\n  }");
    egw_done(s, o);
}

/* An edge, formatted in place in room taken once for its head and once
 * per evidence record. */
static void put_edge(egw_sink *s, jctx *j, const eg_edge *ed)
{
    size_t i;
    char *o = egw_room(s, 300 + REAL_ROOM + egw_name_len(&j->ids, ed->a) + egw_name_len(&j->ids, ed->b));
    if (!o)
        return;
    o = EGW_PUT_LIT(o, "{\n   \"source\": ");
    o = egw_put_name_at(o, &j->ids, ed->a);
    o = EGW_PUT_LIT(o, ",\n   \"target\": ");
    o = egw_put_name_at(o, &j->ids, ed->b);
    o = EGW_PUT_LIT(o, ",\n   \"weight\": ");
    o = put_real_at(s, j, o, ed->weight);
    o = EGW_PUT_LIT(o, ",\n   \"count\": ");
    o = put_int_at(o, ed->count);
    o = EGW_PUT_LIT(o, ",\n   \"docs\": ");
    o = put_int_at(o, ed->docs);
    if (!ed->nev) {
        o = EGW_PUT_LIT(o, ",\n   \"evidence\": []\n  }");
        egw_done(s, o);
        return;
    }
    o = EGW_PUT_LIT(o, ",\n   \"evidence\": [");
    for (i = 0; i < ed->nev; i++) {
        const eg_evidence *ev = &ed->ev[i];
        const char *doc = ev->doc ? ev->doc : "", *snip;
        size_t len, dl;
        egw_done(s, o);
        if (!(snip = egw_snippet(s->env, ev, &len, &j->snip))) {
            egw_fail(s, EG_ENOMEM); /* as a failed Jansson value has always been reported */
            return;
        }
        dl = strlen(doc);
        if (!(o = egw_room(s, 200 + STR_ROOM(dl) + STR_ROOM(len)))) /* the record, and the edge's end */
            return;
        if (i)
            o = EGW_PUT_LIT(o, ",\n    {\n     \"doc\": ");
        else
            o = EGW_PUT_LIT(o, "\n    {\n     \"doc\": ");
        o = egw_json_esc(o, doc, dl);
        o = EGW_PUT_LIT(o, ",\n     \"start\": ");
        o = put_int_at(o, ev->start);
        o = EGW_PUT_LIT(o, ",\n     \"end\": ");
        o = put_int_at(o, ev->end);
        o = EGW_PUT_LIT(o, ",\n     \"snippet\": ");
        o = egw_json_esc(o, snip, len);
        o = EGW_PUT_LIT(o, "\n    }");
    }
    o = EGW_PUT_LIT(o, "\n   ]\n  }");
    egw_done(s, o);
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
    text = json_dumps(x, JSON_FLAGS);
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

/* The document is streamed: one node or edge at a time, so memory does not
 * grow with the graph. */
int egw_write_json(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    json_t *graph;
    jctx j;
    egw_sink s;
    size_t i;
    int rc, bad;

    if ((rc = egw_check_view(v, "graph.json", e)))
        return rc;
    if ((rc = egw_open_env(&s, env, dir, "graph.json", e)))
        return rc;
    memset(&j, 0, sizeof j);
    j.real = json_real(0);
    if (!j.real || egw_names_make(&j.ids, v, fmt_id, NULL))
        egw_fail(&s, EG_ENOMEM);
    graph = json_object();
    bad = !graph;
    if (!bad) {
        bad |= json_object_set_new(graph, "window", jstr(&j.snip, v->window_name));
        bad |= json_object_set_new(graph, "weight", jstr(&j.snip, v->weight_name));
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
        egw_prefetch_node(v, i);
        egw_add(&s, i ? ",\n  " : "\n  ", i ? 4 : 3);
        put_node(&s, &j, &v->nodes[i], i);
    }
    egw_puts(&s, v->nnodes ? "\n ]" : "]");
    egw_puts(&s, v->opt && v->opt->links_key ? ",\n \"links\": [" : ",\n \"edges\": [");
    for (i = 0; i < v->nedges && !s.status; i++) {
        egw_prefetch(env, v, i, SIZE_MAX);
        egw_add(&s, i ? ",\n  " : "\n  ", i ? 4 : 3);
        put_edge(&s, &j, &v->edges[i]);
    }
    egw_puts(&s, v->nedges ? "\n ]\n}\n" : "]\n}\n");
    json_decref(j.real);
    eg_buf_free(&j.snip);
    egw_names_free(&j.ids);
    return egw_close(&s, e);
}

int eg_write_json(const eg_gview *v, const char *dir, eg_err *e) { return egw_write_alone(egw_write_json, v, dir, e); }

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
                bad |= json_object_set_new(x, "snippet", jstr(tmp, ev->snippet));
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

static int dump_cb(const char *buf, size_t size, void *data)
{
    egw_sink *s = data;
    egw_add(s, buf, size);
    return s->status ? -1 : 0;
}

int eg_write_json(const eg_gview *v, const char *dir, eg_err *e)
{
    json_t *root = NULL, *graph = NULL, *nodes = NULL, *edges = NULL;
    eg_buf tmp = {0};
    egw_sink s;
    size_t i;
    int rc, bad;

    if ((rc = egw_check_view(v, "graph.json", e)))
        return rc;
    root = json_object();
    graph = json_object();
    nodes = json_array();
    edges = json_array();
    bad = !root || !graph || !nodes || !edges;
    if (!bad) {
        bad |= json_object_set_new(graph, "window", jstr(&tmp, v->window_name));
        bad |= json_object_set_new(graph, "weight", jstr(&tmp, v->weight_name));
        bad |= json_object_set_new(graph, "documents", jint(v->ndocs));
        bad |= json_object_set_new(graph, "generator", json_string("entgraph " EG_VERSION));
    }
    for (i = 0; i < v->nnodes && !bad; i++)
        bad |= json_array_append_new(nodes, node_json(&v->nodes[i], &tmp));
    for (i = 0; i < v->nedges && !bad; i++)
        bad |= json_array_append_new(edges, edge_json(v, &v->edges[i], &tmp));
    if (!bad) {
        bad |= json_object_set_new(root, "directed", json_false());
        bad |= json_object_set_new(root, "multigraph", json_false());
        bad |= json_object_set_new(root, "graph", graph);
        bad |= json_object_set_new(root, "nodes", nodes);
        bad |= json_object_set_new(root, v->opt && v->opt->links_key ? "links" : "edges", edges);
        graph = nodes = edges = NULL;
    }
    eg_buf_free(&tmp);
    if (bad) {
        rc = eg_err_set(e, EG_ENOMEM, "%s/graph.json: out of memory", dir);
        goto out;
    }
    if ((rc = egw_open(&s, dir, "graph.json", e)))
        goto out;
    if (json_dump_callback(root, dump_cb, &s,
                           JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) != 0 &&
        !s.status)
        egw_fail(&s, EG_ENOMEM); /* Jansson fails only on memory once the tree is built */
    egw_puts(&s, "\n");
    rc = egw_close(&s, e);
out:
    json_decref(root);
    json_decref(graph);
    json_decref(nodes);
    json_decref(edges);
    return rc;
}

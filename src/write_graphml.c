/*
 * write_graphml.c — graph.graphml: the view as GraphML (namespace
 * http://graphml.graphdrawing.org/xmlns), undirected, for networkx,
 * igraph, Gephi, yEd and Cytoscape. One of the writers called by
 * eg_write_all (writers.c).
 *
 * Every attribute is declared by a <key> whose id is its name (the edge
 * document count is "edocs", the graph's weighting "gweight", as ids are
 * shared by all domains); types are GraphML's own (boolean, long, double,
 * string). Data elements whose string is empty are left out (GraphML: the
 * value is then undefined), as readers treat an empty element differently.
 * Text is escaped by egw_xml (writers.h): controls that XML 1.0 cannot hold
 * become U+FFFD; TAB, LF and CR are character references.
 */
#include "writers.h"

#include <string.h>

static const char *const keys[][4] = {
    /* id, for, attr.name, attr.type */
    {"window", "graph", "window", "string"},
    {"gweight", "graph", "weight", "string"},
    {"documents", "graph", "documents", "long"},
    {"generator", "graph", "generator", "string"},
    {"label", "node", "label", "string"},
    {"type", "node", "type", "string"},
    {"mentions", "node", "mentions", "long"},
    {"docs", "node", "docs", "long"},
    {"aliases", "node", "aliases", "string"},
    {"ambiguous", "node", "ambiguous", "boolean"},
    {"weight", "edge", "weight", "double"},
    {"count", "edge", "count", "long"},
    {"edocs", "edge", "docs", "long"},
    {"evidence", "edge", "evidence", "string"},
};

/* One <data> element with a string value; nothing for an empty string. */
static void data_str(egw_sink *s, const char *indent, const char *key, const char *val)
{
    if (!val || !*val)
        return;
    egw_printf(s, "%s<data key=\"%s\">", indent, key);
    egw_xml(s, val);
    egw_puts(s, "</data>\n");
}

static void data_u64(egw_sink *s, const char *indent, const char *key, uint64_t val)
{
    egw_printf(s, "%s<data key=\"%s\">%llu</data>\n", indent, key, (unsigned long long)val);
}


/* Appends id escaped (egw_names_make). */
static int fmt_id(eg_buf *b, size_t i, const char *id, void *ud)
{
    (void)i;
    (void)ud;
    return egw_xml_buf(b, id);
}

/* Node i (n): its element, with each piece put in place (egw_put) in
 * room taken once for the fixed part and once per alias. */
static void put_node(egw_sink *s, const egw_names *ids, const eg_node *n, size_t i)
{
    const char *type = eg_type_name(n->type);
    size_t ll = strlen(n->label), tl = strlen(type), k;
    char *o = egw_room(s, 400 + egw_name_len(ids, i) + EGW_XML_ROOM(ll + tl));
    if (!o)
        return;
    o = EGW_PUT_LIT(o, "    <node id=\"");
    o = egw_put_name_at(o, ids, i);
    o = EGW_PUT_LIT(o, "\">\n");
    if (ll) {
        o = EGW_PUT_LIT(o, "      <data key=\"label\">");
        o = egw_xml_esc(o, n->label, ll);
        o = EGW_PUT_LIT(o, "</data>\n");
    }
    if (tl) {
        o = EGW_PUT_LIT(o, "      <data key=\"type\">");
        o = egw_xml_esc(o, type, tl);
        o = EGW_PUT_LIT(o, "</data>\n");
    }
    o = EGW_PUT_LIT(o, "      <data key=\"mentions\">");
    o = egw_put_u64(o, n->mentions);
    o = EGW_PUT_LIT(o, "</data>\n      <data key=\"docs\">");
    o = egw_put_u64(o, n->docs);
    o = EGW_PUT_LIT(o, "</data>\n");
    if (n->naliases) { /* egw_aliases_text's list, each alias escaped on its own */
        o = EGW_PUT_LIT(o, "      <data key=\"aliases\">");
        for (k = 0; k < n->naliases; k++) {
            const char *t = n->aliases[k].text ? n->aliases[k].text : "";
            size_t tn = strlen(t);
            egw_done(s, o);
            if (!(o = egw_room(s, 200 + EGW_XML_ROOM(tn)))) /* the alias, and the rest of the node */
                return;
            if (k)
                o = EGW_PUT_LIT(o, "; ");
            o = egw_xml_esc(o, t, tn);
            o = EGW_PUT_LIT(o, " (");
            o = egw_put_u64(o, n->aliases[k].count);
            o = EGW_PUT_LIT(o, ")");
        }
        o = EGW_PUT_LIT(o, "</data>\n");
    }
    if (n->ambiguous)
        o = EGW_PUT_LIT(o, "      <data key=\"ambiguous\">true</data>\n    </node>\n");
    else
        o = EGW_PUT_LIT(o, "      <data key=\"ambiguous\">false</data>\n    </node>\n");
    egw_done(s, o);
}

/* Edge i (ed), in room taken once. The evidence is egw_evidence_text's
 * line with its parts escaped one by one (cleaning and XML escaping
 * replace an invalid byte the same way, and the joins are plain ASCII).
 * An unreadable snippet fails the sink as out of memory, as the writers
 * have always reported it. */
static void put_edge(egw_sink *s, const egw_names *ids, eg_buf *tmp, const eg_edge *ed, size_t i)
{
    const char *doc = NULL, *snip = NULL;
    size_t dl = 0, sl = 0;
    char *o;
    if (ed->nev) {
        if (!(snip = egw_snippet(s->env, &ed->ev[0], &sl, tmp))) {
            egw_fail(s, EG_ENOMEM);
            return;
        }
        doc = ed->ev[0].doc ? ed->ev[0].doc : "";
        dl = strlen(doc);
    }
    o = egw_room(s, 400 + egw_name_len(ids, ed->a) + egw_name_len(ids, ed->b) + EGW_XML_ROOM(dl + sl));
    if (!o)
        return;
    o = EGW_PUT_LIT(o, "    <edge id=\"e");
    o = egw_put_u64(o, i);
    o = EGW_PUT_LIT(o, "\" source=\"");
    o = egw_put_name_at(o, ids, ed->a);
    o = EGW_PUT_LIT(o, "\" target=\"");
    o = egw_put_name_at(o, ids, ed->b);
    o = EGW_PUT_LIT(o, "\">\n      <data key=\"weight\">");
    o += egw_fmt_real_n(o, ed->weight);
    o = EGW_PUT_LIT(o, "</data>\n      <data key=\"count\">");
    o = egw_put_u64(o, ed->count);
    o = EGW_PUT_LIT(o, "</data>\n      <data key=\"edocs\">");
    o = egw_put_u64(o, ed->docs);
    o = EGW_PUT_LIT(o, "</data>\n");
    if (ed->nev) {
        o = EGW_PUT_LIT(o, "      <data key=\"evidence\">");
        o = egw_xml_esc(o, doc, dl);
        o = EGW_PUT_LIT(o, " [");
        o = egw_put_u64(o, ed->ev[0].start);
        o = EGW_PUT_LIT(o, "-");
        o = egw_put_u64(o, ed->ev[0].end);
        o = EGW_PUT_LIT(o, "] ");
        o = egw_xml_esc(o, snip, sl);
        o = EGW_PUT_LIT(o, "</data>\n");
    }
    o = EGW_PUT_LIT(o, "    </edge>\n");
    egw_done(s, o);
}

int egw_write_graphml(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    egw_sink s;
    egw_names ids;
    eg_buf tmp = {0};
    size_t i;
    int rc;

    if ((rc = egw_check_view(v, "graph.graphml", e)))
        return rc;
    if ((rc = egw_open_env(&s, env, dir, "graph.graphml", e)))
        return rc;
    if (egw_names_make(&ids, v, fmt_id, NULL))
        egw_fail(&s, EG_ENOMEM);

    egw_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\""
                 " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                 " xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns"
                 " http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        egw_printf(&s, "  <key id=\"%s\" for=\"%s\" attr.name=\"%s\" attr.type=\"%s\"/>\n", keys[i][0],
                   keys[i][1], keys[i][2], keys[i][3]);
    egw_puts(&s, "  <graph id=\"entgraph\" edgedefault=\"undirected\">\n");
    data_str(&s, "    ", "window", v->window_name);
    data_str(&s, "    ", "gweight", v->weight_name);
    data_u64(&s, "    ", "documents", v->ndocs);
    data_str(&s, "    ", "generator", "entgraph " EG_VERSION);

    /* the elements below are data_str / data_u64 spelt out: the same bytes */
    for (i = 0; i < v->nnodes && !s.status; i++) {
        egw_prefetch_node(v, i);
        put_node(&s, &ids, &v->nodes[i], i);
    }
    for (i = 0; i < v->nedges && !s.status; i++) {
        egw_prefetch(env, v, i, 1);
        put_edge(&s, &ids, &tmp, &v->edges[i], i);
    }
    egw_puts(&s, "  </graph>\n</graphml>\n");

    eg_buf_free(&tmp);
    egw_names_free(&ids);
    return egw_close(&s, e);
}

int eg_write_graphml(const eg_gview *v, const char *dir, eg_err *e)
{
    return egw_write_alone(egw_write_graphml, v, dir, e);
}

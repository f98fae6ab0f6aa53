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

/* The literal text around a value, as (pointer, length) for egw_add. */
#define LIT(s) s, sizeof s - 1

/* Appends id escaped (egw_names_make). */
static int fmt_id(eg_buf *b, size_t i, const char *id, void *ud)
{
    (void)i;
    (void)ud;
    return egw_xml_buf(b, id);
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
        const eg_node *n = &v->nodes[i];
        egw_prefetch_node(v, i);
        egw_add(&s, LIT("    <node id=\""));
        egw_put_name(&s, &ids, i);
        egw_add(&s, LIT("\">\n"));
        if (*n->label) {
            egw_add(&s, LIT("      <data key=\"label\">"));
            egw_xml(&s, n->label);
            egw_add(&s, LIT("</data>\n"));
        }
        if (*eg_type_name(n->type)) {
            egw_add(&s, LIT("      <data key=\"type\">"));
            egw_xml(&s, eg_type_name(n->type));
            egw_add(&s, LIT("</data>\n"));
        }
        egw_add(&s, LIT("      <data key=\"mentions\">"));
        egw_u64(&s, n->mentions);
        egw_add(&s, LIT("</data>\n      <data key=\"docs\">"));
        egw_u64(&s, n->docs);
        egw_add(&s, LIT("</data>\n"));
        if (n->naliases) {
            egw_add(&s, LIT("      <data key=\"aliases\">"));
            egw_xml_aliases(&s, n);
            egw_add(&s, LIT("</data>\n"));
        }
        if (n->ambiguous)
            egw_add(&s, LIT("      <data key=\"ambiguous\">true</data>\n    </node>\n"));
        else
            egw_add(&s, LIT("      <data key=\"ambiguous\">false</data>\n    </node>\n"));
    }

    for (i = 0; i < v->nedges && !s.status; i++) {
        const eg_edge *ed = &v->edges[i];
        egw_prefetch(env, v, i, 1);
        egw_add(&s, LIT("    <edge id=\"e"));
        egw_u64(&s, i);
        egw_add(&s, LIT("\" source=\""));
        egw_put_name(&s, &ids, ed->a);
        egw_add(&s, LIT("\" target=\""));
        egw_put_name(&s, &ids, ed->b);
        egw_add(&s, LIT("\">\n      <data key=\"weight\">"));
        egw_real(&s, ed->weight);
        egw_add(&s, LIT("</data>\n      <data key=\"count\">"));
        egw_u64(&s, ed->count);
        egw_add(&s, LIT("</data>\n      <data key=\"edocs\">"));
        egw_u64(&s, ed->docs);
        egw_add(&s, LIT("</data>\n"));
        if (ed->nev) {
            egw_add(&s, LIT("      <data key=\"evidence\">"));
            egw_xml_evidence(&s, &ed->ev[0], &tmp);
            egw_add(&s, LIT("</data>\n"));
        }
        egw_add(&s, LIT("    </edge>\n"));
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

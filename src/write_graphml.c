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

int eg_write_graphml(const eg_gview *v, const char *dir, eg_err *e)
{
    egw_sink s;
    eg_buf tmp = {0};
    size_t i;
    int rc;

    if ((rc = egw_check_view(v, "graph.graphml", e)))
        return rc;
    if ((rc = egw_open(&s, dir, "graph.graphml", e)))
        return rc;

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

    for (i = 0; i < v->nnodes && !s.status; i++) {
        const eg_node *n = &v->nodes[i];
        egw_puts(&s, "    <node id=\"");
        egw_xml(&s, n->id);
        egw_puts(&s, "\">\n");
        data_str(&s, "      ", "label", n->label);
        data_str(&s, "      ", "type", eg_type_name(n->type));
        data_u64(&s, "      ", "mentions", n->mentions);
        data_u64(&s, "      ", "docs", n->docs);
        eg_buf_reset(&tmp);
        if (egw_aliases_text(&tmp, n))
            egw_fail(&s, EG_ENOMEM);
        data_str(&s, "      ", "aliases", eg_buf_cstr(&tmp));
        egw_printf(&s, "      <data key=\"ambiguous\">%s</data>\n", n->ambiguous ? "true" : "false");
        egw_puts(&s, "    </node>\n");
    }

    for (i = 0; i < v->nedges && !s.status; i++) {
        const eg_edge *ed = &v->edges[i];
        egw_printf(&s, "    <edge id=\"e%zu\" source=\"", i);
        egw_xml(&s, v->nodes[ed->a].id);
        egw_puts(&s, "\" target=\"");
        egw_xml(&s, v->nodes[ed->b].id);
        egw_puts(&s, "\">\n      <data key=\"weight\">");
        egw_real(&s, ed->weight);
        egw_puts(&s, "</data>\n");
        data_u64(&s, "      ", "count", ed->count);
        data_u64(&s, "      ", "edocs", ed->docs);
        if (ed->nev) {
            eg_buf_reset(&tmp);
            if (egw_evidence_text(&tmp, &ed->ev[0]))
                egw_fail(&s, EG_ENOMEM);
            data_str(&s, "      ", "evidence", eg_buf_cstr(&tmp));
        }
        egw_puts(&s, "    </edge>\n");
    }
    egw_puts(&s, "  </graph>\n</graphml>\n");

    eg_buf_free(&tmp);
    return egw_close(&s, e);
}

/*
 * write_gexf.c — graph.gexf: the view as GEXF 1.3 (namespace
 * http://gexf.net/1.3 with the viz module), undirected, for Gephi (and
 * networkx, graphology). One of the writers called by eg_write_all.
 *
 * Node and edge attributes are declared in <attributes class="node"> and
 * class="edge" with ids equal to their titles, so readers that key by id
 * and readers that key by title see the same names. The edge weight is
 * GEXF's own weight attribute. viz:color is the type colour, viz:shape the
 * nearest GEXF shape to the Graphviz one, viz:size grows with the square
 * root of the mentions (5 + 3 * sqrt(mentions), at most 50) so that a node
 * mentioned a thousand times does not cover the canvas. Text is escaped by
 * egw_xml (writers.h).
 */
#include "writers.h"

#include <math.h>

static const char *const gexf_shape[EG_NTYPES] = {
    [EG_PERSON] = "disc", [EG_ORG] = "square", [EG_PLACE] = "triangle", [EG_EVENT] = "diamond"};

static void attvalue_str(egw_sink *s, const char *key, const char *val)
{
    egw_printf(s, "          <attvalue for=\"%s\" value=\"", key);
    egw_xml(s, val);
    egw_puts(s, "\"/>\n");
}

static void attvalue_u64(egw_sink *s, const char *key, uint64_t val)
{
    egw_printf(s, "          <attvalue for=\"%s\" value=\"%llu\"/>\n", key, (unsigned long long)val);
}

int egw_write_gexf(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    egw_sink s;
    eg_buf tmp = {0};
    size_t i;
    int rc;

    if ((rc = egw_check_view(v, "graph.gexf", e)))
        return rc;
    if ((rc = egw_open_env(&s, env, dir, "graph.gexf", e)))
        return rc;

    egw_puts(&s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\""
                 " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                 " xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n"
                 "  <meta>\n    <creator>entgraph " EG_VERSION "</creator>\n"
                 "    <description>named entities that occur in the same window; window: ");
    egw_xml(&s, v->window_name ? v->window_name : "");
    egw_puts(&s, "; weight: ");
    egw_xml(&s, v->weight_name ? v->weight_name : "");
    egw_printf(&s, "; documents: %llu</description>\n  </meta>\n", (unsigned long long)v->ndocs);
    egw_puts(&s, "  <graph mode=\"static\" defaultedgetype=\"undirected\">\n"
                 "    <attributes class=\"node\" mode=\"static\">\n"
                 "      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n"
                 "      <attribute id=\"mentions\" title=\"mentions\" type=\"long\"/>\n"
                 "      <attribute id=\"docs\" title=\"docs\" type=\"long\"/>\n"
                 "      <attribute id=\"aliases\" title=\"aliases\" type=\"string\"/>\n"
                 "      <attribute id=\"ambiguous\" title=\"ambiguous\" type=\"boolean\"/>\n"
                 "    </attributes>\n"
                 "    <attributes class=\"edge\" mode=\"static\">\n"
                 "      <attribute id=\"count\" title=\"count\" type=\"long\"/>\n"
                 "      <attribute id=\"docs\" title=\"docs\" type=\"long\"/>\n"
                 "      <attribute id=\"evidence\" title=\"evidence\" type=\"string\"/>\n"
                 "    </attributes>\n"
                 "    <nodes>\n");

    for (i = 0; i < v->nnodes && !s.status; i++) {
        const eg_node *n = &v->nodes[i];
        int rgb[3];
        double size = 5 + 3 * sqrt((double)n->mentions);
        size = size > 50 ? 50 : round(size * 100) / 100;
        egw_puts(&s, "      <node id=\"");
        egw_xml(&s, n->id);
        egw_puts(&s, "\" label=\"");
        egw_xml(&s, n->label);
        egw_puts(&s, "\">\n        <attvalues>\n");
        attvalue_str(&s, "type", eg_type_name(n->type));
        attvalue_u64(&s, "mentions", n->mentions);
        attvalue_u64(&s, "docs", n->docs);
        eg_buf_reset(&tmp);
        if (egw_aliases_text(&tmp, n))
            egw_fail(&s, EG_ENOMEM);
        attvalue_str(&s, "aliases", eg_buf_cstr(&tmp));
        attvalue_str(&s, "ambiguous", n->ambiguous ? "true" : "false");
        egw_puts(&s, "        </attvalues>\n");
        egw_type_rgb(n->type, rgb);
        egw_printf(&s, "        <viz:color r=\"%d\" g=\"%d\" b=\"%d\"/>\n        <viz:size value=\"", rgb[0],
                   rgb[1], rgb[2]);
        egw_real(&s, size);
        egw_printf(&s, "\"/>\n        <viz:shape value=\"%s\"/>\n      </node>\n",
                   (unsigned)n->type < EG_NTYPES ? gexf_shape[n->type] : "disc");
    }
    egw_puts(&s, "    </nodes>\n    <edges>\n");

    for (i = 0; i < v->nedges && !s.status; i++) {
        const eg_edge *ed = &v->edges[i];
        egw_printf(&s, "      <edge id=\"e%zu\" source=\"", i);
        egw_xml(&s, v->nodes[ed->a].id);
        egw_puts(&s, "\" target=\"");
        egw_xml(&s, v->nodes[ed->b].id);
        egw_puts(&s, "\" weight=\"");
        egw_real(&s, ed->weight);
        egw_puts(&s, "\">\n        <attvalues>\n");
        attvalue_u64(&s, "count", ed->count);
        attvalue_u64(&s, "docs", ed->docs);
        eg_buf_reset(&tmp);
        if (ed->nev && egw_evidence_text_env(env, &tmp, &ed->ev[0]))
            egw_fail(&s, EG_ENOMEM);
        attvalue_str(&s, "evidence", eg_buf_cstr(&tmp));
        egw_puts(&s, "        </attvalues>\n      </edge>\n");
    }
    egw_puts(&s, "    </edges>\n  </graph>\n</gexf>\n");

    eg_buf_free(&tmp);
    return egw_close(&s, e);
}

int eg_write_gexf(const eg_gview *v, const char *dir, eg_err *e) { return egw_write_alone(egw_write_gexf, v, dir, e); }

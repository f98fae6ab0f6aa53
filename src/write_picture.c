/*
 * write_picture.c — graph.svg / graph.png: a picture of the graph, laid
 * out and drawn by Graphviz's library (gvc), meant to be read as it is.
 * One of the writers called by eg_write_all; graph.dot (write_dot.c) is
 * the whole graph for people who want to lay it out themselves.
 *
 * A corpus graph has a few hundred nodes; drawn whole it is a hairball. So
 * the picture keeps the PIC_NODES (60) most mentioned nodes (ties: view
 * order), and of the edges among them the PIC_EDGES (150) heaviest (ties:
 * higher count, then view order); every node kept is labelled. Layout is
 * sfdp (force-directed, good at this size) and neato when sfdp cannot be
 * had, with overlap=prism so labels do not collide. Node colour and shape
 * follow the type, label size grows with the square root of the mentions,
 * edge width with the weight; a legend at the bottom names the colours and
 * says what was left out. The same view gives the same picture: the layout
 * starts from a fixed seed (start=1).
 *
 * gvc prints its warnings and errors through cgraph's agerr; while this
 * file works they are caught (agseterrf) rather than printed, and a failed
 * layout or render is reported with the last message. gvc and cgraph keep
 * global state: call this from one thread at a time.
 *
 * One Graphviz context serves every call and is never freed: Graphviz's
 * pango plugin (2.43 at least) remembers a pointer to the last font name,
 * which lives in the context, and reads it on the next call, after
 * gvFreeContext had freed it (seen under AddressSanitizer).
 */
#include "writers.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define PIC_NODES 60
#define PIC_EDGES 150

/* ---- catching Graphviz's messages ---- */

static char gv_msg[400];

static int gv_catch(char *s)
{
    size_t have = strlen(gv_msg);
    if (have + 1 < sizeof gv_msg)
        snprintf(gv_msg + have, sizeof gv_msg - have, "%s", s);
    return 0;
}

/* The caught messages as one line (newlines become "; "). */
static const char *gv_message(void)
{
    char *p;
    size_t n = strlen(gv_msg);
    while (n && (gv_msg[n - 1] == '\n' || gv_msg[n - 1] == ' '))
        gv_msg[--n] = 0;
    for (p = gv_msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    return gv_msg[0] ? gv_msg : "no message from Graphviz";
}

/* ---- choosing what to draw ---- */

static const eg_gview *sort_view; /* qsort has no context argument */

static int by_mentions(const void *x, const void *y)
{
    const size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const eg_node *na = &sort_view->nodes[a], *nb = &sort_view->nodes[b];
    if (na->mentions != nb->mentions)
        return na->mentions > nb->mentions ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int by_weight(const void *x, const void *y)
{
    const size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const eg_edge *ea = &sort_view->edges[a], *eb = &sort_view->edges[b];
    if (ea->weight != eb->weight)
        return ea->weight > eb->weight ? -1 : 1;
    if (ea->count != eb->count)
        return ea->count > eb->count ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int by_index(const void *x, const void *y)
{
    const size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

/* ---- building the graph ---- */

/* Appends a label for display: as egw_dot_esc, less the invisible format
 * characters (Unicode category Cf: zero-width spaces, joiners, bidi
 * controls, soft hyphen), which draw nothing and make Graphviz's pango
 * plugin fail (GLib "Pango-CRITICAL" on stderr) on a line holding only
 * them. */
static int display_label(eg_buf *b, eg_buf *tmp, const char *label)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)label;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(label), i = 0;
    eg_buf_reset(tmp);
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, n - i, &cp);
        if (k <= 0)
            k = 1; /* egw_dot_esc replaces the bad byte */
        else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CF) {
            i += k;
            continue;
        }
        if (eg_buf_add(tmp, p + i, (size_t)k))
            return EG_ENOMEM;
        i += k;
    }
    return egw_dot_esc(b, eg_buf_cstr(tmp));
}

static int set(void *obj, const char *name, const char *value)
{
    return agsafeset(obj, (char *)name, (char *)value, "") == 0 ? EG_OK : EG_ENOMEM;
}

/* The legend: one coloured cell per type, and a line saying what is shown. */
static int set_legend(Agraph_t *g, const eg_gview *v, size_t nn, size_t ne, eg_buf *b)
{
    char *html;
    int t, rc;
    eg_buf_reset(b);
    if (eg_buf_adds(b, "<TABLE BORDER=\"0\" CELLSPACING=\"2\"><TR><TD>"
                       "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"4\" CELLPADDING=\"4\"><TR>"))
        return EG_ENOMEM;
    for (t = 0; t < EG_NTYPES; t++)
        if (eg_buf_addf(b, "<TD BGCOLOR=\"%s\">%s</TD>", eg_type_color((eg_type)t), eg_type_name((eg_type)t)))
            return EG_ENOMEM;
    if (eg_buf_addf(b, "</TR></TABLE></TD></TR><TR><TD><FONT POINT-SIZE=\"11\">%zu of %zu entities (most "
                       "mentioned), %zu of %zu links (strongest among them)<BR/>window: ",
                    nn, v->nnodes, ne, v->nedges) ||
        egw_xml_buf(b, v->window_name ? v->window_name : "?") || eg_buf_adds(b, "; weight: ") ||
        egw_xml_buf(b, v->weight_name ? v->weight_name : "?") ||
        eg_buf_addf(b, "; %llu documents</FONT></TD></TR></TABLE>", (unsigned long long)v->ndocs))
        return EG_ENOMEM;
    if (!(html = agstrdup_html(g, (char *)eg_buf_cstr(b))))
        return EG_ENOMEM;
    rc = agsafeset(g, "label", html, "") == 0 ? EG_OK : EG_ENOMEM;
    agstrfree(g, html);
    return rc;
}

static int build(Agraph_t *g, const eg_gview *v, eg_buf *b, eg_buf *t)
{
    size_t *ord = NULL, *eord = NULL, *slot = NULL;
    Agnode_t **nodes = NULL;
    size_t nn = v->nnodes < PIC_NODES ? v->nnodes : PIC_NODES, ne = 0, i;
    uint64_t mmax = 1;
    double lo, hi;
    char num[64];
    int rc = EG_ENOMEM;

    if (v->nnodes && (!(ord = eg_malloc(v->nnodes * sizeof *ord)) || !(slot = eg_malloc(v->nnodes * sizeof *slot)) ||
                      !(nodes = eg_calloc(v->nnodes, sizeof *nodes))))
        goto out;
    if (v->nedges && !(eord = eg_malloc(v->nedges * sizeof *eord)))
        goto out;

    /* the nodes: most mentioned first, then back into view order */
    sort_view = v;
    for (i = 0; i < v->nnodes; i++)
        ord[i] = i;
    if (v->nnodes)
        qsort(ord, v->nnodes, sizeof *ord, by_mentions);
    if (nn)
        mmax = v->nodes[ord[0]].mentions ? v->nodes[ord[0]].mentions : 1;
    if (nn)
        qsort(ord, nn, sizeof *ord, by_index);
    for (i = 0; i < v->nnodes; i++)
        slot[i] = SIZE_MAX;
    for (i = 0; i < nn; i++)
        slot[ord[i]] = i;

    /* the edges among them: heaviest first, then back into view order */
    for (i = 0; i < v->nedges; i++)
        if (slot[v->edges[i].a] != SIZE_MAX && slot[v->edges[i].b] != SIZE_MAX)
            eord[ne++] = i;
    if (ne)
        qsort(eord, ne, sizeof *eord, by_weight);
    if (ne > PIC_EDGES)
        ne = PIC_EDGES;
    if (ne)
        qsort(eord, ne, sizeof *eord, by_index);

    if (set(g, "overlap", "prism") || set(g, "splines", "true") || set(g, "outputorder", "edgesfirst") ||
        set(g, "start", "1") || set(g, "bgcolor", "white") || set(g, "pad", "0.3") ||
        set(g, "size", "20,20") || set(g, "fontname", "Helvetica,Arial,sans-serif") ||
        set(g, "fontsize", "12") || set(g, "labelloc", "b") || set_legend(g, v, nn, ne, b))
        goto out;

    for (i = 0; i < nn; i++) {
        const eg_node *n = &v->nodes[ord[i]];
        Agnode_t *x;
        int rgb[3];
        eg_buf_reset(b);
        if (egw_dot_esc(b, n->id) || !(x = nodes[ord[i]] = agnode(g, (char *)eg_buf_cstr(b), 1)))
            goto out;
        eg_buf_reset(b);
        if (display_label(b, t, n->label) || set(x, "label", eg_buf_cstr(b)))
            goto out;
        egw_type_rgb(n->type, rgb);
        snprintf(num, sizeof num, "#%02X%02X%02X", rgb[0] * 3 / 5, rgb[1] * 3 / 5, rgb[2] * 3 / 5);
        if (set(x, "shape", eg_type_shape(n->type)) || set(x, "style", n->ambiguous ? "filled,dashed" : "filled") ||
            set(x, "fillcolor", eg_type_color(n->type)) || set(x, "color", num) ||
            set(x, "fontname", "Helvetica,Arial,sans-serif") || set(x, "margin", "0.08,0.03"))
            goto out;
        egw_fmt_real(num, round((10 + 14 * sqrt((double)n->mentions / (double)mmax)) * 10) / 10);
        if (set(x, "fontsize", num))
            goto out;
        eg_buf_reset(t);
        eg_buf_reset(b);
        if (eg_buf_addf(t, "%s (%s): %llu mentions in %lu documents", n->label, eg_type_name(n->type),
                        (unsigned long long)n->mentions, (unsigned long)n->docs) ||
            egw_dot_esc(b, eg_buf_cstr(t)) || set(x, "tooltip", eg_buf_cstr(b)))
            goto out;
    }

    egw_weight_range(v, &lo, &hi);
    for (i = 0; i < ne; i++) {
        const eg_edge *ed = &v->edges[eord[i]];
        Agedge_t *x = agedge(g, nodes[ed->a], nodes[ed->b], NULL, 1);
        if (!x)
            goto out;
        egw_fmt_real(num, round((0.6 + 3.4 * egw_weight_scaled(v, ed->weight, lo, hi)) * 100) / 100);
        if (set(x, "penwidth", num) || set(x, "color", "#5A5A5A80"))
            goto out;
        if (ed->nev) {
            eg_buf_reset(t);
            eg_buf_reset(b);
            if (egw_evidence_text(t, &ed->ev[0]) || egw_dot_esc(b, eg_buf_cstr(t)) || set(x, "tooltip", eg_buf_cstr(b)))
                goto out;
        }
    }
    rc = EG_OK;
out:
    sort_view = NULL;
    eg_free(ord);
    eg_free(eord);
    eg_free(slot);
    eg_free(nodes);
    return rc;
}

static GVC_t *gv_context;

int eg_write_picture(const eg_gview *v, const char *dir, const char *fmt, eg_err *e)
{
    static const char *const engines[] = {"sfdp", "neato"};
    char name[32];
    egw_sink s;
    GVC_t *gvc = NULL;
    Agraph_t *g = NULL;
    agusererrf old_errf;
    eg_buf b = {0}, t = {0};
    char *data = NULL;
    unsigned int len = 0;
    int rc, laid = 0;
    size_t k;

    if (!fmt || (strcmp(fmt, "svg") != 0 && strcmp(fmt, "png") != 0))
        return eg_err_set(e, EG_EUSAGE, "%s: no picture format \"%s\" (svg or png)", dir, fmt ? fmt : "");
    snprintf(name, sizeof name, "graph.%s", fmt);
    if ((rc = egw_check_view(v, name, e)))
        return rc;
    if ((rc = egw_open(&s, dir, name, e)))
        return rc;

    gv_msg[0] = 0;
    old_errf = agseterrf(gv_catch);
    if (!gv_context)
        gv_context = gvContext();
    gvc = gv_context;
    if (!gvc || !(g = agopen("entgraph", Agundirected, NULL))) {
        egw_fail(&s, EG_ENOMEM);
        goto out;
    }
    if (build(g, v, &b, &t)) {
        egw_fail(&s, EG_ENOMEM);
        goto out;
    }
    for (k = 0; k < sizeof engines / sizeof engines[0] && !laid; k++) {
        gv_msg[0] = 0;
        laid = gvLayout(gvc, g, engines[k]) == 0;
        if (!laid)
            gvFreeLayout(gvc, g);
    }
    if (!laid) {
        rc = eg_err_set(e, EG_EIO,
                        "%s/%s: Graphviz layout (sfdp, neato) failed: %s (are Graphviz's plugins installed "
                        "and registered? `dot -c` as root writes their config)",
                        dir, name, gv_message());
        goto out;
    }
    gv_msg[0] = 0;
    if (gvRenderData(gvc, g, fmt, &data, &len) != 0 || !data) {
        rc = eg_err_set(e, EG_EIO, "%s/%s: Graphviz cannot render %s: %s", dir, name, fmt, gv_message());
        goto out;
    }
    egw_add(&s, data, len);

out:
    if (data)
        gvFreeRenderData(data);
    if (gvc && g)
        gvFreeLayout(gvc, g);
    if (g)
        agclose(g);
    agseterrf(old_errf);
    eg_buf_free(&b);
    eg_buf_free(&t);
    if (rc) {
        egw_abort(&s);
        return rc;
    }
    return egw_close(&s, e);
}

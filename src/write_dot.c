/*
 * write_dot.c — graph.dot: the view as a Graphviz graph built with cgraph
 * and written by agwrite, for dot, neato, sfdp, gvpr and every tool that
 * reads DOT (Gephi, pygraphviz, pydot). One of the writers called by
 * eg_write_all; write_picture.c lays out a reduced copy instead.
 *
 * Nodes are created in view order and edges in view order, so cgraph
 * writes them in that order and the file is the same bytes for the same
 * view. agwrite's output goes through a cgraph I/O discipline into the
 * writers' sink (writers.h), so every write is checked.
 *
 * Attributes. Node: label, type, shape and fillcolor by type (style
 * filled; an ambiguous node is also dashed), color (a darker outline),
 * mentions, docs, aliases, ambiguous, tooltip. Edge: weight, the integer
 * dot's layout needs (egw_dot_weight: the count for count weights, else
 * round(weight * 100) clamped to 1..1000000); w, the real weight; count,
 * docs; penwidth 1..8 from the weight's place between the lightest and
 * the heaviest edge (log scale for counts); tooltip, the first evidence.
 *
 * Graph: overlap=false, splines=true (straight lines above 200 edges, see
 * DOT_SPLINE_EDGES), outputorder=edgesfirst, fontname, and a comment with
 * the window, the weighting and the number of documents.
 *
 * Strings. Every user string is written as a Graphviz escString, the form
 * label and tooltip are read in: backslash doubled, CR LF / CR / LF as the
 * escape \n (a centred line break), TAB as a space, other C0 controls and
 * DEL, U+FFFE and U+FFFF as U+FFFD (SVG output must stay XML), U+FEFF as
 * U+FFFD (Graphviz's scanner drops a lone one as a byte-order mark),
 * invalid UTF-8 as U+FFFD, and an '&' that starts something entity-like ("&amp;",
 * "&#0;", "R&D;") as "&amp;", because Graphviz decodes HTML entities in
 * labels (egw_dot_esc in writers.c).
 * cgraph adds the quotes and escapes '"' itself. Custom attributes (type,
 * aliases, ...) get the same form, so a reader sees "\\" for a backslash
 * there too: DOT cannot carry a lone backslash before a quote otherwise.
 *
 * Cost. cgraph is most of this writer's time (on a 40,000-node, 87,000-edge
 * graph about nine tenths of its instructions): agwrite quotes every value
 * character by character (agstrcanon) and agxset interns every string in a
 * splay tree. What is left to us: the graph lives in an arena (see
 * arena_alloc) so that closing it is one release, values equal to the
 * default are not set, and the text is escaped straight into one buffer.
 */
#include "writers.h"

#include <graphviz/cgraph.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Curved edges routed around the nodes (splines=true) up to this many
 * edges; straight lines above. Routing is slow: neato or sfdp took 3 s for
 * 150 edges, 8 s for 300 and a minute for 1400 (200 nodes), against half a
 * second with straight lines. */
#define DOT_SPLINE_EDGES 200

/* cgraph's output discipline: everything agwrite prints lands in the sink. */
static int io_putstr(void *chan, const char *str)
{
    egw_sink *s = chan;
    egw_puts(s, str);
    return s->status ? EOF : 0;
}

static int io_flush(void *chan)
{
    (void)chan;
    return 0;
}

static int io_read(void *chan, char *buf, int size)
{
    (void)chan;
    (void)buf;
    (void)size;
    return 0;
}

static Agiodisc_t dot_io = {io_read, io_putstr, io_flush};

/* The node attributes, declared in this order (agwrite keeps it). */
enum { NA_LABEL, NA_TYPE, NA_SHAPE, NA_STYLE, NA_FILL, NA_COLOR, NA_MENTIONS, NA_DOCS, NA_ALIASES,
       NA_AMBIG, NA_TOOLTIP, NA_N };
static const char *const node_attr[NA_N][2] = {
    {"label", "\\N"}, {"type", ""},     {"shape", "ellipse"}, {"style", "filled"},
    {"fillcolor", ""}, {"color", ""},   {"mentions", ""},     {"docs", ""},
    {"aliases", ""},  {"ambiguous", ""}, {"tooltip", ""}};

enum { EA_WEIGHT, EA_W, EA_COUNT, EA_DOCS, EA_PENWIDTH, EA_TOOLTIP, EA_N };
static const char *const edge_attr[EA_N][2] = {{"weight", "1"}, {"w", ""},        {"count", ""},
                                              {"docs", ""},    {"penwidth", "1"}, {"tooltip", ""}};

/* cgraph's memory discipline: an arena. Everything the graph allocates
 * comes from large zeroed blocks, and a free does nothing. Because the
 * discipline has a close, agclose of the root graph drops the heap at once
 * instead of deleting every node, edge and attribute string one by one (a
 * walk that cost a fifth of this writer's time). cdt mallocs the header of
 * each dictionary itself, outside the discipline: graph_close closes those
 * dictionaries, which cgraph would otherwise close on its walk. Blocks come
 * from calloc, not eg_malloc: cgraph does not check every allocation, so
 * fault injection must not fail them. */
typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[];
} arena_block;

/* The discipline handed to agopen, with the arena it opened. */
typedef struct {
    Agdisc_t disc;        /* first: cgraph is given &dot_disc.disc */
    arena_block *head;    /* the current block, then older ones */
} dot_disc;

#define ARENA_BLOCK (1u << 16) /* under malloc's mmap threshold: blocks reuse freed heap */

static void *arena_open(Agdisc_t *disc)
{
    return disc; /* the state is the dot_disc */
}

static void *arena_alloc(void *state, size_t req)
{
    dot_disc *d = state;
    arena_block *b = d->head;
    size_t n = (req + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    void *p;
    if (!n)
        n = sizeof(max_align_t);
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        arena_block *nb = calloc(1, sizeof *nb + size);
        if (!nb)
            return NULL;
        nb->size = size;
        if (b && size != ARENA_BLOCK) {
            /* a big request gets its own block behind the current one */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        d->head = b = nb;
    }
    p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static void *arena_resize(void *state, void *ptr, size_t old, size_t req)
{
    void *p = arena_alloc(state, req);
    if (p && ptr)
        memcpy(p, ptr, old < req ? old : req);
    return p; /* the rest is zero: blocks are calloc'd and never reused */
}

static void arena_free(void *state, void *ptr)
{
    (void)state;
    (void)ptr;
}

/* cgraph's "close the heap": the blocks are released by graph_close, once
 * the dictionaries that live in them are closed. */
static void arena_close(void *state) { (void)state; }

static void arena_release(dot_disc *d)
{
    arena_block *b = d->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    d->head = NULL;
}

/* A cdt memory function that keeps everything: the dictionaries' tables
 * are in the arena. */
static void *dict_keep(Dt_t *d, void *p, size_t n, Dtdisc_t *disc)
{
    (void)d;
    (void)p;
    (void)n;
    (void)disc;
    return NULL;
}

/* Closes a dictionary whose objects and tables are in the arena: with a
 * discipline that frees nothing (same comparison, so nothing is rebuilt),
 * dtclose only releases cdt's own header. */
static void dict_drop(Dict_t *d, Dtdisc_t *keep)
{
    if (!d || !d->disc)
        return;
    *keep = *d->disc;
    keep->makef = NULL;
    keep->freef = NULL;
    keep->memoryf = dict_keep;
    keep->eventf = NULL;
    dtdisc(d, keep, DT_SAMECMP | DT_SAMEHASH);
    dtclose(d);
}

/* agclose for a graph on the arena: the heap dropped at once, then the
 * dictionaries cgraph keeps in the root graph, its shared state and its
 * attribute record closed (the ones its own walk would close), then the
 * blocks released. */
static void graph_close(Agraph_t *g, dot_disc *d)
{
    Dict_t *dicts[16];
    Dtdisc_t keep[16];
    Agdatadict_t *dd;
    size_t n = 0, i;
    if (g) {
        Agclos_t *c = g->clos;
        dicts[n++] = g->n_seq;
        dicts[n++] = g->n_id;
        dicts[n++] = g->e_seq;
        dicts[n++] = g->e_id;
        dicts[n++] = g->g_dict;
        if ((dd = (Agdatadict_t *)aggetrec(g, "_AG_datadict", 0)) != NULL) {
            dicts[n++] = dd->dict.n;
            dicts[n++] = dd->dict.e;
            dicts[n++] = dd->dict.g;
        }
        for (i = 0; i < 3; i++) {
            dicts[n++] = c->lookup_by_name[i];
            dicts[n++] = c->lookup_by_id[i];
        }
        dicts[n++] = c->strdict;
        agclose(g); /* arena_close: nothing is freed yet */
        for (i = 0; i < n; i++)
            dict_drop(dicts[i], &keep[i]);
    }
    arena_release(d);
}

static Agmemdisc_t arena_disc = {arena_open, arena_alloc, arena_resize, arena_free, arena_close};

/* Sets attribute `sym` of obj to text. A value equal to the attribute's
 * default is left as it is: cgraph interns strings, so setting it would
 * store the default's own pointer again, and agwrite leaves out exactly the
 * values that are the default's pointer (most edges have weight 1 and
 * penwidth 1). */
static int set_str(void *obj, Agsym_t *sym, const char *text)
{
    if (sym->defval && strcmp(text, sym->defval) == 0)
        return EG_OK;
    return agxset(obj, sym, (char *)text) == 0 ? EG_OK : EG_ENOMEM;
}

/* Sets attribute `sym` of obj to the escString form of text. */
static int set_esc(void *obj, Agsym_t *sym, eg_buf *b, const char *text)
{
    eg_buf_reset(b);
    if (egw_dot_esc(b, text))
        return EG_ENOMEM;
    return set_str(obj, sym, eg_buf_cstr(b));
}

static int set_u64(void *obj, Agsym_t *sym, uint64_t x)
{
    char num[24];
    egw_fmt_u64(num, x);
    return set_str(obj, sym, num);
}

/* The alias list of egw_aliases_text as an escString: each alias escaped
 * on its own (cleaning and escaping replace a bad byte the same way, and
 * the joins are plain ASCII that no escape looks across). */
static int dot_aliases(eg_buf *b, const eg_node *n)
{
    char num[24];
    size_t i;
    for (i = 0; i < n->naliases; i++) {
        const char *t = n->aliases[i].text ? n->aliases[i].text : "";
        if ((i && eg_buf_add(b, "; ", 2)) || egw_dot_esc(b, t) || eg_buf_add(b, " (", 2) ||
            eg_buf_add(b, num, egw_fmt_u64(num, n->aliases[i].count)) || eg_buf_add(b, ")", 1))
            return EG_ENOMEM;
    }
    return EG_OK;
}

/* The evidence line of egw_evidence_text as an escString, the same way. */
static int dot_evidence(egw_env *env, eg_buf *b, eg_buf *tmp, const eg_evidence *ev)
{
    char num[24];
    size_t len;
    const char *snip = egw_snippet(env, ev, &len, tmp);
    if (!snip)
        return EG_EIO;
    if (egw_dot_esc(b, ev->doc ? ev->doc : "") || eg_buf_add(b, " [", 2) ||
        eg_buf_add(b, num, egw_fmt_u64(num, ev->start)) || eg_buf_add(b, "-", 1) ||
        eg_buf_add(b, num, egw_fmt_u64(num, ev->end)) || eg_buf_add(b, "] ", 2) || egw_dot_esc_n(b, snip, len))
        return EG_ENOMEM;
    return EG_OK;
}

/* Builds the cgraph graph for the view into g. */
static int build(Agraph_t *g, const eg_gview *v, egw_env *env, eg_buf *b, eg_buf *t)
{
    Agsym_t *na[NA_N], *ea[EA_N];
    Agnode_t **nodes = NULL;
    char outline[EG_NTYPES + 1][8];
    double lo, hi;
    char num[64];
    size_t i;
    int rc = EG_ENOMEM;

    eg_buf_reset(t);
    if (eg_buf_addf(t, "entgraph %s; window: ", EG_VERSION) || egw_dot_esc(t, v->window_name ? v->window_name : "") ||
        eg_buf_adds(t, "; weight: ") || egw_dot_esc(t, v->weight_name ? v->weight_name : "") ||
        eg_buf_addf(t, "; documents: %llu", (unsigned long long)v->ndocs))
        goto out;
    if (!agattr(g, AGRAPH, "overlap", "false") ||
        !agattr(g, AGRAPH, "splines", v->nedges <= DOT_SPLINE_EDGES ? "true" : "line") ||
        !agattr(g, AGRAPH, "outputorder", "edgesfirst") ||
        !agattr(g, AGRAPH, "fontname", "Helvetica,Arial,sans-serif") ||
        !agattr(g, AGRAPH, "comment", (char *)eg_buf_cstr(t)) ||
        !agattr(g, AGNODE, "fontname", "Helvetica,Arial,sans-serif"))
        goto out;
    for (i = 0; i < NA_N; i++)
        if (!(na[i] = agattr(g, AGNODE, (char *)node_attr[i][0], (char *)node_attr[i][1])))
            goto out;
    for (i = 0; i < EA_N; i++)
        if (!(ea[i] = agattr(g, AGEDGE, (char *)edge_attr[i][0], (char *)edge_attr[i][1])))
            goto out;
    for (i = 0; i <= EG_NTYPES; i++) { /* the outline: the fill colour, darker */
        int rgb[3];
        egw_type_rgb((eg_type)i, rgb);
        snprintf(outline[i], sizeof outline[i], "#%02X%02X%02X", rgb[0] * 3 / 5, rgb[1] * 3 / 5, rgb[2] * 3 / 5);
    }

    if (v->nnodes && !(nodes = eg_calloc(v->nnodes, sizeof *nodes)))
        goto out;
    for (i = 0; i < v->nnodes; i++) {
        const eg_node *n = &v->nodes[i];
        eg_buf_reset(b);
        if (egw_dot_esc(b, n->id) || !(nodes[i] = agnode(g, (char *)eg_buf_cstr(b), 1)))
            goto out;
        if (set_esc(nodes[i], na[NA_LABEL], b, n->label) || set_str(nodes[i], na[NA_TYPE], eg_type_name(n->type)) ||
            set_str(nodes[i], na[NA_SHAPE], eg_type_shape(n->type)) ||
            (n->ambiguous && set_str(nodes[i], na[NA_STYLE], "filled,dashed")) ||
            set_str(nodes[i], na[NA_FILL], eg_type_color(n->type)) ||
            set_str(nodes[i], na[NA_COLOR], outline[(unsigned)n->type < EG_NTYPES ? n->type : EG_NTYPES]) ||
            set_u64(nodes[i], na[NA_MENTIONS], n->mentions) || set_u64(nodes[i], na[NA_DOCS], n->docs))
            goto out;
        eg_buf_reset(b);
        if (dot_aliases(b, n) || set_str(nodes[i], na[NA_ALIASES], eg_buf_cstr(b)) ||
            set_str(nodes[i], na[NA_AMBIG], n->ambiguous ? "true" : "false"))
            goto out;
        /* "LABEL (TYPE): M mentions in D documents; as ALIASES", escaped */
        eg_buf_reset(b);
        if (egw_dot_esc(b, n->label) || eg_buf_add(b, " (", 2) || egw_dot_esc(b, eg_type_name(n->type)) ||
            eg_buf_add(b, "): ", 3) || eg_buf_add(b, num, egw_fmt_u64(num, n->mentions)) ||
            eg_buf_add(b, " mentions in ", 13) || eg_buf_add(b, num, egw_fmt_u64(num, n->docs)) ||
            eg_buf_add(b, " documents", 10))
            goto out;
        if (n->naliases && (eg_buf_add(b, "; as ", 5) || dot_aliases(b, n)))
            goto out;
        if (set_str(nodes[i], na[NA_TOOLTIP], eg_buf_cstr(b)))
            goto out;
    }

    egw_weight_range(v, &lo, &hi);
    for (i = 0; i < v->nedges; i++) {
        const eg_edge *ed = &v->edges[i];
        Agedge_t *x = agedge(g, nodes[ed->a], nodes[ed->b], NULL, 1);
        if (!x)
            goto out;
        snprintf(num, sizeof num, "%ld", egw_dot_weight(v, ed));
        if (set_str(x, ea[EA_WEIGHT], num))
            goto out;
        egw_fmt_real_n(num, ed->weight);
        if (set_str(x, ea[EA_W], num) || set_u64(x, ea[EA_COUNT], ed->count) || set_u64(x, ea[EA_DOCS], ed->docs))
            goto out;
        egw_fmt_real_n(num, round((1 + 7 * egw_weight_scaled(v, ed->weight, lo, hi)) * 100) / 100);
        if (set_str(x, ea[EA_PENWIDTH], num))
            goto out;
        if (ed->nev) {
            eg_buf_reset(b);
            if (dot_evidence(env, b, t, &ed->ev[0]) || set_str(x, ea[EA_TOOLTIP], eg_buf_cstr(b)))
                goto out;
        }
    }
    rc = EG_OK;
out:
    eg_free(nodes);
    return rc;
}

int egw_write_dot(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    dot_disc disc = {{&arena_disc, &AgIdDisc, &dot_io}, NULL};
    Agraph_t *g = NULL;
    eg_buf b = {0}, t = {0};
    egw_sink s;
    int rc;

    if ((rc = egw_check_view(v, "graph.dot", e)))
        return rc;
    if ((rc = egw_open_env(&s, env, dir, "graph.dot", e)))
        return rc;
    if (!(g = agopen("entgraph", Agundirected, &disc.disc)) || build(g, v, env, &b, &t)) {
        egw_fail(&s, EG_ENOMEM);
    } else if (agwrite(g, &s) != 0 && !s.status) {
        s.what = "cgraph agwrite";
        egw_fail(&s, EG_EIO);
    }
    graph_close(g, &disc);
    eg_buf_free(&b);
    eg_buf_free(&t);
    return egw_close(&s, e);
}

int eg_write_dot(const eg_gview *v, const char *dir, eg_err *e) { return egw_write_alone(egw_write_dot, v, dir, e); }

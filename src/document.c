/*
 * document.c — the per-document pipeline behind eg_graph_add_doc: text
 * layer → gazetteer and rule candidates → resolution → mentions (to the
 * caller's callback) → nodes and co-occurrence windows in the graph.
 * All scratch lives in a gwork owned by the graph (one per thread).
 */
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static void rules_warn(void *ud, const char *line) { eg_ctx_warn((const eg_ctx *)ud, "%s", line); }

static gwork *work_get(eg_graph *g)
{
    gwork *w = g->work;
    if (w)
        return w;
    if (!(w = eg_calloc(1, sizeof *w)))
        return NULL;
    eg_doc_init(&w->doc);
    eg_resolver_init(&w->res);
    if (eg_rules_count(g->ctx->rules) && !(w->rules = eg_rules_scratch_new(g->ctx->rules))) {
        eg_free(w);
        return NULL;
    }
    g->work = w;
    return w;
}

void eg_graph_work_free(gwork *w)
{
    if (!w)
        return;
    eg_doc_free(&w->doc);
    eg_free(w->cands.v);
    eg_resolver_free(&w->res);
    eg_rules_scratch_free(w->rules);
    eg_free(w->win_nodes);
    eg_free(w->wins);
    eg_free(w->node_of);
    eg_free(w->req);
    eg_free(w->req_node);
    eg_free(w->surf);
    eg_free(w);
}

/* Sixteen bytes at a time with SSE2 (every x86-64) in control_bytes. */
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define DOC_SSE2 1
#else
#define DOC_SSE2 0
#endif

/* Is c a control byte that text does not have (below 0x20, not \t \n \f
 * \r)? */
static int stray_control(unsigned char c) { return c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f'; }

/* How many of b[0, n) are stray controls. Blocks with no byte below 0x20
 * (most of any text) are passed at once: sixteen bytes with SSE2, else
 * eight (the classic exact has-a-zero-byte test on w & 0xE0..). */
static size_t control_bytes(const char *b, size_t n)
{
    size_t i = 0, ctl = 0;
#if DOC_SSE2
    /* max(byte, 0x1F) == 0x1F exactly for the bytes below 0x20; then the
     * four that text has are taken out of the mask */
    const __m128i lim = _mm_set1_epi8(0x1F);
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + i)), ok;
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, lim), lim));
        if (!m)
            continue;
        ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))),
                          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\f'))));
        ctl += (size_t)__builtin_popcount(m & ~(unsigned)_mm_movemask_epi8(ok));
    }
#else
    for (; n - i >= 8; i += 8) {
        uint64_t w, t;
        size_t k;
        memcpy(&w, b + i, 8);
        t = w & 0xE0E0E0E0E0E0E0E0ULL;
        if (!((t - 0x0101010101010101ULL) & ~t & 0x8080808080808080ULL))
            continue;
        for (k = 0; k < 8; k++)
            ctl += stray_control((unsigned char)b[i + k]);
    }
#endif
    for (; i < n; i++)
        ctl += stray_control((unsigned char)b[i]);
    return ctl;
}

/* Text that is not text: NUL bytes, or mostly control bytes, in the first
 * 8 KiB. UTF-16 (with a BOM) is named as such. */
static const char *binary_reason(const char *b, size_t len)
{
    size_t n = len < 8192 ? len : 8192;
    if (len >= 2 && (((unsigned char)b[0] == 0xFF && (unsigned char)b[1] == 0xFE) ||
                     ((unsigned char)b[0] == 0xFE && (unsigned char)b[1] == 0xFF)))
        return "UTF-16 text (convert it to UTF-8, e.g. with iconv)";
    if (n && memchr(b, 0, n))
        return "binary file (NUL byte)";
    if (n && control_bytes(b, n) * 10 > n)
        return "binary file (control bytes)";
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Does a document entity become a node? */
static int entity_shown(const eg_graph *g, const eg_rentity *x)
{
    return x->nment && (x->origin != EG_ORIGIN_AMBIG || g->ctx->opt.ambiguous_nodes);
}

/* The graph node of every document entity (EG_NONE: left out), all
 * looked up in one batch. */
static int map_entities(eg_graph *g, gwork *w)
{
    const eg_resolver *r = &w->res;
    size_t i, n = 0;
    if (EG_GROW(w->node_of, w->node_of_cap, r->nent + 1) || EG_GROW(w->req, w->req_cap, r->nent + 1) ||
        EG_GROW(w->req_node, w->req_node_cap, r->nent + 1))
        return EG_ENOMEM;
    for (i = 0; i < r->nent; i++) {
        const eg_rentity *x = &r->ent[i];
        gnode_req *q = &w->req[n];
        if (!entity_shown(g, x))
            continue;
        q->id = eg_rent_id(r, x);
        q->label = eg_rent_label(r, x);
        q->gaz_entry = x->origin == EG_ORIGIN_GAZ ? x->gaz_entry : EG_NONE;
        q->words = (uint16_t)(x->words > 65535 ? 65535 : x->words);
        q->type = x->type;
        q->origin = x->origin;
        n++;
    }
    if (eg_graph_nodes(g, w->req, n, w->req_node))
        return EG_ENOMEM;
    for (i = 0, n = 0; i < r->nent; i++)
        w->node_of[i] = entity_shown(g, &r->ent[i]) ? w->req_node[n++] : EG_NONE;
    return EG_OK;
}

static const char *source_name(const eg_ctx *c, const eg_rmention *m, char *buf, size_t n)
{
    switch (m->source) {
    case EG_SRC_GAZ:
        return "gazetteer";
    case EG_SRC_RULE:
        snprintf(buf, n, "rule:%s", eg_rules_name(c->rules, m->rule));
        return buf;
    case EG_SRC_LEARNED:
        return "acronym";
    default:
        return "partial";
    }
}

/* Counts mentions, calls the callback, records explain lines and the
 * acronyms defined. */
static int emit_mentions(eg_graph *g, gwork *w, uint64_t seq, uint32_t docix, const char *name, eg_mention_fn fn,
                         void *ud)
{
    const eg_doc *d = &w->doc;
    const eg_resolver *r = &w->res;
    size_t i, n = 0;
    char src[160];
    if (EG_GROW(w->surf, w->surf_cap, r->nm + 1))
        return EG_ENOMEM;
    for (i = 0; i < r->nm; i++) {
        const eg_rmention *m = &r->m[i];
        gsurface *x = &w->surf[n];
        if ((x->node = w->node_of[m->ent]) == EG_NONE)
            continue;
        x->text = d->text + d->tok[m->t0].s;
        x->len = (uint32_t)(d->tok[m->t1 - 1].e - d->tok[m->t0].s);
        n++;
    }
    if (eg_graph_count_mentions(g, w->surf, n, seq))
        return EG_ENOMEM;
    for (i = 0; i < r->nm; i++) {
        const eg_rmention *m = &r->m[i];
        const eg_token *a = &d->tok[m->t0], *b = &d->tok[m->t1 - 1];
        uint32_t node = w->node_of[m->ent];
        eg_mention em;
        /* the record is for the callback, and for audit lines and
         * acronyms learned (mentions with a why) */
        if (node == EG_NONE || (!fn && m->why == EG_WHY_NONE))
            continue;
        em.doc = name;
        em.start = eg_doc_orig_start(d, a->s);
        em.end = eg_doc_orig_end(d, b->e);
        em.text = d->orig + em.start;
        em.text_len = (size_t)(em.end - em.start);
        em.type = (eg_type)m->type;
        em.entity = eg_rent_id(r, &r->ent[m->ent]);
        em.label = eg_rent_label(r, &r->ent[m->ent]);
        if (fn) {
            em.source = source_name(g->ctx, m, src, sizeof src);
            fn(ud, &em);
        }
        if (g->ctx->opt.explain && m->why != EG_WHY_NONE) {
            eg_buf line = {0};
            int rc = eg_buf_addf(&line, "link\t%s\t%llu-%llu\t", name, (unsigned long long)em.start,
                                 (unsigned long long)em.end);
            if (!rc)
                rc = eg_buf_add(&line, d->text + a->s, b->e - a->s);
            if (!rc)
                rc = eg_buf_addf(&line, "\t%s\t%s", em.entity, eg_why_name(m->why));
            if (!rc)
                rc = eg_graph_explain(g, seq, docix, em.start, em.end, line.p);
            eg_buf_free(&line);
            if (rc)
                return EG_ENOMEM;
        }
        if (m->why == EG_WHY_ACRONYM_DEF) {
            eg_buf slug = {0};
            int rc = eg_slug(&slug, d->text + a->s, b->e - a->s);
            if (!rc && slug.len)
                rc = eg_graph_learn(g, slug.p, node);
            eg_buf_free(&slug);
            if (rc)
                return EG_ENOMEM;
        }
    }
    return EG_OK;
}

/* Token index → window index, for sentence, paragraph and document. */
static uint32_t window_of(const eg_graph *g, const eg_token *t)
{
    switch (g->ctx->opt.window) {
    case EG_WIN_PARAGRAPH:
        return t->para;
    case EG_WIN_DOCUMENT:
        return 0;
    default:
        return t->sent;
    }
}

/* The distinct nodes of mentions r->m[i, j) into out, in increasing
 * order; returns how many. */
static size_t window_nodes(const gwork *w, size_t i, size_t j, uint32_t *out)
{
    const eg_resolver *r = &w->res;
    size_t n = 0, k, u = 0;
    for (; i < j; i++)
        if (w->node_of[r->m[i].ent] != EG_NONE)
            out[n++] = w->node_of[r->m[i].ent];
    if (n > 16) {
        qsort(out, n, sizeof *out, cmp_u32);
    } else {
        /* most windows have a few nodes: insertion sort */
        for (k = 1; k < n; k++) {
            uint32_t x = out[k];
            size_t q = k;
            while (q > 0 && out[q - 1] > x) {
                out[q] = out[q - 1];
                q--;
            }
            out[q] = x;
        }
    }
    for (k = 0; k < n; k++)
        if (!u || out[u - 1] != out[k])
            out[u++] = out[k];
    return u;
}

#define WIN_BATCH 8 /* windows in a group whose edges are prefetched together */

/* Prefetch step `step` (eg_graph_prefetch_window) for the windows of
 * group q (of nw windows). */
static void prefetch_windows(const eg_graph *g, const gwork *w, size_t q, size_t nw, int step)
{
    size_t k;
    for (k = q * WIN_BATCH; k < nw && k < (q + 1) * WIN_BATCH; k++)
        eg_graph_prefetch_window(g, w->win_nodes + w->wins[k].off, w->wins[k].n, step);
}

/* The document's windows with nodes are found first, then given to the
 * graph with their edges prefetched a little ahead: the edge table's
 * cache misses overlap. */
static int add_windows(eg_graph *g, gwork *w, uint64_t seq, uint32_t docix)
{
    const eg_doc *d = &w->doc;
    const eg_resolver *r = &w->res;
    size_t i = 0, j, nw = 0, used = 0, nq, q, k;
    int rc;
    if (EG_GROW(w->win_nodes, w->win_cap, r->nm + 1) || EG_GROW(w->wins, w->wins_cap, r->nm + 1))
        return EG_ENOMEM;
    while (i < r->nm) {
        uint32_t win = window_of(g, &d->tok[r->m[i].t0]);
        gwin *x = &w->wins[nw];
        for (j = i; j < r->nm && window_of(g, &d->tok[r->m[j].t0]) == win; j++)
            ;
        x->off = (uint32_t)used;
        x->n = (uint32_t)window_nodes(w, i, j, w->win_nodes + used);
        /* the window's token range: the sentence, paragraph or document */
        if (g->ctx->opt.window == EG_WIN_PARAGRAPH) {
            x->t0 = d->paras[win].t0;
            x->t1 = d->paras[win].t1;
        } else if (g->ctx->opt.window == EG_WIN_DOCUMENT) {
            x->t0 = 0;
            x->t1 = (uint32_t)d->ntok;
        } else {
            x->t0 = d->sents[win].t0;
            x->t1 = d->sents[win].t1;
        }
        if (x->n) {
            used += x->n;
            nw++;
        }
        i = j;
    }
    /* a pipeline over groups of WIN_BATCH windows: group q's slots are
     * fetched, group q - 1's edges, and group q - 2 is counted */
    nq = (nw + WIN_BATCH - 1) / WIN_BATCH;
    for (q = 0; q < nq + 2; q++) {
        if (q < nq)
            prefetch_windows(g, w, q, nw, 0);
        if (q >= 1 && q <= nq)
            prefetch_windows(g, w, q - 1, nw, 1);
        if (q < 2)
            continue;
        for (k = (q - 2) * WIN_BATCH; k < nw && k < (q - 1) * WIN_BATCH; k++) {
            const gwin *x = &w->wins[k];
            const eg_token *a = &d->tok[x->t0], *b = &d->tok[x->t1 - 1];
            if ((rc = eg_graph_window(g, w->win_nodes + x->off, x->n, seq, docix, eg_doc_orig_start(d, a->s),
                                      eg_doc_orig_end(d, b->e), d->text + a->s, b->e - a->s)))
                return rc;
        }
    }
    return EG_OK;
}

/* Sliding windows of N tokens: every pair of mentions whose starts are
 * fewer than N tokens apart co-occurs once; each mention is one window for
 * the normalised weights. */
static int add_token_windows(eg_graph *g, gwork *w, uint64_t seq, uint32_t docix)
{
    const eg_doc *d = &w->doc;
    const eg_resolver *r = &w->res;
    uint32_t span = g->ctx->opt.window_tokens ? g->ctx->opt.window_tokens : 1;
    size_t i, j;
    int rc;
    for (i = 0; i < r->nm; i++) {
        uint32_t a = w->node_of[r->m[i].ent];
        if (a == EG_NONE)
            continue;
        g->nodes[a].windows++;
        g->nwindows++;
        for (j = i + 1; j < r->nm && r->m[j].t0 < r->m[i].t0 + span; j++) {
            uint32_t b = w->node_of[r->m[j].ent];
            const eg_token *s = &d->tok[r->m[i].t0], *e = &d->tok[r->m[j].t1 - 1];
            if (b == EG_NONE || b == a)
                continue;
            if ((rc = eg_graph_pair(g, a, b, seq, docix, eg_doc_orig_start(d, s->s), eg_doc_orig_end(d, e->e),
                                    d->text + s->s, e->e - s->s)))
                return rc;
        }
    }
    return EG_OK;
}

int eg_graph_add_doc(eg_graph *g, uint64_t seq, const char *name, const char *bytes, size_t len, eg_mention_fn fn,
                     void *ud)
{
    const eg_ctx *c = g->ctx;
    gwork *w;
    const char *why;
    uint32_t docix;
    int rc;
    eg_err e = {0};
    eg_err_clear(&g->err);
    if (g->finished)
        return eg_err_set(&g->err, EG_EUSAGE, "%s: the graph is already finished", name);
    if ((why = binary_reason(bytes, len)))
        return eg_err_set(&g->err, EG_EDATA, "%s: skipped: %s", name, why);
    if (!(w = work_get(g)))
        return eg_err_nomem(&g->err);
    if ((rc = eg_text_prepare(&w->doc, name, bytes, len, &e)))
        goto fail;
    if (w->doc.bad_utf8)
        eg_ctx_warn(c, "%s: invalid UTF-8 at byte %zu (read as U+FFFD)", name, w->doc.bad_utf8_at);
    w->cands.n = 0;
    if ((rc = eg_gaz_match(c->gaz, &w->doc, &w->cands, &e)))
        goto fail;
    if (w->rules && (rc = eg_rules_match(c->rules, w->rules, &c->lex, &w->doc, &w->cands, rules_warn, (void *)c, &e)))
        goto fail;
    if ((rc = eg_resolve(&w->res, c, &w->doc, &w->cands, &e)))
        goto fail;
    if ((rc = eg_graph_doc(g, name, &docix)) || (rc = map_entities(g, w)) ||
        (rc = emit_mentions(g, w, seq, docix, name, fn, ud)))
        goto nomem;
    rc = c->opt.window == EG_WIN_TOKENS ? add_token_windows(g, w, seq, docix) : add_windows(g, w, seq, docix);
    if (!rc && g->spool_buf.len)
        rc = eg_graph_spool_flush(g);
    if (rc)
        return g->err.code ? g->err.code : eg_err_nomem(&g->err);
    g->ndocs++;
    return EG_OK;
nomem:
    return eg_err_nomem(&g->err);
fail:
    return eg_err_set(&g->err, rc, "%s: %s", name, e.msg);
}

/*
 * graph_io.c — a partial graph as bytes and back, so graphs built on
 * several machines (or processes) merge like the per-thread graphs do.
 *
 * Format (all integers little-endian; str = u32 length + bytes):
 *   "EGGRAPH1"  u64 documents  u64 windows
 *   u32 n, n × str                      document names (index = position)
 *   u32 n, n × node: str id, str label, u8 type, u8 origin, u16 words,
 *                     u64 mentions, u64 windows, u32 documents
 *   u32 n, n × alias: u32 node, str surface, u64 count
 *   u32 n, n × edge: u32 a, u32 b, u64 count, u32 documents, u32 k,
 *                     k × evidence: u64 start, u64 end, u32 doc, str snippet
 *   u32 n, n × learned acronym: str slug, u32 node (0xFFFFFFFF: conflicting)
 *   u32 n, n × explain line: u64 seq, u64 start, u64 end, u32 doc, str text
 * Loading checks every length against the buffer and every index against
 * its table; a bad buffer gives "byte N: reason" and changes nothing.
 */
#include <string.h>

#include "graph.h"

static const char magic[8] = {'E', 'G', 'G', 'R', 'A', 'P', 'H', '1'};

/* ---- writing ---- */

static int put(eg_buf *b, uint64_t v, int bytes)
{
    unsigned char x[8];
    int i;
    for (i = 0; i < bytes; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return eg_buf_add(b, x, (size_t)bytes);
}

static int put_str(eg_buf *b, const char *s, size_t n)
{
    return put(b, n, 4) || eg_buf_add(b, s, n);
}

static int save_nodes(const eg_graph *g, eg_buf *b)
{
    size_t i;
    if (put(b, g->nnodes, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        const char *label = g->strs.p + n->label;
        if (put_str(b, g->ids.items[i].key + 1, g->ids.items[i].klen - 1) || put_str(b, label, strlen(label)) ||
            put(b, n->type, 1) || put(b, n->origin, 1) || put(b, n->words, 2) || put(b, n->mentions, 8) ||
            put(b, n->windows, 8) || put(b, n->docs, 4))
            return EG_ENOMEM;
    }
    if (put(b, g->aliases.count, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->aliases.count; i++) {
        const eg_strmap_item *it = &g->aliases.items[i];
        uint32_t node;
        memcpy(&node, it->key, 4);
        if (put(b, node, 4) || put_str(b, it->key + 4, it->klen - 4) || put(b, g->acount[it->val], 8))
            return EG_ENOMEM;
    }
    return EG_OK;
}

static int save_edges(const eg_graph *g, eg_buf *b)
{
    size_t i, j;
    eg_buf snip = {0};
    int rc = EG_ENOMEM;
    if (put(b, g->nedges, 4))
        goto out;
    for (i = 0; i < g->nedges; i++) {
        const gedge *e = &g->edges[i];
        if (put(b, e->a, 4) || put(b, e->b, 4) || put(b, e->count, 8) || put(b, e->docs, 4) || put(b, e->nev, 4))
            goto out;
        for (j = 0; j < e->nev; j++) {
            const gevidence *x = eg_edge_ev(g, e, j);
            if ((rc = eg_graph_snippet(g, x, &snip)))
                goto out;
            rc = EG_ENOMEM;
            if (put(b, x->start, 8) || put(b, x->end, 8) || put(b, x->doc, 4) || put_str(b, snip.p, snip.len))
                goto out;
        }
    }
    rc = EG_OK;
out:
    eg_buf_free(&snip);
    return rc;
}

int eg_graph_save(const eg_graph *g, char **out, size_t *len)
{
    eg_buf b = {0};
    size_t i;
    int rc = EG_ENOMEM;
    if (eg_buf_add(&b, magic, sizeof magic) || put(&b, g->ndocs, 8) || put(&b, g->nwindows, 8) ||
        put(&b, g->docs.count, 4))
        goto out;
    for (i = 0; i < g->docs.count; i++)
        if (put_str(&b, g->docs.items[i].key, g->docs.items[i].klen))
            goto out;
    if (save_nodes(g, &b) || (rc = save_edges(g, &b)) || (rc = EG_ENOMEM, put(&b, g->learned.count, 4)))
        goto out;
    for (i = 0; i < g->learned.count; i++)
        if (put_str(&b, g->learned.items[i].key, g->learned.items[i].klen) || put(&b, g->learned.items[i].val, 4))
            goto out;
    if (put(&b, g->nexplain, 4))
        goto out;
    for (i = 0; i < g->nexplain; i++) {
        const gexplain *x = &g->explain[i];
        const char *s = g->strs.p + x->text;
        if (put(&b, x->seq, 8) || put(&b, x->start, 8) || put(&b, x->end, 8) || put(&b, x->doc, 4) ||
            put_str(&b, s, strlen(s)))
            goto out;
    }
    *out = b.p;
    *len = b.len;
    b.p = NULL;
    rc = EG_OK;
out:
    eg_buf_free(&b);
    return rc;
}

/* ---- reading ---- */

typedef struct {
    const unsigned char *p;
    size_t len, at;
    int bad;           /* 1: truncated or inconsistent */
    const char *why;   /* what was being read */
    size_t bad_at;
} reader;

static uint64_t get(reader *r, int bytes, const char *what)
{
    uint64_t v = 0;
    int i;
    if (r->bad)
        return 0;
    if (r->len - r->at < (size_t)bytes) {
        r->bad = 1;
        r->why = what;
        r->bad_at = r->at;
        return 0;
    }
    for (i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->at + (size_t)i] << (8 * i);
    r->at += (size_t)bytes;
    return v;
}

/* A string as a pointer into the buffer and its length; NUL bytes are
 * refused (ids, labels and names are C strings). */
static const char *get_str(reader *r, size_t *n, const char *what)
{
    uint64_t len = get(r, 4, what);
    const char *s;
    if (r->bad)
        return "";
    if (len > r->len - r->at || memchr(r->p + r->at, 0, (size_t)len)) {
        r->bad = 1;
        r->why = what;
        r->bad_at = r->at;
        return "";
    }
    s = (const char *)r->p + r->at;
    r->at += (size_t)len;
    *n = (size_t)len;
    return s;
}

static void fail(reader *r, const char *what)
{
    if (!r->bad) {
        r->bad = 1;
        r->why = what;
        r->bad_at = r->at;
    }
}

/* A NUL-terminated copy of a string read from the buffer, in scratch. */
static const char *cstr(eg_buf *scratch, const char *s, size_t n)
{
    eg_buf_reset(scratch);
    if (eg_buf_add(scratch, s, n))
        return NULL;
    return eg_buf_cstr(scratch);
}

static int load_nodes(eg_graph *t, reader *r, eg_buf *s1, eg_buf *s2)
{
    uint64_t n = get(r, 4, "node count"), i;
    for (i = 0; i < n && !r->bad; i++) {
        size_t il = 0, ll = 0;
        const char *id = get_str(r, &il, "node id"), *label = get_str(r, &ll, "node label");
        unsigned type = (unsigned)get(r, 1, "node type"), origin = (unsigned)get(r, 1, "node origin");
        uint16_t words = (uint16_t)get(r, 2, "node words");
        uint32_t node;
        gnode *x;
        const char *idc, *lc;
        if (r->bad)
            break;
        if (type >= EG_NTYPES || origin < EG_ORIGIN_GAZ || origin > EG_ORIGIN_AMBIG || !il) {
            fail(r, "node type or origin");
            break;
        }
        if (!(idc = cstr(s1, id, il)) || !(lc = cstr(s2, label, ll)))
            return EG_ENOMEM;
        if (eg_graph_node(t, idc, lc, (eg_type)type, (uint8_t)origin, words, &node))
            return EG_ENOMEM;
        if (node != t->nnodes - 1) {
            fail(r, "duplicate node id and type");
            break;
        }
        x = &t->nodes[node];
        x->mentions = get(r, 8, "node mentions");
        x->windows = get(r, 8, "node windows");
        x->docs = (uint32_t)get(r, 4, "node documents");
    }
    n = get(r, 4, "alias count");
    for (i = 0; i < n && !r->bad; i++) {
        uint64_t node = get(r, 4, "alias node");
        size_t sl = 0;
        const char *s = get_str(r, &sl, "alias text");
        uint64_t count = get(r, 8, "alias count");
        if (!r->bad && node >= t->nnodes)
            fail(r, "alias node index");
        if (r->bad)
            break;
        if (eg_graph_alias(t, (uint32_t)node, s, sl, count))
            return EG_ENOMEM;
    }
    return EG_OK;
}

static int load_edges(eg_graph *t, reader *r, eg_buf *s1)
{
    uint64_t n = get(r, 4, "edge count"), i, j;
    for (i = 0; i < n && !r->bad; i++) {
        uint64_t a = get(r, 4, "edge node"), b = get(r, 4, "edge node");
        uint64_t count = get(r, 8, "edge count");
        uint32_t docs = (uint32_t)get(r, 4, "edge documents");
        uint64_t k = get(r, 4, "evidence count");
        if (!r->bad && (a >= t->nnodes || b >= t->nnodes || a == b))
            fail(r, "edge node index");
        for (j = 0; j < k && !r->bad; j++) {
            gevidence x;
            size_t sl = 0;
            const char *s;
            memset(&x, 0, sizeof x);
            x.start = get(r, 8, "evidence start");
            x.end = get(r, 8, "evidence end");
            x.doc = (uint32_t)get(r, 4, "evidence document");
            s = get_str(r, &sl, "evidence snippet");
            if (r->bad)
                break;
            if (x.doc >= t->docs.count || x.start > x.end) {
                fail(r, "evidence document index or offsets");
                break;
            }
            if (!cstr(s1, s, sl) || eg_graph_evidence(t, (uint32_t)a, (uint32_t)b, &x, eg_buf_cstr(s1)))
                return EG_ENOMEM;
        }
        if (r->bad)
            break;
        if (eg_graph_edge_add(t, (uint32_t)a, (uint32_t)b, count, docs))
            return EG_ENOMEM;
    }
    return EG_OK;
}

static int load_rest(eg_graph *t, reader *r, eg_buf *s1)
{
    uint64_t n = get(r, 4, "learned count"), i;
    for (i = 0; i < n && !r->bad; i++) {
        size_t sl = 0;
        const char *s = get_str(r, &sl, "learned acronym");
        uint64_t node = get(r, 4, "learned node");
        if (!r->bad && node >= t->nnodes && node != EG_NONE)
            fail(r, "learned node index");
        if (r->bad)
            break;
        if (!cstr(s1, s, sl) || eg_graph_learn(t, eg_buf_cstr(s1), (uint32_t)node))
            return EG_ENOMEM;
    }
    n = get(r, 4, "explain count");
    for (i = 0; i < n && !r->bad; i++) {
        uint64_t seq = get(r, 8, "explain document"), start = get(r, 8, "explain start"),
                 end = get(r, 8, "explain end");
        uint32_t doc = (uint32_t)get(r, 4, "explain document");
        size_t sl = 0;
        const char *s = get_str(r, &sl, "explain text");
        if (!r->bad && seq != UINT64_MAX && doc >= t->docs.count)
            fail(r, "explain document index");
        if (r->bad)
            break;
        if (!cstr(s1, s, sl) || eg_graph_explain(t, seq, doc, start, end, eg_buf_cstr(s1)))
            return EG_ENOMEM;
    }
    if (!r->bad && r->at != r->len)
        fail(r, "trailing bytes");
    return EG_OK;
}

int eg_graph_load(eg_graph *g, const char *buf, size_t len)
{
    reader r;
    eg_graph *t;
    eg_buf s1 = {0}, s2 = {0};
    uint64_t n, i;
    int rc = EG_ENOMEM;
    eg_err_clear(&g->err);
    if (g->finished)
        return eg_err_set(&g->err, EG_EUSAGE, "the graph is already finished");
    if (len < sizeof magic || memcmp(buf, magic, sizeof magic) != 0)
        return eg_err_set(&g->err, EG_EDATA, "byte 0: not an entgraph partial graph (bad magic)");
    memset(&r, 0, sizeof r);
    r.p = (const unsigned char *)buf;
    r.len = len;
    r.at = sizeof magic;
    if (!(t = eg_graph_new(g->ctx)))
        return eg_err_nomem(&g->err);
    t->ndocs = get(&r, 8, "document count");
    t->nwindows = get(&r, 8, "window count");
    n = get(&r, 4, "document names");
    for (i = 0; i < n && !r.bad; i++) {
        size_t sl = 0;
        const char *s = get_str(&r, &sl, "document name");
        uint32_t ix;
        if (r.bad)
            break;
        if (!cstr(&s1, s, sl) || eg_graph_doc(t, eg_buf_cstr(&s1), &ix))
            goto out;
        if (ix != i)
            fail(&r, "duplicate document name");
    }
    if (load_nodes(t, &r, &s1, &s2) || load_edges(t, &r, &s1) || load_rest(t, &r, &s1))
        goto out;
    if (r.bad) {
        rc = eg_err_set(&g->err, EG_EDATA, "byte %zu: bad partial graph (%s)", r.bad_at, r.why);
        goto out;
    }
    if ((rc = eg_graph_spool_flush(t))) {
        eg_err_set(&g->err, rc, "%s", t->err.msg);
        goto out;
    }
    rc = eg_graph_merge(g, t);
out:
    if (rc == EG_ENOMEM)
        eg_err_nomem(&g->err);
    eg_graph_free(t);
    eg_buf_free(&s1);
    eg_buf_free(&s2);
    return rc;
}

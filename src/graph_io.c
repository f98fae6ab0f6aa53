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
 * Every table is written in an order of names, not of threads (see "the
 * order of a saved graph"), so a run saves the same bytes at any thread
 * count. Loading checks every length against the buffer and every index
 * against its table; a bad buffer gives "byte N: reason" and changes
 * nothing.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "graph.h"

static const char magic[8] = {'E', 'G', 'G', 'R', 'A', 'P', 'H', '1'};

/* ---- writing ---- */

/* The buffer takes a few million small fields: each is stored in place
 * after one room check (eg_buf_reserve keeps room for the NUL too). */
static int put(eg_buf *b, uint64_t v, int bytes)
{
    unsigned char *p;
    int i;
    if (b->cap - b->len < 9 && eg_buf_reserve(b, 8))
        return EG_ENOMEM;
    p = (unsigned char *)b->p + b->len;
    for (i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    b->len += (size_t)bytes;
    b->p[b->len] = 0;
    return EG_OK;
}

static int put_str(eg_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + 5 && eg_buf_reserve(b, n + 4))
        return EG_ENOMEM;
    put(b, n, 4);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return EG_OK;
}

/* ---- the order of a saved graph ----
 * A graph built by several threads holds its documents, nodes, surface
 * forms, edges and acronyms in the order the threads happened to meet
 * them. They are written by name instead (documents by name, nodes by
 * type and id, surface forms by node and text, edges by their nodes,
 * acronyms by slug; explain lines by document position, each document's
 * in the order they were made), so the same corpus and options give the
 * same bytes whatever the thread count or scheduling. Loading does not
 * depend on the order (eg_graph_merge). */
typedef struct {
    const eg_graph *g;
    uint32_t *doc, *docpos;   /* doc[k]: the k-th written; docpos: its inverse */
    uint32_t *node, *nodepos;
    uint32_t *alias, *edge, *learned, *explain;
} save_order;

static int cmp_doc(const void *a, const void *b, void *ctx)
{
    const eg_graph *g = ctx;
    return strcmp(g->docs.items[*(const uint32_t *)a].key, g->docs.items[*(const uint32_t *)b].key);
}

static uint32_t alias_node(const eg_strmap_item *it)
{
    uint32_t node;
    memcpy(&node, it->key, 4);
    return node;
}

/* Two surface forms of one node, by their bytes. */
static int cmp_surface(const void *a, const void *b, void *ctx)
{
    const eg_graph *g = ctx;
    const eg_strmap_item *x = &g->aliases.items[*(const uint32_t *)a];
    const eg_strmap_item *y = &g->aliases.items[*(const uint32_t *)b];
    size_t lx = x->klen - 4, ly = y->klen - 4;
    int c = memcmp(x->key + 4, y->key + 4, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Stable counting sort of v[0..n) by key[v[i]] < nkeys into out (tmp:
 * nkeys + 1 counters). */
static void count_sort(const uint32_t *v, uint32_t *out, size_t n, const uint32_t *key, size_t nkeys, size_t *cnt)
{
    size_t i, sum = 0;
    memset(cnt, 0, (nkeys + 1) * sizeof *cnt);
    for (i = 0; i < n; i++)
        cnt[key[v[i]]]++;
    for (i = 0; i <= nkeys; i++) {
        size_t c = cnt[i];
        cnt[i] = sum;
        sum += c;
    }
    for (i = 0; i < n; i++)
        out[cnt[key[v[i]]]++] = v[i];
}

/* An edge's nodes as written: positions, the smaller first. */
static void edge_pos(const save_order *o, const gedge *e, uint32_t *a, uint32_t *b)
{
    uint32_t x = o->nodepos[e->a], y = o->nodepos[e->b];
    *a = x < y ? x : y;
    *b = x < y ? y : x;
}

static int cmp_learned(const void *a, const void *b, void *ctx)
{
    const eg_graph *g = ctx;
    return strcmp(g->learned.items[*(const uint32_t *)a].key, g->learned.items[*(const uint32_t *)b].key);
}

/* By document position, then name (graphs loaded from other runs may
 * hold other documents at the same position); no further: eg_sort is
 * stable, and one document's lines are made by one thread, together, in
 * one order. */
static int cmp_explain(const void *a, const void *b, void *ctx)
{
    const eg_graph *g = ctx;
    const gexplain *x = &g->explain[*(const uint32_t *)a], *y = &g->explain[*(const uint32_t *)b];
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->seq == UINT64_MAX || x->doc == y->doc || x->doc >= g->docs.count || y->doc >= g->docs.count)
        return 0;
    return strcmp(g->docs.items[x->doc].key, g->docs.items[y->doc].key);
}

static uint32_t *iota(size_t n)
{
    uint32_t *v = eg_malloc((n ? n : 1) * sizeof *v);
    size_t i;
    if (v)
        for (i = 0; i < n; i++)
            v[i] = (uint32_t)i;
    return v;
}

static void save_order_free(save_order *o)
{
    eg_free(o->doc);
    eg_free(o->docpos);
    eg_free(o->node);
    eg_free(o->nodepos);
    eg_free(o->alias);
    eg_free(o->edge);
    eg_free(o->learned);
    eg_free(o->explain);
}

/* A node to sort: the eg_str_prefix of its key, then the node. */
typedef struct {
    uint64_t prefix;
    uint32_t node;
} node_key;

static int cmp_node_key(const void *a, const void *b, void *ctx)
{
    const node_key *x = a, *y = b;
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    return strcmp(((const eg_graph *)ctx)->ids.items[x->node].key, ((const eg_graph *)ctx)->ids.items[y->node].key);
}

/* Nodes by type and id (eg_prefix_sort). */
static int sort_nodes(save_order *o)
{
    const eg_graph *g = o->g;
    size_t n = g->nnodes, i;
    node_key *k = eg_malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return EG_ENOMEM;
    for (i = 0; i < n; i++) {
        k[i].prefix = eg_str_prefix(g->ids.items[i].key);
        k[i].node = (uint32_t)i;
    }
    if (eg_prefix_sort(k, n, sizeof *k, cmp_node_key, (void *)g)) {
        eg_free(k);
        return EG_ENOMEM;
    }
    for (i = 0; i < n; i++)
        o->node[i] = k[i].node;
    eg_free(k);
    return EG_OK;
}

/* Surface forms by node position (a counting sort), then each node's by
 * their bytes; edges by their written nodes, the second then the first
 * (two stable counting sorts): linear, where a comparison sort of these
 * tables cost as much as writing them. */
static int sort_aliases_edges(save_order *o, unsigned threads)
{
    const eg_graph *g = o->g;
    size_t n = g->aliases.count > g->nedges ? g->aliases.count : g->nedges, i, j;
    size_t *cnt = eg_malloc((g->nnodes + 1) * sizeof *cnt);
    uint32_t *key = eg_malloc((n ? n : 1) * sizeof *key), *tmp = eg_malloc((n ? n : 1) * sizeof *tmp);
    int rc = EG_ENOMEM;
    if (!cnt || !key || !tmp)
        goto out;
    for (i = 0; i < g->aliases.count; i++)
        key[i] = o->nodepos[alias_node(&g->aliases.items[i])];
    count_sort(o->alias, tmp, g->aliases.count, key, g->nnodes, cnt);
    memcpy(o->alias, tmp, g->aliases.count * sizeof *tmp);
    for (i = 0; i < g->aliases.count; i = j) {
        for (j = i + 1; j < g->aliases.count && key[o->alias[j]] == key[o->alias[i]]; j++)
            ;
        if (j - i > 1 && eg_sort_threads(o->alias + i, j - i, sizeof *o->alias, cmp_surface, (void *)g, threads))
            goto out;
    }
    for (i = 0; i < g->nedges; i++) {
        uint32_t a, b;
        edge_pos(o, &g->edges[i], &a, &b);
        key[i] = b;
    }
    count_sort(o->edge, tmp, g->nedges, key, g->nnodes, cnt);
    for (i = 0; i < g->nedges; i++) {
        uint32_t a, b;
        edge_pos(o, &g->edges[i], &a, &b);
        key[i] = a;
    }
    count_sort(tmp, o->edge, g->nedges, key, g->nnodes, cnt);
    rc = EG_OK;
out:
    eg_free(cnt);
    eg_free(key);
    eg_free(tmp);
    return rc;
}

static int save_order_make(save_order *o, const eg_graph *g)
{
    size_t i;
    void *ctx = (void *)g;
    unsigned threads = g->threads ? g->threads : 1;
    memset(o, 0, sizeof *o);
    o->g = g;
    if (!(o->doc = iota(g->docs.count)) || !(o->docpos = iota(g->docs.count)) || !(o->node = iota(g->nnodes)) ||
        !(o->nodepos = iota(g->nnodes)) || !(o->alias = iota(g->aliases.count)) || !(o->edge = iota(g->nedges)) ||
        !(o->learned = iota(g->learned.count)) || !(o->explain = iota(g->nexplain)))
        return EG_ENOMEM;
    if (eg_sort(o->doc, g->docs.count, sizeof *o->doc, cmp_doc, ctx) ||
        sort_nodes(o))
        return EG_ENOMEM;
    for (i = 0; i < g->docs.count; i++)
        o->docpos[o->doc[i]] = (uint32_t)i;
    for (i = 0; i < g->nnodes; i++)
        o->nodepos[o->node[i]] = (uint32_t)i;
    if (sort_aliases_edges(o, threads) ||
        eg_sort(o->learned, g->learned.count, sizeof *o->learned, cmp_learned, ctx) ||
        eg_sort(o->explain, g->nexplain, sizeof *o->explain, cmp_explain, ctx))
        return EG_ENOMEM;
    return EG_OK;
}

static int save_nodes(const save_order *o, eg_buf *b)
{
    const eg_graph *g = o->g;
    size_t i;
    if (put(b, g->nnodes, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[o->node[i]];
        const eg_strmap_item *id = &g->ids.items[o->node[i]];
        const char *label = g->strs.p + n->label;
        if (put_str(b, id->key + 1, id->klen - 1) || put_str(b, label, strlen(label)) || put(b, n->type, 1) ||
            put(b, n->origin, 1) || put(b, n->words, 2) || put(b, n->mentions, 8) || put(b, n->windows, 8) ||
            put(b, n->docs, 4))
            return EG_ENOMEM;
    }
    if (put(b, g->aliases.count, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->aliases.count; i++) {
        const eg_strmap_item *it = &g->aliases.items[o->alias[i]];
        if (put(b, o->nodepos[alias_node(it)], 4) || put_str(b, it->key + 4, it->klen - 4) ||
            put(b, g->acount[it->val], 8))
            return EG_ENOMEM;
    }
    return EG_OK;
}

/* The spool files mapped for reading: the edges are written out of the
 * order their snippets were spooled in, and a read call per snippet at
 * scattered offsets cost more than the sort. A spool that cannot be
 * mapped is read as before (eg_graph_snippet). */
typedef struct {
    const char **map;
    size_t *size;
    size_t n;
} spool_maps;

static void spool_maps_free(spool_maps *m)
{
    size_t i;
    for (i = 0; i < m->n; i++)
        if (m->map[i])
            munmap((void *)m->map[i], m->size[i]);
    eg_free(m->map);
    eg_free(m->size);
}

static int spool_maps_make(spool_maps *m, const eg_graph *g)
{
    size_t i;
    memset(m, 0, sizeof *m);
    if (!g->nspools)
        return EG_OK;
    if (!(m->map = eg_calloc(g->nspools, sizeof *m->map)) || !(m->size = eg_calloc(g->nspools, sizeof *m->size)))
        return EG_ENOMEM;
    m->n = g->nspools;
    for (i = 0; i < m->n; i++) {
        struct stat st;
        void *p;
        if (g->spools[i] < 0 || fstat(g->spools[i], &st) != 0 || st.st_size <= 0)
            continue;
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, g->spools[i], 0);
        if (p != MAP_FAILED) {
            m->map[i] = p;
            m->size[i] = (size_t)st.st_size;
        }
    }
    return EG_OK;
}

static int save_edges(const save_order *o, eg_buf *b)
{
    const eg_graph *g = o->g;
    size_t i, j;
    eg_buf snip = {0};
    spool_maps m;
    int rc = spool_maps_make(&m, g);
    if (rc)
        goto out;
    rc = EG_ENOMEM;
    if (put(b, g->nedges, 4))
        goto out;
    for (i = 0; i < g->nedges; i++) {
        const gedge *e = &g->edges[o->edge[i]];
        uint32_t a, bb;
        /* the edges are read out of their order: fetch ahead */
        if (i + 16 < g->nedges)
            EG_PREFETCH(&g->edges[o->edge[i + 16]]);
        if (i + 8 < g->nedges) {
            const gedge *t = &g->edges[o->edge[i + 8]];
            if (t->nev)
                EG_PREFETCH(eg_edge_ev(g, t, 0));
        }
        edge_pos(o, e, &a, &bb);
        if (put(b, a, 4) || put(b, bb, 4) || put(b, e->count, 8) || put(b, e->docs, 4) || put(b, e->nev, 4))
            goto out;
        /* (an edge's windows are in document-name order already) */
        for (j = 0; j < e->nev; j++) {
            const gevidence *x = eg_edge_ev(g, e, j);
            const char *sp;
            size_t sl;
            if (x->spool < m.n && m.map[x->spool] && x->snip + x->snip_len <= m.size[x->spool]) {
                sp = m.map[x->spool] + x->snip;
                sl = x->snip_len;
            } else {
                if ((rc = eg_graph_snippet(g, x, &snip)))
                    goto out;
                rc = EG_ENOMEM;
                sp = snip.p;
                sl = snip.len;
            }
            if (put(b, x->start, 8) || put(b, x->end, 8) || put(b, o->docpos[x->doc], 4) || put_str(b, sp, sl))
                goto out;
        }
    }
    rc = EG_OK;
out:
    spool_maps_free(&m);
    eg_buf_free(&snip);
    return rc;
}

static int save_rest(const save_order *o, eg_buf *b)
{
    const eg_graph *g = o->g;
    size_t i;
    if (put(b, g->learned.count, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->learned.count; i++) {
        const eg_strmap_item *it = &g->learned.items[o->learned[i]];
        if (put_str(b, it->key, it->klen) || put(b, it->val == EG_NONE ? EG_NONE : o->nodepos[it->val], 4))
            return EG_ENOMEM;
    }
    if (put(b, g->nexplain, 4))
        return EG_ENOMEM;
    for (i = 0; i < g->nexplain; i++) {
        const gexplain *x = &g->explain[o->explain[i]];
        const char *s = g->strs.p + x->text;
        /* (a corpus-level line names no document) */
        uint32_t doc = x->seq == UINT64_MAX || x->doc >= g->docs.count ? x->doc : o->docpos[x->doc];
        if (put(b, x->seq, 8) || put(b, x->start, 8) || put(b, x->end, 8) || put(b, doc, 4) ||
            put_str(b, s, strlen(s)))
            return EG_ENOMEM;
    }
    return EG_OK;
}

int eg_graph_save(const eg_graph *g, char **out, size_t *len)
{
    eg_buf b = {0};
    save_order o;
    size_t i;
    int rc = EG_ENOMEM;
    if (save_order_make(&o, g))
        goto out;
    if (eg_buf_add(&b, magic, sizeof magic) || put(&b, g->ndocs, 8) || put(&b, g->nwindows, 8) ||
        put(&b, g->docs.count, 4))
        goto out;
    for (i = 0; i < g->docs.count; i++)
        if (put_str(&b, g->docs.items[o.doc[i]].key, g->docs.items[o.doc[i]].klen))
            goto out;
    if (save_nodes(&o, &b) || (rc = save_edges(&o, &b)) || (rc = save_rest(&o, &b)))
        goto out;
    *out = b.p;
    *len = b.len;
    b.p = NULL;
out:
    save_order_free(&o);
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

/*
 * graph.c — the co-occurrence graph: nodes (entities) with mention, window
 * and document counts and the surface forms seen; edges with counts and
 * evidence; merging of partial graphs. The document pipeline that feeds it
 * is document.c; corpus-level resolution, weights and the view for the
 * writers are in finish.c.
 */
#include "graph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

eg_graph *eg_graph_new(const eg_ctx *c)
{
    eg_graph *g = eg_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->ctx = c;
    g->newest_doc = EG_NONE;
    /* offset 0 of strs is the empty string */
    if (eg_buf_addc(&g->strs, 0)) {
        eg_free(g);
        return NULL;
    }
    return g;
}

void eg_graph_free(eg_graph *g)
{
    if (!g)
        return;
    eg_strmap_free(&g->ids);
    eg_free(g->nodes);
    eg_strmap_free(&g->aliases);
    eg_free(g->acount);
    eg_free(g->alias_last);
    eg_free(g->edge_slots);
    eg_free(g->gaz_node);
    eg_buf_free(&g->bkeys);
    eg_free(g->bk);
    eg_free(g->btab);
    eg_free(g->edges);
    eg_free(g->ev);
    eg_free(g->evix);
    {
        size_t i;
        for (i = 0; i < g->nspools; i++)
            if (g->spools[i] >= 0)
                close(g->spools[i]);
    }
    eg_free(g->spools);
    eg_buf_free(&g->spool_buf);
    eg_strmap_free(&g->docs);
    eg_free(g->doc_rank);
    eg_buf_free(&g->strs);
    eg_strmap_free(&g->learned);
    eg_free(g->explain);
    eg_graph_work_free(g->work);
    eg_free(g->final);
    eg_free(g->vid);
    eg_free(g->vnodes);
    eg_free(g->vedges);
    eg_free(g->vev);
    eg_free(g->valiases);
    eg_free(g->vindex);
    eg_free(g);
}

const char *eg_graph_error(const eg_graph *g) { return g->err.msg; }

void eg_graph_set_threads(eg_graph *g, unsigned n) { g->threads = n; }

static int str_add(eg_graph *g, const char *s, size_t n, uint32_t *off)
{
    if (g->strs.len + n + 1 > UINT32_MAX)
        return EG_ENOMEM;
    *off = (uint32_t)g->strs.len;
    if (eg_buf_add(&g->strs, s, n) || eg_buf_addc(&g->strs, 0))
        return EG_ENOMEM;
    return EG_OK;
}

int eg_graph_str(eg_graph *g, const char *s, uint32_t *off) { return str_add(g, s, strlen(s), off); }

/* ---- nodes ---- */

/* The node of key (the type digit, then the id; klen bytes; eg_hash h). */
static int node_put(eg_graph *g, const char *key, size_t klen, uint64_t h, const char *label, eg_type type,
                    uint8_t origin, uint16_t words, uint32_t *out)
{
    uint32_t *slot;
    int added;
    gnode *n;
    /* room for the node first: a key in g->ids always has its node */
    if (EG_GROW(g->nodes, g->nodes_cap, g->nnodes + 1) ||
        eg_strmap_put_hashed(&g->ids, key, klen, h, (uint32_t)g->nnodes, &slot, &added))
        return EG_ENOMEM;
    if (!added) {
        n = &g->nodes[*slot];
        if (words > n->words)
            n->words = words;
        /* the same id from a gazetteer and from a rule: the gazetteer's
         * origin and label, in whatever order they came */
        if (origin < n->origin) {
            n->origin = origin;
            if (origin != EG_ORIGIN_RULE && label && *label && !n->label &&
                str_add(g, label, strlen(label), &n->label))
                return EG_ENOMEM;
        }
        *out = *slot;
        return EG_OK;
    }
    n = &g->nodes[g->nnodes];
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)type;
    n->origin = origin;
    n->words = words;
    *out = (uint32_t)g->nnodes++;
    /* the node exists from here on (ids.items[i] is node i), even when its
     * label cannot be stored */
    if (origin != EG_ORIGIN_RULE && label && *label && str_add(g, label, strlen(label), &n->label)) {
        n->label = 0;
        return EG_ENOMEM;
    }
    return EG_OK;
}

int eg_graph_node(eg_graph *g, const char *id, const char *label, eg_type type, uint8_t origin, uint16_t words,
                  uint32_t *out)
{
    int rc;
    char small[128];
    size_t len = strlen(id);
    char *key = len + 2 <= sizeof small ? small : eg_malloc(len + 2);
    /* nodes are keyed by type and id: a rule-found "Jordan" (PERSON) and
     * the gazetteer's Jordan (PLACE) are two entities whichever document
     * or thread meets them first */
    if (!key)
        return EG_ENOMEM;
    key[0] = (char)('0' + type);
    memcpy(key + 1, id, len + 1);
    rc = node_put(g, key, len + 1, eg_hash(key, len + 1), label, type, origin, words, out);
    if (key != small)
        eg_free(key);
    return rc;
}

/* ---- batches: many lookups in one table at once ---- */

/* Starts a batch of at most n keys (g->bkeys, g->bk). */
static int batch_start(eg_graph *g, size_t n)
{
    eg_buf_reset(&g->bkeys);
    return EG_GROW(g->bk, g->bk_cap, n + 1);
}

/* Adds a key of two parts to the batch, for request req. */
static int batch_add(eg_graph *g, size_t *nk, const void *p1, size_t n1, const char *p2, size_t n2, size_t req)
{
    gbkey *k = &g->bk[*nk];
    if (g->bkeys.len + n1 + n2 > UINT32_MAX)
        return EG_ENOMEM;
    k->off = (uint32_t)g->bkeys.len;
    k->len = (uint32_t)(n1 + n2);
    k->req = (uint32_t)req;
    k->count = 1;
    /* the bytes side by side, not NUL-terminated (one growth check) */
    if (g->bkeys.cap - g->bkeys.len < n1 + n2 && eg_buf_reserve(&g->bkeys, n1 + n2))
        return EG_ENOMEM;
    memcpy(g->bkeys.p + g->bkeys.len, p1, n1);
    memcpy(g->bkeys.p + g->bkeys.len + n1, p2, n2);
    g->bkeys.len += n1 + n2;
    (*nk)++;
    return EG_OK;
}

/* Hashes the batch's keys, fetching their first slots in table m. */
static void batch_hash(eg_graph *g, const eg_strmap *m, size_t nk)
{
    size_t i;
    for (i = 0; i < nk; i++) {
        g->bk[i].h = eg_hash(g->bkeys.p + g->bk[i].off, g->bk[i].len);
        eg_strmap_prefetch(m, g->bk[i].h, 0);
    }
}

/* The next prefetch steps (after batch_hash), each for every key (but
 * those folded into another) before the next step: the table's cache
 * misses for different keys overlap instead of coming one after
 * another. */
static void batch_prefetch(eg_graph *g, const eg_strmap *m, size_t nk)
{
    size_t i;
    int step;
    for (step = 1; step <= 2; step++)
        for (i = 0; i < nk; i++)
            if (g->bk[i].count)
                eg_strmap_prefetch(m, g->bk[i].h, step);
}

/* A node made from a gazetteer entry, when the graph has met the entry
 * before: what node_put does for a node it has (its origin is already
 * EG_ORIGIN_GAZ, the lowest, so only the words may grow). */
static int gaz_node_known(eg_graph *g, uint32_t entry, uint16_t words, uint32_t *out)
{
    gnode *n;
    if (entry >= g->gaz_node_cap || !g->gaz_node[entry])
        return 0;
    *out = g->gaz_node[entry] - 1;
    n = &g->nodes[*out];
    if (words > n->words)
        n->words = words;
    return 1;
}

/* Remembers the node of a gazetteer entry (out of memory: not
 * remembered, which only costs a lookup later). */
static void gaz_node_remember(eg_graph *g, uint32_t entry, uint32_t node)
{
    if (entry >= g->gaz_node_cap) {
        size_t old = g->gaz_node_cap;
        if (entry == EG_NONE || EG_GROW(g->gaz_node, g->gaz_node_cap, (size_t)entry + 1))
            return;
        memset(g->gaz_node + old, 0, (g->gaz_node_cap - old) * sizeof *g->gaz_node);
    }
    g->gaz_node[entry] = node + 1;
}

int eg_graph_nodes(eg_graph *g, const gnode_req *req, size_t n, uint32_t *out)
{
    size_t i, nk = 0;
    if (batch_start(g, n))
        return EG_ENOMEM;
    /* the gazetteer entries' nodes, fetched for all before the first is
     * read (a big gazetteer's table does not stay in the cache), then
     * those nodes */
    for (i = 0; i < n; i++)
        if (req[i].gaz_entry < g->gaz_node_cap)
            EG_PREFETCH(&g->gaz_node[req[i].gaz_entry]);
    for (i = 0; i < n; i++)
        if (req[i].gaz_entry < g->gaz_node_cap && g->gaz_node[req[i].gaz_entry])
            EG_PREFETCH(&g->nodes[g->gaz_node[req[i].gaz_entry] - 1]);
    for (i = 0; i < n; i++) {
        const gnode_req *q = &req[i];
        char digit = (char)('0' + q->type);
        if (q->gaz_entry != EG_NONE && gaz_node_known(g, q->gaz_entry, q->words, &out[i]))
            continue;
        if (batch_add(g, &nk, &digit, 1, q->id, strlen(q->id), i))
            return EG_ENOMEM;
    }
    batch_hash(g, &g->ids, nk);
    batch_prefetch(g, &g->ids, nk);
    for (i = 0; i < nk; i++) {
        const uint32_t *v = eg_strmap_peek(&g->ids, g->bk[i].h);
        if (v)
            EG_PREFETCH(&g->nodes[*v]);
    }
    /* in request order: new nodes are numbered as one call each would */
    for (i = 0; i < nk; i++) {
        const gbkey *k = &g->bk[i];
        const gnode_req *q = &req[k->req];
        if (node_put(g, g->bkeys.p + k->off, k->len, k->h, q->label, (eg_type)q->type, q->origin, q->words,
                     &out[k->req]))
            return EG_ENOMEM;
        if (q->gaz_entry != EG_NONE)
            gaz_node_remember(g, q->gaz_entry, out[k->req]);
    }
    return EG_OK;
}

/* Adds count to the surface form key ("<node:4 bytes><surface>", eg_hash
 * h). */
static int alias_put(eg_graph *g, const char *key, size_t len, uint64_t h, uint64_t count)
{
    uint32_t *slot;
    int added;
    /* room for the count first: every alias in the map has its count */
    if (EG_GROW(g->acount, g->acount_cap, g->aliases.count + 1) ||
        eg_strmap_put_hashed(&g->aliases, key, len, h, (uint32_t)g->aliases.count, &slot, &added))
        return EG_ENOMEM;
    if (added)
        g->acount[*slot] = count;
    else
        g->acount[*slot] += count;
    {
        uint32_t node;
        memcpy(&node, key, 4);
        if (node < g->alias_last_cap)
            g->alias_last[node] = *slot + 1;
    }
    return EG_OK;
}

static int alias_add(eg_graph *g, uint32_t node, const char *s, size_t len, uint64_t count)
{
    char small[256];
    char *key = len + 4 <= sizeof small ? small : eg_malloc(len + 4);
    int rc;
    if (!key)
        return EG_ENOMEM;
    memcpy(key, &node, 4);
    memcpy(key + 4, s, len);
    rc = alias_put(g, key, len + 4, eg_hash(key, len + 4), count);
    if (key != small)
        eg_free(key);
    return rc;
}

int eg_graph_alias(eg_graph *g, uint32_t node, const char *surface, size_t len, uint64_t count)
{
    return alias_add(g, node, surface, len, count);
}

/* Folds the batch's repeated keys into their first: the first's count
 * grows, the others' drops to 0 (a document names most entities the same
 * way each time). g->btab: an open-addressing table of key index + 1. */
static int batch_fold(eg_graph *g, size_t nk)
{
    size_t n = 16, i, j, mask;
    while (n < nk * 2)
        n *= 2;
    if (EG_GROW(g->btab, g->btab_cap, n))
        return EG_ENOMEM;
    memset(g->btab, 0, n * sizeof *g->btab);
    mask = n - 1;
    for (i = 0; i < nk; i++) {
        gbkey *k = &g->bk[i];
        for (j = k->h & mask; g->btab[j]; j = (j + 1) & mask) {
            gbkey *o = &g->bk[g->btab[j] - 1];
            if (o->h == k->h && o->len == k->len && memcmp(g->bkeys.p + o->off, g->bkeys.p + k->off, k->len) == 0)
                break;
        }
        if (g->btab[j]) {
            g->bk[g->btab[j] - 1].count++;
            k->count = 0;
        } else {
            g->btab[j] = (uint32_t)i + 1;
        }
    }
    return EG_OK;
}

/* The surface form of mention x when it is the one its node had last
 * (alias_last), else NULL. */
static const eg_strmap_item *alias_guess(const eg_graph *g, const gsurface *x)
{
    uint32_t a = g->alias_last[x->node];
    const eg_strmap_item *it;
    if (!a)
        return NULL;
    it = &g->aliases.items[a - 1];
    return it->klen == x->len + 4 && memcmp(it->key + 4, x->text, x->len) == 0 ? it : NULL;
}

int eg_graph_count_mentions(eg_graph *g, const gsurface *m, size_t n, uint64_t seq)
{
    size_t i, nk = 0;
    if (batch_start(g, n))
        return EG_ENOMEM;
    if (g->alias_last_cap < g->nnodes) {
        size_t old = g->alias_last_cap;
        if (EG_GROW(g->alias_last, g->alias_last_cap, g->nnodes))
            return EG_ENOMEM;
        memset(g->alias_last + old, 0, (g->alias_last_cap - old) * sizeof *g->alias_last);
    }
    for (i = 0; i < n; i++) {
        gnode *x = &g->nodes[m[i].node];
        x->mentions++;
        if (x->last_doc != (uint32_t)(seq + 1)) {
            x->last_doc = (uint32_t)(seq + 1);
            x->docs++;
        }
        EG_PREFETCH(&g->alias_last[m[i].node]);
    }
    /* the guesses' items, then their keys and counts, fetched for all
     * before the first is read */
    for (i = 0; i < n; i++)
        if (g->alias_last[m[i].node])
            EG_PREFETCH(&g->aliases.items[g->alias_last[m[i].node] - 1]);
    for (i = 0; i < n; i++)
        if (g->alias_last[m[i].node]) {
            const eg_strmap_item *it = &g->aliases.items[g->alias_last[m[i].node] - 1];
            EG_PREFETCH(it->key);
            EG_PREFETCH(&g->acount[it->val]);
        }
    /* a mention named as its node was last is counted at once (the form
     * is in the map: no order to keep); the others in a batch */
    for (i = 0; i < n; i++) {
        const eg_strmap_item *it = alias_guess(g, &m[i]);
        if (it)
            g->acount[it->val]++;
        else if (batch_add(g, &nk, &m[i].node, 4, m[i].text, m[i].len, i))
            return EG_ENOMEM;
    }
    batch_hash(g, &g->aliases, nk);
    if (batch_fold(g, nk))
        return EG_ENOMEM;
    batch_prefetch(g, &g->aliases, nk);
    for (i = 0; i < nk; i++) {
        const uint32_t *v = g->bk[i].count ? eg_strmap_peek(&g->aliases, g->bk[i].h) : NULL;
        if (v)
            EG_PREFETCH(&g->acount[*v]);
    }
    /* surface forms are kept in the order they first come */
    for (i = 0; i < nk; i++)
        if (g->bk[i].count && alias_put(g, g->bkeys.p + g->bk[i].off, g->bk[i].len, g->bk[i].h, g->bk[i].count))
            return EG_ENOMEM;
    return EG_OK;
}

/* ---- edges ---- */


static uint64_t edge_hash(uint32_t a, uint32_t b) { return eg_hash_mix(a, b); }

/* The slot of edge (a, b) (hash h): its own, or the empty one where it
 * would go. Slots with other hash bits are passed without reading their
 * edges. */
static size_t edge_find(const eg_graph *g, uint32_t a, uint32_t b, uint64_t h)
{
    size_t mask = g->edge_nslots - 1, i = (size_t)h & mask;
    uint32_t h32 = (uint32_t)h;
    for (; g->edge_slots[i].e; i = (i + 1) & mask) {
        const gedge *e;
        if (g->edge_slots[i].h != h32)
            continue;
        e = &g->edges[g->edge_slots[i].e - 1];
        if (e->a == a && e->b == b)
            break;
    }
    return i;
}

/* Makes the slot table (again) with room for `want` edges: after growth,
 * before a merge adds many, or when eg_graph_finish has dropped it. The
 * slots' hash bits place the edges (the table has at most 2^32 slots, so
 * they are all the bits needed); a new table hashes the pairs. */
static int edges_rehash(eg_graph *g, size_t want)
{
    size_t n = g->edge_nslots ? g->edge_nslots * 2 : 1024, i, j, mask;
    gedge_slot *ns;
    while (want * 10 >= n * 7)
        n *= 2;
    if (n > ((size_t)1 << 32) || !(ns = eg_calloc(n, sizeof *ns)))
        return EG_ENOMEM;
    mask = n - 1;
    if (g->edge_nslots) {
        for (i = 0; i < g->edge_nslots; i++) {
            if (!g->edge_slots[i].e)
                continue;
            for (j = g->edge_slots[i].h & mask; ns[j].e; j = (j + 1) & mask)
                ;
            ns[j] = g->edge_slots[i];
        }
    } else {
        for (i = 0; i < g->nedges; i++) {
            uint32_t h = (uint32_t)edge_hash(g->edges[i].a, g->edges[i].b);
            for (j = h & mask; ns[j].e; j = (j + 1) & mask)
                ;
            ns[j].e = (uint32_t)i + 1;
            ns[j].h = h;
        }
    }
    eg_free(g->edge_slots);
    g->edge_slots = ns;
    g->edge_nslots = n;
    return EG_OK;
}

static unsigned ev_k(const eg_graph *g)
{
    unsigned k = g->ctx->opt.evidence;
    return k > 64 ? 64 : k;
}

/* The edge (a, b), a < b, made when new. */
static int edge_get(eg_graph *g, uint32_t a, uint32_t b, gedge **out)
{
    uint64_t h = edge_hash(a, b);
    size_t i;
    gedge *e;
    if ((g->nedges + 1) * 10 >= g->edge_nslots * 7 && edges_rehash(g, g->nedges + 1))
        return EG_ENOMEM;
    i = edge_find(g, a, b, h);
    if (g->edge_slots[i].e) {
        *out = &g->edges[g->edge_slots[i].e - 1];
        return EG_OK;
    }
    if (g->nedges >= UINT32_MAX - 1 || EG_GROW(g->edges, g->edges_cap, g->nedges + 1))
        return EG_ENOMEM;
    e = &g->edges[g->nedges];
    memset(e, 0, sizeof *e);
    e->a = a;
    e->b = b;
    g->edge_slots[i].e = (uint32_t)++g->nedges;
    g->edge_slots[i].h = (uint32_t)h;
    *out = e;
    return EG_OK;
}

/* Evidence order: by document name, then offsets. Names, not positions
 * in one run's input, so graphs built by different threads, processes or
 * machines merge to the same evidence. */
int eg_graph_ev_cmp(const eg_graph *g, const gevidence *x, const gevidence *y)
{
    if (x->doc != y->doc) {
        int c;
        if (!g->docs_unsorted)
            return x->doc < y->doc ? -1 : 1;
        if (g->doc_rank)
            return g->doc_rank[x->doc] < g->doc_rank[y->doc] ? -1 : 1;
        c = strcmp(g->docs.items[x->doc].key, g->docs.items[y->doc].key);
        if (c)
            return c;
    }
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int ev_before(const eg_graph *g, const gevidence *x, const gevidence *y)
{
    return eg_graph_ev_cmp(g, x, y) < 0;
}

/* Keeps window record x; *out is its index in g->ev. */
static int ev_new(eg_graph *g, const gevidence *x, uint32_t *out)
{
    if (g->nev >= UINT32_MAX - 1 || EG_GROW(g->ev, g->ev_cap, g->nev + 1))
        return EG_ENOMEM;
    g->ev[g->nev] = *x;
    *out = (uint32_t)g->nev++;
    return EG_OK;
}

/* Inserts window w into the edge's evidence, keeping the K first in
 * order. An edge holds its one window itself until a second comes; then
 * a block of K window indices in g->evix. */
static int ev_insert(eg_graph *g, gedge *e, uint32_t w)
{
    unsigned k = ev_k(g), i;
    const gevidence *x = &g->ev[w];
    uint32_t *v;
    if (!k)
        return EG_OK;
    if (!e->evcap) {
        e->ev = w;
        e->nev = 1;
        e->evcap = 1;
        return EG_OK;
    }
    if (e->evcap == 1) {
        if (k == 1) {
            if (ev_before(g, x, &g->ev[e->ev]))
                e->ev = w;
            return EG_OK;
        }
        if (g->evix_used + k > UINT32_MAX || EG_GROW(g->evix, g->evix_cap, g->evix_used + k))
            return EG_ENOMEM;
        g->evix[g->evix_used] = e->ev;
        e->ev = (uint32_t)g->evix_used;
        e->evcap = (uint8_t)k;
        g->evix_used += k;
    }
    v = g->evix + e->ev;
    if (e->nev == k && !ev_before(g, x, &g->ev[v[k - 1]]))
        return EG_OK;
    i = e->nev < k ? e->nev++ : k - 1;
    while (i > 0 && ev_before(g, x, &g->ev[v[i - 1]])) {
        v[i] = v[i - 1];
        i--;
    }
    v[i] = w;
    return EG_OK;
}

/* ---- the snippet spool ---- */

/* Makes this graph's own spool file (spools[0]): an unlinked temporary
 * file in $TMPDIR (or /tmp), so nothing is left behind even on a crash. */
static int spool_open(eg_graph *g)
{
    const char *dir = getenv("TMPDIR");
    eg_buf path = {0};
    int fd;
    if (g->nspools)
        return EG_OK;
    if (EG_GROW(g->spools, g->spools_cap, 1) ||
        eg_buf_addf(&path, "%s/entgraph-evidence-XXXXXX", dir && *dir ? dir : "/tmp")) {
        eg_buf_free(&path);
        return eg_err_nomem(&g->err);
    }
    fd = mkstemp(path.p);
    if (fd < 0) {
        int rc = eg_err_set(&g->err, EG_EIO, "%s: cannot make a temporary file for evidence: %s", path.p,
                            strerror(errno));
        eg_buf_free(&path);
        return rc;
    }
    unlink(path.p);
    eg_buf_free(&path);
    g->spools[0] = fd;
    g->nspools = 1;
    return EG_OK;
}

int eg_graph_spool_flush(eg_graph *g)
{
    size_t done = 0;
    while (done < g->spool_buf.len) {
        ssize_t k = write(g->spools[0], g->spool_buf.p + done, g->spool_buf.len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return eg_err_set(&g->err, EG_EIO, "cannot write evidence to a temporary file: %s",
                              k < 0 ? strerror(errno) : "disk full");
        done += (size_t)k;
    }
    eg_buf_reset(&g->spool_buf);
    return EG_OK;
}

static int read_at(int fd, char *p, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t k = pread(fd, p + done, n - done, (off_t)(off + done));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return EG_EIO;
        done += (size_t)k;
    }
    return EG_OK;
}

int eg_graph_snippet(const eg_graph *g, const gevidence *x, eg_buf *b)
{
    uint64_t flushed = g->spool_len - g->spool_buf.len;
    eg_buf_reset(b);
    if (eg_buf_reserve(b, x->snip_len))
        return EG_ENOMEM;
    if (x->spool == 0 && x->snip >= flushed) {
        memcpy(b->p, g->spool_buf.p + (x->snip - flushed), x->snip_len);
    } else if (x->spool >= g->nspools || read_at(g->spools[x->spool], b->p, x->snip_len, x->snip)) {
        return EG_EIO;
    }
    b->len = x->snip_len;
    b->p[b->len] = 0;
    return EG_OK;
}

const char *eg_evidence_snippet(const eg_evidence *ev, eg_buf *b)
{
    if (ev->snippet)
        return ev->snippet;
    eg_buf_reset(b);
    if (eg_buf_reserve(b, ev->snip_len) || read_at(ev->spool_fd, b->p, ev->snip_len, ev->snip_off))
        return NULL;
    b->len = ev->snip_len;
    b->p[b->len] = 0;
    return b->p;
}

/* White space that snippets fold into one space (' ', \t, \n, \r: bits
 * 32, 9, 10 and 13 of the mask), as 0 or 1 without a branch. */
static unsigned snip_space(unsigned char c)
{
    return (unsigned)(c <= ' ') & (unsigned)(0x100002600ULL >> (c & 63));
}

/* Sixteen bytes at a time with SSE2 (every x86-64) in snip_plain. */
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define GR_SSE2 1
#else
#define GR_SSE2 0
#endif

/* The length of the start of s[0, lim) that folding leaves as it is,
 * copied to tmp sixteen bytes at a time with SSE2, then eight: no byte
 * below ' ' (\t \n \r, and the others are left to the byte loop), no two
 * spaces in a row, none first, and it ends before a space (so the byte
 * loop goes on from a state of "no space pending"). Most windows are one
 * line of single spaces. */
static size_t snip_plain(const char *s, size_t lim, char *tmp)
{
    const uint64_t ones = 0x0101010101010101ULL, hi = 0x8080808080808080ULL, low7 = 0x7F7F7F7F7F7F7F7FULL;
    size_t i = 0;
#if GR_SSE2
    const __m128i lo = _mm_set1_epi8(0x1F), sp = _mm_set1_epi8(' ');
    while (i + 16 <= lim) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        /* max(byte, 0x1F) == 0x1F: a byte below ' ' */
        unsigned ctl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, lo), lo));
        unsigned spc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
        /* a space after a space, in the block or across its start */
        if (ctl || (spc & (spc << 1)) || ((spc & 1) && (i == 0 || s[i - 1] == ' ')))
            break;
        _mm_storeu_si128((__m128i *)(tmp + i), v);
        i += 16;
    }
#endif
    while (i + 8 <= lim) {
        uint64_t w, c, t, z;
        memcpy(&w, s + i, 8);
        c = w & 0xE0E0E0E0E0E0E0E0ULL;    /* 0 in a byte below ' ' */
        t = w ^ 0x2020202020202020ULL;    /* 0 in a space */
        z = ~(((t & low7) + low7) | t | low7); /* 0x80 in each space, exactly */
        /* adjacent spaces (either byte order), or a space after the last
         * word's, or first */
        if (((c - ones) & ~c & hi) || (z & (z << 8)) || (s[i] == ' ' && (i == 0 || s[i - 1] == ' ')))
            break;
        memcpy(tmp + i, s + i, 8);
        i += 8;
    }
    return i && s[i - 1] == ' ' ? i - 1 : i;
}

/* Appends the window's text to the spool, white space folded, cut at about
 * 200 bytes on a character boundary; *off and *len say where it is. Until
 * the cut could come, bytes are copied without a branch on them (a
 * mispredicted branch per word costs more than the copy), eight at a time
 * while folding changes nothing; then byte by byte through the local
 * buffer, one eg_buf call per 240 bytes. */
static int snippet_add(eg_graph *g, const char *s, size_t n, uint64_t *off, uint16_t *len)
{
    char tmp[256];
    size_t i, out, t;
    unsigned space = 0;
    if (!g->nspools && spool_open(g))
        return g->err.code;
    /* a byte adds at most two (a folded space, itself): below 199, no cut */
    i = t = snip_plain(s, n < 199 ? n : 199, tmp);
    for (; i < n && t < 199; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned ws = snip_space(c);
        tmp[t] = ' ';
        t += space & !ws;
        tmp[t] = (char)c;
        t += !ws;
        space = ws & (t > 0);
    }
    for (out = t; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (snip_space(c)) {
            space = out > 0;
            continue;
        }
        if (out >= 200 && (c & 0xC0) != 0x80) {
            memcpy(tmp + t, "...", 3);
            t += 3;
            out += 3;
            break;
        }
        if (space) {
            tmp[t++] = ' ';
            out++;
        }
        tmp[t++] = (char)c;
        out++;
        space = 0;
        if (t >= 240) {
            if (eg_buf_add(&g->spool_buf, tmp, t))
                return eg_err_nomem(&g->err);
            t = 0;
        }
    }
    if (t && eg_buf_add(&g->spool_buf, tmp, t))
        return eg_err_nomem(&g->err);
    *off = g->spool_len;
    *len = (uint16_t)out;
    g->spool_len += out;
    return EG_OK;
}

/* Would x be among the edge's K first evidence records? */
static int ev_wanted(const eg_graph *g, const gedge *e, const gevidence *x)
{
    unsigned k = ev_k(g);
    return k && (e->nev < k || ev_before(g, x, eg_edge_ev(g, e, k - 1)));
}

/* Counts one co-occurrence of nodes a and b; the window's snippet and
 * record are made on first need (*wix EG_NONE until then) and shared by
 * the window's other pairs. */
static int pair_add(eg_graph *g, uint32_t a, uint32_t b, uint64_t seq, uint32_t doc, uint64_t start, uint64_t end,
                    const char *text, size_t len, uint32_t *wix)
{
    gedge *e;
    gevidence x;
    int first;
    if (a == b)
        return EG_OK;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    if (edge_get(g, a, b, &e))
        return eg_err_nomem(&g->err);
    e->count++;
    first = e->last_doc != (uint32_t)(seq + 1);
    if (first) {
        e->last_doc = (uint32_t)(seq + 1);
        e->docs++;
    }
    /* the edge's K records, none from this document, all come before a
     * window of the newest document: no need to read them */
    if (first && doc == g->newest_doc && e->nev >= ev_k(g))
        return EG_OK;
    if (*wix == EG_NONE) {
        int rc;
        memset(&x, 0, sizeof x);
        x.start = start;
        x.end = end;
        x.doc = doc;
        if (!ev_wanted(g, e, &x))
            return EG_OK;
        if ((rc = snippet_add(g, text, len, &x.snip, &x.snip_len)))
            return rc;
        if (ev_new(g, &x, wix))
            return eg_err_nomem(&g->err);
    } else if (!ev_wanted(g, e, &g->ev[*wix])) {
        return EG_OK;
    }
    return ev_insert(g, e, *wix) ? eg_err_nomem(&g->err) : EG_OK;
}

int eg_graph_edge_add(eg_graph *g, uint32_t a, uint32_t b, uint64_t count, uint32_t docs)
{
    gedge *e;
    if (edge_get(g, a < b ? a : b, a < b ? b : a, &e))
        return EG_ENOMEM;
    e->count += count;
    e->docs += docs;
    return EG_OK;
}

int eg_graph_evidence(eg_graph *g, uint32_t a, uint32_t b, const gevidence *x, const char *snippet)
{
    gedge *e;
    gevidence y = *x;
    uint32_t w;
    int rc;
    if (edge_get(g, a < b ? a : b, a < b ? b : a, &e))
        return eg_err_nomem(&g->err);
    if (!ev_wanted(g, e, &y))
        return EG_OK;
    if ((rc = snippet_add(g, snippet, strlen(snippet), &y.snip, &y.snip_len)))
        return rc;
    y.spool = 0;
    if (ev_new(g, &y, &w))
        return eg_err_nomem(&g->err);
    return ev_insert(g, e, w) ? eg_err_nomem(&g->err) : EG_OK;
}

void eg_graph_prefetch_window(const eg_graph *g, const uint32_t *nodes, size_t n, int step)
{
    size_t i, j, mask = g->edge_nslots - 1;
    if (!g->edge_nslots)
        return;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            uint32_t a = nodes[i], b = nodes[j];
            uint64_t h = a < b ? edge_hash(a, b) : edge_hash(b, a);
            size_t k = h & mask;
            if (step == 0) {
                EG_PREFETCH(&g->edge_slots[k]);
                continue;
            }
            /* the first slot with the pair's hash bits (most probes stay
             * in the first slot's cache line) */
            for (; g->edge_slots[k].e; k = (k + 1) & mask)
                if (g->edge_slots[k].h == (uint32_t)h) {
                    EG_PREFETCH(&g->edges[g->edge_slots[k].e - 1]);
                    break;
                }
        }
}

int eg_graph_window(eg_graph *g, const uint32_t *nodes, size_t n, uint64_t seq, uint32_t doc, uint64_t start,
                    uint64_t end, const char *text, size_t len)
{
    size_t i, j;
    uint32_t wix = EG_NONE;
    int rc;
    g->nwindows++;
    for (i = 0; i < n; i++)
        g->nodes[nodes[i]].windows++;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if ((rc = pair_add(g, nodes[i], nodes[j], seq, doc, start, end, text, len, &wix)))
                return rc;
    return EG_OK;
}

int eg_graph_pair(eg_graph *g, uint32_t a, uint32_t b, uint64_t seq, uint32_t doc, uint64_t start, uint64_t end,
                  const char *text, size_t len)
{
    uint32_t wix = EG_NONE;
    return pair_add(g, a, b, seq, doc, start, end, text, len, &wix);
}

int eg_graph_doc(eg_graph *g, const char *name, uint32_t *out)
{
    uint32_t *slot;
    int added;
    if (eg_strmap_put(&g->docs, name, strlen(name), (uint32_t)g->docs.count, &slot, &added))
        return EG_ENOMEM;
    /* names are distinct: while each new one sorts after the one before,
     * index order is name order */
    if (added && g->docs.count > 1 && strcmp(g->docs.items[g->docs.count - 2].key, name) >= 0)
        g->docs_unsorted = 1;
    g->newest_doc = added && !g->docs_unsorted ? *slot : EG_NONE;
    if (added && g->doc_rank) {
        eg_free(g->doc_rank);
        g->doc_rank = NULL;
    }
    *out = *slot;
    return EG_OK;
}

/* Document indices by name. ctx: the graph. */
static int cmp_doc_name(const void *pa, const void *pb, void *ctx)
{
    const eg_graph *g = ctx;
    return strcmp(g->docs.items[*(const uint32_t *)pa].key, g->docs.items[*(const uint32_t *)pb].key);
}

void eg_graph_rank_docs(eg_graph *g)
{
    uint32_t *ix;
    size_t i, n = g->docs.count;
    if (!g->docs_unsorted || g->doc_rank || !n)
        return;
    if (!(ix = eg_malloc(n * sizeof *ix)))
        return;
    for (i = 0; i < n; i++)
        ix[i] = (uint32_t)i;
    /* names are distinct: the order is total */
    if (!eg_sort(ix, n, sizeof *ix, cmp_doc_name, g) && (g->doc_rank = eg_malloc(n * sizeof *g->doc_rank)))
        for (i = 0; i < n; i++)
            g->doc_rank[ix[i]] = (uint32_t)i;
    eg_free(ix);
}

int eg_graph_learn(eg_graph *g, const char *slug, uint32_t n)
{
    uint32_t *slot;
    int added;
    if (eg_strmap_put(&g->learned, slug, strlen(slug), n, &slot, &added))
        return EG_ENOMEM;
    if (!added && *slot != n)
        *slot = EG_NONE; /* defined for two entities: no corpus-wide alias */
    return EG_OK;
}

int eg_graph_explain(eg_graph *g, uint64_t seq, uint32_t doc, uint64_t start, uint64_t end, const char *line)
{
    gexplain *x;
    if (EG_GROW(g->explain, g->explain_cap, g->nexplain + 1))
        return EG_ENOMEM;
    x = &g->explain[g->nexplain];
    x->seq = seq;
    x->start = start;
    x->end = end;
    x->doc = doc;
    if (str_add(g, line, strlen(line), &x->text))
        return EG_ENOMEM;
    g->nexplain++;
    return EG_OK;
}

/* ---- merging partial graphs ---- */

/* Keys looked up at once when merging: their cache misses in dst's big
 * tables overlap instead of coming one after another. */
#define MERGE_BATCH 64

/* src's nodes into dst; map[i] is dst's node for src's node i. A batch
 * of keys is hashed and fetched (slot, item, key, node) step by step for
 * all of them, then put in src's order, so dst numbers new nodes as one
 * put after another would. */
static int merge_nodes(eg_graph *dst, const eg_graph *src, uint32_t *map)
{
    uint64_t h[MERGE_BATCH];
    size_t i, j, n;
    for (i = 0; i < src->nnodes; i += n) {
        n = src->nnodes - i < MERGE_BATCH ? src->nnodes - i : MERGE_BATCH;
        for (j = 0; j < n; j++) {
            const eg_strmap_item *it = &src->ids.items[i + j];
            h[j] = eg_hash(it->key, it->klen);
            eg_strmap_prefetch(&dst->ids, h[j], 0);
        }
        for (j = 0; j < n; j++)
            eg_strmap_prefetch(&dst->ids, h[j], 1);
        for (j = 0; j < n; j++) {
            const uint32_t *v = eg_strmap_peek(&dst->ids, h[j]);
            eg_strmap_prefetch(&dst->ids, h[j], 2);
            if (v && *v < dst->nnodes)
                EG_PREFETCH(&dst->nodes[*v]);
        }
        for (j = 0; j < n; j++) {
            const gnode *s = &src->nodes[i + j];
            const eg_strmap_item *it = &src->ids.items[i + j];
            uint32_t k;
            gnode *d;
            /* src's key is dst's key: type digit and id */
            if (node_put(dst, it->key, it->klen, h[j], src->strs.p + s->label, (eg_type)s->type, s->origin,
                         s->words, &k))
                return EG_ENOMEM;
            d = &dst->nodes[k];
            d->mentions += s->mentions;
            d->windows += s->windows;
            d->docs += s->docs; /* each document is read by one graph only */
            map[i + j] = k;
        }
    }
    return EG_OK;
}

/* What a merge adds besides nodes, documents and edges: surface forms,
 * learned acronyms and explain lines. None of it touches the tables the
 * edges use (edges, their slots, windows), so it may run beside them. */
typedef struct {
    eg_graph *dst;
    const eg_graph *src;
    const uint32_t *map, *dmap;
    int rc;
} merge_rest;

static void *merge_rest_run(void *arg)
{
    merge_rest *r = arg;
    eg_graph *dst = r->dst;
    const eg_graph *src = r->src;
    size_t i;
    r->rc = EG_ENOMEM;
    for (i = 0; i < src->aliases.count; i++) {
        const eg_strmap_item *it = &src->aliases.items[i];
        uint32_t node;
        memcpy(&node, it->key, 4);
        if (alias_add(dst, r->map[node], it->key + 4, it->klen - 4, src->acount[it->val]))
            return NULL;
    }
    for (i = 0; i < src->learned.count; i++) {
        const eg_strmap_item *it = &src->learned.items[i];
        if (eg_graph_learn(dst, it->key, it->val == EG_NONE ? EG_NONE : r->map[it->val]))
            return NULL;
    }
    for (i = 0; i < src->nexplain; i++) {
        const gexplain *x = &src->explain[i];
        if (eg_graph_explain(dst, x->seq, r->dmap[x->doc], x->start, x->end, src->strs.p + x->text))
            return NULL;
    }
    r->rc = EG_OK;
    return NULL;
}

/* The slot of src's edge s in dst's table (mask: slots - 1), where a
 * lookup starts. */
static size_t merge_slot(const eg_graph *src, const gedge *s, const uint32_t *map, size_t mask)
{
    uint32_t a = map[s->a], b = map[s->b];
    (void)src;
    return (size_t)edge_hash(a < b ? a : b, a < b ? b : a) & mask;
}

/* src's edges and their evidence into dst. The slot table is made big
 * enough for every src edge first, so it does not move during the loop;
 * the slot of the edge 2 * MERGE_BATCH ahead is fetched, and at
 * MERGE_BATCH ahead the edge that slot names and the first window of
 * src's edge (each a likely cache miss). */
static int merge_edges(eg_graph *dst, const eg_graph *src, const uint32_t *map, const uint32_t *dmap,
                       const uint16_t *smap, uint32_t *wmap)
{
    size_t i, j, mask;
    if (!src->nedges)
        return EG_OK;
    if ((dst->nedges + src->nedges) * 10 >= dst->edge_nslots * 7 && edges_rehash(dst, dst->nedges + src->nedges))
        return EG_ENOMEM;
    mask = dst->edge_nslots - 1;
    for (i = 0; i < src->nedges; i++) {
        const gedge *s = &src->edges[i];
        uint32_t a = map[s->a], b = map[s->b];
        gedge *d;
        if (i + 2 * MERGE_BATCH < src->nedges)
            EG_PREFETCH(&dst->edge_slots[merge_slot(src, &src->edges[i + 2 * MERGE_BATCH], map, mask)]);
        if (i + MERGE_BATCH < src->nedges) {
            const gedge *t = &src->edges[i + MERGE_BATCH];
            const gedge_slot *ts = &dst->edge_slots[merge_slot(src, t, map, mask)];
            if (ts->e)
                EG_PREFETCH(&dst->edges[ts->e - 1]);
            if (t->nev)
                EG_PREFETCH(&src->ev[t->evcap <= 1 ? t->ev : src->evix[t->ev]]);
        }
        if (a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        if (edge_get(dst, a, b, &d))
            return EG_ENOMEM;
        d->count += s->count;
        d->docs += s->docs;
        for (j = 0; j < s->nev; j++) {
            uint32_t w = s->evcap <= 1 ? s->ev : src->evix[s->ev + j];
            gevidence x = src->ev[w];
            x.doc = dmap[x.doc];
            x.spool = smap[x.spool];
            if (!ev_wanted(dst, d, &x))
                continue;
            if (wmap[w] == EG_NONE && ev_new(dst, &x, &wmap[w]))
                return EG_ENOMEM;
            if (ev_insert(dst, d, wmap[w]))
                return EG_ENOMEM;
        }
    }
    return EG_OK;
}

/* Shares src's spool files with dst (dup'd descriptors, so src may be
 * freed); smap[i] is dst's index for src's spool i. src's waiting snippet
 * bytes must have been flushed (every public call that adds evidence
 * flushes before it returns). */
static int merge_spools(eg_graph *dst, const eg_graph *src, uint16_t *smap)
{
    size_t i;
    if (src->spool_buf.len)
        return eg_err_set(&dst->err, EG_EUSAGE, "merging a graph with unflushed evidence");
    if (!dst->nspools && src->nspools && spool_open(dst))
        return dst->err.code;
    for (i = 0; i < src->nspools; i++) {
        int fd;
        if (dst->nspools >= 65535)
            return eg_err_set(&dst->err, EG_EUSAGE, "too many graphs merged (65535 at most)");
        if (EG_GROW(dst->spools, dst->spools_cap, dst->nspools + 1))
            return eg_err_nomem(&dst->err);
        if ((fd = dup(src->spools[i])) < 0)
            return eg_err_set(&dst->err, EG_EIO, "cannot share evidence between graphs: %s", strerror(errno));
        dst->spools[dst->nspools] = fd;
        smap[i] = (uint16_t)dst->nspools++;
    }
    return EG_OK;
}

/* Nodes and documents first (everything else names them through map and
 * dmap); then the edges, with the rest beside them on a second thread
 * when dst may use one (eg_graph_set_threads). Whatever runs where, each
 * table is filled in src's order, so the result is the same. */
int eg_graph_merge(eg_graph *dst, const eg_graph *src)
{
    uint32_t *map = NULL, *dmap = NULL, *wmap = NULL;
    uint16_t *smap = NULL;
    merge_rest rest;
    eg_side side;
    size_t i;
    int rc = EG_ENOMEM;
    if (dst->finished || src->finished)
        return eg_err_set(&dst->err, EG_EUSAGE, "cannot merge a finished graph");
    if (src->nspools && !(smap = eg_malloc(src->nspools * sizeof *smap)))
        goto out;
    if ((rc = merge_spools(dst, src, smap)))
        goto out;
    rc = EG_ENOMEM;
    if (src->nnodes && !(map = eg_malloc(src->nnodes * sizeof *map)))
        goto out;
    if (src->docs.count && !(dmap = eg_malloc(src->docs.count * sizeof *dmap)))
        goto out;
    /* src's windows, copied to dst on first need */
    if (src->nev && !(wmap = eg_malloc(src->nev * sizeof *wmap)))
        goto out;
    for (i = 0; i < src->nev; i++)
        wmap[i] = EG_NONE;
    if (merge_nodes(dst, src, map))
        goto out;
    for (i = 0; i < src->docs.count; i++)
        if (eg_graph_doc(dst, src->docs.items[i].key, &dmap[i]))
            goto out;
    eg_graph_rank_docs(dst);
    rest.dst = dst;
    rest.src = src;
    rest.map = map;
    rest.dmap = dmap;
    rest.rc = EG_OK;
    eg_side_start(&side, dst->threads > 1 && src->aliases.count > 4096, merge_rest_run, &rest);
    rc = merge_edges(dst, src, map, dmap, smap, wmap);
    eg_side_join(&side);
    if (rc || (rc = rest.rc))
        goto out;
    dst->ndocs += src->ndocs;
    dst->nwindows += src->nwindows;
    rc = EG_OK;
out:
    eg_free(map);
    eg_free(dmap);
    eg_free(wmap);
    eg_free(smap);
    if (rc == EG_ENOMEM)
        eg_err_nomem(&dst->err);
    return rc;
}

size_t eg_graph_node_count(const eg_graph *g) { return g->finished ? g->view.nnodes : g->nnodes; }
size_t eg_graph_edge_count(const eg_graph *g) { return g->finished ? g->view.nedges : g->nedges; }

/*
 * finish.c — the corpus-level end of the graph: merges that need the whole
 * corpus (a surname alone in one document and the full name in another;
 * spelling and transliteration variants; acronyms defined in one document
 * and used bare in another), then weights, filters, sorting and the view
 * the writers read (graph_view.h), and the --explain audit file.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "similar.h"

/* ---- union-find over nodes ---- */

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* A node's entity id (its key without the type digit). */
static const char *node_id(const eg_graph *g, uint32_t n) { return g->ids.items[n].key + 1; }

/* The id a node has in the outputs: its id, or its id with its type when
 * another entity of another type has the same id. */
static const char *out_id(const eg_graph *g, uint32_t n)
{
    return g->vid && g->vid[n] ? g->strs.p + g->vid[n] : node_id(g, n);
}

/* strcmp(a, b), given their str_prefix pa and pb. */
static int prefix_cmp(uint64_t pa, uint64_t pb, const char *a, const char *b)
{
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (!(pa & 0xFF))
        return 0; /* both end within their first 8 bytes, at the same place */
    return strcmp(a + 8, b + 8);
}

/* Which of two nodes survives a merge: a gazetteer entity, then the one
 * with more words, more mentions, then the smaller id. */
static int node_wins(const eg_graph *g, uint32_t a, uint32_t b)
{
    const gnode *x = &g->nodes[a], *y = &g->nodes[b];
    if ((x->origin == EG_ORIGIN_GAZ) != (y->origin == EG_ORIGIN_GAZ))
        return x->origin == EG_ORIGIN_GAZ;
    if (x->words != y->words)
        return x->words > y->words;
    if (x->mentions != y->mentions)
        return x->mentions > y->mentions;
    return strcmp(node_id(g, a), node_id(g, b)) < 0;
}

static int merge_into(eg_graph *g, uint32_t from, uint32_t into, const char *why)
{
    uint32_t a = uf_find(g->final, from), b = uf_find(g->final, into);
    if (a == b)
        return EG_OK;
    g->final[a] = b;
    if (g->ctx->opt.explain) {
        eg_buf line = {0};
        int rc = eg_buf_addf(&line, "merge\t%s\t%s\t%s", node_id(g, from), node_id(g, into), why);
        if (!rc)
            rc = eg_graph_explain(g, UINT64_MAX, 0, 0, 0, line.p);
        eg_buf_free(&line);
        return rc;
    }
    return EG_OK;
}

/* A set of words numbered in order of first sight: an open-addressing
 * table of their numbers + 1, pointing at the words where they are (in
 * the ids or the variant index: none is copied). */
typedef struct {
    uint32_t *slot;     /* number + 1; 0 = empty */
    size_t nslots;      /* in use since the last reset: a power of two */
    size_t cap;         /* slots allocated (and words: cap / 2) */
    const char **w;     /* by number: the word */
    size_t *wn;         /* and its length */
    size_t count;
} wtab;

static void wtab_free(wtab *t)
{
    eg_free(t->slot);
    eg_free(t->w);
    eg_free(t->wn);
    memset(t, 0, sizeof *t);
}

/* Empties t for up to n words. */
static int wtab_reset(wtab *t, size_t n)
{
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (want > t->cap) {
        wtab_free(t);
        if (!(t->slot = eg_malloc(want * sizeof *t->slot)) || !(t->w = eg_malloc(want / 2 * sizeof *t->w)) ||
            !(t->wn = eg_malloc(want / 2 * sizeof *t->wn)))
            return EG_ENOMEM;
        t->cap = want;
    }
    t->nslots = want;
    t->count = 0;
    memset(t->slot, 0, want * sizeof *t->slot);
    return EG_OK;
}

/* The slot of word w (n bytes): its own, or the empty one where it
 * would go. */
static size_t wtab_slot(const wtab *t, const char *w, size_t n)
{
    size_t mask = t->nslots - 1, i = (size_t)eg_hash(w, n) & mask;
    for (; t->slot[i]; i = (i + 1) & mask) {
        uint32_t id = t->slot[i] - 1;
        if (t->wn[id] == n && memcmp(t->w[id], w, n) == 0)
            break;
    }
    return i;
}

/* The number of word w, EG_NONE when it is not in t. */
static uint32_t wtab_find(const wtab *t, const char *w, size_t n)
{
    return t->slot[wtab_slot(t, w, n)] - 1; /* 0 - 1 is EG_NONE */
}

/* The number of word w (n bytes); *added when it is new. */
static uint32_t wtab_id(wtab *t, const char *w, size_t n, int *added)
{
    size_t i = wtab_slot(t, w, n);
    if (t->slot[i]) {
        *added = 0;
        return t->slot[i] - 1;
    }
    t->w[t->count] = w;
    t->wn[t->count] = n;
    t->slot[i] = (uint32_t)++t->count;
    *added = 1;
    return (uint32_t)t->count - 1;
}

/* The last '-'-separated part of an id ("rudy-giuliani" → "giuliani"). */
static const char *last_part(const char *id)
{
    const char *p = strrchr(id, '-');
    return p ? p + 1 : id;
}

/* The length of the first '-'-separated part of an id ("rudy-giuliani"
 * → 4 for "rudy"), at most 127 bytes. */
static size_t first_part_len(const char *id)
{
    size_t k = eg_slug_word_len(id);
    return k < 128 ? k : 127;
}

/* Name parts of multi-word persons (last parts, or first): t numbers
 * them, (*node)[number] is the single multi-word person with that part,
 * EG_NONE when several have it. */
static int index_parts(const eg_graph *g, wtab *t, uint32_t **node, int last)
{
    size_t i;
    if (wtab_reset(t, g->nnodes) || !(*node = eg_malloc((g->nnodes + 1) * sizeof **node)))
        return EG_ENOMEM;
    for (i = 0; i < g->nnodes; i++) {
        const gnode *n = &g->nodes[i];
        const char *id = node_id(g, (uint32_t)i), *s;
        uint32_t w;
        int added;
        if (n->type != EG_PERSON || n->origin == EG_ORIGIN_AMBIG || n->words < 2 || !strchr(id, '-'))
            continue;
        s = last ? last_part(id) : id;
        w = wtab_id(t, s, last ? strlen(s) : first_part_len(id), &added);
        if (added)
            (*node)[w] = (uint32_t)i;
        else if ((*node)[w] != i)
            (*node)[w] = EG_NONE;
    }
    return EG_OK;
}

/* A one-word person found by rules in a document without the full name
 * joins the one multi-word person of the corpus with that surname; failing
 * that (and only when no one has it as a surname), the one with that given
 * name. */
static int merge_name_parts(eg_graph *g)
{
    wtab last = {0}, first = {0};
    uint32_t *lnode = NULL, *fnode = NULL, w;
    size_t i;
    int rc;
    if ((rc = index_parts(g, &last, &lnode, 1)) || (rc = index_parts(g, &first, &fnode, 0)))
        goto out;
    for (i = 0; i < g->nnodes && !rc; i++) {
        const gnode *n = &g->nodes[i];
        const char *id = node_id(g, (uint32_t)i);
        size_t len;
        if (n->type != EG_PERSON || n->origin != EG_ORIGIN_RULE || n->words > 1 || strchr(id, '-'))
            continue;
        len = strlen(id);
        if ((w = wtab_find(&last, id, len)) != EG_NONE) {
            if (lnode[w] != EG_NONE)
                rc = merge_into(g, (uint32_t)i, lnode[w], "surname alone; one person in the corpus has it");
        } else if ((w = wtab_find(&first, id, len)) != EG_NONE && fnode[w] != EG_NONE) {
            rc = merge_into(g, (uint32_t)i, fnode[w], "given name alone; one person in the corpus has it");
        }
    }
out:
    wtab_free(&last);
    wtab_free(&first);
    eg_free(lnode);
    eg_free(fnode);
    return rc;
}

/* An acronym found by rules joins the entity whose long form it was
 * defined after somewhere in the corpus. */
static int merge_learned(eg_graph *g)
{
    size_t i;
    for (i = 0; i < g->nnodes; i++) {
        const char *id = node_id(g, (uint32_t)i);
        const uint32_t *to;
        if (g->nodes[i].origin != EG_ORIGIN_RULE)
            continue;
        to = eg_strmap_get(&g->learned, id, strlen(id));
        if (to && *to != EG_NONE && *to != i && g->nodes[*to].type == g->nodes[i].type &&
            merge_into(g, (uint32_t)i, *to, "acronym defined after this long form elsewhere in the corpus"))
            return EG_ENOMEM;
    }
    return EG_OK;
}

/* Spelling and transliteration variants: a rule-found name that is close
 * to another entity of the same type (eg_names_similar), to its id or to a
 * surface form seen for it ("Asharaf" and the "Ashraf" of Camp Ashraf),
 * joins it. Only names with the same type and the same consonant skeleton
 * of their last word (eg_name_skeleton: Giuliani and Guliani are both
 * "gln") are compared, so the cost grows with the corpus, not with its
 * square. */
typedef struct {
    uint64_t pre;   /* str_prefix of the blocking key */
    uint32_t node;
    uint32_t key;   /* offset of the blocking key in the key buffer */
    uint32_t name;  /* offset of the name compared (id or alias slug) */
    uint8_t alias;  /* name is a seen surface form, not the id */
} vkey;

/* ctx: the key buffer */
static int cmp_vkey(const void *pa, const void *pb, void *ctx)
{
    const char *sort_keys = ctx;
    const vkey *a = pa, *b = pb;
    int c = prefix_cmp(a->pre, b->pre, sort_keys + a->key, sort_keys + b->key);
    if (c)
        return c;
    if (a->node != b->node)
        return a->node < b->node ? -1 : 1;
    return strcmp(sort_keys + a->name, sort_keys + b->name);
}

/* Do two names have the same blocking key? */
static int same_key(const char *keys, const vkey *a, const vkey *b)
{
    return prefix_cmp(a->pre, b->pre, keys + a->key, keys + b->key) == 0;
}

/* Adds one name of node n to the variant index: to keys, the type digit
 * and the skeleton (never longer than the name), a NUL, then the name. */
static int vkey_add(const eg_graph *g, vkey **k, size_t *n, size_t *cap, eg_buf *keys, uint32_t node, const char *name,
                    int alias)
{
    const gnode *x = &g->nodes[node];
    size_t len = strlen(name);
    vkey *v;
    if (EG_GROW(*k, *cap, *n + 1) || eg_buf_reserve(keys, 2 * len + 3))
        return EG_ENOMEM;
    v = &(*k)[(*n)++];
    v->node = node;
    v->alias = (uint8_t)alias;
    v->key = (uint32_t)keys->len;
    keys->p[keys->len++] = (char)('0' + x->type);
    if (eg_name_skeleton(keys, name, x->type == EG_PERSON))
        return EG_ENOMEM;
    v->pre = eg_str_prefix(keys->p + v->key);
    v->name = (uint32_t)++keys->len; /* past the skeleton's NUL */
    memcpy(keys->p + keys->len, name, len + 1);
    keys->len += len + 1;
    return EG_OK;
}

/* The names of the variant index: every node's id (aliases 0), or
 * (aliases 1) the slugs of the surface forms seen for entities that are
 * not rule-found (their ids come from a gazetteer). */
static int variant_index(const eg_graph *g, int aliases, vkey **k, size_t *n, eg_buf *keys)
{
    size_t i, cap = 0;
    eg_buf slug = {0};
    int rc = EG_OK;
    for (i = 0; i < g->nnodes && !rc && !aliases; i++)
        if (g->nodes[i].origin != EG_ORIGIN_AMBIG)
            rc = vkey_add(g, k, n, &cap, keys, (uint32_t)i, node_id(g, (uint32_t)i), 0);
    for (i = 0; i < g->aliases.count && !rc && aliases; i++) {
        const eg_strmap_item *it = &g->aliases.items[i];
        uint32_t node;
        memcpy(&node, it->key, 4);
        if (g->nodes[node].origin != EG_ORIGIN_GAZ)
            continue;
        eg_buf_reset(&slug);
        if ((rc = eg_slug(&slug, it->key + 4, it->klen - 4)))
            break;
        if (slug.len && strcmp(slug.p, node_id(g, node)) != 0)
            rc = vkey_add(g, k, n, &cap, keys, node, slug.p, 1);
    }
    eg_buf_free(&slug);
    return rc;
}

/* ---- a cheap exact upper bound for eg_jaro_winkler ----
 *
 * eg_jaro_winkler(a, b) = J + p * 0.1 * (1 - J), p the common prefix (at
 * most 4), J = (m/na + m/nb + (m - t/2)/m) / 3 with m the matched
 * characters (J = 0 when m = 0) and t >= 0 the transpositions; words of
 * more than 64 bytes are only equal or not. Each match pairs a byte of a
 * with an equal byte of b, one to one, so m <= sum over bytes c of
 * min(count_a(c), count_b(c)); bytes folded into 64 classes (cls) only
 * add to that sum (sum of mins <= min of sums), so m <= M = sum over
 * classes k of min(A_k, B_k), A_k, B_k the words' counts in class k. And
 * min(A, B) = [A >= 1][B >= 1] + [A >= 2][B >= 2] + [A >= 3][B >= 3] +
 * (the rest, at most max(0, A - 3) and at most max(0, B - 3)), so
 * M <= popcount(a1 & b1) + popcount(a2 & b2) + popcount(a3 & b3) +
 * min(a_rest, b_rest), with x1, x2, x3 the masks of classes a word has
 * at least 1, 2, 3 times and x_rest the sum of its counts over 3. As
 * (m - t/2)/m <= 1, J <= (M/na + M/nb + 1)/3 =: U, and the score is
 * increasing in J for p <= 4 (its slope is 1 - 0.1p > 0), so it is at most
 * U + p * 0.1 * (1 - U). When that is below th by more than rounding
 * (1e-9; both are sums of a few doubles near 1), eg_jaro_winkler(a, b)
 * < th: the pair is told apart without measuring it. */
typedef struct {
    uint64_t m1, m2, m3;
    uint32_t rest;
} wsig;

static unsigned cls(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '0' && c <= '9')
        return 26u + (c - '0');
    return 36u + c % 28u;
}

static void wsig_make(wsig *x, const char *w, size_t n)
{
    uint8_t cnt[64];
    size_t i;
    memset(cnt, 0, sizeof cnt);
    memset(x, 0, sizeof *x);
    for (i = 0; i < n; i++) {
        unsigned k = cls((unsigned char)w[i]);
        uint64_t bit = (uint64_t)1 << k;
        if (cnt[k] < 255)
            cnt[k]++;
        if (cnt[k] == 1)
            x->m1 |= bit;
        else if (cnt[k] == 2)
            x->m2 |= bit;
        else if (cnt[k] == 3)
            x->m3 |= bit;
        else
            x->rest++;
    }
}

/* Bits set in v (inline: without a popcnt instruction the compiler's
 * builtin is a library call). */
static unsigned popc(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((v * 0x0101010101010101ULL) >> 56);
}

/* eg_jaro_winkler(a, b) >= th, the bound above tried first. */
static int jw_close(const char *a, size_t na, const wsig *sa, const char *b, size_t nb, const wsig *sb, double th)
{
    if (na && nb && na <= 64 && nb <= 64) {
        size_t m = popc(sa->m1 & sb->m1) + popc(sa->m2 & sb->m2) + popc(sa->m3 & sb->m3) +
                   (sa->rest < sb->rest ? sa->rest : sb->rest),
               p = 0;
        double u;
        if (m > na)
            m = na;
        if (m > nb)
            m = nb;
        if (!m)
            return 0.0 >= th;
        while (p < 4 && p < na && p < nb && a[p] == b[p])
            p++;
        u = ((double)m / na + (double)m / nb + 1.0) / 3.0;
        if (u + p * 0.1 * (1.0 - u) < th - 1e-9)
            return 0;
    }
    return eg_jaro_winkler(a, na, b, nb) >= th;
}

/* The first and last words of a slug as eg_names_similar splits it
 * (words of two bytes or more, at most 16 of them) and the number of
 * such words. */
static size_t end_words(const char *s, const char **f, size_t *fn, const char **w, size_t *wn)
{
    size_t k = 0;
    while (*s && k < 16) {
        size_t len = eg_slug_word_len(s);
        if (len > 1) {
            if (!k) {
                *f = s;
                *fn = len;
            }
            *w = s;
            *wn = len;
            k++;
        }
        s += len;
        if (*s == '-')
            s++;
    }
    return k;
}

/* Per block scratch for merge_variants' pre-test: each name's number of
 * words, its last word and that word's index among the block's distinct
 * last words; per compared name, the pre-test's result by last word. */
typedef struct {
    uint8_t *nw;
    uint8_t *dash;         /* the name has a '-' (more than one word) */
    wsig *lsig, *fsig;     /* by distinct last and first word */
    const char **lw, **fw;
    size_t *lwn, *fwn;
    uint32_t *lid, *fid;
    uint8_t *memo, *fmemo; /* 0 not yet, 1 close enough, 2 not */
    uint8_t *tab, *ftab;   /* the same by pair of distinct words, for
                              blocks small enough (names that share a
                              word share the measures) */
    size_t tabcap, ftabcap;
    wtab distinct, fdistinct;
} vscratch;

static void vscratch_free(vscratch *v)
{
    eg_free(v->nw);
    eg_free(v->dash);
    eg_free(v->lsig);
    eg_free(v->fsig);
    eg_free(v->lw);
    eg_free(v->lwn);
    eg_free(v->lid);
    eg_free(v->memo);
    eg_free(v->fw);
    eg_free(v->fwn);
    eg_free(v->fid);
    eg_free(v->fmemo);
    eg_free(v->tab);
    eg_free(v->ftab);
    wtab_free(&v->distinct);
    wtab_free(&v->fdistinct);
}

/* The variant decisions for the blocks in k[from, to): dec[a] is the node
 * name a's node joins, or EG_NONE. They read the graph only (the nodes'
 * static data), so ranges of blocks can be decided in parallel and the
 * merges made afterwards in order. */
typedef struct {
    const eg_graph *g;
    const vkey *k;
    const char *keys;
    size_t from, to;
    uint32_t *dec;
} vjob;

/* Does the block k[i, j) hold a name to decide, a rule-found entity's id
 * with another name to compare it with? (Most blocks are one name.) */
static int block_has_work(const eg_graph *g, const vkey *k, size_t i, size_t j)
{
    size_t a;
    if (j - i < 2)
        return 0;
    for (a = i; a < j; a++)
        if (g->nodes[k[a].node].origin == EG_ORIGIN_RULE && !k[a].alias)
            return 1;
    return 0;
}

static int variant_decide(const vjob *job)
{
    const eg_graph *g = job->g;
    const vkey *k = job->k;
    const char *keys = job->keys;
    uint32_t *dec = job->dec;
    double th = g->ctx->opt.fuzzy;
    size_t i, j, n = job->to - job->from, o = job->from;
    vscratch v;
    int rc = EG_ENOMEM;
    memset(&v, 0, sizeof v);
    /* scratch for k[o, o + n) */
    if (n && (!(v.nw = eg_malloc(n)) || !(v.lw = eg_malloc(n * sizeof *v.lw)) ||
              !(v.lwn = eg_malloc(n * sizeof *v.lwn)) || !(v.lid = eg_malloc(n * sizeof *v.lid)) ||
              !(v.memo = eg_malloc(n)) || !(v.fw = eg_malloc(n * sizeof *v.fw)) ||
              !(v.fwn = eg_malloc(n * sizeof *v.fwn)) || !(v.fid = eg_malloc(n * sizeof *v.fid)) ||
              !(v.fmemo = eg_malloc(n)) || !(v.dash = eg_malloc(n)) ||
              !(v.lsig = eg_malloc(n * sizeof *v.lsig)) || !(v.fsig = eg_malloc(n * sizeof *v.fsig))))
        goto out;
    for (i = job->from; i < job->to; i = j) {
        size_t a, b, nd, nf;
        int use2d;
        for (j = i + 1; j < job->to && same_key(keys, &k[j], &k[i]); j++)
            ;
        if (!block_has_work(g, k, i, j)) {
            for (a = i; a < j; a++)
                dec[a] = EG_NONE;
            continue;
        }
        /* The pre-test: eg_names_similar needs the two names' last words
         * (as it splits them) at least th similar, in every case but a
         * one-word name against a longer one's last word, where the order
         * of the arguments is reversed (so that case is not pre-tested);
         * two persons' names of two words or more need their first words
         * as close, other types as many words. (A threshold over 1 would
         * ask less of some words than of others: no pre-test then.) Names
         * in a block share words: each pair of distinct words is measured
         * once, not once per pair of names. */
        if (wtab_reset(&v.distinct, j - i) || wtab_reset(&v.fdistinct, j - i))
            goto out;
        for (a = i; a < j; a++) {
            uint32_t lid, fid;
            int ladded, fadded;
            v.dash[a - o] = strchr(keys + k[a].name, '-') != NULL;
            v.lw[a - o] = v.fw[a - o] = NULL;
            v.lwn[a - o] = v.fwn[a - o] = 0;
            v.nw[a - o] =
                (uint8_t)end_words(keys + k[a].name, &v.fw[a - o], &v.fwn[a - o], &v.lw[a - o], &v.lwn[a - o]);
            v.lid[a - o] = v.fid[a - o] = 0;
            dec[a] = EG_NONE;
            if (!v.nw[a - o])
                continue;
            v.lid[a - o] = lid = wtab_id(&v.distinct, v.lw[a - o], v.lwn[a - o], &ladded);
            v.fid[a - o] = fid = wtab_id(&v.fdistinct, v.fw[a - o], v.fwn[a - o], &fadded);
            if (ladded)
                wsig_make(&v.lsig[lid], v.lw[a - o], v.lwn[a - o]);
            if (fadded)
                wsig_make(&v.fsig[fid], v.fw[a - o], v.fwn[a - o]);
        }
        nd = v.distinct.count;
        nf = v.fdistinct.count;
        use2d = nd * nd <= ((size_t)1 << 24) && nf * nf <= ((size_t)1 << 24);
        if (use2d) {
            if (EG_GROW(v.tab, v.tabcap, nd * nd + 1) || EG_GROW(v.ftab, v.ftabcap, nf * nf + 1))
                goto out;
            memset(v.tab, 0, nd * nd);
            memset(v.ftab, 0, nf * nf);
        }
        /* one block: every rule-found name against every other name */
        for (a = i; a < j; a++) {
            uint32_t x = k[a].node, best = EG_NONE, found = 0, last = EG_NONE;
            int person = g->nodes[x].type == EG_PERSON;
            uint8_t *mrow, *frow;
            if (g->nodes[x].origin != EG_ORIGIN_RULE || k[a].alias || !v.nw[a - o])
                continue;
            if (use2d) {
                mrow = v.tab + (size_t)v.lid[a - o] * nd;
                frow = v.ftab + (size_t)v.fid[a - o] * nf;
            } else {
                memset(v.memo, 0, nd);
                memset(v.fmemo, 0, nf);
                mrow = v.memo;
                frow = v.fmemo;
            }
            for (b = i; b < j; b++) {
                uint32_t y = k[b].node;
                const char *name = keys + k[b].name;
                if (y == x || !v.nw[b - o])
                    continue;
                /* a full name never joins a one-word name: "Ivanka Trump"
                 * is not the "Trump" of Donald Trump */
                if (g->nodes[x].words >= 2 && !v.dash[b - o])
                    continue;
                if (th <= 1.0 && !(person && v.nw[b - o] == 1 && v.nw[a - o] > 1)) {
                    uint8_t *m = &mrow[v.lid[b - o]];
                    /* other types: as many words; persons of two words or
                     * more: at most one more, and the first words close */
                    if (!person && v.nw[a - o] != v.nw[b - o])
                        continue;
                    if (person && v.nw[a - o] > 1 && v.nw[b - o] > 1 &&
                        (v.nw[a - o] > v.nw[b - o] ? v.nw[a - o] - v.nw[b - o] : v.nw[b - o] - v.nw[a - o]) > 1)
                        continue;
                    if (!*m)
                        *m = jw_close(v.lw[a - o], v.lwn[a - o], &v.lsig[v.lid[a - o]], v.lw[b - o], v.lwn[b - o],
                                      &v.lsig[v.lid[b - o]], th)
                                 ? 1
                                 : 2;
                    if (*m == 2)
                        continue;
                    if (person && v.nw[a - o] > 1 && v.nw[b - o] > 1) {
                        uint8_t *f = &frow[v.fid[b - o]];
                        if (!*f)
                            *f = jw_close(v.fw[a - o], v.fwn[a - o], &v.fsig[v.fid[a - o]], v.fw[b - o],
                                          v.fwn[b - o], &v.fsig[v.fid[b - o]], th)
                                     ? 1
                                     : 2;
                        if (*f == 2)
                            continue;
                    }
                }
                if (!eg_names_similar(node_id(g, x), name, person, th))
                    continue;
                found += y != last; /* a node's names are adjacent */
                last = y;
                if (best == EG_NONE || node_wins(g, y, best))
                    best = y;
            }
            /* a lone surname close to two people's names is left alone */
            if (found > 1 && g->nodes[x].words < 2)
                continue;
            if (best != EG_NONE && node_wins(g, best, x))
                dec[a] = best;
        }
    }
    rc = EG_OK;
out:
    vscratch_free(&v);
    return rc;
}

/* The blocks of the variant index cut into chunks of about equal work,
 * which two threads take in turn. Each name's decision has its own entry
 * in dec, so which thread decides a chunk changes nothing. */
#define VCHUNKS 32

typedef struct {
    vjob base;          /* g, k, keys, dec */
    size_t cut[VCHUNKS + 1]; /* chunk c is k[cut[c], cut[c + 1]) */
    atomic_size_t next; /* the next chunk to take */
} vwork;

typedef struct {
    vwork *w;
    int rc;
} vworker;

static void *variant_thread(void *arg)
{
    vworker *me = arg;
    vwork *w = me->w;
    size_t c;
    me->rc = EG_OK;
    while (!me->rc && (c = atomic_fetch_add(&w->next, 1)) < VCHUNKS) {
        vjob job = w->base;
        job.from = w->cut[c];
        job.to = w->cut[c + 1];
        me->rc = variant_decide(&job);
    }
    return NULL;
}

/* Cuts k[0, n) between blocks into VCHUNKS chunks of about equal work: a
 * block with work costs its rule-found names times its names. */
static void variant_cut(vwork *w, size_t n)
{
    const vkey *k = w->base.k;
    const char *keys = w->base.keys;
    uint64_t total = 0, done = 0;
    size_t i, j, a, c = 1;
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && same_key(keys, &k[j], &k[i]); j++)
            ;
        for (a = i; a < j && j - i > 1; a++)
            total += (w->base.g->nodes[k[a].node].origin == EG_ORIGIN_RULE && !k[a].alias) * (j - i);
    }
    w->cut[0] = 0;
    for (i = 0; i < n && c < VCHUNKS; i = j) {
        for (j = i + 1; j < n && same_key(keys, &k[j], &k[i]); j++)
            ;
        for (a = i; a < j && j - i > 1; a++)
            done += (w->base.g->nodes[k[a].node].origin == EG_ORIGIN_RULE && !k[a].alias) * (j - i);
        while (c < VCHUNKS && done * VCHUNKS >= total * c)
            w->cut[c++] = j;
    }
    while (c <= VCHUNKS)
        w->cut[c++] = n;
}

/* The variant index, sorted: made from the nodes' own data only (not
 * from the merges), so it can be made while the other merges run; in two
 * parts (ids, surface forms), sorted each on its own, then merged. */
typedef struct {
    const eg_graph *g;
    int aliases;        /* the part: variant_index's aliases */
    vkey *k;            /* sorted by blocking key */
    size_t n;
    eg_buf keys;        /* what the vkeys' offsets point into */
    int rc;
} vindex_job;

static void vindex_make(vindex_job *x)
{
    x->rc = EG_OK;
    if (x->g->ctx->opt.fuzzy <= 0 || !x->g->nnodes)
        return;
    if (variant_index(x->g, x->aliases, &x->k, &x->n, &x->keys) ||
        (x->n > 1 && eg_prefix_sort(x->k, x->n, sizeof *x->k, cmp_vkey, x->keys.p)))
        x->rc = EG_ENOMEM; /* x->k is NULL when no node has a key */
}

static void *vindex_thread(void *arg)
{
    vindex_make(arg);
    return NULL;
}

static void vindex_free(vindex_job *x)
{
    eg_free(x->k);
    eg_buf_free(&x->keys);
    x->k = NULL;
    x->n = 0;
}

/* Appends part b of the index to part a (b's keys after a's) and merges
 * the two sorted runs: the order a stable sort of a's names then b's
 * would give. b is left empty. */
static int vindex_join(vindex_job *a, vindex_job *b)
{
    vkey *m;
    size_t i = 0, j = 0, n = 0, shift = a->keys.len;
    if (!b->n)
        return EG_OK;
    if (shift + b->keys.len > UINT32_MAX || eg_buf_add(&a->keys, b->keys.p, b->keys.len) ||
        !(m = eg_malloc((a->n + b->n) * sizeof *m)))
        return EG_ENOMEM;
    for (j = 0; j < b->n; j++) {
        b->k[j].key += (uint32_t)shift;
        b->k[j].name += (uint32_t)shift;
    }
    for (j = 0; i < a->n || j < b->n;)
        if (j == b->n || (i < a->n && cmp_vkey(&a->k[i], &b->k[j], a->keys.p) <= 0))
            m[n++] = a->k[i++];
        else
            m[n++] = b->k[j++];
    eg_free(a->k);
    a->k = m;
    a->n = n;
    vindex_free(b);
    return EG_OK;
}

/* Joins the spelling variants that the sorted index x finds. */
static int merge_variants(eg_graph *g, const vindex_job *x)
{
    size_t i, n = x->n;
    const vkey *k = x->k;
    uint32_t *dec = NULL;
    vwork w;
    int rc = EG_ENOMEM;
    if (g->ctx->opt.fuzzy <= 0 || !n)
        return EG_OK;
    if (n && !(dec = eg_malloc(n * sizeof *dec)))
        goto out;
    memset(&w, 0, sizeof w);
    w.base.g = g;
    w.base.k = k;
    w.base.keys = x->keys.p;
    w.base.dec = dec;
    w.base.to = n;
    if (g->threads > 1 && n > 4096) {
        eg_side side;
        vworker me[2];
        variant_cut(&w, n);
        atomic_init(&w.next, 0);
        me[0].w = me[1].w = &w;
        /* without a second thread, me[1] finds the chunks all taken */
        eg_side_start(&side, 1, variant_thread, &me[1]);
        variant_thread(&me[0]);
        eg_side_join(&side);
        if (me[0].rc || me[1].rc)
            goto out;
    } else if (variant_decide(&w.base)) {
        goto out;
    }
    for (i = 0; i < n; i++)
        if (dec[i] != EG_NONE && merge_into(g, k[i].node, dec[i], "spelling variant of the name"))
            goto out;
    rc = EG_OK;
out:
    eg_free(dec);
    return rc;
}

/* ---- weights ---- */

static double edge_weight(const eg_graph *g, uint64_t c, uint64_t si, uint64_t sj)
{
    double n = (double)(g->nwindows ? g->nwindows : 1), cc = (double)c;
    double a = (double)(si ? si : 1), b = (double)(sj ? sj : 1);
    switch (g->ctx->opt.weight) {
    case EG_WEIGHT_ASSOC:
        return cc * n / (a * b);
    case EG_WEIGHT_NPMI: {
        double p = cc / n;
        if (p >= 1.0)
            return 1.0;
        return log(cc * n / (a * b)) / -log(p);
    }
    case EG_WEIGHT_JACCARD:
        return a + b - cc > 0 ? cc / (a + b - cc) : 1.0;
    case EG_WEIGHT_DICE:
        return 2 * cc / (a + b);
    default:
        return cc;
    }
}

static const char *weight_name(eg_weight w)
{
    static const char *const n[] = {"count", "assoc", "npmi", "jaccard", "dice"};
    return (unsigned)w < 5 ? n[w] : "count";
}

/* ---- the merged graph, before filters ---- */

typedef struct {
    uint32_t node;      /* surviving node */
    uint64_t mentions, windows;
    uint32_t docs;
    int keep;
} agg_node;

/* A node and the str_prefix of its id, as sort_by_id sorts them. */
typedef struct {
    uint64_t pre;
    uint32_t node;
} idkey;

/* By id, then type (the key's digit). ctx: the graph. */
static int cmp_node_id(const void *pa, const void *pb, void *ctx)
{
    const eg_graph *sort_graph = ctx;
    const idkey *a = pa, *b = pb;
    const gnode *x = &sort_graph->nodes[a->node], *y = &sort_graph->nodes[b->node];
    int c = prefix_cmp(a->pre, b->pre, node_id(sort_graph, a->node), node_id(sort_graph, b->node));
    return c ? c : (x->type > y->type) - (x->type < y->type);
}

/* Sorts n nodes by id, then type. */
static int sort_by_id(const eg_graph *g, uint32_t *order, size_t n)
{
    idkey *k = eg_malloc(n * sizeof *k);
    size_t i;
    if (!k)
        return EG_ENOMEM;
    for (i = 0; i < n; i++) {
        k[i].pre = eg_str_prefix(node_id(g, order[i]));
        k[i].node = order[i];
    }
    if (eg_prefix_sort(k, n, sizeof *k, cmp_node_id, (void *)g)) {
        eg_free(k);
        return EG_ENOMEM;
    }
    for (i = 0; i < n; i++)
        order[i] = k[i].node;
    eg_free(k);
    return EG_OK;
}

/* Node indices by output id. ctx: the graph. */
static int cmp_out_id(const void *pa, const void *pb, void *ctx)
{
    const eg_graph *sort_graph = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return strcmp(out_id(sort_graph, a), out_id(sort_graph, b));
}

/* Entities of different types with the same id (sorted order[] has them
 * side by side): the gazetteer's, else the first type, keeps the id; the
 * others get "-person", "-org", "-place" or "-event" after it. *nq: how
 * many ids were qualified. */
static int qualify_ids(eg_graph *g, const uint32_t *order, size_t n, size_t *nq)
{
    size_t i, j, k;
    *nq = 0;
    for (i = 0; i < n; i = j) {
        size_t keep = i;
        for (j = i + 1; j < n && strcmp(node_id(g, order[j]), node_id(g, order[i])) == 0; j++)
            if (g->nodes[order[j]].origin == EG_ORIGIN_GAZ && g->nodes[order[keep]].origin != EG_ORIGIN_GAZ)
                keep = j;
        for (k = i; k < j && j - i > 1; k++) {
            eg_buf b = {0};
            const char *t = eg_type_name((eg_type)g->nodes[order[k]].type);
            size_t q;
            int rc;
            if (k == keep)
                continue;
            rc = eg_buf_addf(&b, "%s-", node_id(g, order[k]));
            for (q = 0; !rc && t[q]; q++)
                rc = eg_buf_addc(&b, (char)(t[q] - 'A' + 'a'));
            if (!rc)
                rc = eg_graph_str(g, b.p, &g->vid[order[k]]);
            eg_buf_free(&b);
            if (rc)
                return EG_ENOMEM;
            ++*nq;
        }
    }
    return EG_OK;
}

/* The view pair of edge e packed as view a << 32 | view b (a < b), or
 * NO_PAIR when the edge is not in the view (a node filtered out, or both
 * ends merged into one). */
#define NO_PAIR UINT64_MAX

static uint64_t view_pair(const eg_graph *g, uint32_t e)
{
    uint32_t x = g->vindex[g->final[g->edges[e].a]], y = g->vindex[g->final[g->edges[e].b]];
    if (x == EG_NONE || y == EG_NONE || x == y)
        return NO_PAIR;
    return x < y ? (uint64_t)x << 32 | y : (uint64_t)y << 32 | x;
}

/* The source edges of the view in order (a, b, then source edge), cut in
 * two near the middle between two view nodes a (so between two view
 * edges), for two threads. */
typedef struct {
    uint32_t *ord;      /* source edges in view order */
    uint64_t *pair;     /* pair[i]: the view pair of ord[i] */
    size_t n;
    size_t mid;         /* the cut */
    size_t nev[2];      /* bounds of the evidence records of the view edges
                           of [0, mid) and [mid, n): each source edge's,
                           without the cut to K */
} vorder;

static void vorder_free(vorder *vo)
{
    eg_free(vo->ord);
    eg_free(vo->pair);
    memset(vo, 0, sizeof *vo);
}

/* Two stable counting sorts of edge indices, by b then by a, each moving
 * the edge's pair with it so that each pair is worked out once. */
static int view_edge_order(const eg_graph *g, size_t nn, vorder *vo)
{
    uint32_t *cnt = NULL, *by_b = NULL, a_mid;
    uint64_t *pair = NULL, *pb = NULL, *nev_a = NULL; /* nev_a: evidence by view node a */
    size_t i, m = 0;
    int rc = EG_ENOMEM;
    memset(vo, 0, sizeof *vo);
    if (!(cnt = eg_calloc(nn + 1, sizeof *cnt)) || !(nev_a = eg_calloc(nn + 1, sizeof *nev_a)) ||
        (g->nedges && !(pair = eg_malloc(g->nedges * sizeof *pair))))
        goto out;
    for (i = 0; i < g->nedges; i++)
        if ((pair[i] = view_pair(g, (uint32_t)i)) != NO_PAIR) {
            cnt[(uint32_t)pair[i] + 1]++;
            nev_a[pair[i] >> 32] += g->edges[i].nev;
            m++;
        }
    if (!m) {
        rc = EG_OK;
        goto out;
    }
    if (!(by_b = eg_malloc(m * sizeof *by_b)) || !(vo->ord = eg_malloc(m * sizeof *vo->ord)) ||
        !(pb = eg_malloc(m * sizeof *pb)) || !(vo->pair = eg_malloc(m * sizeof *vo->pair)))
        goto out;
    for (i = 0; i < nn; i++)
        cnt[i + 1] += cnt[i];
    for (i = 0; i < g->nedges; i++)
        if (pair[i] != NO_PAIR) {
            uint32_t at = cnt[(uint32_t)pair[i]]++;
            by_b[at] = (uint32_t)i;
            pb[at] = pair[i];
        }
    memset(cnt, 0, (nn + 1) * sizeof *cnt);
    for (i = 0; i < m; i++)
        cnt[(pb[i] >> 32) + 1]++;
    for (i = 0; i < nn; i++)
        cnt[i + 1] += cnt[i];
    /* the cut: the first node a whose edges start at or after the middle */
    for (a_mid = 0; a_mid < nn && cnt[a_mid] < m / 2; a_mid++)
        vo->nev[0] += nev_a[a_mid];
    vo->mid = cnt[a_mid];
    for (i = a_mid; i < nn; i++)
        vo->nev[1] += nev_a[i];
    for (i = 0; i < m; i++) {
        uint32_t at = cnt[pb[i] >> 32]++;
        vo->ord[at] = by_b[i];
        vo->pair[at] = pb[i];
    }
    vo->n = m;
    rc = EG_OK;
out:
    if (rc)
        vorder_free(vo);
    eg_free(cnt);
    eg_free(nev_a);
    eg_free(by_b);
    eg_free(pair);
    eg_free(pb);
    return rc;
}

/* A hint for the loop that reads the source edges in view order: fetches
 * the edge PF_EDGE places ahead, and the window record of the one half as
 * far ahead (its edge fetched a while ago), as both are read in no order
 * of their arrays. A macro, not a static function: GCC takes a static
 * function that only loads and prefetches for one without effects and
 * drops its calls (it did, and no hint was given). */
#define PF_EDGE 16
#define PREFETCH_EDGE(g, eord, ne, j)                                                                         \
    do {                                                                                                      \
        if ((j) + PF_EDGE < (ne))                                                                             \
            EG_PREFETCH(&(g)->edges[(eord)[(j) + PF_EDGE]]);                                                  \
        if ((j) + PF_EDGE / 2 < (ne)) {                                                                       \
            const gedge *pf_s = &(g)->edges[(eord)[(j) + PF_EDGE / 2]];                                        \
            if (pf_s->evcap <= 1 && pf_s->nev)                                                                \
                EG_PREFETCH(&(g)->ev[pf_s->ev]);                                                              \
        }                                                                                                     \
    } while (0)

static int cmp_alias(const void *pa, const void *pb, void *ctx)
{
    (void)ctx;
    const eg_alias_seen *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Window indices by their windows' order. ctx: the graph. */
static int cmp_evidence(const void *pa, const void *pb, void *ctx)
{
    const eg_graph *g = ctx;
    return eg_graph_ev_cmp(g, &g->ev[*(const uint32_t *)pa], &g->ev[*(const uint32_t *)pb]);
}

typedef struct {
    const eg_graph *g;
    const agg_node *agg;
} top_ctx;

/* Most mentioned first; ties by id, so the cut is deterministic. */
static int cmp_top(const void *pa, const void *pb, void *ctx)
{
    const top_ctx *t = ctx;
    const eg_graph *sort_graph = t->g;
    const agg_node *a = &t->agg[*(const uint32_t *)pa], *b = &t->agg[*(const uint32_t *)pb];
    if (a->mentions != b->mentions)
        return a->mentions > b->mentions ? -1 : 1;
    return strcmp(node_id(sort_graph, a->node), node_id(sort_graph, b->node));
}

/* Picks the nodes to show: types, then the top N by mentions. Returns
 * EG_OK or EG_ENOMEM. */
static int filter_nodes(eg_graph *g, agg_node *agg, size_t n)
{
    const eg_options *o = &g->ctx->opt;
    size_t i, kept = 0;
    uint32_t *ord;
    for (i = 0; i < n; i++) {
        agg[i].keep = !o->types || (o->types >> g->nodes[agg[i].node].type & 1);
        kept += agg[i].keep;
    }
    if (!o->top || kept <= o->top)
        return EG_OK;
    if (!(ord = eg_malloc(kept * sizeof *ord)))
        return EG_ENOMEM;
    for (i = 0, kept = 0; i < n; i++)
        if (agg[i].keep)
            ord[kept++] = (uint32_t)i;
    {
        top_ctx t;
        t.g = g;
        t.agg = agg;
        if (eg_sort(ord, kept, sizeof *ord, cmp_top, &t)) {
            eg_free(ord);
            return EG_ENOMEM;
        }
    }
    for (i = o->top; i < kept; i++)
        agg[ord[i]].keep = 0;
    eg_free(ord);
    return EG_OK;
}

/* The view edges of the source edges vo->ord[from, to) (whole view
 * edges), kept ones to out[0, nout), their evidence records to ev. A
 * view edge with one evidence record points at its window's record,
 * shared with the job's other such edges of that window (most edges
 * occur once): wview[w] is that record's index in ev, EG_NONE until
 * made. Reads the graph only, so the view's edges can be cut in parts
 * made in parallel. */
typedef struct {
    const eg_graph *g;
    const vorder *vo;
    const uint64_t *vwin;   /* view node → windows (merged) */
    size_t from, to;
    eg_edge *out;
    eg_evidence *ev;
    size_t nout;
    int rc;
} ejob;

static int edges_make(ejob *job)
{
    const eg_graph *g = job->g;
    const eg_options *o = &g->ctx->opt;
    const uint32_t *eord = job->vo->ord;
    const uint64_t *epair = job->vo->pair;
    unsigned k = o->evidence > 64 ? 64 : o->evidence;
    /* the evidence of all source edges of one view edge, before the K
     * earliest are kept (bounded: 64 sources × 64 records) */
    uint32_t *tmp = eg_malloc(64 * 64 * sizeof *tmp), *wview = NULL;
    size_t i, j, q, ntmp, nev = 0;
    int rc = EG_ENOMEM;
    job->nout = 0;
    if (!tmp || (g->nev && !(wview = eg_malloc(g->nev * sizeof *wview))))
        goto out;
    for (i = 0; i < g->nev; i++)
        wview[i] = EG_NONE;
    for (i = job->from; i < job->to; i = j) {
        eg_edge *v = &job->out[job->nout];
        v->a = (uint32_t)(epair[i] >> 32);
        v->b = (uint32_t)epair[i];
        v->count = 0; /* what an edge filtered out just before left */
        v->docs = 0;
        ntmp = 0;
        for (j = i; j < job->to && epair[j] == epair[i]; j++) {
            const gedge *s = &g->edges[eord[j]];
            PREFETCH_EDGE(g, eord, job->to, j);
            v->count += s->count;
            v->docs += s->docs;
            for (q = 0; q < s->nev && ntmp < 64 * 64; q++)
                tmp[ntmp++] = s->evcap <= 1 ? s->ev : g->evix[s->ev + q];
        }
        if (v->docs > g->ndocs)
            v->docs = (uint32_t)g->ndocs;
        v->weight = edge_weight(g, v->count, job->vwin[v->a], job->vwin[v->b]);
        if (v->count < o->min_count || (o->has_min_weight && v->weight < o->min_weight))
            continue;
        if (eg_sort(tmp, ntmp, sizeof *tmp, cmp_evidence, (void *)g))
            goto out;
        v->nev = ntmp < k ? ntmp : k;
        if (v->nev == 1 && wview[tmp[0]] != EG_NONE) {
            v->ev = job->ev + wview[tmp[0]];
        } else {
            if (v->nev == 1)
                wview[tmp[0]] = (uint32_t)nev;
            v->ev = job->ev + nev;
            for (q = 0; q < v->nev; q++) {
                const gevidence *w = &g->ev[tmp[q]];
                eg_evidence *x = &job->ev[nev++];
                x->doc = g->docs.items[w->doc].key;
                x->start = w->start;
                x->end = w->end;
                x->snippet = NULL; /* in the spool: eg_evidence_snippet reads it */
                x->spool_fd = g->spools[w->spool];
                x->snip_off = w->snip;
                x->snip_len = w->snip_len;
            }
        }
        job->nout++;
    }
    rc = EG_OK;
out:
    eg_free(tmp);
    eg_free(wview);
    return rc;
}

static void *edges_thread(void *arg)
{
    ejob *job = arg;
    job->rc = edges_make(job);
    return NULL;
}

/* The view's edges and evidence records (g->vedges, g->vev), *ne of them,
 * in two parts on two threads when allowed; then the nodes' degrees. */
static int view_edges(eg_graph *g, const vorder *vo, const uint64_t *vwin, size_t *ne)
{
    ejob job[2];
    eg_side side;
    size_t i, first = 0;
    int rc = EG_ENOMEM;
    if (!(g->vedges = eg_calloc(vo->n + 1, sizeof *g->vedges)) ||
        !(g->vev = eg_calloc(vo->nev[0] + vo->nev[1] + 1, sizeof *g->vev)))
        return EG_ENOMEM;
    /* the second part's edges go after the first's view edges (vedges
     * is sized for one a source edge, and the pages never filled are
     * never touched; so is vev, for no sharing and no cut) */
    for (i = 0; i < vo->mid; i++)
        first += !i || vo->pair[i] != vo->pair[i - 1];
    memset(job, 0, sizeof job);
    job[0].g = job[1].g = g;
    job[0].vo = job[1].vo = vo;
    job[0].vwin = job[1].vwin = vwin;
    job[0].to = job[1].from = vo->mid;
    job[1].to = vo->n;
    job[0].out = g->vedges;
    job[1].out = g->vedges + first;
    job[0].ev = g->vev;
    job[1].ev = g->vev + vo->nev[0];
    eg_side_start(&side, g->threads > 1 && vo->n > 4096, edges_thread, &job[1]);
    job[0].rc = edges_make(&job[0]);
    eg_side_join(&side);
    if (job[0].rc || job[1].rc)
        goto out;
    /* the first part's filtered edges leave a gap */
    if (job[0].nout < first)
        memmove(g->vedges + job[0].nout, job[1].out, job[1].nout * sizeof *g->vedges);
    *ne = job[0].nout + job[1].nout;
    for (i = 0; i < *ne; i++) {
        g->vnodes[g->vedges[i].a].degree++;
        g->vnodes[g->vedges[i].b].degree++;
    }
    rc = EG_OK;
out:
    return rc;
}

/* The view nodes' records: id, type, label and the surface forms seen
 * (merged nodes' pooled). Reads what view_edge_order reads and writes
 * other fields than view_edges does, so it can run beside them. */
typedef struct {
    eg_graph *g;
    const uint32_t *order;  /* view node → node */
    size_t nn;
    int rc;
} njob;

static int node_records(eg_graph *g, const uint32_t *order, size_t nn)
{
    size_t i, nal = 0, *start = NULL, *fill = NULL;
    int rc = EG_ENOMEM;
    for (i = 0; i < g->aliases.count; i++) {
        uint32_t node;
        memcpy(&node, g->aliases.items[i].key, 4);
        nal += g->vindex[g->final[node]] != EG_NONE;
    }
    if (!(g->valiases = eg_calloc(nal + 1, sizeof *g->valiases)) || !(start = eg_calloc(nn + 1, sizeof *start)) ||
        !(fill = eg_malloc((nn + 1) * sizeof *fill)))
        goto out;
    for (i = 0; i < g->aliases.count; i++) {
        uint32_t node, v;
        memcpy(&node, g->aliases.items[i].key, 4);
        if ((v = g->vindex[g->final[node]]) != EG_NONE)
            start[v + 1]++;
    }
    for (i = 0; i < nn; i++)
        start[i + 1] += start[i];
    memcpy(fill, start, (nn + 1) * sizeof *fill);
    for (i = 0; i < g->aliases.count; i++) {
        uint32_t node, v;
        memcpy(&node, g->aliases.items[i].key, 4);
        if ((v = g->vindex[g->final[node]]) == EG_NONE)
            continue;
        g->valiases[fill[v]].text = g->aliases.items[i].key + 4;
        g->valiases[fill[v]].count = g->acount[g->aliases.items[i].val];
        fill[v]++;
    }
    for (i = 0; i < nn; i++) {
        eg_node *x = &g->vnodes[i];
        const gnode *s = &g->nodes[order[i]];
        eg_alias_seen *al = g->valiases + start[i];
        size_t a, b;
        x->id = out_id(g, order[i]);
        x->type = (eg_type)s->type;
        x->ambiguous = s->origin == EG_ORIGIN_AMBIG;
        x->aliases = al;
        x->naliases = start[i + 1] - start[i];
        if (eg_sort(al, x->naliases, sizeof *al, cmp_alias, NULL))
            goto out;
        /* the same surface text from two merged nodes: add up */
        for (a = 0, b = 0; a < x->naliases; a++) {
            if (b && strcmp(al[b - 1].text, al[a].text) == 0)
                al[b - 1].count += al[a].count;
            else
                al[b++] = al[a];
        }
        x->naliases = b;
        if (eg_sort(al, x->naliases, sizeof *al, cmp_alias, NULL))
            goto out;
        x->label = s->label ? g->strs.p + s->label : x->naliases ? x->aliases[0].text : x->id;
    }
    rc = EG_OK;
out:
    eg_free(start);
    eg_free(fill);
    return rc;
}

static void *node_thread(void *arg)
{
    njob *job = arg;
    job->rc = node_records(job->g, job->order, job->nn);
    return NULL;
}

/* The view: node records, then edges (on two threads when allowed, the
 * node records beside the edges' order). */
static int view_make(eg_graph *g, const uint32_t *order, size_t nn, const uint64_t *vwin, size_t *ne)
{
    njob nj;
    vorder vo;
    eg_side side;
    int rc;
    nj.g = g;
    nj.order = order;
    nj.nn = nn;
    eg_side_start(&side, g->threads > 1, node_thread, &nj);
    rc = view_edge_order(g, nn, &vo);
    eg_side_join(&side);
    if (!rc)
        rc = nj.rc;
    if (!rc)
        rc = view_edges(g, &vo, vwin, ne);
    vorder_free(&vo);
    return rc;
}

/* The corpus-level merges (learned acronyms, name parts, then spelling
 * variants, in that order: the union-find's roots depend on it), and
 * every node sorted by id (then type) into byid, for the view's order.
 * The variant index and the sort read only what the merges do not
 * change, so with two threads allowed the index's ids are made on a
 * second thread while this one makes the other merges, the sort and the
 * index's surface forms. */
static int corpus_merges(eg_graph *g, uint32_t *byid)
{
    vindex_job vx, va; /* the index's ids and surface forms */
    eg_side side;
    int rc;
    size_t i;
    memset(&vx, 0, sizeof vx);
    memset(&va, 0, sizeof va);
    vx.g = va.g = g;
    va.aliases = 1;
    eg_side_start(&side, g->threads > 1, vindex_thread, &vx);
    for (i = 0; i < g->nnodes; i++)
        byid[i] = (uint32_t)i;
    rc = merge_learned(g);
    if (!rc)
        rc = merge_name_parts(g);
    if (!rc && g->nnodes > 1)
        rc = sort_by_id(g, byid, g->nnodes);
    vindex_make(&va);
    eg_side_join(&side);
    if (!rc)
        rc = vx.rc ? vx.rc : va.rc;
    if (!rc)
        rc = vindex_join(&vx, &va);
    if (!rc)
        rc = merge_variants(g, &vx);
    vindex_free(&vx);
    vindex_free(&va);
    return rc;
}

int eg_graph_finish(eg_graph *g)
{
    size_t i, nn = 0, ne = 0;
    uint32_t *surv = NULL;       /* node → agg index (EG_NONE unless a root) */
    agg_node *agg = NULL;
    uint32_t *order = NULL;
    uint32_t *byid = NULL;       /* every node, by id then type */
    uint64_t *vwin = NULL;       /* view node → windows (merged) */
    int rc = EG_ENOMEM;
    const eg_options *o = &g->ctx->opt;

    if (g->finished)
        return EG_OK;
    eg_err_clear(&g->err); /* not a document's error from before */
    if (g->spool_buf.len && (rc = eg_graph_spool_flush(g)))
        return rc;
    rc = EG_ENOMEM;
    /* no edge is looked up from here on (edge_get makes the table again
     * should a failed finish be followed by more documents) */
    eg_free(g->edge_slots);
    g->edge_slots = NULL;
    g->edge_nslots = 0;
    /* nor a surface form nor a document name (a later eg_graph_add_doc
     * would make their slots again) */
    eg_strmap_drop_slots(&g->aliases);
    eg_strmap_drop_slots(&g->docs);
    eg_graph_rank_docs(g);
    /* what a failed earlier call left (out of memory half-way) */
    eg_free(g->final);
    eg_free(g->vid);
    eg_free(g->vindex);
    eg_free(g->vnodes);
    eg_free(g->vedges);
    eg_free(g->vev);
    eg_free(g->valiases);
    g->final = g->vid = g->vindex = NULL;
    g->vnodes = NULL;
    g->vedges = NULL;
    g->vev = NULL;
    g->valiases = NULL;
    if (g->nnodes && (!(g->final = eg_malloc(g->nnodes * sizeof *g->final)) ||
                      !(g->vid = eg_calloc(g->nnodes, sizeof *g->vid)) ||
                      !(byid = eg_malloc(g->nnodes * sizeof *byid))))
        goto out;
    for (i = 0; i < g->nnodes; i++)
        g->final[i] = (uint32_t)i;
    if (corpus_merges(g, byid))
        goto out;
    for (i = 0; i < g->nnodes; i++)
        g->final[i] = uf_find(g->final, (uint32_t)i);

    /* aggregate merged nodes */
    if (g->nnodes && (!(surv = eg_malloc(g->nnodes * sizeof *surv)) || !(agg = eg_calloc(g->nnodes, sizeof *agg))))
        goto out;
    for (i = 0; i < g->nnodes; i++)
        surv[i] = EG_NONE;
    for (i = 0; i < g->nnodes; i++)
        if (g->final[i] == i) {
            surv[i] = (uint32_t)nn;
            agg[nn++].node = (uint32_t)i;
        }
    for (i = 0; i < g->nnodes; i++) {
        agg_node *x = &agg[surv[g->final[i]]];
        x->mentions += g->nodes[i].mentions;
        x->windows += g->nodes[i].windows;
        x->docs += g->nodes[i].docs; /* an upper bound when merged nodes share documents */
        if (x->docs > g->ndocs)
            x->docs = (uint32_t)g->ndocs;
    }
    if (filter_nodes(g, agg, nn))
        goto out;

    /* view order: kept nodes by id (the order of byid) */
    if (nn && !(order = eg_malloc(nn * sizeof *order)))
        goto out;
    {
        size_t kept = 0;
        for (i = 0; i < g->nnodes; i++)
            if (surv[byid[i]] != EG_NONE && agg[surv[byid[i]]].keep)
                order[kept++] = byid[i];
        eg_free(byid);
        byid = NULL;
        if (kept > 1) { /* order is NULL when there are no nodes */
            size_t nq;
            /* order stays sorted by output id unless some were qualified */
            if (qualify_ids(g, order, kept, &nq) ||
                (nq && eg_sort_threads(order, kept, sizeof *order, cmp_out_id, g, g->threads)))
                goto out;
        }
        if (!(g->vindex = eg_malloc((g->nnodes + 1) * sizeof *g->vindex)))
            goto out;
        for (i = 0; i < g->nnodes; i++)
            g->vindex[i] = EG_NONE;
        for (i = 0; i < kept; i++)
            g->vindex[order[i]] = (uint32_t)i;
        nn = kept;
    }
    if (!(g->vnodes = eg_calloc(nn + 1, sizeof *g->vnodes)) || !(vwin = eg_malloc((nn + 1) * sizeof *vwin)))
        goto out;
    /* the merged counts go to the view now, the windows (for the weights)
     * to vwin: the per-node aggregates are not held while the edges are
     * built */
    for (i = 0; i < nn; i++) {
        const agg_node *ag = &agg[surv[order[i]]];
        g->vnodes[i].mentions = ag->mentions;
        g->vnodes[i].docs = ag->docs;
        vwin[i] = ag->windows;
    }
    eg_free(agg);
    eg_free(surv);
    agg = NULL;
    surv = NULL;

    /* edges: remap, drop self-loops, combine duplicates */
    if (view_make(g, order, nn, vwin, &ne))
        goto out;

    g->view.nodes = g->vnodes;
    g->view.nnodes = nn;
    g->view.edges = g->vedges;
    g->view.nedges = ne;
    g->view.opt = o;
    snprintf(g->weight_name, sizeof g->weight_name, "%s", weight_name(o->weight));
    if (o->window == EG_WIN_TOKENS)
        snprintf(g->window_name, sizeof g->window_name, "tokens:%u", o->window_tokens);
    else
        snprintf(g->window_name, sizeof g->window_name, "%s",
                 o->window == EG_WIN_PARAGRAPH ? "paragraph" : o->window == EG_WIN_DOCUMENT ? "document" : "sentence");
    g->view.weight_name = g->weight_name;
    g->view.window_name = g->window_name;
    g->view.ndocs = g->ndocs;
    g->finished = 1;
    /* the view has what the writers need: the accumulated edges and their
     * evidence records are not needed any more */
    eg_free(g->edges);
    eg_free(g->ev);
    eg_free(g->evix);
    eg_free(g->edge_slots);
    eg_free(g->gaz_node);
    g->gaz_node = NULL;
    g->gaz_node_cap = 0;
    g->edges = NULL;
    g->ev = NULL;
    g->evix = NULL;
    g->edge_slots = NULL;
    g->nedges = g->edges_cap = g->ev_cap = g->nev = g->evix_used = g->evix_cap = g->edge_nslots = 0;
    rc = EG_OK;
out:
    eg_free(byid);
    eg_free(surv);
    eg_free(agg);
    eg_free(order);
    eg_free(vwin);
    if (rc)
        eg_err_nomem(&g->err);
    return rc;
}

const char *eg_graph_final_id(const eg_graph *g, eg_type type, const char *id, const char **label)
{
    char small[128];
    size_t len = strlen(id);
    char *key = len + 2 <= sizeof small ? small : eg_malloc(len + 2);
    const uint32_t *n;
    uint32_t f;
    if (!key)
        return NULL;
    key[0] = (char)('0' + type);
    memcpy(key + 1, id, len + 1);
    n = eg_strmap_get(&g->ids, key, len + 1);
    if (key != small)
        eg_free(key);
    if (!n || !g->finished)
        return NULL;
    f = g->final[*n];
    if (label) {
        uint32_t v = g->vindex[f];
        if (v != EG_NONE)
            *label = g->vnodes[v].label;
        else
            *label = g->nodes[f].label ? g->strs.p + g->nodes[f].label : node_id(g, f);
    }
    return out_id(g, f);
}

int eg_graph_write(eg_graph *g, const char *dir, unsigned formats) { return eg_graph_write_threads(g, dir, formats, 1); }

int eg_graph_write_threads(eg_graph *g, const char *dir, unsigned formats, int threads)
{
    int rc;
    eg_err_clear(&g->err);
    if (!g->finished && (rc = eg_graph_finish(g)))
        return rc;
    return eg_write_all_threads(&g->view, dir, formats, threads, &g->err);
}

/* Audit lines: links by document name and offset, then the corpus-level
 * merges (seq UINT64_MAX) by text. */
static int cmp_explain(const void *pa, const void *pb, void *ctx)
{
    const eg_graph *sort_graph = ctx;
    const gexplain *a = pa, *b = pb;
    int am = a->seq == UINT64_MAX, bm = b->seq == UINT64_MAX;
    if (am != bm)
        return am - bm;
    if (!am && a->doc != b->doc) {
        int c = strcmp(sort_graph->docs.items[a->doc].key, sort_graph->docs.items[b->doc].key);
        if (c)
            return c;
    }
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return strcmp(sort_graph->strs.p + a->text, sort_graph->strs.p + b->text);
}

int eg_graph_write_explain(eg_graph *g, const char *path)
{
    eg_out out;
    size_t i;
    const char *slash = strrchr(path, '/');
    eg_buf dir = {0};
    int rc;
    eg_err_clear(&g->err);
    if (eg_buf_add(&dir, path, slash ? (size_t)(slash - path) : 1))
        return eg_err_nomem(&g->err);
    if (!slash)
        dir.p[0] = '.';
    rc = eg_out_open(&out, dir.p, slash ? slash + 1 : path, &g->err);
    eg_buf_free(&dir);
    if (rc)
        return rc;
    if (g->nexplain > 1 && eg_sort(g->explain, g->nexplain, sizeof *g->explain, cmp_explain, g)) {
        eg_out_abort(&out);
        return eg_err_nomem(&g->err);
    }
    fprintf(out.f, "# entgraph %s audit: link = a partial name or acronym linked in a document;\n"
                   "# merge = two entities joined for the whole corpus. Columns are tab-separated.\n",
            EG_VERSION);
    for (i = 0; i < g->nexplain; i++)
        fprintf(out.f, "%s\n", g->strs.p + g->explain[i].text);
    return eg_out_commit(&out, &g->err);
}

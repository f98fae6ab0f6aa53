/*
 * resolve.c — settles one document's candidates into mentions and gives
 * each an entity (see resolve.h for the steps). Sits between the matchers
 * (gazetteer.c, rules.c) and the graph (graph.c).
 */
#include "resolve.h"
#include "similar.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void eg_resolver_init(eg_resolver *r) { memset(r, 0, sizeof *r); }

const char *eg_why_name(int why)
{
    static const char *const names[] = {"",
                                        "only person in the document with this surname",
                                        "only person in the document with this given name",
                                        "chosen by a title or pronoun (gender)",
                                        "person named just before (same paragraph, two sentences at most)",
                                        "several persons share this name; left open",
                                        "acronym in brackets after its long form",
                                        "acronym defined earlier in the document",
                                        "long form in front of a known acronym in brackets",
                                        "acronym of the one name in the document it spells"};
    return why >= 0 && why < (int)(sizeof names / sizeof names[0]) ? names[why] : "";
}

void eg_resolver_free(eg_resolver *r)
{
    eg_free(r->m);
    eg_free(r->ent);
    eg_buf_free(&r->pool);
    eg_free(r->ids.s);
    eg_free(r->texts.s);
    eg_free(r->gmemo);
    eg_buf_free(&r->textpool);
    eg_buf_free(&r->slug);
    eg_free(r->taken);
    eg_free(r->order);
    eg_free(r->order2);
    eg_free(r->mtmp);
    eg_buf_free(&r->tmp);
    eg_free(r->learned);
    eg_free(r->score);
    eg_free(r->person_at);
    eg_free(r->ent_at);
    eg_free(r->bare);
    eg_free(r->full);
    eg_free(r->names);
    eg_free(r->cover);
    eg_free(r->cflag);
    eg_free(r->at);
    eg_free(r->names_next);
    eg_free(r->acr);
    eg_free(r->vmark);
    eg_free(r->gctx);
    memset(r, 0, sizeof *r);
}

/* ---- small token helpers ---- */

/* A word of a fixed list with its length; each list comes with a mask of
 * the lengths in it (bit n: a word of n bytes), made by the same macro
 * list, so a token is ruled out by its key length before any byte is
 * compared (these run for every token the gender and place checks look
 * at). */
typedef struct {
    const char *w;
    uint32_t n;
} kword;

typedef struct {
    uint64_t lens;      /* bit n: some word has n bytes (n < 64) */
    const kword *words; /* ends with {NULL, 0} */
} klist;

#define KW(s) {s, (uint32_t)(sizeof s - 1)},
#define KLEN(s) (1ull << (sizeof s - 1)) |
#define KLIST(name, LIST)                                                                                              \
    static const kword name##_words[] = {LIST(KW){NULL, 0}};                                                          \
    static const klist name = {LIST(KLEN) 0, name##_words};

/* Is token t's key the word w (of n bytes)? */
static int key_is_n(const eg_doc *d, uint32_t t, const char *w, uint32_t n)
{
    return t < d->ntok && d->tok[t].klen == n && memcmp(eg_tok_key(d, &d->tok[t]), w, n) == 0;
}

#define key_is(d, t, lit) key_is_n((d), (t), (lit), (uint32_t)(sizeof(lit) - 1))

static int key_in(const eg_doc *d, uint32_t t, const klist *l)
{
    const kword *words;
    const char *k;
    uint32_t n;
    if (t >= d->ntok)
        return 0;
    n = d->tok[t].klen;
    if (n >= 64 || !(l->lens >> n & 1))
        return 0;
    k = eg_tok_key(d, &d->tok[t]);
    for (words = l->words; words->w; words++)
        if (words->n == n && words->w[0] == k[0] && memcmp(k, words->w, n) == 0)
            return 1;
    return 0;
}

/* Previous / next token that is not a joining hyphen; EG_NONE at the ends. */
static uint32_t prev_tok(const eg_doc *d, uint32_t t)
{
    while (t > 0) {
        t--;
        if (!(d->tok[t].flags & EG_TF_JOINER))
            return t;
    }
    return EG_NONE;
}

#define PLACE_PREPS(X)                                                                                                 \
    X("in") X("from") X("to") X("near") X("at") X("of") X("into") X("across") X("outside") X("inside") X("around")    \
    X("throughout") X("via") X("toward") X("towards")
#define MALE_TITLES(X) X("mr") X("sir") X("king") X("prince") X("lord") X("mister")
#define FEMALE_TITLES(X)                                                                                               \
    X("mrs") X("ms") X("miss") X("madam") X("madame") X("lady") X("queen") X("princess") X("dame")
KLIST(place_preps, PLACE_PREPS)
KLIST(male_titles, MALE_TITLES)
KLIST(female_titles, FEMALE_TITLES)

/* The gender a pronoun token gives: +1 he/him/his/himself, -1
 * she/her/hers/herself, 0 anything else. By length first: most words are
 * ruled out without reading a byte. */
static int pronoun_of(const eg_doc *d, uint32_t t)
{
    const eg_token *k = &d->tok[t];
    const char *w;
    if (k->klen > 7 || !(0x9Cu >> k->klen & 1) || k->kind != EG_TK_WORD) /* lengths 2, 3, 4, 7 */
        return 0;
    w = eg_tok_key(d, k);
    if (w[0] != 'h' && w[0] != 's')
        return 0;
    switch (k->klen) {
    case 2:
        return memcmp(w, "he", 2) == 0;
    case 3:
        if (memcmp(w, "him", 3) == 0 || memcmp(w, "his", 3) == 0)
            return 1;
        return memcmp(w, "she", 3) == 0 || memcmp(w, "her", 3) == 0 ? -1 : 0;
    case 4:
        return memcmp(w, "hers", 4) == 0 ? -1 : 0;
    case 7:
        return memcmp(w, "himself", 7) == 0 ? 1 : memcmp(w, "herself", 7) == 0 ? -1 : 0;
    }
    return 0;
}

/* A `ctx` gazetteer entry (a city that is also an English word) needs a
 * place context: a locative preposition before it, or ", Place" after. */
static int place_context(const eg_doc *d, const eg_cand *c)
{
    uint32_t p = prev_tok(d, c->t0);
    if (p != EG_NONE && key_in(d, p, &place_preps))
        return 1;
    if (c->t1 + 1 < d->ntok && key_is(d, c->t1, ",") && (d->tok[c->t1 + 1].flags & EG_TF_CAP))
        return 1;
    return 0;
}

/* ---- what the document's gazetteer entries need ----
 * A small table, per document, of the entries its mentions name: their
 * support (choose) and their entity once they have one; and, kept from
 * document to document, one byte per entry: whether it needs a place
 * context. The gazetteer's own entry table is large and read at random; a
 * document names a few entries, many of them several times. */

/* eg_grow, with the bytes past the old capacity zeroed (stamp 0: never
 * in use). */
static int grow_zeroed(void **p, size_t *cap, size_t need, size_t size)
{
    size_t old = *cap;
    if (eg_grow(p, cap, need, size))
        return EG_ENOMEM;
    if (*cap > old)
        memset((char *)*p + old * size, 0, (*cap - old) * size);
    return EG_OK;
}

static int gaz_reset(eg_resolver *r, const eg_ctx *c, size_t want)
{
    size_t n = 64;
    if (r->gctx_gaz != (const void *)c->gaz || r->gctx_n != eg_gaz_entry_count(c->gaz) ||
        r->gctx_entries != (const void *)eg_gaz_entry_at(c->gaz, 0)) {
        /* the place-context flag of each entry, kept from document to
         * document (0: not read yet, else 1 + flag): one byte per entry
         * stays in cache where the entries' table does not */
        size_t ne = eg_gaz_entry_count(c->gaz);
        eg_free(r->gctx);
        r->gctx_n = 0;
        r->gctx_gaz = NULL;
        if (!(r->gctx = eg_calloc(ne ? ne : 1, 1)))
            return EG_ENOMEM;
        r->gctx_n = ne;
        r->gctx_gaz = c->gaz;
        r->gctx_entries = eg_gaz_entry_at(c->gaz, 0);
    }
    while (n < 2 * want)
        n *= 2;
    if (grow_zeroed((void **)&r->gmemo, &r->gmemo_cap, n, sizeof *r->gmemo))
        return EG_ENOMEM;
    if (++r->gmemo_gen == 0) { /* wrapped: stamps of old generations could match */
        memset(r->gmemo, 0, r->gmemo_cap * sizeof *r->gmemo);
        r->gmemo_gen = 1;
    }
    r->gmemo_n = n;
    r->gmemo_used = 0;
    return EG_OK;
}

static size_t gaz_slot(const eg_resolver *r, uint32_t entry)
{
    size_t mask = r->gmemo_n - 1, i = (size_t)((entry + 1) * 0x9E3779B1u) & mask;
    while (r->gmemo[i].gen == r->gmemo_gen && r->gmemo[i].key != entry + 1)
        i = (i + 1) & mask;
    return i;
}

/* The memo of an entry, added when new (doubling the table at half
 * load); NULL when out of memory. A slot is in use when its stamp is
 * this document's generation (as in the string tables below). */
static eg_rgaz *gaz_get(eg_resolver *r, uint32_t entry)
{
    size_t i = gaz_slot(r, entry);
    if (r->gmemo[i].gen == r->gmemo_gen)
        return &r->gmemo[i];
    if ((r->gmemo_used + 1) * 2 > r->gmemo_n) {
        size_t n = r->gmemo_n, j;
        uint32_t old = r->gmemo_gen;
        if (grow_zeroed((void **)&r->gmemo, &r->gmemo_cap, 3 * n, sizeof *r->gmemo))
            return NULL;
        memcpy(r->gmemo + 2 * n, r->gmemo, n * sizeof *r->gmemo); /* the old table past the new one */
        if (old == UINT32_MAX) {
            /* no generation left: stamps start again from 1 (the copy)
             * and 2 (the new table), everything else zeroed */
            memset(r->gmemo, 0, 2 * n * sizeof *r->gmemo);
            for (j = 2 * n; j < 3 * n; j++)
                r->gmemo[j].gen = r->gmemo[j].gen == old;
            memset(r->gmemo + 3 * n, 0, (r->gmemo_cap - 3 * n) * sizeof *r->gmemo);
            old = 1;
            r->gmemo_gen = 2;
        } else {
            r->gmemo_gen++; /* the new table starts empty */
        }
        r->gmemo_n = 2 * n;
        for (j = 2 * n; j < 3 * n; j++)
            if (r->gmemo[j].gen == old) {
                size_t k = gaz_slot(r, r->gmemo[j].key - 1);
                r->gmemo[k] = r->gmemo[j];
                r->gmemo[k].gen = r->gmemo_gen;
            }
        i = gaz_slot(r, entry);
    }
    r->gmemo[i].key = entry + 1;
    r->gmemo[i].gen = r->gmemo_gen;
    r->gmemo[i].ent = EG_NONE;
    r->gmemo[i].support = 0;
    r->gmemo_used++;
    return &r->gmemo[i];
}

/* Does this entry need a place context? Read once per entry and run
 * (r->gctx), not per candidate: the entries' table is large and read at
 * random. */
static int gaz_ctx(eg_resolver *r, const eg_ctx *c, uint32_t entry)
{
    const eg_gaz_entry *en;
    if (entry < r->gctx_n && r->gctx[entry])
        return r->gctx[entry] - 1;
    en = eg_gaz_entry_at(c->gaz, entry);
    if (entry < r->gctx_n)
        r->gctx[entry] = (uint8_t)(1 + (en && (en->flags & EG_GE_CTX)));
    return en && (en->flags & EG_GE_CTX);
}

/* ---- choosing among candidates ---- */

/* A candidate's place in the choice as two numbers compared in turn,
 * smaller first: not weak before weak, then the longest, the highest
 * priority, the best supported, and the leftmost (then file order) --
 * the candidate index, which makes the order total. */
typedef struct {
    uint64_t hi; /* bit 63 weak; bits 17-48 the length's complement; bits 0-16 32768 - priority */
    uint64_t lo; /* bits 32-63 the support's complement; bits 0-31 the candidate index */
} sortkey;

static uint32_t key_idx(const sortkey *k) { return (uint32_t)k->lo; }

static int key_before(const sortkey *a, const sortkey *b) { return a->hi != b->hi ? a->hi < b->hi : a->lo < b->lo; }

/* Sorts the keys by key_before: insertion sort on runs of 16, then merges
 * (through tmp, room for n) with the comparison inlined; qsort's call per
 * comparison cost more than the comparisons. The order is total (the
 * index breaks ties), so any correct sort gives the same result. */
static void sort_keys(sortkey *k, sortkey *tmp, size_t n)
{
    size_t i, j, w;
    sortkey *src = k, *dst = tmp, *sw;
    for (i = 0; i < n; i += 16) {
        size_t e = i + 16 < n ? i + 16 : n;
        for (j = i + 1; j < e; j++) {
            sortkey x = k[j];
            size_t m = j;
            for (; m > i && key_before(&x, &k[m - 1]); m--)
                k[m] = k[m - 1];
            k[m] = x;
        }
    }
    for (w = 16; w < n; w *= 2) {
        for (i = 0; i < n; i += 2 * w) {
            size_t a = i, am = i + w < n ? i + w : n, b = am, bm = i + 2 * w < n ? i + 2 * w : n, o = i;
            while (a < am && b < bm)
                dst[o++] = key_before(&src[b], &src[a]) ? src[b++] : src[a++];
            while (a < am)
                dst[o++] = src[a++];
            while (b < bm)
                dst[o++] = src[b++];
        }
        sw = src;
        src = dst;
        dst = sw;
    }
    if (src != k)
        memcpy(k, src, n * sizeof *k);
}

static int span_free(const eg_resolver *r, uint32_t t0, uint32_t t1)
{
    uint32_t t;
    for (t = t0; t < t1; t++)
        if (r->taken[t])
            return 0;
    return 1;
}

/* Does weak candidate x overlap a candidate that is not weak? choose()
 * has marked every token such a candidate covers in r->taken first, so
 * this costs the length of x, not the number of candidates. */
static int overlaps_other(const eg_resolver *r, const eg_cand *x) { return !span_free(r, x->t0, x->t1); }

/* A rule-found person name that only extends a gazetteer person of two or
 * more words starting at the same token ("Maryam Rajavi Saddam" where a
 * header ran two names together) yields to the gazetteer: it knows where
 * the name ends. `gp` holds the spans of those gazetteer persons sorted by
 * start, then end (choose() makes it once per document). */
typedef struct {
    uint32_t t0, t1;
} tspan;

static int cmp_tspan(const void *pa, const void *pb)
{
    const tspan *a = pa, *b = pb;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    return a->t1 < b->t1 ? -1 : a->t1 > b->t1;
}

static int tspans_sorted(const tspan *v, size_t n)
{
    size_t i;
    for (i = 1; i < n; i++)
        if (cmp_tspan(&v[i - 1], &v[i]) > 0)
            return 0;
    return 1;
}

static int gaz_person2(const eg_doc *d, const eg_cand *g)
{
    uint32_t t, words = 0;
    if (g->source != EG_SRC_GAZ || g->type != EG_PERSON || g->t0 >= g->t1 || g->t1 > d->ntok)
        return 0;
    for (t = g->t0; t < g->t1 && words < 2; t++)
        words += d->tok[t].kind == EG_TK_WORD && !(d->tok[t].flags & EG_TF_JOINER);
    return words >= 2;
}

static int extends_known_person(const tspan *gp, size_t n, const eg_cand *x)
{
    size_t lo = 0, hi = n;
    if (x->source != EG_SRC_RULE || x->type != EG_PERSON)
        return 0;
    while (lo < hi) { /* the first span starting at x->t0 has the smallest end */
        size_t mid = lo + (hi - lo) / 2;
        if (gp[mid].t0 < x->t0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && gp[lo].t0 == x->t0 && gp[lo].t1 < x->t1;
}

static int is_ambiguous_gaz(const eg_cands *cs, size_t i)
{
    const eg_cand *c = &cs->v[i];
    return c->source == EG_SRC_GAZ &&
           ((i > 0 && cs->v[i - 1].source == EG_SRC_GAZ && cs->v[i - 1].t0 == c->t0 && cs->v[i - 1].t1 == c->t1) ||
            (i + 1 < cs->n && cs->v[i + 1].source == EG_SRC_GAZ && cs->v[i + 1].t0 == c->t0 &&
             cs->v[i + 1].t1 == c->t1));
}

/* What choose() learns of each candidate in its first pass (r->cflag). */
enum { CF_AMBIG = 1, CF_ALONE = 2, CF_PERSON2 = 4 };

/* Fills the sort key of candidate key_idx(k) (one that overlaps
 * another): its length in words, priority, support and weakness. Returns
 * EG_OK or EG_ENOMEM. */
static int rank(eg_resolver *r, const eg_doc *d, const eg_cands *cs, sortkey *k)
{
    uint32_t idx = key_idx(k);
    const eg_cand *x = &cs->v[idx];
    uint32_t t, len = 0, support = 0;
    int prio = x->prio + (x->source == EG_SRC_GAZ); /* a gazetteer entry beats a rule on ties */
    for (t = x->t0; t < x->t1; t++)
        len += !(d->tok[t].flags & EG_TF_JOINER);
    if (r->cflag[idx] & CF_AMBIG) {
        const eg_rgaz *g = gaz_get(r, x->entry);
        if (!g)
            return EG_ENOMEM;
        support = g->support;
    }
    /* prio is an int16_t plus 0 or 1: 32768 - prio is in [0, 65536] */
    k->hi = (uint64_t)((x->flags & EG_CF_WEAK) != 0) << 63 | (uint64_t)(UINT32_MAX - len) << 17 |
            (uint64_t)(32768 - prio);
    k->lo = (uint64_t)(UINT32_MAX - support) << 32 | idx;
    return EG_OK;
}

/* Adds a chosen candidate as a mention; choose() has made room. */
static void push_mention(eg_resolver *r, const eg_cand *c)
{
    eg_rmention *m = &r->m[r->nm++];
    m->t0 = c->t0;
    m->t1 = c->t1;
    m->type = c->type;
    m->source = c->source;
    m->rule = c->rule;
    m->ent = c->entry; /* gazetteer entry for now; an entity index after assign */
    m->why = EG_WHY_NONE;
}

/* Picks the mentions among the candidates: the longest, then the highest
 * priority, then the best supported; weak ones only where nothing else is.
 * Linear in the candidates (plus sorting): a long document has millions. */
static int choose(eg_resolver *r, const eg_ctx *c, const eg_doc *d, const eg_cands *cs)
{
    sortkey *k;
    size_t i, j, n = 0, ngp = 0, nalone = 0;
    tspan *gp = NULL;       /* gazetteer persons of 2+ words (extends_known_person) */
    int rc = EG_ENOMEM, need_gp = 0, need_alone = 0;
    if (eg_grow(&r->order, &r->ordercap, cs->n, sizeof *k) || eg_grow((void **)&r->cflag, &r->cflag_cap, cs->n + 1, 1) ||
        eg_grow((void **)&r->cover, &r->cover_cap, d->ntok + 1, 1) ||
        eg_grow((void **)&r->at, &r->at_cap, d->ntok + 1, sizeof *r->at))
        return EG_ENOMEM;
    k = r->order;
    /* what the checks below need, made once: tokens covered by candidates
     * that are not weak (in r->taken, cleared again before the choice),
     * and the two sorted tables */
    for (i = 0; i < cs->n; i++) {
        const eg_cand *x = &cs->v[i];
        uint32_t t;
        uint8_t f;
        r->cflag[i] = 0;
        if (x->t0 >= x->t1 || x->t1 > d->ntok)
            continue;
        if (!(x->flags & EG_CF_WEAK))
            for (t = x->t0; t < x->t1; t++)
                r->taken[t] = 1;
        if (x->source == EG_SRC_GAZ) /* a rival entry on the span, or none */
            f = (uint8_t)((is_ambiguous_gaz(cs, i) ? CF_AMBIG : CF_ALONE) | (gaz_person2(d, x) ? CF_PERSON2 : 0));
        else
            f = 0;
        r->cflag[i] = f;
        need_gp |= x->source == EG_SRC_RULE && x->type == EG_PERSON;
        need_alone |= (f & CF_AMBIG) != 0;
        ngp += (f & CF_PERSON2) != 0;
        nalone += (f & CF_ALONE) != 0;
    }
    if (need_gp && ngp) {
        j = 0;
        if (!(gp = eg_malloc(ngp * sizeof *gp)))
            goto out;
        for (i = 0; i < cs->n; i++)
            if (r->cflag[i] & CF_PERSON2) {
                gp[j].t0 = cs->v[i].t0;
                gp[j++].t1 = cs->v[i].t1;
            }
        if (!tspans_sorted(gp, ngp))
            qsort(gp, ngp, sizeof *gp, cmp_tspan);
    }
    /* gazetteer support: how many spans name an entry with no rival
     * entry, counted in the entry's memo (an ambiguous span reads it) */
    if (need_alone && nalone)
        for (i = 0; i < cs->n; i++)
            if (r->cflag[i] & CF_ALONE) {
                eg_rgaz *g = gaz_get(r, cs->v[i].entry);
                if (!g)
                    goto out;
                g->support++;
            }
    /* A candidate that shares no token with another one is chosen whatever
     * the order: it goes straight to r->at, and only those that overlap
     * are ranked and sorted (most candidates overlap nothing). r->cover
     * counts the candidates on each token, saturating at 2; then 3 marks
     * the first token of a chosen candidate (r->at says which). */
    memset(r->cover, 0, d->ntok);
    for (i = 0; i < cs->n; i++) {
        const eg_cand *x = &cs->v[i];
        uint32_t t;
        if (x->t0 >= x->t1 || x->t1 > d->ntok)
            continue;
        if (x->source == EG_SRC_GAZ && gaz_ctx(r, c, x->entry) &&
            !place_context(d, x))
            continue;
        if ((x->flags & EG_CF_WEAK) && overlaps_other(r, x))
            continue;
        if (extends_known_person(gp, gp ? ngp : 0, x))
            continue;
        k[n++].lo = (uint32_t)i;
        for (t = x->t0; t < x->t1; t++)
            r->cover[t] += r->cover[t] < 2;
    }
    memset(r->taken, 0, d->ntok + 1);
    for (i = 0, j = 0; i < n; i++) {
        const eg_cand *x = &cs->v[key_idx(&k[i])];
        uint32_t t;
        for (t = x->t0; t < x->t1 && r->cover[t] == 1; t++)
            ;
        if (t < x->t1) {
            k[j++] = k[i];
            continue;
        }
        for (t = x->t0; t < x->t1; t++)
            r->taken[t] = 1;
        r->at[x->t0] = key_idx(&k[i]);
        r->cover[x->t0] = 3; /* a chosen candidate starts here */
    }
    n = j;
    for (i = 0; i < n; i++)
        if (rank(r, d, cs, &k[i]))
            goto out;
    if (n > 1) {
        if (eg_grow(&r->order2, &r->order2cap, n, sizeof *k))
            goto out;
        sort_keys(k, r->order2, n);
    }
    for (i = 0; i < n; i++) {
        const eg_cand *x = &cs->v[key_idx(&k[i])];
        uint32_t t;
        if (!span_free(r, x->t0, x->t1))
            continue;
        for (t = x->t0; t < x->t1; t++)
            r->taken[t] = 1;
        r->at[x->t0] = key_idx(&k[i]);
        r->cover[x->t0] = 3;
    }
    /* the chosen ones never overlap, so each starts at its own token: in
     * token order they are the mentions in text order */
    if (EG_GROW(r->m, r->mcap, r->nm + (d->ntok < cs->n ? d->ntok : cs->n))) /* one per token at most */
        goto out;
    for (i = 0; i < d->ntok; i++) {
        const uint8_t *p = memchr(r->cover + i, 3, d->ntok - i);
        if (!p)
            break;
        i = (size_t)(p - r->cover);
        push_mention(r, &cs->v[r->at[i]]);
    }
    rc = EG_OK;
out:
    eg_free(gp);
    return rc;
}

/* ---- entities ---- */

static int pool_add(eg_resolver *r, const char *s, size_t n, uint32_t *off)
{
    *off = (uint32_t)r->pool.len;
    if (eg_buf_reserve(&r->pool, n + 1))
        return EG_ENOMEM;
    memcpy(r->pool.p + r->pool.len, s, n);
    r->pool.len += n + 1;
    r->pool.p[r->pool.len - 1] = 0;
    r->pool.p[r->pool.len] = 0;
    return EG_OK;
}

/* ---- per-document string tables ----
 * Open addressing over strings kept in a buffer the caller names (the id
 * pool, or the text pool): no copy of the key, no allocation per entry,
 * and emptied per document. A slot is in use when its stamp is the
 * table's generation: emptying the table is a new generation, not a
 * clearing of memory. */

/* A new generation: every slot is empty. */
static void stab_new_gen(eg_stab *t)
{
    if (++t->gen == 0) { /* wrapped: stamps of old generations could match */
        memset(t->s, 0, t->cap * sizeof *t->s);
        t->gen = 1;
    }
}

/* Empties the table, sized for about `want` entries: a table sized for
 * the largest document would spread a small one's probes over memory
 * that is not in cache. */
static int stab_reset(eg_stab *t, size_t want)
{
    size_t n = 64;
    while (n < want)
        n *= 2;
    if (grow_zeroed((void **)&t->s, &t->cap, n, sizeof *t->s))
        return EG_ENOMEM;
    stab_new_gen(t);
    t->n = n;
    t->used = 0;
    return EG_OK;
}

static int stab_hit(const eg_stab *t, size_t i) { return t->s[i].live == t->gen; }

/* The slot holding key (s, len) with hash h in a table over buffer base,
 * or the empty slot where it would go. */
static size_t stab_find(const eg_stab *t, const char *base, const char *s, size_t len, uint64_t h)
{
    size_t mask = t->n - 1, i = (size_t)(h ^ (h >> 32)) & mask;
    for (; t->s[i].live == t->gen; i = (i + 1) & mask)
        if (t->s[i].h == h && t->s[i].len == len && memcmp(base + t->s[i].off, s, len) == 0)
            break;
    return i;
}

/* Fills the empty slot i; doubles the table at half load. */
static int stab_put(eg_stab *t, size_t i, uint64_t h, uint32_t off, uint32_t len, uint32_t val)
{
    t->s[i].h = h;
    t->s[i].off = off;
    t->s[i].len = len;
    t->s[i].val = val;
    t->s[i].live = t->gen;
    if (++t->used * 2 > t->n) {
        size_t n = t->n * 2, j, k;
        uint32_t old;
        if (grow_zeroed((void **)&t->s, &t->cap, 2 * n, sizeof *t->s)) /* old and new side by side */
            return EG_ENOMEM;
        memcpy(t->s + n, t->s, t->n * sizeof *t->s);
        old = t->gen;
        if (old == UINT32_MAX) {
            /* no generation left: stamps start again from 1 (the copy)
             * and 2 (the new table), everything else zeroed */
            memset(t->s, 0, n * sizeof *t->s);
            for (j = n; j < n + t->n; j++)
                t->s[j].live = t->s[j].live == old;
            memset(t->s + n + t->n, 0, (t->cap - n - t->n) * sizeof *t->s);
            old = 1;
            t->gen = 2;
        } else {
            t->gen++; /* the new table starts empty */
        }
        for (j = n; j < n + t->n; j++) {
            if (t->s[j].live != old)
                continue;
            for (k = (size_t)(t->s[j].h ^ (t->s[j].h >> 32)) & (n - 1); t->s[k].live == t->gen; k = (k + 1) & (n - 1))
                ;
            t->s[k] = t->s[j];
            t->s[k].live = t->gen;
        }
        t->n = n;
    }
    return EG_OK;
}

/* Finds or adds the entity with this id; *out its index. labellen
 * (size_t)-1: label is a C string, measured only when the entity is new. */
static int entity_get(eg_resolver *r, const char *id, size_t idlen, const char *label, size_t labellen,
                      eg_type type, uint8_t origin, uint32_t gaz_entry, uint32_t *out)
{
    uint64_t h = eg_hash(id, idlen);
    size_t i = stab_find(&r->ids, r->pool.p, id, idlen, h);
    eg_rentity *x;
    uint32_t idoff;
    if (stab_hit(&r->ids, i)) {
        *out = r->ids.s[i].val;
        return EG_OK;
    }
    if (EG_GROW(r->ent, r->entcap, r->nent + 1))
        return EG_ENOMEM;
    x = &r->ent[r->nent];
    memset(x, 0, sizeof *x);
    x->type = (uint8_t)type;
    x->origin = origin;
    x->gaz_entry = gaz_entry;
    if (labellen == (size_t)-1)
        labellen = strlen(label);
    if (eg_buf_reserve(&r->pool, idlen + labellen + 2)) /* both strings with their NULs */
        return EG_ENOMEM;
    idoff = (uint32_t)r->pool.len;
    memcpy(r->pool.p + idoff, id, idlen);
    r->pool.p[idoff + idlen] = 0;
    x->label = idoff + (uint32_t)idlen + 1;
    memcpy(r->pool.p + x->label, label, labellen);
    r->pool.p[x->label + labellen] = 0;
    r->pool.len = x->label + labellen + 1;
    r->pool.p[r->pool.len] = 0;
    x->id = idoff;
    if (stab_put(&r->ids, i, h, idoff, (uint32_t)idlen, (uint32_t)r->nent))
        return EG_ENOMEM;
    *out = (uint32_t)r->nent++;
    return EG_OK;
}

/* What eg_slug does with each byte of an ASCII text: 0 a separator (runs
 * of them are one '-' between words), 1 dropped (' and .), 2 not for this
 * fast path (NUL, or a byte of a multi-byte character: eg_slug's job),
 * else the byte kept, lower-cased (letters and digits). */
static const unsigned char slug_map[256] = {
      2,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   1,   0,   0,   0,   0,   0,   0,   1,   0,
     48,  49,  50,  51,  52,  53,  54,  55,  56,  57,   0,   0,   0,   0,   0,   0,
      0,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,   0,   0,   0,   0,
      0,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,   0,   0,   0,   0,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,
      2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2,   2};

/* Sixteen bytes at a time with SSE2 (every x86-64) in plain_word. */
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define RS_SSE2 1
#else
#define RS_SSE2 0
#endif

/* When token x is ASCII letters and digits only, at most sixteen bytes
 * with sixteen readable from its start: copies its bytes to *p and their
 * slug (lower-cased) to *q, sixteen at once (both have room for that),
 * moves both on and returns 1; else 0, nothing written. Most words of a
 * name are such. */
static int plain_word(const eg_doc *d, const eg_token *x, char **p, char **q)
{
#if RS_SSE2
    size_t n = x->e - x->s;
    __m128i v, lo, al, dg;
    unsigned want;
    if (n > 16 || x->s + 16 > d->len)
        return 0;
    want = (1u << n) - 1;
    v = _mm_loadu_si128((const __m128i *)(d->text + x->s));
    lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
    /* letters: (byte | 0x20) in 'a'..'z'; digits: '0'..'9' (signed
     * compares after a shift of the range to the bottom) */
    al = _mm_cmplt_epi8(_mm_add_epi8(lo, _mm_set1_epi8((char)(128 - 'a'))), _mm_set1_epi8((char)(-128 + 26)));
    dg = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))), _mm_set1_epi8((char)(-128 + 10)));
    if (((unsigned)_mm_movemask_epi8(_mm_or_si128(al, dg)) & want) != want)
        return 0;
    _mm_storeu_si128((__m128i *)*p, v);
    _mm_storeu_si128((__m128i *)*q, _mm_or_si128(v, _mm_and_si128(al, _mm_set1_epi8(0x20))));
    *p += n;
    *q += n;
    return 1;
#else
    (void)d, (void)x, (void)p, (void)q;
    return 0;
#endif
}

/* The text of mention m (tokens with white space folded to single
 * spaces) to text, NUL-terminated, and, when it is ASCII, its slug (as
 * eg_slug makes it) to slug, NUL-terminated; returns the text's length
 * and sets *ascii. text has room for the text and 16 bytes more, slug for
 * twice the text and 16 more. */
static size_t text_and_slug(const eg_doc *d, const eg_rmention *m, char *text, char *slug, size_t *slug_len,
                            int *ascii)
{
    char *p = text, *q = slug;
    uint32_t t;
    int dash = 0;
    *ascii = 1;
    for (t = m->t0; t < m->t1; t++) {
        const eg_token *x = &d->tok[t];
        const unsigned char *c = (const unsigned char *)d->text + x->s, *e = (const unsigned char *)d->text + x->e;
        if (t > m->t0 && (x->flags & EG_TF_SPACE_BEFORE)) {
            *p++ = ' ';
            dash = 1;
        }
        if (x->e > x->s) {
            char *q0 = q;
            if (dash && q > slug)
                *q++ = '-';
            if (plain_word(d, x, &p, &q)) {
                dash = 0;
                continue;
            }
            q = q0;
        }
        for (; c < e; c++) {
            unsigned u = slug_map[*c];
            *p++ = (char)*c;
            if (u > 2) {
                if (dash && q > slug)
                    *q++ = '-';
                dash = 0;
                *q++ = (char)u;
            } else if (u == 0) {
                dash = 1;
            } else if (u == 2) {
                *ascii = 0;
            }
        }
    }
    *p = 0;
    *q = 0;
    *slug_len = (size_t)(q - slug);
    return (size_t)(p - text);
}

/* The entity of a mention found by a rule: its id is the slug of its text,
 * so one text always gives one entity. The text and, when ASCII (most
 * are), its slug are made in one pass; an ASCII text goes to its entity
 * by the slug at once. For other texts the slug (eg_slug) costs more than
 * a lookup: r->texts remembers their entities, the text kept in
 * r->textpool, so the slug is made once per distinct text. */
static int rule_entity(eg_resolver *r, const eg_doc *d, const eg_rmention *m, uint32_t *out)
{
    uint64_t h;
    size_t i, need = 16, len;
    uint32_t t, off = (uint32_t)r->textpool.len;
    char *text;
    int rc, ascii;
    for (t = m->t0; t < m->t1; t++)
        need += d->tok[t].e - d->tok[t].s + 1;
    if (eg_buf_reserve(&r->textpool, need) || eg_buf_reserve(&r->slug, 2 * need))
        return EG_ENOMEM;
    text = r->textpool.p + off;
    len = text_and_slug(d, m, text, r->slug.p, &r->slug.len, &ascii);
    if (ascii)
        return entity_get(r, r->slug.len ? r->slug.p : "x", r->slug.len ? r->slug.len : 1, text, len,
                          (eg_type)m->type, EG_ORIGIN_RULE, EG_NONE, out);
    h = eg_hash(text, len);
    i = stab_find(&r->texts, r->textpool.p, text, len, h);
    if (stab_hit(&r->texts, i)) {
        *out = r->texts.s[i].val;
        return EG_OK;
    }
    eg_buf_reset(&r->slug);
    rc = eg_slug(&r->slug, text, len);
    if (!rc && !r->slug.len)
        rc = eg_buf_adds(&r->slug, "x");
    if (!rc)
        rc = entity_get(r, r->slug.p, r->slug.len, text, len, (eg_type)m->type, EG_ORIGIN_RULE, EG_NONE, out);
    if (rc)
        return rc;
    r->textpool.len += len; /* keep the text: the table points at it */
    return stab_put(&r->texts, i, h, off, (uint32_t)len, *out);
}

/* Remembers the fullest form of a person's name (first and last word). */
static void note_name(eg_rentity *x, const eg_doc *d, const eg_rmention *m)
{
    uint32_t t, words = 0, first = EG_NONE, last = EG_NONE;
    for (t = m->t0; t < m->t1; t++) {
        const eg_token *k = &d->tok[t];
        if (k->kind != EG_TK_WORD || (k->flags & (EG_TF_POSS | EG_TF_DOTTED)))
            continue;
        if (first == EG_NONE)
            first = t;
        last = t;
        words++;
    }
    if (words > x->words && first != EG_NONE) {
        x->words = words;
        x->first_h = d->tok[first].h;
        x->last_h = d->tok[last].h;
        x->first_tok = first;
        x->last_tok = last;
    }
}

/* The gender a title right before token t gives: +1, -1, or 0. */
static int title_gender(const eg_doc *d, uint32_t t)
{
    uint32_t p = prev_tok(d, t);
    if (p == EG_NONE)
        return 0;
    if (key_is(d, p, ".") && p > 0)
        p--;
    if (key_in(d, p, &male_titles))
        return 1;
    if (key_in(d, p, &female_titles))
        return -1;
    return 0;
}

/* Pronoun evidence after token t, up to the end of the next sentence,
 * stopping at another person mention: +1 he, -1 she, 0 none or mixed. */
static int pronoun_gender(const eg_resolver *r, const eg_doc *d, uint32_t t, const uint8_t *person_at)
{
    uint32_t end_sent = d->tok[t].sent + 1, u;
    int m = 0, f = 0, g;
    for (u = t + 1; u < d->ntok && d->tok[u].sent <= end_sent; u++) {
        if (person_at[u])
            break;
        g = pronoun_of(d, u);
        m += g > 0;
        f += g < 0;
    }
    (void)r;
    return m > f ? 1 : f > m ? -1 : 0;
}

/* The gazetteer's entries, and the id and label strings they point to, are
 * read at random from tables far larger than the cache: a document's first
 * mention of an entry waits for three misses in a row (entry, id, label).
 * assign_entities asks for them ahead: the entry 2 * GAZ_AHEAD mentions
 * ahead, its strings GAZ_AHEAD mentions ahead, when the entry has had time
 * to come in. */
#define GAZ_AHEAD 6
static void gaz_warm(const eg_resolver *r, const eg_ctx *c, size_t i)
{
    const eg_gaz_entry *en;
    if (i + 2 * GAZ_AHEAD < r->nm && r->m[i + 2 * GAZ_AHEAD].source == EG_SRC_GAZ)
        EG_PREFETCH(eg_gaz_entry_at(c->gaz, r->m[i + 2 * GAZ_AHEAD].ent));
    if (i + GAZ_AHEAD < r->nm && r->m[i + GAZ_AHEAD].source == EG_SRC_GAZ &&
        (en = eg_gaz_entry_at(c->gaz, r->m[i + GAZ_AHEAD].ent))) {
        EG_PREFETCH(en->id);
        EG_PREFETCH(en->label);
    }
}

static int assign_entities(eg_resolver *r, const eg_ctx *c, const eg_doc *d)
{
    size_t i;
    for (i = 0; i < r->nm; i++) {
        eg_rmention *m = &r->m[i];
        uint32_t ent;
        gaz_warm(r, c, i);
        if (m->source == EG_SRC_GAZ) {
            eg_rgaz *g;
            if (!(g = gaz_get(r, m->ent)))
                return EG_ENOMEM;
            if (g->ent == EG_NONE) {
                const eg_gaz_entry *en = eg_gaz_entry_at(c->gaz, m->ent);
                if (entity_get(r, en->id, strlen(en->id), en->label, (size_t)-1, en->type, EG_ORIGIN_GAZ, m->ent,
                               &g->ent))
                    return EG_ENOMEM;
            }
            ent = g->ent;
        } else {
            int rc = rule_entity(r, d, m, &ent);
            if (rc)
                return rc;
        }
        m->ent = ent;
        r->ent[ent].nment++;
        if (m->type == EG_PERSON)
            note_name(&r->ent[ent], d, m);
    }
    return EG_OK;
}

/* ---- acronyms defined in brackets ---- */

/* An acronym candidate (rules flag it) takes the entity of the mention that
 * ends just before its bracket; later bare uses of the acronym follow. */
static int link_acronyms(eg_resolver *r, const eg_doc *d, const eg_cands *cs)
{
    size_t i, j, k, ndef = 0;
    tspan *def = NULL; /* spans of acronym definitions, sorted */
    int rc = EG_ENOMEM;
    for (i = 0; i < cs->n; i++)
        ndef += (cs->v[i].flags & EG_CF_ACRONYM_DEF) != 0;
    if (!ndef)
        return EG_OK;
    if (!(def = eg_malloc(ndef * sizeof *def)))
        return EG_ENOMEM;
    for (i = 0, j = 0; i < cs->n; i++)
        if (cs->v[i].flags & EG_CF_ACRONYM_DEF) {
            def[j].t0 = cs->v[i].t0;
            def[j++].t1 = cs->v[i].t1;
        }
    if (!tspans_sorted(def, ndef))
        qsort(def, ndef, sizeof *def, cmp_tspan);
    /* the mentions are in text order and never overlap: one walk along
     * both finds the mentions that are definitions */
    for (i = 0, k = 0; i < r->nm; i++) {
        eg_rmention *m = &r->m[i];
        tspan key;
        key.t0 = m->t0;
        key.t1 = m->t1;
        while (k < ndef && cmp_tspan(&def[k], &key) < 0)
            k++;
        if (k == ndef)
            break;
        if (cmp_tspan(&def[k], &key) != 0)
            continue;
        /* the long form: the nearest earlier mention within a few tokens
         * (brackets, a slash and another acronym may stand between) */
        for (j = i; j-- > 0;) {
            const eg_rmention *lf = &r->m[j];
            if (m->t0 - lf->t1 > 4)
                break;
            if (lf->t1 - lf->t0 < 2 && lf->source != EG_SRC_GAZ)
                continue;
            if (r->ent[m->ent].origin == EG_ORIGIN_RULE) {
                r->ent[m->ent].nment--;
                m->ent = lf->ent;
                m->type = lf->type;
                m->why = EG_WHY_ACRONYM_DEF;
                r->ent[m->ent].nment++;
            } else if (r->ent[m->ent].origin == EG_ORIGIN_GAZ && r->ent[lf->ent].origin == EG_ORIGIN_RULE &&
                       lf->type == m->type && lf->ent != m->ent) {
                /* the acronym is known and the long form is not: the
                 * bracket says they are one ("the Iranian Revolutionary
                 * Guard Corps (IRGC)"), so the long form joins the known
                 * entity */
                eg_rmention *l = &r->m[j];
                r->ent[l->ent].nment--;
                l->ent = m->ent;
                l->why = EG_WHY_LONG_FORM;
                r->ent[m->ent].nment++;
                break;
            }
            if (EG_GROW(r->learned, r->learnedcap, r->nlearned + 1))
                goto out;
            r->learned[r->nlearned].h = d->tok[m->t0].h;
            r->learned[r->nlearned].ent = lf->ent;
            r->nlearned++;
            break;
        }
    }
    rc = EG_OK;
out:
    eg_free(def);
    return rc;
}

/* ---- partial names ---- */

/* The full-name index: the persons named in full, chained by the key hash
 * of their first and last words and by the skeleton hashes of those words
 * (four kinds of key), each chain in r->full order. A bare capitalised
 * word then finds the persons it may name with one probe, not a scan of
 * every person in the document (a long text names thousands). */
enum { NK_LAST = 1, NK_FIRST, NK_LAST_SK, NK_FIRST_SK };

static size_t name_slot(const eg_resolver *r, unsigned kind, uint64_t key)
{
    return (size_t)(((key ^ (uint64_t)kind) * 0x9E3779B97F4A7C15ull) >> 32) & r->names_mask;
}

/* The first node (4 * full index + kind - 1) of the chain for a key; EG_NONE when none. */
static uint32_t names_head(const eg_resolver *r, unsigned kind, uint64_t key)
{
    size_t i;
    if (!r->nfull)
        return EG_NONE;
    for (i = name_slot(r, kind, key); r->names[i].gen == r->names_gen; i = (i + 1) & r->names_mask)
        if (r->names[i].key == key && r->names[i].kind == kind)
            return r->names[i].head;
    return EG_NONE;
}

static void names_add(eg_resolver *r, unsigned kind, uint64_t key, uint32_t node)
{
    size_t i;
    r->names_next[node] = EG_NONE;
    for (i = name_slot(r, kind, key); r->names[i].gen == r->names_gen; i = (i + 1) & r->names_mask)
        if (r->names[i].key == key && r->names[i].kind == kind) {
            r->names_next[r->names[i].tail] = node;
            r->names[i].tail = node;
            return;
        }
    r->names[i].key = key;
    r->names[i].gen = r->names_gen;
    r->names[i].kind = kind;
    r->names[i].head = r->names[i].tail = node;
}

/* A bucket for the first two bytes of a word's consonant skeleton (the
 * rule of similar.c, stopped after two bytes; a missing byte counts as 0).
 * Equal skeletons, equal buckets. */
static const unsigned char skel_class[256] = {['a'] = 1, ['e'] = 1, ['i'] = 1, ['o'] = 1, ['u'] = 1, ['y'] = 1,
                                               ['h'] = 2}; /* 1 vowel, 2 'h' */

static unsigned skeleton_start(const char *w, size_t n)
{
    size_t i;
    unsigned char prev = 0, c1 = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i], k = skel_class[c];
        if (k == 1 || c == prev)
            continue;
        if (k == 2 && prev && prev != 'k' && prev != 's' && prev != 'c')
            continue;
        if (prev) {
            c1 = prev;
            prev = c;
            break;
        }
        prev = c;
    }
    /* prev: the second byte if c1 is set, else the first (or 0) */
    return (c1 ? (unsigned)c1 * 31u + prev : (unsigned)prev * 961u) & (EG_VARIANT_BUCKETS - 1);
}

/* A word of n bytes with this skeleton start may be a variant of this full
 * name's word: eg_words_variant wants lengths within 3 of each other. */
static void variant_mark(eg_resolver *r, const char *w, size_t n)
{
    size_t lo = n < 8 ? 5 : n - 3, hi = n + 3, i;
    unsigned b = skeleton_start(w, n);
    uint64_t *m = &r->variant_len[b];
    if (!*m) /* list_full_names made room for 2 per full name */
        r->vmark[r->nvmark++] = (uint16_t)b;
    for (i = lo; i <= hi && i < 64; i++)
        *m |= 1ull << i;
}

/* Can the word at token t be a variant of some full name's first or last
 * word? A necessary condition, so a word ruled out here needs no
 * skeleton; longer words than the filter covers always pass. */
static int variant_possible(const eg_resolver *r, const eg_doc *d, uint32_t t)
{
    const eg_token *k = &d->tok[t];
    if (k->klen < 5)
        return 0;
    if (k->klen >= 64)
        return 1;
    return r->variant_len[skeleton_start(eg_tok_key(d, k), k->klen)] >> k->klen & 1;
}

/* May some full name have a first or last word of key hash h? (a filter:
 * 0 means no) */
static int name_bits_has(const eg_resolver *r, uint64_t h) { return r->name_bits[h >> 58] >> (h >> 52 & 63) & 1; }

/* Persons whose fullest name has 2+ words and the given word as first or
 * last word; collects up to `max` entity indices. */
static size_t persons_with(const eg_resolver *r, uint64_t h, int last, uint32_t *out, size_t max)
{
    size_t n = 0;
    uint32_t nd;
    if (!name_bits_has(r, h))
        return 0;
    for (nd = names_head(r, last ? NK_LAST : NK_FIRST, h); nd != EG_NONE && n < max; nd = r->names_next[nd])
        out[n++] = r->full[nd >> 2];
    return n;
}

/* Lists the persons named in full (2+ words) in this document and indexes
 * them (see names_head). */
static int list_full_names(eg_resolver *r, const eg_doc *d)
{
    size_t i, ns = 16;
    r->nfull = 0;
    for (i = 0; i < r->nent; i++) {
        const eg_rentity *x = &r->ent[i];
        if (x->type != EG_PERSON || x->origin == EG_ORIGIN_AMBIG || x->words < 2)
            continue;
        if (EG_GROW(r->full, r->full_cap, r->nfull + 1))
            return EG_ENOMEM;
        r->full[r->nfull++] = (uint32_t)i;
    }
    if (!r->nfull)
        return EG_OK;
    while (ns < 8 * r->nfull) /* at most half full */
        ns *= 2;
    if (grow_zeroed((void **)&r->names, &r->names_cap, ns, sizeof *r->names) ||
        eg_grow((void **)&r->names_next, &r->names_next_cap, 4 * r->nfull, sizeof *r->names_next) ||
        eg_grow((void **)&r->vmark, &r->vmark_cap, r->nvmark + 2 * r->nfull, sizeof *r->vmark))
        return EG_ENOMEM;
    if (++r->names_gen == 0) { /* wrapped: stamps of old generations could match */
        memset(r->names, 0, r->names_cap * sizeof *r->names);
        r->names_gen = 1;
    }
    memset(r->name_bits, 0, sizeof r->name_bits);
    memset(r->skel_bits, 0, sizeof r->skel_bits);
    for (i = 0; i < r->nvmark; i++) /* the buckets the last document marked */
        r->variant_len[r->vmark[i]] = 0;
    r->nvmark = 0;
    r->names_mask = ns - 1;
    for (i = 0; i < r->nfull; i++) {
        const eg_rentity *x = &r->ent[r->full[i]];
        const eg_token *f = &d->tok[x->first_tok], *l = &d->tok[x->last_tok];
        uint64_t fs = eg_skeleton_hash(eg_tok_key(d, f), f->klen), ls = eg_skeleton_hash(eg_tok_key(d, l), l->klen);
        uint32_t nd = (uint32_t)(4 * i);
        names_add(r, NK_LAST, x->last_h, nd + NK_LAST - 1);
        names_add(r, NK_FIRST, x->first_h, nd + NK_FIRST - 1);
        r->name_bits[x->last_h >> 58] |= 1ull << (x->last_h >> 52 & 63);
        r->name_bits[x->first_h >> 58] |= 1ull << (x->first_h >> 52 & 63);
        if (ls) /* 0: too short to be a variant of anything */
            r->skel_bits[ls >> 58] |= 1ull << (ls >> 52 & 63);
        if (fs)
            r->skel_bits[fs >> 58] |= 1ull << (fs >> 52 & 63);
        if (ls) {
            names_add(r, NK_LAST_SK, ls, nd + NK_LAST_SK - 1);
            variant_mark(r, eg_tok_key(d, l), l->klen);
        }
        if (fs) {
            names_add(r, NK_FIRST_SK, fs, nd + NK_FIRST_SK - 1);
            variant_mark(r, eg_tok_key(d, f), f->klen);
        }
    }
    return EG_OK;
}

/* The one person that candidates cand[0..n) name when they are all
 * spelling variants of one name ("Hilary Clinton" found by a rule and the
 * gazetteer's Hillary Clinton in one text): the gazetteer's entry if there
 * is one, else the most mentioned. EG_NONE when they are not all variants. */
static uint32_t one_person(const eg_resolver *r, const uint32_t *cand, size_t n)
{
    uint32_t pick;
    size_t i;
    if (n == 0)
        return EG_NONE;
    for (i = 1; i < n; i++)
        if (!eg_names_similar(eg_rent_id(r, &r->ent[cand[0]]), eg_rent_id(r, &r->ent[cand[i]]), 1, 0.82))
            return EG_NONE;
    pick = cand[0];
    for (i = 1; i < n; i++) {
        const eg_rentity *a = &r->ent[cand[i]], *b = &r->ent[pick];
        if (a->origin < b->origin || (a->origin == b->origin && a->nment > b->nment))
            pick = cand[i];
    }
    return pick;
}

/* Candidates of cand[0..n) whose gender is g (same) or not -g (!same). */
static size_t by_gender(const eg_resolver *r, const uint32_t *cand, size_t n, int g, int same, uint32_t *out)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        if (same ? r->ent[cand[i]].gender == g : r->ent[cand[i]].gender != -g)
            out[k++] = cand[i];
    return k;
}

/* Recency: the one candidate named in t's paragraph before t, at most
 * RECENT_SENTS sentences back (a reader takes "Khodabandeh" two sentences
 * after "Masoud Khodabandeh" to be him). When two candidates are named
 * there ("Ebrahim and Masoud Khodabandeh are brothers. Khodabandeh wrote"),
 * recency does not choose. Candidates of the sex g rules out are skipped.
 * EG_NONE if no single candidate. */
#define RECENT_SENTS 2
static uint32_t recent_person(const eg_resolver *r, const eg_doc *d, uint32_t t, const uint32_t *cand, size_t n, int g,
                              const uint8_t *person_at, const uint32_t *ent_at)
{
    const eg_token *k = &d->tok[t];
    uint32_t u, seen[8];
    size_t i, j, ns = 0;
    for (u = t; u-- > 0 && d->tok[u].para == k->para && d->tok[u].sent + RECENT_SENTS >= k->sent;) {
        if (!person_at[u])
            continue;
        for (i = 0; i < n; i++)
            if (ent_at[u] == cand[i] && !(g && r->ent[cand[i]].gender == -g)) {
                for (j = 0; j < ns && seen[j] != cand[i]; j++)
                    ;
                if (j == ns && ns < 8)
                    seen[ns++] = cand[i];
            }
    }
    return ns ? one_person(r, seen, ns) : EG_NONE;
}

/* Picks one of several persons sharing a name part at token t: by the
 * gender a title or pronouns give (variants of one name counting as one
 * person), then by recency (recent_person). EG_NONE when the text leaves
 * it open. */
static uint32_t pick_person(const eg_resolver *r, const eg_doc *d, uint32_t t, const uint32_t *cand, size_t n,
                            const uint8_t *person_at, const uint32_t *ent_at, uint8_t *why)
{
    int g = title_gender(d, t);
    uint32_t pick = EG_NONE, u, hit[8];
    size_t k;
    if (n > 8)
        n = 8;
    if (!g) {
        /* a pronoun after the name speaks of it only when no other person
         * comes before it in the sentence ("Jarba met with Rajavi. What was
         * he hoping...": he is Jarba) */
        int other = 0;
        for (u = t; u-- > 0 && d->tok[u].sent == d->tok[t].sent && !other;)
            other = person_at[u];
        if (!other)
            g = pronoun_gender(r, d, t, person_at);
    }
    if (g) {
        /* the ones of that sex; failing that, by elimination, the ones not
         * known to be of the other sex ("Mrs. Clinton" when Bill Clinton is
         * known to be a man) */
        if ((k = by_gender(r, cand, n, g, 1, hit)) && (pick = one_person(r, hit, k)) != EG_NONE) {
            *why = EG_WHY_GENDER;
            return pick;
        }
        if (!k && (k = by_gender(r, cand, n, g, 0, hit)) && (pick = one_person(r, hit, k)) != EG_NONE) {
            *why = EG_WHY_GENDER;
            return pick;
        }
    }
    /* candidates that are spelling variants of one name (Murtaza and
     * Murteza Hussain in one text) are one person */
    if ((pick = one_person(r, cand, n)) != EG_NONE) {
        *why = EG_WHY_SURNAME;
        return pick;
    }
    if ((pick = recent_person(r, d, t, cand, n, g, person_at, ent_at)) != EG_NONE)
        *why = EG_WHY_SENTENCE;
    return pick;
}

/* Learns each person's gender from titles and pronouns around the
 * mentions of their full name. Returns EG_OK or EG_ENOMEM. */
static int learn_gender(eg_resolver *r, const eg_ctx *c, const eg_doc *d, const uint8_t *person_at)
{
    size_t i;
    int *score = NULL;
    if (!r->nent)
        return EG_OK;
    if (eg_grow((void **)&r->score, &r->score_cap, r->nent, sizeof *r->score))
        return EG_ENOMEM;
    score = r->score;
    memset(score, 0, r->nent * sizeof *score);
    for (i = 0; i < r->nm; i++) {
        const eg_rmention *m = &r->m[i];
        if (m->type != EG_PERSON || m->t1 - m->t0 < 2)
            continue;
        score[m->ent] += 3 * title_gender(d, m->t0);
        score[m->ent] += pronoun_gender(r, d, m->t1 - 1, person_at);
    }
    /* a given name that is clearly a woman's or a man's is weaker evidence
     * than what the text says (a title counts 3, each pronoun 1) */
    for (i = 0; i < r->nent; i++) {
        const eg_rentity *x = &r->ent[i];
        int fem, mal;
        if (x->type != EG_PERSON || x->words < 2)
            continue;
        fem = eg_lex_has(&c->lex, EG_LEX_FEMALE, x->first_h);
        mal = eg_lex_has(&c->lex, EG_LEX_MALE, x->first_h);
        score[i] += fem && !mal ? -2 : mal && !fem ? 2 : 0;
    }
    for (i = 0; i < r->nent; i++)
        r->ent[i].gender = (int8_t)(score[i] > 0 ? 1 : score[i] < 0 ? -1 : 0);
    return EG_OK;
}

static int add_partial(eg_resolver *r, uint32_t t, uint32_t ent, uint8_t source, uint8_t why)
{
    eg_rmention *m;
    if (EG_GROW(r->m, r->mcap, r->nm + 1))
        return EG_ENOMEM;
    m = &r->m[r->nm++];
    m->t0 = t;
    m->t1 = t + 1;
    m->ent = ent;
    m->type = r->ent[ent].type;
    m->source = source;
    m->rule = 0;
    m->why = why;
    r->ent[ent].nment++;
    r->taken[t] = 1;
    return EG_OK;
}

static int ambiguous_entity(eg_resolver *r, const eg_doc *d, uint32_t t, uint32_t *out)
{
    eg_buf id = {0};
    int rc;
    const eg_token *k = &d->tok[t];
    rc = eg_slug(&id, d->text + k->s, k->e - k->s);
    if (!rc)
        rc = eg_buf_addc(&id, '?');
    if (!rc)
        rc = entity_get(r, id.p, id.len, "", 0, EG_PERSON, EG_ORIGIN_AMBIG, EG_NONE, out);
    if (!rc && !r->pool.p[r->ent[*out].label]) {
        /* label: the surface word, "Rajavi (ambiguous)" */
        eg_buf_reset(&id);
        rc = eg_buf_add(&id, d->text + k->s, k->e - k->s);
        if (!rc)
            rc = eg_buf_adds(&id, " (ambiguous)");
        if (!rc)
            rc = pool_add(r, id.p, id.len, &r->ent[*out].label);
    }
    eg_buf_free(&id);
    return rc;
}

/* Persons named in full whose last (or first) word is a spelling variant
 * of token t ("Masoud" for Massoud Rajavi, "Ibrahim" for Ebrahim); sk is
 * t's skeleton hash, one that some full name's words have (skel_known). */
static size_t persons_like(const eg_resolver *r, const eg_doc *d, uint32_t t, uint64_t sk, int last, uint32_t *out,
                           size_t max)
{
    const eg_token *k = &d->tok[t];
    size_t n = 0;
    uint32_t nd;
    for (nd = names_head(r, last ? NK_LAST_SK : NK_FIRST_SK, sk); nd != EG_NONE && n < max; nd = r->names_next[nd]) {
        const eg_rentity *x = &r->ent[r->full[nd >> 2]];
        const eg_token *w = &d->tok[last ? x->last_tok : x->first_tok];
        if (eg_words_variant(eg_tok_key(d, k), k->klen, eg_tok_key(d, w), w->klen))
            out[n++] = r->full[nd >> 2];
    }
    return n;
}

/* May some full name have a first or last word of skeleton hash sk? (a
 * filter: 0 means no) */
static int skel_known(const eg_resolver *r, uint64_t sk) { return r->skel_bits[sk >> 58] >> (sk >> 52 & 63) & 1; }

/* What the full-name index may hold for the word at token t, from its
 * filters alone: PART_NAMED, a full name may have this word; PART_VARIANT,
 * one may have a spelling variant of it. 0: part_lookup finds no one (most
 * capitalised words), so the caller need not ask. */
enum { PART_NAMED = 1, PART_VARIANT = 2 };

static unsigned part_may(const eg_resolver *r, const eg_ctx *c, const eg_doc *d, uint32_t t)
{
    unsigned may = name_bits_has(r, d->tok[t].h) ? PART_NAMED : 0;
    if (c->opt.fuzzy > 0 && r->nfull && variant_possible(r, d, t))
        may |= PART_VARIANT;
    return may;
}

/* What the full-name index alone says of the word at token t (`may`: its
 * part_may): 1 with *out (EG_NONE when no person) and *why; 0 when several
 * persons have it as their last word and the context must choose
 * (pick_person). */
static int part_lookup(const eg_resolver *r, const eg_doc *d, uint32_t t, unsigned may, uint32_t *out, uint8_t *why)
{
    uint32_t cand[8];
    uint64_t h = d->tok[t].h, sk;
    size_t n = may & PART_NAMED ? persons_with(r, h, 1, cand, 8) : 0;
    *out = EG_NONE;
    if (n == 0) {
        /* a given name alone, when only one person in the document has it;
         * failing that, a spelling variant of one person's surname or given
         * name */
        n = may & PART_NAMED ? persons_with(r, h, 0, cand, 8) : 0;
        if (n == 1) {
            *out = cand[0];
            *why = EG_WHY_GIVEN;
        } else if (n == 0 && (may & PART_VARIANT) &&
                   (sk = eg_skeleton_hash(eg_tok_key(d, &d->tok[t]), d->tok[t].klen)) && skel_known(r, sk)) {
            if (persons_like(r, d, t, sk, 1, cand, 2) == 1) {
                *out = cand[0];
                *why = EG_WHY_SURNAME;
            } else if (persons_like(r, d, t, sk, 0, cand, 2) == 1) {
                *out = cand[0];
                *why = EG_WHY_GIVEN;
            }
        }
        return 1;
    }
    if (n == 1) {
        *out = cand[0];
        *why = EG_WHY_SURNAME;
        return 1;
    }
    return 0;
}

/* Genders are needed only where several persons share a name part
 * (pick_person), which few documents have: they are learnt there, the
 * first time, as they would have been before any partial name was
 * linked. The partial names linked so far (r->m from r->nm_base on, one
 * token each) are taken out of person_at for that, then put back. */
static int gender_ready(eg_resolver *r, const eg_ctx *c, const eg_doc *d)
{
    size_t i;
    int rc;
    for (i = r->nm_base; i < r->nm; i++)
        r->person_at[r->m[i].t0] = 0;
    rc = learn_gender(r, c, d, r->person_at);
    for (i = r->nm_base; i < r->nm; i++)
        r->person_at[r->m[i].t0] = r->ent[r->m[i].ent].type == EG_PERSON;
    r->gender_done = 1;
    return rc;
}

/* Resolves one word that may be a partial name (`may`: its part_may):
 * *out the person, or EG_NONE. */
static int resolve_part(eg_resolver *r, const eg_ctx *c, const eg_doc *d, uint32_t t, unsigned may,
                        const uint8_t *person_at, const uint32_t *ent_at, uint32_t *out, uint8_t *why)
{
    uint32_t cand[8];
    size_t n;
    if (part_lookup(r, d, t, may, out, why))
        return EG_OK;
    if (!r->gender_done) {
        int rc = gender_ready(r, c, d);
        if (rc)
            return rc;
    }
    n = persons_with(r, d->tok[t].h, 1, cand, 8);
    *out = pick_person(r, d, t, cand, n, person_at, ent_at, why);
    if (*out == EG_NONE) {
        *why = EG_WHY_AMBIGUOUS;
        return ambiguous_entity(r, d, t, out);
    }
    return EG_OK;
}

/* Words a name's initials skip ("Organization of the Islamic
 * Conference": OIC). */
#define INITIALS_SKIP(X) X("of") X("the") X("and") X("for") X("de") X("on") X("in") X("&")
KLIST(initials_skip, INITIALS_SKIP)

/* The bytes of an acronym (3 to 6) with its length, as one number: equal
 * numbers, equal byte strings. */
static uint64_t acr_pack(const char *s, size_t n)
{
    uint64_t v = n;
    size_t i;
    for (i = 0; i < n; i++)
        v |= (uint64_t)(unsigned char)s[i] << (8 * (i + 1));
    return v;
}

/* The initials mention m spells, packed: the first letter of each word,
 * initials_skip words left out; 0 when they cannot be an acronym (a word
 * that is all capitals or not capitalised, or not 3 to 6 initials). */
static uint64_t mention_initials(const eg_doc *d, const eg_rmention *m)
{
    char buf[6];
    size_t k = 0;
    uint32_t u;
    for (u = m->t0; u < m->t1; u++) {
        const eg_token *w = &d->tok[u];
        if (w->kind != EG_TK_WORD || key_in(d, u, &initials_skip))
            continue;
        if (!(w->flags & EG_TF_CAP) || (w->flags & EG_TF_ALLCAP) || k == sizeof buf)
            return 0;
        buf[k++] = d->text[w->s];
    }
    return k >= 3 ? acr_pack(buf, k) : 0;
}

static int cmp_acr(const void *pa, const void *pb)
{
    const eg_racr *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->ent < b->ent ? -1 : a->ent > b->ent;
}

/* The table acronym_of reads: for each spelling, the one entity (not a
 * person) with a mention of 3 tokens or more that spells it, EG_NONE when
 * several; sorted. Made at the first all-capital word of a document: the
 * mentions of 3 tokens or more do not change while partial names are
 * linked (those add and relink one-token mentions only). */
static int acr_build(eg_resolver *r, const eg_doc *d)
{
    size_t i, j, n = 0;
    r->acr_built = 1;
    r->nacr = 0;
    for (i = 0; i < r->nm; i++) {
        const eg_rmention *m = &r->m[i];
        uint64_t key;
        if (m->type == EG_PERSON || m->t1 - m->t0 < 3 || !(key = mention_initials(d, m)))
            continue;
        if (EG_GROW(r->acr, r->acr_cap, n + 1))
            return EG_ENOMEM;
        r->acr[n].key = key;
        r->acr[n++].ent = m->ent;
    }
    if (n > 1)
        qsort(r->acr, n, sizeof *r->acr, cmp_acr);
    for (i = 0, j = 0; i < n; i++) { /* one row per spelling */
        if (j && r->acr[j - 1].key == r->acr[i].key) {
            if (r->acr[j - 1].ent != r->acr[i].ent)
                r->acr[j - 1].ent = EG_NONE;
            continue;
        }
        r->acr[j++] = r->acr[i];
    }
    r->nacr = j;
    return EG_OK;
}

/* An all-capital word of 3 to 6 letters that no gazetteer knows, as the
 * acronym of a name in the same document ("Radio Free Europe ... Reported
 * by RFE"): the one entity (not a person) with a mention whose initials
 * it is (one initial per capitalised word, "of", "the"... skipped).
 * *out: EG_NONE when none or several. Returns EG_OK or EG_ENOMEM (the
 * table is made at the first such word). */
static int acronym_of(eg_resolver *r, const eg_doc *d, uint32_t t, uint32_t *out)
{
    const eg_token *a = &d->tok[t];
    size_t n = a->e - a->s, lo = 0, hi;
    uint64_t key;
    *out = EG_NONE;
    if (!(a->flags & EG_TF_ALLCAP) || (a->flags & (EG_TF_DOTTED | EG_TF_DIGIT)) || n < 3 || n > 6)
        return EG_OK;
    if (!r->acr_built && acr_build(r, d))
        return EG_ENOMEM;
    key = acr_pack(d->text + a->s, n);
    hi = r->nacr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->acr[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->nacr && r->acr[lo].key == key)
        *out = r->acr[lo].ent;
    return EG_OK;
}

/* A capitalised word no mention covers: a learned acronym, a partial
 * name, or nothing. */
static int bare_word(eg_resolver *r, const eg_ctx *c, const eg_doc *d, uint32_t t, uint8_t *person_at,
                     uint32_t *ent_at)
{
    const eg_token *k = &d->tok[t];
    uint32_t to = EG_NONE;
    uint8_t why = EG_WHY_NONE;
    unsigned may = part_may(r, c, d, t);
    size_t i;
    int rc;
    if (!may && !(k->flags & EG_TF_ALLCAP)) /* no name it could be part of, and not an acronym */
        return EG_OK;
    if ((k->flags & EG_TF_SENT_START) && eg_lex_has(&c->lex, EG_LEX_COMMON, k->h))
        return EG_OK;
    if (k->flags & EG_TF_ALLCAP)
        for (i = 0; i < r->nlearned; i++)
            if (r->learned[i].h == k->h) {
                to = r->learned[i].ent;
                why = EG_WHY_ACRONYM;
                break;
            }
    if (to == EG_NONE && (k->flags & EG_TF_ALLCAP)) {
        if ((rc = acronym_of(r, d, t, &to)))
            return rc;
        if (to != EG_NONE)
            why = EG_WHY_ACRONYM_OF;
    }
    if (to == EG_NONE && may && (rc = resolve_part(r, c, d, t, may, person_at, ent_at, &to, &why)))
        return rc;
    if (to == EG_NONE)
        return EG_OK;
    if ((rc = add_partial(r, t, to, why == EG_WHY_ACRONYM || why == EG_WHY_ACRONYM_OF ? EG_SRC_LEARNED : EG_SRC_PARTIAL, why)))
        return rc;
    person_at[t] = r->ent[to].type == EG_PERSON;
    ent_at[t] = to;
    return EG_OK;
}

/* A token's kind and flags read as one 32-bit number (they are side by
 * side in eg_token): one load and one comparison test both. */
_Static_assert(offsetof(eg_token, flags) == offsetof(eg_token, kind) + sizeof(uint16_t),
               "eg_token: kind and flags side by side");

static uint32_t kind_flags(const eg_token *k)
{
    uint32_t v;
    memcpy(&v, (const char *)k + offsetof(eg_token, kind), sizeof v);
    return v;
}

/* The tokens of [t0, t1) that are words, capitalised and not dotted, in
 * order, into out; returns the end of what it wrote. Every token is
 * tested and written, out advancing only on a match: the test goes
 * either way too unpredictably to branch on, and this runs over most
 * tokens of the corpus (four to a loop test). */
static uint32_t *cap_words(const eg_doc *d, uint32_t t0, uint32_t t1, uint32_t *out)
{
    eg_token m, w; /* only kind and flags are read */
    const eg_token *k = d->tok + t0, *end = d->tok + t1;
    uint32_t mask, want, t = t0;
    m.kind = 0xFFFF;
    m.flags = EG_TF_CAP | EG_TF_DOTTED;
    w.kind = EG_TK_WORD;
    w.flags = EG_TF_CAP;
    mask = kind_flags(&m);
    want = kind_flags(&w);
    for (; end - k >= 4; k += 4, t += 4) {
        *out = t;
        out += (kind_flags(k) & mask) == want;
        *out = t + 1;
        out += (kind_flags(k + 1) & mask) == want;
        *out = t + 2;
        out += (kind_flags(k + 2) & mask) == want;
        *out = t + 3;
        out += (kind_flags(k + 3) & mask) == want;
    }
    for (; k < end; k++, t++) {
        *out = t;
        out += (kind_flags(k) & mask) == want;
    }
    return out;
}

/* Whether a mention that is not a person's has three words or more. */
static int has_long_name(const eg_resolver *r)
{
    size_t i;
    for (i = 0; i < r->nm; i++)
        if (r->m[i].type != EG_PERSON && r->m[i].t1 - r->m[i].t0 >= 3)
            return 1;
    return 0;
}

static int link_partials(eg_resolver *r, const eg_ctx *c, const eg_doc *d)
{
    uint8_t *person_at = NULL;
    uint32_t *ent_at = NULL;
    size_t i, nm0 = r->nm;
    uint32_t t;
    int rc = EG_OK;
    if (!d->ntok)
        return EG_OK;
    if (eg_grow((void **)&r->person_at, &r->person_cap, d->ntok, 1) ||
        eg_grow((void **)&r->ent_at, &r->ent_at_cap, d->ntok, sizeof *r->ent_at) ||
        eg_grow((void **)&r->bare, &r->bare_cap, d->ntok, sizeof *r->bare))
        return EG_ENOMEM;
    person_at = r->person_at;
    ent_at = r->ent_at;
    memset(person_at, 0, d->ntok);
    if (list_full_names(r, d))
        return EG_ENOMEM;
    for (i = 0; i < r->nm; i++)
        for (t = r->m[i].t0; t < r->m[i].t1; t++) {
            person_at[t] = r->m[i].type == EG_PERSON;
            ent_at[t] = r->m[i].ent;
        }
    r->gender_done = 0; /* learnt when first needed (gender_ready) */
    r->nm_base = r->nm;
    /* with no full name, no acronym and no name of three words or more
     * (which an acronym might spell), no word links to anything */
    if (!r->nfull && !r->nlearned && !has_long_name(r))
        return EG_OK;

    /* single-word person mentions found by rules ("Mr. Giuliani") */
    for (i = 0; i < nm0; i++) {
        eg_rmention *m = &r->m[i];
        uint32_t to;
        uint8_t why = EG_WHY_NONE;
        if (m->t1 - m->t0 != 1 || r->ent[m->ent].origin != EG_ORIGIN_RULE)
            continue;
        if (m->type != EG_PERSON) {
            /* an acronym a rule found, of a name in the document */
            if ((rc = acronym_of(r, d, m->t0, &to)))
                goto out;
            if (to != EG_NONE && r->ent[to].type == m->type)
                why = EG_WHY_ACRONYM_OF;
            else
                to = EG_NONE;
        } else if ((rc = resolve_part(r, c, d, m->t0, part_may(r, c, d, m->t0), person_at, ent_at, &to, &why)))
            goto out;
        if (to != EG_NONE && to != m->ent) {
            r->ent[m->ent].nment--;
            m->ent = to;
            m->why = why;
            r->ent[to].nment++;
            ent_at[m->t0] = to;
        }
    }
    /* bare words: surnames, given names, learned acronyms. A word may be
     * a name part when capitalised, undotted, no mention covering it, and
     * not a common word at the start of a sentence (bare_word tests the
     * last). The words are listed between one mention and the next (the
     * mentions r->m[0..nm0) are in text order and do not overlap), then
     * looked at while their tokens are still in cache. */
    for (i = 0, t = 0; i <= nm0; i++) {
        uint32_t end = i < nm0 ? r->m[i].t0 : (uint32_t)d->ntok, *w, *wend = cap_words(d, t, end, r->bare);
        for (w = r->bare; w < wend; w++)
            if ((rc = bare_word(r, c, d, *w, person_at, ent_at)))
                goto out;
        if (i < nm0)
            t = r->m[i].t1;
    }
out:
    return rc;
}

int eg_resolve(eg_resolver *r, const eg_ctx *c, const eg_doc *d, const eg_cands *cands, eg_err *e)
{
    int rc;
    size_t nm0;
    r->nm = 0;
    r->nent = 0;
    r->nlearned = 0;
    r->acr_built = 0;
    eg_buf_reset(&r->pool);
    eg_buf_reset(&r->textpool);
    if (eg_grow((void **)&r->taken, &r->takencap, d->ntok + 1, 1))
        return eg_err_nomem(e);
    memset(r->taken, 0, d->ntok + 1);
    if (gaz_reset(r, c, cands->n < 8192 ? cands->n / 2 : 4096)) /* about 1 in 3 candidates names a new entry; it grows when needed */
        return eg_err_nomem(e);
    if ((rc = choose(r, c, d, cands))) /* mentions come out in text order */
        return eg_err_nomem(e);
    if (stab_reset(&r->ids, r->nm) || stab_reset(&r->texts, r->nm)) /* grow when needed */
        return eg_err_nomem(e);
    if ((rc = assign_entities(r, c, d)) || (rc = link_acronyms(r, d, cands)))
        return eg_err_nomem(e);
    nm0 = r->nm;
    if ((rc = link_partials(r, c, d)))
        return eg_err_nomem(e);
    /* the partial names came after, in text order, on tokens no mention
     * covers: one merge puts all in text order */
    if (nm0 && r->nm > nm0) {
        size_t i = 0, j = nm0, o = 0;
        if (EG_GROW(r->mtmp, r->mtmpcap, r->nm))
            return eg_err_nomem(e);
        while (i < nm0 && j < r->nm)
            r->mtmp[o++] = r->m[j].t0 < r->m[i].t0 ? r->m[j++] : r->m[i++];
        while (i < nm0)
            r->mtmp[o++] = r->m[i++];
        while (j < r->nm)
            r->mtmp[o++] = r->m[j++];
        memcpy(r->m, r->mtmp, r->nm * sizeof *r->m);
    }
    return EG_OK;
}

/*
 * gazetteer.c — dictionaries of named entities and their matcher.
 *
 * Loading: each alias is run through the text layer (eg_normalise and
 * eg_tokenize, or for plain letter words eg_tokenize_words, which gives
 * the same tokens; sentences play no part), so alias and text are
 * tokenised and folded the same way. Its word tokens
 * (joining hyphens skipped) are inserted into a token trie whose edges live
 * in one open-addressing hash table keyed by (parent node, token-key hash):
 * lookup cost does not depend on how many aliases there are.
 *
 * Matching: at every token, walk the trie as far as the text allows and keep
 * the longest alias whose case policy accepts the text; every entry of that
 * alias becomes a candidate (resolve.c chooses between them and settles
 * overlaps).
 *
 * Case policy, per alias (gazetteers/README.md): all-capital aliases of at
 * most 6 letters match only all-capital text; otherwise each capitalised
 * alias word needs a capitalised text word, except the last word of a
 * longer name (a generic head is often lower-case: "the Iran-Iraq war",
 * "Operation Eternal light" is still that name), unless the entry has
 * `lower`; an alias written with a leading '=' must match its exact case,
 * one with '~' any case.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

enum { POL_WORDS = 0, POL_ACRONYM, POL_EXACT, POL_ANY };

typedef struct {
    uint32_t entry;
    uint32_t next;    /* next alias at the same node, EG_NONE ends */
    uint32_t capmask; /* POL_WORDS: bit i = word i must be capitalised */
    uint32_t exact;   /* POL_EXACT: offset of the alias words in pool */
    uint8_t pol;
    uint8_t type;     /* the entry's type and priority, copied by eg_gaz_seal */
    int16_t prio;     /* so a match need not read the entry */
} gaz_alias;

typedef struct {
    uint64_t h;       /* token key hash */
    uint32_t parent;  /* node */
    uint32_t child;   /* node; 0 = empty slot (root is never a child) */
} gaz_edge;

/* A slot of the root table: a first word and its node, with the node's
 * first alias (node_alias) at hand, so a one-word match reads one line. */
typedef struct {
    uint64_t h;       /* token key hash */
    uint32_t child;   /* node; 0 = empty slot */
    uint32_t alias;   /* node_alias[child] */
} gaz_root;

struct eg_gaz {
    eg_gaz_entry *entries;
    size_t nentries, entries_cap;
    eg_strmap ids;           /* id → entry index */
    uint32_t *node_alias;    /* per node: first alias, EG_NONE when none */
    size_t nnodes, nodes_cap;
    gaz_edge *edges;
    size_t nedges, edges_slots; /* slots: power of two */
    gaz_alias *aliases;
    size_t naliases, aliases_cap;
    /* Two bits per cell over the hashes of first words: FIRST_ANY (some
     * alias starts with a word hashed here) and FIRST_ALONE (that word is
     * also an alias by itself, or its hash is 0). Most text tokens start
     * no alias, and this table (sized to the number of first words)
     * rejects them without a cache miss in the large edge table; a first
     * word that is no alias alone must then pass the pair filter before
     * the root table is read. */
    uint64_t *first;
    size_t first_cells;      /* power of two */
    /* The root's children again, in a table of their own that is small
     * enough to stay in cache; and a bitset over (first word, second word)
     * pairs, so the large edge table is read only where a two-word alias
     * could start. */
    gaz_root *root;
    size_t root_slots;       /* power of two */
    uint64_t *pairs;
    size_t pair_bits;
    /* First words of aliases that may start in lower case (`~`, `lower`,
     * lower-case first words): a lower-case token need only pass this one,
     * and most tokens are lower-case. A byte per cell, EG_TF_CAP when such
     * a word hashes there, so the match loop tests (cell | token flags) &
     * EG_TF_CAP with no branch on the token's case. */
    uint64_t *anyfirst_h;
    size_t nanyfirst, anyfirst_cap;
    uint8_t *anyfirst;
    size_t anyfirst_cells;   /* power of two */
    int sealed;              /* filters built (eg_gaz_seal); adding clears it */
    eg_buf pool;             /* exact-case alias texts, NUL-separated */
    eg_doc scratch;          /* for tokenising aliases */
};

eg_gaz *eg_gaz_new(void)
{
    eg_gaz *g = eg_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    eg_doc_init(&g->scratch);
    if (EG_GROW(g->node_alias, g->nodes_cap, 1024)) {
        eg_free(g);
        return NULL;
    }
    g->node_alias[0] = EG_NONE;
    g->nnodes = 1;
    return g;
}

void eg_gaz_free(eg_gaz *g)
{
    size_t i;
    if (!g)
        return;
    for (i = 0; i < g->nentries; i++)
        eg_free((char *)g->entries[i].id); /* and the label with it */
    eg_free(g->entries);
    eg_strmap_free(&g->ids);
    eg_free(g->node_alias);
    eg_free(g->edges);
    eg_free(g->aliases);
    eg_free(g->first);
    eg_free(g->root);
    eg_free(g->pairs);
    eg_free(g->anyfirst_h);
    eg_free(g->anyfirst);
    eg_buf_free(&g->pool);
    eg_doc_free(&g->scratch);
    eg_free(g);
}

size_t eg_gaz_entry_count(const eg_gaz *g) { return g->nentries; }
size_t eg_gaz_alias_count(const eg_gaz *g) { return g->naliases; }
const eg_gaz_entry *eg_gaz_entry_at(const eg_gaz *g, uint32_t i) { return i < g->nentries ? &g->entries[i] : NULL; }

uint32_t eg_gaz_find_id(const eg_gaz *g, const char *id)
{
    const uint32_t *v = eg_strmap_get(&g->ids, id, strlen(id));
    return v ? *v : EG_NONE;
}

/* ---- the trie ---- */

static size_t edge_slot(const eg_gaz *g, uint32_t parent, uint64_t h)
{
    size_t mask = g->edges_slots - 1;
    size_t i = (size_t)eg_hash_mix(h, parent) & mask;
    while (g->edges[i].child && (g->edges[i].parent != parent || g->edges[i].h != h))
        i = (i + 1) & mask;
    return i;
}

static uint32_t edge_get(const eg_gaz *g, uint32_t parent, uint64_t h)
{
    return g->edges_slots ? g->edges[edge_slot(g, parent, h)].child : 0;
}

static int edges_grow(eg_gaz *g)
{
    size_t n = g->edges_slots ? g->edges_slots * 2 : 4096, i;
    gaz_edge *old = g->edges, *ne = eg_calloc(n, sizeof *ne);
    size_t oldn = g->edges_slots;
    if (!ne)
        return EG_ENOMEM;
    g->edges = ne;
    g->edges_slots = n;
    for (i = 0; i < oldn; i++)
        if (old[i].child)
            g->edges[edge_slot(g, old[i].parent, old[i].h)] = old[i];
    eg_free(old);
    return EG_OK;
}

static void bit_set(uint64_t *bits, size_t nbits, uint64_t h)
{
    size_t b = (size_t)(h >> 20) & (nbits - 1);
    bits[b >> 6] |= 1ull << (b & 63);
}

static int bit_has(const uint64_t *bits, size_t nbits, uint64_t h)
{
    size_t b = (size_t)(h >> 20) & (nbits - 1);
    return (bits[b >> 6] >> (b & 63)) & 1;
}

/* The first-word cells (struct eg_gaz): 2 bits each, 32 to a word. */
enum { FIRST_ANY = 1, FIRST_ALONE = 2 };

static void cell_set(uint64_t *cells, size_t ncells, uint64_t h, unsigned v)
{
    size_t b = (size_t)(h >> 20) & (ncells - 1);
    cells[b >> 5] |= (uint64_t)v << ((b & 31) * 2);
}

/* The pair filter's key for first word h1 and second word h2: both are
 * already well mixed, so one multiply (which keeps (a, b) and (b, a)
 * apart) is enough; bit_has reads bits 20 and up. */
static uint64_t pair_hash(uint64_t h1, uint64_t h2) { return h1 ^ (h2 * 0x9e3779b97f4a7c15ULL); }

static size_t root_slot(const eg_gaz *g, uint64_t h)
{
    size_t mask = g->root_slots - 1, i = (size_t)h & mask;
    while (g->root[i].child && g->root[i].h != h)
        i = (i + 1) & mask;
    return i;
}

static const gaz_root *root_get(const eg_gaz *g, uint64_t h) { return &g->root[root_slot(g, h)]; }

/* Builds the filters from the trie once loading is done: the first-word
 * cells (about 16 per first word: false positives near 6%), the root
 * table, and the bitset of first-two-word pairs. */
int eg_gaz_seal(eg_gaz *g)
{
    size_t i, nfirst = 0, npairs = 0;
    uint64_t *h1 = NULL;
    eg_free(g->first);
    eg_free(g->root);
    eg_free(g->pairs);
    eg_free(g->anyfirst);
    g->first = g->pairs = NULL;
    g->anyfirst = NULL;
    g->root = NULL;
    g->first_cells = g->root_slots = g->pair_bits = g->anyfirst_cells = 0;
    if (!(h1 = eg_calloc(g->nnodes + 1, sizeof *h1)))
        return EG_ENOMEM;
    for (i = 0; i < g->edges_slots; i++)
        if (g->edges[i].child && g->edges[i].parent == 0) {
            h1[g->edges[i].child] = g->edges[i].h;
            nfirst++;
        }
    /* (a first word whose hash is 0 would hide its pairs: the pair filter
     * is then simply not used for it, see the match loop) */
    for (i = 0; i < g->edges_slots; i++)
        npairs += g->edges[i].child && g->edges[i].parent != 0 && h1[g->edges[i].parent];
    for (g->first_cells = 4096; g->first_cells < nfirst * 16;)
        g->first_cells *= 2;
    for (g->root_slots = 1024; g->root_slots < nfirst * 2;)
        g->root_slots *= 2;
    for (g->pair_bits = 4096; g->pair_bits < npairs * 16;)
        g->pair_bits *= 2;
    g->first = eg_calloc(g->first_cells / 32, sizeof *g->first);
    g->root = eg_calloc(g->root_slots, sizeof *g->root);
    g->pairs = eg_calloc(g->pair_bits / 64, sizeof *g->pairs);
    /* (8 cells per word: 8 KiB for the bundled gazetteers, false
     * positives near 9%; the first-word cells then stop most of those) */
    for (g->anyfirst_cells = 4096; g->anyfirst_cells < g->nanyfirst * 8;)
        g->anyfirst_cells *= 2;
    g->anyfirst = eg_calloc(g->anyfirst_cells, 1);
    if (!g->first || !g->root || !g->pairs || !g->anyfirst) {
        eg_free(h1);
        return EG_ENOMEM;
    }
    for (i = 0; i < g->edges_slots; i++) {
        const gaz_edge *x = &g->edges[i];
        if (!x->child)
            continue;
        if (x->parent == 0) {
            cell_set(g->first, g->first_cells, x->h,
                     g->node_alias[x->child] != EG_NONE || !x->h ? FIRST_ANY | FIRST_ALONE : FIRST_ANY);
            gaz_root *r = &g->root[root_slot(g, x->h)];
            r->h = x->h;
            r->child = x->child;
            r->alias = g->node_alias[x->child];
        } else if (h1[x->parent]) {
            bit_set(g->pairs, g->pair_bits, pair_hash(h1[x->parent], x->h));
        }
    }
    for (i = 0; i < g->nanyfirst; i++)
        g->anyfirst[(size_t)g->anyfirst_h[i] & (g->anyfirst_cells - 1)] = EG_TF_CAP; /* fits a byte */
    for (i = 0; i < g->naliases; i++) {
        const eg_gaz_entry *en = &g->entries[g->aliases[i].entry];
        g->aliases[i].type = (uint8_t)en->type;
        g->aliases[i].prio = en->prio;
    }
    eg_free(h1);
    g->sealed = 1;
    return EG_OK;
}

/* Returns the child of parent by h, creating it; 0 on out of memory. */
static uint32_t edge_put(eg_gaz *g, uint32_t parent, uint64_t h)
{
    size_t i;
    uint32_t c;
    if ((g->nedges + 1) * 10 >= g->edges_slots * 7 && edges_grow(g))
        return 0;
    i = edge_slot(g, parent, h);
    if (g->edges[i].child)
        return g->edges[i].child;
    if (EG_GROW(g->node_alias, g->nodes_cap, g->nnodes + 1))
        return 0;
    c = (uint32_t)g->nnodes++;
    g->node_alias[c] = EG_NONE;
    g->edges[i].h = h;
    g->edges[i].parent = parent;
    g->edges[i].child = c;
    g->nedges++;
    g->sealed = 0;
    return c;
}

/* ---- entries and aliases ---- */

static int id_is_valid(const char *id)
{
    const unsigned char *p = (const unsigned char *)id;
    if (!*p)
        return 0;
    for (; *p; p++)
        if (*p <= ' ' || *p == '\t')
            return 0;
    return 1;
}

static int entry_get(eg_gaz *g, const char *id, eg_type type, const char *label, int16_t prio,
                     uint16_t flags, uint32_t *out, eg_err *e)
{
    uint32_t *slot;
    int added;
    eg_gaz_entry *en;
    if (eg_strmap_put(&g->ids, id, strlen(id), (uint32_t)g->nentries, &slot, &added))
        return eg_err_nomem(e);
    if (!added) {
        en = &g->entries[*slot];
        if (en->type != type)
            return eg_err_set(e, EG_EDATA, "duplicate id '%s' with conflicting type (%s, was %s)", id,
                              eg_type_name(type), eg_type_name(en->type));
        if (prio > en->prio)
            en->prio = prio;
        en->flags |= flags;
        *out = *slot;
        return EG_OK;
    }
    if (EG_GROW(g->entries, g->entries_cap, g->nentries + 1))
        return eg_err_nomem(e);
    en = &g->entries[g->nentries];
    {
        /* id and label in one block ("id\0label\0"; the label is the id
         * itself when there is none): eg_gaz_free frees the id only */
        size_t idn = strlen(id) + 1, ln = label && *label ? strlen(label) + 1 : 0;
        char *p = eg_malloc(idn + ln);
        if (!p)
            return eg_err_nomem(e);
        memcpy(p, id, idn);
        if (ln)
            memcpy(p + idn, label, ln);
        en->id = p;
        en->label = ln ? p + idn : p;
    }
    en->type = type;
    en->prio = prio;
    en->flags = flags;
    *out = (uint32_t)g->nentries++;
    return EG_OK;
}

/* Decides the alias's case policy from its tokens. */
static void alias_policy(const eg_doc *d, uint16_t eflags, int prefix, gaz_alias *a)
{
    size_t i, letters = 0, words = 0;
    int allcap = 1;
    a->capmask = 0;
    if (prefix == '=') {
        a->pol = POL_EXACT;
        return;
    }
    if (prefix == '~') {
        a->pol = POL_ANY;
        return;
    }
    for (i = 0; i < d->ntok; i++) {
        const eg_token *t = &d->tok[i];
        size_t k;
        if (t->flags & EG_TF_JOINER)
            continue;
        if (t->kind == EG_TK_WORD && !(t->flags & EG_TF_NONALPHA)) {
            if (!(t->flags & EG_TF_ALLCAP))
                allcap = 0;
            for (k = t->s; k < t->e; k++)
                if (isalpha((unsigned char)d->text[k]) || (unsigned char)d->text[k] >= 0x80)
                    letters++;
            if ((t->flags & EG_TF_CAP) && words < 32)
                a->capmask |= 1u << words;
        }
        words++;
    }
    /* the last word of a multi-word name may be lower-case */
    if (words > 1 && words <= 32)
        a->capmask &= ~(1u << (words - 1));
    if (allcap && letters > 0 && letters <= 6)
        a->pol = POL_ACRONYM;
    else if (eflags & EG_GE_LOWER)
        a->pol = POL_ANY;
    else
        a->pol = POL_WORDS;
}

/* Does the alias's first word only ever match a capitalised text word? */
static int first_needs_capital(const eg_doc *d, const gaz_alias *a)
{
    size_t i;
    switch (a->pol) {
    case POL_ACRONYM:
        /* only word tokens with letters must be capitals (policy_ok): an
         * alias that starts with punctuation or a number ("... S.") does
         * not need a capital first token */
        for (i = 0; i < d->ntok; i++)
            if (!(d->tok[i].flags & EG_TF_JOINER))
                return d->tok[i].kind == EG_TK_WORD && !(d->tok[i].flags & EG_TF_NONALPHA);
        return 0;
    case POL_WORDS:
        return a->capmask & 1;
    case POL_EXACT:
        for (i = 0; i < d->ntok; i++)
            if (!(d->tok[i].flags & EG_TF_JOINER))
                return (d->tok[i].flags & EG_TF_CAP) != 0;
        return 0;
    default:
        return 0;
    }
}

/* Adds one alias (with its '=' or '~' prefix, not empty) of entry. */
static int alias_add(eg_gaz *g, uint32_t entry, const char *alias, eg_err *e)
{
    uint32_t node = 0, k;
    size_t i, words = 0;
    int prefix = 0, rc;
    gaz_alias a;
    if (*alias == '=' || *alias == '~')
        prefix = *alias++;
    while (*alias == ' ')
        alias++;
    g->sealed = 0; /* filters, root table and the entry fields copied to aliases go stale */
    /* normalised and tokenised like text (sentences play no part); most
     * aliases are plain letter words, which the light entry takes */
    g->scratch.ntok = g->scratch.keys_len = g->scratch.nsent = g->scratch.npara = 0;
    rc = eg_tokenize_words(&g->scratch, g->entries[entry].id, alias, strlen(alias), e);
    if (rc < 0)
        return rc;
    if (!rc && ((rc = eg_normalise(&g->scratch, g->entries[entry].id, alias, strlen(alias), e)) ||
                (rc = eg_tokenize(&g->scratch, e))))
        return rc;
    for (i = 0; i < g->scratch.ntok; i++) {
        const eg_token *t = &g->scratch.tok[i];
        if (t->flags & EG_TF_JOINER)
            continue;
        if (!(node = edge_put(g, node, t->h)))
            return eg_err_nomem(e);
        words++;
    }
    if (!words)
        return eg_err_set(e, EG_EDATA, "alias '%s' has no words", alias);
    /* the same entry under the same alias: merge quietly */
    for (k = g->node_alias[node]; k != EG_NONE; k = g->aliases[k].next)
        if (g->aliases[k].entry == entry)
            return EG_OK;
    memset(&a, 0, sizeof a);
    a.entry = entry;
    alias_policy(&g->scratch, g->entries[entry].flags, prefix, &a);
    if (a.pol == POL_EXACT) {
        /* the alias's word tokens as written, NUL-separated, "" ends */
        a.exact = (uint32_t)g->pool.len;
        for (i = 0; i < g->scratch.ntok; i++) {
            const eg_token *t = &g->scratch.tok[i];
            if (t->flags & EG_TF_JOINER)
                continue;
            if (eg_buf_add(&g->pool, g->scratch.text + t->s, t->e - t->s) || eg_buf_addc(&g->pool, 0))
                return eg_err_nomem(e);
        }
        if (eg_buf_addc(&g->pool, 0))
            return eg_err_nomem(e);
    }
    if (!first_needs_capital(&g->scratch, &a)) {
        uint64_t h0 = 0;
        /* the first word's hash (which may be 0: an empty key) */
        for (i = 0; i < g->scratch.ntok; i++)
            if (!(g->scratch.tok[i].flags & EG_TF_JOINER)) {
                h0 = g->scratch.tok[i].h;
                break;
            }
        if (EG_GROW(g->anyfirst_h, g->anyfirst_cap, g->nanyfirst + 1))
            return eg_err_nomem(e);
        g->anyfirst_h[g->nanyfirst++] = h0;
    }
    if (EG_GROW(g->aliases, g->aliases_cap, g->naliases + 1))
        return eg_err_nomem(e);
    /* keep each node's list in insertion order, so candidates come out in
     * the order the files gave them */
    a.next = EG_NONE;
    g->aliases[g->naliases] = a;
    if (g->node_alias[node] == EG_NONE) {
        g->node_alias[node] = (uint32_t)g->naliases;
    } else {
        for (k = g->node_alias[node]; g->aliases[k].next != EG_NONE; k = g->aliases[k].next)
            ;
        g->aliases[k].next = (uint32_t)g->naliases;
    }
    g->naliases++;
    return EG_OK;
}

static int alias_empty(const char *alias)
{
    if (*alias == '=' || *alias == '~')
        alias++;
    while (*alias == ' ')
        alias++;
    return !*alias;
}

/* eg_gaz_add, giving the entry's index: further aliases of the same entry
 * then go straight to alias_add. */
static int gaz_add(eg_gaz *g, const char *id, eg_type type, const char *label, const char *alias, int16_t prio,
                   uint16_t flags, uint32_t *entry, eg_err *e)
{
    int rc;
    if (!id_is_valid(id))
        return eg_err_set(e, EG_EDATA, "bad id '%s'", id);
    if (alias_empty(alias))
        return eg_err_set(e, EG_EDATA, "empty alias for id '%s'", id);
    if ((rc = entry_get(g, id, type, label, prio, flags, entry, e)))
        return rc;
    return alias_add(g, *entry, alias, e);
}

int eg_gaz_add(eg_gaz *g, const char *id, eg_type type, const char *label, const char *alias, int16_t prio,
               uint16_t flags, eg_err *e)
{
    uint32_t entry;
    return gaz_add(g, id, type, label, alias, prio, flags, &entry, e);
}

/* ---- the file format ---- */

static char *trim(char *s)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = 0;
    return s;
}

/* Parses the options column: "prio=N", "lower", "ctx". */
static int parse_options(char *s, int16_t *prio, uint16_t *flags, eg_err *e)
{
    char *save = NULL, *w;
    for (w = strtok_r(s, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
        if (strncmp(w, "prio=", 5) == 0) {
            char *end;
            long v = strtol(w + 5, &end, 10);
            if (*end || end == w + 5 || v < -100 || v > 100)
                return eg_err_set(e, EG_EDATA, "bad priority '%s' (want -100..100)", w + 5);
            *prio = (int16_t)v;
        } else if (strcmp(w, "lower") == 0) {
            *flags |= EG_GE_LOWER;
        } else if (strcmp(w, "ctx") == 0) {
            *flags |= EG_GE_CTX;
        } else {
            return eg_err_set(e, EG_EDATA, "unknown option '%s'", w);
        }
    }
    return EG_OK;
}

/* One line of a gazetteer file (already checked to be UTF-8, no newline). */
static int parse_line(eg_gaz *g, char *line, eg_err *e)
{
    char *col[5] = {0}, *p = line, *save = NULL, *alias;
    int n = 0, rc;
    eg_type type;
    int16_t prio = 0;
    uint16_t flags = 0;
    uint32_t entry;
    while (n < 5) {
        char *tab = strchr(p, '\t');
        col[n++] = p;
        if (!tab)
            break;
        *tab = 0;
        p = tab + 1;
    }
    if (n < 3)
        return eg_err_set(e, EG_EDATA, "want id, TYPE, label and aliases separated by tabs");
    col[0] = trim(col[0]);
    col[1] = trim(col[1]);
    col[2] = trim(col[2]);
    if (!*col[0])
        return eg_err_set(e, EG_EDATA, "empty id");
    if (eg_type_parse(col[1], strlen(col[1]), &type))
        return eg_err_set(e, EG_EDATA, "bad type '%s' (want PERSON, ORG, PLACE or EVENT)", col[1]);
    if (!*col[2])
        return eg_err_set(e, EG_EDATA, "empty label");
    if (n == 5 && (rc = parse_options(col[4], &prio, &flags, e)))
        return rc;
    if ((rc = gaz_add(g, col[0], type, col[2], col[2], prio, flags, &entry, e)))
        return rc;
    if (n < 4)
        return EG_OK;
    if (!*trim(col[3]))
        return EG_OK; /* no aliases but the label */
    /* split at every '|' by hand: strtok would skip the empty alias of
     * "A || B" (or "A |"), which is an error */
    for (alias = col[3]; alias; alias = save) {
        if ((save = strchr(alias, '|')))
            *save++ = 0;
        alias = trim(alias);
        if (!*alias || ((*alias == '=' || *alias == '~') && !*trim(alias + 1)))
            return eg_err_set(e, EG_EDATA, "empty alias");
        /* (eg_gaz_add would find the same entry and change nothing in it) */
        if ((rc = alias_add(g, entry, alias, e)))
            return rc;
    }
    return EG_OK;
}

int eg_gaz_load(eg_gaz *g, const char *path, eg_err *e)
{
    char *buf = NULL, *line, *next;
    size_t len, lineno = 0;
    int rc;
    if ((rc = eg_read_file(path, &buf, &len, e)))
        return rc;
    if (memchr(buf, 0, len)) {
        rc = eg_err_set(e, EG_EDATA, "%s: not a text file (NUL byte)", path);
        goto out;
    }
    line = buf;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3;
    for (; line && *line; line = next) {
        size_t bad, n;
        eg_err le;
        le.code = 0;
        le.msg[0] = 0;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        lineno++;
        n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = 0;
        if ((bad = eg_utf8_bad_at((const unsigned char *)line, n)) < n) {
            rc = eg_err_set(e, EG_EDATA, "%s:%zu: invalid UTF-8 at column %zu", path, lineno, bad + 1);
            goto out;
        }
        if (!*trim(line) || *trim(line) == '#')
            continue;
        if ((rc = parse_line(g, line, &le))) {
            eg_err_set(e, rc, "%s:%zu: %s", path, lineno, le.msg);
            goto out;
        }
    }
    rc = EG_OK;
out:
    eg_free(buf);
    return rc;
}

/* ---- matching ---- */

static int exact_ok(const eg_gaz *g, const gaz_alias *a, const eg_doc *d, const uint32_t *pos, size_t n)
{
    const char *w = g->pool.p + a->exact;
    size_t i;
    for (i = 0; i < n; i++) {
        const eg_token *t = &d->tok[pos[i]];
        size_t wl = strlen(w);
        if (wl != t->e - t->s || memcmp(w, d->text + t->s, wl) != 0)
            return 0;
        w += wl + 1;
    }
    return 1;
}

static inline int policy_ok(const eg_gaz *g, const gaz_alias *a, const eg_doc *d, const uint32_t *pos, size_t n)
{
    size_t i;
    switch (a->pol) {
    case POL_ANY:
        return 1;
    case POL_EXACT:
        return exact_ok(g, a, d, pos, n);
    case POL_ACRONYM:
        for (i = 0; i < n; i++) {
            const eg_token *t = &d->tok[pos[i]];
            if (t->kind == EG_TK_WORD && !(t->flags & (EG_TF_ALLCAP | EG_TF_NONALPHA)))
                return 0;
        }
        return 1;
    default:
        for (i = 0; i < n && i < 32; i++)
            if ((a->capmask >> i & 1) && !(d->tok[pos[i]].flags & EG_TF_CAP))
                return 0;
        return 1;
    }
}

#define GAZ_MAX_WORDS 64

/* The child of parent by h, 0 when none: edge_get for the match path,
 * inline (the gazetteer has edges: eg_gaz_match checked). */
static inline uint32_t walk_edge(const eg_gaz *g, uint32_t parent, uint64_t h)
{
    size_t mask = g->edges_slots - 1, i = (size_t)eg_hash_mix(h, parent) & mask;
    for (;; i = (i + 1) & mask) {
        const gaz_edge *x = &g->edges[i];
        if (!x->child)
            return 0;
        if (x->parent == parent && x->h == h)
            return x->child;
    }
}

/* The first alias from k on whose case policy holds for the words pos[0..n), EG_NONE when none. */
static inline uint32_t first_ok(const eg_gaz *g, uint32_t k, const eg_doc *d, const uint32_t *pos, size_t n)
{
    for (; k != EG_NONE; k = g->aliases[k].next)
        if (policy_ok(g, &g->aliases[k], d, pos, n))
            break;
    return k;
}

/* The next word token after token i (joiners skipped); n when none. */
static inline size_t next_word(const eg_token *tok, size_t n, size_t i)
{
    for (i++; i < n && (tok[i].flags & EG_TF_JOINER); i++)
        ;
    return i;
}

/* Appends the candidates of the longest alias starting at token i whose
 * case policy holds (none when no alias matches). The alias's first word
 * is trie node `node` with first alias `first`; j is the next word token
 * after i (d->ntok: none). pair_filter: test the first two words against
 * the pair filter before reading the edge table (the caller has not).
 * pos[] receives the word tokens. */
static int match_at(const eg_gaz *g, const eg_doc *d, size_t i, uint32_t node, uint32_t first, size_t j,
                    int pair_filter, uint32_t *pos, eg_cands *out, eg_err *e)
{
    const eg_token *tok = d->tok;
    uint32_t best, k, end = (uint32_t)i + 1;
    size_t n = 1, best_n = 1;
    pos[0] = (uint32_t)i;
    best = first_ok(g, first, d, pos, 1);
    /* the walk: the longest alias wins, so each longer match replaces best */
    if (j < d->ntok && (!pair_filter || bit_has(g->pairs, g->pair_bits, pair_hash(tok[i].h, tok[j].h)))) {
        while ((node = walk_edge(g, node, tok[j].h))) {
            pos[n++] = (uint32_t)j;
            if ((k = first_ok(g, g->node_alias[node], d, pos, n)) != EG_NONE) {
                best = k;
                best_n = n;
                end = (uint32_t)j + 1;
            }
            j = next_word(tok, d->ntok, j);
            if (j >= d->ntok || n >= GAZ_MAX_WORDS)
                break;
        }
    }
    if (best == EG_NONE)
        return EG_OK;
    /* every entry of that alias whose policy holds (those before best did
     * not): one candidate each */
    for (k = best; k != EG_NONE; k = g->aliases[k].next) {
        const gaz_alias *a = &g->aliases[k];
        eg_cand *c;
        if (k != best && !policy_ok(g, a, d, pos, best_n))
            continue;
        if (out->n == out->cap && EG_GROW(out->v, out->cap, out->n + 1))
            return eg_err_nomem(e);
        c = &out->v[out->n++];
        memset(c, 0, sizeof *c);
        c->t0 = (uint32_t)i;
        c->t1 = end;
        if (g->sealed) {
            c->type = a->type;
            c->prio = a->prio;
        } else {
            c->type = (uint8_t)g->entries[a->entry].type;
            c->prio = g->entries[a->entry].prio;
        }
        c->source = EG_SRC_GAZ;
        c->entry = a->entry;
    }
    return EG_OK;
}

/* The sealed gazetteer's path for token i, which passed the first-word
 * cells, with next word j: reads the root table (large, a cache miss)
 * and matches. pair_filter as for match_at. */
static int match_root(const eg_gaz *g, const eg_doc *d, size_t i, size_t j, int pair_filter, uint32_t *pos,
                      eg_cands *out, eg_err *e)
{
    const gaz_root *r = root_get(g, d->tok[i].h);
    if (!r->child)
        return EG_OK;
    return match_at(g, d, i, r->child, r->alias, j, pair_filter, pos, out, e);
}

int eg_gaz_match(const eg_gaz *g, const eg_doc *d, eg_cands *out, eg_err *e)
{
    const eg_token *tok = d->tok;
    size_t i, n = d->ntok;
    uint32_t pos[GAZ_MAX_WORDS], node;
    if (!g->nedges)
        return EG_OK;
    if (!g->sealed) {
        for (i = 0; i < n; i++)
            if (!(tok[i].flags & EG_TF_JOINER) && (node = edge_get(g, 0, tok[i].h)) &&
                match_at(g, d, i, node, g->node_alias[node], next_word(tok, n, i), 0, pos, out, e))
                return EG_ENOMEM;
        return EG_OK;
    }
    {
        /* the filters, inline: most tokens stop at the first without a
         * cache miss and without a branch on their case: a lower-case
         * token must be in the (small) byte table of first words that may
         * start in lower case (a joiner that passes is dropped there).
         * Then every token must be in the first-word cells. A first word
         * that is no alias alone must then pass the pair filter with the
         * next word before the root table is read: most tokens that get
         * this far are the first word of longer names only, and stop
         * there. */
        const uint8_t *any = g->anyfirst;
        const size_t amask = g->anyfirst_cells - 1;
        const eg_token *t, *tj, *end = tok + n;
        for (t = tok; t < end; t++) {
            unsigned fl = t->flags, cell;
            uint64_t h = t->h;
            size_t b;
            if (!((any[(size_t)h & amask] | fl) & EG_TF_CAP) || (fl & EG_TF_JOINER))
                continue;
            /* (the other tables are read through g: fewer values live in
             * the loop, so the two above stay in registers) */
            b = (size_t)(h >> 20) & (g->first_cells - 1);
            if (!(cell = (unsigned)(g->first[b >> 5] >> ((b & 31) * 2)) & 3))
                continue;
            /* the next word: nearly always the next token */
            for (tj = t + 1; tj < end && (tj->flags & EG_TF_JOINER); tj++)
                ;
            if (!(cell & FIRST_ALONE)) {
                /* (FIRST_ALONE is set for hash 0, whose pairs the filter lacks) */
                if (tj == end || !bit_has(g->pairs, g->pair_bits, pair_hash(h, tj->h)))
                    continue;
            }
            if (match_root(g, d, (size_t)(t - tok), (size_t)(tj - tok), (cell & FIRST_ALONE) && h, pos, out, e))
                return EG_ENOMEM;
        }
    }
    return EG_OK;
}

int eg_cands_push(eg_cands *c, const eg_cand *x)
{
    if (c->n == c->cap && EG_GROW(c->v, c->cap, c->n + 1))
        return EG_ENOMEM;
    c->v[c->n++] = *x;
    return EG_OK;
}

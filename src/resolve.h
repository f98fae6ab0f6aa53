/*
 * resolve.h — from candidates to mentions with entities, within one
 * document: overlaps settled (longest, then priority, then leftmost), the
 * entry of an ambiguous alias chosen, acronyms defined in brackets linked
 * to their long form, and partial names (a surname or given name alone)
 * linked to the full name, or to an explicit ambiguous entity "name?" when
 * the text leaves it open. Corpus-level merges happen later in graph.c.
 *
 * One eg_resolver per worker thread, reused from document to document. It
 * keeps a little per-gazetteer data between documents (each entry's
 * place-context flag): use it with one context only (eg_resolver_free
 * and eg_resolver_init it before another).
 */
#ifndef EG_RESOLVE_H
#define EG_RESOLVE_H

#include "ctx.h"
#include "match.h"
#include "text.h"

/* Where an entity came from (decides what later merges may do with it). */
enum {
    EG_ORIGIN_GAZ = 1,   /* a gazetteer entry: id and label from the entry */
    EG_ORIGIN_RULE = 2,  /* found by a rule: id from the normalised name */
    EG_ORIGIN_AMBIG = 3  /* a partial name the text leaves open: "rajavi?" */
};

typedef struct {
    uint32_t id;        /* offset of the id in the resolver's pool */
    uint32_t label;     /* offset of the label in the pool */
    uint8_t type;       /* eg_type */
    uint8_t origin;     /* EG_ORIGIN_* */
    int8_t gender;      /* +1 male, -1 female, 0 unknown (PERSON evidence) */
    uint32_t words;     /* word tokens in the fullest name seen */
    uint64_t first_h;   /* key hash of the first word of the fullest name */
    uint64_t last_h;    /* key hash of the last word of the fullest name */
    uint32_t first_tok; /* that first word's token in the document */
    uint32_t last_tok;  /* that last word's token in the document */
    uint32_t nment;     /* mentions in this document */
    uint32_t gaz_entry; /* EG_NONE unless origin is EG_ORIGIN_GAZ */
} eg_rentity;

typedef struct {
    uint32_t t0, t1;    /* token range */
    uint32_t ent;       /* index into eg_resolver.ent */
    uint8_t type;
    uint8_t source;     /* EG_SRC_* */
    uint16_t rule;      /* for EG_SRC_RULE */
    uint8_t why;        /* EG_WHY_*: how a partial name or acronym was linked */
} eg_rmention;

enum {
    EG_WHY_NONE = 0,
    EG_WHY_SURNAME,     /* the only person in the document with this surname */
    EG_WHY_GIVEN,       /* the only person in the document with this given name */
    EG_WHY_GENDER,      /* several share it; a title or pronoun chose */
    EG_WHY_SENTENCE,    /* several share it; named in the same sentence */
    EG_WHY_AMBIGUOUS,   /* several share it; the text leaves it open */
    EG_WHY_ACRONYM_DEF, /* an acronym in brackets after its long form */
    EG_WHY_ACRONYM,     /* a later use of an acronym defined in the document */
    EG_WHY_LONG_FORM,   /* a long form before a known acronym in brackets */
    EG_WHY_ACRONYM_OF   /* an unknown acronym spelling one name in the document */
};

/* A short English phrase for an EG_WHY_* code. */
const char *eg_why_name(int why);

#define EG_VARIANT_BUCKETS 1024

/* A per-document table of strings kept in a buffer (resolve.c: stab_find). */
typedef struct {
    struct {
        uint64_t h;             /* eg_hash of the string */
        uint32_t off, len;      /* where it is in its buffer */
        uint32_t val;
        uint32_t live;          /* in use when equal to gen */
    } *s;
    size_t n, cap, used;        /* slots (a power of 2), allocated, in use */
    uint32_t gen;               /* this document's generation (resolve.c: stab_reset) */
} eg_stab;

/* One gazetteer entry named in the document. */
typedef struct {
    uint32_t key;               /* entry + 1 */
    uint32_t gen;               /* in use when equal to eg_resolver.gmemo_gen */
    uint32_t ent;               /* its entity, EG_NONE until it has one */
    uint32_t support;           /* spans naming it with no rival entry (resolve.c: choose) */
} eg_rgaz;

/* A spelling of initials and its entity (resolve.c: acronym_of). */
typedef struct {
    uint64_t key;               /* the initials' bytes and count */
    uint32_t ent;               /* EG_NONE: several entities spell it */
} eg_racr;

typedef struct {
    eg_rmention *m;     /* the document's mentions, in text order */
    size_t nm, mcap;
    eg_rentity *ent;    /* the document's entities */
    size_t nent, entcap;
    eg_buf pool;        /* ids and labels, NUL-terminated */
    eg_stab ids;        /* id (in pool) → entity index, per document */
    eg_stab texts;      /* text of a rule mention that is not ASCII (in textpool) → entity index */
    eg_buf textpool;
    eg_buf slug;        /* scratch */
    eg_rgaz *gmemo;    /* the gazetteer entries of this document (resolve.c: gaz_get) */
    size_t gmemo_n, gmemo_used, gmemo_cap;
    uint32_t gmemo_gen;
    uint8_t *gctx;      /* per gazetteer entry: 0 unknown, 1 + its place-context flag (resolve.c: gaz_ctx) */
    size_t gctx_n;
    const void *gctx_gaz; /* the gazetteer gctx describes, and its entries */
    const void *gctx_entries;
    uint8_t *taken;     /* per token: covered by a chosen mention */
    size_t takencap;
    uint8_t *cflag;     /* per candidate: rival entries, unrivalled, gazetteer person (scratch) */
    size_t cflag_cap;
    uint8_t *cover;     /* per token: candidates on it, up to 2 (scratch) */
    size_t cover_cap;
    uint32_t *at;       /* per token: the chosen candidate starting there, where cover is 3 (scratch) */
    size_t at_cap;
    void *order;        /* sort scratch */
    size_t ordercap;
    void *order2;       /* sort scratch */
    size_t order2cap;
    eg_rmention *mtmp;  /* merge scratch */
    size_t mtmpcap;
    eg_buf tmp;
    struct { uint64_t h; uint32_t ent; } *learned; /* acronyms defined here */
    size_t nlearned, learnedcap;
    int *score;         /* per entity: gender evidence (scratch) */
    size_t score_cap;
    uint8_t *person_at; /* per token: inside a person mention (scratch) */
    size_t person_cap;
    uint32_t *ent_at;   /* per token: the entity of its mention (scratch) */
    size_t ent_at_cap;
    uint32_t *bare;     /* the capitalised words between two mentions (scratch; resolve.c: link_partials) */
    size_t bare_cap;
    uint32_t *full;     /* persons named in full in this document */
    size_t nfull, full_cap;
    struct {            /* index of full names by word hash (resolve.c: names_head) */
        uint64_t key;   /* key hash or skeleton hash of a first or last word */
        uint32_t kind;  /* which of the two words, which hash */
        uint32_t head, tail; /* chain of nodes (4 * full index + kind - 1) */
        uint32_t gen;   /* in use when equal to names_gen */
    } *names;
    size_t names_cap, names_mask;
    uint32_t names_gen;
    uint64_t name_bits[64]; /* filter: bit (h >> 52) for the first and last words of full names */
    uint64_t skel_bits[64]; /* filter: the same for their skeleton hashes */
    uint64_t variant_len[EG_VARIANT_BUCKETS]; /* filter: per bucket of the first two skeleton bytes,
                                                  bit n: a word of n bytes may be a variant */
    uint16_t *vmark;    /* the buckets of variant_len in use (cleared at the next document's index) */
    size_t nvmark, vmark_cap;
    uint32_t *names_next; /* per node: the next in its chain, EG_NONE at the end */
    size_t names_next_cap;
    eg_racr *acr;       /* initials of long names, made when first needed (resolve.c: acr_build) */
    size_t nacr, acr_cap;
    int acr_built;
    int gender_done;    /* genders learnt in this document (resolve.c: gender_ready) */
    size_t nm_base;     /* mentions before the partial names */
} eg_resolver;

void eg_resolver_init(eg_resolver *r);
void eg_resolver_free(eg_resolver *r);

/* Chooses mentions among `cands` and gives each an entity. */
int eg_resolve(eg_resolver *r, const eg_ctx *c, const eg_doc *d, const eg_cands *cands, eg_err *e);

static inline const char *eg_rent_id(const eg_resolver *r, const eg_rentity *x) { return r->pool.p + x->id; }
static inline const char *eg_rent_label(const eg_resolver *r, const eg_rentity *x) { return r->pool.p + x->label; }

#endif

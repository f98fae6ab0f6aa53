/*
 * match.h — what the matchers share: candidate mentions, word lists
 * (lexicon), the gazetteer (gazetteer.c) and the pattern rules (rules.c).
 *
 * Both matchers read an eg_doc (text layer output) and append eg_cand
 * records to an eg_cands list; resolve.c settles overlaps and assigns
 * entities. Gazetteer, rules and lexicon are built while loading and are
 * read-only afterwards, so worker threads share them without locks; each
 * thread has its own scratch (eg_rules_scratch) and candidate list.
 */
#ifndef EG_MATCH_H
#define EG_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"
#include "util.h"

#define EG_NONE UINT32_MAX

/* Where a candidate came from. */
enum {
    EG_SRC_GAZ = 1,     /* a gazetteer alias */
    EG_SRC_RULE = 2,    /* a pattern rule */
    EG_SRC_LEARNED = 3, /* an alias learned in this corpus (acronym in brackets) */
    EG_SRC_PARTIAL = 4  /* a part of a name seen earlier (surname alone) */
};

typedef struct {
    uint32_t t0, t1;    /* token range [t0, t1) */
    uint8_t type;       /* eg_type */
    uint8_t source;     /* EG_SRC_* */
    int16_t prio;       /* higher wins between equally long overlapping candidates */
    uint32_t entry;     /* gazetteer entry for EG_SRC_GAZ, else EG_NONE. An
                           alias that belongs to several entries gives one
                           candidate per entry, same span, adjacent. */
    uint16_t rule;      /* rule index for EG_SRC_RULE */
    uint16_t flags;     /* EG_CF_* */
} eg_cand;

enum {
    EG_CF_ACRONYM_DEF = 1u << 0, /* rule: an acronym defined in brackets after
                                    the candidate ending just before it */
    EG_CF_WEAK = 1u << 1         /* weak evidence: dropped if anything overlaps */
};

typedef struct {
    eg_cand *v;
    size_t n, cap;
} eg_cands;

int eg_cands_push(eg_cands *c, const eg_cand *x);

/* ---- lexicon: word lists for the rules ---- */

enum {
    EG_LEX_GIVEN = 0,   /* given names (gazetteers/given-names.txt) */
    EG_LEX_SURNAME,     /* surnames (gazetteers/surnames.txt) */
    EG_LEX_COMMON,      /* common lower-case English words (gazetteers/common-words.txt) */
    EG_LEX_TITLE,       /* titles and roles before names (gazetteers/titles.txt) */
    EG_LEX_FEMALE,      /* given names that are clearly a woman's (given-names-female.txt) */
    EG_LEX_MALE,        /* given names that are clearly a man's (given-names-male.txt) */
    EG_LEX_NLISTS
};

/* A set of folded-key hashes per list, each with a small Bloom filter in
 * front (most lookups are of words that are not in the list, and the big
 * lists do not fit in cache). */
typedef struct {
    uint64_t *slots[EG_LEX_NLISTS];
    size_t nslots[EG_LEX_NLISTS];
    size_t count[EG_LEX_NLISTS];
    uint64_t *filt[EG_LEX_NLISTS];  /* Bloom filter of the slots: nslots/16 words */
    uint64_t *ends[EG_LEX_NLISTS];  /* Bloom filter of the word hashes that end an
                                       entry (single words, last words of phrases) */
} eg_lex;

/* Adds the folded form of each line of the file to `list` ('#' comments,
 * blank lines skipped). Errors: "file:line: reason". */
int eg_lex_load(eg_lex *x, int list, const char *path, eg_err *e);
int eg_lex_add(eg_lex *x, int list, const char *word, size_t n);
/* Is the token's key in the list? (by key hash) */
int eg_lex_has(const eg_lex *x, int list, uint64_t key_hash);
/* Maps a list name ("given", "surname", "common", "title") to its index; -1 if none. */
int eg_lex_list_by_name(const char *name, size_t n);
void eg_lex_free(eg_lex *x);
/* Multi-word entries ("prime minister": words folded and joined by one
 * space) also add this marker for their last word, so a caller checks
 * eg_lex_has(x, list, eg_lex_tail_hash(tok.h)) before hashing the 2..4
 * words that end at a token. Zero-initialise an eg_lex before use. */
uint64_t eg_lex_tail_hash(uint64_t word_hash);
/* Same as eg_lex_has(x, list, eg_lex_tail_hash(word_hash)), faster. */
int eg_lex_has_tail(const eg_lex *x, int list, uint64_t word_hash);
/* 0 when no entry of the list ends with this word (neither the word alone
 * nor a phrase ending in it); 1 when one may (a filter: then ask
 * eg_lex_has and eg_lex_has_tail). */
int eg_lex_may_end(const eg_lex *x, int list, uint64_t word_hash);

/* ---- gazetteer ---- */

typedef struct {
    const char *id;     /* stable id */
    const char *label;  /* display label */
    eg_type type;
    int16_t prio;
    uint16_t flags;     /* EG_GE_* */
} eg_gaz_entry;

enum {
    EG_GE_LOWER = 1u << 0, /* the entry's capitalised aliases also match in lower case */
    EG_GE_CTX = 1u << 1    /* matches only in a place context (resolve.c checks) */
};

typedef struct eg_gaz eg_gaz;

eg_gaz *eg_gaz_new(void);
void eg_gaz_free(eg_gaz *g);
/* Loads a gazetteer file (format in gazetteers/README.md). */
int eg_gaz_load(eg_gaz *g, const char *path, eg_err *e);
/* Adds one alias to the entry with that id (creating the entry when new);
 * used by the loader, by tests and by the benchmark. */
int eg_gaz_add(eg_gaz *g, const char *id, eg_type type, const char *label,
               const char *alias, int16_t prio, uint16_t flags, eg_err *e);
/* Builds the lookup filters once loading is done (eg_ctx_seal calls it).
 * Matching works without it, only slower; adding an alias un-seals. */
int eg_gaz_seal(eg_gaz *g);
size_t eg_gaz_entry_count(const eg_gaz *g);
size_t eg_gaz_alias_count(const eg_gaz *g);
const eg_gaz_entry *eg_gaz_entry_at(const eg_gaz *g, uint32_t i);
/* Entry index by id, or EG_NONE. */
uint32_t eg_gaz_find_id(const eg_gaz *g, const char *id);
/* Appends a candidate for every gazetteer match in the document: at each
 * token, the longest alias that matches there (with its case policy). */
int eg_gaz_match(const eg_gaz *g, const eg_doc *d, eg_cands *out, eg_err *e);

/* ---- pattern rules ---- */

typedef struct eg_rules eg_rules;
typedef struct eg_rules_scratch eg_rules_scratch;

eg_rules *eg_rules_new(void);
void eg_rules_free(eg_rules *r);
/* Loads a rules file; errors "file:line:column: PCRE2 message". */
int eg_rules_load(eg_rules *r, const char *path, eg_err *e);
/* Loads rules from a string (tests); `name` is used in messages. */
int eg_rules_load_string(eg_rules *r, const char *name, const char *text, size_t len, eg_err *e);
size_t eg_rules_count(const eg_rules *r);
const char *eg_rules_name(const eg_rules *r, uint16_t rule);

/* Per-thread match state (PCRE2 match data and JIT stack). */
eg_rules_scratch *eg_rules_scratch_new(const eg_rules *r);
void eg_rules_scratch_free(eg_rules_scratch *s);

/* Warnings go to this function (rule hit its match limit, ...). */
typedef void (*eg_rules_warn_fn)(void *ud, const char *line);

/* Runs every rule on the document's clean text and appends a candidate for
 * each match whose conditions hold. Spans are snapped to whole tokens. */
int eg_rules_match(const eg_rules *r, eg_rules_scratch *s, const eg_lex *lex,
                   const eg_doc *d, eg_cands *out, eg_rules_warn_fn warn, void *ud,
                   eg_err *e);

#endif

/*
 * text.h — the text layer: a document's original bytes become a clean text
 * (normalise.c), tokens with folded match keys (tokenize.c), and sentences
 * and paragraphs (segment.c). Offsets into the original bytes are kept for
 * every clean byte, so every later stage can report original offsets.
 *
 * One eg_doc per worker thread is reused from document to document: its
 * arrays grow as needed and are never freed between documents, so the hot
 * path allocates nothing per token.
 */
#ifndef EG_TEXT_H
#define EG_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Token kinds. */
enum { EG_TK_WORD = 1, EG_TK_NUM = 2, EG_TK_PUNCT = 3 };

/* Token flags (bits). Case flags describe the clean text (case kept). */
enum {
    EG_TF_CAP = 1u << 0,        /* first letter upper-case ("Iran", "IRAN", "U.S.") */
    EG_TF_ALLCAP = 1u << 1,     /* every letter upper-case, at least one letter ("MEK", "U.S.") */
    EG_TF_LOWER = 1u << 2,      /* first letter lower-case */
    EG_TF_SPACE_BEFORE = 1u << 3, /* white space (or start of text) before the token */
    EG_TF_NL_BEFORE = 1u << 4,  /* a line break in the white space before */
    EG_TF_SENT_START = 1u << 5, /* first token of a sentence */
    EG_TF_PARA_START = 1u << 6, /* first token of a paragraph */
    EG_TF_POSS = 1u << 7,       /* possessive ending token: "'s" or a lone "'" after s */
    EG_TF_JOINER = 1u << 8,     /* a hyphen or dash with no space on either side,
                                   joining two words ("Iran-Iraq"); matching skips it */
    EG_TF_DOTTED = 1u << 9,     /* dotted acronym or initial ("U.S.", "F.B.I.", "H.") */
    EG_TF_DIGIT = 1u << 10,     /* contains a digit */
    EG_TF_ABBREV = 1u << 11,    /* known abbreviation with its dot ("Mr.", "Gen.") */
    EG_TF_QUOTE = 1u << 12,     /* a quote mark (' or ") */
    EG_TF_DASH = 1u << 13,      /* a hyphen or dash of any kind */
    EG_TF_SENT_END = 1u << 14,  /* ends a sentence (., !, ?, or the last token) */
    EG_TF_NONALPHA = 1u << 15   /* word that has no letter at all */
};

typedef struct {
    uint32_t s, e;      /* byte range [s, e) in eg_doc.text (clean text) */
    uint32_t key;       /* offset of the folded key in eg_doc.keys */
    uint32_t klen;      /* key length in bytes */
    uint64_t h;         /* eg_hash of the key */
    uint32_t sent;      /* sentence index */
    uint32_t para;      /* paragraph index */
    uint16_t kind;      /* EG_TK_* */
    uint16_t flags;     /* EG_TF_* */
} eg_token;

/* A range of tokens [t0, t1). */
typedef struct {
    uint32_t t0, t1;
} eg_span;

typedef struct eg_doc {
    const char *name;        /* document name (borrowed) */
    const char *orig;        /* original bytes (borrowed) */
    size_t orig_len;

    /* Clean text: NFKC-composed UTF-8, case kept; typographic apostrophes,
     * quotes and dashes, and no-break and other spaces folded to their
     * plain ASCII forms; invalid bytes as U+FFFD; control characters other
     * than \n and \t as spaces; \r\n and \r as \n; a leading BOM dropped.
     * NUL-terminated when it is a copy. When the original is plain ASCII
     * with nothing to fold, text points at orig and map is NULL (identity);
     * text[len] is then whatever follows the caller's bytes (a NUL when
     * they came from eg_read_file), so always use len. */
    const char *text;
    size_t len;
    char *text_own;          /* storage behind text when it is a copy */
    size_t text_cap;
    /* map[i] = original byte offset of the source character that produced
     * clean byte i; map[len] = orig_len. NULL means identity. */
    uint32_t *map;
    uint32_t *map_own;       /* storage behind map, kept while map is NULL */
    size_t map_cap;

    int bad_utf8;            /* invalid UTF-8 was seen */
    size_t bad_utf8_at;      /* offset of the first invalid byte */

    eg_token *tok;
    size_t ntok, tok_cap;
    char *keys;              /* folded keys, each NUL-terminated */
    size_t keys_len, keys_cap;

    eg_span *sents;
    size_t nsent, sent_cap;
    eg_span *paras;
    size_t npara, para_cap;
} eg_doc;

void eg_doc_init(eg_doc *d);
void eg_doc_free(eg_doc *d); /* frees the arrays; d can be re-initialised */

/* normalise.c: fills text, len, map, bad_utf8*. Returns EG_OK or EG_ENOMEM. */
int eg_normalise(eg_doc *d, const char *name, const char *bytes, size_t len, eg_err *e);

/* Original byte offset of clean offset `pos` used as a start, and of clean
 * offset `end` used as an exclusive end (just after the source character
 * that produced clean byte end-1). */
uint32_t eg_doc_orig_start(const eg_doc *d, uint32_t pos);
uint32_t eg_doc_orig_end(const eg_doc *d, uint32_t end);

/* Folds UTF-8 s into a match key appended to b: case-folded, accents
 * stripped, compatibility-composed, typographic punctuation folded, dots
 * removed from dotted acronyms ("U.S." → "us"). Used for tokens and for
 * gazetteer aliases alike, so both sides fold the same way.
 * Precisely: NFKC + case fold + marks stripped (ø æ œ ł đ ð þ ı ħ mapped
 * to ASCII too); the folds of the clean text (’ → ', “ → ", – → -, … →
 * "...", zero-width characters dropped); a '.' right after a letter is
 * dropped ("Mr." → "mr", but "3.5" and "..." stay); runs of white space
 * become one ' ' and leading/trailing white space goes; invalid bytes
 * become U+FFFD. NUL-terminates b (not counted in b->len). */
int eg_fold_key(eg_buf *b, const char *s, size_t n);

/* tokenize.c: fills tok, keys (after eg_normalise). */
int eg_tokenize(eg_doc *d, eg_err *e);
/* The same with the general code only, no fast paths: for tests, which
 * check that both give the same tokens, keys and hashes. */
int eg_tokenize_general(eg_doc *d, eg_err *e);
/* A light entry for short strings (gazetteer aliases): when s is ASCII
 * letters in words separated by single spaces, fills d as eg_normalise and
 * eg_tokenize would (text is s, borrowed) and returns 1; returns 0 for
 * any other string (take the full path: d's tokens are then stale), or
 * EG_ENOMEM. */
int eg_tokenize_words(eg_doc *d, const char *name, const char *s, size_t n, eg_err *e);

/* segment.c: sets sent/para on each token, EG_TF_SENT_START/PARA_START/
 * SENT_END flags, and fills sents and paras (after eg_tokenize). */
int eg_segment(eg_doc *d, eg_err *e);

/* Runs the three steps. */
int eg_text_prepare(eg_doc *d, const char *name, const char *bytes, size_t len, eg_err *e);

/* Is `word` (ASCII, any case, without the dot) an abbreviation kept with
 * its dot ("mr", "dr", "gen", "st", ...)? 0: no; 1: never ends a sentence
 * (titles, "vs", months); 2: ends one only before a clear sentence starter
 * ("etc", "inc", "jr", "st"). */
int eg_is_abbrev(const char *word, size_t n);
/* The same for a word of 1 to 7 lower-case ASCII letters given as their
 * little-endian value, the bytes past the word zero (the tokenizer has
 * the folded key in a register). */
int eg_abbrev_le8(uint64_t x);

/* The token's key as a C string. */
static inline const char *eg_tok_key(const eg_doc *d, const eg_token *t) { return d->keys + t->key; }

#endif

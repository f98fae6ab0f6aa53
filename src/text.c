/*
 * text.c — the text layer's entry points: the reusable eg_doc, the three
 * steps in a row (normalise.c → tokenize.c → segment.c), mapping clean
 * offsets back to original bytes, and the abbreviation list shared by the
 * tokenizer (which keeps "Mr." as one token) and the segmenter (which does
 * not end a sentence there).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void eg_doc_init(eg_doc *d)
{
    memset(d, 0, sizeof *d);
    d->text = "";
}

void eg_doc_free(eg_doc *d)
{
    if (!d)
        return;
    eg_free(d->text_own);
    eg_free(d->map_own);
    eg_free(d->tok);
    eg_free(d->keys);
    eg_free(d->sents);
    eg_free(d->paras);
    eg_doc_init(d);
}

int eg_text_prepare(eg_doc *d, const char *name, const char *bytes, size_t len, eg_err *e)
{
    int rc;
    d->ntok = d->keys_len = d->nsent = d->npara = 0;
    if ((rc = eg_normalise(d, name, bytes, len, e)))
        return rc;
    if ((rc = eg_tokenize(d, e)))
        return rc;
    return eg_segment(d, e);
}

uint32_t eg_doc_orig_start(const eg_doc *d, uint32_t pos)
{
    if (!d->map)
        return pos;
    if (pos > d->len)
        pos = (uint32_t)d->len;
    return d->map[pos];
}

/* Is there a character at p[0..n) that normalisation drops (zero-width,
 * soft hyphen, BOM, bidi mark) ending exactly at p + n? Returns its length
 * or 0. Used to keep such characters out of the end of a span. */
static size_t dropped_before(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xAD)
        return 2; /* U+00AD */
    if (n >= 3) {
        const unsigned char *q = p + n - 3;
        if (q[0] == 0xE2 && q[1] == 0x80 && ((q[2] >= 0x8B && q[2] <= 0x8F) || (q[2] >= 0xAA && q[2] <= 0xAE)))
            return 3; /* U+200B..200F, U+202A..202E */
        if (q[0] == 0xE2 && q[1] == 0x81 && (q[2] == 0xA0 || (q[2] >= 0xA6 && q[2] <= 0xA9)))
            return 3; /* U+2060, U+2066..2069 */
        if (q[0] == 0xEF && q[1] == 0xBB && q[2] == 0xBF)
            return 3; /* U+FEFF */
        if (q[0] == 0xE1 && q[1] == 0xA0 && q[2] == 0x8E)
            return 3; /* U+180E */
    }
    return 0;
}

/*
 * The end of the source of clean byte end-1: the original offset of the
 * next clean byte that came from a different source character (map[len]
 * is orig_len, so there always is one), less any dropped characters that
 * sit between the two.
 */
uint32_t eg_doc_orig_end(const eg_doc *d, uint32_t end)
{
    uint32_t o, j, nx;
    if (!d->map)
        return end;
    if (end > d->len)
        end = (uint32_t)d->len;
    if (end == 0)
        return d->map[0];
    o = d->map[end - 1];
    j = end;
    while (j < d->len && d->map[j] == o)
        j++;
    nx = d->map[j];
    if (nx == o) /* cannot happen: map[len] = orig_len > o */
        return nx;
    for (;;) {
        size_t k = dropped_before((const unsigned char *)d->orig + o + 1, nx - o - 1);
        if (!k)
            break;
        nx -= (uint32_t)k;
    }
    return nx;
}

/* Abbreviations kept with their dot as one token, lower-case, sorted.
 * Kind 1: never ends a sentence (titles, "vs", months). Kind 2: ends one
 * only before a clear sentence starter or a paragraph break ("etc", "Inc"). */
typedef struct {
    const char *w;
    int kind;
} abbrev_t;

static const abbrev_t abbrevs[] = {
    {"adm", 1},   {"al", 2},     {"approx", 1}, {"apr", 1},   {"aug", 1},   {"ave", 2},
    {"bldg", 1},  {"blvd", 2},   {"brig", 1},   {"bros", 2},  {"ca", 1},    {"capt", 1},
    {"cdr", 1},   {"cf", 1},     {"cmdr", 1},   {"co", 2},    {"col", 1},   {"corp", 2},
    {"cpl", 1},   {"dec", 1},    {"dept", 1},   {"dr", 1},    {"eds", 2},   {"esq", 2},
    {"est", 1},   {"etc", 2},    {"feb", 1},    {"fig", 1},   {"fr", 1},    {"ft", 1},
    {"gen", 1},   {"gens", 1},   {"gov", 1},    {"govt", 2},  {"hon", 1},   {"inc", 2},
    {"jan", 1},   {"jr", 2},     {"jul", 1},    {"jun", 1},   {"lt", 1},    {"ltd", 2},
    {"maj", 1},   {"mar", 1},    {"messrs", 1}, {"mlle", 1},  {"mme", 1},   {"mr", 1},
    {"mrs", 1},   {"ms", 1},     {"mt", 1},     {"no", 1},    {"nos", 1},   {"nov", 1},
    {"oct", 1},   {"pp", 1},     {"pres", 1},   {"prof", 1},  {"pvt", 1},   {"rd", 2},
    {"rep", 1},   {"reps", 1},   {"rev", 1},    {"sen", 1},   {"sens", 1},  {"sep", 1},
    {"sept", 1},  {"sgt", 1},    {"sr", 2},     {"st", 2},    {"supt", 1},  {"univ", 1},
    {"viz", 1},   {"vol", 1},    {"vs", 1},
};

/* A perfect hash of the list above: the word's lower-case bytes as a
 * little-endian number (zero-padded), times ABBREV_K, top 8 bits, index
 * the slot; a slot holds 1 + the word's index in abbrevs[], 0 when empty.
 * The tokenizer asks at every word before a '.', so this is one multiply
 * and one compare. When you change abbrevs[], regenerate the slots (find
 * an odd constant that maps every word to its own slot) or the new words
 * will not be found; test_text checks every word of the list. */
#define ABBREV_K 0xafbc02ba71699b09ULL
static const unsigned char abbrev_slot[256] = {
     0,  0,  0,  0, 51,  0, 25, 52,  0,  0,  0, 65,  0, 31,  4,  0,
     0,  0,  0, 58,  0, 35,  0,  0,  0,  0, 15,  0,  0,  0,  0,  0,
     0,  9, 70, 56, 55,  0,  0,  0, 72,  0,  0,  0, 37,  0,  0,  0,
     1, 43, 11,  0,  0,  0, 30,  0,  0,  0,  0, 28,  0, 27,  0,  0,
     0, 53,  0, 18,  0,  0,  0, 44, 50, 54, 64,  0,  0,  0,  0,  0,
    66,  0,  0,  6, 41,  0,  0,  0,  0,  0,  0,  0,  0, 19, 22,  0,
     0, 62,  0,  0,  0, 42,  0,  0,  0,  0, 73,  0,  0,  0,  0, 57,
     0,  0,  0,  0,  0, 75,  0,  0,  0,  0, 16, 33,  0, 38,  0, 21,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 71, 48,  0,  0,  0,
     0,  0,  0,  0, 26,  0,  0,  0,  0,  0,  0,  0,  5, 13,  0,  0,
    61, 17,  0,  0,  0,  0,  0,  0,  0,  0, 69,  7, 74,  8,  0,  0,
    63,  0, 60,  0,  0,  0,  0,  0,  0,  0,  0,  0,  3,  0, 29,  0,
     0,  0,  0,  0,  0,  0, 49, 59,  0,  0,  0, 67,  0,  0, 32,  0,
     0,  0,  0, 68,  0,  0,  0, 39,  0, 46,  0,  0,  0, 40, 14, 12,
    20,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0, 36, 45,  0, 10,  0,
     0,  0,  0, 47,  0,  0,  0, 34,  0,  0,  0,  0,  0,  0, 24, 23,
};

int eg_is_abbrev(const char *word, size_t n)
{
    uint64_t x = 0;
    size_t i;
    if (n == 0 || n >= 8)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)word[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c < 'a' || c > 'z')
            return 0;
        x |= (uint64_t)c << (8 * i);
    }
    return eg_abbrev_le8(x);
}

int eg_abbrev_le8(uint64_t x)
{
    uint64_t y = 0;
    unsigned slot;
    size_t i;
    const char *w;
    slot = abbrev_slot[(x * ABBREV_K) >> 56];
    if (!slot)
        return 0;
    w = abbrevs[slot - 1].w;
    for (i = 0; w[i]; i++)
        y |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return x == y ? abbrevs[slot - 1].kind : 0;
}

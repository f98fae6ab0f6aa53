/*
 * lex.c — the lexicon: word lists the pattern rules consult (given names,
 * surnames, common lower-case words, titles). Each list is a set of the
 * eg_hash values of folded keys, so a token is looked up by its precomputed
 * key hash (eg_token.h) with no string work on the hot path.
 *
 * Keys. A line is split into words at white space and hyphens; each word is
 * folded with eg_fold_key (the same folding the tokenizer applies), and the
 * words are joined with one space: "Prime Minister" and "prime-minister"
 * both become "prime minister". A word that ends in '.' ("Gen.", "Mr.") is
 * stored with and without its dot, whatever the tokenizer makes of it.
 *
 * Multi-word entries. Besides the whole key, a multi-word entry adds a tail
 * marker: eg_lex_tail_hash(hash of its last word). A caller that wants to
 * know whether the words ending at some token form an entry first asks
 * whether that token's key hash has the tail marker, and only then hashes
 * the 2, 3, 4 words before it joined by spaces (rules.c: title()). Single
 * words never collide with markers because markers are mixed with a salt.
 *
 * Speed. Most lookups ask about a word that is not in the list (is this
 * capitalised word a common word? is this word a title?), and the big lists
 * (61k common words) do not fit in cache. Each list therefore has a Bloom
 * filter (two bits in one 64-bit word, 1/16 of the table's size) that
 * answers most of those with one read; and a fixed-size filter keyed by
 * the plain word hash holds every word that ends an entry (single words
 * and the last words of phrases), so eg_lex_may_end rules most words out
 * of "is this word, or a phrase ending in it, in the list?" with one read,
 * and eg_lex_has_tail does not mix a marker for every word it is asked
 * about.
 *
 * Zero-initialise an eg_lex before use; eg_lex_free releases it. Loading is
 * single-threaded; lookups are read-only and thread-safe.
 */
#include "match.h"

#include <string.h>

#define LEX_TAIL_SALT 0x7461696c2d6d6b72ull /* "tail-mkr" */

/* The slot value for a hash: 0 marks an empty slot, so a real 0 becomes 1. */
static uint64_t lex_slotval(uint64_t h) { return h ? h : 1; }

uint64_t eg_lex_tail_hash(uint64_t word_hash) { return eg_hash_mix(word_hash, LEX_TAIL_SALT); }

/* Bloom filters: two bits in one 64-bit word, so a lookup reads one word.
 * The word comes from the top bits of the hash, the bits from the bottom. */
#define LEX_END_WORDS 1024 /* 64 Kibit for the words that end an entry */

static uint64_t filt_bits(uint64_t v) { return (1ull << (v & 63)) | (1ull << ((v >> 6) & 63)); }
static size_t filt_word(uint64_t v, size_t nwords) { return (size_t)(v >> 40) & (nwords - 1); }

static void filt_add(uint64_t *f, size_t nwords, uint64_t v) { f[filt_word(v, nwords)] |= filt_bits(v); }

static int filt_has(const uint64_t *f, size_t nwords, uint64_t v)
{
    uint64_t b = filt_bits(v);
    return (f[filt_word(v, nwords)] & b) == b;
}

static int lex_insert(uint64_t *slots, size_t nslots, uint64_t v)
{
    size_t mask = nslots - 1, i = (size_t)(v ^ (v >> 29)) & mask;
    while (slots[i]) {
        if (slots[i] == v)
            return 0;
        i = (i + 1) & mask;
    }
    slots[i] = v;
    return 1;
}

/* Makes room in a list for `more` hashes at most half load, doubling the
 * table (and its filter) as often as needed. */
static int lex_reserve(eg_lex *x, int list, size_t more)
{
    if ((x->count[list] + more) * 2 > x->nslots[list]) {
        size_t n = x->nslots[list] ? x->nslots[list] * 2 : 256, i;
        while ((x->count[list] + more) * 2 > n)
            n *= 2;
        uint64_t *ns = eg_calloc(n, sizeof *ns), *nf = eg_calloc(n / 16, sizeof *nf);
        if (!ns || !nf) {
            eg_free(ns);
            eg_free(nf);
            return EG_ENOMEM;
        }
        for (i = 0; i < x->nslots[list]; i++)
            if (x->slots[list][i]) {
                lex_insert(ns, n, x->slots[list][i]);
                filt_add(nf, n / 16, x->slots[list][i]);
            }
        eg_free(x->slots[list]);
        eg_free(x->filt[list]);
        x->slots[list] = ns;
        x->filt[list] = nf;
        x->nslots[list] = n;
    }
    return EG_OK;
}

/* Adds one hash to a list, doubling the table (and its filter) at half load. */
static int lex_add_hash(eg_lex *x, int list, uint64_t h)
{
    uint64_t v = lex_slotval(h);
    if (lex_reserve(x, list, 1))
        return EG_ENOMEM;
    if (lex_insert(x->slots[list], x->nslots[list], v)) {
        x->count[list]++;
        filt_add(x->filt[list], x->nslots[list] / 16, v);
    }
    return EG_OK;
}

static int lex_is_sep(unsigned char c) { return c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n'; }

/* Folds the words of s into b joined by single spaces; drops each word's
 * final '.' when `nodot`. Records where the last word starts. */
static int lex_fold_words(eg_buf *b, const char *s, size_t n, int nodot, size_t *last, size_t *nwords)
{
    size_t i = 0;
    eg_buf_reset(b);
    *nwords = 0;
    *last = 0;
    while (i < n) {
        size_t j;
        while (i < n && lex_is_sep((unsigned char)s[i]))
            i++;
        j = i;
        while (j < n && !lex_is_sep((unsigned char)s[j]))
            j++;
        if (j > i) {
            size_t wn = j - i;
            if (nodot && wn > 1 && s[i + wn - 1] == '.')
                wn--;
            if (*nwords && eg_buf_addc(b, ' '))
                return EG_ENOMEM;
            *last = b->len;
            if (eg_fold_key(b, s + i, wn))
                return EG_ENOMEM;
            (*nwords)++;
        }
        i = j;
    }
    eg_buf_cstr(b);
    return EG_OK;
}

/* Adds the key in b (nw words, the last one at b->p + last) to a list. */
static int lex_add_key(eg_lex *x, int list, const eg_buf *b, size_t last, size_t nw)
{
    uint64_t h = eg_hash(b->p, b->len);
    int rc;
    if (!x->ends[list] && !(x->ends[list] = eg_calloc(LEX_END_WORDS, sizeof *x->ends[list])))
        return EG_ENOMEM;
    if ((rc = lex_add_hash(x, list, h)))
        return rc;
    if (nw > 1) {
        uint64_t wh = eg_hash(b->p + last, b->len - last);
        filt_add(x->ends[list], LEX_END_WORDS, wh);
        rc = lex_add_hash(x, list, eg_lex_tail_hash(wh));
    } else {
        filt_add(x->ends[list], LEX_END_WORDS, h); /* the whole key is the word */
    }
    return rc;
}

static int lex_add_form(eg_lex *x, int list, eg_buf *b, const char *s, size_t n, int nodot)
{
    size_t last, nw;
    int rc = lex_fold_words(b, s, n, nodot, &last, &nw);
    if (rc || !nw || !b->len)
        return rc;
    return lex_add_key(x, list, b, last, nw);
}

/* Most lines are one word of ASCII letters, whose key (what
 * lex_fold_words would make of it) is the word lower-cased: put it in b
 * without the general folding. Returns 0 for any other line. */
static int lex_plain_word(eg_buf *b, const char *s, size_t n)
{
    size_t i;
    if (!n)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned)(((unsigned char)s[i] | 0x20) - 'a') >= 26u)
            return 0;
    eg_buf_reset(b);
    if (eg_buf_reserve(b, n))
        return EG_ENOMEM;
    for (i = 0; i < n; i++)
        b->p[i] = (char)(s[i] | 0x20);
    b->len = n;
    b->p[n] = 0;
    return 1;
}

/* eg_lex_add with a scratch buffer b of the caller's, so that a file's
 * words share one. */
static int lex_add_line(eg_lex *x, int list, eg_buf *b, const char *word, size_t n)
{
    size_t i;
    int rc, dotted = 0;
    if ((rc = lex_plain_word(b, word, n)))
        return rc < 0 ? rc : lex_add_key(x, list, b, 0, 1);
    /* a word ending in '.' is added both ways */
    for (i = 0; i < n; i++)
        if (word[i] == '.' && (i + 1 == n || lex_is_sep((unsigned char)word[i + 1])))
            dotted = 1;
    rc = lex_add_form(x, list, b, word, n, 0);
    if (!rc && dotted)
        rc = lex_add_form(x, list, b, word, n, 1);
    return rc;
}

int eg_lex_add(eg_lex *x, int list, const char *word, size_t n)
{
    eg_buf b = {0};
    int rc;
    if (list < 0 || list >= EG_LEX_NLISTS)
        return EG_EUSAGE;
    rc = lex_add_line(x, list, &b, word, n);
    eg_buf_free(&b);
    return rc;
}

int eg_lex_load(eg_lex *x, int list, const char *path, eg_err *e)
{
    char *buf = NULL;
    size_t len = 0, pos = 0, line = 0;
    eg_buf b = {0};
    int rc;
    if (list < 0 || list >= EG_LEX_NLISTS)
        return eg_err_set(e, EG_EUSAGE, "%s: no such word list (%d)", path, list);
    if ((rc = eg_read_file(path, &buf, &len, e)))
        return rc;
    /* room for a hash per line: a big list is not rehashed while it grows */
    {
        size_t lines = 1;
        const char *p = buf, *end = buf + len;
        while ((p = memchr(p, '\n', (size_t)(end - p)))) {
            lines++;
            p++;
        }
        if ((rc = lex_reserve(x, list, lines))) {
            eg_err_nomem(e);
            goto out;
        }
    }
    while (pos < len) {
        size_t s = pos, end;
        char *nl = memchr(buf + pos, '\n', len - pos);
        end = nl ? (size_t)(nl - buf) : len;
        pos = nl ? end + 1 : len;
        line++;
        while (s < end && (buf[s] == ' ' || buf[s] == '\t'))
            s++;
        while (end > s && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\r'))
            end--;
        if (s == end || buf[s] == '#')
            continue;
        if (eg_utf8_bad_at((const unsigned char *)buf + s, end - s) < end - s) {
            rc = eg_err_set(e, EG_EDATA, "%s:%zu: invalid UTF-8", path, line);
            goto out;
        }
        if ((rc = lex_add_line(x, list, &b, buf + s, end - s))) {
            eg_err_nomem(e);
            goto out;
        }
    }
out:
    eg_free(buf);
    eg_buf_free(&b);
    return rc;
}

int eg_lex_has(const eg_lex *x, int list, uint64_t key_hash)
{
    uint64_t v = lex_slotval(key_hash);
    const uint64_t *slots;
    size_t mask, i;
    if (!x || (unsigned)list >= EG_LEX_NLISTS || !x->nslots[list])
        return 0;
    if (!filt_has(x->filt[list], x->nslots[list] / 16, v))
        return 0;
    slots = x->slots[list];
    mask = x->nslots[list] - 1;
    i = (size_t)(v ^ (v >> 29)) & mask;
    while (slots[i]) {
        if (slots[i] == v)
            return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

int eg_lex_may_end(const eg_lex *x, int list, uint64_t word_hash)
{
    return x && (unsigned)list < EG_LEX_NLISTS && x->ends[list] && filt_has(x->ends[list], LEX_END_WORDS, word_hash);
}

int eg_lex_has_tail(const eg_lex *x, int list, uint64_t word_hash)
{
    return eg_lex_may_end(x, list, word_hash) && eg_lex_has(x, list, eg_lex_tail_hash(word_hash));
}

int eg_lex_list_by_name(const char *name, size_t n)
{
    static const char *const names[EG_LEX_NLISTS] = {"given", "surname", "common", "title", "female", "male"};
    int i;
    for (i = 0; i < EG_LEX_NLISTS; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return i;
    return -1;
}

void eg_lex_free(eg_lex *x)
{
    int i;
    if (!x)
        return;
    for (i = 0; i < EG_LEX_NLISTS; i++) {
        eg_free(x->slots[i]);
        eg_free(x->filt[i]);
        eg_free(x->ends[i]);
    }
    memset(x, 0, sizeof *x);
}

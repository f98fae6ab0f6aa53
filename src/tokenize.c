/*
 * tokenize.c — second stage of the text layer: the clean text becomes
 * tokens (byte ranges in the clean text) with flags and folded match keys.
 * Runs after eg_normalise, before eg_segment.
 *
 * What is one token:
 *  - a word: letters, digits and marks, with internal apostrophes
 *    ("O'Brien", "don't", "they're");
 *  - a number: digits with "," before three digits and "." before a digit
 *    ("1,000", "3.5", "2014"); digits followed by letters ("1980s", "3rd")
 *    make a word with EG_TF_DIGIT;
 *  - a dotted acronym or initial with its dots ("U.S.", "F.B.I.", "e.g.",
 *    "H."), EG_TF_DOTTED, key without dots ("us");
 *  - a known abbreviation with its dot ("Mr.", "Gen.", "etc."),
 *    EG_TF_ABBREV, key without the dot; see eg_is_abbrev;
 *  - one punctuation character, except a run of dots ("...").
 *
 * Decisions:
 *  - Possessive and contracted "'s" is always split off as its own token
 *    ("Zarif's" → "Zarif" "'s", "it's" → "it" "'s"). It is flagged
 *    EG_TF_POSS unless the word before is a pronoun or adverb that takes the
 *    contraction ("it", "he", "that", "there", "let", ...), so "'s" after a
 *    name or noun is POSS. A lone "'" after a word ending in "s" is POSS
 *    ("the Rajavis' ") unless a single quote is open on that line (then it
 *    closes the quote). POSS tokens carry no case flags. Other contractions
 *    stay inside the word ("don't", "we're").
 *  - Hyphenated words are split at every hyphen: "COVID-19" → "COVID" "-"
 *    "19", "al-Muhandis" → "al" "-" "Muhandis". A hyphen or dash with no
 *    space on either side, between two words or numbers, is EG_TF_JOINER
 *    ("Iran-Iraq", "Iran–Iraq"), except an em dash or horizontal bar
 *    ("the group—which"); every hyphen or dash is EG_TF_DASH. Matching skips joiners, so
 *    "Mojahedin-e-Khalq" and "Mojahedin-e Khalq" give the same word keys.
 *  - EG_TF_NONALPHA is set on every token without a letter (numbers and
 *    punctuation included).
 *
 * Speed: most tokens are plain ASCII words and punctuation. fast_run takes
 * them (sixteen bytes at a time with SSE2: masks of letters, digits and
 * bytes with 0x20 set give the word's end and its flags; the key is the
 * bytes with the letters' 0x20 set) and hands over to the general code, one token at a
 * time, wherever the next byte could change the token: an apostrophe, a
 * '.' after an initial, abbreviation or decimal, non-ASCII. The bulk of
 * them go through hot_run, fast_run's loop on its own: room for a 4 KB
 * chunk's tokens and keys is made once, so it has no bounds or growth
 * check per token and keeps its state in registers. All paths must give
 * the same tokens; the fast ones only ever take cases they fully know
 * (eg_tokenize_general runs the general code alone, for tests).
 */
#include <stddef.h>
#include <string.h>
#include <utf8proc.h>

#include "text.h"

/* Character classes. */
enum { C_SPACE, C_NL, C_ALPHA, C_DIGIT, C_MARK, C_PUNCT };

/* ASCII classes; upper-case letters are recognised separately. */
static const unsigned char aclass[128] = {
    C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_PUNCT, C_SPACE, C_NL,    C_SPACE, C_SPACE, C_NL,    C_PUNCT, C_PUNCT,
    C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_SPACE, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_DIGIT, C_DIGIT, C_DIGIT, C_DIGIT, C_DIGIT, C_DIGIT, C_DIGIT, C_DIGIT,
    C_DIGIT, C_DIGIT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_PUNCT, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
    C_PUNCT, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA, C_ALPHA,
    C_ALPHA, C_ALPHA, C_ALPHA, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT, C_PUNCT,
};

/* Word bytes (ASCII letters and digits) for the tokenizer's inner loop. */
enum { W_UP = 1, W_LOW = 2, W_DIGIT = 4 };
static const unsigned char wtab[256] = {
    ['0'] = W_DIGIT, ['1'] = W_DIGIT, ['2'] = W_DIGIT, ['3'] = W_DIGIT, ['4'] = W_DIGIT,
    ['5'] = W_DIGIT, ['6'] = W_DIGIT, ['7'] = W_DIGIT, ['8'] = W_DIGIT, ['9'] = W_DIGIT,
    ['A'] = W_UP, ['B'] = W_UP, ['C'] = W_UP, ['D'] = W_UP, ['E'] = W_UP, ['F'] = W_UP,
    ['G'] = W_UP, ['H'] = W_UP, ['I'] = W_UP, ['J'] = W_UP, ['K'] = W_UP, ['L'] = W_UP,
    ['M'] = W_UP, ['N'] = W_UP, ['O'] = W_UP, ['P'] = W_UP, ['Q'] = W_UP, ['R'] = W_UP,
    ['S'] = W_UP, ['T'] = W_UP, ['U'] = W_UP, ['V'] = W_UP, ['W'] = W_UP, ['X'] = W_UP,
    ['Y'] = W_UP, ['Z'] = W_UP,
    ['a'] = W_LOW, ['b'] = W_LOW, ['c'] = W_LOW, ['d'] = W_LOW, ['e'] = W_LOW, ['f'] = W_LOW,
    ['g'] = W_LOW, ['h'] = W_LOW, ['i'] = W_LOW, ['j'] = W_LOW, ['k'] = W_LOW, ['l'] = W_LOW,
    ['m'] = W_LOW, ['n'] = W_LOW, ['o'] = W_LOW, ['p'] = W_LOW, ['q'] = W_LOW, ['r'] = W_LOW,
    ['s'] = W_LOW, ['t'] = W_LOW, ['u'] = W_LOW, ['v'] = W_LOW, ['w'] = W_LOW, ['x'] = W_LOW,
    ['y'] = W_LOW, ['z'] = W_LOW,
};

/* Eight bytes at a time where the byte order allows (little-endian, GCC
 * or Clang): SWAR_H has the top bit of every byte; swar_in(x, lo, hi) sets
 * the top bit of each byte of x (all < 0x80) that lies in [lo, hi]. */
#ifndef EG_SWAR
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EG_SWAR 1
#else
#define EG_SWAR 0
#endif
#endif
#define SWAR_ONES 0x0101010101010101ULL

/* Sixteen bytes at a time with SSE2 (every x86-64). */
#ifndef TZ_SSE
#if defined(__SSE2__) && defined(__x86_64__)
#define TZ_SSE 1
#include <emmintrin.h>
#else
#define TZ_SSE 0
#endif
#endif
#define SWAR_H 0x8080808080808080ULL

static inline uint64_t swar_in(uint64_t x, unsigned lo, unsigned hi)
{
    return (x + SWAR_ONES * (0x80 - lo)) & ~(x + SWAR_ONES * (0x7F - hi)) & SWAR_H;
}

/* eg_hash of a key of n <= 8 bytes whose bytes are the low n bytes of x
 * (little-endian; the bytes above are dropped with a mask from a table,
 * cheaper than building it from n). */
static inline uint64_t hash_low(uint64_t x, size_t n)
{
    static const uint64_t keep[9] = {0,
                                     0xFFull,
                                     0xFFFFull,
                                     0xFFFFFFull,
                                     0xFFFFFFFFull,
                                     0xFFFFFFFFFFull,
                                     0xFFFFFFFFFFFFull,
                                     0xFFFFFFFFFFFFFFull,
                                     ~0ull};
    return eg_hash_le8(x & keep[n], n);
}

/* Letter case of a character: 1 upper/title, 2 lower, 0 none. */
enum { CASE_NONE = 0, CASE_UP = 1, CASE_LOW = 2 };

/* One character of the clean text. */
typedef struct {
    unsigned char cls;
    unsigned char lcase;
    unsigned char len; /* bytes */
} ch_t;

/* Non-ASCII characters: category from utf8proc. Clean text is valid
 * UTF-8, but a bad byte counts as one punctuation byte anyway. */
static ch_t ch_slow(const unsigned char *s, size_t i, size_t n)
{
    ch_t c;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
    c.lcase = CASE_NONE;
    if (k <= 0) {
        c.cls = C_PUNCT;
        c.len = 1;
        return c;
    }
    c.len = (unsigned char)k;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
        c.cls = C_ALPHA;
        c.lcase = CASE_UP;
        break;
    case UTF8PROC_CATEGORY_LL:
        c.cls = C_ALPHA;
        c.lcase = CASE_LOW;
        break;
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        c.cls = C_ALPHA;
        break;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        c.cls = C_MARK;
        break;
    case UTF8PROC_CATEGORY_ND:
        c.cls = C_DIGIT;
        break;
    case UTF8PROC_CATEGORY_ZS:
        c.cls = C_SPACE;
        break;
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        c.cls = C_NL;
        break;
    default:
        c.cls = C_PUNCT;
        break;
    }
    return c;
}

/* The character at s[i]: class, case and length. */
static inline ch_t ch_at(const unsigned char *s, size_t i, size_t n)
{
    unsigned b = s[i];
    if (b < 0x80) {
        ch_t c;
        c.cls = aclass[b];
        c.lcase = (b - 'A' < 26u) ? CASE_UP : (b - 'a' < 26u) ? CASE_LOW : CASE_NONE;
        c.len = 1;
        return c;
    }
    return ch_slow(s, i, n);
}

static int is_alnum_at(const unsigned char *s, size_t i, size_t n)
{
    ch_t c;
    if (i >= n)
        return 0;
    c = ch_at(s, i, n);
    return c.cls == C_ALPHA || c.cls == C_DIGIT || c.cls == C_MARK;
}

static int is_digit_at(const unsigned char *s, size_t i, size_t n)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

/* Words after which "'s" is the verb, not a possessive (lower-case keys). */
static int is_contraction_base(const char *k, size_t n)
{
#define W(s) {s, sizeof s - 1}
    static const struct {
        const char *w;
        size_t n;
    } w[] = {W("it"),   W("he"),  W("she"),      W("that"),      W("there"),  W("here"),    W("what"),
             W("who"),  W("where"), W("when"),   W("how"),       W("why"),    W("let"),     W("this"),
             W("everyone"), W("everybody"), W("nobody"), W("someone"), W("somebody"), W("one")};
#undef W
    size_t i;
    for (i = 0; i < sizeof w / sizeof w[0]; i++)
        if (w[i].n == n && memcmp(w[i].w, k, n) == 0)
            return 1;
    return 0;
}

/* Is there a possessive "'s" (then no word character) at s[i]? */
static int poss_at(const unsigned char *s, size_t i, size_t n)
{
    return i + 1 < n && s[i] == '\'' && (s[i + 1] == 's' || s[i + 1] == 'S') && !is_alnum_at(s, i + 2, n);
}

/* Was the '-' at clean offset pos an em dash or a horizontal bar in the
 * original? Those mark a break ("the group—which ..."), not a compound, so
 * they never join words even without spaces. */
static int em_dash(const eg_doc *d, size_t pos)
{
    const unsigned char *o;
    uint32_t at;
    if (!d->map)
        return 0;
    at = d->map[pos];
    if (at + 3 > d->orig_len)
        return 0;
    o = (const unsigned char *)d->orig + at;
    return o[0] == 0xE2 && o[1] == 0x80 && (o[2] == 0x94 || o[2] == 0x95);
}

/* Tokenizer state. */
typedef struct {
    eg_doc *d;
    const unsigned char *s;
    size_t n;
    eg_err *e;
} tz_t;

/* Appends token [s, e) of kind with flags; folds and hashes its key. */
static int push(tz_t *z, size_t s, size_t e, int kind, unsigned flags, int ascii)
{
    eg_doc *d = z->d;
    eg_token *t;
    size_t klen;
    uint64_t h = 0;
    int have_h = 0;
    if (d->ntok == d->tok_cap && EG_GROW(d->tok, d->tok_cap, d->ntok + 1))
        return eg_err_nomem(z->e);
    if (ascii) {
        /* same result as eg_fold_key for ASCII without white space */
        size_t i, need = d->keys_len + (e - s) + 9;
        char *k;
        int after_letter = 0;
        if (need > d->keys_cap && EG_GROW(d->keys, d->keys_cap, need))
            return eg_err_nomem(z->e);
        k = d->keys + d->keys_len;
        klen = 0;
#if EG_SWAR
        if (!(flags & (EG_TF_DOTTED | EG_TF_ABBREV)) && e + 8 <= z->n) {
            /* no dots to drop: lower-case eight bytes at a time (the
             * bytes after e are overwritten by the next key) */
            uint64_t first = 0;
            for (i = s; i < e; i += 8) {
                uint64_t x;
                memcpy(&x, z->s + i, 8);
                x |= swar_in(x & ~SWAR_H, 'A', 'Z') >> 2;
                memcpy(k + (i - s), &x, 8);
                if (i == s)
                    first = x;
            }
            klen = e - s;
            i = e;
            if (klen <= 8) {
                /* a short key is hashed from the register (eg_hash_le8 is
                 * eg_hash of the key's little-endian value) */
                h = hash_low(first, klen);
                have_h = 1;
            }
        }
#endif
        for (i = s + klen; i < e; i++) {
            unsigned char c = z->s[i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            if (c == '.' && after_letter) {
                after_letter = 0;
                continue;
            }
            after_letter = c >= 'a' && c <= 'z';
            k[klen++] = (char)c;
        }
        k[klen] = 0;
    } else {
        eg_buf b;
        b.p = d->keys;
        b.len = d->keys_len;
        b.cap = d->keys_cap;
        if (eg_fold_key(&b, (const char *)z->s + s, e - s) || eg_buf_reserve(&b, 1)) {
            d->keys = b.p;
            d->keys_cap = b.cap;
            return eg_err_nomem(z->e);
        }
        b.p[b.len] = 0;
        d->keys = b.p;
        d->keys_cap = b.cap;
        klen = b.len - d->keys_len;
    }
    t = &d->tok[d->ntok++];
    t->s = (uint32_t)s;
    t->e = (uint32_t)e;
    t->key = (uint32_t)d->keys_len;
    t->klen = (uint32_t)klen;
    t->h = have_h ? h : eg_hash(d->keys + d->keys_len, klen);
    t->sent = 0;
    t->para = 0;
    t->kind = (uint16_t)kind;
    t->flags = (uint16_t)flags;
    d->keys_len += klen + 1;
    return EG_OK;
}

/* Bytes that end a run of ASCII letters and digits without shaping the
 * token in any way (see the word loop in eg_tokenize): ASCII white space
 * and punctuation other than ' . , (a ',' only matters after a number).
 * Bit 1 (2) marks the punctuation that is a token of its own as it
 * stands (not '.', which runs, '-', which may join, or '\'', which may
 * quote); ',' has only that bit. */
static const unsigned char plain_end[256] = {
    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, ['\t'] = 1, ['\n'] = 1, [0x0B] = 1, [0x0C] = 1, ['\r'] = 1, [0x0E] = 1,
    [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
    [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1,
    [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, [0] = 1, [0x7F] = 1, [' '] = 1, ['-'] = 1,
    ['!'] = 3, ['"'] = 3, ['#'] = 3, ['$'] = 3, ['%'] = 3, ['&'] = 3,
    ['('] = 3, [')'] = 3, ['*'] = 3, ['+'] = 3, ['/'] = 3, [':'] = 3,
    [';'] = 3, ['<'] = 3, ['='] = 3, ['>'] = 3, ['?'] = 3, ['@'] = 3, ['['] = 3,
    ['\\'] = 3, [']'] = 3, ['^'] = 3, ['_'] = 3, ['`'] = 3, ['{'] = 3, ['|'] = 3,
    ['}'] = 3, ['~'] = 3, [','] = 2,
};

#if defined(__GNUC__)
#define TZ_INLINE static inline __attribute__((always_inline))
#define TZ_NOINLINE static __attribute__((noinline))
#define TZ_LIKELY(x) __builtin_expect(!!(x), 1)
#define TZ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TZ_INLINE static inline
#define TZ_NOINLINE static
#define TZ_LIKELY(x) (x)
#define TZ_UNLIKELY(x) (x)
#endif

/* A run of ASCII letters and digits s[i, j) is followed by '.': is it a
 * token as it stands, with the '.' a token of its own? Not for a decimal
 * ("3.5"), a single letter (maybe an initial, "H."), or a known
 * abbreviation ("Mr."); the general code decides those. */
static inline int dot_plain(const unsigned char *s, size_t i, size_t j, size_t n, int letters, int digits)
{
    if (!letters)
        return !(j + 1 < n && s[j + 1] >= '0' && s[j + 1] <= '9');
    if (j - i == 1)
        return 0;
    if (digits || (j + 1 < n && s[j + 1] == '.'))
        return 1;
    return !eg_is_abbrev((const char *)s + i, j - i);
}

/* Scans the run of ASCII letters and digits that starts at s[i]; returns
 * its end and sets *acc to the W_* classes seen. */
TZ_INLINE size_t alnum_run(const unsigned char *s, size_t i, size_t n, unsigned *acc_out)
{
    unsigned acc = 0, w;
#if EG_SWAR
    while (i + 8 <= n) {
        uint64_t v, x7, let, dig, word, stop, m;
        memcpy(&v, s + i, 8);
        x7 = v & ~SWAR_H;
        let = swar_in(x7 | SWAR_ONES * 0x20, 'a', 'z') & ~v;
        dig = swar_in(x7, '0', '9') & ~v;
        word = (let | dig) & SWAR_H;
        stop = ~word & SWAR_H;
        m = stop ? (((uint64_t)1 << (__builtin_ctzll(stop) & ~7u)) - 1) : ~(uint64_t)0;
        if ((let & m & (x7 << 2)) != 0)
            acc |= W_LOW;
        if ((let & m & ~(x7 << 2)) != 0)
            acc |= W_UP;
        if ((dig & m) != 0)
            acc |= W_DIGIT;
        if (stop) {
            *acc_out = acc;
            return i + (size_t)(__builtin_ctzll(stop) >> 3);
        }
        i += 8;
    }
#endif
    while (i < n && (w = wtab[s[i]]) != 0) {
        acc |= w;
        i++;
    }
    *acc_out = acc;
    return i;
}

/* Folds and hashes the key of a plain token s[a, a + klen) (ASCII letters
 * and digits, or one punctuation byte other than '.') into k: the bytes
 * lower-cased, exactly what push (and eg_fold_key) give for them. k has
 * room for klen + 9 bytes. */
TZ_INLINE uint64_t plain_key(const unsigned char *s, size_t n, size_t a, size_t klen, char *k)
{
    size_t i;
#if EG_SWAR
    if (a + klen + 8 <= n) {
        /* eight bytes at a time; the bytes after the key are overwritten
         * by the NUL and the next key */
        uint64_t x;
        memcpy(&x, s + a, 8);
        x |= swar_in(x & ~SWAR_H, 'A', 'Z') >> 2;
        memcpy(k, &x, 8);
        if (klen <= 8)
            return hash_low(x, klen);
        for (i = 8; i < klen; i += 8) {
            memcpy(&x, s + a + i, 8);
            x |= swar_in(x & ~SWAR_H, 'A', 'Z') >> 2;
            memcpy(k + i, &x, 8);
        }
        return eg_hash(k, klen);
    }
#endif
    for (i = 0; i < klen; i++) {
        unsigned char c = s[a + i];
        k[i] = (char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
    }
    return eg_hash(k, klen);
}

#if TZ_SSE
/* hot_run takes tokens that start before n - HOT_END (so sixteen bytes
 * from the start, and the byte after a word's end plus one, are in the
 * text), HOT_CHUNK bytes of starts per call. */
#define HOT_END 16
#define HOT_CHUNK 4096

/* Flags of the punctuation tokens hot_run takes: a byte that is a token
 * of its own as it stands (plain_end bit 2) and '.' (when no dot follows);
 * 0 for every other byte. */
static const uint16_t hot_punct[256] = {
    ['!'] = EG_TF_NONALPHA, ['"'] = EG_TF_NONALPHA | EG_TF_QUOTE, ['#'] = EG_TF_NONALPHA,
    ['$'] = EG_TF_NONALPHA, ['%'] = EG_TF_NONALPHA, ['&'] = EG_TF_NONALPHA,
    ['('] = EG_TF_NONALPHA, [')'] = EG_TF_NONALPHA, ['*'] = EG_TF_NONALPHA,
    ['+'] = EG_TF_NONALPHA, [','] = EG_TF_NONALPHA, ['.'] = EG_TF_NONALPHA,
    ['/'] = EG_TF_NONALPHA, [':'] = EG_TF_NONALPHA, [';'] = EG_TF_NONALPHA,
    ['<'] = EG_TF_NONALPHA, ['='] = EG_TF_NONALPHA, ['>'] = EG_TF_NONALPHA,
    ['?'] = EG_TF_NONALPHA, ['@'] = EG_TF_NONALPHA, ['['] = EG_TF_NONALPHA,
    ['\\'] = EG_TF_NONALPHA, [']'] = EG_TF_NONALPHA, ['^'] = EG_TF_NONALPHA,
    ['_'] = EG_TF_NONALPHA, ['`'] = EG_TF_NONALPHA | EG_TF_QUOTE, ['{'] = EG_TF_NONALPHA,
    ['|'] = EG_TF_NONALPHA, ['}'] = EG_TF_NONALPHA, ['~'] = EG_TF_NONALPHA,
};

/* What hot_run reads and leaves: the next token slot, the keys, the white
 * space before the next token (EG_TF_SPACE_BEFORE or 0). */
typedef struct {
    const eg_doc *d;  /* for the first token slot and em_dash */
    eg_token *t;
    char *keys;
    size_t kl;
    unsigned gap;
    int *squote_open; /* cleared at a line break */
} hot_t;

/* dot_plain for hot_run: the word s[j - len, j) has the letters A and
 * the digits D (masks) and k is its key (lower-case) in the low bytes. */
TZ_INLINE int hot_dot_plain(const unsigned char *s, size_t j, unsigned len, unsigned A, unsigned D, __m128i k)
{
    if (!A)
        return !(s[j + 1] >= '0' && s[j + 1] <= '9');
    if (len == 1)
        return 0;
    if (D || s[j + 1] == '.' || len >= 8)
        return 1;
    return !eg_abbrev_le8((uint64_t)_mm_cvtsi128_si64(k) & (((uint64_t)1 << 8 * len) - 1));
}

/* Sets t's kind and flags, with one 32-bit store where they are adjacent
 * in that order (little-endian; a constant the compiler folds). */
TZ_INLINE void put_kind_flags(eg_token *t, unsigned kind, unsigned fl)
{
#if EG_SWAR
    if (offsetof(eg_token, flags) == offsetof(eg_token, kind) + 2) {
        uint32_t kf = kind | fl << 16;
        memcpy((char *)t + offsetof(eg_token, kind), &kf, 4);
        return;
    }
#endif
    t->kind = (uint16_t)kind;
    t->flags = (uint16_t)fl;
}

/* Fills token slot t: [i, j), key at kl of klen bytes with hash h. */
TZ_INLINE void put_token(eg_token *t, size_t i, size_t j, size_t kl, unsigned klen, uint64_t h, unsigned kind,
                         unsigned fl)
{
    t->s = (uint32_t)i;
    t->e = (uint32_t)j;
    t->key = (uint32_t)kl;
    t->klen = klen;
    t->h = h;
    t->sent = 0;
    t->para = 0;
    put_kind_flags(t, kind, fl);
}

/*
 * The hot loop of fast_run, for tokens that start before lim: ASCII words
 * and numbers of at most fifteen bytes that end as fast_run's SSE2 path
 * takes them, the punctuation of hot_punct (a single '.'), hyphens, and
 * spaces, tabs and line breaks. The caller guarantees seventeen readable
 * bytes from every start before lim (see HOT_END), a token slot for every
 * byte in [i, lim) and 2 * (lim - i) + 32 bytes of room in the keys (each
 * token takes at most its own bytes plus a NUL, and the last one's key
 * store writes sixteen), so there is no bounds or growth check per token
 * and the loop's state stays in registers. Stops at lim or at the first
 * token it does not take (fast_run or the general code decides that one);
 * returns where it stopped.
 */
TZ_NOINLINE size_t hot_run(const unsigned char *s, size_t i, size_t lim, hot_t *st)
{
    eg_token *t = st->t;
    char *keys = st->keys;
    size_t kl = st->kl;
    uint32_t gap = st->gap << 16; /* kept where the flags go in kf below */
    const __m128i c20 = _mm_set1_epi8(0x20), ca = _mm_set1_epi8((char)(128 - 'a'));
    const __m128i c26 = _mm_set1_epi8((char)(-128 + 26)), c0 = _mm_set1_epi8((char)(128 - '0'));
    const __m128i c10 = _mm_set1_epi8((char)(-128 + 10));
    while (i < lim) {
        /* letters (any case) and digits of the sixteen bytes from s[i] */
        const __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        const __m128i al = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, c20), ca), c26);
        const __m128i dg = _mm_cmplt_epi8(_mm_add_epi8(v, c0), c10);
        unsigned A = (unsigned)_mm_movemask_epi8(al), D = (unsigned)_mm_movemask_epi8(dg), W = A | D, c;
        uint32_t kf; /* the token's kind, and its flags << 16 */
        size_t j;
        uint64_t h, x;
        /* slot t is free: fields are written as soon as they are known
         * (a token given up leaves them to be overwritten) */
        t->s = (uint32_t)i;
        if (TZ_LIKELY(W & 1)) {
            /* a word or number: its bytes are the run of ones at the
             * bottom of W (mask), len of them */
            unsigned mask = W ^ (W & (W + 1)), len = (unsigned)__builtin_ctz(~W);
            const __m128i k = _mm_or_si128(v, _mm_and_si128(al, c20)); /* letters get 0x20 */
            if (TZ_UNLIKELY(len == 16))
                break;
            j = i + len;
            c = s[j];
            A &= mask;
            D &= mask;
            if (TZ_UNLIKELY(!(plain_end[c] & 1)) && !(c == ',' && A) && !(c == '.' && hot_dot_plain(s, j, len, A, D, k)))
                break;
            t->e = (uint32_t)j;
            t->key = (uint32_t)kl;
            t->klen = len;
            t->sent = 0;
            t->para = 0;
            kf = gap | EG_TK_WORD;
            if (TZ_UNLIKELY(D))
                kf |= (uint32_t)EG_TF_DIGIT << 16;
            if (TZ_LIKELY(A & 1)) {
                /* starts with a letter: lower-case ones have 0x20 */
                if (s[i] & 0x20)
                    kf |= (uint32_t)EG_TF_LOWER << 16;
                else if (((unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 2)) & A) == 0)
                    kf |= (uint32_t)(EG_TF_CAP | EG_TF_ALLCAP) << 16;
                else
                    kf |= (uint32_t)EG_TF_CAP << 16;
            } else if (A) {
                /* bit 5 of each byte: set for the lower-case letters */
                unsigned L = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 2)) & A;
                if (L & (0u - A))
                    kf |= (uint32_t)EG_TF_LOWER << 16; /* the first letter is lower-case */
                else
                    kf |= (uint32_t)(L ? EG_TF_CAP : EG_TF_CAP | EG_TF_ALLCAP) << 16;
            } else {
                kf += EG_TK_NUM - EG_TK_WORD;
                kf |= (uint32_t)EG_TF_NONALPHA << 16;
            }
            put_kind_flags(t, kf & 0xFFFF, kf >> 16);
            _mm_storeu_si128((__m128i *)(keys + kl), k);
            keys[kl + len] = 0;
            x = (uint64_t)_mm_cvtsi128_si64(k);
            if (TZ_LIKELY(len <= 8)) {
                h = hash_low(x, len);
            } else {
                uint64_t b;
                memcpy(&b, keys + kl + len - 8, 8);
                h = eg_hash_le16(x, b, len);
            }
            t->h = h;
            kl += len + 1;
        } else {
            unsigned fl;
            c = s[i];
            if (c == ' ' || c == '\t') {
                gap |= (uint32_t)EG_TF_SPACE_BEFORE << 16;
                i++;
                continue;
            }
            fl = hot_punct[c];
            if (TZ_UNLIKELY(!fl)) {
                if (c == '\n') {
                    gap |= (uint32_t)(EG_TF_SPACE_BEFORE | EG_TF_NL_BEFORE) << 16;
                    *st->squote_open = 0;
                    i++;
                    continue;
                }
                if (c != '-' || s[i + 1] >= 0x80)
                    break;
                /* a hyphen; a joiner between two words written without space */
                fl = EG_TF_NONALPHA | EG_TF_DASH;
                if (!(gap & (uint32_t)EG_TF_SPACE_BEFORE << 16) && t > st->d->tok && t[-1].e == i &&
                    t[-1].kind != EG_TK_PUNCT && wtab[s[i + 1]] && !em_dash(st->d, i))
                    fl |= EG_TF_JOINER;
            } else if (c == '.' && s[i + 1] == '.') {
                break;
            }
            /* the byte is its key */
            keys[kl] = (char)c;
            keys[kl + 1] = 0;
            j = i + 1;
            put_token(t, i, j, kl, 1, eg_hash_le8(c, 1), EG_TK_PUNCT, fl | gap >> 16);
            kl += 2;
            c = s[j];
        }
        t++;
        /* one space after a token is the common case: take it now */
        if (c == ' ') {
            gap = (uint32_t)EG_TF_SPACE_BEFORE << 16;
            i = j + 1;
        } else {
            gap = 0;
            i = j;
        }
    }
    st->t = t;
    st->kl = kl;
    st->gap = gap >> 16;
    return i;
}
#endif

/*
 * The fast path: from s[i], tokens that are plain ASCII words or numbers
 * (a run of letters and digits ended by a byte that cannot reshape the
 * token, see plain_end) and plain punctuation, with the white space
 * between them, exactly as the general code in eg_tokenize would make
 * them. The next token slot and the key array are kept in locals so that
 * the key bytes written do not make the compiler reload them. Returns where the general
 * code must take over (or n); updates *gap and *squote_open; *rc is set on
 * out of memory. Not inlined: on its own the compiler keeps its loop's
 * values in registers, whatever the general code around it needs.
 */
TZ_NOINLINE size_t fast_run(tz_t *z, size_t i, unsigned *gapp, int *squote_open, int *rc)
{
    eg_doc *d = z->d;
    const unsigned char *s = z->s;
    size_t n = z->n;
    eg_token *t = d->tok + d->ntok, *tend = d->tok + d->tok_cap; /* next slot, end of room */
    char *keys = d->keys;
    size_t kl = d->keys_len, kcap = d->keys_cap;
    unsigned gap = *gapp;
    *rc = EG_OK;
    while (i < n) {
        unsigned c, fl;
        size_t j;
        int kind;
        uint64_t h;
#if TZ_SSE
        if (i + HOT_END < n) {
            /* the bulk of the tokens, a chunk at a time: room for the
             * most tokens and key bytes the chunk can hold, then hot_run */
            size_t r = n - HOT_END - i;
            hot_t hs;
            if (r > HOT_CHUNK)
                r = HOT_CHUNK;
            if (TZ_UNLIKELY((size_t)(tend - t) < r || kcap - kl < 2 * r + 32)) {
                size_t ntok = (size_t)(t - d->tok);
                int bad;
                d->keys = keys, d->keys_len = kl;
                bad = EG_GROW(d->tok, d->tok_cap, ntok + r) || EG_GROW(d->keys, d->keys_cap, kl + 2 * r + 32);
                t = d->tok + ntok, tend = d->tok + d->tok_cap, keys = d->keys, kcap = d->keys_cap;
                if (bad) {
                    *rc = eg_err_nomem(z->e);
                    break;
                }
            }
            hs.d = d, hs.t = t, hs.keys = keys, hs.kl = kl, hs.gap = gap, hs.squote_open = squote_open;
            i = hot_run(s, i, i + r, &hs);
            t = hs.t, kl = hs.kl, gap = hs.gap;
            if (i >= n)
                break;
        }
#endif
        c = s[i];
        if (wtab[c]) {
            /* a word or number: the common case, asked first */
            unsigned acc;
#if TZ_SSE
            if (TZ_LIKELY(i + 16 <= n)) {
                /* sixteen bytes at once: masks of letters, digits and
                 * bytes with 0x20 set (among letters, the lower-case
                 * ones; shifted into each byte's top bit for movemask);
                 * most words end inside them */
                const __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
                const __m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));
                const __m128i al = _mm_cmplt_epi8(_mm_add_epi8(lo, _mm_set1_epi8((char)(128 - 'a'))),
                                                  _mm_set1_epi8((char)(-128 + 26)));
                const __m128i dg = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))),
                                                  _mm_set1_epi8((char)(-128 + 10)));
                unsigned A = (unsigned)_mm_movemask_epi8(al), L = (unsigned)_mm_movemask_epi8(_mm_slli_epi16(v, 2));
                unsigned D = (unsigned)_mm_movemask_epi8(dg), stop = ~(A | D) & 0xFFFFu;
                if (TZ_LIKELY(stop)) {
                    unsigned len = (unsigned)__builtin_ctz(stop), mask = (1u << len) - 1;
                    j = i + len;
                    A &= mask;
                    if (TZ_UNLIKELY(!((plain_end[s[j]] & 1) || (s[j] == ',' && A) ||
                                     (s[j] == '.' && dot_plain(s, i, j, n, A != 0, (D & mask) != 0)))))
                        break;
                    fl = gap;
                    kind = EG_TK_WORD;
                    if (A) {
                        fl |= (L >> __builtin_ctz(A) & 1) ? EG_TF_LOWER : EG_TF_CAP;
                        if (!(A & L))
                            fl |= EG_TF_ALLCAP;
                    } else {
                        fl |= EG_TF_NONALPHA;
                        kind = EG_TK_NUM;
                    }
                    if (D & mask)
                        fl |= EG_TF_DIGIT;
                    if (TZ_UNLIKELY(t == tend || kl + 17 > kcap)) {
                        size_t ntok = (size_t)(t - d->tok);
                        int bad;
                        d->keys = keys, d->keys_len = kl;
                        bad = EG_GROW(d->tok, d->tok_cap, ntok + 1) || EG_GROW(d->keys, d->keys_cap, kl + 17);
                        /* reloaded even on failure: the first may have moved */
                        t = d->tok + ntok, tend = d->tok + d->tok_cap, keys = d->keys, kcap = d->keys_cap;
                        if (bad) {
                            *rc = eg_err_nomem(z->e);
                            break;
                        }
                    }
                    {
                        /* the key: letters get 0x20 (lower-case ones have it) */
                        const __m128i k = _mm_or_si128(v, _mm_and_si128(al, _mm_set1_epi8(0x20)));
                        _mm_storeu_si128((__m128i *)(keys + kl), k);
                        if (len <= 8) {
                            uint64_t x = (uint64_t)_mm_cvtsi128_si64(k);
                            h = hash_low(x, len);
                        } else {
                            h = eg_hash(keys + kl, len);
                        }
                    }
                    goto append;
                }
            }
#endif
            j = alnum_run(s, i, n, &acc);
            if (!(j == n || (plain_end[s[j]] & 1) || (s[j] == ',' && (acc & (W_UP | W_LOW))) ||
                  (s[j] == '.' && dot_plain(s, i, j, n, (acc & (W_UP | W_LOW)) != 0, (acc & W_DIGIT) != 0))))
                break;
            fl = gap;
            kind = EG_TK_WORD;
            if (acc & (W_UP | W_LOW)) {
                size_t f = i;
                while (!(wtab[s[f]] & (W_UP | W_LOW)))
                    f++;
                fl |= (wtab[s[f]] & W_UP) ? EG_TF_CAP : EG_TF_LOWER;
                if (!(acc & W_LOW))
                    fl |= EG_TF_ALLCAP;
            } else {
                fl |= EG_TF_NONALPHA;
                kind = EG_TK_NUM;
            }
            if (acc & W_DIGIT)
                fl |= EG_TF_DIGIT;
        } else if (c == ' ' || c == '\t') {
            gap |= EG_TF_SPACE_BEFORE;
            i++;
            continue;
        } else if (c == '\n') {
            gap |= EG_TF_SPACE_BEFORE | EG_TF_NL_BEFORE;
            *squote_open = 0;
            i++;
            continue;
        } else if (plain_end[c] & 2) {
            j = i + 1;
            fl = gap | EG_TF_NONALPHA | ((c == '"' || c == '`') ? EG_TF_QUOTE : 0);
            kind = EG_TK_PUNCT;
        } else if (c == '.') {
            /* a full stop or a run of dots: the key is the dots */
            for (j = i + 1; j < n && s[j] == '.'; j++)
                ;
            fl = gap | EG_TF_NONALPHA;
            kind = EG_TK_PUNCT;
        } else if (c == '-' && (i + 1 >= n || s[i + 1] < 0x80)) {
            /* a hyphen; a joiner between two words written without space */
            j = i + 1;
            fl = gap | EG_TF_NONALPHA | EG_TF_DASH;
            if (!(gap & EG_TF_SPACE_BEFORE) && t > d->tok && t[-1].e == i && t[-1].kind != EG_TK_PUNCT &&
                j < n && wtab[s[j]] && !em_dash(d, i))
                fl |= EG_TF_JOINER;
            kind = EG_TK_PUNCT;
        } else {
            break;
        }
        /* append token [i, j) */
        if (TZ_UNLIKELY(t == tend || kl + (j - i) + 9 > kcap)) {
            size_t ntok = (size_t)(t - d->tok);
            int bad;
            d->keys = keys, d->keys_len = kl;
            bad = EG_GROW(d->tok, d->tok_cap, ntok + 1) || EG_GROW(d->keys, d->keys_cap, kl + (j - i) + 9);
            /* reloaded even on failure: the first may have moved */
            t = d->tok + ntok, tend = d->tok + d->tok_cap, keys = d->keys, kcap = d->keys_cap;
            if (bad) {
                *rc = eg_err_nomem(z->e);
                break;
            }
        }
        h = plain_key(s, n, i, j - i, keys + kl);
#if TZ_SSE
    append:
#endif
        {
            size_t klen = j - i;
            keys[kl + klen] = 0;
            t->s = (uint32_t)i;
            t->e = (uint32_t)j;
            t->key = (uint32_t)kl;
            t->klen = (uint32_t)klen;
            t->h = h;
            t->sent = 0;
            t->para = 0;
            t->kind = (uint16_t)kind;
            t->flags = (uint16_t)fl;
            t++;
            kl += klen + 1;
        }
        /* one space after a token is the common case: take it now */
        if (j < n && s[j] == ' ') {
            gap = EG_TF_SPACE_BEFORE;
            i = j + 1;
        } else {
            gap = 0;
            i = j;
        }
    }
    d->ntok = (size_t)(t - d->tok);
    d->keys = keys;
    d->keys_len = kl;
    *gapp = gap;
    return i;
}

/* eg_tokenize, and with fast = 0 the same without fast_run (tests). */
static int tokenize(eg_doc *d, eg_err *e, int fast)
{
    tz_t z;
    const unsigned char *s = (const unsigned char *)d->text;
    size_t n = d->len, i = 0;
    unsigned gap = EG_TF_SPACE_BEFORE; /* start of text counts as space */
    int squote_open = 0;               /* a single quote opened on this line */

    z.d = d;
    z.s = s;
    z.n = n;
    z.e = e;
    d->ntok = 0;
    d->keys_len = 0;
    if (n > UINT32_MAX - 1)
        return eg_err_set(e, EG_EDATA, "%s: document too large", d->name ? d->name : "(document)");

    while (i < n) {
        ch_t c;
        size_t st;
        unsigned fl;
        int ascii = 1, rc;

        if (fast) {
            i = fast_run(&z, i, &gap, &squote_open, &rc);
            if (rc)
                return rc;
            if (i >= n)
                break;
        }
        st = i;
        fl = gap;
        if (s[i] == ' ') {
            gap |= EG_TF_SPACE_BEFORE;
            i++;
            continue;
        }
        c = ch_at(s, i, n);
        if (c.cls == C_SPACE || c.cls == C_NL) {
            gap |= EG_TF_SPACE_BEFORE;
            if (c.cls == C_NL) {
                gap |= EG_TF_NL_BEFORE;
                squote_open = 0;
            }
            i += c.len;
            continue;
        }
        gap = 0;

        if (c.cls == C_ALPHA || c.cls == C_DIGIT || c.cls == C_MARK) {
            /* a word or a number */
            int letters = 0, lower = 0, digits = 0, first_case = -1, ncp = 0;
            int numeric = 1; /* only digits and number separators so far */
            unsigned char last_letter = 0;
            int poss_split = 0;
            while (i < n) {
                ch_t x;
                unsigned w = wtab[s[i]];
                if (w) {
                    /* a run of ASCII letters and digits: the common case */
                    size_t i0 = i;
                    unsigned acc;
                    i = alnum_run(s, i, n, &acc);
                    ncp += (int)(i - i0);
                    if (acc & (W_UP | W_LOW)) {
                        letters = 1;
                        numeric = 0;
                        if (first_case < 0) {
                            while (!(wtab[s[i0]] & (W_UP | W_LOW)))
                                i0++;
                            first_case = (wtab[s[i0]] & W_UP) ? CASE_UP : CASE_LOW;
                        }
                    }
                    if (acc & W_LOW)
                        lower = 1;
                    if (acc & W_DIGIT)
                        digits = 1;
                    last_letter = (wtab[s[i - 1]] & (W_UP | W_LOW)) ? s[i - 1] : 0;
                    continue;
                }
                x = ch_at(s, i, n);
                if (x.cls == C_ALPHA || x.cls == C_MARK) {
                    if (x.cls == C_ALPHA) {
                        letters = 1;
                        if (first_case < 0)
                            first_case = x.lcase;
                        if (x.lcase != CASE_UP)
                            lower = 1; /* caseless letters: not all-caps */
                    }
                    numeric = 0;
                    last_letter = s[i];
                    if (s[i] >= 0x80)
                        ascii = 0;
                    i += x.len;
                    ncp++;
                    continue;
                }
                if (x.cls == C_DIGIT) {
                    digits = 1;
                    if (s[i] >= 0x80)
                        ascii = 0;
                    last_letter = 0;
                    i += x.len;
                    ncp++;
                    continue;
                }
                if (s[i] == '\'') {
                    /* "'s" + non-word: split off ("Zarif's", "1980's");
                     * between letters: an internal apostrophe ("O'Brien") */
                    if (poss_at(s, i, n)) {
                        poss_split = 1;
                        break;
                    }
                    if (letters && last_letter && is_alnum_at(s, i + 1, n)) {
                        i++;
                        ncp++;
                        continue;
                    }
                }
                if (numeric && digits && (s[i] == ',' || s[i] == '.')) {
                    if (s[i] == '.' && is_digit_at(s, i + 1, n)) {
                        i++;
                        continue;
                    }
                    if (s[i] == ',' && is_digit_at(s, i + 1, n) && is_digit_at(s, i + 2, n) &&
                        is_digit_at(s, i + 3, n) && !is_digit_at(s, i + 4, n)) {
                        i++;
                        continue;
                    }
                }
                break;
            }

            /* dotted acronym / initial: a single letter and a dot */
            if (ncp == 1 && letters && i < n && s[i] == '.') {
                size_t j = i + 1;
                int count = 1;
                while (j < n) {
                    ch_t y = ch_at(s, j, n);
                    if (y.cls != C_ALPHA || j + y.len >= n || s[j + y.len] != '.')
                        break;
                    /* the letter must stand alone: "U.S." but not "A.Smith" */
                    if (y.lcase != CASE_UP)
                        lower = 1;
                    if (s[j] >= 0x80)
                        ascii = 0;
                    j += y.len + 1;
                    count++;
                }
                if (j < n && s[j] == '.') {
                    /* "A..." / "U.S...": the last dot starts an ellipsis */
                    j--;
                    count--;
                }
                if (count >= 2 || (count == 1 && first_case == CASE_UP)) {
                    if (count == 1 && is_alnum_at(s, j, n))
                        goto plain_word; /* "A.Smith": no initial */
                    fl |= EG_TF_DOTTED;
                    if (first_case == CASE_UP)
                        fl |= EG_TF_CAP;
                    else if (first_case == CASE_LOW)
                        fl |= EG_TF_LOWER;
                    if (lower == 0)
                        fl |= EG_TF_ALLCAP;
                    if (push(&z, st, j, EG_TK_WORD, fl, ascii))
                        return EG_ENOMEM;
                    i = j;
                    if (poss_at(s, i, n)) { /* "U.S.'s" */
                        if (push(&z, i, i + 2, EG_TK_WORD, EG_TF_POSS, 1))
                            return EG_ENOMEM;
                        i += 2;
                    }
                    continue;
                }
            }
        plain_word:
            /* abbreviation with its dot */
            if (i < n && s[i] == '.' && ascii && letters && !digits && !(i + 1 < n && s[i + 1] == '.')) {
                int kind = eg_is_abbrev((const char *)s + st, i - st);
                /* glued to what follows ("co.uk") it is no abbreviation,
                 * except a title before a name ("Mr.Stevenson") */
                if (kind && is_alnum_at(s, i + 1, n) &&
                    !(kind == 1 && first_case == CASE_UP && ch_at(s, i + 1, n).lcase == CASE_UP))
                    kind = 0;
                if (kind) {
                    static const char *const lower_ok[] = {"etc", "vs", "approx", "cf", "viz",
                                                           "ca", "pp", "al", NULL};
                    int ok = first_case == CASE_UP;
                    size_t wl = i - st, q;
                    char w[8];
                    for (q = 0; q < wl && q < sizeof w - 1; q++)
                        w[q] = (char)(s[st + q] | 0x20);
                    w[q] = 0;
                    if (!ok) {
                        int r;
                        for (r = 0; lower_ok[r]; r++)
                            if (strcmp(lower_ok[r], w) == 0)
                                ok = 1;
                    }
                    if (ok && (strcmp(w, "no") == 0 || strcmp(w, "nos") == 0)) {
                        /* "No. 10" only: "he said no." ends a sentence */
                        size_t p = i + 1;
                        while (p < n && s[p] == ' ')
                            p++;
                        ok = is_digit_at(s, p, n);
                    }
                    if (ok) {
                        fl |= EG_TF_ABBREV;
                        if (first_case == CASE_UP)
                            fl |= EG_TF_CAP;
                        else
                            fl |= EG_TF_LOWER;
                        if (lower == 0)
                            fl |= EG_TF_ALLCAP;
                        if (push(&z, st, i + 1, EG_TK_WORD, fl, 1))
                            return EG_ENOMEM;
                        i++;
                        if (poss_at(s, i, n)) { /* "Co.'s" */
                            if (push(&z, i, i + 2, EG_TK_WORD, EG_TF_POSS, 1))
                                return EG_ENOMEM;
                            i += 2;
                        }
                        continue;
                    }
                }
            }

            if (letters) {
                if (first_case == CASE_UP)
                    fl |= EG_TF_CAP;
                else if (first_case == CASE_LOW)
                    fl |= EG_TF_LOWER;
                if (lower == 0)
                    fl |= EG_TF_ALLCAP;
            } else {
                fl |= EG_TF_NONALPHA;
            }
            if (digits)
                fl |= EG_TF_DIGIT;
            if (push(&z, st, i, letters ? EG_TK_WORD : EG_TK_NUM, fl, ascii))
                return EG_ENOMEM;

            if (poss_split) {
                const eg_token *w = &d->tok[d->ntok - 1];
                unsigned pf = EG_TF_POSS;
                if (is_contraction_base(eg_tok_key(d, w), w->klen))
                    pf = 0;
                if (push(&z, i, i + 2, EG_TK_WORD, pf, 1))
                    return EG_ENOMEM;
                i += 2;
            } else if (i < n && s[i] == '\'' && (last_letter == 's' || last_letter == 'S') &&
                       !squote_open && !is_alnum_at(s, i + 1, n)) {
                /* "the Rajavis' camp" */
                if (push(&z, i, i + 1, EG_TK_PUNCT, EG_TF_POSS | EG_TF_NONALPHA, 1))
                    return EG_ENOMEM;
                i++;
            }
            continue;
        }

        /* punctuation */
        if (s[st] == '.') {
            while (i < n && s[i] == '.')
                i++;
        } else {
            i += c.len;
            if (s[st] >= 0x80)
                ascii = 0;
        }
        fl |= EG_TF_NONALPHA;
        if (s[st] == '-') {
            fl |= EG_TF_DASH;
            if (!(fl & EG_TF_SPACE_BEFORE) && d->ntok > 0 && d->tok[d->ntok - 1].e == st &&
                d->tok[d->ntok - 1].kind != EG_TK_PUNCT && is_alnum_at(s, i, n) && !em_dash(d, st))
                fl |= EG_TF_JOINER;
        } else if (s[st] == '"' || s[st] == '`') {
            fl |= EG_TF_QUOTE;
        } else if (s[st] == '\'') {
            fl |= EG_TF_QUOTE;
            if (is_alnum_at(s, i, n) && (fl & EG_TF_SPACE_BEFORE || d->ntok == 0 ||
                                         d->tok[d->ntok - 1].kind == EG_TK_PUNCT))
                squote_open = 1;
            else
                squote_open = 0;
        }
        if (push(&z, st, i, EG_TK_PUNCT, fl, ascii))
            return EG_ENOMEM;
    }
    return EG_OK;
}

int eg_tokenize(eg_doc *d, eg_err *e) { return tokenize(d, e, 1); }

int eg_tokenize_general(eg_doc *d, eg_err *e) { return tokenize(d, e, 0); }

/*
 * eg_tokenize_words: for a string of ASCII letter words separated by single
 * spaces there is nothing to normalise (eg_normalise would leave the text
 * as it is) and nothing for eg_tokenize to decide beyond what fast_run
 * does: a word token per word, with a space (or the start) before it, its
 * case flags, and its lower-cased key. Keys are laid out as eg_tokenize
 * lays them out, each word's key at the word's own offset.
 */
/* Ends the word token [i, j) of s whose key is in place in d->keys. */
static void word_token(eg_doc *d, const char *s, size_t i, size_t j, unsigned lower)
{
    eg_token *t = &d->tok[d->ntok++];
    d->keys[j] = 0;
    t->s = (uint32_t)i;
    t->e = (uint32_t)j;
    t->key = (uint32_t)i;
    t->klen = (uint32_t)(j - i);
    t->h = eg_hash(d->keys + i, j - i);
    t->sent = 0;
    t->para = 0;
    t->kind = EG_TK_WORD;
    t->flags = (uint16_t)(EG_TF_SPACE_BEFORE | ((s[i] & 0x20) ? EG_TF_LOWER : EG_TF_CAP) | (lower ? 0 : EG_TF_ALLCAP));
}

int eg_tokenize_words(eg_doc *d, const char *name, const char *s, size_t n, eg_err *e)
{
    size_t i, w = 0;
    unsigned lower = 0;
    if (n == 0 || n >= UINT32_MAX - 1 || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    /* room for the most words n bytes can hold: one pass, no checks */
    if (EG_GROW(d->tok, d->tok_cap, n / 2 + 1) || EG_GROW(d->keys, d->keys_cap, n + 1))
        return eg_err_nomem(e);
    d->ntok = 0;
    for (i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c == ' ') {
            if (s[i - 1] == ' ')
                return 0;
            word_token(d, s, w, i, lower);
            w = i + 1;
            lower = 0;
        } else if ((unsigned)((c | 0x20) - 'a') < 26u) {
            d->keys[i] = (char)(c | 0x20);
            lower |= c & 0x20;
        } else {
            d->ntok = 0;
            return 0;
        }
    }
    word_token(d, s, w, n, lower);
    d->keys_len = n + 1;
    d->name = name;
    d->orig = d->text = s;
    d->orig_len = d->len = n;
    d->map = NULL;
    d->bad_utf8 = 0;
    d->bad_utf8_at = 0;
    return 1;
}

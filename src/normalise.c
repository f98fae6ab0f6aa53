/*
 * normalise.c — first stage of the text layer: a document's original bytes
 * become the clean text (NFKC, case kept, typographic punctuation and
 * spaces folded to ASCII, invalid bytes as U+FFFD, line ends unified) with
 * a map from every clean byte back to the original byte offset of the
 * character that produced it. Also eg_fold_key, which turns any UTF-8
 * string (a token, a gazetteer alias) into its match key.
 *
 * Speed: most English news is ASCII. A document that is plain ASCII with
 * nothing to change is not copied at all (text = orig, map = NULL). In the
 * copying path ASCII bytes are handled by a table, typographic punctuation
 * by a switch, and only other non-ASCII characters go through utf8proc.
 *
 * NFKC works on "clusters": a starter character and the combining marks
 * after it (an ASCII letter followed by U+0301 composes to one letter). All
 * bytes a cluster produces map to the cluster's first source byte;
 * eg_doc_orig_end finds the end of the source from the next mapped offset.
 */
#include <string.h>
#include <utf8proc.h>

#include "text.h"

/* Sixteen bytes at a time with SSE2 (every x86-64) in the copying loop. */
#ifndef NM_SSE
#if defined(__SSE2__) && defined(__x86_64__)
#define NM_SSE 1
#include <emmintrin.h>
#else
#define NM_SSE 0
#endif
#endif

/* Result of folding one code point with the fixed table. */
enum {
    FOLD_KEEP = -1,   /* not in the table: keep (or normalise) it */
    FOLD_DROP = -2,   /* remove: zero-width, soft hyphen, BOM, bidi marks */
    FOLD_ELLIPSIS = -3, /* "..." */
    FOLD_PARA = -4      /* U+2029 paragraph separator: a blank line */
};

/*
 * The fixed folds that NFKC does not do (or does differently): typographic
 * apostrophes, quotes and dashes, white space, zero-width characters.
 * Returns an ASCII byte (>= 0) or one of FOLD_*. Shared by eg_normalise and
 * eg_fold_key so both sides see the same characters.
 */
static int fold_punct(int32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x02BC:
    case 0x2032: case 0x2035: case 0xFF07:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2033: case 0x2036: case 0x301D: case 0x301E:
    case 0xFF02:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
        return '-';
    case 0x2026:
        return FOLD_ELLIPSIS;
    case 0x00A0: case 0x2007: case 0x202F: case 0x3000: case 0x1680:
        return ' ';
    case 0x0085:
        return ' ';
    case 0x2028:
        return '\n';
    case 0x2029:
        return FOLD_PARA;
    case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060:
    case 0xFEFF: case 0x200E: case 0x200F: case 0x202A: case 0x202B:
    case 0x202C: case 0x202D: case 0x202E: case 0x2066: case 0x2067:
    case 0x2068: case 0x2069: case 0x180E:
        return FOLD_DROP;
    default:
        break;
    }
    if (cp >= 0x2000 && cp <= 0x200A)
        return ' ';
    if (cp >= 0x80 && cp < 0xA0)
        return ' '; /* C1 controls */
    return FOLD_KEEP;
}

/* Does cp combine with what comes before it (so it belongs in the cluster
 * of the preceding starter)? */
static int is_second(int32_t cp)
{
    const utf8proc_property_t *p;
    if (cp < 0x300)
        return 0;
    if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2))
        return 1; /* Hangul vowel and trailing jamo */
    p = utf8proc_get_property(cp);
    return p->combining_class != 0 || p->category == UTF8PROC_CATEGORY_MN ||
           p->category == UTF8PROC_CATEGORY_MC || p->category == UTF8PROC_CATEGORY_ME;
}

/* Decodes the valid UTF-8 sequence of length k at p. */
static int32_t decode(const unsigned char *p, size_t k)
{
    switch (k) {
    case 1: return p[0];
    case 2: return ((int32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3: return ((int32_t)(p[0] & 0x0F) << 12) | ((int32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
        return ((int32_t)(p[0] & 0x07) << 18) | ((int32_t)(p[1] & 0x3F) << 12) |
               ((int32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
}

/* ---- eg_normalise ---- */

/* Byte classes for the ASCII loop: 0 copy, 1 CR, 2 other control → space. */
static const unsigned char ascii_class[128] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 2, 1, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
};

/* Are the eight bytes at p all printable ASCII (0x20..0x7E)? A false
 * "no" for \t and \n is fine: callers then go byte by byte. */
static inline int clean8(const unsigned char *p)
{
    uint64_t w, hi, lo, del;
    memcpy(&w, p, 8);
    hi = w & 0x8080808080808080ULL;
    lo = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;  /* a byte < 0x20 */
    del = (w + 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL; /* a 0x7F */
    return !(hi | lo | del);
}

/* Position of the first byte that stops the no-copy path, or n. Reads
 * eight bytes at a time while they are all printable ASCII. */
static size_t first_unclean(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        if (!clean8(p + i)) {
            size_t j;
            for (j = 0; j < 8; j++)
                if (p[i + j] >= 0x80 || ascii_class[p[i + j]])
                    return i + j;
        }
        i += 8;
    }
    for (; i < n; i++)
        if (p[i] >= 0x80 || ascii_class[p[i]])
            return i;
    return n;
}

#if NM_SSE
/* Copies printable ASCII from p[0..n) to t, sixteen bytes at a time, with
 * their original offsets (at, at + 1, ...) in m, four at a time; stops at
 * the first byte that is anything else (when sixteen bytes from the block
 * it is in are still in p[0..n): it writes all sixteen to t and m, so t
 * and m must have room for n) or where fewer than sixteen are left, and
 * returns how many bytes it copied. */
static size_t copy_clean16(const unsigned char *p, size_t n, char *t, uint32_t *m, uint32_t at)
{
    /* the offsets of the four quarters, each stepped by sixteen: no
     * copy of a constant per store */
    const __m128i sixteen = _mm_set1_epi32(16), one = _mm_set1_epi8(1), c20 = _mm_set1_epi8(0x20);
    __m128i o0 = _mm_add_epi32(_mm_set1_epi32((int)at), _mm_setr_epi32(0, 1, 2, 3));
    __m128i o1 = _mm_add_epi32(o0, _mm_set1_epi32(4)), o2 = _mm_add_epi32(o0, _mm_set1_epi32(8));
    __m128i o3 = _mm_add_epi32(o0, _mm_set1_epi32(12));
    size_t k = 0;
    while (k + 16 <= n) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(p + k));
        /* printable ASCII: v + 1 > 0x20 as signed bytes (0x7F and bytes
         * from 0x80 on wrap to negative) */
        unsigned good = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(_mm_add_epi8(v, one), c20));
        _mm_storeu_si128((__m128i *)(t + k), v);
        _mm_storeu_si128((__m128i *)(m + k), o0);
        _mm_storeu_si128((__m128i *)(m + k + 4), o1);
        _mm_storeu_si128((__m128i *)(m + k + 8), o2);
        _mm_storeu_si128((__m128i *)(m + k + 12), o3);
        if (good != 0xFFFF) {
            /* the printable bytes before the first other one are copied
             * too (the rest is room the caller overwrites) */
            k += (size_t)__builtin_ctz(~good);
            break;
        }
        o0 = _mm_add_epi32(o0, sixteen);
        o1 = _mm_add_epi32(o1, sixteen);
        o2 = _mm_add_epi32(o2, sixteen);
        o3 = _mm_add_epi32(o3, sixteen);
        k += 16;
    }
    return k;
}
#endif

/* The output being built: clean bytes and their map, capacity kept on d. */
typedef struct {
    eg_doc *d;
    size_t n; /* clean bytes so far */
} out_t;

static int out_reserve(out_t *o, size_t extra)
{
    eg_doc *d = o->d;
    size_t need = o->n + extra + 1;
    if (need > d->text_cap) {
        size_t cap = d->text_cap;
        if (EG_GROW(d->text_own, cap, need))
            return EG_ENOMEM;
        d->text_cap = cap;
    }
    if (need > d->map_cap && EG_GROW(d->map_own, d->map_cap, need))
        return EG_ENOMEM;
    d->map = d->map_own;
    return EG_OK;
}

/* Appends one clean byte mapped to src (capacity reserved by the caller). */
static inline void out_byte(out_t *o, unsigned char c, uint32_t src)
{
    o->d->text_own[o->n] = (char)c;
    o->d->map[o->n] = src;
    o->n++;
}

/* Appends code point cp, after the fixed folds, mapped to src. */
static int out_cp(out_t *o, int32_t cp, uint32_t src)
{
    unsigned char enc[4];
    utf8proc_ssize_t k, j;
    int f = cp < 0x80 ? FOLD_KEEP : fold_punct(cp);
    if (out_reserve(o, 4))
        return EG_ENOMEM;
    if (f >= 0) {
        out_byte(o, (unsigned char)f, src);
        return EG_OK;
    }
    if (f == FOLD_DROP)
        return EG_OK;
    if (f == FOLD_PARA) {
        out_byte(o, '\n', src);
        out_byte(o, '\n', src);
        return EG_OK;
    }
    if (f == FOLD_ELLIPSIS) {
        out_byte(o, '.', src);
        out_byte(o, '.', src);
        out_byte(o, '.', src);
        return EG_OK;
    }
    if (cp < 0x80) {
        int c = ascii_class[cp];
        out_byte(o, c == 0 ? (unsigned char)cp : c == 1 ? '\n' : ' ', src);
        return EG_OK;
    }
    {
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat == UTF8PROC_CATEGORY_ZS) {
            out_byte(o, ' ', src);
            return EG_OK;
        }
        if (cat == UTF8PROC_CATEGORY_CC) {
            out_byte(o, ' ', src);
            return EG_OK;
        }
    }
    k = utf8proc_encode_char(cp, enc);
    for (j = 0; j < k; j++)
        out_byte(o, enc[j], src);
    return EG_OK;
}

#define CLUSTER_MAX 32   /* code points per cluster; longer runs of marks are split */
#define CLUSTER_BUF 1024 /* code points after decomposition */

/* NFKC of the valid UTF-8 bytes s[0..n) (one cluster), appended with every
 * byte mapped to src. Falls back to the bytes as they are when the cluster
 * decomposes into more than CLUSTER_BUF code points. */
static int out_cluster(out_t *o, const unsigned char *s, size_t n, uint32_t src)
{
    utf8proc_int32_t buf[CLUSTER_BUF];
    const utf8proc_option_t opt = UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_STABLE;
    utf8proc_ssize_t m, j;
    m = utf8proc_decompose(s, (utf8proc_ssize_t)n, buf, CLUSTER_BUF, opt);
    if (m >= 0 && m <= CLUSTER_BUF)
        m = utf8proc_normalize_utf32(buf, m, opt);
    if (m < 0 || m > CLUSTER_BUF) {
        size_t i = 0;
        while (i < n) {
            size_t k = eg_utf8_valid_len(s + i, n - i);
            if (!k)
                k = 1;
            if (out_cp(o, decode(s + i, k), src))
                return EG_ENOMEM;
            i += k;
        }
        return EG_OK;
    }
    {
        /* Unchanged by NFKC (a mark that composes with nothing): every
         * character keeps its own offset, so a token boundary between
         * them still maps back exactly. */
        size_t i = 0;
        utf8proc_ssize_t c = 0;
        while (i < n && c < m) {
            size_t k = eg_utf8_valid_len(s + i, n - i);
            if (!k || decode(s + i, k) != buf[c])
                break;
            i += k;
            c++;
        }
        if (i == n && c == m) {
            for (i = 0; i < n;) {
                size_t k = eg_utf8_valid_len(s + i, n - i);
                if (out_cp(o, decode(s + i, k), src + (uint32_t)i))
                    return EG_ENOMEM;
                i += k;
            }
            return EG_OK;
        }
    }
    for (j = 0; j < m; j++)
        if (out_cp(o, buf[j], src))
            return EG_ENOMEM;
    return EG_OK;
}

int eg_normalise(eg_doc *d, const char *name, const char *bytes, size_t len, eg_err *e)
{
    const unsigned char *p = (const unsigned char *)bytes;
    size_t i, first;
    out_t o;
    int rc = EG_OK;

    d->name = name;
    d->orig = bytes;
    d->orig_len = len;
    d->bad_utf8 = 0;
    d->bad_utf8_at = 0;
    d->text = "";
    d->len = 0;
    d->map = NULL;
    if (len >= UINT32_MAX)
        return eg_err_set(e, EG_EDATA, "%s: document too large (%zu bytes; limit 4 GiB)",
                          name ? name : "(document)", len);
    if (!bytes)
        bytes = "", p = (const unsigned char *)bytes, len = 0;

    first = first_unclean(p, len);
    if (first == len) {
        d->text = bytes;
        d->len = len;
        d->map = NULL;
        return EG_OK;
    }

    /* Copying path (the clean prefix too: the ASCII loop copies it as fast
     * as a copy of its own would). */
    o.d = d;
    o.n = 0;
    if (out_reserve(&o, len + len / 8 + 16)) {
        rc = eg_err_nomem(e);
        goto out;
    }
    i = 0;
    if (first == 0 && len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3; /* a leading BOM: no clean bytes, offsets still count it */

    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            /* an ASCII run: the common case */
            size_t cap = d->text_cap < d->map_cap ? d->text_cap : d->map_cap;
            size_t room = cap - o.n - 1, run = 0;
            char *t = d->text_own + o.n;
            uint32_t *m = d->map + o.n;
            while (i < len && p[i] < 0x80 && run < room) {
                unsigned cl;
#if NM_SSE
                size_t k = copy_clean16(p + i, len - i < room - run ? len - i : room - run, t + run, m + run,
                                        (uint32_t)i);
                if (k) {
                    run += k;
                    i += k;
                    continue;
                }
#endif
                if (i + 8 <= len && run + 8 <= room && clean8(p + i)) {
                    size_t q;
                    memcpy(t + run, p + i, 8);
                    for (q = 0; q < 8; q++)
                        m[run + q] = (uint32_t)(i + q);
                    run += 8;
                    i += 8;
                    continue;
                }
                cl = ascii_class[p[i]];
                if (cl == 0) {
                    t[run] = (char)p[i];
                } else if (cl == 1) {
                    t[run] = '\n';
                    if (i + 1 < len && p[i + 1] == '\n') {
                        m[run++] = (uint32_t)i;
                        i += 2;
                        continue;
                    }
                } else {
                    t[run] = ' ';
                }
                m[run++] = (uint32_t)i;
                i++;
            }
            o.n += run;
            if (run == room && out_reserve(&o, (len - i) + 16)) {
                rc = eg_err_nomem(e);
                goto out;
            }
            continue;
        }
        {
            size_t k = eg_utf8_valid_len(p + i, len - i), cs, ce, ncp;
            int32_t cp;
            if (!k) {
                if (!d->bad_utf8) {
                    d->bad_utf8 = 1;
                    d->bad_utf8_at = i;
                }
                if (out_cp(&o, 0xFFFD, (uint32_t)i)) {
                    rc = eg_err_nomem(e);
                    goto out;
                }
                i++;
                continue;
            }
            cp = decode(p + i, k);
            if (fold_punct(cp) != FOLD_KEEP) {
                if (out_cp(&o, cp, (uint32_t)i)) {
                    rc = eg_err_nomem(e);
                    goto out;
                }
                i += k;
                continue;
            }
            /* A cluster: this character (or the ASCII letter just before
             * it, when it is a combining mark) and the marks that follow. */
            cs = i;
            ce = i + k;
            ncp = 1;
            if (is_second(cp) && i > 0 && p[i - 1] < 0x80 && ascii_class[p[i - 1]] == 0 &&
                o.n > 0 && d->map[o.n - 1] == i - 1) {
                cs = i - 1; /* take the base letter back */
                o.n--;
            }
            while (ce < len && ncp < CLUSTER_MAX && p[ce] >= 0x80) {
                size_t k2 = eg_utf8_valid_len(p + ce, len - ce);
                if (!k2 || !is_second(decode(p + ce, k2)))
                    break;
                ce += k2;
                ncp++;
            }
            if (cs == i && ce == i + k && utf8proc_get_property(cp)->decomp_seqindex == UINT16_MAX) {
                rc = out_cp(&o, cp, (uint32_t)i); /* nothing to normalise */
            } else {
                rc = out_cluster(&o, p + cs, ce - cs, (uint32_t)cs);
            }
            if (rc) {
                rc = eg_err_nomem(e);
                goto out;
            }
            i = ce;
        }
    }
    if (out_reserve(&o, 0)) {
        rc = eg_err_nomem(e);
        goto out;
    }
    d->text_own[o.n] = 0;
    d->map[o.n] = (uint32_t)len;
    d->text = d->text_own;
    d->len = o.n;
out:
    if (rc) {
        d->text = "";
        d->len = 0;
        d->map = NULL;
    }
    return rc;
}

/* ---- eg_fold_key ---- */

/* Letters that have no decomposition but an obvious ASCII base, so that
 * "Øresund" and "Oresund" share a key. Input is already case-folded. */
static const char *fold_letter(int32_t cp)
{
    switch (cp) {
    case 0x00F8: return "o";  /* ø */
    case 0x0142: return "l";  /* ł */
    case 0x0111: return "d";  /* đ */
    case 0x00F0: return "d";  /* ð */
    case 0x00E6: return "ae"; /* æ */
    case 0x0153: return "oe"; /* œ */
    case 0x00FE: return "th"; /* þ */
    case 0x0131: return "i";  /* dotless i */
    case 0x0127: return "h";  /* ħ */
    default: return NULL;
    }
}

/* Key-building state: the buffer, whether the last byte written was a
 * letter (a following '.' is then dropped), and a pending space. */
typedef struct {
    eg_buf *b;
    size_t start;
    int after_letter;
    int space;
} key_t_;

static int key_put(key_t_ *k, const char *s, size_t n, int letter)
{
    if (k->space) {
        k->space = 0;
        if (k->b->len > k->start && eg_buf_addc(k->b, ' '))
            return EG_ENOMEM;
    }
    k->after_letter = letter;
    return eg_buf_add(k->b, s, n);
}

/* One code point (already decomposed, case-folded, marks stripped). */
static int key_cp(key_t_ *k, int32_t cp)
{
    unsigned char enc[4];
    utf8proc_ssize_t n;
    const char *r;
    int f;
    utf8proc_category_t cat;
    if (cp < 0x80) {
        char c = (char)cp;
        if (c == '.' && k->after_letter) {
            k->after_letter = 0;
            return EG_OK;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (unsigned char)c < 0x20 || c == 0x7F) {
            k->space = 1;
            k->after_letter = 0;
            return EG_OK;
        }
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        return key_put(k, &c, 1, (c >= 'a' && c <= 'z'));
    }
    f = fold_punct(cp);
    if (f == FOLD_DROP)
        return EG_OK;
    if (f == FOLD_ELLIPSIS)
        return key_put(k, "...", 3, 0);
    if (f == FOLD_PARA) {
        k->space = 1;
        k->after_letter = 0;
        return EG_OK;
    }
    if (f >= 0)
        return key_cp(k, f);
    if ((r = fold_letter(cp)))
        return key_put(k, r, strlen(r), 1);
    cat = utf8proc_category(cp);
    if (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
        cat == UTF8PROC_CATEGORY_CC) {
        k->space = 1;
        k->after_letter = 0;
        return EG_OK;
    }
    n = utf8proc_encode_char(cp, enc);
    return key_put(k, (const char *)enc, (size_t)n, cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO);
}

/* Folds a run of non-ASCII bytes s[0..n) (may contain invalid bytes). */
static int key_run(key_t_ *k, const unsigned char *s, size_t n)
{
    const utf8proc_option_t opt = UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_STABLE |
                                  UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK;
    utf8proc_int32_t buf[CLUSTER_BUF];
    size_t i = 0;
    while (i < n) {
        /* pieces of at most CLUSTER_MAX characters, cut before a starter */
        size_t j = i, ncp = 0, k2;
        utf8proc_ssize_t m, x;
        while (j < n && (k2 = eg_utf8_valid_len(s + j, n - j)) != 0) {
            int32_t cp = decode(s + j, k2);
            int f = fold_punct(cp);
            if (f != FOLD_KEEP && j > i)
                break; /* fixed folds are handled alone, before NFKC */
            if (ncp >= CLUSTER_MAX && !is_second(cp))
                break;
            j += k2;
            ncp++;
            if (f != FOLD_KEEP)
                break;
        }
        if (j == i) { /* an invalid byte */
            if (key_cp(k, 0xFFFD))
                return EG_ENOMEM;
            i++;
            continue;
        }
        if (ncp == 1 && fold_punct(decode(s + i, j - i)) != FOLD_KEEP) {
            if (key_cp(k, decode(s + i, j - i)))
                return EG_ENOMEM;
            i = j;
            continue;
        }
        m = utf8proc_decompose(s + i, (utf8proc_ssize_t)(j - i), buf, CLUSTER_BUF, opt);
        if (m >= 0 && m <= CLUSTER_BUF)
            m = utf8proc_normalize_utf32(buf, m, opt);
        if (m < 0 || m > CLUSTER_BUF) {
            /* too long to normalise at once: fold one character at a time */
            size_t q = i;
            while (q < j) {
                size_t kk = eg_utf8_valid_len(s + q, j - q);
                utf8proc_ssize_t mm;
                int bc = 0;
                mm = utf8proc_decompose_char(decode(s + q, kk), buf, CLUSTER_BUF, opt, &bc);
                for (x = 0; x >= 0 && x < mm && mm <= CLUSTER_BUF; x++)
                    if (key_cp(k, buf[x]))
                        return EG_ENOMEM;
                q += kk;
            }
        } else {
            for (x = 0; x < m; x++)
                if (key_cp(k, buf[x]))
                    return EG_ENOMEM;
        }
        i = j;
    }
    return EG_OK;
}

int eg_fold_key(eg_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    key_t_ k;
    size_t i = 0;
    k.b = b;
    k.start = b->len;
    k.after_letter = 0;
    k.space = 0;
    if (eg_buf_reserve(b, n))
        return EG_ENOMEM;
    while (i < n) {
        if (p[i] < 0x80) {
            /* ASCII: lower-case, drop a dot after a letter, squeeze spaces */
            unsigned char c = p[i];
            if (c > 0x20 && c < 0x7F && c != '.' && !k.space && b->len + 1 < b->cap) {
                /* a run of printable bytes other than '.': letters
                 * lower-cased (what key_cp does, without the calls) */
                char *o = b->p;
                size_t len = b->len, cap = b->cap;
                int letter = 0;
                do {
                    letter = (unsigned)((c | 0x20) - 'a') < 26u;
                    o[len++] = (char)(letter ? (c | 0x20) : c);
                    i++;
                } while (i < n && len + 1 < cap && (c = p[i]) > 0x20 && c < 0x7F && c != '.');
                b->len = len;
                k.after_letter = letter;
                continue;
            } else if (c >= 'a' && c <= 'z') {
                if (key_put(&k, (const char *)&c, 1, 1))
                    return EG_ENOMEM;
            } else if (c == '.' && i + 1 < n && p[i + 1] == '.') {
                /* a run of dots is an ellipsis, kept whole even after a
                 * letter ("A..." folds like "A…") */
                size_t j = i;
                while (j < n && p[j] == '.')
                    j++;
                if (key_put(&k, s + i, j - i, 0))
                    return EG_ENOMEM;
                i = j;
                continue;
            } else if (key_cp(&k, c)) {
                return EG_ENOMEM;
            }
            i++;
            continue;
        }
        {
            size_t j = i + 1;
            while (j < n && p[j] >= 0x80)
                j++;
            if (key_run(&k, p + i, j - i))
                return EG_ENOMEM;
            i = j;
        }
    }
    if (b->p)
        b->p[b->len] = 0;
    return EG_OK;
}

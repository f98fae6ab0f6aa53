/*
 * similar.c — Jaro–Winkler similarity and the name-variant test used by the
 * corpus-level merges in finish.c. Works on folded slugs, so accents and
 * case are already gone.
 */
#include <stddef.h>
#include <string.h>

#include "similar.h"
#include "util.h"

double eg_jaro_winkler(const char *a, size_t na, const char *b, size_t nb)
{
    unsigned char ma[64] = {0}, mb[64] = {0};
    size_t i, j, m = 0, t = 0, k = 0, range, prefix = 0;
    double jaro;
    if (na == 0 || nb == 0)
        return na == nb;
    if (na > 64 || nb > 64)
        return na == nb && memcmp(a, b, na) == 0;
    range = (na > nb ? na : nb) / 2;
    range = range ? range - 1 : 0;
    for (i = 0; i < na; i++) {
        size_t lo = i > range ? i - range : 0, hi = i + range + 1 < nb ? i + range + 1 : nb;
        for (j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = 1;
                m++;
                break;
            }
    }
    if (!m)
        return 0.0;
    for (i = 0; i < na; i++) {
        if (!ma[i])
            continue;
        while (!mb[k])
            k++;
        t += a[i] != b[k];
        k++;
    }
    jaro = ((double)m / na + (double)m / nb + (m - t / 2.0) / m) / 3.0;
    while (prefix < 4 && prefix < na && prefix < nb && a[prefix] == b[prefix])
        prefix++;
    return jaro + prefix * 0.1 * (1.0 - jaro);
}

/* The vowels a skeleton leaves out. */
static const unsigned char skel_vowel[256] = {['a'] = 1, ['e'] = 1, ['i'] = 1, ['o'] = 1, ['u'] = 1, ['y'] = 1};

/* The consonant skeleton of a word into out (see skeleton_word below);
 * returns its length, or cap when it does not fit. No allocation: this
 * runs for every capitalised word of every document. */
static size_t skeleton(const char *w, size_t n, char *out, size_t cap)
{
    size_t i, k = 0;
    char prev = 0;
    for (i = 0; i < n; i++) {
        char c = w[i];
        if (skel_vowel[(unsigned char)c])
            continue;
        if (c == 'h' && prev && prev != 'k' && prev != 's' && prev != 'c')
            continue;
        if (c == prev)
            continue;
        if (k == cap)
            return cap;
        out[k++] = c;
        prev = c;
    }
    return k;
}

/* Do two words have the same consonant skeleton? */
static int same_skeleton(const char *a, size_t na, const char *b, size_t nb)
{
    char x[64], y[64];
    size_t kx = skeleton(a, na, x, sizeof x), ky = skeleton(b, nb, y, sizeof y);
    return kx < sizeof x && kx == ky && memcmp(x, y, kx) == 0;
}

/* Two words of a person's name are close enough: short words (given
 * names) must be closer than long ones. */
static int word_close(const char *a, size_t na, const char *b, size_t nb, double th)
{
    double need = na < 5 || nb < 5 ? th + (1.0 - th) / 3 : th;
    return eg_jaro_winkler(a, na, b, nb) >= need;
}

/* Splits a slug into words longer than one letter (drops initials). */
static size_t words(const char *s, const char **w, size_t *n, size_t max, size_t minlen)
{
    size_t k = 0;
    while (*s && k < max) {
        size_t len = eg_slug_word_len(s);
        if (len >= minlen) {
            w[k] = s;
            n[k] = len;
            k++;
        }
        s += len;
        if (*s == '-')
            s++;
    }
    return k;
}

/* The one-letter words (initials) of a slug, in order, into buf. */
static void initials(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    while (*s && k + 1 < n) {
        size_t len = eg_slug_word_len(s);
        if (len == 1)
            buf[k++] = *s;
        s += len;
        if (*s == '-')
            s++;
    }
    buf[k] = 0;
}

int eg_names_similar(const char *a, const char *b, int person, double th)
{
    const char *wa[16], *wb[16];
    size_t na[16], nb[16], ka, kb, i;
    if (strcmp(a, b) == 0)
        return 0;
    /* a person's one-letter words are initials, compared apart; in other
     * names every word counts ("Ashraf 3" is not "Ashraf") */
    ka = words(a, wa, na, 16, person ? 2 : 1);
    kb = words(b, wb, nb, 16, person ? 2 : 1);
    if (!ka || !kb)
        return 0;
    if (!person) {
        /* organisations, places, events: word by word; short words must be
         * equal, long ones close and with the same consonant skeleton
         * (transliteration changes vowels and doubling: Mujahedeen and
         * Mojahedin are both "mjhdn", but Austria "str" is not Australia
         * "strl"), and a one-word name must be closer still */
        if (ka != kb)
            return 0;
        for (i = 0; i < ka; i++) {
            double s = eg_jaro_winkler(wa[i], na[i], wb[i], nb[i]);
            if (na[i] < 5 || nb[i] < 5 ? s < 1.0 : s < (ka == 1 ? th + (1.0 - th) * 0.3 : th))
                return 0;
            if (!same_skeleton(wa[i], na[i], wb[i], nb[i]))
                return 0;
        }
        return 1;
    }
    if (ka == 1 && kb > 1)
        return na[0] >= 4 && eg_jaro_winkler(wa[0], na[0], wb[kb - 1], nb[kb - 1]) >= th;
    if (kb == 1 && ka > 1)
        return nb[0] >= 4 && eg_jaro_winkler(wb[0], nb[0], wa[ka - 1], na[ka - 1]) >= th;
    {
        /* different middle initials name different people (George W. and
         * George H. W. Bush); one name with initials and one without may
         * be the same */
        char ia[16], ib[16];
        initials(a, ia, sizeof ia);
        initials(b, ib, sizeof ib);
        if (*ia && *ib && strcmp(ia, ib) != 0)
            return 0;
    }
    if (ka != kb) {
        /* one extra middle name (Hillary Rodham Clinton): compare the first
         * and last words only */
        if (ka < 2 || kb < 2 || (ka > kb ? ka - kb : kb - ka) != 1)
            return 0;
        return word_close(wa[0], na[0], wb[0], nb[0], th) &&
               word_close(wa[ka - 1], na[ka - 1], wb[kb - 1], nb[kb - 1], th);
    }
    for (i = 0; i < ka; i++)
        if (!word_close(wa[i], na[i], wb[i], nb[i], th))
            return 0;
    return 1;
}

/* Appends the consonant skeleton of a word: letters other than vowels
 * (a e i o u y, and h after a consonant other than k, s, c), doubled
 * letters once. Transliteration mostly changes vowels and doubling. */
static int skeleton_word(eg_buf *b, const char *w, size_t n)
{
    size_t k;
    /* the skeleton is never longer than the word: room for n bytes */
    if (eg_buf_reserve(b, n))
        return -1;
    k = skeleton(w, n, b->p + b->len, n + 1);
    b->len += k;
    b->p[b->len] = 0;
    return 0;
}

int eg_name_skeleton(eg_buf *b, const char *id, int person)
{
    const char *w[16];
    size_t n[16], k = words(id, w, n, 16, person ? 2 : 1), i;
    if (!k)
        return eg_buf_adds(b, id);
    if (person)
        return skeleton_word(b, w[k - 1], n[k - 1]);
    for (i = 0; i < k; i++)
        if ((i && eg_buf_addc(b, ' ')) || skeleton_word(b, w[i], n[i]))
            return -1;
    return 0;
}

int eg_words_variant(const char *a, size_t na, const char *b, size_t nb)
{
    /* cheap tests first: lengths, then skeletons; Jaro-Winkler last */
    if (na < 5 || nb < 5 || na > nb + 3 || nb > na + 3 || (na == nb && memcmp(a, b, na) == 0))
        return 0;
    return same_skeleton(a, na, b, nb) && eg_jaro_winkler(a, na, b, nb) >= 0.85;
}

/* The skeleton's bytes hashed as they come (FNV-1a, then a finaliser),
 * with no buffer: this runs for most capitalised words of every document.
 * The same rule as skeleton(); 0 when the word is under 5 bytes or the
 * skeleton would not fit same_skeleton's 64 bytes. */
uint64_t eg_skeleton_hash(const char *w, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i, k = 0;
    unsigned char prev = 0;
    if (n < 5)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (skel_vowel[c] || c == prev)
            continue;
        if (c == 'h' && prev && prev != 'k' && prev != 's' && prev != 'c')
            continue;
        if (++k >= 64)
            return 0;
        h = (h ^ c) * 0x100000001b3ull;
        prev = c;
    }
    return eg_hash_fin(h ^ k) | 1;
}

/*
 * util.c — error slots, allocation wrappers, growable buffers, hashing, the
 * interned string map, slugs, UTF-8 checks and atomic file output. Shared
 * by every stage; no knowledge of entities or graphs.
 */
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

/* ---- errors ---- */

int eg_err_set(eg_err *e, int code, const char *fmt, ...)
{
    va_list ap;
    if (!e || e->code)
        return code;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

int eg_err_nomem(eg_err *e) { return eg_err_set(e, EG_ENOMEM, "out of memory"); }

void eg_err_clear(eg_err *e)
{
    e->code = 0;
    e->msg[0] = 0;
}

/* ---- allocation ----
 * With EG_FAULT_INJECT defined, EG_FAIL_ALLOC=N in the environment makes the
 * Nth allocation (and only it) fail, for the allocation-failure tests. */

#ifdef EG_FAULT_INJECT
#include <stdatomic.h>
static atomic_long fault_count;
static long fault_at = -1;
static int fault_should_fail(void)
{
    if (fault_at == -1) {
        const char *s = getenv("EG_FAIL_ALLOC");
        fault_at = s ? atol(s) : 0;
    }
    return fault_at > 0 && atomic_fetch_add(&fault_count, 1) + 1 == fault_at;
}
#else
static int fault_should_fail(void) { return 0; }
#endif

void *eg_malloc(size_t n) { return fault_should_fail() ? NULL : malloc(n ? n : 1); }
void *eg_calloc(size_t n, size_t size) { return fault_should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1); }
void *eg_realloc(void *p, size_t n) { return fault_should_fail() ? NULL : realloc(p, n ? n : 1); }
void eg_free(void *p) { free(p); }

char *eg_strndup(const char *s, size_t n)
{
    char *p = eg_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *eg_strdup(const char *s) { return eg_strndup(s, strlen(s)); }

int eg_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;
    if (need <= *cap)
        return EG_OK;
    ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size)
            return EG_ENOMEM;
        ncap *= 2;
    }
    np = eg_realloc(*p, ncap * size);
    if (!np)
        return EG_ENOMEM;
    *p = np;
    *cap = ncap;
    return EG_OK;
}

/* ---- buffers ---- */

int eg_buf_grow(eg_buf *b, size_t extra)
{
    if (b->len + extra + 1 < b->len)
        return EG_ENOMEM;
    return eg_grow((void **)&b->p, &b->cap, b->len + extra + 1, 1);
}

int eg_buf_add(eg_buf *b, const void *s, size_t n)
{
    if (eg_buf_reserve(b, n))
        return EG_ENOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return EG_OK;
}

int eg_buf_addc(eg_buf *b, char c) { return eg_buf_add(b, &c, 1); }
int eg_buf_adds(eg_buf *b, const char *s) { return eg_buf_add(b, s, strlen(s)); }

int eg_buf_addf(eg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return EG_ENOMEM;
    if ((size_t)n < sizeof small)
        return eg_buf_add(b, small, (size_t)n);
    if (eg_buf_reserve(b, (size_t)n))
        return EG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return EG_OK;
}

const char *eg_buf_cstr(eg_buf *b) { return b->p && b->len ? b->p : (b->p ? (b->p[0] = 0, b->p) : ""); }

void eg_buf_reset(eg_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = 0;
}

void eg_buf_free(eg_buf *b)
{
    eg_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- hashing ----
 * Keys are short (tokens, word-list lines), so eg_hash reads a key of up to
 * 8 bytes with at most two overlapping loads instead of a byte loop, and
 * hashes its little-endian value (eg_hash_le8: the value and the length
 * through murmur3's finaliser, so distinct keys up to 8 bytes never
 * collide); 9-16 bytes take two 8-byte reads, longer keys eight bytes at a
 * time. Loads are little-endian on every host, so hashes are the same on
 * every platform. */

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

#define HASH_K1 0x9e3779b97f4a7c15ULL
#define HASH_K2 0xd6e8feb86659fd93ULL

uint64_t eg_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t a, b, h;
    if (n <= 8) {
        /* the key's little-endian value, bytes past n zero */
        if (n >= 4)
            a = rd32(s) | (rd32(s + n - 4) >> (8 * (8 - n))) << 32;
        else if (n)
            a = (uint64_t)s[0] | (uint64_t)s[n >> 1] << (8 * (n >> 1)) | (uint64_t)s[n - 1] << (8 * (n - 1));
        else
            a = 0;
        return eg_hash_le8(a, n);
    }
    if (n <= 16) {
        a = rd64(s);
        b = rd64(s + n - 8);
        return eg_hash_le16(a, b, n);
    }
    h = n * HASH_K1;
    while (n > 8) {
        h = (h ^ rd64(s)) * HASH_K2;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    /* the last 8 bytes (overlapping the previous word when n < 8) */
    return eg_hash_fin(eg_hash_fin(h) ^ rd64(s + n - 8));
}

/* ---- arena ---- */

struct eg_arena_chunk {
    eg_arena_chunk *next;
    size_t cap, used;
    char data[];
};

char *eg_arena_alloc(eg_arena *a, size_t n)
{
    eg_arena_chunk *c = a->cur;
    while (c && c->cap - c->used < n) {
        /* after a reset, the next kept chunk; else a new one */
        if (!c->next)
            break;
        c = c->next;
        c->used = 0;
    }
    if (!c || c->cap - c->used < n) {
        /* chunks double up to 1 MiB: small maps stay small, big ones
         * make few allocations (pages of big chunks are touched only as
         * they fill) */
        size_t cap = c ? (c->cap < ((size_t)1 << 20) ? c->cap * 2 : c->cap) : 1024;
        eg_arena_chunk *nc;
        if (cap < n)
            cap = n;
        if (!(nc = eg_malloc(sizeof *nc + cap)))
            return NULL;
        nc->next = NULL;
        nc->cap = cap;
        nc->used = 0;
        if (c)
            c->next = nc;
        else
            a->first = nc;
        c = nc;
    }
    a->cur = c;
    c->used += n;
    return c->data + c->used - n;
}

void eg_arena_reset(eg_arena *a)
{
    if (a->first)
        a->first->used = 0;
    a->cur = a->first;
}

void eg_arena_free(eg_arena *a)
{
    eg_arena_chunk *c = a->first;
    while (c) {
        eg_arena_chunk *n = c->next;
        eg_free(c);
        c = n;
    }
    a->first = a->cur = NULL;
}

/* ---- sorting ---- */

static void merge_run(char *a, char *tmp, size_t n, size_t h, size_t size, eg_cmp_fn cmp, void *ctx);

/* memcpy of one item, the common sizes inline: a library call per item
 * moved costs more than the move. */
static inline void item_copy(char *d, const char *s, size_t size)
{
    switch (size) {
    case 4:
        memcpy(d, s, 4);
        break;
    case 8:
        memcpy(d, s, 8);
        break;
    case 16:
        memcpy(d, s, 16);
        break;
    case 24:
        memcpy(d, s, 24);
        break;
    default:
        memcpy(d, s, size);
    }
}

static void sort_run(char *a, char *tmp, size_t n, size_t size, eg_cmp_fn cmp, void *ctx)
{
    size_t h, i, j;
    if (n < 2)
        return;
    if (n <= 8) {
        /* insertion sort: stable, and cheap on short runs */
        for (i = 1; i < n; i++) {
            item_copy(tmp, a + i * size, size);
            for (j = i; j > 0 && cmp(a + (j - 1) * size, tmp, ctx) > 0; j--)
                ;
            if (j != i) {
                memmove(a + (j + 1) * size, a + j * size, (i - j) * size);
                item_copy(a + j * size, tmp, size);
            }
        }
        return;
    }
    h = n / 2;
    sort_run(a, tmp, h, size, cmp, ctx);
    sort_run(a + h * size, tmp, n - h, size, cmp, ctx);
    merge_run(a, tmp, n, h, size, cmp, ctx);
}

/* Merges the sorted runs a[0, h) and a[h, n) (tmp holds h items); on a
 * tie the left item goes first. */
static void merge_run(char *a, char *tmp, size_t n, size_t h, size_t size, eg_cmp_fn cmp, void *ctx)
{
    size_t i, j, k;
    if (cmp(a + (h - 1) * size, a + h * size, ctx) <= 0)
        return; /* already in order */
    /* merge: the left half goes to tmp, then back with the right half */
    memcpy(tmp, a, h * size);
    i = 0;
    j = h;
    k = 0;
    while (i < h && j < n) {
        if (cmp(a + j * size, tmp + i * size, ctx) < 0) {
            item_copy(a + k * size, a + j * size, size);
            j++;
        } else {
            item_copy(a + k * size, tmp + i * size, size);
            i++;
        }
        k++;
    }
    if (i < h)
        memcpy(a + k * size, tmp + i * size, (h - i) * size);
}

int eg_sort(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx)
{
    char small[1024], *tmp = small;
    if (n < 2)
        return EG_OK;
    if ((n / 2 + 1) * size > sizeof small && !(tmp = eg_malloc((n / 2 + 1) * size)))
        return EG_ENOMEM;
    sort_run(base, tmp, n, size, cmp, ctx);
    if (tmp != small)
        eg_free(tmp);
    return EG_OK;
}

/* The first 8 bytes of s as a big-endian number, zero after the string's
 * end: two such numbers compare as strcmp compares the strings' first 8
 * bytes. Sorts keep it beside each item, so that most comparisons read
 * no string. */
uint64_t eg_str_prefix(const char *s)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8 && s[i]; i++)
        v |= (uint64_t)(unsigned char)s[i] << (56 - 8 * i);
    return v;
}

/* Sorts n items of `size` bytes whose first member is a uint64_t
 * eg_str_prefix as the stable eg_sort with cmp would (cmp must order by that
 * prefix first): a stable radix sort of the prefixes, RADIX_BITS a pass,
 * then cmp within each run of equal prefixes (most are one item long). */
#define RADIX_BITS 11

int eg_prefix_sort(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx)
{
    uint64_t *key = NULL, *key2 = NULL, *t64;
    uint32_t *ix = NULL, *ix2 = NULL, *t32;
    char *a = base, *copy = NULL;
    size_t i, j, cnt[1 << RADIX_BITS];
    const uint64_t mask = (1 << RADIX_BITS) - 1;
    unsigned shift;
    int rc = EG_ENOMEM;
    if (n < 2)
        return EG_OK;
    if (!(key = eg_malloc(n * sizeof *key)) || !(key2 = eg_malloc(n * sizeof *key2)) ||
        !(ix = eg_malloc(n * sizeof *ix)) || !(ix2 = eg_malloc(n * sizeof *ix2)))
        goto out;
    for (i = 0; i < n; i++) {
        memcpy(&key[i], a + i * size, sizeof *key);
        ix[i] = (uint32_t)i;
    }
    for (shift = 0; shift < 64; shift += RADIX_BITS) {
        size_t sum = 0;
        memset(cnt, 0, sizeof cnt);
        for (i = 0; i < n; i++)
            cnt[key[i] >> shift & mask]++;
        if (cnt[key[0] >> shift & mask] == n)
            continue; /* one value of these bits: the pass would not move anything */
        for (i = 0; i <= mask; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++) {
            size_t at = cnt[key[i] >> shift & mask]++;
            key2[at] = key[i];
            ix2[at] = ix[i];
        }
        t64 = key, key = key2, key2 = t64;
        t32 = ix, ix = ix2, ix2 = t32;
    }
    eg_free(key2);
    eg_free(ix2);
    key2 = NULL;
    ix2 = NULL;
    if (!(copy = eg_malloc(n * size)))
        goto out;
    memcpy(copy, a, n * size);
    for (i = 0; i < n; i++)
        memcpy(a + i * size, copy + (size_t)ix[i] * size, size);
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && key[j] == key[i]; j++)
            ;
        if (j - i > 1 && eg_sort(a + i * size, j - i, size, cmp, ctx))
            goto out;
    }
    rc = EG_OK;
out:
    eg_free(key);
    eg_free(key2);
    eg_free(ix);
    eg_free(ix2);
    eg_free(copy);
    return rc;
}

typedef struct {
    char *a, *tmp;
    size_t n, size;
    eg_cmp_fn cmp;
    void *ctx;
} sort_half;

void eg_side_start(eg_side *s, int allowed, void *(*fn)(void *), void *arg)
{
    s->fn = fn;
    s->arg = arg;
    s->started = allowed && pthread_create(&s->t, NULL, fn, arg) == 0;
}

void eg_side_join(eg_side *s)
{
    if (s->started)
        pthread_join(s->t, NULL);
    else
        s->fn(s->arg);
}

static void *sort_half_main(void *arg)
{
    sort_half *x = arg;
    sort_run(x->a, x->tmp, x->n, x->size, x->cmp, x->ctx);
    return NULL;
}

int eg_sort_threads(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx, unsigned threads)
{
    char *tmp, *a = base;
    size_t h = n / 2;
    sort_half right;
    eg_side side;
    if (threads < 2 || n < 8192)
        return eg_sort(base, n, size, cmp, ctx);
    /* the halves as sort_run cuts them (the result is the same: a stable
     * sort has one result), each with its own scratch, then the one merge */
    if (!(tmp = eg_malloc((h / 2 + 1 + (n - h) / 2 + 1 + 1) * size)))
        return EG_ENOMEM;
    right.a = a + h * size;
    right.tmp = tmp + (h / 2 + 1) * size;
    right.n = n - h;
    right.size = size;
    right.cmp = cmp;
    right.ctx = ctx;
    eg_side_start(&side, 1, sort_half_main, &right);
    sort_run(a, tmp, h, size, cmp, ctx);
    eg_side_join(&side);
    merge_run(a, tmp, n, h, size, cmp, ctx);
    eg_free(tmp);
    return EG_OK;
}

/* ---- string map ---- */

static size_t strmap_find(const eg_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->nslots - 1, i = h & mask;
    uint32_t h32 = (uint32_t)h;
    for (;;) {
        const eg_strmap_slot *s = &m->slots[i];
        const eg_strmap_item *it;
        if (!s->idx)
            return i;
        if (s->h == h32) {
            it = &m->items[s->idx - 1];
            if (it->klen == len && memcmp(it->key, key, len) == 0)
                return i;
        }
        i = (i + 1) & mask;
    }
}

uint32_t *eg_strmap_get(const eg_strmap *m, const char *key, size_t len)
{
    size_t i;
    if (!m->nslots)
        return NULL;
    i = strmap_find(m, key, len, eg_hash(key, len));
    return m->slots[i].idx ? &m->items[m->slots[i].idx - 1].val : NULL;
}

/* Doubles the slots; the slots' hash bits place the items (the table
 * never has more than 2^32 slots, so the low 32 bits are enough). After
 * eg_strmap_drop_slots, the items' keys are hashed again. */
static int strmap_rehash(eg_strmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64, i;
    eg_strmap_slot *ns;
    if (!m->nslots)
        while ((m->count + 1) * 4 >= n * 3)
            n *= 2;
    if (n > ((size_t)1 << 32) || !(ns = eg_calloc(n, sizeof *ns)))
        return EG_ENOMEM;
    if (!m->nslots) {
        for (i = 0; i < m->count; i++) {
            uint32_t h = (uint32_t)eg_hash(m->items[i].key, m->items[i].klen);
            size_t j = h & (n - 1);
            while (ns[j].idx)
                j = (j + 1) & (n - 1);
            ns[j].idx = (uint32_t)i + 1;
            ns[j].h = h;
        }
    }
    for (i = 0; i < m->nslots; i++) {
        size_t j;
        if (!m->slots[i].idx)
            continue;
        j = m->slots[i].h & (n - 1);
        while (ns[j].idx)
            j = (j + 1) & (n - 1);
        ns[j] = m->slots[i];
    }
    eg_free(m->slots);
    m->slots = ns;
    m->nslots = n;
    return EG_OK;
}

int eg_strmap_put(eg_strmap *m, const char *key, size_t len, uint32_t v, uint32_t **slot, int *added)
{
    return eg_strmap_put_hashed(m, key, len, eg_hash(key, len), v, slot, added);
}

int eg_strmap_put_hashed(eg_strmap *m, const char *key, size_t len, uint64_t h, uint32_t v, uint32_t **slot,
                         int *added)
{
    size_t i;
    eg_strmap_item *it;
    if ((m->count + 1) * 4 >= m->nslots * 3 && strmap_rehash(m))
        return EG_ENOMEM;
    i = strmap_find(m, key, len, h);
    if (added)
        *added = !m->slots[i].idx;
    if (!m->slots[i].idx) {
        if (m->count >= UINT32_MAX - 1 || EG_GROW(m->items, m->cap, m->count + 1))
            return EG_ENOMEM;
        it = &m->items[m->count];
        if (!(it->key = eg_arena_alloc(&m->keys, len + 1)))
            return EG_ENOMEM;
        memcpy(it->key, key, len);
        it->key[len] = 0;
        it->klen = (uint32_t)len;
        it->val = v;
        m->slots[i].h = (uint32_t)h;
        m->slots[i].idx = (uint32_t)++m->count;
    }
    if (slot)
        *slot = &m->items[m->slots[i].idx - 1].val;
    return EG_OK;
}

void eg_strmap_clear(eg_strmap *m)
{
    eg_arena_reset(&m->keys);
    m->count = 0;
    if (m->slots)
        memset(m->slots, 0, m->nslots * sizeof *m->slots);
}

void eg_strmap_drop_slots(eg_strmap *m)
{
    eg_free(m->slots);
    m->slots = NULL;
    m->nslots = 0;
}

void eg_strmap_free(eg_strmap *m)
{
    eg_arena_free(&m->keys);
    eg_free(m->items);
    eg_free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- strings ---- */

/* eg_buf_addc with the common case (room) inline. */
static int slug_addc(eg_buf *b, char c)
{
    if (b->cap - b->len > 1) {
        b->p[b->len++] = c;
        b->p[b->len] = 0;
        return EG_OK;
    }
    return eg_buf_addc(b, c);
}

int eg_slug(eg_buf *b, const char *s, size_t n)
{
    size_t i = 0, start = b->len;
    int dash = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k;
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) { /* ASCII (most names), without decoding */
            i++;
            if (c == '\'' || c == '.')
                continue; /* "People's" → "peoples", "U.S." → "us" */
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
                if (dash && b->len > start && slug_addc(b, '-'))
                    return EG_ENOMEM;
                dash = 0;
                if (slug_addc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)))
                    return EG_ENOMEM;
            } else {
                dash = 1;
            }
            continue;
        }
        k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            i++;
            dash = 1;
            continue;
        }
        i += (size_t)k;
        /* cp >= 0x80 here: ASCII took the branch above, and utf8proc
         * refuses overlong forms of ASCII */
        if (cp == 0x2019 || cp == 0x2018)
            continue; /* "People’s" → "peoples", as with ' */
        {
            utf8proc_category_t cat = utf8proc_category(cp);
            if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC)
                continue;
            if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
                /* fold: decompose, strip marks, lower-case */
                utf8proc_uint8_t *out = NULL;
                utf8proc_uint8_t enc[4];
                utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
                utf8proc_ssize_t r = utf8proc_map(enc, m, &out,
                                                  UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD |
                                                      UTF8PROC_COMPAT);
                if (r < 0)
                    return EG_ENOMEM;
                if (dash && b->len > start && eg_buf_addc(b, '-')) {
                    free(out);
                    return EG_ENOMEM;
                }
                dash = 0;
                if (eg_buf_add(b, out, (size_t)r)) {
                    free(out);
                    return EG_ENOMEM;
                }
                free(out);
            } else if (cat == UTF8PROC_CATEGORY_ND) {
                if (dash && b->len > start && eg_buf_addc(b, '-'))
                    return EG_ENOMEM;
                dash = 0;
                if (eg_buf_add(b, s + i - k, (size_t)k))
                    return EG_ENOMEM;
            } else {
                dash = 1;
            }
        }
    }
    return EG_OK;
}

size_t eg_ascii_len(const unsigned char *p, size_t n)
{
    size_t i = 0;
    uint64_t w, v[4];
    for (; i + 32 <= n; i += 32) {
        memcpy(v, p + i, 32);
        if ((v[0] | v[1] | v[2] | v[3]) & 0x8080808080808080ull)
            break;
    }
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

size_t eg_utf8_bad_at(const unsigned char *p, size_t n)
{
    size_t i = 0, k;
    while (i < n) {
        if (p[i] < 0x80) {
            i += eg_ascii_len(p + i, n - i);
            continue;
        }
        if (!(k = eg_utf8_valid_len(p + i, n - i)))
            return i;
        i += k;
    }
    return n;
}

size_t eg_utf8_valid_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
        return 0;
    if (c == 0xF0 && p[1] < 0x90)
        return 0;
    if (c == 0xF4 && p[1] >= 0x90)
        return 0;
    return 4;
}

/* ---- files ---- */

int eg_read_file(const char *path, char **buf, size_t *len, eg_err *e)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0;
    int rc = EG_OK;
    if (!f)
        return eg_err_set(e, EG_EIO, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        size_t k;
        if (n + 65536 + 1 > cap && eg_grow((void **)&p, &cap, n + 65536 + 1, 1)) {
            rc = eg_err_nomem(e);
            goto out;
        }
        k = fread(p + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        rc = eg_err_set(e, EG_EIO, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    p[n] = 0;
    *buf = p;
    *len = n;
    p = NULL;
out:
    fclose(f);
    eg_free(p);
    return rc;
}

int eg_out_open(eg_out *o, const char *dir, const char *name, eg_err *e)
{
    eg_buf t = {0}, f = {0};
    memset(o, 0, sizeof *o);
    if (eg_buf_addf(&t, "%s/.%s.tmp.%ld", dir, name, (long)getpid()) ||
        eg_buf_addf(&f, "%s/%s", dir, name)) {
        eg_buf_free(&t);
        eg_buf_free(&f);
        return eg_err_nomem(e);
    }
    o->f = fopen(t.p, "wb");
    if (!o->f) {
        int rc = eg_err_set(e, EG_EIO, "%s: cannot write: %s", f.p, strerror(errno));
        eg_buf_free(&t);
        eg_buf_free(&f);
        return rc;
    }
    o->tmp = t.p;
    o->final = f.p;
    return EG_OK;
}

int eg_out_commit(eg_out *o, eg_err *e)
{
    int bad = ferror(o->f);
    int rc = EG_OK;
    if (fflush(o->f) != 0)
        bad = 1;
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (bad) {
        rc = eg_err_set(e, EG_EIO, "%s: write failed: %s", o->final, strerror(errno));
        unlink(o->tmp);
    } else if (rename(o->tmp, o->final) != 0) {
        rc = eg_err_set(e, EG_EIO, "%s: cannot rename into place: %s", o->final, strerror(errno));
        unlink(o->tmp);
    }
    eg_free(o->tmp);
    eg_free(o->final);
    o->tmp = o->final = NULL;
    return rc;
}

void eg_out_abort(eg_out *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    eg_free(o->tmp);
    eg_free(o->final);
    memset(o, 0, sizeof *o);
}

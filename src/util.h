/*
 * util.h — small shared pieces: error detail, growable buffers, hashing,
 * string helpers, and atomic file output. Every module includes this; it
 * depends on nothing but libc.
 *
 * Error convention (whole library): a function that can fail returns an int
 * status (EG_OK = 0, or a negative eg_status) and, on failure, writes one
 * line into the eg_err it was given with eg_err_set. The CLI prints it.
 */
#ifndef EG_UTIL_H
#define EG_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "entgraph.h"

#if defined(__GNUC__)
#define EG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define EG_UNUSED __attribute__((unused))
/* A hint to fetch the cache line at p: it never faults, whatever p is.
 * On x86 it is an asm statement the compiler must keep: GCC counts
 * __builtin_prefetch as no side effect, so a function that only
 * prefetches (a batch's prefetch pass) was found "const" and every call
 * to it deleted, along with its prefetches. */
#if defined(__x86_64__) || defined(__i386__)
#define EG_PREFETCH(p) __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)(p)))
#else
#define EG_PREFETCH(p) __builtin_prefetch(p)
#endif
#else
#define EG_PRINTF(a, b)
#define EG_UNUSED
#define EG_PREFETCH(p) ((void)(p))
#endif

/* One error slot: the first failure's status and one-line message. */
typedef struct {
    int code;
    char msg[512];
} eg_err;

/* Records code and message (printf-style) unless an error is already set
 * (the first failure is the one reported). Returns code. */
int eg_err_set(eg_err *e, int code, const char *fmt, ...) EG_PRINTF(3, 4);
/* Records an out-of-memory failure. Returns EG_ENOMEM. */
int eg_err_nomem(eg_err *e);
void eg_err_clear(eg_err *e);

/* ---- allocation (all library allocation goes through these, so that the
 * fault-injection build can fail the Nth call) ---- */
void *eg_malloc(size_t n);
void *eg_calloc(size_t n, size_t size);
void *eg_realloc(void *p, size_t n);
char *eg_strndup(const char *s, size_t n);
char *eg_strdup(const char *s);
void eg_free(void *p);

/* Grows *p (an array of `size`-byte items with capacity *cap) so that it
 * holds at least `need` items. Returns EG_OK or EG_ENOMEM (*p unchanged). */
int eg_grow(void **p, size_t *cap, size_t need, size_t size);
/* eg_grow with the room test inline: most calls find room, and the
 * per-item growth checks of the hot loops then cost no call. */
static inline int eg_grow_if(void **p, size_t *cap, size_t need, size_t size)
{
    return need <= *cap ? EG_OK : eg_grow(p, cap, need, size);
}
#define EG_GROW(arr, cap, need) eg_grow_if((void **)&(arr), &(cap), (need), sizeof *(arr))

/* A growable byte buffer, always NUL-terminated when len > 0 or after
 * eg_buf_cstr. Zero-initialise to start; eg_buf_free to release. */
typedef struct {
    char *p;
    size_t len, cap;
} eg_buf;

/* Room for `extra` more bytes and a NUL: the test inline, eg_buf_grow
 * (util.c) only to grow. */
int eg_buf_grow(eg_buf *b, size_t extra);
static inline int eg_buf_reserve(eg_buf *b, size_t extra)
{
    return b->len < b->cap && extra < b->cap - b->len ? EG_OK : eg_buf_grow(b, extra);
}
int eg_buf_add(eg_buf *b, const void *s, size_t n);
int eg_buf_addc(eg_buf *b, char c);
int eg_buf_adds(eg_buf *b, const char *s);
int eg_buf_addf(eg_buf *b, const char *fmt, ...) EG_PRINTF(2, 3);
const char *eg_buf_cstr(eg_buf *b); /* "" when empty or on OOM */
void eg_buf_reset(eg_buf *b);       /* len = 0, keeps memory */
void eg_buf_free(eg_buf *b);

/* ---- hashing ---- */
uint64_t eg_hash(const void *p, size_t n);
/* murmur3's 64-bit finaliser: a bijection that spreads every input bit. */
static inline uint64_t eg_hash_fin(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Combines two hashes. Inline: the trie and the edge table call it for
 * every token and pair. */
static inline uint64_t eg_hash_mix(uint64_t h, uint64_t v)
{
    return eg_hash_fin(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* eg_hash of a key of n <= 8 bytes given as their little-endian value,
 * the bytes past n zero (the tokenizer has a folded key in a register). */
static inline uint64_t eg_hash_le8(uint64_t v, size_t n) { return eg_hash_fin(v ^ (n * 0x9e3779b97f4a7c15ULL)); }
/* eg_hash of a key of 9 <= n <= 16 bytes given as its first eight bytes a
 * and its last eight bytes b (little-endian; they overlap when n < 16). */
static inline uint64_t eg_hash_le16(uint64_t a, uint64_t b, size_t n)
{
    return eg_hash_fin(eg_hash_fin(a ^ (n * 0x9e3779b97f4a7c15ULL)) ^ b);
}

/* ---- arena ----
 * Many small blocks freed all at once: a chain of chunks, each block
 * carved from the current one. Blocks never move (pointers stay valid
 * until eg_arena_reset or eg_arena_free); reset keeps the chunks for reuse.
 * Zero-initialise to start. */
typedef struct eg_arena_chunk eg_arena_chunk;
typedef struct {
    eg_arena_chunk *first, *cur;
} eg_arena;

/* n bytes (not aligned: for strings), or NULL when out of memory. */
char *eg_arena_alloc(eg_arena *a, size_t n);
void eg_arena_reset(eg_arena *a);
void eg_arena_free(eg_arena *a);

/* A stable merge sort (equal items keep their order, as glibc's qsort
 * gives when it can allocate) whose comparator has a context argument,
 * so two sorts may run at once. Returns EG_OK or EG_ENOMEM (nothing
 * sorted). */
typedef int (*eg_cmp_fn)(const void *a, const void *b, void *ctx);
int eg_sort(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx);
/* The first 8 bytes of s as a big-endian number, zero after its end: two
 * such numbers compare as strcmp compares the strings' first 8 bytes. */
uint64_t eg_str_prefix(const char *s);
/* eg_sort for items whose first member is a uint64_t eg_str_prefix and
 * whose cmp orders by it first: a stable radix sort of the prefixes, then
 * cmp within each run of equal prefixes. Same order as eg_sort. */
int eg_prefix_sort(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx);
/* The same sort with the two halves sorted side by side when threads > 1
 * and n is large enough to gain (the same order as eg_sort). */
int eg_sort_threads(void *base, size_t n, size_t size, eg_cmp_fn cmp, void *ctx, unsigned threads);

/* A string → uint32 map with interned keys (open addressing). Keys are
 * copied into the map's own arena: items[i].key stays valid until the
 * map is cleared or freed. A slot holds its item's index and the low 32
 * bits of the key's hash, so a probe that meets another key is told
 * apart without reading the item (a cache miss in a big map), and a
 * rehash places items without hashing their keys again; an item is then
 * 16 bytes. */
typedef struct {
    char *key;        /* owned copy, NUL-terminated */
    uint32_t klen;
    uint32_t val;
} eg_strmap_item;

typedef struct {
    uint32_t idx;     /* index + 1 into items, 0 = empty */
    uint32_t h;       /* low 32 bits of the key's eg_hash */
} eg_strmap_slot;

typedef struct {
    eg_strmap_slot *slots;
    size_t nslots;         /* power of two, at most 2^32 */
    eg_strmap_item *items; /* in insertion order */
    size_t count, cap;
    eg_arena keys;         /* the keys' bytes */
} eg_strmap;

/* Returns a pointer to the value for key (NULL when absent). */
uint32_t *eg_strmap_get(const eg_strmap *m, const char *key, size_t len);
/* Inserts key with value v when absent; *slot (may be NULL) receives the
 * pointer to the value (existing or new); *added (may be NULL) whether it
 * was new. Returns EG_OK or EG_ENOMEM. */
int eg_strmap_put(eg_strmap *m, const char *key, size_t len, uint32_t v,
                  uint32_t **slot, int *added);
/* eg_strmap_put for a caller that has the key's eg_hash already (h):
 * callers with many keys to look up hash them first and prefetch. */
int eg_strmap_put_hashed(eg_strmap *m, const char *key, size_t len, uint64_t h, uint32_t v,
                         uint32_t **slot, int *added);
/* A hint only: the key of hash h will be looked up soon. Step 0 fetches
 * its first slot; step 1 reads that slot (fetched by step 0 a while
 * before) and fetches the item it names; step 2 reads the item (fetched
 * by step 1) and fetches its key's bytes. A big map's lookups are a chain
 * of three cache misses; a batch of keys takes each step for all of them,
 * so that the misses overlap. */
static inline void eg_strmap_prefetch(const eg_strmap *m, uint64_t h, int step)
{
    const eg_strmap_slot *s;
    if (!m->nslots)
        return;
    s = &m->slots[h & (m->nslots - 1)];
    if (step == 0)
        EG_PREFETCH(s);
    else if (s->idx && s->h == (uint32_t)h)
        EG_PREFETCH(step == 1 ? (const void *)&m->items[s->idx - 1] : m->items[s->idx - 1].key);
}
/* The value of the item in the first slot for hash h when its hash bits
 * are h's, else NULL: a guess (the key is not compared), for prefetching
 * what the value names after eg_strmap_prefetch's step 1. */
static inline const uint32_t *eg_strmap_peek(const eg_strmap *m, uint64_t h)
{
    const eg_strmap_slot *s;
    if (!m->nslots)
        return NULL;
    s = &m->slots[h & (m->nslots - 1)];
    return s->idx && s->h == (uint32_t)h ? &m->items[s->idx - 1].val : NULL;
}
void eg_strmap_clear(eg_strmap *m); /* empties the map, keeps its memory */
/* Frees the slots of a map that will only be walked (items[]) for a while:
 * get finds nothing until the next put, which hashes the keys again. */
void eg_strmap_drop_slots(eg_strmap *m);
void eg_strmap_free(eg_strmap *m);

/* ---- strings ---- */

/* Appends the lower-case ASCII slug of s to b: letters and digits kept
 * (lower-cased; non-ASCII letters folded to ASCII where utf8proc can, else
 * kept as UTF-8), every other run becomes one '-', no leading or trailing
 * '-'. "People’s Mojahedin Organization" → "peoples-mojahedin-organization". */
int eg_slug(eg_buf *b, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes at p
 * (at most n) are not valid UTF-8. */
size_t eg_utf8_valid_len(const unsigned char *p, size_t n);
/* Length of the run of ASCII bytes (< 0x80) that starts p (at most n),
 * read 32, then eight bytes at a time. */
size_t eg_ascii_len(const unsigned char *p, size_t n);
/* Offset of the first byte of p[0..n) that does not start a valid UTF-8
 * sequence; n when all of it is valid. ASCII runs go by eg_ascii_len. */
size_t eg_utf8_bad_at(const unsigned char *p, size_t n);

/* ---- a job beside the calling thread ---- */

/* One job, fn(arg), run on a second thread when `allowed` and a thread can
 * be started, else on the calling thread inside eg_side_join: either way
 * it has run when eg_side_join returns. The job reports through arg. */
typedef struct {
    pthread_t t;
    int started;
    void *(*fn)(void *);
    void *arg;
} eg_side;

void eg_side_start(eg_side *s, int allowed, void *(*fn)(void *), void *arg);
void eg_side_join(eg_side *s);

/* ---- files ---- */

/* Reads a whole file. *buf is malloc'd (NUL-terminated, caller frees).
 * Errors name the path. */
int eg_read_file(const char *path, char **buf, size_t *len, eg_err *e);

/* An output file written to DIR/.NAME.tmp.PID and renamed to DIR/NAME on
 * eg_out_commit; eg_out_abort removes the temporary file. */
typedef struct {
    FILE *f;
    char *tmp, *final;
} eg_out;

int eg_out_open(eg_out *o, const char *dir, const char *name, eg_err *e);
int eg_out_commit(eg_out *o, eg_err *e); /* closes, checks errors, renames */
void eg_out_abort(eg_out *o);

#endif

/*
 * main.c — the entgraph command line. Uses only the public API
 * (entgraph.h): parses options, loads dictionaries, walks the inputs,
 * runs one graph per worker thread over the documents, merges them,
 * writes the mentions file (in document order, whatever the thread count)
 * and the graph files.
 *
 * Exit status: 0 every input processed; 1 a data or input error (an input
 * skipped, a bad gazetteer, an output that could not be written); 2 a
 * usage error. A skipped input does not stop the run unless --strict.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "entgraph.h"

#define MAX_EXTRA 64

typedef struct {
    char *path; /* to open; NULL for stdin */
    char *name; /* document name as reported */
} input;

typedef struct {
    input *v;
    size_t n, cap;
} inputs;

typedef struct {
    char *p;
    size_t len, cap;
} sbuf;

/* One document's results, handed from a worker to the writer thread. */
typedef struct {
    sbuf mentions;   /* temporary mention lines: type digit, id, "\tprefix\tsuffix\n" */
    sbuf messages;   /* warnings and errors, one per line */
    sbuf docj;       /* the current document's name as a JSON string */
    const char *doc_for; /* the name docj is for */
    int skipped;
    int done;
    uint64_t bytes;
} slot;

typedef struct {
    eg_options opt;
    const char *out_dir;
    unsigned formats;
    const char *mentions_path;
    const char *explain_path;
    const char *save_partial;        /* --save-partial FILE */
    const char *load_partial[MAX_EXTRA]; /* --load-partial FILE... */
    int nload;
    const char *data_dir;
    const char *gaz[MAX_EXTRA];
    int ngaz;
    const char *rules[MAX_EXTRA];
    int nrules;
    int no_default;
    int threads;
    int quiet;
    int strict;
} cli;

static const char *prog = "entgraph";

/* ---- small helpers ---- */

static void remove_temporaries(void);

static void die_nomem(void)
{
    fprintf(stderr, "%s: out of memory\n", prog);
    remove_temporaries();
    exit(1);
}

static void sb_reserve(sbuf *b, size_t n);

static void sb_add(sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_adds(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_addf(sbuf *b, const char *fmt, ...)
{
    char tmp[1024], *big;
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    /* longer (a long path): not cut, or a message would lose its newline */
    if (!(big = malloc((size_t)n + 1)))
        die_nomem();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

static void sb_free(sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Bytes that go into a JSON string as they are: printable ASCII but '"'
 * and '\\'. */
static int json_plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

/* Whether none of the eight bytes of x is a control, '"', '\\', DEL or
 * non-ASCII (the usual tests for a zero byte, and for a byte below 0x20,
 * on the word and on its xor with each special byte). */
static int json_plain8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
    return !((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | ((d - ones) & ~d) | x) & high);
}

/* The length of the run of json_plain bytes at s (at most n), eight at a
 * time; the last eight bytes are looked at as one word too, when the run
 * has got that far. */
static size_t json_plain_len(const unsigned char *s, size_t n)
{
    uint64_t x;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, s + i, 8);
        if (!json_plain8(x))
            break;
    }
    if (i < n && n >= 8 && i + 8 > n) {
        memcpy(&x, s + n - 8, 8);
        if (json_plain8(x))
            return n;
    }
    while (i < n && json_plain(s[i]))
        i++;
    return i;
}

/* Makes room for n more bytes (and the NUL). */
static void sb_reserve(sbuf *b, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n + 1)
            c *= 2;
        if (!(b->p = realloc(b->p, c)))
            die_nomem();
        b->cap = c;
    }
}

/* Writes s as a JSON string (quotes included) at p, which has room for
 * 6 * n + 2 bytes; returns the end. Invalid UTF-8 bytes become U+FFFD,
 * control characters \uXXXX. */
static char *json_put(char *p, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    *p++ = '"';
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = 1;
        if (json_plain(c)) {
            /* a run of plain bytes at once */
            k = json_plain_len((const unsigned char *)s + i, n - i);
            memcpy(p, s + i, k);
            p += k;
        } else if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            *p++ = '\\';
            if (c == '\n') {
                *p++ = 'n';
            } else if (c == '\t') {
                *p++ = 't';
            } else if (c == '\r') {
                *p++ = 'r';
            } else {
                memcpy(p, "u00", 3);
                p[3] = hex[c >> 4];
                p[4] = hex[c & 15];
                p += 5;
            }
        } else {
            /* validate one UTF-8 sequence */
            size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0, j;
            int ok = need && i + need <= n;
            for (j = 1; ok && j < need; j++)
                ok = ((unsigned char)s[i + j] & 0xC0) == 0x80;
            if (ok && need == 3 && ((c == 0xE0 && (unsigned char)s[i + 1] < 0xA0) ||
                                    (c == 0xED && (unsigned char)s[i + 1] >= 0xA0)))
                ok = 0;
            if (ok && need == 4 && ((c == 0xF0 && (unsigned char)s[i + 1] < 0x90) ||
                                    (c == 0xF4 && (unsigned char)s[i + 1] >= 0x90)))
                ok = 0;
            if (ok) {
                memcpy(p, s + i, need);
                p += need;
                k = need;
            } else {
                memcpy(p, "\xEF\xBF\xBD", 3);
                p += 3;
            }
        }
        i += k;
    }
    *p++ = '"';
    return p;
}

/* Appends s as a JSON string (json_put). */
static void sb_json(sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, 6 * n + 2);
    b->len = (size_t)(json_put(b->p + b->len, s, n) - b->p);
    b->p[b->len] = 0;
}

/* ---- interrupts ----
 * On SIGINT, SIGTERM or SIGHUP the temporary files this run may have open
 * are removed and the signal is raised again (the shell sees the
 * interrupt). Finished outputs of an earlier run are never touched: every
 * output is written under a temporary name and renamed into place, so an
 * interrupted run leaves them as they were. The list holds the mentions
 * file's temporaries and the names the library writes the graph files
 * under (DIR/.NAME.tmp.PID, see eg_out in util.h). die_nomem removes
 * them too. */
#define MAX_CLEANUP 16
static char *cleanup_path[MAX_CLEANUP];
static volatile sig_atomic_t ncleanup;

static void remove_temporaries(void)
{
    sig_atomic_t i;
    for (i = 0; i < ncleanup; i++)
        unlink(cleanup_path[i]); /* async-signal-safe */
}

static void on_signal(int sig)
{
    remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Adds a path (taken over) to the list; the list only grows while no file
 * is open, and the count is set after the slot. */
static void cleanup_add(char *path)
{
    if (!path)
        die_nomem();
    if (ncleanup == MAX_CLEANUP) {
        free(path);
        return;
    }
    cleanup_path[ncleanup] = path;
    ncleanup = ncleanup + 1;
}

static void cleanup_free(void)
{
    sig_atomic_t i, n = ncleanup;
    ncleanup = 0;
    for (i = 0; i < n; i++)
        free(cleanup_path[i]);
}

static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    size_t i;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal ignored when we start stays ignored (nohup; SIGINT of
         * a background job in a shell without job control) */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
    /* a file-size limit (ulimit -f) must fail the write, not kill the
     * process: the temporary file is then removed and the error named */
    signal(SIGXFSZ, SIG_IGN);
}

/* ---- inputs ---- */

static void inputs_add(inputs *in, const char *path, const char *name)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 64;
        if (!(in->v = realloc(in->v, in->cap * sizeof *in->v)))
            die_nomem();
    }
    in->v[in->n].path = path ? strdup(path) : NULL;
    in->v[in->n].name = strdup(name);
    if ((path && !in->v[in->n].path) || !in->v[in->n].name)
        die_nomem();
    in->n++;
}

typedef struct dir_seen {
    dev_t dev;
    ino_t ino;
    const struct dir_seen *up;
} dir_seen;

typedef struct {
    char *name;
    unsigned char type; /* readdir's d_type: DT_UNKNOWN when it cannot say */
} dir_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

static unsigned char entry_type(const struct dirent *de)
{
#ifdef DT_REG
    return de->d_type;
#else
    (void)de;
    return 0;
#endif
}

/* Does readdir say, for sure, that the entry is a regular file? */
static int entry_regular(const dir_entry *e)
{
#ifdef DT_REG
    return e->type == DT_REG;
#else
    (void)e;
    return 0;
#endif
}

/* Walks a directory recursively in sorted order; hidden entries are
 * skipped; a directory that is its own ancestor (a symlink loop) is named
 * and skipped. An entry that readdir says is a regular file is taken
 * without a stat of its own (a corpus has thousands: the stats were most
 * of the walk, which runs before anything else can); any other is
 * stat'ed, so a symbolic link counts as what it points to. Returns the
 * number of problems. */
static int walk(inputs *in, const char *dir, const dir_seen *up)
{
    DIR *d;
    struct dirent *de;
    dir_entry *names = NULL;
    size_t n = 0, cap = 0, i;
    int problems = 0;
    struct stat st;
    dir_seen me;
    const dir_seen *a;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
        return 1;
    }
    for (a = up; a; a = a->up)
        if (a->dev == st.st_dev && a->ino == st.st_ino) {
            fprintf(stderr, "%s: %s: skipped: directory loop (symbolic link to an ancestor)\n", prog, dir);
            return 1;
        }
    me.dev = st.st_dev;
    me.ino = st.st_ino;
    me.up = up;
    if (!(d = opendir(dir))) {
        fprintf(stderr, "%s: %s: cannot open directory: %s\n", prog, dir, strerror(errno));
        return 1;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            if (!(names = realloc(names, cap * sizeof *names)))
                die_nomem();
        }
        if (!(names[n].name = strdup(de->d_name)))
            die_nomem();
        names[n++].type = entry_type(de);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_entry);
    for (i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i].name) + 2;
        char *p = malloc(len);
        if (!p)
            die_nomem();
        snprintf(p, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i].name);
        if (entry_regular(&names[i])) {
            inputs_add(in, p, p);
        } else if (stat(p, &st) != 0) {
            fprintf(stderr, "%s: %s: skipped: %s\n", prog, p, strerror(errno));
            problems++;
        } else if (S_ISDIR(st.st_mode)) {
            problems += walk(in, p, &me);
        } else if (S_ISREG(st.st_mode)) {
            inputs_add(in, p, p);
        }
        free(p);
        free(names[i].name);
    }
    free(names);
    return problems;
}

/* ---- reading a document ---- */

typedef struct {
    const char *p;
    size_t len;
    void *map;   /* mmap'd region, or NULL */
    char *heap;  /* malloc'd copy, or NULL */
} docbytes;

/* A worker's read buffer, kept from one document to the next. */
typedef struct {
    char *p;
    size_t cap;
} rdbuf;

/* Files up to this size are read into the worker's buffer; larger ones are
 * mapped. Reading a small file costs one copy, where mapping it costs page
 * faults and, with two or more threads, a TLB flush on every core at the
 * unmap. */
#define READ_MAX (4u << 20)

static int read_all(int fd, char **out, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *p = malloc(cap);
    if (!p)
        return ENOMEM;
    for (;;) {
        ssize_t k;
        if (n == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                return ENOMEM;
            }
            p = q;
        }
        k = read(fd, p + n, cap - n);
        if (k < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            free(p);
            return e;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    *out = p;
    *len = n;
    return 0;
}

/* Reads exactly n bytes of fd into rb (grown as needed); short files (one
 * that shrank since fstat) give what there is. Returns 0 or an errno value. */
static int read_into(int fd, rdbuf *rb, size_t n, size_t *got)
{
    size_t done = 0;
    if (n + 1 > rb->cap) {
        size_t c = rb->cap ? rb->cap : 65536;
        char *q;
        while (c < n + 1)
            c *= 2;
        if (!(q = realloc(rb->p, c)))
            return ENOMEM;
        rb->p = q;
        rb->cap = c;
    }
    while (done < n) {
        ssize_t k = read(fd, rb->p + done, n - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (k == 0)
            break;
        done += (size_t)k;
    }
    *got = done;
    return 0;
}

/* Opens and reads (or maps) one input; a small regular file goes into rb.
 * Returns 0 or an errno value. */
static int doc_open(const input *in, docbytes *db, rdbuf *rb)
{
    int fd, e;
    struct stat st;
    memset(db, 0, sizeof *db);
    if (!in->path) {
        e = read_all(0, &db->heap, &db->len);
        db->p = db->heap;
        return e;
    }
    if ((fd = open(in->path, O_RDONLY)) < 0)
        return errno;
    if (fstat(fd, &st) != 0) {
        e = errno;
        close(fd);
        return e;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return EISDIR;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= READ_MAX) {
        size_t got = 0;
        char one;
        e = read_into(fd, rb, (size_t)st.st_size, &got);
        /* a file that grew since fstat: read it whole, as before */
        if (!e && got == (size_t)st.st_size && read(fd, &one, 1) == 0) {
            db->p = rb->p;
            db->len = got;
            close(fd);
            return 0;
        }
        if (!e && lseek(fd, 0, SEEK_SET) != 0)
            e = errno;
        if (e) {
            close(fd);
            return e;
        }
    } else if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            db->map = m;
            db->p = m;
            db->len = (size_t)st.st_size;
            close(fd);
            return 0;
        }
    }
    e = read_all(fd, &db->heap, &db->len);
    db->p = db->heap;
    close(fd);
    return e;
}

static void doc_close(docbytes *db)
{
    if (db->map)
        munmap(db->map, db->len);
    free(db->heap);
}

/* ---- workers ---- */

typedef struct {
    const cli *cl;
    const eg_ctx *ctx;
    const inputs *in;
    slot *slots;
    size_t nslots;     /* ring size */
    size_t next;       /* next document to take */
    size_t flushed;    /* documents written by the main thread */
    size_t ndone;      /* documents done and not yet written */
    size_t batch;      /* the main thread wakes for this many done documents */
    int main_waits;    /* the main thread waits on cv_done */
    int stop;          /* --strict failure: no more documents */
    int io_named;      /* an I/O error of the library was reported */
    pthread_mutex_t mu;
    pthread_cond_t cv_done, cv_space;
} shared;

typedef struct {
    shared *sh;
    eg_graph *g;
    rdbuf rb;          /* the read buffer, reused */
    int failed;        /* the run must stop: 1 out of memory, 2 an I/O error */
} worker;

static __thread slot *cur_slot;

static void on_warn(void *ud, const char *line)
{
    (void)ud;
    if (cur_slot) {
        sb_addf(&cur_slot->messages, "%s: warning: ", prog);
        sb_adds(&cur_slot->messages, line);
        sb_add(&cur_slot->messages, "\n", 1);
    } else {
        fprintf(stderr, "%s: warning: %s\n", prog, line);
    }
}

/* Appends v's decimal digits at p; returns the end. */
static char *put_u64(char *p, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(p, tmp + i, sizeof tmp - i);
    return p + (sizeof tmp - i);
}

#define PUT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

/* One temporary mention line, written in place after one reservation; the
 * document name's JSON is made once per document. */
static void on_mention(void *ud, const eg_mention *m)
{
    slot *s = ud;
    sbuf *b = &s->mentions;
    size_t el = strlen(m->entity), sl = strlen(m->source);
    const char *tn = eg_type_name(m->type);
    size_t tl = strlen(tn);
    char *p;
    if (s->doc_for != m->doc) {
        s->docj.len = 0;
        sb_json(&s->docj, m->doc, strlen(m->doc));
        s->doc_for = m->doc;
    }
    sb_reserve(b, 1 + el + s->docj.len + 6 * m->text_len + 6 * sl + tl + 2 * 20 + 100);
    p = b->p + b->len;
    /* the type goes first: entities are told apart by type and id */
    *p++ = (char)('0' + m->type);
    memcpy(p, m->entity, el);
    p += el;
    PUT_LIT(p, "\t{\"doc\": ");
    memcpy(p, s->docj.p, s->docj.len);
    p += s->docj.len;
    PUT_LIT(p, ", \"start\": ");
    p = put_u64(p, (unsigned long long)m->start);
    PUT_LIT(p, ", \"end\": ");
    p = put_u64(p, (unsigned long long)m->end);
    PUT_LIT(p, ", \"text\": ");
    p = json_put(p, m->text, m->text_len);
    PUT_LIT(p, ", \"type\": \"");
    memcpy(p, tn, tl);
    p += tl;
    PUT_LIT(p, "\", \t\"source\": ");
    p = json_put(p, m->source, sl);
    PUT_LIT(p, "}\n");
    b->len = (size_t)(p - b->p);
    b->p[b->len] = 0;
}

static void process_one(worker *w, size_t k, slot *s)
{
    const input *in = &w->sh->in->v[k];
    docbytes db;
    int e = doc_open(in, &db, &w->rb);
    cur_slot = s;
    s->doc_for = NULL;
    if (e) {
        sb_addf(&s->messages, "%s: %s: skipped: %s\n", prog, in->name, strerror(e));
        s->skipped = 1;
    } else if (db.len == 0) {
        sb_addf(&s->messages, "%s: %s: skipped: empty file\n", prog, in->name);
        s->skipped = 1;
    } else {
        int rc = eg_graph_add_doc(w->g, k, in->name, db.p, db.len, w->sh->cl->mentions_path ? on_mention : NULL, s);
        s->bytes = db.len;
        if (rc == EG_ENOMEM) {
            /* the run stops; run() says "out of memory" once */
            s->skipped = 1;
            w->failed = 1;
        } else if (rc == EG_EIO) {
            /* the library could not write its temporary files (disk full,
             * file-size limit): the next documents would fail alike, so
             * the run stops, and the failure is named once */
            pthread_mutex_lock(&w->sh->mu);
            if (!w->sh->io_named)
                sb_addf(&s->messages, "%s: %s\n", prog, eg_graph_error(w->g));
            w->sh->io_named = 1;
            pthread_mutex_unlock(&w->sh->mu);
            s->skipped = 1;
            w->failed = 2;
        } else if (rc) {
            sb_addf(&s->messages, "%s: %s\n", prog, eg_graph_error(w->g));
            s->skipped = 1;
        }
    }
    cur_slot = NULL;
    doc_close(&db);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        size_t k;
        slot *s;
        pthread_mutex_lock(&sh->mu);
        while (!sh->stop && sh->next < sh->in->n && sh->next - sh->flushed >= sh->nslots)
            pthread_cond_wait(&sh->cv_space, &sh->mu);
        if (sh->stop || sh->next >= sh->in->n) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        k = sh->next++;
        s = &sh->slots[k % sh->nslots];
        pthread_mutex_unlock(&sh->mu);
        process_one(w, k, s);
        pthread_mutex_lock(&sh->mu);
        if (w->failed)
            sh->stop = 1; /* out of memory: no more documents */
        s->done = 1;
        sh->ndone++;
        /* the main thread is woken for a batch of documents, not for each:
         * at two threads it would otherwise take a core from a worker
         * thousands of times a run */
        if (sh->main_waits && (sh->ndone >= sh->batch || sh->next >= sh->in->n || sh->stop))
            pthread_cond_signal(&sh->cv_done);
        pthread_mutex_unlock(&sh->mu);
    }
    free(w->rb.p);
    w->rb.p = NULL;
    return NULL;
}

/* ---- the mentions file ---- */

/* Appends one temporary mention line (len bytes) to out with its final
 * entity id and label (the line is changed in place). */
static void write_mention(sbuf *out, const eg_graph *g, char *line, size_t len)
{
    char *tab1 = memchr(line, '\t', len), *tab2;
    const char *id, *label = NULL;
    if (!tab1 || !(tab2 = memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - line))))
        return;
    *tab1 = 0;
    *tab2 = 0;
    if (line[0] < '0' || line[0] >= '0' + EG_NTYPES)
        return;
    id = eg_graph_final_id(g, (eg_type)(line[0] - '0'), line + 1, &label);
    if (!id)
        return; /* the entity was left out */
    sb_add(out, tab1 + 1, (size_t)(tab2 - tab1 - 1));
    sb_add(out, "\"entity\": ", 10);
    sb_json(out, id, strlen(id));
    sb_add(out, ", \"label\": ", 11);
    sb_json(out, label ? label : id, strlen(label ? label : id));
    sb_add(out, ", ", 2);
    sb_add(out, tab2 + 1, len - (size_t)(tab2 + 1 - line));
}

static char *tmp_name(const char *path, const char *tag)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0, len = strlen(path) + 64;
    char *p = malloc(len);
    if (!p)
        die_nomem();
    snprintf(p, len, "%.*s.%s.%s.%ld", (int)dl, path, slash ? slash + 1 : path, tag, (long)getpid());
    return p;
}

/* The temporary file is read, and the final one written, a block of this
 * many bytes at a time (the file is about twice the corpus). */
#define MENTION_BLOCK (1u << 20)

/* The temporary mentions file, once read, is removed (its name: quick)
 * and then closed, which frees its blocks: that takes a while for a file
 * about twice the corpus, so with threads to spare the close runs beside
 * the end of the rewrite (the last writes and the rename) instead of
 * after it. (The name goes first, on the rewriting thread: a removal
 * waits for the directory, which the rename holds while it frees the old
 * mentions file.) */
static void *drop_main(void *arg)
{
    fclose(arg);
    return NULL;
}

/* Rewrites the temporary mention lines into the final file (temporary
 * name, then rename); the temporary file is removed. Returns 0 or -1
 * (message printed). */
static int finish_mentions(const char *path, const char *tmp, const eg_graph *g, int threaded)
{
    FILE *in = fopen(tmp, "r"), *out;
    char *fin = tmp_name(path, "fin");
    sbuf ib = {0}, ob = {0};
    size_t got;
    int rc = 0, eof = 0, dropping;
    pthread_t dt;
    if (!in) {
        fprintf(stderr, "%s: %s: cannot read back: %s\n", prog, tmp, strerror(errno));
        free(fin);
        return -1;
    }
    if (!(out = fopen(fin, "w"))) {
        fprintf(stderr, "%s: %s: cannot write: %s\n", prog, path, strerror(errno));
        fclose(in);
        free(fin);
        return -1;
    }
    setvbuf(in, NULL, _IONBF, 0); /* our blocks are the buffers */
    setvbuf(out, NULL, _IONBF, 0);
    while (!eof && !rc) {
        char *p, *nl;
        size_t rest;
        sb_reserve(&ib, MENTION_BLOCK);
        got = fread(ib.p + ib.len, 1, ib.cap - 1 - ib.len, in);
        ib.len += got;
        if (got == 0) {
            if (ferror(in))
                rc = -1;
            eof = 1;
        }
        /* every whole line, and at the end what is left */
        for (p = ib.p; (nl = memchr(p, '\n', ib.len - (size_t)(p - ib.p))) || (eof && p < ib.p + ib.len); p = nl + 1) {
            if (!nl)
                nl = ib.p + ib.len - 1;
            write_mention(&ob, g, p, (size_t)(nl + 1 - p));
        }
        rest = ib.len - (size_t)(p - ib.p);
        memmove(ib.p, p, rest);
        ib.len = rest;
        if (ob.len >= MENTION_BLOCK || eof) {
            if (ob.len && fwrite(ob.p, 1, ob.len, out) != ob.len)
                rc = -1;
            ob.len = 0;
        }
    }
    sb_free(&ib);
    sb_free(&ob);
    unlink(tmp);
    dropping = threaded && pthread_create(&dt, NULL, drop_main, in) == 0;
    if (!dropping)
        drop_main(in);
    if (fflush(out) != 0 || ferror(out))
        rc = -1;
    if (fclose(out) != 0)
        rc = -1;
    if (!rc && rename(fin, path) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "%s: %s: write failed: %s\n", prog, path, strerror(errno));
        unlink(fin);
    }
    if (dropping)
        pthread_join(dt, NULL);
    free(fin);
    return rc;
}

typedef struct {
    const char *path, *tmp;
    const eg_graph *g;
    int threaded;      /* may start a thread of its own */
    int rc;
} mentions_job;

static void *mentions_main(void *arg)
{
    mentions_job *j = arg;
    j->rc = finish_mentions(j->path, j->tmp, j->g, j->threaded);
    return NULL;
}

/* ---- partial graphs ---- */

/* Adds every --load-partial file to g. Returns 0 or -1 (message printed). */
static int load_partials(const cli *cl, eg_graph *g)
{
    int i;
    for (i = 0; i < cl->nload; i++) {
        FILE *f = fopen(cl->load_partial[i], "rb");
        char *buf = NULL;
        size_t len = 0;
        int e;
        if (!f) {
            fprintf(stderr, "%s: %s: cannot open: %s\n", prog, cl->load_partial[i], strerror(errno));
            return -1;
        }
        e = read_all(fileno(f), &buf, &len);
        fclose(f);
        if (e) {
            fprintf(stderr, "%s: %s: cannot read: %s\n", prog, cl->load_partial[i], strerror(e));
            return -1;
        }
        if (eg_graph_load(g, buf, len)) {
            fprintf(stderr, "%s: %s: %s\n", prog, cl->load_partial[i], eg_graph_error(g));
            free(buf);
            return -1;
        }
        free(buf);
    }
    return 0;
}

/* Writes the graph's bytes to path (temporary name, then rename). */
static int save_partial(const char *path, const eg_graph *g)
{
    char *buf = NULL, *tmp;
    size_t len = 0;
    FILE *f;
    int rc = 0;
    if (eg_graph_save(g, &buf, &len)) {
        fprintf(stderr, "%s: %s: out of memory\n", prog, path);
        return -1;
    }
    tmp = tmp_name(path, "tmp");
    if (!(f = fopen(tmp, "wb")) || fwrite(buf, 1, len, f) != len || fflush(f) != 0)
        rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (!rc && rename(tmp, path) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "%s: %s: write failed: %s\n", prog, path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(buf);
    return rc;
}

/* ---- progress ---- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(size_t done, size_t total, uint64_t bytes, double t0, int last)
{
    double dt = now() - t0, mb = bytes / 1e6, rate = dt > 0 ? mb / dt : 0;
    double eta = done ? dt * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r%s: %zu/%zu files, %.1f MB, %.1f MB/s, ETA %.0f s   %s", prog, done, total, mb, rate, eta,
            last ? "\n" : "");
}

/* ---- options ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [OPTIONS] PATH...\n"
            "Finds people, organisations, places and events in English text and writes\n"
            "the graph of the entities that occur together.\n"
            "PATH: a file, a directory (read recursively), or - for standard input.\n\n"
            "  -o, --out DIR            output directory (default out/)\n"
            "  -f, --formats LIST       comma list of dot,graphml,json,gexf,csv,svg,png or all\n"
            "                           (default dot,graphml,json)\n"
            "      --mentions FILE      every mention as JSON Lines\n"
            "      --window W           sentence (default), paragraph, document, tokens:N\n"
            "      --weight W           count (default), assoc, npmi, jaccard, dice\n"
            "      --min-count N        drop edges seen fewer than N times\n"
            "      --min-weight X       drop edges lighter than X\n"
            "      --top N              keep the N most mentioned entities\n"
            "      --types LIST         keep these types (PERSON,ORG,PLACE,EVENT)\n"
            "      --evidence K         examples kept per edge (default 3)\n"
            "      --links              name the JSON edge list \"links\" (networkx < 3.4, d3)\n"
            "      --explain FILE       write every merge and partial-name decision\n"
            "      --fuzzy X            name-variant threshold 0..1 (default 0.82; 0 = off)\n"
            "      --no-ambiguous       leave out partial names the text leaves open\n"
            "  -g, --gazetteer FILE     extra gazetteer (repeatable)\n"
            "  -r, --rules FILE         extra pattern rules (repeatable)\n"
            "      --no-default-gazetteers   do not load the bundled gazetteers and rules\n"
            "      --data-dir DIR       bundled gazetteers from DIR (default %s)\n"
            "  -j, --threads N          worker threads (default: all cores)\n"
            "      --save-partial FILE  also save this run's graph, before corpus-level\n"
            "                           merges, for merging with others later\n"
            "      --load-partial FILE  add a graph saved by --save-partial (repeatable;\n"
            "                           PATH may then be omitted)\n"
            "      --strict             stop at the first unreadable or skipped input\n"
            "  -q, --quiet              no progress or warnings\n"
            "  -h, --help               this help\n"
            "  -V, --version            the version\n\n"
            "Exit status: 0 success; 1 a data or input error (inputs that were skipped\n"
            "are named on stderr; the others are still processed unless --strict);\n"
            "2 a usage error.\n",
            prog, eg_default_data_dir());
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try --help)\n");
    return 2;
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 100000000UL || *s == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno || end == s || *end ? -1 : 0;
}

static int parse_types(const char *s, unsigned *out)
{
    unsigned bits = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        eg_type t;
        if (eg_type_parse(s, n, &t))
            return -1;
        bits |= 1u << t;
        s += n;
        if (*s == ',')
            s++;
    }
    *out = bits;
    return bits ? 0 : -1;
}

enum {
    OPT_MENTIONS = 256, OPT_WINDOW, OPT_WEIGHT, OPT_MIN_COUNT, OPT_MIN_WEIGHT, OPT_TOP, OPT_TYPES,
    OPT_EVIDENCE, OPT_LINKS, OPT_EXPLAIN, OPT_FUZZY, OPT_NO_AMBIG, OPT_NO_DEFAULT, OPT_DATA_DIR, OPT_STRICT,
    OPT_SAVE_PARTIAL, OPT_LOAD_PARTIAL
};

static int parse_args(int argc, char **argv, cli *cl)
{
    static const struct option lo[] = {
        {"out", required_argument, 0, 'o'},       {"formats", required_argument, 0, 'f'},
        {"mentions", required_argument, 0, OPT_MENTIONS}, {"window", required_argument, 0, OPT_WINDOW},
        {"weight", required_argument, 0, OPT_WEIGHT}, {"min-count", required_argument, 0, OPT_MIN_COUNT},
        {"min-weight", required_argument, 0, OPT_MIN_WEIGHT}, {"top", required_argument, 0, OPT_TOP},
        {"types", required_argument, 0, OPT_TYPES}, {"evidence", required_argument, 0, OPT_EVIDENCE},
        {"links", no_argument, 0, OPT_LINKS},     {"explain", required_argument, 0, OPT_EXPLAIN},
        {"fuzzy", required_argument, 0, OPT_FUZZY}, {"no-ambiguous", no_argument, 0, OPT_NO_AMBIG},
        {"gazetteer", required_argument, 0, 'g'}, {"rules", required_argument, 0, 'r'},
        {"no-default-gazetteers", no_argument, 0, OPT_NO_DEFAULT},
        {"data-dir", required_argument, 0, OPT_DATA_DIR}, {"threads", required_argument, 0, 'j'},
        {"strict", no_argument, 0, OPT_STRICT},
        {"save-partial", required_argument, 0, OPT_SAVE_PARTIAL},
        {"load-partial", required_argument, 0, OPT_LOAD_PARTIAL},   {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},            {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    int c;
    unsigned u;
    eg_options_init(&cl->opt);
    cl->out_dir = "out";
    cl->formats = EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON;
    cl->data_dir = eg_default_data_dir();
    cl->threads = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:g:r:j:qhV", lo, NULL)) != -1) {
        switch (c) {
        case 'o':
            cl->out_dir = optarg;
            break;
        case 'f':
            if (eg_formats_parse(optarg, &cl->formats))
                return usage_error("unknown format in '%s' (want dot,graphml,json,gexf,csv,svg,png)", optarg);
            break;
        case OPT_MENTIONS:
            cl->mentions_path = optarg;
            break;
        case OPT_WINDOW:
            if (strcmp(optarg, "sentence") == 0)
                cl->opt.window = EG_WIN_SENTENCE;
            else if (strcmp(optarg, "paragraph") == 0)
                cl->opt.window = EG_WIN_PARAGRAPH;
            else if (strcmp(optarg, "document") == 0)
                cl->opt.window = EG_WIN_DOCUMENT;
            else if (strncmp(optarg, "tokens:", 7) == 0 && !parse_uint(optarg + 7, &u) && u > 0) {
                cl->opt.window = EG_WIN_TOKENS;
                cl->opt.window_tokens = u;
            } else
                return usage_error("bad window '%s' (want sentence, paragraph, document or tokens:N)", optarg);
            break;
        case OPT_WEIGHT: {
            static const char *const w[] = {"count", "assoc", "npmi", "jaccard", "dice"};
            int i, found = 0;
            for (i = 0; i < 5; i++)
                if (strcmp(optarg, w[i]) == 0) {
                    cl->opt.weight = (eg_weight)i;
                    found = 1;
                }
            if (!found)
                return usage_error("bad weight '%s' (want count, assoc, npmi, jaccard or dice)", optarg);
            break;
        }
        case OPT_MIN_COUNT:
            if (parse_uint(optarg, &cl->opt.min_count))
                return usage_error("bad --min-count '%s'", optarg);
            break;
        case OPT_MIN_WEIGHT:
            if (parse_double(optarg, &cl->opt.min_weight))
                return usage_error("bad --min-weight '%s'", optarg);
            cl->opt.has_min_weight = 1;
            break;
        case OPT_TOP:
            if (parse_uint(optarg, &cl->opt.top))
                return usage_error("bad --top '%s'", optarg);
            break;
        case OPT_TYPES:
            if (parse_types(optarg, &cl->opt.types))
                return usage_error("bad --types '%s' (want a comma list of PERSON,ORG,PLACE,EVENT)", optarg);
            break;
        case OPT_EVIDENCE:
            if (parse_uint(optarg, &cl->opt.evidence) || cl->opt.evidence > 64)
                return usage_error("bad --evidence '%s' (want 0..64)", optarg);
            break;
        case OPT_LINKS:
            cl->opt.links_key = 1;
            break;
        case OPT_EXPLAIN:
            cl->explain_path = optarg;
            cl->opt.explain = 1;
            break;
        case OPT_FUZZY:
            if (parse_double(optarg, &cl->opt.fuzzy) || cl->opt.fuzzy < 0 || cl->opt.fuzzy > 1)
                return usage_error("bad --fuzzy '%s' (want 0..1)", optarg);
            break;
        case OPT_NO_AMBIG:
            cl->opt.ambiguous_nodes = 0;
            break;
        case 'g':
            if (cl->ngaz == MAX_EXTRA)
                return usage_error("too many gazetteers (at most %s)", "64");
            cl->gaz[cl->ngaz++] = optarg;
            break;
        case 'r':
            if (cl->nrules == MAX_EXTRA)
                return usage_error("too many rules files (at most %s)", "64");
            cl->rules[cl->nrules++] = optarg;
            break;
        case OPT_NO_DEFAULT:
            cl->no_default = 1;
            break;
        case OPT_DATA_DIR:
            cl->data_dir = optarg;
            break;
        case 'j':
            if (parse_uint(optarg, &u) || u == 0 || u > 256)
                return usage_error("bad --threads '%s' (want 1..256)", optarg);
            cl->threads = (int)u;
            break;
        case OPT_SAVE_PARTIAL:
            cl->save_partial = optarg;
            break;
        case OPT_LOAD_PARTIAL:
            if (cl->nload == MAX_EXTRA)
                return usage_error("too many partial graphs (at most %s)", "64");
            cl->load_partial[cl->nload++] = optarg;
            break;
        case OPT_STRICT:
            cl->strict = 1;
            break;
        case 'q':
            cl->quiet = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("entgraph %s\n", EG_VERSION);
            exit(0);
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc && !cl->nload)
        return usage_error("%s", "no input: give a file, a directory or -");
    return 0;
}

/* Creates DIR (and parents) when missing; checks it is writable. */
static int ensure_dir(const char *dir)
{
    char *p = strdup(dir), *s;
    struct stat st;
    if (!p)
        die_nomem();
    for (s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: cannot create output directory: %s\n", prog, dir, strerror(errno));
        free(p);
        return -1;
    }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s: not a directory\n", prog, dir);
        return -1;
    }
    if (access(dir, W_OK) != 0) {
        fprintf(stderr, "%s: %s: output directory is not writable: %s\n", prog, dir, strerror(errno));
        return -1;
    }
    return 0;
}

static eg_ctx *load(const cli *cl)
{
    eg_ctx *c = eg_ctx_new(&cl->opt);
    int i;
    if (!c)
        die_nomem();
    eg_ctx_set_warn(c, cl->quiet ? NULL : on_warn, NULL);
    /* the bundled data loads on up to three threads (with -j1, one) */
    if (cl->threads > 0) {
        eg_ctx_set_threads(c, (unsigned)cl->threads);
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        eg_ctx_set_threads(c, n > 0 ? (unsigned)n : 1);
    }
    if (!cl->no_default && eg_ctx_load_dir(c, cl->data_dir))
        goto fail;
    for (i = 0; i < cl->ngaz; i++)
        if (eg_ctx_load_gazetteer(c, cl->gaz[i]))
            goto fail;
    for (i = 0; i < cl->nrules; i++)
        if (eg_ctx_load_rules(c, cl->rules[i]))
            goto fail;
    if (eg_ctx_seal(c))
        goto fail;
    return c;
fail:
    fprintf(stderr, "%s: %s\n", prog, eg_ctx_error(c));
    eg_ctx_free(c);
    return NULL;
}

/* Runs the workers; the calling thread writes results in document order.
 * Returns the merged graph, or NULL (message printed). */
static eg_graph *run(const cli *cl, const eg_ctx *ctx, const inputs *in, FILE *mtmp, int *skipped)
{
    shared sh;
    int nt = cl->threads, i;
    worker *ws;
    pthread_t *tid;
    size_t k;
    uint64_t bytes = 0;
    double t0 = now(), last = 0;
    int show = !cl->quiet && isatty(2), fail = 0, oom = 0, write_errno = 0, drain = 0;
    eg_graph *g = NULL;
    if (nt <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nt = n > 0 ? (int)n : 1;
    }
    if ((size_t)nt > in->n && in->n > 0)
        nt = (int)in->n;
    if (nt < 1)
        nt = 1;
    memset(&sh, 0, sizeof sh);
    sh.cl = cl;
    sh.ctx = ctx;
    sh.in = in;
    sh.nslots = (size_t)nt * 16;
    /* at most nt documents are in work: a full ring always has a batch */
    sh.batch = (size_t)nt * 8;
    if (!(sh.slots = calloc(sh.nslots, sizeof *sh.slots)) || !(ws = calloc((size_t)nt, sizeof *ws)) ||
        !(tid = calloc((size_t)nt, sizeof *tid)))
        die_nomem();
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv_done, NULL);
    pthread_cond_init(&sh.cv_space, NULL);
    for (i = 0; i < nt; i++) {
        ws[i].sh = &sh;
        if (!(ws[i].g = eg_graph_new(ctx)))
            die_nomem();
        if (pthread_create(&tid[i], NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "%s: cannot start a thread\n", prog);
            exit(1);
        }
    }
    for (k = 0; k < in->n; k++) {
        slot *s = &sh.slots[k % sh.nslots];
        pthread_mutex_lock(&sh.mu);
        /* once woken, the done documents in a row are written; then the
         * thread sleeps until a batch is done (or every document is taken) */
        for (;;) {
            if (s->done && (drain || sh.ndone >= sh.batch || sh.next >= in->n || sh.stop))
                break;
            if (!s->done && sh.stop && k >= sh.next)
                break;
            drain = 0;
            sh.main_waits = 1;
            pthread_cond_wait(&sh.cv_done, &sh.mu);
            sh.main_waits = 0;
        }
        drain = 1;
        pthread_mutex_unlock(&sh.mu);
        if (!s->done)
            break;
        if (s->messages.len && (!cl->quiet || s->skipped)) {
            if (show)
                fputs("\r\033[K", stderr);
            fputs(s->messages.p, stderr);
        }
        if (s->skipped) {
            (*skipped)++;
            if (cl->strict)
                fail = 1;
        }
        if (mtmp && s->mentions.len && fwrite(s->mentions.p, 1, s->mentions.len, mtmp) != s->mentions.len) {
            write_errno = errno;
            fail = 2;
        }
        bytes += s->bytes;
        s->mentions.len = s->messages.len = 0;
        s->skipped = 0;
        s->bytes = 0;
        pthread_mutex_lock(&sh.mu);
        s->done = 0;
        sh.ndone--;
        sh.flushed = k + 1;
        if (fail)
            sh.stop = 1;
        pthread_cond_broadcast(&sh.cv_space);
        pthread_mutex_unlock(&sh.mu);
        if (fail)
            break;
        if (show && (now() - last > 0.25 || k + 1 == in->n)) {
            last = now();
            progress(k + 1, in->n, bytes, t0, k + 1 == in->n);
        }
    }
    for (i = 0; i < nt; i++)
        pthread_join(tid[i], NULL);
    for (i = 0; i < nt; i++)
        if (ws[i].failed)
            oom |= ws[i].failed; /* 1: out of memory; 2: I/O error, already named */
    if (fail == 2)
        fprintf(stderr, "%s: %s: write failed: %s\n", prog, cl->mentions_path, strerror(write_errno));
    else if (oom & 1)
        fprintf(stderr, "%s: out of memory\n", prog);
    else if (fail)
        fprintf(stderr, "%s: stopped (--strict): an input was skipped\n", prog);
    if (oom)
        fail = 1;
    if (!fail) {
        g = ws[0].g;
        ws[0].g = NULL;
        /* the merges, and eg_graph_finish, may use the workers' threads */
        eg_graph_set_threads(g, (unsigned)nt);
        for (i = 1; i < nt; i++)
            if (eg_graph_merge(g, ws[i].g)) {
                fprintf(stderr, "%s: %s\n", prog, eg_graph_error(g));
                eg_graph_free(g);
                g = NULL;
                break;
            }
            else {
                /* freed as soon as merged: peak memory is the merged graph
                 * and one partial graph, not all of them */
                eg_graph_free(ws[i].g);
                ws[i].g = NULL;
            }
    }
    for (i = 0; i < nt; i++)
        eg_graph_free(ws[i].g);
    for (k = 0; k < sh.nslots; k++) {
        sb_free(&sh.slots[k].mentions);
        sb_free(&sh.slots[k].messages);
        sb_free(&sh.slots[k].docj);
    }
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv_done);
    pthread_cond_destroy(&sh.cv_space);
    free(sh.slots);
    free(ws);
    free(tid);
    return g;
}

static void collect(int argc, char **argv, inputs *in, int *problems)
{
    int i;
    for (i = optind; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "-") == 0) {
            inputs_add(in, NULL, "-");
        } else if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: %s: skipped: %s\n", prog, argv[i], strerror(errno));
            (*problems)++;
        } else if (S_ISDIR(st.st_mode)) {
            *problems += walk(in, argv[i], NULL);
        } else {
            inputs_add(in, argv[i], argv[i]);
        }
    }
}

int main(int argc, char **argv)
{
    cli cl;
    eg_ctx *ctx = NULL;
    eg_graph *g = NULL;
    inputs in = {0};
    int rc, problems = 0, status = 0;
    size_t i;
    FILE *mtmp = NULL;
    char *mtmp_name = NULL;
    memset(&cl, 0, sizeof cl);
#ifdef __GLIBC__
    /* the graph's arrays grow by doubling: above 256 KiB each is its own
     * mapping, grown in place and given back whole when freed, instead of
     * leaving copies' holes in the heap (glibc would raise this threshold
     * as big blocks are freed) */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    if ((rc = parse_args(argc, argv, &cl)))
        return rc;
    catch_signals();
    collect(argc, argv, &in, &problems);
    if (problems && cl.strict) {
        status = 1;
        goto out;
    }
    if (ensure_dir(cl.out_dir)) {
        status = 1;
        goto out;
    }
    if (!(ctx = load(&cl))) {
        status = 1;
        goto out;
    }
    {
        /* the temporary names to remove on an interrupt (see on_signal) */
        static const char *const outs[] = {"graph.dot", "graph.graphml", "graph.json", "graph.gexf",
                                           "nodes.csv", "edges.csv",     "graph.svg",  "graph.png"};
        for (i = 0; i < sizeof outs / sizeof outs[0]; i++) {
            size_t len = strlen(cl.out_dir) + strlen(outs[i]) + 40;
            char *p = malloc(len);
            if (p)
                snprintf(p, len, "%s/.%s.tmp.%ld", cl.out_dir, outs[i], (long)getpid());
            cleanup_add(p);
        }
        if (cl.mentions_path) {
            cleanup_add(tmp_name(cl.mentions_path, "tmp"));
            cleanup_add(tmp_name(cl.mentions_path, "fin"));
        }
        if (cl.explain_path)
            cleanup_add(tmp_name(cl.explain_path, "tmp"));
    }
    if (cl.mentions_path) {
        mtmp_name = tmp_name(cl.mentions_path, "tmp");
        if (!(mtmp = fopen(mtmp_name, "w+"))) {
            fprintf(stderr, "%s: %s: cannot write: %s\n", prog, cl.mentions_path, strerror(errno));
            status = 1;
            goto out;
        }
    }
    if (!(g = run(&cl, ctx, &in, mtmp, &problems))) {
        status = 1;
        goto out;
    }
    if (load_partials(&cl, g) || (cl.save_partial && save_partial(cl.save_partial, g))) {
        status = 1;
        goto out;
    }

    if (eg_graph_finish(g)) {
        fprintf(stderr, "%s: %s\n", prog, eg_graph_error(g));
        status = 1;
        goto out;
    }
    if (mtmp) {
        if (fclose(mtmp) != 0) {
            mtmp = NULL;
            fprintf(stderr, "%s: %s: write failed: %s\n", prog, cl.mentions_path, strerror(errno));
            status = 1;
            goto out;
        }
        mtmp = NULL;
    }
    {
        /* the mentions file is rewritten by a second thread while this one
         * writes the graph files: both only read the finished graph. Each
         * file is replaced whole or not at all, as before. */
        mentions_job mj;
        pthread_t mt;
        int threaded = 0, wrc, xrc = 0;
        mj.path = cl.mentions_path;
        mj.tmp = mtmp_name;
        mj.g = g;
        mj.threaded = cl.threads != 1; /* -j1: one thread, as asked */
        mj.rc = 0;
        if (cl.mentions_path && mj.threaded)
            threaded = pthread_create(&mt, NULL, mentions_main, &mj) == 0;
        if (cl.mentions_path && !threaded)
            mentions_main(&mj);
        wrc = eg_graph_write_threads(g, cl.out_dir, cl.formats, cl.threads);
        if (wrc)
            fprintf(stderr, "%s: %s\n", prog, eg_graph_error(g));
        /* the audit file while the mentions file may still be written
         * (it reads nothing the mentions thread reads); on one thread,
         * none after a failed mentions file, as before */
        else if (cl.explain_path && !(!threaded && mj.rc) && (xrc = eg_graph_write_explain(g, cl.explain_path)))
            fprintf(stderr, "%s: %s\n", prog, eg_graph_error(g));
        if (threaded)
            pthread_join(mt, NULL);
        if (wrc || xrc || mj.rc) {
            status = 1;
            goto out;
        }
    }
    if (!cl.quiet)
        fprintf(stderr, "%s: %zu files, %zu entities, %zu links written to %s/\n", prog, in.n - (size_t)problems,
                eg_graph_node_count(g), eg_graph_edge_count(g), cl.out_dir);
    if (problems)
        status = 1;
out:
    if (mtmp)
        fclose(mtmp);
    if (mtmp_name) {
        unlink(mtmp_name);
        free(mtmp_name);
    }
    eg_graph_free(g);
    eg_ctx_free(ctx);
    cleanup_free();
    for (i = 0; i < in.n; i++) {
        free(in.v[i].path);
        free(in.v[i].name);
    }
    free(in.v);
    return status;
}

/*
 * writers.c — the last stage: eg_write_all hands the finished graph view to
 * each writer asked for (write_dot.c, write_graphml.c, write_json.c,
 * write_gexf.c, write_csv.c, write_picture.c), stopping at the first
 * failure. eg_write_all_threads runs the writers side by side instead
 * (the pictures, which use cgraph and gvc, after them) and renames the
 * finished files into place in format order, each as soon as it and the
 * ones before it are done, so the directory ends as after a one-by-one
 * run, failures included. Side by side, the old output a rename replaces
 * is held open over the rename and closed by a thread with nothing else
 * to do, so freeing the old files' pages (tens of ms each) is not done
 * one after another at the end. The evidence spool
 * files are mapped once here for every writer (egw_env).
 *
 * It also holds what the writers share (writers.h): the output sink over
 * eg_out (bytes collect in a large buffer; the common append is an inline
 * copy), text cleaning and escaping that skip runs of plain bytes, number
 * formatting, the alias and evidence strings, and colours and shapes by
 * entity type.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "writers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours and shapes ----
 * Okabe–Ito colours: told apart with the common colour-vision
 * deficiencies, and light enough for black labels (contrast >= 6:1). */

static const struct {
    const char *color;
    int rgb[3];
    const char *shape;
} type_style[EG_NTYPES] = {
    [EG_PERSON] = {"#56B4E9", {0x56, 0xB4, 0xE9}, "ellipse"},
    [EG_ORG] = {"#E69F00", {0xE6, 0x9F, 0x00}, "box"},
    [EG_PLACE] = {"#009E73", {0x00, 0x9E, 0x73}, "hexagon"},
    [EG_EVENT] = {"#CC79A7", {0xCC, 0x79, 0xA7}, "parallelogram"},
};

const char *eg_type_color(eg_type t) { return (unsigned)t < EG_NTYPES ? type_style[t].color : "#BBBBBB"; }

const char *eg_type_shape(eg_type t) { return (unsigned)t < EG_NTYPES ? type_style[t].shape : "ellipse"; }

void egw_type_rgb(eg_type t, int rgb[3])
{
    int i;
    for (i = 0; i < 3; i++)
        rgb[i] = (unsigned)t < EG_NTYPES ? type_style[t].rgb[i] : 0xBB;
}

/* ---- dispatch ----
 * One job per format, in this order (outputs are committed in this order
 * too). The pictures lay out with gvc after every job has finished. */

static const struct {
    unsigned fmt;
    egw_writer_fn fn;
} writer_list[] = {
    {EG_FMT_DOT, egw_write_dot},   {EG_FMT_GRAPHML, egw_write_graphml}, {EG_FMT_JSON, egw_write_json},
    {EG_FMT_GEXF, egw_write_gexf}, {EG_FMT_CSV, egw_write_csv},
};
#define NWRITERS (sizeof writer_list / sizeof writer_list[0])

typedef struct {
    const eg_gview *v;
    const char *dir;
    const egw_map *maps;   /* shared, read-only */
    size_t nmaps;
    size_t njobs;
    size_t which[NWRITERS]; /* index into writer_list per job */
    egw_env env[NWRITERS];  /* per job: its deferred outputs */
    eg_err err[NWRITERS];
    int rc[NWRITERS];
    int finished[NWRITERS]; /* the job has run */
    pthread_mutex_t lock;
    int locked;             /* lock is initialised: jobs run side by side */
    size_t next;            /* next job to take */
    size_t committed;       /* jobs whose outputs are renamed (or dropped) */
    int committing;         /* a thread is renaming */
    int failed;             /* a job failed: the later outputs are dropped */
    int status;             /* the first failure's code */
    eg_err *e;
    pthread_cond_t wake;    /* an old output to let go, or all committed */
    int old[2 * NWRITERS];  /* held old outputs, renamed over, to close */
    size_t nold, oldtaken;
} write_jobs;

/* Side by side, a writer also starts the writeback of every EGW_KICK_AT
 * bytes it has written (sink_flush), so the disk queue takes the files
 * while they are formatted rather than all at once at the end. */
#define EGW_KICK_AT ((uint64_t)8 << 20)

/* Starts writing a finished output's pages to disk now, on the thread
 * that wrote it. ext4 does this anyway when a rename replaces a file
 * (auto_da_alloc), but then on the one renaming thread, waiting on the
 * disk queue, one file after another at the very end. A hint only: errors
 * are for the rename's close to report. */
static void start_writeback(egw_env *env)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    int k;
    for (k = 0; k < env->ndone; k++)
        if (env->done[k].f)
            (void)sync_file_range(fileno(env->done[k].f), 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)env;
#endif
}

static void run_job(write_jobs *w, size_t j)
{
    egw_env *env = &w->env[j];
    env->maps = (egw_map *)w->maps;
    env->nmaps = w->nmaps;
    env->defer = 1;
    env->kick = w->locked;
    w->rc[j] = writer_list[w->which[j]].fn(w->v, w->dir, env, &w->err[j]);
    if (w->locked) {
        /* not while a job waits for this thread: the rename starts the
         * writeback itself, on a thread with nothing else left to write */
        int more;
        pthread_mutex_lock(&w->lock);
        more = w->next < w->njobs;
        pthread_mutex_unlock(&w->lock);
        if (!more)
            start_writeback(env);
    }
    env->maps = NULL; /* owned by eg_write_all */
    env->nmaps = 0;
}

/* The output a rename is about to replace, held open so that the rename
 * is quick and the old file's pages are freed at the close instead, on
 * whichever thread is free (each is ~25 ms for 50 MB on ext4): -1 if
 * there is none or it is not a regular file we may read. */
static int hold_old(const char *path)
{
    struct stat st;
    int fd;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (1 << 20))
        return -1;
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Hands a held old output to the threads that close them. */
static void let_go(write_jobs *w, int fd)
{
    if (fd < 0)
        return;
    pthread_mutex_lock(&w->lock);
    w->old[w->nold++] = fd;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

/* Renames (or, after a failure, drops) job j's outputs; the first failure
 * is kept in w->e. Side by side, the old outputs are held over the rename
 * and closed by let_go's taker (job_thread). */
static void commit_job(write_jobs *w, size_t j)
{
    egw_env *env = &w->env[j];
    int k;
    if (!w->failed && w->rc[j]) {
        if (!w->e->code)
            *w->e = w->err[j];
        w->status = w->rc[j];
        w->failed = 1;
    }
    for (k = 0; k < env->ndone; k++) {
        if (w->failed) {
            eg_out_abort(&env->done[k]);
        } else {
            int fd = w->locked ? hold_old(env->done[k].final) : -1;
            if ((w->status = eg_out_commit(&env->done[k], w->e)))
                w->failed = 1;
            if (w->locked)
                let_go(w, fd);
            else if (fd >= 0)
                close(fd);
        }
    }
    env->ndone = 0;
    egw_env_free(env);
}

/* Job j has run: the jobs finished in a row from the first uncommitted one
 * are renamed now, in format order, while the other threads still write
 * (renaming over an old output frees its pages, which takes a while).
 * One thread renames at a time. */
static void job_done(write_jobs *w, size_t j)
{
    if (w->locked)
        pthread_mutex_lock(&w->lock);
    w->finished[j] = 1;
    while (!w->committing && w->committed < w->njobs && w->finished[w->committed]) {
        size_t c = w->committed;
        w->committing = 1;
        if (w->locked)
            pthread_mutex_unlock(&w->lock);
        commit_job(w, c);
        if (w->locked)
            pthread_mutex_lock(&w->lock);
        w->committing = 0;
        w->committed = c + 1;
    }
    if (w->locked) {
        if (w->committed == w->njobs)
            pthread_cond_broadcast(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
}

static void *job_thread(void *arg)
{
    write_jobs *w = arg;
    for (;;) {
        size_t j;
        pthread_mutex_lock(&w->lock);
        j = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (j >= w->njobs)
            break;
        run_job(w, j);
        job_done(w, j);
    }
    /* no job left: close the old outputs as they are renamed over, until
     * every job is committed */
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (w->oldtaken < w->nold) {
            int fd = w->old[w->oldtaken++];
            pthread_mutex_unlock(&w->lock);
            close(fd);
            pthread_mutex_lock(&w->lock);
        } else if (w->committed == w->njobs) {
            break;
        } else {
            pthread_cond_wait(&w->wake, &w->lock);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int eg_write_all(const eg_gview *v, const char *dir, unsigned formats, eg_err *e)
{
    return eg_write_all_threads(v, dir, formats, 1, e);
}

int eg_write_all_threads(const eg_gview *v, const char *dir, unsigned formats, int threads, eg_err *e)
{
    const unsigned known = EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON | EG_FMT_GEXF | EG_FMT_CSV |
                           EG_FMT_SVG | EG_FMT_PNG;
    write_jobs *w = NULL;
    egw_env shared;
    pthread_t tid[NWRITERS];
    size_t i, nt = 0;
    int rc = EG_OK, failed = 0, side;
    if (formats & ~known)
        return eg_err_set(e, EG_EUSAGE, "%s: unknown output format bits 0x%x", dir, formats & ~known);
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (!(w = eg_calloc(1, sizeof *w)))
        return eg_err_nomem(e);
    egw_env_init(&shared, v);
    w->v = v;
    w->dir = dir;
    w->maps = shared.maps;
    w->nmaps = shared.nmaps;
    for (i = 0; i < NWRITERS; i++)
        if (formats & writer_list[i].fmt)
            w->which[w->njobs++] = i;
    w->e = e;
    side = threads > 1 && w->njobs > 1 && pthread_mutex_init(&w->lock, NULL) == 0;
    if (side && pthread_cond_init(&w->wake, NULL) != 0) {
        pthread_mutex_destroy(&w->lock);
        side = 0;
    }
    if (side) {
        size_t want = (size_t)threads - 1 < w->njobs - 1 ? (size_t)threads - 1 : w->njobs - 1;
        w->locked = 1;
        for (nt = 0; nt < want; nt++)
            if (pthread_create(&tid[nt], NULL, job_thread, w) != 0)
                break;
        job_thread(w); /* this thread takes jobs too */
        for (i = 0; i < nt; i++)
            pthread_join(tid[i], NULL);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
    } else {
        /* one by one, each renamed when done: stop at the first failure */
        for (i = 0; i < w->njobs && !w->failed; i++) {
            run_job(w, i);
            job_done(w, i);
        }
        w->njobs = i;
    }
    rc = w->status;
    failed = w->failed;
    egw_env_free(&shared);
    eg_free(w);
    if (!failed && (formats & EG_FMT_SVG))
        rc = eg_write_picture(v, dir, "svg", e);
    if (!rc && (formats & EG_FMT_PNG))
        rc = eg_write_picture(v, dir, "png", e);
    return rc;
}

/* A writer on its own: its own mapped spool, outputs renamed on close. */
int egw_write_alone(egw_writer_fn fn, const eg_gview *v, const char *dir, eg_err *e)
{
    egw_env env;
    int rc;
    egw_env_init(&env, v);
    rc = fn(v, dir, &env, e);
    egw_env_free(&env);
    return rc;
}

int egw_check_view(const eg_gview *v, const char *file, eg_err *e)
{
    size_t i;
    if (!v || (v->nnodes && !v->nodes) || (v->nedges && !v->edges))
        return eg_err_set(e, EG_EDATA, "%s: no graph to write", file);
    for (i = 0; i < v->nnodes; i++) {
        const eg_node *n = &v->nodes[i];
        if (!n->id || !n->label || (n->naliases && !n->aliases))
            return eg_err_set(e, EG_EDATA, "%s: node %zu has no id, label or aliases", file, i);
    }
    for (i = 0; i < v->nedges; i++) {
        const eg_edge *ed = &v->edges[i];
        if (ed->a >= v->nnodes || ed->b >= v->nnodes)
            return eg_err_set(e, EG_EDATA, "%s: edge %zu joins a node that is not in the graph", file, i);
        if (!isfinite(ed->weight))
            return eg_err_set(e, EG_EDATA, "%s: edge %s -- %s has a weight that is not a number", file,
                              v->nodes[ed->a].id, v->nodes[ed->b].id);
        if (ed->nev && !ed->ev)
            return eg_err_set(e, EG_EDATA, "%s: edge %zu has no evidence array", file, i);
    }
    return EG_OK;
}

/* ---- the sink ---- */

int egw_open(egw_sink *s, const char *dir, const char *name, eg_err *e) { return egw_open_env(s, NULL, dir, name, e); }

int egw_open_env(egw_sink *s, egw_env *env, const char *dir, const char *name, eg_err *e)
{
    memset(s, 0, sizeof *s);
    s->env = env;
    return eg_out_open(&s->out, dir, name, e);
}

void egw_fail(egw_sink *s, int status)
{
    if (!s->status) {
        s->status = status;
        s->err_no = errno;
    }
}

static void sink_flush(egw_sink *s)
{
    if (s->status || !s->buf.len)
        return;
    errno = 0;
    if (fwrite(s->buf.p, 1, s->buf.len, s->out.f) != s->buf.len || ferror(s->out.f))
        egw_fail(s, EG_EIO);
    s->sent += s->buf.len;
    s->buf.len = 0;
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    /* the disk takes the file while the rest is formatted, not all of it
     * in the rename at the end (see start_writeback); a hint only */
    if (!s->status && s->env && s->env->kick && s->sent - s->kicked >= EGW_KICK_AT && fflush(s->out.f) == 0) {
        (void)sync_file_range(fileno(s->out.f), (off_t)s->kicked, (off_t)(s->sent - s->kicked), SYNC_FILE_RANGE_WRITE);
        s->kicked = s->sent;
    }
#endif
}

/* egw_add when the buffer is full or not made yet: flush, then keep the
 * buffer large enough that the next writes are plain copies. */
void egw_add_slow(egw_sink *s, const void *p, size_t n)
{
    if (s->status)
        return;
    if (s->buf.len + n >= EGW_FLUSH_AT) {
        sink_flush(s);
        if (s->status)
            return;
    }
    if (eg_buf_reserve(&s->buf, n > EGW_FLUSH_AT ? n : EGW_FLUSH_AT)) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    if (n)
        memcpy(s->buf.p + s->buf.len, p, n);
    s->buf.len += n;
    if (s->buf.len >= EGW_FLUSH_AT)
        sink_flush(s);
}

/* egw_room when the buffer is full or not made yet: flush, then grow. */
char *egw_room_slow(egw_sink *s, size_t n)
{
    if (s->status)
        return NULL;
    if (s->buf.len + n >= EGW_FLUSH_AT) {
        sink_flush(s);
        if (s->status)
            return NULL;
    }
    if (eg_buf_reserve(&s->buf, n > EGW_FLUSH_AT ? n : EGW_FLUSH_AT)) {
        egw_fail(s, EG_ENOMEM);
        return NULL;
    }
    return s->buf.p + s->buf.len;
}

void egw_printf(egw_sink *s, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    if (s->status)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        egw_fail(s, EG_EIO);
        return;
    }
    if ((size_t)n < sizeof small) {
        egw_add(s, small, (size_t)n);
        return;
    }
    sink_flush(s);
    if (s->status)
        return;
    if (eg_buf_reserve(&s->buf, (size_t)n)) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s->buf.p + s->buf.len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->buf.len += (size_t)n;
    if (s->buf.len >= EGW_FLUSH_AT)
        sink_flush(s);
}

/* Two digits at a time, from the right, once the length is known; counts
 * below 100 (most of them) without the loops. Below 10: egw_fmt_u64
 * (writers.h). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

size_t egw_fmt_u64_big(char *buf, uint64_t x)
{
    size_t n, i;
    if (x < 100) {
        memcpy(buf, digit_pairs + 2 * x, 2);
        buf[2] = 0;
        return 2;
    }
    if (x < 10000) /* offsets and ids: the length by comparison, no division */
        n = x < 1000 ? 3 : 4;
    else {
        uint64_t t = x / 10000;
        n = 5;
        while (t >= 10) {
            n++;
            t /= 10;
        }
    }
    buf[n] = 0;
    for (i = n; x >= 100; x /= 100) {
        i -= 2;
        memcpy(buf + i, digit_pairs + 2 * (x % 100), 2);
    }
    if (x >= 10)
        memcpy(buf + i - 2, digit_pairs + 2 * x, 2);
    else
        buf[i - 1] = (char)('0' + x);
    return n;
}

void egw_xml(egw_sink *s, const char *str) { egw_xml_n(s, str, strlen(str)); }

void egw_real(egw_sink *s, double v)
{
    char buf[32];
    egw_add(s, buf, egw_fmt_real_n(buf, v));
}

int egw_flush(egw_sink *s)
{
    sink_flush(s);
    if (!s->status && s->out.f) {
        errno = 0;
        if (fflush(s->out.f) != 0 || ferror(s->out.f))
            egw_fail(s, EG_EIO);
    }
    return s->status;
}

int egw_close(egw_sink *s, eg_err *e)
{
    int rc;
    egw_flush(s);
    if (s->status) {
        const char *path = s->out.final ? s->out.final : "?";
        if (s->status == EG_ENOMEM)
            rc = eg_err_set(e, EG_ENOMEM, "%s: out of memory", path);
        else
            rc = eg_err_set(e, s->status, "%s: %s failed: %s", path, s->what ? s->what : "write",
                            s->err_no ? strerror(s->err_no) : "I/O error");
        egw_abort(s);
        return rc;
    }
    if (s->env && s->env->defer && s->env->ndone < 2) {
        s->env->done[s->env->ndone++] = s->out; /* eg_write_all renames it in turn */
        rc = EG_OK;
    } else {
        rc = eg_out_commit(&s->out, e);
    }
    eg_buf_free(&s->buf);
    memset(s, 0, sizeof *s);
    return rc;
}

void egw_abort(egw_sink *s)
{
    eg_out_abort(&s->out);
    eg_buf_free(&s->buf);
    memset(s, 0, sizeof *s);
}

/* ---- the evidence spool, mapped ---- */

static int cmp_int(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

void egw_env_init(egw_env *env, const eg_gview *v)
{
    int *fds = NULL, last = -1;
    size_t i, j, n = 0, cap = 0, u = 0;
    uint64_t total = 0;
    memset(env, 0, sizeof *env);
    if (!v || !v->edges)
        return;
    /* the distinct descriptors: consecutive evidence mostly shares one */
    for (i = 0; i < v->nedges; i++) {
        const eg_edge *ed = &v->edges[i];
        for (j = 0; ed->ev && j < ed->nev; j++) {
            const eg_evidence *ev = &ed->ev[j];
            if (ev->snippet || ev->spool_fd < 0 || ev->spool_fd == last)
                continue;
            last = ev->spool_fd;
            if (EG_GROW(fds, cap, n + 1))
                goto out; /* no table: every snippet is read with pread */
            fds[n++] = last;
        }
    }
    if (!n)
        goto out;
    qsort(fds, n, sizeof *fds, cmp_int);
    for (i = 0; i < n; i++)
        if (!i || fds[i] != fds[i - 1])
            fds[u++] = fds[i];
    if (!(env->maps = eg_calloc(u, sizeof *env->maps)))
        goto out;
    env->nmaps = u;
    for (i = 0; i < u; i++) {
        struct stat st;
        env->maps[i].fd = fds[i];
        if (fstat(fds[i], &st) != 0 || st.st_size <= 0)
            goto out; /* nothing is mapped: read them all with pread */
        total += (uint64_t)st.st_size;
        env->maps[i].size = (size_t)st.st_size;
    }
    if (total > EGW_MAP_MAX)
        goto out;
    for (i = 0; i < u; i++) {
        void *p = mmap(NULL, env->maps[i].size, PROT_READ, MAP_SHARED, fds[i], 0);
        if (p == MAP_FAILED)
            continue;
        madvise(p, env->maps[i].size, MADV_RANDOM); /* no read-ahead if it left the page cache */
        env->maps[i].base = p;
    }
out:
    eg_free(fds);
}

void egw_env_free(egw_env *env)
{
    size_t i;
    int k;
    for (i = 0; i < env->nmaps; i++)
        if (env->maps[i].base)
            munmap((void *)env->maps[i].base, env->maps[i].size);
    eg_free(env->maps);
    for (k = 0; k < env->ndone; k++)
        eg_out_abort(&env->done[k]);
    memset(env, 0, sizeof *env);
}

/* Where ev's snippet is in a mapped spool file; NULL when it is not
 * mapped (or the record points outside the file). */
static const char *snippet_mapped(const egw_env *env, const eg_evidence *ev)
{
    size_t lo = 0, hi;
    if (!env || !env->nmaps)
        return NULL;
    hi = env->nmaps;
    if (hi == 1) /* the common case: one spool file */
        hi = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (env->maps[mid].fd < ev->spool_fd)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < env->nmaps && env->maps[lo].fd == ev->spool_fd && env->maps[lo].base &&
        ev->snip_off <= env->maps[lo].size && ev->snip_len <= env->maps[lo].size - ev->snip_off)
        return env->maps[lo].base + ev->snip_off;
    return NULL;
}

const char *egw_snippet(const egw_env *env, const eg_evidence *ev, size_t *len, eg_buf *tmp)
{
    const char *p;
    if (ev->snippet) {
        *len = strlen(ev->snippet);
        return ev->snippet;
    }
    if ((p = snippet_mapped(env, ev))) {
        const char *z = memchr(p, 0, ev->snip_len);
        *len = z ? (size_t)(z - p) : ev->snip_len;
        return p;
    }
    if (!(p = eg_evidence_snippet(ev, tmp)))
        return NULL;
    *len = strlen(p);
    return p;
}

/* How far ahead egw_prefetch looks: the records that hold the addresses
 * first, then what they point at, once the records have come in. */
#define AHEAD_RECORDS 16
#define AHEAD_TEXT 8

void egw_prefetch(const egw_env *env, const eg_gview *v, size_t i, size_t nev)
{
    const eg_edge *ed;
    size_t j;
    if (i + AHEAD_RECORDS < v->nedges) {
        ed = &v->edges[i + AHEAD_RECORDS];
        if (ed->nev)
            EG_PREFETCH(ed->ev);
    }
    if (i + AHEAD_TEXT < v->nedges) {
        ed = &v->edges[i + AHEAD_TEXT];
        for (j = 0; j < ed->nev && j < nev; j++) {
            const char *p = ed->ev[j].snippet ? ed->ev[j].snippet : snippet_mapped(env, &ed->ev[j]);
            if (p) {
                EG_PREFETCH(p); /* a snippet is at most about 200 bytes */
                EG_PREFETCH(p + 64);
                EG_PREFETCH(p + 128);
                EG_PREFETCH(p + 192);
            }
        }
    }
}

void egw_prefetch_node(const eg_gview *v, size_t i)
{
    if (i + AHEAD_RECORDS < v->nnodes && v->nodes[i + AHEAD_RECORDS].naliases)
        EG_PREFETCH(v->nodes[i + AHEAD_RECORDS].aliases);
    if (i + AHEAD_TEXT < v->nnodes) {
        const eg_node *n = &v->nodes[i + AHEAD_TEXT];
        size_t j;
        EG_PREFETCH(n->label);
        for (j = 0; j < n->naliases && j < 4; j++)
            EG_PREFETCH(n->aliases[j].text);
    }
}

/* Not static: GCC takes a static function that only loads and prefetches
 * for one without effects and drops its calls. */
void egw_prefetch_heads(const eg_gview *v, size_t k)
{
    const eg_node *n;
    size_t j;
    if (k + AHEAD_RECORDS + AHEAD_TEXT < v->nedges)
        EG_PREFETCH(&v->nodes[v->edges[k + AHEAD_RECORDS + AHEAD_TEXT].b]);
    if (k + AHEAD_RECORDS < v->nedges) {
        n = &v->nodes[v->edges[k + AHEAD_RECORDS].b];
        EG_PREFETCH(n->label);
        if (n->naliases)
            EG_PREFETCH(n->aliases);
    }
    if (k + AHEAD_TEXT < v->nedges) {
        n = &v->nodes[v->edges[k + AHEAD_TEXT].b];
        for (j = 0; j < n->naliases && j < 4; j++)
            EG_PREFETCH(n->aliases[j].text);
    }
}

/* ---- node names ---- */

int egw_names_make(egw_names *nm, const eg_gview *v, int (*fmt)(eg_buf *b, size_t i, const char *id, void *ud),
                   void *ud)
{
    size_t i;
    memset(nm, 0, sizeof *nm);
    if (v->nnodes && !(nm->end = eg_calloc(v->nnodes, sizeof *nm->end)))
        return EG_ENOMEM;
    for (i = 0; i < v->nnodes; i++) {
        if (i + AHEAD_TEXT < v->nnodes)
            EG_PREFETCH(v->nodes[i + AHEAD_TEXT].id);
        if (fmt(&nm->text, i, v->nodes[i].id, ud))
            return EG_ENOMEM;
        nm->end[i] = nm->text.len;
    }
    return eg_buf_reserve(&nm->text, 0); /* text.p is not NULL, even when every name is empty */
}

void egw_names_free(egw_names *nm)
{
    eg_buf_free(&nm->text);
    eg_free(nm->end);
    memset(nm, 0, sizeof *nm);
}

/* ---- text ---- */

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

int egw_utf8_clean_n(eg_buf *b, const char *str, size_t n)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t k;
        while (i < n && p[i] < 0x80)
            i++;
        if (i >= n)
            break;
        if ((k = eg_utf8_valid_len(p + i, n - i))) {
            i += k;
            continue;
        }
        if (eg_buf_add(b, p + run, i - run) || eg_buf_add(b, replacement, 3))
            return EG_ENOMEM;
        run = ++i;
    }
    return eg_buf_add(b, p + run, n - run);
}

int egw_utf8_clean(eg_buf *b, const char *str) { return egw_utf8_clean_n(b, str, strlen(str)); }

const char *egw_utf8_valid(eg_buf *tmp, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str), i = 0;
    while (i < n) {
        size_t k = eg_utf8_valid_len(p + i, n - i);
        if (!k)
            break;
        i += k;
    }
    if (i == n)
        return str;
    eg_buf_reset(tmp);
    if (egw_utf8_clean(tmp, str))
        return NULL;
    return eg_buf_cstr(tmp);
}

/* Byte classes for the escapers' fast scans: ASCII bytes that XML (bit 1),
 * JSON (bit 2, EGW_JSON_PLAIN in writers.h) or a Graphviz escString (bit 4)
 * keeps as they are. Bytes >= 0x80 are in no class: the scans stop there
 * to check the UTF-8 sequence. */
const unsigned char egw_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    7, 7, 4, 7, 7, 7, 2, 6, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Sixteen bytes at a time with SSE2 (every x86-64): a signed compare
 * below 0x20 finds the C0 controls and every byte >= 0x80 at once, and one
 * compare per other byte that the class does not keep finds the rest. */
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define EGW_SSE2 1
#else
#define EGW_SSE2 0
#endif

/* The bytes of one 16-byte block at p that class cls (a constant where
 * this is inlined) does not keep, as a bit mask: a signed compare below
 * 0x20 finds the C0 controls and every byte >= 0x80 at once, and one
 * compare per other byte that the class does not keep finds the rest
 * (XML: & < > " '; JSON: " \\; Graphviz: & \\ DEL). */
#if EGW_SSE2
static inline unsigned special_mask(const unsigned char *p, unsigned cls)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
    if (cls == 1) {
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('&')), _mm_cmpeq_epi8(x, _mm_set1_epi8('<'))));
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')), _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8('\'')));
    } else if (cls == 2) {
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
    } else {
        m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('&')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
    }
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* egw_plain_run for one class, inlined into each escaper so that the
 * class's constants are made once per string, not once per run. From 16
 * bytes on, the tail is one more block that ends at the last byte (it
 * overlaps bytes already looked at, whose bits are shifted out) instead of
 * a byte loop. */
static inline size_t plain_scan(const unsigned char *p, size_t n, unsigned cls)
{
    size_t i = 0;
#if EGW_SSE2
    if (n >= 16) {
        unsigned bits;
        for (; i + 16 <= n; i += 16)
            if ((bits = special_mask(p + i, cls)) != 0)
                return i + (size_t)__builtin_ctz(bits);
        if (i < n && (bits = special_mask(p + n - 16, cls) >> (16 - (n - i))) != 0)
            return i + (size_t)__builtin_ctz(bits);
        return n;
    }
#endif
    while (i < n && (egw_plain[p[i]] & cls))
        i++;
    return i;
}

size_t egw_plain_run(const unsigned char *p, size_t n, unsigned cls)
{
    size_t i = 0;
    if (cls == 1 || cls == 2 || cls == 4)
        return cls == 1 ? plain_scan(p, n, 1) : cls == 2 ? plain_scan(p, n, 2) : plain_scan(p, n, 4);
    while (i < n && (egw_plain[p[i]] & cls))
        i++;
    return i;
}

/* What XML escaping does with the non-plain character at p[0] (*k set to
 * its length): the replacement text (*rl bytes), or NULL to keep it. */
static const char *xml_rep(const unsigned char *p, size_t n, size_t *k, size_t *rl, char ref[16])
{
#define XML_REP(lit) (*rl = sizeof lit - 1, lit)
    unsigned c = p[0];
    *k = 1;
    if (c < 0x80) {
        switch (c) {
        case '&': return XML_REP("&amp;");
        case '<': return XML_REP("&lt;");
        case '>': return XML_REP("&gt;");
        case '"': return XML_REP("&quot;");
        case '\'': return XML_REP("&apos;");
        case '\t': return XML_REP("&#9;");
        case '\n': return XML_REP("&#10;");
        case '\r': return XML_REP("&#13;");
        default: return c < 0x20 ? XML_REP(replacement) : NULL; /* C0: not an XML 1.0 character */
        }
    }
    *k = eg_utf8_valid_len(p, n);
    if (!*k) {
        *k = 1;
        return XML_REP(replacement);
    }
    if (*k == 3 && c == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
        return XML_REP(replacement); /* U+FFFE, U+FFFF */
    if (*k == 2 && c == 0xC2 && p[1] < 0xA0) {
        *rl = (size_t)snprintf(ref, 16, "&#%u;", (unsigned)p[1]); /* C1 controls, NEL */
        return ref;
    }
    if (*k == 3 && c == 0xE2 && p[1] == 0x80 && p[2] == 0xA8)
        return XML_REP("&#8232;"); /* LINE SEPARATOR */
    return NULL;
#undef XML_REP
}

#define XML_ROOM(n) EGW_XML_ROOM(n)

/* Plain runs are skipped sixteen bytes at a time. */
char *egw_xml_esc(char *o, const char *str, size_t n)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, run = 0, k, rl;
    char ref[16];
    while (i < n) {
        const char *rep;
        i += plain_scan(p + i, n - i, 1);
        if (i >= n)
            break;
        if (!(rep = xml_rep(p + i, n - i, &k, &rl, ref))) {
            i += k;
            continue;
        }
        memcpy(o, p + run, i - run);
        o += i - run;
        memcpy(o, rep, rl);
        o += rl;
        i += k;
        run = i;
    }
    memcpy(o, p + run, n - run);
    return o + (n - run);
}

int egw_xml_buf(eg_buf *b, const char *str)
{
    size_t n = strlen(str);
    if (eg_buf_reserve(b, XML_ROOM(n)))
        return EG_ENOMEM;
    b->len = (size_t)(egw_xml_esc(b->p + b->len, str, n) - b->p);
    b->p[b->len] = 0;
    return EG_OK;
}

void egw_xml_n(egw_sink *s, const char *str, size_t n)
{
    char *o = egw_room(s, XML_ROOM(n));
    if (o)
        s->buf.len = (size_t)(egw_xml_esc(o, str, n) - s->buf.p);
}

char *egw_json_esc(char *o, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, run;
    *o++ = '"';
    while (i < n) {
        unsigned c;
        size_t k;
        run = plain_scan(p + i, n - i, 2);
        memcpy(o, p + i, run);
        o += run;
        if ((i += run) >= n)
            break;
        c = p[i];
        if (c >= 0x80) {
            if ((k = eg_utf8_valid_len(p + i, n - i))) {
                memcpy(o, p + i, k);
                o += k;
                i += k;
            } else {
                memcpy(o, replacement, 3);
                o += 3;
                i++;
            }
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default: /* another C0 control */
            memcpy(o, "u00", 3);
            o[3] = hex[c >> 4];
            o[4] = hex[c & 15];
            o += 5;
        }
        i++;
    }
    *o++ = '"';
    return o;
}

/* Whether the '&' at p starts what Graphviz reads as an HTML entity in a
 * label ("&amp;", "&#38;", "&#x26;", "&name;"): it is then decoded. The
 * text ends at `end`. */
static int dot_entity_like(const unsigned char *p, const unsigned char *end)
{
    p++;
    if (p < end && *p == '#') {
        p++;
        if (p < end && (*p == 'x' || *p == 'X')) {
            p++;
            while (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
                p++;
        } else {
            while (p < end && *p >= '0' && *p <= '9')
                p++;
        }
    } else {
        while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            p++;
    }
    return p < end && *p == ';';
}

/* Graphviz escString: see writers.h. */
int egw_dot_esc(eg_buf *b, const char *str) { return egw_dot_esc_n(b, str, strlen(str)); }

int egw_dot_esc_n(eg_buf *b, const char *str, size_t n)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned c;
        const char *rep = NULL;
        size_t k = 1;
        i += plain_scan(p + i, n - i, 4);
        if (i >= n)
            break;
        c = p[i];
        if (c == '\\')
            rep = "\\\\";
        else if (c == '&') {
            if (dot_entity_like(p + i, p + n))
                rep = "&amp;";
        } else if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
            rep = "\\n";
            k = 2;
        } else if (c == '\r' || c == '\n')
            rep = "\\n";
        else if (c == '\t')
            rep = " ";
        else if (c < 0x20 || c == 0x7F)
            rep = "\xEF\xBF\xBD";
        else if (!(k = eg_utf8_valid_len(p + i, n - i))) {
            rep = "\xEF\xBF\xBD";
            k = 1;
        } else if (k == 3 && c == 0xEF && ((p[i + 1] == 0xBF && p[i + 2] >= 0xBE) || (p[i + 1] == 0xBB && p[i + 2] == 0xBF)))
            rep = "\xEF\xBF\xBD"; /* U+FFFE, U+FFFF: not XML characters, and SVG is XML;
                                    U+FEFF: Graphviz's scanner drops it as a byte-order mark */
        if (rep) {
            if (egw_buf_add(b, p + run, i - run) || egw_buf_add(b, rep, strlen(rep)))
                return EG_ENOMEM;
            run = i + k;
        }
        i += k;
    }
    return egw_buf_add(b, p + run, n - run);
}

/* ---- numbers ---- */

const char *egw_fmt_real(char *buf, double v)
{
    const char *dp;
    char *q;
    if (v == 0)
        v = 0; /* no "-0" */
    snprintf(buf, 32, "%.15g", v);
    dp = localeconv()->decimal_point;
    if (dp && dp[0] && (dp[0] != '.' || dp[1])) {
        /* a locale with another decimal point: put '.' back */
        size_t dl = strlen(dp);
        if ((q = strstr(buf, dp)) != NULL) {
            *q = '.';
            memmove(q + 1, q + dl, strlen(q + dl) + 1);
        }
    }
    return buf;
}

size_t egw_fmt_real_n(char *buf, double v)
{
    /* a whole number below 10^15 prints as its digits under "%.15g" */
    if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v) {
        int64_t x = (int64_t)v;
        if (x < 0) {
            buf[0] = '-';
            return 1 + egw_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)x);
        }
        return egw_fmt_u64(buf, (uint64_t)x);
    }
    return strlen(egw_fmt_real(buf, v));
}

int egw_weight_is_count(const eg_gview *v)
{
    if (v->opt)
        return v->opt->weight == EG_WEIGHT_COUNT;
    return !v->weight_name || strcmp(v->weight_name, "count") == 0;
}

long egw_dot_weight(const eg_gview *v, const eg_edge *ed)
{
    double w;
    if (egw_weight_is_count(v))
        return ed->count > 1000000 ? 1000000 : (long)ed->count;
    w = round(ed->weight * 100.0);
    if (!(w >= 1)) /* also NaN */
        return 1;
    return w > 1000000 ? 1000000 : (long)w;
}

static int weight_log_scale(const eg_gview *v)
{
    if (egw_weight_is_count(v))
        return 1;
    if (v->opt)
        return v->opt->weight == EG_WEIGHT_ASSOC;
    return v->weight_name && strcmp(v->weight_name, "assoc") == 0;
}

static double weight_f(const eg_gview *v, double w)
{
    if (weight_log_scale(v))
        return log1p(w > 0 ? w : 0);
    return w;
}

void egw_weight_range(const eg_gview *v, double *lo, double *hi)
{
    size_t i;
    double wlo = 0, whi = 0;
    int nan = 0;
    *lo = *hi = 0;
    /* weight_f never decreases, so the range of f is f of the weights'
     * range: two calls instead of one per edge (a log each) */
    for (i = 0; i < v->nedges; i++) {
        double w = v->edges[i].weight;
        nan |= w != w;
        if (i == 0 || w < wlo)
            wlo = w;
        if (i == 0 || w > whi)
            whi = w;
    }
    if (!nan) {
        if (v->nedges) {
            *lo = weight_f(v, wlo);
            *hi = weight_f(v, whi);
        }
        return;
    }
    for (i = 0; i < v->nedges; i++) {
        double f = weight_f(v, v->edges[i].weight);
        if (i == 0 || f < *lo)
            *lo = f;
        if (i == 0 || f > *hi)
            *hi = f;
    }
}

double egw_weight_scaled(const eg_gview *v, double w, double lo, double hi)
{
    double t;
    if (!(hi > lo))
        return 0;
    t = (weight_f(v, w) - lo) / (hi - lo);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* ---- shared strings ---- */

int egw_aliases_text(eg_buf *b, const eg_node *n)
{
    size_t i;
    for (i = 0; i < n->naliases; i++) {
        const char *t = n->aliases[i].text ? n->aliases[i].text : "";
        if ((i && eg_buf_adds(b, "; ")) || egw_utf8_clean(b, t) ||
            eg_buf_addf(b, " (%llu)", (unsigned long long)n->aliases[i].count))
            return EG_ENOMEM;
    }
    return EG_OK;
}

int egw_evidence_text_env(const egw_env *env, eg_buf *b, const eg_evidence *ev)
{
    eg_buf s = {0};
    size_t len;
    const char *snip = egw_snippet(env, ev, &len, &s);
    int rc = EG_OK;
    if (!snip)
        rc = EG_EIO;
    else if (egw_utf8_clean(b, ev->doc ? ev->doc : "") ||
             eg_buf_addf(b, " [%llu-%llu] ", (unsigned long long)ev->start, (unsigned long long)ev->end) ||
             egw_utf8_clean_n(b, snip, len))
        rc = EG_ENOMEM;
    eg_buf_free(&s);
    return rc;
}

int egw_evidence_text(eg_buf *b, const eg_evidence *ev) { return egw_evidence_text_env(NULL, b, ev); }

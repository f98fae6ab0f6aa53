/*
 * ctx.c — the context: options, loading gazetteers, word lists and rules
 * (one file or a whole directory), and warnings. Everything loaded here is
 * read-only once eg_ctx_seal has run. With eg_ctx_set_threads above 1, a
 * directory's gazetteers, word lists and rules load on threads of their
 * own; the result (and the error reported) is the same as one after the
 * other.
 */
#include "ctx.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[EG_NTYPES] = {"PERSON", "ORG", "PLACE", "EVENT"};

const char *eg_type_name(eg_type t) { return (unsigned)t < EG_NTYPES ? type_names[t] : "?"; }

int eg_type_parse(const char *s, size_t len, eg_type *out)
{
    int i;
    for (i = 0; i < EG_NTYPES; i++)
        if (strlen(type_names[i]) == len && strncasecmp(s, type_names[i], len) == 0) {
            *out = (eg_type)i;
            return EG_OK;
        }
    return EG_EDATA;
}

void eg_options_init(eg_options *o)
{
    memset(o, 0, sizeof *o);
    o->window = EG_WIN_SENTENCE;
    o->window_tokens = 20;
    o->weight = EG_WEIGHT_COUNT;
    o->evidence = 3;
    o->min_count = 1;
    o->fuzzy = 0.82;
    o->ambiguous_nodes = 1;
}

int eg_formats_parse(const char *list, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } f[] = {{"dot", EG_FMT_DOT}, {"graphml", EG_FMT_GRAPHML}, {"json", EG_FMT_JSON}, {"gexf", EG_FMT_GEXF},
             {"csv", EG_FMT_CSV}, {"svg", EG_FMT_SVG},         {"png", EG_FMT_PNG}};
    const char *p = list;
    unsigned bits = 0;
    while (*p) {
        size_t n = strcspn(p, ","), i;
        int found = 0;
        if (n == 3 && strncmp(p, "all", 3) == 0) {
            bits |= EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON | EG_FMT_GEXF | EG_FMT_CSV | EG_FMT_SVG | EG_FMT_PNG;
            found = 1;
        }
        for (i = 0; i < sizeof f / sizeof f[0] && !found; i++)
            if (strlen(f[i].name) == n && strncmp(p, f[i].name, n) == 0) {
                bits |= f[i].bit;
                found = 1;
            }
        if (!found)
            return EG_EUSAGE;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!bits)
        return EG_EUSAGE;
    *out = bits;
    return EG_OK;
}

const char *eg_default_data_dir(void)
{
    const char *s = getenv("ENTGRAPH_DATA");
#ifndef EG_DATADIR
#define EG_DATADIR "gazetteers"
#endif
    return s && *s ? s : EG_DATADIR;
}

eg_ctx *eg_ctx_new(const eg_options *o)
{
    eg_ctx *c = eg_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (o)
        c->opt = *o;
    else
        eg_options_init(&c->opt);
    c->gaz = eg_gaz_new();
    c->rules = eg_rules_new();
    if (!c->gaz || !c->rules) {
        eg_ctx_free(c);
        return NULL;
    }
    return c;
}

void eg_ctx_free(eg_ctx *c)
{
    if (!c)
        return;
    eg_gaz_free(c->gaz);
    eg_rules_free(c->rules);
    eg_lex_free(&c->lex);
    eg_free(c);
}

void eg_ctx_set_warn(eg_ctx *c, eg_warn_fn fn, void *ud)
{
    c->warn = fn;
    c->warn_ud = ud;
}

void eg_ctx_warn(const eg_ctx *c, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    if (!c->warn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->warn(c->warn_ud, line);
}

const char *eg_ctx_error(const eg_ctx *c) { return c->err.msg; }
const eg_options *eg_ctx_options(const eg_ctx *c) { return &c->opt; }

static int ctx_fail(eg_ctx *c, int rc, const eg_err *e)
{
    eg_err_clear(&c->err);
    eg_err_set(&c->err, rc, "%s", e->msg);
    return rc;
}

static int check_unsealed(eg_ctx *c)
{
    if (c->sealed) {
        eg_err_clear(&c->err);
        return eg_err_set(&c->err, EG_EUSAGE, "loading after eg_ctx_seal");
    }
    return EG_OK;
}

int eg_ctx_load_gazetteer(eg_ctx *c, const char *path)
{
    eg_err e = {0};
    int rc = check_unsealed(c);
    if (rc)
        return rc;
    rc = eg_gaz_load(c->gaz, path, &e);
    return rc ? ctx_fail(c, rc, &e) : EG_OK;
}

int eg_ctx_load_rules(eg_ctx *c, const char *path)
{
    eg_err e = {0};
    int rc = check_unsealed(c);
    if (rc)
        return rc;
    rc = eg_rules_load(c->rules, path, &e);
    return rc ? ctx_fail(c, rc, &e) : EG_OK;
}

/* Word lists are recognised by file name. */
static int list_for_file(const char *name)
{
    static const struct {
        const char *file;
        int list;
    } l[] = {{"given-names.txt", EG_LEX_GIVEN},
             {"surnames.txt", EG_LEX_SURNAME},
             {"common-words.txt", EG_LEX_COMMON},
             {"titles.txt", EG_LEX_TITLE},
             {"given-names-female.txt", EG_LEX_FEMALE},
             {"given-names-male.txt", EG_LEX_MALE}};
    size_t i;
    for (i = 0; i < sizeof l / sizeof l[0]; i++)
        if (strcmp(name, l[i].file) == 0)
            return l[i].list;
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The three kinds of file in a data directory. Each fills its own part of
 * the context (gazetteer, lexicon, rules) and reads nothing the others
 * fill: rules name word lists only by number and look them up when
 * matching. So the kinds may load at the same time. */
enum { KIND_GAZ, KIND_LEX, KIND_RULES, NKINDS };

static int kind_of(const char *name)
{
    return list_for_file(name) >= 0 ? KIND_LEX : ends_with(name, ".rules") ? KIND_RULES : KIND_GAZ;
}

/* Loading the files of one kind, in name order, until the first failure. */
typedef struct {
    eg_ctx *c;
    const char *dir;
    char *const *names; /* every file of the directory, sorted (borrowed) */
    size_t n;
    int kind;
    size_t failed;      /* index in names of the file that failed; n: none */
    int rc;             /* its status */
    eg_err err;         /* its message */
} load_job;

static int load_one(load_job *j, const char *path, const char *name)
{
    switch (j->kind) {
    case KIND_LEX: return eg_lex_load(&j->c->lex, list_for_file(name), path, &j->err);
    case KIND_RULES: return eg_rules_load(j->c->rules, path, &j->err);
    default: return eg_gaz_load(j->c->gaz, path, &j->err);
    }
}

static void *load_job_run(void *arg)
{
    load_job *j = arg;
    eg_buf path = {0};
    size_t i;
    for (i = 0; i < j->n; i++) {
        int rc;
        if (kind_of(j->names[i]) != j->kind)
            continue;
        eg_buf_reset(&path);
        if (eg_buf_addf(&path, "%s/%s", j->dir, j->names[i]))
            rc = eg_err_nomem(&j->err);
        else
            rc = load_one(j, path.p, j->names[i]);
        if (rc) {
            j->rc = rc;
            j->failed = i;
            break;
        }
    }
    eg_buf_free(&path);
    return NULL;
}

/* Runs the three jobs: on the calling thread one after the other, or with
 * threads to spare the gazetteers (the largest part) and then the rules on
 * threads of their own. A thread that cannot be started leaves its job to
 * the calling thread. */
static void load_jobs_run(load_job *jobs, unsigned threads)
{
    pthread_t tid[NKINDS];
    int started[NKINDS] = {0};
    int k;
    for (k = 0; k < NKINDS; k++) {
        if (k != KIND_LEX && threads > 1 && pthread_create(&tid[k], NULL, load_job_run, &jobs[k]) == 0) {
            started[k] = 1;
            threads--;
        }
    }
    for (k = 0; k < NKINDS; k++)
        if (!started[k])
            load_job_run(&jobs[k]);
    for (k = 0; k < NKINDS; k++)
        if (started[k])
            pthread_join(tid[k], NULL);
}

int eg_ctx_load_dir(eg_ctx *c, const char *dir)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    load_job jobs[NKINDS];
    const load_job *first = NULL;
    int rc = check_unsealed(c), k;
    if (rc)
        return rc;
    if (!(d = opendir(dir))) {
        eg_err_clear(&c->err);
        return eg_err_set(&c->err, EG_EIO, "%s: cannot open gazetteer directory: %s", dir, strerror(errno));
    }
    while ((de = readdir(d))) {
        char *s;
        if (de->d_name[0] == '.')
            continue;
        if (!ends_with(de->d_name, ".tsv") && !ends_with(de->d_name, ".rules") && list_for_file(de->d_name) < 0)
            continue;
        if (EG_GROW(names, cap, n + 1) || !(s = eg_strdup(de->d_name))) {
            rc = EG_ENOMEM;
            break;
        }
        names[n++] = s;
    }
    closedir(d);
    if (rc) {
        eg_err_clear(&c->err);
        eg_err_nomem(&c->err);
        goto out;
    }
    /* sorted, so that entry order (a tie-breaker) does not depend on the
     * file system */
    qsort(names, n, sizeof *names, cmp_str);
    memset(jobs, 0, sizeof jobs);
    for (k = 0; k < NKINDS; k++) {
        jobs[k].c = c;
        jobs[k].dir = dir;
        jobs[k].names = names;
        jobs[k].n = jobs[k].failed = n;
        jobs[k].kind = k;
    }
    load_jobs_run(jobs, c->threads);
    /* loaded one after the other, the first file that failed (in name
     * order) would have stopped the loading: report that one */
    for (k = 0; k < NKINDS; k++)
        if (jobs[k].rc && (!first || jobs[k].failed < first->failed))
            first = &jobs[k];
    if (first)
        rc = ctx_fail(c, first->rc, &first->err);
out:
    for (i = 0; i < n; i++)
        eg_free(names[i]);
    eg_free(names);
    return rc;
}

void eg_ctx_set_threads(eg_ctx *c, unsigned n) { c->threads = n; }

int eg_ctx_seal(eg_ctx *c)
{
    if (eg_gaz_seal(c->gaz)) {
        eg_err_clear(&c->err);
        return eg_err_nomem(&c->err);
    }
    c->sealed = 1;
    return EG_OK;
}

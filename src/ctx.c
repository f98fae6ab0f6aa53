/*
 * ctx.c — the context: options, loading gazetteers, word lists and rules
 * (one file or a whole directory), and warnings. Everything loaded here is
 * read-only once eg_ctx_seal has run.
 */
#include "ctx.h"

#include <dirent.h>
#include <errno.h>
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

int eg_ctx_load_dir(eg_ctx *c, const char *dir)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = check_unsealed(c);
    eg_buf path = {0};
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
    for (i = 0; i < n && !rc; i++) {
        int list = list_for_file(names[i]);
        eg_buf_reset(&path);
        if (eg_buf_addf(&path, "%s/%s", dir, names[i])) {
            rc = EG_ENOMEM;
            eg_err_clear(&c->err);
            eg_err_nomem(&c->err);
            break;
        }
        if (list >= 0) {
            eg_err e = {0};
            if ((rc = eg_lex_load(&c->lex, list, path.p, &e)))
                ctx_fail(c, rc, &e);
        } else if (ends_with(names[i], ".rules")) {
            rc = eg_ctx_load_rules(c, path.p);
        } else {
            rc = eg_ctx_load_gazetteer(c, path.p);
        }
    }
out:
    for (i = 0; i < n; i++)
        eg_free(names[i]);
    eg_free(names);
    eg_buf_free(&path);
    return rc;
}

int eg_ctx_seal(eg_ctx *c)
{
    if (eg_gaz_seal(c->gaz)) {
        eg_err_clear(&c->err);
        return eg_err_nomem(&c->err);
    }
    c->sealed = 1;
    return EG_OK;
}

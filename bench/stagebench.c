/*
 * stagebench.c — times the per-document stages one by one on a corpus
 * directory, with the bundled gazetteers and rules: the text layer
 * (normalise, tokenize, segment), the gazetteer matcher, the pattern rules
 * and the resolver. One thread; every document is read into memory first,
 * so no file I/O is timed. Prints MB/s per stage and a checksum of the
 * candidates (same build inputs, same checksum: a quick regression check
 * when changing a matcher for speed).
 *
 * usage: stagebench [-n RUNS] [-g GAZDIR] [-R] CORPUS_DIR   (-R: no resolver)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx.h"
#include "resolve.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    const char *gazdir = EG_DATADIR, *dir = NULL;
    int runs = 1, i, run, no_resolve = 0;
    char **names = NULL, **docs = NULL;
    size_t *lens = NULL, ndocs = 0, cap = 0, total = 0, k;
    eg_options o;
    eg_ctx *c;
    eg_doc d;
    eg_cands cands = {0};
    eg_rules_scratch *rs;
    eg_resolver res;
    eg_err e = {0};
    double t_text = 0, t_gaz = 0, t_rules = 0, t_res = 0;
    uint64_t sum = 0;
    size_t ncand = 0;
    DIR *dp;
    struct dirent *de;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-g") && i + 1 < argc)
            gazdir = argv[++i];
        else if (!strcmp(argv[i], "-R"))
            no_resolve = 1;
        else
            dir = argv[i];
    }
    if (!dir || runs < 1) {
        fprintf(stderr, "usage: stagebench [-n RUNS] [-g GAZDIR] [-R] CORPUS_DIR\n");
        return 2;
    }
    if (!(dp = opendir(dir))) {
        perror(dir);
        return 1;
    }
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        if (EG_GROW(names, cap, ndocs + 1))
            return 1;
        names[ndocs++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, ndocs, sizeof *names, cmp_str);
    docs = calloc(ndocs, sizeof *docs);
    lens = calloc(ndocs, sizeof *lens);
    for (k = 0; k < ndocs; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        if (eg_read_file(path, &docs[k], &lens[k], &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        total += lens[k];
    }
    eg_options_init(&o);
    c = eg_ctx_new(&o);
    if (!c || eg_ctx_load_dir(c, gazdir) || eg_ctx_seal(c)) {
        fprintf(stderr, "stagebench: %s\n", c ? eg_ctx_error(c) : "out of memory");
        return 1;
    }
    eg_doc_init(&d);
    eg_resolver_init(&res);
    rs = eg_rules_scratch_new(c->rules);
    for (run = 0; run < runs; run++) {
        for (k = 0; k < ndocs; k++) {
            double t0 = now(), t1, t2, t3, t4;
            size_t j;
            if (eg_text_prepare(&d, names[k], docs[k], lens[k], &e))
                return 1;
            t1 = now();
            cands.n = 0;
            if (eg_gaz_match(c->gaz, &d, &cands, &e))
                return 1;
            t2 = now();
            if (eg_rules_match(c->rules, rs, &c->lex, &d, &cands, NULL, NULL, &e))
                return 1;
            t3 = now();
            if (!no_resolve && eg_resolve(&res, c, &d, &cands, &e))
                return 1;
            t4 = now();
            t_text += t1 - t0;
            t_gaz += t2 - t1;
            t_rules += t3 - t2;
            t_res += t4 - t3;
            if (run == 0) {
                ncand += cands.n;
                for (j = 0; j < cands.n; j++) {
                    const eg_cand *x = &cands.v[j];
                    uint64_t v = ((uint64_t)x->t0 << 32 | x->t1) ^ ((uint64_t)x->type << 56) ^
                                 ((uint64_t)x->rule << 40) ^ ((uint64_t)x->flags << 20) ^ x->entry;
                    sum = sum * 1000003u + v;
                }
                sum = sum * 31 + d.ntok;
            }
        }
    }
    {
        double mb = (double)total * runs / 1e6;
        printf("%zu docs, %.1f MB x %d: text %.1f MB/s (%.3fs)  gaz %.1f MB/s (%.3fs)  rules %.1f MB/s (%.3fs)  "
               "resolve %.1f MB/s (%.3fs)  all %.1f MB/s\n",
               ndocs, total / 1e6, runs, mb / t_text, t_text, mb / t_gaz, t_gaz, mb / t_rules, t_rules,
               no_resolve ? 0 : mb / t_res, t_res, mb / (t_text + t_gaz + t_rules + t_res));
        printf("candidates %zu checksum %016llx\n", ncand, (unsigned long long)sum);
    }
    eg_rules_scratch_free(rs);
    eg_resolver_free(&res);
    eg_doc_free(&d);
    eg_free(cands.v);
    eg_ctx_free(c);
    for (k = 0; k < ndocs; k++) {
        eg_free(docs[k]);
        free(names[k]);
    }
    free(docs);
    free(lens);
    free(names);
    return 0;
}

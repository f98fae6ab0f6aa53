/*
 * gazbench.c — the gazetteer benchmark: writes a dictionary of N aliases
 * built from the bench name pool (real-looking names, some of which occur
 * in the benchmark corpus), times loading it from the file, then times the
 * text layer and the gazetteer matcher over a corpus.
 *
 * usage: gazbench N_ALIASES NAMES_FILE CORPUS_FILE
 * prints: aliases, entries, load seconds, text-layer MB/s, text+match MB/s,
 * matcher-only MB/s and candidates found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "match.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char **read_lines(const char *path, size_t *n)
{
    char *buf, *p, **v = NULL;
    size_t len, cap = 0;
    eg_err e = {0};
    *n = 0;
    if (eg_read_file(path, &buf, &len, &e)) {
        fprintf(stderr, "gazbench: %s\n", e.msg);
        exit(1);
    }
    for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
        if (!*p || strchr(p, '\t'))
            continue;
        if (EG_GROW(v, cap, *n + 1))
            exit(1);
        v[(*n)++] = p;
    }
    return v;
}

int main(int argc, char **argv)
{
    size_t n, nnames, i, clen, ncands = 0;
    char **names, *corpus, path[] = "/tmp/gazbench_XXXXXX";
    FILE *f;
    eg_gaz *g = eg_gaz_new();
    eg_doc d;
    eg_cands c = {0};
    eg_err e = {0};
    double t0, t_load, t_text = 0, t_match = 0;
    int fd;
    if (argc != 4) {
        fprintf(stderr, "usage: gazbench N_ALIASES NAMES_FILE CORPUS_FILE\n");
        return 2;
    }
    n = strtoul(argv[1], NULL, 10);
    names = read_lines(argv[2], &nnames);
    if (eg_read_file(argv[3], &corpus, &clen, &e)) {
        fprintf(stderr, "gazbench: %s\n", e.msg);
        return 1;
    }
    /* the dictionary: "Given Surname" people, two aliases per entry */
    fd = mkstemp(path);
    f = fdopen(fd, "w");
    for (i = 0; i < n; i++) {
        /* the first 1,000 aliases are the same in every run: one-word places
         * (which occur in the corpus) and "Given Surname" people; the rest
         * are more people, so a larger dictionary adds entries without
         * changing much what the text contains */
        const char *a = names[(i * 2654435761u) % nnames], *b = names[(i * 40503u + 7) % nnames];
        if (i < 1000 && i % 3 == 0)
            fprintf(f, "l%zu\tPLACE\t%s\n", i, a);
        else
            fprintf(f, "p%zu\tPERSON\t%s %s\n", i, a, b);
    }
    fclose(f);
    t0 = now();
    if (eg_gaz_load(g, path, &e)) {
        fprintf(stderr, "gazbench: %s\n", e.msg);
        return 1;
    }
    if (eg_gaz_seal(g)) {
        fprintf(stderr, "gazbench: out of memory\n");
        return 1;
    }
    t_load = now() - t0;
    unlink(path);
    eg_doc_init(&d);
    /* documents are separated by blank lines in the corpus file; run the
     * text layer and the matcher per 64 KiB piece cut at a paragraph */
    for (i = 0; i < clen;) {
        size_t end = i + 65536 < clen ? i + 65536 : clen;
        char *nl = end < clen ? memchr(corpus + end, '\n', clen - end) : NULL;
        double t1;
        end = nl ? (size_t)(nl - corpus) + 1 : clen;
        t1 = now();
        if (eg_text_prepare(&d, "corpus", corpus + i, end - i, &e))
            return 1;
        t_text += now() - t1;
        t1 = now();
        c.n = 0;
        if (eg_gaz_match(g, &d, &c, &e))
            return 1;
        t_match += now() - t1;
        ncands += c.n;
        i = end;
    }
    printf("aliases %zu  entries %zu  load %.3f s  text %.1f MB/s  text+match %.1f MB/s  match %.1f MB/s  "
           "candidates %zu\n",
           eg_gaz_alias_count(g), eg_gaz_entry_count(g), t_load, clen / 1e6 / t_text,
           clen / 1e6 / (t_text + t_match), clen / 1e6 / t_match, ncands);
    eg_gaz_free(g);
    eg_doc_free(&d);
    free(c.v);
    return 0;
}

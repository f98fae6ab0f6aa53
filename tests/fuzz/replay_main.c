/*
 * replay_main.c — runs a fuzz target without libFuzzer: every file named on
 * the command line, and every regular file in a directory named there (not
 * recursive, in sorted order), goes once through LLVMFuzzerTestOneInput.
 * Each input is copied into a buffer of exactly its size, so a sanitizer
 * sees a read past its end as libFuzzer would. Used by
 * `make test-fuzz-replay` on the seed corpora, and to reproduce a crash
 * found by `make fuzz` in a plain debug build.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL, *exact;
    size_t n = 0, cap = 0, k;
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (!(buf = realloc(buf, cap))) {
                fprintf(stderr, "replay: out of memory\n");
                exit(1);
            }
        }
        if ((k = fread(buf + n, 1, cap - n, f)) == 0)
            break;
        n += k;
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    /* exactly n bytes (malloc(0) may return NULL: keep one byte then) */
    if (!(exact = malloc(n ? n : 1))) {
        fprintf(stderr, "replay: out of memory\n");
        exit(1);
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    if (getenv("REPLAY_VERBOSE"))
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int bad = 0;
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap && !(names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names))) {
            fprintf(stderr, "replay: out of memory\n");
            exit(1);
        }
        if (!(names[n++] = strdup(de->d_name))) {
            fprintf(stderr, "replay: out of memory\n");
            exit(1);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(len);
        struct stat st;
        if (!p) {
            fprintf(stderr, "replay: out of memory\n");
            exit(1);
        }
        snprintf(p, len, "%s/%s", dir, names[i]);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(p))
                bad = 1;
            else
                (*count)++;
        }
        free(p);
        free(names[i]);
    }
    free(names);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int i, bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...  (runs the fuzz target on each input)\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (argv[i][0] == '-')
            continue; /* libFuzzer-style flags are ignored */
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            bad = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], &count))
                bad = 1;
        } else if (run_file(argv[i])) {
            bad = 1;
        } else {
            count++;
        }
    }
    printf("replay %s: %zu inputs\n", argv[0], count);
    return bad;
}

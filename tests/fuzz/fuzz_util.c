/*
 * fuzz_util.c — scratch files for the fuzz targets (see fuzz.h). Linked
 * into every target, in both the libFuzzer and the replay build.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char tmpdir[512];

static void remove_tmpdir(void)
{
    char path[1024];
    DIR *d;
    struct dirent *de;
    if (!tmpdir[0])
        return;
    if ((d = opendir(tmpdir))) {
        while ((de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
            if (fuzz_clear_dir(path) >= 0)
                rmdir(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    tmpdir[0] = 0;
}

const char *fuzz_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/entgraph-fuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", fuzz_tmpdir(), name);
    if (!(f = fopen(path, "wb")) || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

int fuzz_clear_dir(const char *dir)
{
    char path[1024];
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
        n++;
    }
    closedir(d);
    return n;
}

int fuzz_one_line(const char *msg) { return msg && *msg && !strchr(msg, '\n'); }

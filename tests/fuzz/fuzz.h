/*
 * fuzz.h — what the fuzz targets share: the libFuzzer entry point, a check
 * macro that aborts (a failed invariant is a crash to libFuzzer and to the
 * replay driver alike), and a scratch directory per process.
 *
 * Every target builds two ways (Makefile): with -fsanitize=fuzzer as a
 * libFuzzer program (`make fuzz`), and with tests/fuzz/replay_main.c as a
 * plain program that runs the target on files (`make test-fuzz-replay`).
 */
#ifndef EG_FUZZ_H
#define EG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                  \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A directory of our own under $TMPDIR (or /tmp), made on first use and
 * removed with its files at exit. */
const char *fuzz_tmpdir(void);
/* Writes data to fuzz_tmpdir()/name and returns the path (static buffer). */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);
/* Removes every file in dir (not recursive); returns how many there were. */
int fuzz_clear_dir(const char *dir);
/* Is the one-line message well formed: not empty, no newline? */
int fuzz_one_line(const char *msg);

#endif

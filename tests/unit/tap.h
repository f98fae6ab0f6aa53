/*
 * tap.h — a tiny unit-test harness: each check prints a TAP line; the
 * program's exit status is the number of failures (capped at 100).
 * Include once per test program; call tap_done() at the end of main.
 */
#ifndef EG_TAP_H
#define EG_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define OK(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define EQ_INT(a, b, name) tap_eq_int((long long)(a), (long long)(b), __FILE__, __LINE__, name)
#define EQ_STR(a, b, name) tap_eq_str((a), (b), __FILE__, __LINE__, name)

__attribute__((format(printf, 4, 5), unused))
static int tap_ok(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_n++;
    printf("%s %d - ", ok ? "ok" : "not ok", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!ok) {
        tap_fail++;
        printf("#   at %s:%d\n", file, line);
    }
    return ok;
}

__attribute__((unused))
static int tap_eq_int(long long a, long long b, const char *file, int line, const char *name)
{
    int ok = tap_ok(a == b, file, line, "%s", name);
    if (!ok)
        printf("#   got %lld, want %lld\n", a, b);
    return ok;
}

__attribute__((unused))
static int tap_eq_str(const char *a, const char *b, const char *file, int line, const char *name)
{
    int ok = tap_ok(a && b && strcmp(a, b) == 0, file, line, "%s", name);
    if (!ok)
        printf("#   got \"%s\", want \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
    return ok;
}

static int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_fail > 100 ? 100 : tap_fail;
}

#endif

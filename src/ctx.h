/*
 * ctx.h — the context behind the public eg_ctx handle: options, the loaded
 * gazetteer, rules and word lists, and the warning callback. Built by
 * ctx.c while loading; read-only (and shared by worker threads) once sealed.
 */
#ifndef EG_CTX_H
#define EG_CTX_H

#include "match.h"
#include "util.h"

struct eg_ctx {
    eg_options opt;
    eg_gaz *gaz;
    eg_rules *rules;
    eg_lex lex;
    eg_err err;
    eg_warn_fn warn;
    void *warn_ud;
    int sealed;
    unsigned threads;  /* eg_ctx_set_threads: threads eg_ctx_load_dir may use */
};

/* Sends one warning line to the context's callback (printf-style). */
void eg_ctx_warn(const eg_ctx *c, const char *fmt, ...) EG_PRINTF(2, 3);

#endif

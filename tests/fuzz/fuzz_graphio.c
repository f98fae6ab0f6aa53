/*
 * fuzz_graphio.c — fuzz target for partial graphs as bytes (graph_io.c,
 * public API only): eg_graph_load on any bytes into an empty graph.
 *
 * Invariants checked: a bad buffer fails with EG_EDATA and one line
 * "byte N: reason" and leaves the graph as it was (it saves to the same
 * bytes as an empty graph); a good one saves to bytes that load again and
 * save to the same bytes (a stable round trip), merges with itself, and
 * the merged graph finishes and writes json and csv like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "entgraph.h"
#include "fuzz.h"

static eg_ctx *ctx;
static char outdir[600];
static char *empty_buf;
static size_t empty_len;

static void setup(void)
{
    static const char gaz[] = "iran\tPLACE\tIran\nparis\tPLACE\tParis\nmaryam-rajavi\tPERSON\tMaryam Rajavi\tRajavi\n";
    const char *path = fuzz_write_file("graphio.tsv", (const uint8_t *)gaz, sizeof gaz - 1);
    eg_graph *g;
    FUZZ_CHECK((ctx = eg_ctx_new(NULL)) != NULL, "eg_ctx_new");
    FUZZ_CHECK(eg_ctx_load_gazetteer(ctx, path) == EG_OK, "%s", eg_ctx_error(ctx));
    FUZZ_CHECK(eg_ctx_seal(ctx) == EG_OK, "%s", eg_ctx_error(ctx));
    snprintf(outdir, sizeof outdir, "%s/out", fuzz_tmpdir());
    FUZZ_CHECK(mkdir(outdir, 0700) == 0, "mkdir %s", outdir);
    FUZZ_CHECK((g = eg_graph_new(ctx)) != NULL, "eg_graph_new");
    FUZZ_CHECK(eg_graph_save(g, &empty_buf, &empty_len) == EG_OK, "eg_graph_save: %s", eg_graph_error(g));
    eg_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_graph *g, *g2;
    char *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    int rc;
    if (!ctx)
        setup();
    FUZZ_CHECK((g = eg_graph_new(ctx)) != NULL, "eg_graph_new");
    rc = eg_graph_load(g, (const char *)data, size);
    if (rc) {
        FUZZ_CHECK(rc == EG_EDATA, "eg_graph_load returned %d: %s", rc, eg_graph_error(g));
        FUZZ_CHECK(fuzz_one_line(eg_graph_error(g)) && strncmp(eg_graph_error(g), "byte ", 5) == 0,
                   "error is not 'byte N: reason': '%s'", eg_graph_error(g));
        FUZZ_CHECK(eg_graph_save(g, &b1, &n1) == EG_OK, "eg_graph_save: %s", eg_graph_error(g));
        FUZZ_CHECK(n1 == empty_len && memcmp(b1, empty_buf, n1) == 0, "a failed load changed the graph");
        free(b1);
        eg_graph_free(g);
        return 0;
    }
    FUZZ_CHECK(eg_graph_save(g, &b1, &n1) == EG_OK, "eg_graph_save: %s", eg_graph_error(g));
    FUZZ_CHECK((g2 = eg_graph_new(ctx)) != NULL, "eg_graph_new");
    FUZZ_CHECK(eg_graph_load(g2, b1, n1) == EG_OK, "a saved graph does not load: %s", eg_graph_error(g2));
    FUZZ_CHECK(eg_graph_save(g2, &b2, &n2) == EG_OK, "eg_graph_save: %s", eg_graph_error(g2));
    FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0, "save, load, save gives other bytes (%zu, %zu)", n1, n2);
    free(b2);
    /* merged with itself, then the whole way to the writers */
    FUZZ_CHECK(eg_graph_load(g2, b1, n1) == EG_OK, "a saved graph does not load twice: %s", eg_graph_error(g2));
    FUZZ_CHECK(eg_graph_merge(g2, g) == EG_OK, "eg_graph_merge: %s", eg_graph_error(g2));
    FUZZ_CHECK(eg_graph_finish(g2) == EG_OK, "eg_graph_finish: %s", eg_graph_error(g2));
    fuzz_clear_dir(outdir);
    FUZZ_CHECK(eg_graph_write(g2, outdir, EG_FMT_JSON | EG_FMT_CSV) == EG_OK, "eg_graph_write: %s",
               eg_graph_error(g2));
    FUZZ_CHECK(fuzz_clear_dir(outdir) == 3, "not exactly graph.json, nodes.csv and edges.csv written");
    free(b1);
    eg_graph_free(g2);
    eg_graph_free(g);
    return 0;
}

/*
 * fuzz_pipeline.c — fuzz target for the whole library through the public
 * API only (entgraph.h): a context with a small fixed gazetteer, the word
 * lists and the shipped rules (gazetteers/NAME.rules), then per input:
 * eg_graph_add_doc, sometimes a second graph with the second half of the
 * input and eg_graph_merge, eg_graph_finish, eg_graph_final_id for every
 * mention, and eg_graph_write with dot, graphml, json, gexf and csv into a
 * scratch directory. svg and png go through Graphviz layout and are slow:
 * they are added for about one input in a hundred (chosen by a hash of the
 * input, so a replay does the same).
 *
 * The first input byte also picks options (window, weight, ambiguous nodes,
 * fuzzy merges, evidence, explain); the whole input is still the document.
 * The options live in the context, which is expensive to load, so the
 * target changes them in place between inputs through the pointer
 * eg_ctx_options returns: fine here because nothing else uses the context.
 *
 * Invariants checked: add_doc returns EG_OK, or EG_EDATA for a binary
 * document with a one-line reason naming it; every mention lies inside the
 * input and its text is those bytes; finish and write succeed; every
 * written file is there and no temporary file is left.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entgraph.h"
#include "fuzz.h"

static const char gazetteer[] =
    "# a small fixed gazetteer for the pipeline fuzz target\n"
    "iran\tPLACE\tIran\tIslamic Republic of Iran | Persia\tprio=10\n"
    "albania\tPLACE\tAlbania\tRepublic of Albania\tprio=10\n"
    "tirana\tPLACE\tTirana\t\tprio=5\n"
    "paris\tPLACE\tParis\t\tprio=5\n"
    "reading\tPLACE\tReading\t\tctx\n"
    "united-states\tPLACE\tUnited States\tU.S. | USA | =US | America\tprio=10\n"
    "ncri\tORG\tNational Council of Resistance of Iran\tNCRI\n"
    "irgc\tORG\tIslamic Revolutionary Guard Corps\tIRGC | Revolutionary Guards | revolutionary guards\tlower\n"
    "who\tORG\tWorld Health Organization\t=WHO\n"
    "mek\tORG\tPeople's Mojahedin Organization of Iran\tMEK | PMOI | Mojahedin-e Khalq\n"
    "maryam-rajavi\tPERSON\tMaryam Rajavi\tRajavi\n"
    "massoud-rajavi\tPERSON\tMassoud Rajavi\tRajavi\n"
    "javad-zarif\tPERSON\tMohammad Javad Zarif\tJavad Zarif | Zarif\n"
    "iran-iraq-war\tEVENT\tIran-Iraq War\tIran–Iraq War | ~first gulf war\n"
    "elysee\tPLACE\tÉlysée Palace\tElysee\n";

static eg_ctx *ctx;
static char outdir[600];

/* The files each format writes. */
static const struct {
    unsigned bit;
    const char *file;
} outputs[] = {{EG_FMT_DOT, "graph.dot"},   {EG_FMT_GRAPHML, "graph.graphml"}, {EG_FMT_JSON, "graph.json"},
               {EG_FMT_GEXF, "graph.gexf"}, {EG_FMT_CSV, "nodes.csv"},         {EG_FMT_CSV, "edges.csv"},
               {EG_FMT_SVG, "graph.svg"},   {EG_FMT_PNG, "graph.png"}};

static void link_data(const char *datadir, const char *dir, const char *name)
{
    char from[1024], to[1024];
    struct stat st;
    snprintf(from, sizeof from, "%s/%s", datadir, name);
    snprintf(to, sizeof to, "%s/%s", dir, name);
    if (stat(from, &st) != 0)
        return; /* a list not shipped (yet) */
    FUZZ_CHECK(symlink(from, to) == 0, "symlink %s", to);
}

static void setup(void)
{
    static const char *const data[] = {"given-names.txt", "surnames.txt", "common-words.txt", "titles.txt"};
    static const char *const rules[] = {"person.rules", "org.rules", "place.rules", "event.rules"};
    char dir[600];
    const char *datadir = eg_default_data_dir();
    size_t i;
    eg_options o;
    snprintf(dir, sizeof dir, "%s/data", fuzz_tmpdir());
    FUZZ_CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
    for (i = 0; i < sizeof data / sizeof data[0]; i++)
        link_data(datadir, dir, data[i]);
    {
        char gpath[700];
        FILE *fp;
        snprintf(gpath, sizeof gpath, "%s/fuzz.tsv", dir);
        FUZZ_CHECK((fp = fopen(gpath, "w")) && fputs(gazetteer, fp) >= 0 && fclose(fp) == 0, "%s", gpath);
    }
    snprintf(outdir, sizeof outdir, "%s/out", fuzz_tmpdir());
    FUZZ_CHECK(mkdir(outdir, 0700) == 0, "mkdir %s", outdir);
    eg_options_init(&o);
    FUZZ_CHECK((ctx = eg_ctx_new(&o)) != NULL, "eg_ctx_new");
    FUZZ_CHECK(eg_ctx_load_dir(ctx, dir) == EG_OK, "eg_ctx_load_dir: %s", eg_ctx_error(ctx));
    /* the shipped rules one by one: a file with an error is reported and
     * left out (the rules before the bad line stay), so that the target
     * still runs while a rules file is being edited */
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        char rpath[1024];
        snprintf(rpath, sizeof rpath, "%s/%s", datadir, rules[i]);
        if (eg_ctx_load_rules(ctx, rpath) != EG_OK)
            fprintf(stderr, "fuzz_pipeline: warning: %s\n", eg_ctx_error(ctx));
    }
    FUZZ_CHECK(eg_ctx_seal(ctx) == EG_OK, "eg_ctx_seal: %s", eg_ctx_error(ctx));
}

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t n;
    char ids[64][128]; /* the first mentions' entity ids, for eg_graph_final_id */
    eg_type types[64];
    size_t nids;
} seen;

static void on_mention(void *ud, const eg_mention *m)
{
    seen *s = ud;
    FUZZ_CHECK(m->start < m->end && m->end <= s->size, "mention [%llu, %llu) of %zu bytes",
               (unsigned long long)m->start, (unsigned long long)m->end, s->size);
    FUZZ_CHECK(m->text == (const char *)s->data + m->start && m->text_len == m->end - m->start,
               "mention text is not the original bytes");
    FUZZ_CHECK(m->type < EG_NTYPES, "mention type %d", m->type);
    FUZZ_CHECK(m->entity && *m->entity && m->label && m->source && *m->source, "mention fields missing");
    FUZZ_CHECK(m->doc && strcmp(m->doc, "doc") == 0, "mention doc '%s'", m->doc ? m->doc : "(null)");
    if (s->nids < 64 && strlen(m->entity) < sizeof s->ids[0]) {
        s->types[s->nids] = m->type;
        strcpy(s->ids[s->nids++], m->entity);
    }
    s->n++;
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_options *o;
    eg_graph *g, *g2 = NULL;
    seen s;
    unsigned sel = size ? data[0] : 0, formats = EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON | EG_FMT_GEXF | EG_FMT_CSV;
    size_t i;
    int rc;
    if (!ctx)
        setup();
    /* options from the first byte (see the top of the file) */
    o = (eg_options *)eg_ctx_options(ctx);
    o->window = (eg_window)(sel & 3);
    o->window_tokens = 1 + (sel >> 2 & 7) * 3;
    o->weight = (eg_weight)((sel >> 2 & 7) % 5);
    o->ambiguous_nodes = !(sel & 0x20);
    o->fuzzy = sel & 0x40 ? 0 : 0.82;
    o->explain = (sel & 0x80) != 0;
    o->evidence = sel % 5;
    o->min_count = 1;
    o->has_min_weight = 0;
    o->top = sel % 7 == 6 ? 3 : 0;
    o->links_key = sel & 1;
    if (fnv(data, size) % 100 == 0)
        formats |= EG_FMT_SVG | EG_FMT_PNG;

    memset(&s, 0, sizeof s);
    s.data = data;
    s.size = size;
    FUZZ_CHECK((g = eg_graph_new(ctx)) != NULL, "eg_graph_new");
    rc = eg_graph_add_doc(g, 0, "doc", (const char *)data, size, on_mention, &s);
    if (rc) {
        FUZZ_CHECK(rc == EG_EDATA, "eg_graph_add_doc returned %d: %s", rc, eg_graph_error(g));
        FUZZ_CHECK(fuzz_one_line(eg_graph_error(g)) && strncmp(eg_graph_error(g), "doc: ", 5) == 0,
                   "error does not name the document: '%s'", eg_graph_error(g));
    }
    if (sel & 0x10 && size > 1) {
        /* a second graph with the second half of the input, merged in */
        seen s2;
        memset(&s2, 0, sizeof s2);
        s2.data = data + size / 2;
        s2.size = size - size / 2;
        FUZZ_CHECK((g2 = eg_graph_new(ctx)) != NULL, "eg_graph_new");
        rc = eg_graph_add_doc(g2, 1, "doc", (const char *)s2.data, s2.size, on_mention, &s2);
        FUZZ_CHECK(rc == EG_OK || rc == EG_EDATA, "eg_graph_add_doc returned %d: %s", rc, eg_graph_error(g2));
        FUZZ_CHECK(eg_graph_merge(g, g2) == EG_OK, "eg_graph_merge: %s", eg_graph_error(g));
        eg_graph_free(g2);
    }
    FUZZ_CHECK(eg_graph_finish(g) == EG_OK, "eg_graph_finish: %s", eg_graph_error(g));
    for (i = 0; i < s.nids; i++) {
        const char *label = NULL, *id = eg_graph_final_id(g, s.types[i], s.ids[i], &label);
        FUZZ_CHECK(!id || *id, "final id of '%s' is empty", s.ids[i]);
    }
    fuzz_clear_dir(outdir);
    FUZZ_CHECK(eg_graph_write(g, outdir, formats) == EG_OK, "eg_graph_write: %s", eg_graph_error(g));
    for (i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        char p[800];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", outdir, outputs[i].file);
        FUZZ_CHECK(!(formats & outputs[i].bit) == (stat(p, &st) != 0), "%s: %s", outputs[i].file,
                   formats & outputs[i].bit ? "not written" : "written but not asked for");
    }
    if (o->explain) {
        char p[800];
        snprintf(p, sizeof p, "%s/explain.txt", outdir);
        FUZZ_CHECK(eg_graph_write_explain(g, p) == EG_OK, "eg_graph_write_explain: %s", eg_graph_error(g));
    }
    /* only the files asked for: no temporary file left behind */
    {
        int n = fuzz_clear_dir(outdir), want = o->explain ? 1 : 0;
        for (i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
            want += (formats & outputs[i].bit) != 0;
        FUZZ_CHECK(n == want, "%d files in the output directory, want %d", n, want);
    }
    eg_graph_free(g);
    return 0;
}

/*
 * test_dot.c — write_dot.c streams graph.dot itself; cgraph is the oracle.
 * Each round makes a random view with hostile ids and labels (quotes,
 * backslashes, line ends, controls, invalid UTF-8, UTF-8, DOT keywords in
 * any case, leading digits and numbers, '_', strings far over cgraph's
 * 128-character line split, empty strings, ids that escape to the same
 * name; ids in order or not), builds the graph in cgraph the way
 * write_dot.c used to (agnode, agedge, agxset on the same escaped values)
 * and compares agwrite's bytes with the file eg_write_dot writes. Some rounds break the view's edge
 * order (edges not sorted, tail after head, loops, repeats) to check the
 * statement order agwrite derives from creation order.
 *
 *   test_dot              the TAP tests
 *   test_dot --rounds N   more rounds (default 300)
 */
#include <graphviz/cgraph.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph_view.h"
#include "tap.h"
#include "writers.h"

static uint64_t rnd_state;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rnd_state >> 33);
}

/* ---- the oracle: the graph built in cgraph, written by agwrite ---- */

static const char *const node_attr[][2] = {
    {"label", "\\N"}, {"type", ""}, {"shape", "ellipse"}, {"style", "filled"}, {"fillcolor", ""}, {"color", ""},
    {"mentions", ""}, {"docs", ""}, {"aliases", ""}, {"ambiguous", ""}, {"tooltip", ""}};
static const char *const edge_attr[][2] = {{"weight", "1"},   {"w", ""},        {"count", ""},
                                           {"docs", ""},      {"penwidth", "1"}, {"tooltip", ""}};

/* As write_dot.c did: a value equal to the default is not set. */
static void set(void *obj, Agsym_t *sym, const char *text)
{
    if (strcmp(text, sym->defval))
        agxset(obj, sym, (char *)text);
}

static const char *esc(eg_buf *b, const char *text)
{
    eg_buf_reset(b);
    egw_dot_esc(b, text);
    return eg_buf_cstr(b);
}

static void aliases(eg_buf *b, const eg_node *n)
{
    char num[24];
    for (size_t i = 0; i < n->naliases; i++) {
        if (i)
            eg_buf_adds(b, "; ");
        egw_dot_esc(b, n->aliases[i].text);
        eg_buf_adds(b, " (");
        eg_buf_add(b, num, egw_fmt_u64(num, n->aliases[i].count));
        eg_buf_adds(b, ")");
    }
}

static char *oracle(const eg_gview *v, size_t *len)
{
    Agraph_t *g = agopen("entgraph", Agundirected, NULL);
    Agsym_t *na[11], *ea[6];
    Agnode_t **nodes = calloc(v->nnodes + 1, sizeof *nodes);
    eg_buf b = {0}, t = {0};
    char num[64], outline[EG_NTYPES + 1][8], *out = NULL;
    double lo, hi;
    FILE *f;
    size_t i;

    eg_buf_addf(&t, "entgraph %s; window: ", EG_VERSION);
    egw_dot_esc(&t, v->window_name);
    eg_buf_adds(&t, "; weight: ");
    egw_dot_esc(&t, v->weight_name);
    eg_buf_addf(&t, "; documents: %llu", (unsigned long long)v->ndocs);
    agattr(g, AGRAPH, "overlap", "false");
    agattr(g, AGRAPH, "splines", v->nedges <= 200 ? "true" : "line");
    agattr(g, AGRAPH, "outputorder", "edgesfirst");
    agattr(g, AGRAPH, "fontname", "Helvetica,Arial,sans-serif");
    agattr(g, AGRAPH, "comment", (char *)eg_buf_cstr(&t));
    agattr(g, AGNODE, "fontname", "Helvetica,Arial,sans-serif");
    for (i = 0; i < 11; i++)
        na[i] = agattr(g, AGNODE, (char *)node_attr[i][0], (char *)node_attr[i][1]);
    for (i = 0; i < 6; i++)
        ea[i] = agattr(g, AGEDGE, (char *)edge_attr[i][0], (char *)edge_attr[i][1]);
    for (i = 0; i <= EG_NTYPES; i++) {
        int rgb[3];
        egw_type_rgb((eg_type)i, rgb);
        snprintf(outline[i], sizeof outline[i], "#%02X%02X%02X", rgb[0] * 3 / 5, rgb[1] * 3 / 5, rgb[2] * 3 / 5);
    }
    for (i = 0; i < v->nnodes; i++) {
        const eg_node *n = &v->nodes[i];
        Agnode_t *x = nodes[i] = agnode(g, (char *)esc(&b, n->id), 1);
        set(x, na[0], esc(&b, n->label));
        set(x, na[1], eg_type_name(n->type));
        set(x, na[2], eg_type_shape(n->type));
        if (n->ambiguous)
            set(x, na[3], "filled,dashed");
        set(x, na[4], eg_type_color(n->type));
        set(x, na[5], outline[n->type]);
        egw_fmt_u64(num, n->mentions)[num] = 0;
        set(x, na[6], num);
        egw_fmt_u64(num, n->docs)[num] = 0;
        set(x, na[7], num);
        eg_buf_reset(&b);
        aliases(&b, n);
        set(x, na[8], eg_buf_cstr(&b));
        set(x, na[9], n->ambiguous ? "true" : "false");
        eg_buf_reset(&b);
        egw_dot_esc(&b, n->label);
        eg_buf_addf(&b, " (%s): %llu mentions in %llu documents", eg_type_name(n->type),
                    (unsigned long long)n->mentions, (unsigned long long)n->docs);
        if (n->naliases) {
            eg_buf_adds(&b, "; as ");
            aliases(&b, n);
        }
        set(x, na[10], eg_buf_cstr(&b));
    }
    egw_weight_range(v, &lo, &hi);
    for (i = 0; i < v->nedges; i++) {
        const eg_edge *ed = &v->edges[i];
        Agedge_t *x = agedge(g, nodes[ed->a], nodes[ed->b], NULL, 1);
        snprintf(num, sizeof num, "%ld", egw_dot_weight(v, ed));
        set(x, ea[0], num);
        egw_fmt_real_n(num, ed->weight);
        set(x, ea[1], num);
        egw_fmt_u64(num, ed->count)[num] = 0;
        set(x, ea[2], num);
        egw_fmt_u64(num, ed->docs)[num] = 0;
        set(x, ea[3], num);
        egw_fmt_real_n(num, round((1 + 7 * egw_weight_scaled(v, ed->weight, lo, hi)) * 100) / 100);
        set(x, ea[4], num);
        if (ed->nev) {
            eg_buf_reset(&b);
            egw_dot_esc(&b, ed->ev[0].doc);
            eg_buf_addf(&b, " [%llu-%llu] ", (unsigned long long)ed->ev[0].start, (unsigned long long)ed->ev[0].end);
            egw_dot_esc(&b, ed->ev[0].snippet);
            set(x, ea[5], eg_buf_cstr(&b));
        }
    }
    f = open_memstream(&out, len);
    agwrite(g, f);
    fclose(f);
    agclose(g);
    free(nodes);
    eg_buf_free(&b);
    eg_buf_free(&t);
    return out;
}

/* ---- random hostile views ---- */

/* Random hostile text of up to max-1 bytes, about len long. */
static void text(char *buf, size_t max, size_t len)
{
    static const char *const pieces[] = {
        "\\", "\\\\", "\\n", "\"", "\\\"", "'", "<", "&", "&amp;", "\n", "\r\n", "\t", "\x01", "\x7f", " ",
        "  ", ",", ";", "{", "[", "=", "#", "\\N", "é", "😀", "\xff", "\xc3", "\xef\xbf\xbd", "\xef\xbb\xbf",
        "a", "b", "Z", "0", "9", "1.5", ".", "-", "_", "node", "Graph", "EDGE", "strict", "x-y", "a.b", "abc"};
    size_t n = 0, np = sizeof pieces / sizeof pieces[0];
    buf[0] = 0;
    while (n < len) {
        const char *p = pieces[rnd() % np];
        size_t k = strlen(p);
        if (n + k + 1 > max)
            break;
        memcpy(buf + n, p, k + 1);
        n += k;
    }
}

/* Ids: mostly short, often words, keywords or numbers, sometimes long;
 * the bytes that escape to U+FFFD make names collide now and then. */
static void make_id(char *buf, size_t max)
{
    static const char *const whole[] = {"node", "NODE", "Subgraph", "digraph", "strict", "edge", "graph", "1",
                                        "-1", "1.5", ".5", "-.5", "1.2.3", "1-2", "-", ".", "9.", "1abc", "_x",
                                        "a_b", "\xff", "\xfe", "\x7f", "\xef\xbf\xbd", "é", "", "a\\b", "q\"",
                                        "\\N", "a b"};
    size_t nw = sizeof whole / sizeof whole[0];
    switch (rnd() % 4) {
    case 0:
        snprintf(buf, max, "%s", whole[rnd() % nw]);
        break;
    case 1:
        snprintf(buf, max, "n%u", rnd() % 1000);
        break;
    case 2:
        text(buf, max, 1 + rnd() % 12);
        break;
    default:
        text(buf, max, rnd() % 3 ? 120 + rnd() % 30 : 200 + rnd() % 200);
    }
}

#define MAXN 40
#define MAXE 160
static eg_node nodes[MAXN];
static char ids[MAXN][420], labels[MAXN][600], alias_text[MAXN][2][300], docs[MAXE][300], snips[MAXE][400];
static eg_alias_seen als[MAXN][2];
static eg_edge edges[MAXE];
static eg_evidence evs[MAXE];
static eg_options opts;

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const eg_node *)a)->id, ((const eg_node *)b)->id);
}

static eg_gview make_view(int disorder)
{
    eg_gview v = {0};
    size_t nn = rnd() % MAXN + (rnd() % 8 == 0 ? 0 : 1), ne = 0, i;
    for (i = 0; i < nn; i++) {
        eg_node *n = &nodes[i];
        memset(n, 0, sizeof *n);
        make_id(ids[i], sizeof ids[i]);
        switch (rnd() % 5) {
        case 0:
            labels[i][0] = 0;
            break;
        case 1:
            text(labels[i], sizeof labels[i], 100 + rnd() % 400);
            break;
        default:
            text(labels[i], sizeof labels[i], rnd() % 30);
        }
        n->id = ids[i];
        n->label = labels[i];
        n->type = (eg_type)(rnd() % EG_NTYPES);
        n->mentions = rnd() % 3 ? 1 + rnd() % 50 : (uint64_t)rnd() << 20;
        n->docs = rnd() % 6;
        n->ambiguous = rnd() % 4 == 0;
        n->naliases = rnd() % 3;
        for (size_t k = 0; k < n->naliases; k++) {
            text(alias_text[i][k], sizeof alias_text[i][k], rnd() % 3 ? rnd() % 20 : 100 + rnd() % 150);
            als[i][k].text = alias_text[i][k];
            als[i][k].count = 1 + rnd() % 9;
        }
        n->aliases = als[i];
    }
    if (rnd() % 2) /* ids in strcmp order, as eg_graph gives them */
        qsort(nodes, nn, sizeof *nodes, cmp_id);
    if (nn > 1)
        for (size_t a = 0; a < nn; a++)
            for (size_t b = a + 1; b < nn && ne < MAXE; b++) {
                if (rnd() % 8)
                    continue;
                eg_edge *ed = &edges[ne];
                memset(ed, 0, sizeof *ed);
                ed->a = (uint32_t)a;
                ed->b = (uint32_t)b;
                ed->count = 1 + rnd() % 30;
                ed->docs = rnd() % 4;
                ed->weight = opts.weight == EG_WEIGHT_COUNT ? (double)ed->count : (double)(rnd() % 2000000) / 1e6 - 1;
                if (rnd() % 5) {
                    text(docs[ne], sizeof docs[ne], rnd() % 20);
                    text(snips[ne], sizeof snips[ne], rnd() % 300);
                    evs[ne].doc = docs[ne];
                    evs[ne].start = rnd();
                    evs[ne].end = evs[ne].start + rnd() % 500;
                    evs[ne].snippet = snips[ne];
                    ed->ev = &evs[ne];
                    ed->nev = 1;
                }
                ne++;
            }
    if (disorder && nn) {
        for (i = 0; i < ne; i++) { /* swap ends, loops, repeats */
            uint32_t x;
            switch (rnd() % 6) {
            case 0:
                x = edges[i].a, edges[i].a = edges[i].b, edges[i].b = x;
                break;
            case 1:
                edges[i].b = edges[i].a;
                break;
            case 2:
                if (i)
                    edges[i].a = edges[i - 1].a, edges[i].b = edges[i - 1].b;
                break;
            }
        }
        for (i = ne; i > 1; i--) { /* shuffle */
            size_t j = rnd() % i;
            eg_edge e = edges[i - 1];
            edges[i - 1] = edges[j];
            edges[j] = e;
        }
    }
    v.nodes = nodes;
    v.nnodes = nn;
    v.edges = edges;
    v.nedges = ne;
    v.opt = &opts;
    v.weight_name = opts.weight == EG_WEIGHT_COUNT ? "count" : "npmi";
    v.window_name = rnd() % 2 ? "sentence" : "tokens:\"5\" \\ x";
    v.ndocs = rnd();
    return v;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, n = 0, k;
    if (!f)
        return NULL;
    do {
        if (cap - n < 4096 && !(p = realloc(p, cap = cap * 2 + 4096)))
            break;
        k = fread(p + n, 1, cap - n, f);
        n += k;
    } while (k);
    fclose(f);
    *len = n;
    return p;
}

static int compare(const eg_gview *v, const char *dir, int round)
{
    eg_err e = {0};
    char path[512];
    size_t want_len = 0, got_len = 0, i;
    char *want = oracle(v, &want_len), *got;
    int ok;
    if (eg_write_dot(v, dir, &e)) {
        printf("# round %d: %s\n", round, e.msg);
        free(want);
        return 0;
    }
    snprintf(path, sizeof path, "%s/graph.dot", dir);
    got = slurp(path, &got_len);
    ok = got && want && got_len == want_len && !memcmp(got, want, got_len);
    if (!ok && got && want) {
        for (i = 0; i < got_len && i < want_len && got[i] == want[i]; i++)
            ;
        printf("# round %d: %zu bytes, cgraph %zu; first difference at %zu:\n#   got  \"%.60s\"\n#   want \"%.60s\"\n",
               round, got_len, want_len, i, got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
    }
    free(want);
    free(got);
    return ok;
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/test_dot.XXXXXX", path[64];
    int rounds = argc == 3 && !strcmp(argv[1], "--rounds") ? atoi(argv[2]) : 300;
    int bad[2] = {0, 0}, r;
    if (!mkdtemp(dir)) {
        OK(0, "mkdtemp");
        return tap_done();
    }
    rnd_state = 7;
    for (r = 0; r < rounds; r++) {
        int disorder = r % 3 == 2;
        opts.weight = r % 2 ? EG_WEIGHT_COUNT : EG_WEIGHT_NPMI;
        eg_gview v = make_view(disorder);
        if (!compare(&v, dir, r))
            bad[disorder]++;
    }
    EQ_INT(bad[0], 0, "graph.dot is agwrite's bytes for random hostile views");
    EQ_INT(bad[1], 0, "... and for views whose edges are out of order, looped or repeated");
    snprintf(path, sizeof path, "%s/graph.dot", dir);
    unlink(path);
    rmdir(dir);
    return tap_done();
}

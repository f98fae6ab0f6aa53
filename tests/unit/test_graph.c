/*
 * test_graph.c — the co-occurrence graph through the public API: windows
 * (sentence, paragraph, document, tokens:N), no self-loops, counts and
 * document counts, evidence, weights, filters, and merging partial graphs
 * (any split of the documents gives the same result as one graph).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"
#include "tap.h"

static char gaz_path[] = "/tmp/eg_graph_gaz_XXXXXX";

static const char *docs[] = {
    "Maryam Rajavi met officials in Paris. The MEK praised Paris.\nIran protested in Tehran.\n",
    "In Tirana, the MEK and Maryam Rajavi spoke about Iran.\n\nParis was quiet.\n",
    "Tehran and Paris talked. Iran and the MEK did not.\n",
};

static eg_ctx *make_ctx(eg_window w, unsigned tokens, eg_weight weight)
{
    eg_options o;
    eg_ctx *c;
    eg_options_init(&o);
    o.window = w;
    o.window_tokens = tokens;
    o.weight = weight;
    c = eg_ctx_new(&o);
    if (eg_ctx_load_gazetteer(c, gaz_path) || eg_ctx_seal(c))
        printf("# load: %s\n", eg_ctx_error(c));
    return c;
}

static const eg_edge *find_edge(const eg_graph *g, const char *a, const char *b)
{
    size_t i;
    for (i = 0; i < g->view.nedges; i++) {
        const eg_edge *e = &g->view.edges[i];
        const char *x = g->view.nodes[e->a].id, *y = g->view.nodes[e->b].id;
        if ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a)))
            return e;
    }
    return NULL;
}

static const eg_node *find_node(const eg_graph *g, const char *id)
{
    size_t i;
    for (i = 0; i < g->view.nnodes; i++)
        if (!strcmp(g->view.nodes[i].id, id))
            return &g->view.nodes[i];
    return NULL;
}

static eg_graph *run(eg_ctx *c, const int *which, size_t n)
{
    eg_graph *g = eg_graph_new(c);
    size_t i;
    for (i = 0; i < n; i++)
        eg_graph_add_doc(g, (uint64_t)which[i], which[i] == 0 ? "a.txt" : which[i] == 1 ? "b.txt" : "c.txt",
                         docs[which[i]], strlen(docs[which[i]]), NULL, NULL);
    return g;
}

/* A text rendering of a finished graph, for comparisons. */
static char *render(eg_graph *g)
{
    eg_buf b = {0};
    size_t i, k;
    eg_graph_finish(g);
    for (i = 0; i < g->view.nnodes; i++) {
        const eg_node *n = &g->view.nodes[i];
        eg_buf_addf(&b, "N %s %s %llu %u |", n->id, n->label, (unsigned long long)n->mentions, n->docs);
        for (k = 0; k < n->naliases; k++)
            eg_buf_addf(&b, " %s:%llu", n->aliases[k].text, (unsigned long long)n->aliases[k].count);
        eg_buf_addc(&b, '\n');
    }
    for (i = 0; i < g->view.nedges; i++) {
        const eg_edge *e = &g->view.edges[i];
        eg_buf_addf(&b, "E %u %u %llu %u %.6f", e->a, e->b, (unsigned long long)e->count, e->docs, e->weight);
        for (k = 0; k < e->nev; k++) {
            eg_buf s = {0};
            const char *snip = eg_evidence_snippet(&e->ev[k], &s);
            eg_buf_addf(&b, " [%s %llu-%llu %s]", e->ev[k].doc, (unsigned long long)e->ev[k].start,
                        (unsigned long long)e->ev[k].end, snip ? snip : "(unreadable)");
            eg_buf_free(&s);
        }
        eg_buf_addc(&b, '\n');
    }
    return b.p;
}

static void test_sentence_window(void)
{
    eg_ctx *c = make_ctx(EG_WIN_SENTENCE, 0, EG_WEIGHT_COUNT);
    int all[] = {0, 1, 2};
    eg_graph *g = run(c, all, 3);
    const eg_edge *e;
    eg_graph_finish(g);
    e = find_edge(g, "maryam-rajavi", "paris");
    OK(e && e->count == 1 && e->docs == 1, "sentence: Rajavi–Paris once");
    e = find_edge(g, "mek", "paris");
    OK(e && e->count == 1, "sentence: MEK–Paris once (Paris twice in one sentence counts once)");
    OK(!find_edge(g, "maryam-rajavi", "iran") || find_edge(g, "maryam-rajavi", "iran")->count == 1,
       "sentence: Rajavi–Iran only where they share a sentence");
    e = find_edge(g, "iran", "mek");
    OK(e && e->count == 2 && e->docs == 2, "sentence: Iran–MEK in two documents");
    OK(e && e->nev == 2 && !strcmp(e->ev[0].doc, "b.txt") && !strcmp(e->ev[1].doc, "c.txt"),
       "evidence in corpus order");
    {
        eg_buf s = {0};
        const char *snip = e && e->nev ? eg_evidence_snippet(&e->ev[0], &s) : NULL;
        OK(snip && strstr(snip, "MEK") && strstr(snip, "Iran"), "evidence snippet is the window's text (from the spool)");
        eg_buf_free(&s);
    }
    OK(find_node(g, "paris") && find_node(g, "paris")->mentions == 4 && find_node(g, "paris")->docs == 3,
       "node mentions and documents");
    {
        size_t i, loops = 0;
        for (i = 0; i < g->view.nedges; i++)
            loops += g->view.edges[i].a == g->view.edges[i].b;
        OK(loops == 0, "no self-loops");
    }
    eg_graph_free(g);
    eg_ctx_free(c);
}

static void test_other_windows(void)
{
    eg_ctx *c = make_ctx(EG_WIN_DOCUMENT, 0, EG_WEIGHT_COUNT);
    int one[] = {0};
    eg_graph *g = run(c, one, 1);
    eg_graph_finish(g);
    OK(find_edge(g, "maryam-rajavi", "tehran") != NULL, "document window links across sentences");
    eg_graph_free(g);
    eg_ctx_free(c);
    c = make_ctx(EG_WIN_PARAGRAPH, 0, EG_WEIGHT_COUNT);
    g = run(c, one, 1);
    eg_graph_finish(g);
    OK(!find_edge(g, "maryam-rajavi", "tehran"), "paragraph window: a line break ends the paragraph");
    OK(find_edge(g, "maryam-rajavi", "mek") != NULL, "paragraph window links across sentences");
    eg_graph_free(g);
    eg_ctx_free(c);
    c = make_ctx(EG_WIN_TOKENS, 4, EG_WEIGHT_COUNT);
    g = run(c, one, 1);
    eg_graph_finish(g);
    OK(find_edge(g, "paris", "mek") != NULL, "tokens:4 links Paris . The MEK");
    OK(!find_edge(g, "maryam-rajavi", "paris"), "tokens:4 does not link mentions 5 tokens apart");
    eg_graph_free(g);
    eg_ctx_free(c);
}

static void test_merge_is_split_free(void)
{
    eg_ctx *c = make_ctx(EG_WIN_SENTENCE, 0, EG_WEIGHT_NPMI);
    int all[] = {0, 1, 2}, p1[] = {0, 2}, p2[] = {1}, p3[] = {2}, p4[] = {0, 1};
    eg_graph *whole = run(c, all, 3), *a = run(c, p1, 2), *b = run(c, p2, 1), *x = run(c, p3, 1), *y = run(c, p4, 2);
    char *r1, *r2, *r3;
    eg_graph_merge(a, b);
    eg_graph_merge(y, x);
    r1 = render(whole);
    r2 = render(a);
    r3 = render(y);
    OK(r1 && r2 && strcmp(r1, r2) == 0, "merging {a,c}+{b} equals one graph");
    OK(r1 && r3 && strcmp(r1, r3) == 0, "merging {a,b}+{c} equals one graph");
    if (r1 && r2 && strcmp(r1, r2))
        printf("# whole:\n%s# merged:\n%s", r1, r2);
    free(r1);
    free(r2);
    free(r3);
    eg_graph_free(whole);
    eg_graph_free(a);
    eg_graph_free(b);
    eg_graph_free(x);
    eg_graph_free(y);
    eg_ctx_free(c);
}

/* Partial graphs as bytes: save on one "machine", load and merge on
 * another, same result; bad bytes are refused with their offset. */
static void test_save_load(void)
{
    eg_ctx *c = make_ctx(EG_WIN_SENTENCE, 0, EG_WEIGHT_COUNT);
    int all[] = {0, 1, 2}, p1[] = {0, 2}, p2[] = {1};
    eg_graph *whole = run(c, all, 3), *a = run(c, p1, 2), *b = run(c, p2, 1), *fresh = eg_graph_new(c);
    char *buf = NULL, *r1, *r2;
    size_t len = 0, cut;
    int rc;
    OK(eg_graph_save(a, &buf, &len) == EG_OK && len > 8, "a partial graph saves (%zu bytes)", len);
    OK(eg_graph_load(fresh, buf, len) == EG_OK, "and loads");
    eg_graph_merge(fresh, b);
    r1 = render(whole);
    r2 = render(fresh);
    OK(r1 && r2 && strcmp(r1, r2) == 0, "saved {a,c} loaded and merged with {b} equals one graph");
    free(r1);
    free(r2);
    eg_graph_free(fresh);
    for (cut = 0; cut < len; cut += len / 37 + 1) {
        eg_graph *g2 = eg_graph_new(c);
        rc = eg_graph_load(g2, buf, cut);
        if (rc != EG_EDATA || strncmp(eg_graph_error(g2), "byte ", 5) != 0 || g2->nnodes != 0) {
            OK(0, "truncated at %zu: refused with its offset, nothing added (%s)", cut, eg_graph_error(g2));
            eg_graph_free(g2);
            break;
        }
        eg_graph_free(g2);
    }
    OK(cut >= len, "every truncation is refused with a byte offset and adds nothing");
    {
        eg_graph *g2 = eg_graph_new(c);
        buf[0] = 'X';
        OK(eg_graph_load(g2, buf, len) == EG_EDATA && strstr(eg_graph_error(g2), "bad magic"), "bad magic refused");
        eg_graph_free(g2);
    }
    free(buf);
    eg_graph_free(whole);
    eg_graph_free(a);
    eg_graph_free(b);
    eg_ctx_free(c);
}

/* One id, two types: two entities, the same result whichever comes first. */
static void test_same_id_two_types(void)
{
    eg_ctx *c = make_ctx(EG_WIN_SENTENCE, 0, EG_WEIGHT_COUNT);
    eg_graph *g1 = eg_graph_new(c), *g2 = eg_graph_new(c);
    uint32_t n;
    char *r1, *r2;
    const char *label = NULL;
    eg_graph_node(g1, "jordan", "Jordan", EG_PLACE, EG_ORIGIN_GAZ, 1, &n);
    eg_graph_node(g1, "jordan", "", EG_PERSON, EG_ORIGIN_RULE, 1, &n);
    eg_graph_node(g2, "jordan", "", EG_PERSON, EG_ORIGIN_RULE, 1, &n);
    eg_graph_node(g2, "jordan", "Jordan", EG_PLACE, EG_ORIGIN_GAZ, 1, &n);
    eg_graph_node(g2, "paris", "", EG_PLACE, EG_ORIGIN_RULE, 1, &n);
    eg_graph_node(g2, "paris", "Paris", EG_PLACE, EG_ORIGIN_GAZ, 1, &n);
    eg_graph_node(g1, "paris", "Paris", EG_PLACE, EG_ORIGIN_GAZ, 1, &n);
    r1 = render(g1);
    r2 = render(g2);
    OK(r1 && strstr(r1, "N jordan Jordan") && strstr(r1, "N jordan-person jordan"),
       "the gazetteer's place keeps the id, the person gets a type suffix");
    OK(r1 && r2 && strcmp(r1, r2) == 0, "same graph whichever came first");
    OK(g2->nodes[2].origin == EG_ORIGIN_GAZ, "a gazetteer origin wins over a rule's, in either order");
    OK(eg_graph_final_id(g1, EG_PERSON, "jordan", &label) && !strcmp(eg_graph_final_id(g1, EG_PERSON, "jordan", NULL), "jordan-person"),
       "final ids tell the two apart");
    free(r1);
    free(r2);
    eg_graph_free(g1);
    eg_graph_free(g2);
    eg_ctx_free(c);
}

static void test_weights_and_filters(void)
{
    eg_options o;
    eg_ctx *c;
    eg_graph *g;
    int all[] = {0, 1, 2};
    const eg_edge *e;
    eg_options_init(&o);
    o.weight = EG_WEIGHT_JACCARD;
    c = eg_ctx_new(&o);
    eg_ctx_load_gazetteer(c, gaz_path);
    eg_ctx_seal(c);
    g = run(c, all, 3);
    eg_graph_finish(g);
    e = find_edge(g, "iran", "mek");
    OK(e && e->weight > 0 && e->weight <= 1.0 && e->count == 2, "jaccard weight in (0,1], raw count kept");
    eg_graph_free(g);
    eg_ctx_free(c);

    {
        /* an edge dropped by --min-count adds nothing to the next one */
        eg_graph *all1;
        size_t i, j;
        int same = 1;
        eg_options_init(&o);
        c = eg_ctx_new(&o);
        eg_ctx_load_gazetteer(c, gaz_path);
        eg_ctx_seal(c);
        all1 = run(c, all, 3);
        eg_graph_finish(all1);
        eg_ctx_free(c);
        o.min_count = 2;
        c = eg_ctx_new(&o);
        eg_ctx_load_gazetteer(c, gaz_path);
        eg_ctx_seal(c);
        g = run(c, all, 3);
        eg_graph_finish(g);
        for (i = 0; i < g->view.nedges; i++) {
            const eg_edge *x = &g->view.edges[i];
            const char *ia = g->view.nodes[x->a].id, *ib = g->view.nodes[x->b].id;
            for (j = 0; j < all1->view.nedges; j++) {
                const eg_edge *y = &all1->view.edges[j];
                if (!strcmp(all1->view.nodes[y->a].id, ia) && !strcmp(all1->view.nodes[y->b].id, ib))
                    same &= y->count == x->count && y->docs == x->docs;
            }
        }
        OK(g->view.nedges < all1->view.nedges && same, "--min-count keeps the kept edges' counts as they were");
        eg_graph_free(g);
        eg_graph_free(all1);
        eg_ctx_free(c);
    }

    eg_options_init(&o);
    o.types = 1u << EG_PLACE;
    o.min_count = 2;
    c = eg_ctx_new(&o);
    eg_ctx_load_gazetteer(c, gaz_path);
    eg_ctx_seal(c);
    g = run(c, all, 3);
    eg_graph_finish(g);
    OK(!find_node(g, "mek") && find_node(g, "paris"), "--types keeps only places");
    {
        size_t i;
        int okc = 1;
        for (i = 0; i < g->view.nedges; i++)
            okc &= g->view.edges[i].count >= 2;
        OK(okc, "--min-count drops lighter edges");
    }
    eg_graph_free(g);
    eg_ctx_free(c);

    eg_options_init(&o);
    o.top = 2;
    c = eg_ctx_new(&o);
    eg_ctx_load_gazetteer(c, gaz_path);
    eg_ctx_seal(c);
    g = run(c, all, 3);
    eg_graph_finish(g);
    OK(g->view.nnodes == 2 && find_node(g, "paris"), "--top 2 keeps the two most mentioned");
    eg_graph_free(g);
    eg_ctx_free(c);
}

/* A string map keeps working after eg_strmap_drop_slots (finish drops
 * the slots of maps it only walks), across growth and with many keys. */
static void test_strmap_slots(void)
{
    eg_strmap m;
    char k[32];
    uint32_t *v;
    int added, i, bad = 0;
    memset(&m, 0, sizeof m);
    for (i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key-%d", i);
        if (eg_strmap_put(&m, k, strlen(k), (uint32_t)i, &v, &added) || !added)
            bad++;
    }
    EQ_INT(bad, 0, "5000 distinct keys added");
    eg_strmap_drop_slots(&m);
    OK(!eg_strmap_get(&m, "key-1", 5), "no lookups while the slots are dropped");
    EQ_STR(m.items[4999].key, "key-4999", "items still walkable");
    OK(!eg_strmap_put(&m, "key-7", 5, 99, &v, &added) && !added && *v == 7, "put finds an old key again");
    OK(!eg_strmap_put(&m, "new", 3, 5000, &v, &added) && added && *v == 5000, "and adds a new one");
    for (i = 0, bad = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key-%d", i);
        v = eg_strmap_get(&m, k, strlen(k));
        if (!v || *v != (uint32_t)i)
            bad++;
    }
    EQ_INT(bad, 0, "every old key found after the slots were made again");
    eg_strmap_free(&m);
}

/* A document with more than one stray control byte in ten (\t \n \r \f
 * are text) in its first 8 KiB is skipped as binary; one in ten is read.
 * The controls sit in the sixteen-byte blocks and in the tail the count
 * reads byte by byte. */
static void test_control_bytes(void)
{
    eg_ctx *c = make_ctx(EG_WIN_SENTENCE, 0, EG_WEIGHT_COUNT);
    eg_graph *g = eg_graph_new(c);
    char doc[100];
    static const unsigned at[] = {0, 15, 16, 40, 47, 63, 64, 90, 97, 98, 99};
    size_t i;
    memset(doc, 'a', sizeof doc);
    for (i = 0; i < 20; i++) /* text's own controls: not counted */
        doc[20 + i] = "\t\n\r\f"[i % 4];
    for (i = 0; i < 10; i++)
        doc[at[i]] = 0x01;
    OK(eg_graph_add_doc(g, 1, "ten", doc, sizeof doc, NULL, NULL) == EG_OK, "10 controls in 100 bytes: read");
    doc[at[10]] = 0x1F;
    OK(eg_graph_add_doc(g, 2, "eleven", doc, sizeof doc, NULL, NULL) == EG_EDATA &&
           strstr(eg_graph_error(g), "control bytes"),
       "11 controls in 100 bytes: skipped as binary");
    eg_graph_free(g);
    eg_ctx_free(c);
}

int main(void)
{
    int fd = mkstemp(gaz_path);
    FILE *f = fdopen(fd, "w");
    fputs("maryam-rajavi\tPERSON\tMaryam Rajavi\n"
          "mek\tORG\tMEK\n"
          "paris\tPLACE\tParis\n"
          "iran\tPLACE\tIran\n"
          "tehran\tPLACE\tTehran\n"
          "tirana\tPLACE\tTirana\n",
          f);
    fclose(f);
    test_sentence_window();
    test_other_windows();
    test_merge_is_split_free();
    test_save_load();
    test_same_id_two_types();
    test_weights_and_filters();
    test_strmap_slots();
    test_control_bytes();
    unlink(gaz_path);
    return tap_done();
}

/*
 * test_writers.c — the graph writers on a hand-made view whose labels hold
 * everything that breaks formats: quotes, < > &, a backslash at the end,
 * "]]>" and "--", newline, CR LF, tab, a C0 control, an emoji outside the
 * BMP, accents, an ambiguous node, an isolated node. Compares each file
 * with tests/golden/ (UPDATE_GOLDEN=1 rewrites them), checks that two runs
 * give the same bytes, that an empty graph writes, and that every failure
 * (missing directory, a file where the directory should be, a read-only
 * directory, rename refused, disk full) leaves no file behind.
 *
 *   test_writers                      the TAP tests
 *   test_writers --write-to DIR       writes every format of the view to DIR
 *   test_writers --write-empty-to DIR the same for a graph with no node
 *   test_writers --write-big-to DIR   the same for a made-up graph of 200
 *                                     nodes (to look at the picture)
 *   test_writers --write-random-to DIR SEED
 *                                     the same for 40 nodes with random
 *                                     hostile labels of up to ~400 bytes
 * (tests/consumers.sh uses these to feed tests/consumers.py).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "graph_view.h"
#include "tap.h"
#include "writers.h"

/* Graphviz 2.43 leaks a little in each HTML-like label it parses (the
 * picture's legend), and fontconfig / pango keep caches LeakSanitizer
 * counts as leaks; none of it is ours. Read by the sanitizers when the test
 * runs under -fsanitize=address (unused otherwise). The slow unwinder is
 * needed to see through Graphviz's frames to the suppressed functions. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "fast_unwind_on_malloc=0"; }
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:make_html_label\n"
           "leak:libfontconfig.so\n"
           "leak:libpango-1.0.so\n"
           "leak:libpangoft2-1.0.so\n"
           "leak:libgvplugin_pango.so\n";
}

/* ---- the view ---- */

static const eg_alias_seen al_ashraf[] = {{"Ashraf attack", 2}, {"attack on Camp Ashraf", 1}};
static const eg_alias_seen al_elysee[] = {{"Élysée", 4}, {"Elysée Palace", 3}};
static const eg_alias_seen al_mek[] = {{"MEK", 41}, {"PMOI; \"q\", (x)", 3}};
static const eg_alias_seen al_rajavi[] = {{"Rajavi", 2}};

static const eg_node nodes[] = {
    {"ashraf-2013", "Camp Ashraf\nattack 2013", EG_EVENT, 3, 2, 1, 0, al_ashraf, 2},
    {"elysee-palace", "Elysée\tPalace 😀", EG_PLACE, 7, 3, 1, 0, al_elysee, 2},
    {"mek", "People's \"Mojahedin\" <MEK> & co \\ ]]> -- x\\", EG_ORG, 44, 4, 3, 0, al_mek, 2},
    {"rajavi?", "Rajavi\x01?", EG_PERSON, 2, 1, 1, 1, al_rajavi, 1},
    {"zarif", "Zarif\r\nCR LF ", EG_PERSON, 1, 1, 0, 0, NULL, 0},
};

static const eg_evidence ev_0_2[] = {
    {"news/a&b.txt", 120, 188, "MEK members died in the \"Camp Ashraf\" attack <2013> & after", -1, 0, 0},
    {"news/c.txt", 5, 40, "second example", -1, 0, 0}};
static const eg_evidence ev_1_2[] = {{"d \"q\".txt", 0, 31, "Élysée hosted the MEK 😀, said 'x'", -1, 0, 0}};
static const eg_evidence ev_2_3[] = {{"e.txt", 77, 99, "Rajavi, MEK\\ ]]> --", -1, 0, 0}};

static const eg_edge edges[] = {
    {0, 2, 3, 2, 3.0, ev_0_2, 2},
    {1, 2, 1, 1, 1.0, ev_1_2, 1},
    {2, 3, 2, 1, 2.0, ev_2_3, 1},
};

static eg_options opts;

static eg_gview make_view(void)
{
    eg_gview v;
    memset(&opts, 0, sizeof opts);
    opts.window = EG_WIN_SENTENCE;
    opts.weight = EG_WEIGHT_COUNT;
    opts.evidence = 3;
    memset(&v, 0, sizeof v);
    v.nodes = nodes;
    v.nnodes = sizeof nodes / sizeof nodes[0];
    v.edges = edges;
    v.nedges = sizeof edges / sizeof edges[0];
    v.opt = &opts;
    v.weight_name = "count";
    v.window_name = "sentence";
    v.ndocs = 5;
    return v;
}

static eg_gview make_empty(void)
{
    eg_gview v = make_view();
    v.nodes = NULL;
    v.nnodes = 0;
    v.edges = NULL;
    v.nedges = 0;
    v.ndocs = 0;
    return v;
}

static const char *const files[] = {"graph.dot", "graph.graphml", "graph.json", "graph.gexf",
                                    "nodes.csv", "edges.csv",     "graph.svg",  "graph.png"};
#define NFILES (sizeof files / sizeof files[0])
#define NGOLDEN 6 /* the text files; the pictures depend on Graphviz's version and fonts */
#define ALL_FORMATS                                                                                   \
    (EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON | EG_FMT_GEXF | EG_FMT_CSV | EG_FMT_SVG | EG_FMT_PNG)

/* ---- files ---- */

static char *read_all(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    char *buf = NULL;
    eg_err e = {0};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (eg_read_file(path, &buf, len, &e))
        return NULL;
    return buf;
}

static int write_all(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok;
}

/* Number of entries in dir other than . and .. (-1 when it cannot be read). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Removes dir and what is in it (files and empty or one-level directories). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[1024];
    if (!d)
        return;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (unlink(path) != 0)
            rm_tree(path);
    }
    closedir(d);
    rmdir(dir);
}

static char *make_tmpdir(char *buf, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, n, "%s/egw.XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}

static const char *golden_dir(void)
{
    const char *d = getenv("EG_GOLDEN_DIR");
    return d && *d ? d : "tests/golden";
}

/* ---- the tests ---- */

static void test_helpers(void)
{
    eg_buf b = {0};
    char num[32];
    eg_gview v = make_view();
    eg_edge ed = edges[0];

    egw_xml_buf(&b, "a&b<c>d\"e'f\tg\nh\ri\x01j\x7fk\xef\xbf\xbel\xff😀");
    EQ_STR(eg_buf_cstr(&b),
           "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;i\xEF\xBF\xBDj\x7fk\xEF\xBF\xBDl\xEF\xBF\xBD😀",
           "xml escape: markup, TAB/LF/CR as references, C0 / U+FFFE / bad byte as U+FFFD, emoji kept");
    eg_buf_reset(&b);
    egw_xml_buf(&b, "nel\xc2\x85 c1\xc2\x9f nbsp\xc2\xa0 ls\xe2\x80\xa8");
    EQ_STR(eg_buf_cstr(&b), "nel&#133; c1&#159; nbsp\xc2\xa0 ls&#8232;",
           "xml escape: C1 controls and U+2028 as references (xmldom turns them into line ends)");
    eg_buf_reset(&b);
    egw_dot_esc(&b, "AT&T R&D; &amp; &#0; &#x26; &; & #;");
    EQ_STR(eg_buf_cstr(&b), "AT&T R&amp;D; &amp;amp; &amp;#0; &amp;#x26; &amp;; & #;",
           "dot escString: entity-like & escaped, plain & kept");
    eg_buf_reset(&b);
    egw_dot_esc(&b, "a\\b\"c\r\nd\re\nf\tg\x02h\x7f");
    EQ_STR(eg_buf_cstr(&b), "a\\\\b\"c\\nd\\ne\\nf g\xEF\xBF\xBDh\xEF\xBF\xBD",
           "dot escString: backslash doubled, line ends as \\n, tab as space, controls as U+FFFD");
    eg_buf_reset(&b);
    egw_dot_esc(&b, "\xef\xbb\xbf|\xef\xbf\xbe|\xe2\x80\x8b");
    EQ_STR(eg_buf_cstr(&b), "\xEF\xBF\xBD|\xEF\xBF\xBD|\xe2\x80\x8b", "dot escString: U+FEFF and U+FFFE as U+FFFD");
    eg_buf_reset(&b);
    egw_utf8_clean(&b, "ok\xc3(\xe2\x82");
    EQ_STR(eg_buf_cstr(&b), "ok\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD", "utf8 clean: each bad byte becomes U+FFFD");
    eg_buf_reset(&b);
    egw_aliases_text(&b, &nodes[2]);
    EQ_STR(eg_buf_cstr(&b), "MEK (41); PMOI; \"q\", (x) (3)", "aliases text");
    eg_buf_reset(&b);
    egw_evidence_text(&b, &ev_2_3[0]);
    EQ_STR(eg_buf_cstr(&b), "e.txt [77-99] Rajavi, MEK\\ ]]> --", "evidence text");
    eg_buf_free(&b);

    EQ_STR(egw_fmt_real(num, 0.1), "0.1", "real: 15 digits, no binary noise");
    EQ_STR(egw_fmt_real(num, 3), "3", "real: whole number");
    EQ_STR(egw_fmt_real(num, -0.0), "0", "real: no negative zero");
    EQ_STR(egw_fmt_real(num, 1.0 / 3), "0.333333333333333", "real: 1/3");

    ed.count = 7;
    EQ_INT(egw_dot_weight(&v, &ed), 7, "dot weight: the count for count weights");
    opts.weight = EG_WEIGHT_NPMI;
    v.weight_name = "npmi";
    ed.weight = 0.4567;
    EQ_INT(egw_dot_weight(&v, &ed), 46, "dot weight: round(w*100) for normalised weights");
    ed.weight = -0.3;
    EQ_INT(egw_dot_weight(&v, &ed), 1, "dot weight: at least 1 (negative npmi)");
    ed.weight = 0.001;
    EQ_INT(egw_dot_weight(&v, &ed), 1, "dot weight: at least 1 (tiny)");
    ed.weight = 1e12;
    EQ_INT(egw_dot_weight(&v, &ed), 1000000, "dot weight: at most 1000000");
    opts.weight = EG_WEIGHT_COUNT;

    EQ_STR(eg_type_color(EG_PERSON), "#56B4E9", "person colour");
    OK(strcmp(eg_type_color(EG_ORG), eg_type_color(EG_PLACE)) && strcmp(eg_type_color(EG_PLACE), eg_type_color(EG_EVENT)) &&
           strcmp(eg_type_color(EG_PERSON), eg_type_color(EG_EVENT)),
       "type colours differ");
    OK(strcmp(eg_type_shape(EG_PERSON), eg_type_shape(EG_ORG)) && strcmp(eg_type_shape(EG_ORG), eg_type_shape(EG_PLACE)) &&
           strcmp(eg_type_shape(EG_PLACE), eg_type_shape(EG_EVENT)),
       "type shapes differ");
    EQ_STR(eg_type_color(EG_NTYPES), "#BBBBBB", "colour of an unknown type");
}

/* ---- the fast scans and escapes against their plain forms ---- */

static uint32_t esc_state = 7;
static uint32_t esc_rand(void)
{
    esc_state = esc_state * 1103515245u + 12345u;
    return (esc_state >> 8) & 0xFFFFFF;
}

/* Random text of n bytes: mostly ASCII letters and spaces, with every
 * byte value now and then, and UTF-8 sequences, broken or not. */
static void esc_text(unsigned char *p, size_t n)
{
    static const char *const seqs[] = {"\xc3\xa9", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xed\xa0\x80",
                                       "\xef\xbf\xbe", "\xc2\x85", "\xe0\x80\x80", "\xf4\x90\x80\x80"};
    size_t i = 0;
    while (i < n) {
        uint32_t r = esc_rand() % 100;
        if (r < 8) {
            const char *q = seqs[esc_rand() % 8];
            size_t k = strlen(q) - (esc_rand() % 5 == 0); /* sometimes cut short */
            for (; *q && k && i < n; q++, k--)
                p[i++] = (unsigned char)*q;
        } else if (r < 20) {
            p[i++] = (unsigned char)(esc_rand() & 0xFF);
        } else {
            p[i++] = (unsigned char)(r < 35 ? ' ' : 'a' + r % 26);
        }
    }
}

static void test_fast_escapes(void)
{
    unsigned char text[400];
    char *mine = malloc(6 * sizeof text + 2), *theirs = malloc(6 * sizeof text + 2);
    eg_buf clean = {0};
    json_t *str = json_string("");
    char text_num[2][32];
    size_t bad_run = 0, bad_json = 0, bad_num = 0, t, cls, i;
    if (!mine || !theirs || !str) {
        OK(0, "fast escapes: memory");
        return;
    }
    for (t = 0; t < 20000; t++) {
        size_t n = esc_rand() % (t < 10000 ? 40 : sizeof text), want, got;
        esc_text(text, n);
        for (cls = 1; cls <= 4; cls *= 2) {
            for (i = 0; i < n && (egw_plain[text[i]] & cls); i++)
                ;
            bad_run += egw_plain_run(text, n, (unsigned)cls) != i;
        }
        eg_buf_reset(&clean);
        if (egw_utf8_clean_n(&clean, (const char *)text, n) || json_string_setn_nocheck(str, clean.p ? clean.p : "", clean.len)) {
            bad_json++;
            continue;
        }
        want = json_dumpb(str, theirs, 6 * sizeof text + 2, JSON_ENCODE_ANY);
        got = (size_t)(egw_json_esc(mine, (const char *)text, n) - mine);
        bad_json += want != got || memcmp(mine, theirs, want);
    }
    for (t = 0; t < 2000; t++) { /* every length of number, its edges too */
        uint64_t x = t < 1000 ? (uint64_t)t : (uint64_t)1 << (t % 64);
        char a[32], b[32];
        x = t >= 1500 ? x - 1 : x;
        snprintf(a, sizeof a, "%llu", (unsigned long long)x);
        bad_num += egw_fmt_u64(b, x) != strlen(a) || strcmp(a, b);
    }
    snprintf(text_num[0], sizeof text_num[0], "%llu", (unsigned long long)UINT64_MAX);
    bad_num += egw_fmt_u64(text_num[1], UINT64_MAX) != strlen(text_num[0]) || strcmp(text_num[0], text_num[1]);
    EQ_INT(bad_num, 0, "egw_fmt_u64: the digits snprintf prints");
    EQ_INT(bad_run, 0, "egw_plain_run: the same runs as the byte table");
    EQ_INT(bad_json, 0, "egw_json_esc: the same bytes as Jansson's dump of the cleaned text");
    json_decref(str);
    eg_buf_free(&clean);
    free(mine);
    free(theirs);
}

static void test_golden(const char *dir)
{
    const char *gd = golden_dir();
    int update = getenv("UPDATE_GOLDEN") && !strcmp(getenv("UPDATE_GOLDEN"), "1");
    size_t i;
    for (i = 0; i < NGOLDEN; i++) {
        char path[1024];
        size_t n = 0, m = 0;
        char *got = read_all(dir, files[i], &n), *want;
        if (!got) {
            OK(0, "golden %s: not written", files[i]);
            continue;
        }
        if (update) {
            snprintf(path, sizeof path, "%s/%s", gd, files[i]);
            OK(write_all(path, got, n), "golden %s: rewritten in %s", files[i], gd);
            eg_free(got);
            continue;
        }
        want = read_all(gd, files[i], &m);
        if (!OK(want && n == m && memcmp(got, want, n) == 0, "golden %s matches %s/%s", files[i], gd, files[i]))
            printf("#   %s; UPDATE_GOLDEN=1 rewrites it (then review the diff)\n",
                   want ? "differs" : "golden file missing");
        eg_free(got);
        eg_free(want);
    }
}

static void test_write_and_compare(void)
{
    char d1[512], d2[512];
    eg_gview v = make_view();
    eg_err e = {0};
    size_t i;
    if (!OK(make_tmpdir(d1, sizeof d1) && make_tmpdir(d2, sizeof d2), "temporary directories"))
        return;
    EQ_INT(eg_write_all(&v, d1, ALL_FORMATS, &e), EG_OK, "eg_write_all, every format");
    if (e.code)
        printf("#   %s\n", e.msg);
    eg_err_clear(&e);
    EQ_INT(eg_write_all(&v, d2, ALL_FORMATS, &e), EG_OK, "eg_write_all again");
    EQ_INT(count_entries(d1), (int)NFILES, "one file per format and no temporary left");
    for (i = 0; i < NFILES; i++) {
        size_t n = 0, m = 0;
        char *a = read_all(d1, files[i], &n), *b = read_all(d2, files[i], &m);
        OK(a && b && n == m && memcmp(a, b, n) == 0 && n > 0, "%s: same bytes on two runs", files[i]);
        if (a && !strcmp(files[i], "graph.png"))
            OK(n > 8 && !memcmp(a, "\x89PNG\r\n\x1a\n", 8), "graph.png is a PNG");
        if (a && !strcmp(files[i], "graph.svg")) {
            OK(strstr(a, "<svg") != NULL, "graph.svg is SVG");
            OK(strstr(a, "of 5 entities") && !strstr(a, "&lt;TABLE"), "graph.svg has its legend as a table");
            OK(strstr(a, "Mojahedin") != NULL, "graph.svg has labels");
        }
        if (a && !strcmp(files[i], "graph.json")) {
            OK(strstr(a, "\"edges\": [") && !strstr(a, "\"links\""), "graph.json: edge array named edges");
            OK(strstr(a, "\\u0001") && strstr(a, "😀"), "graph.json: control escaped, emoji kept as UTF-8");
        }
        if (a && !strcmp(files[i], "graph.dot"))
            OK(strstr(a, "weight=3") && strstr(a, "w=3,") , "graph.dot: integer weight and real w");
        eg_free(a);
        eg_free(b);
    }
    test_golden(d1);

    /* links_key */
    opts.links_key = 1;
    eg_err_clear(&e);
    EQ_INT(eg_write_json(&v, d2, &e), EG_OK, "json with links_key");
    {
        size_t n = 0;
        char *a = read_all(d2, "graph.json", &n);
        OK(a && strstr(a, "\"links\": [") && !strstr(a, "\"edges\""), "graph.json: edge array named links");
        eg_free(a);
    }
    opts.links_key = 0;
    rm_tree(d1);
    rm_tree(d2);
}

static void test_empty(void)
{
    char d[512];
    eg_gview v = make_empty();
    eg_err e = {0};
    size_t n = 0;
    char *a;
    if (!OK(make_tmpdir(d, sizeof d), "temporary directory"))
        return;
    EQ_INT(eg_write_all(&v, d, ALL_FORMATS, &e), EG_OK, "an empty graph writes in every format");
    if (e.code)
        printf("#   %s\n", e.msg);
    EQ_INT(count_entries(d), (int)NFILES, "empty graph: every file");
    a = read_all(d, "nodes.csv", &n);
    EQ_STR(a, "Id,Label,Type,Mentions,Documents,Aliases\r\n", "empty nodes.csv is the header");
    eg_free(a);
    a = read_all(d, "graph.json", &n);
    OK(a && strstr(a, "\"nodes\": []") && strstr(a, "\"edges\": []"), "empty graph.json has empty arrays");
    eg_free(a);
    rm_tree(d);
}

typedef int (*writer_fn)(const eg_gview *, const char *, eg_err *);
static int w_svg(const eg_gview *v, const char *d, eg_err *e) { return eg_write_picture(v, d, "svg", e); }
static int w_png(const eg_gview *v, const char *d, eg_err *e) { return eg_write_picture(v, d, "png", e); }
static const struct {
    const char *name;
    writer_fn fn;
} writers[] = {{"graph.dot", eg_write_dot},   {"graph.graphml", eg_write_graphml}, {"graph.json", eg_write_json},
               {"graph.gexf", eg_write_gexf}, {"nodes.csv", eg_write_csv},         {"graph.svg", w_svg},
               {"graph.png", w_png}};
#define NWRITERS (sizeof writers / sizeof writers[0])

/* Each writer into `dir` must fail with status `want`, name the file and
 * leave `left` entries in `look`. */
static void expect_failure(const char *what, const char *dir, const char *look, int left, int want)
{
    eg_gview v = make_view();
    size_t i;
    for (i = 0; i < NWRITERS; i++) {
        eg_err e = {0};
        int rc = writers[i].fn(&v, dir, &e);
        EQ_INT(rc, want, "failure status");
        OK(rc && e.code == rc && strstr(e.msg, writers[i].name) && !strchr(e.msg, '\n'),
           "%s: %s fails with one line naming the file: %s", what, writers[i].name, e.msg);
        EQ_INT(count_entries(look), left, "nothing left behind");
    }
}

static void test_failures(void)
{
    char d[512], path[1024];
    eg_err e = {0};
    eg_gview v = make_view();
    struct rlimit old, lim;
    size_t i;

    if (!OK(make_tmpdir(d, sizeof d), "temporary directory"))
        return;

    /* a directory that does not exist */
    snprintf(path, sizeof path, "%s/missing", d);
    expect_failure("missing directory", path, d, 0, EG_EIO);

    /* a regular file where the directory should be */
    snprintf(path, sizeof path, "%s/file", d);
    OK(write_all(path, "x", 1), "a plain file");
    expect_failure("not a directory", path, d, 1, EG_EIO);
    unlink(path);

    /* a read-only directory (root writes anyway: then this is skipped) */
    snprintf(path, sizeof path, "%s/ro", d);
    mkdir(path, 0555);
    if (geteuid() != 0) {
        expect_failure("read-only directory", path, path, 0, EG_EIO);
    } else {
        OK(1, "# SKIP read-only directory: running as root");
    }
    rmdir(path);

    /* the rename refused: a non-empty directory holds each final name */
    for (i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", d, files[i]);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/%s/keep", d, files[i]);
        write_all(path, "x", 1);
    }
    expect_failure("rename refused", d, d, (int)NFILES, EG_EIO);
    for (i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", d, files[i]);
        rm_tree(path);
    }

    /* the disk full: files may not grow past 16 bytes */
    signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &old) == 0) {
        lim = old;
        lim.rlim_cur = 16;
        if (setrlimit(RLIMIT_FSIZE, &lim) == 0) {
            expect_failure("file too large", d, d, 0, EG_EIO);
            setrlimit(RLIMIT_FSIZE, &old);
        }
    }

    /* one failure stops eg_write_all; its error is the first */
    snprintf(path, sizeof path, "%s/graph.graphml", d);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/graph.graphml/keep", d);
    write_all(path, "x", 1);
    EQ_INT(eg_write_all(&v, d, ALL_FORMATS, &e), EG_EIO, "eg_write_all stops at the first failure");
    OK(strstr(e.msg, "graph.graphml") != NULL, "and names it: %s", e.msg);
    EQ_INT(count_entries(d), 2, "graph.dot written before it, nothing after");
    eg_err_clear(&e);
    EQ_INT(eg_write_all(&v, d, 1u << 12, &e), EG_EUSAGE, "unknown format bits");
    eg_err_clear(&e);
    EQ_INT(eg_write_picture(&v, d, "gif", &e), EG_EUSAGE, "unknown picture format");

    /* a view the writers refuse */
    {
        eg_edge bad = edges[0];
        eg_gview bv = make_view();
        bad.b = 99;
        bv.edges = &bad;
        bv.nedges = 1;
        eg_err_clear(&e);
        EQ_INT(eg_write_json(&bv, d, &e), EG_EDATA, "edge to a missing node refused");
        bad.b = 2;
        bad.weight = 0.0 / 0.0;
        eg_err_clear(&e);
        EQ_INT(eg_write_graphml(&bv, d, &e), EG_EDATA, "NaN weight refused");
    }
    rm_tree(d);
}

/* ---- a corpus-sized graph (200 nodes, ~700 edges) for looking at the
 * picture and feeding the consumers when no real corpus output exists ---- */

static uint32_t lcg_state = 12345;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 8) & 0xFFFFFF;
}

#define BIG_N 200
static eg_node big_nodes[BIG_N];
static char big_ids[BIG_N][16], big_labels[BIG_N][40];
static eg_edge big_edges[BIG_N * 8];
static eg_evidence big_ev[BIG_N * 8];
static char big_snip[BIG_N * 8][96];

static eg_gview make_big(void)
{
    static const char *const first[] = {"Ali", "Maryam", "Hassan", "Sara", "Reza", "Leila", "Omid", "Nasrin",
                                        "Karim", "Mina", "Javad", "Parisa", "Amir", "Shirin", "Babak", "Laleh"};
    static const char *const last[] = {"Naderi", "Rostami", "Karimi", "Tehrani", "Ahmadi", "Sadeghi", "Mousavi",
                                       "Hosseini", "Jafari", "Rahimi", "Zand", "Farahani", "Bagheri"};
    static const char *const org[] = {"Council", "Front", "Agency", "Ministry", "Party", "Union", "Foundation"};
    static const char *const place[] = {"Tirana", "Paris", "Baghdad", "Ashraf", "Geneva", "Tehran", "Mashhad",
                                        "Isfahan", "Berlin", "London", "Ankara"};
    static unsigned char seen[BIG_N][BIG_N];
    eg_gview v = make_view();
    size_t ne = 0, i, a, b;
    memset(seen, 0, sizeof seen);
    for (i = 0; i < BIG_N; i++) {
        eg_node *n = &big_nodes[i];
        eg_type t = (eg_type)(lcg() % 10 < 5 ? EG_PERSON : lcg() % 3 == 0 ? EG_PLACE : lcg() % 4 ? EG_ORG : EG_EVENT);
        snprintf(big_ids[i], sizeof big_ids[i], "e%03zu", i);
        if (t == EG_PERSON)
            snprintf(big_labels[i], sizeof big_labels[i], "%s %s", first[lcg() % 16], last[lcg() % 13]);
        else if (t == EG_ORG)
            snprintf(big_labels[i], sizeof big_labels[i], "%s %s", place[lcg() % 11], org[lcg() % 7]);
        else if (t == EG_PLACE)
            snprintf(big_labels[i], sizeof big_labels[i], "%s", place[lcg() % 11]);
        else
            snprintf(big_labels[i], sizeof big_labels[i], "%s talks %u", place[lcg() % 11], 1990 + lcg() % 30);
        memset(n, 0, sizeof *n);
        n->id = big_ids[i];
        n->label = big_labels[i];
        n->type = t;
        n->mentions = 600 / (1 + (lcg() % BIG_N)) + 1;
        n->docs = (uint32_t)(n->mentions / 3 + 1);
    }
    while (ne < sizeof big_edges / sizeof big_edges[0] * 7 / 8) {
        a = (size_t)lcg() % BIG_N * ((size_t)lcg() % BIG_N) / BIG_N;
        b = (size_t)lcg() % BIG_N;
        if (a == b || seen[a < b ? a : b][a < b ? b : a])
            continue;
        seen[a < b ? a : b][a < b ? b : a] = 1;
        ne++;
    }
    ne = 0;
    for (a = 0; a < BIG_N; a++)
        for (b = a + 1; b < BIG_N; b++) {
            eg_edge *ed;
            if (!seen[a][b])
                continue;
            ed = &big_edges[ne];
            memset(ed, 0, sizeof *ed);
            ed->a = (uint32_t)a;
            ed->b = (uint32_t)b;
            ed->count = 1 + lcg() % 3 + (big_nodes[a].mentions + big_nodes[b].mentions) / 60;
            ed->docs = (uint32_t)(ed->count / 2 + 1);
            ed->weight = (double)ed->count;
            snprintf(big_snip[ne], sizeof big_snip[ne], "%.40s met %.40s", big_labels[a], big_labels[b]);
            big_ev[ne].doc = "big.txt";
            big_ev[ne].start = ne * 100;
            big_ev[ne].end = ne * 100 + 50;
            big_ev[ne].snippet = big_snip[ne];
            ed->ev = &big_ev[ne];
            ed->nev = 1;
            big_nodes[a].degree++;
            big_nodes[b].degree++;
            ne++;
        }
    v.nodes = big_nodes;
    v.nnodes = BIG_N;
    v.edges = big_edges;
    v.nedges = ne;
    v.ndocs = 100;
    return v;
}

/* ---- random hostile labels (a property test: tests/consumers.py checks
 * that each survives every format) ---- */

#define RND_N 40
static eg_node rnd_nodes[RND_N];
static char rnd_ids[RND_N][16], rnd_labels[RND_N][1200], rnd_snips[RND_N * 4][400];
static eg_alias_seen rnd_aliases[RND_N];
static eg_edge rnd_edges[RND_N * 4];
static eg_evidence rnd_ev[RND_N * 4];

/* Appends random hostile text of up to max-1 bytes to buf. */
static void rnd_text(char *buf, size_t max, size_t len)
{
    static const char *const pieces[] = {
        "\\", "\\", "\\n", "\"", "'", "<", ">", "&", "&amp;", "]]>", "--", "\n", "\r", "\r\n", "\t", "\x01",
        "\x1f", "\x7f", " ", "  ", ",", ";", "{", "}", "[", "]", "=", "#", "%", "\\N", "\\G", "\\l",
        "é", "Élysée", "ß", "ı", "\xc2\x85", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xbb\xbf", "😀", "𝔘", "中文",
        "\xe2\x80\xae", "a", "b", "Z", "0", "9", "node", "graph", "x\\", "<![CDATA[", "<!--", "&#0;", "\\\""};
    size_t n = 0, np = sizeof pieces / sizeof pieces[0];
    buf[0] = 0;
    while (n < len) {
        const char *p = pieces[lcg() % np];
        size_t k = strlen(p);
        if (n + k + 1 > max)
            break;
        memcpy(buf + n, p, k + 1);
        n += k;
    }
}

static eg_gview make_random(uint32_t seed)
{
    eg_gview v = make_view();
    static unsigned char seen[RND_N][RND_N];
    size_t i, ne = 0, a, b;
    lcg_state = seed;
    memset(seen, 0, sizeof seen);
    for (i = 0; i < RND_N; i++) {
        eg_node *n = &rnd_nodes[i];
        memset(n, 0, sizeof *n);
        snprintf(rnd_ids[i], sizeof rnd_ids[i], "r%03zu", i);
        /* lengths around cgraph's 128-byte line split, and longer */
        rnd_text(rnd_labels[i], sizeof rnd_labels[i], i % 4 == 0 ? 1 + lcg() % 20 : 100 + lcg() % 300);
        rnd_aliases[i].text = rnd_labels[i];
        rnd_aliases[i].count = 1 + lcg() % 9;
        n->id = rnd_ids[i];
        n->label = rnd_labels[i];
        n->type = (eg_type)(lcg() % EG_NTYPES);
        n->mentions = 1 + lcg() % 50;
        n->docs = 1 + (uint32_t)(lcg() % 5);
        n->ambiguous = lcg() % 5 == 0;
        n->aliases = &rnd_aliases[i];
        n->naliases = 1;
    }
    for (i = 0; i < RND_N * 3; i++) {
        a = lcg() % RND_N;
        b = lcg() % RND_N;
        if (a != b)
            seen[a < b ? a : b][a < b ? b : a] = 1;
    }
    for (a = 0; a < RND_N; a++)
        for (b = a + 1; b < RND_N && ne < RND_N * 4; b++) {
            eg_edge *ed = &rnd_edges[ne];
            if (!seen[a][b])
                continue;
            memset(ed, 0, sizeof *ed);
            ed->a = (uint32_t)a;
            ed->b = (uint32_t)b;
            ed->count = 1 + lcg() % 30;
            ed->docs = 1;
            ed->weight = (double)(lcg() % 2000000) / 1000000.0 - 1.0; /* npmi-like, [-1, 1) */
            rnd_text(rnd_snips[ne], sizeof rnd_snips[ne], lcg() % 300);
            rnd_ev[ne].doc = rnd_labels[a];
            rnd_ev[ne].start = lcg();
            rnd_ev[ne].end = rnd_ev[ne].start + lcg() % 500;
            rnd_ev[ne].snippet = rnd_snips[ne];
            ed->ev = &rnd_ev[ne];
            ed->nev = 1;
            ne++;
        }
    opts.weight = EG_WEIGHT_NPMI;
    v.weight_name = "npmi";
    v.nodes = rnd_nodes;
    v.nnodes = RND_N;
    v.edges = rnd_edges;
    v.nedges = ne;
    return v;
}

static int write_to(const char *dir, int which, uint32_t seed)
{
    eg_gview v = which == 1 ? make_empty() : which == 2 ? make_big() : which == 3 ? make_random(seed) : make_view();
    eg_err e = {0};
    if (eg_write_all(&v, dir, ALL_FORMATS, &e)) {
        fprintf(stderr, "test_writers: %s\n", e.msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write-to"))
        return write_to(argv[2], 0, 0);
    if (argc == 3 && !strcmp(argv[1], "--write-empty-to"))
        return write_to(argv[2], 1, 0);
    if (argc == 3 && !strcmp(argv[1], "--write-big-to"))
        return write_to(argv[2], 2, 0);
    if (argc == 4 && !strcmp(argv[1], "--write-random-to"))
        return write_to(argv[2], 3, (uint32_t)strtoul(argv[3], NULL, 10));
    test_helpers();
    test_fast_escapes();
    test_write_and_compare();
    test_empty();
    test_failures();
    return tap_done();
}

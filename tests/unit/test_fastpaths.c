/*
 * test_fastpaths.c — the speed-ups of the hash, the lexicon and the rules
 * engine give the same answers as the plain way:
 *  - eg_hash: short keys never collide, the tokenizer's register hash
 *    (eg_hash_le8) is eg_hash, and the values are pinned (the same on every
 *    platform and run);
 *  - lexicon filters: no word that was added is missed; eg_lex_may_end and
 *    eg_lex_has_tail agree with the plain lookups;
 *  - rules prechecks: the shipped rules find the same candidates on the
 *    sample articles with prechecks on and off (every pattern given a
 *    prefix that matches the empty string but hides where its named group
 *    starts; group-0 rules keep theirs), and again on a second run with the
 *    thread's caches warm;
 *  - loading: eg_tokenize_words gives what eg_normalise + eg_tokenize give
 *    (every alias of the bundled gazetteers, and strings near its edge), a
 *    word-list line that is one plain word is found like any other, and
 *    eg_ctx_load_dir loads the same on one thread and on three, and
 *    reports the same (first) failing file;
 *  - eg_side: a job beside the calling thread has run when eg_side_join
 *    returns, on a thread or (not allowed one) inline.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "match.h"
#include "tap.h"

#ifndef EG_DATADIR
#define EG_DATADIR "gazetteers"
#endif

static void test_hash(void)
{
    /* every key of 1-3 lower-case letters, and some of 4-8: no collisions */
    static uint64_t hs[18278 + 4000];
    size_t n = 0, i, j, collide = 0, le8_bad = 0;
    char k[9];
    int a, b, c;
    for (a = 'a'; a <= 'z'; a++) {
        k[0] = (char)a;
        hs[n++] = eg_hash(k, 1);
        for (b = 'a'; b <= 'z'; b++) {
            k[1] = (char)b;
            hs[n++] = eg_hash(k, 2);
            for (c = 'a'; c <= 'z'; c++) {
                k[2] = (char)c;
                hs[n++] = eg_hash(k, 3);
            }
        }
    }
    for (i = 0; i < 4000; i++) {
        size_t len = 4 + i % 5, q;
        for (q = 0; q < len; q++)
            k[q] = (char)('a' + (i * 7 + q * 13 + (i >> q)) % 26);
        k[len - 1] = (char)('0' + i % 10);
        k[0] = (char)('a' + i / 160 % 26);
        k[1] = (char)('a' + i / 10 % 16);
        hs[n++] = eg_hash(k, len);
    }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n && j < i + 4000; j++)
            collide += hs[i] == hs[j];
    EQ_INT(collide, 0, "eg_hash: no collisions among short keys");
    for (i = 1; i <= 8; i++) {
        uint64_t v = 0;
        for (j = 0; j < i; j++) {
            k[j] = (char)('a' + (i * 3 + j) % 26);
            v |= (uint64_t)(unsigned char)k[j] << (8 * j);
        }
        le8_bad += eg_hash_le8(v, i) != eg_hash(k, i);
    }
    EQ_INT(le8_bad, 0, "eg_hash_le8 is eg_hash of the key's little-endian value");
    OK(eg_hash("iran", 4) == eg_hash("iran", 4) && eg_hash("iran", 4) != eg_hash("Iran", 4),
       "eg_hash: deterministic and case-sensitive");
    /* pinned: a change here changes no output, but should be deliberate
     * (hashes are the same on every platform) */
    OK(eg_hash("", 0) == 0x0000000000000000ull, "eg_hash pinned: empty key");
    OK(eg_hash("iran", 4) == 0x18b1bc5ee05aa322ull, "eg_hash pinned: \"iran\" (got %016llx)",
       (unsigned long long)eg_hash("iran", 4));
    OK(eg_hash("mojahedin", 9) == 0xa72324fa53a7323bull, "eg_hash pinned: \"mojahedin\" (got %016llx)",
       (unsigned long long)eg_hash("mojahedin", 9));
    OK(eg_hash("people's mojahedin organization of iran", 39) == eg_hash("people's mojahedin organization of iran", 39),
       "eg_hash: long keys");
}

static void test_lex(void)
{
    eg_lex x;
    eg_buf b = {0};
    char w[32];
    size_t i, missed = 0, tail_bad = 0, end_missed = 0;
    memset(&x, 0, sizeof x);
    for (i = 0; i < 20000; i++) {
        int n = snprintf(w, sizeof w, "w%zux%zu", i * 2654435761u % 100003, i);
        eg_lex_add(&x, EG_LEX_COMMON, w, (size_t)n);
    }
    for (i = 0; i < 20000; i++) {
        int n = snprintf(w, sizeof w, "w%zux%zu", i * 2654435761u % 100003, i);
        eg_buf_reset(&b);
        eg_fold_key(&b, w, (size_t)n);
        missed += !eg_lex_has(&x, EG_LEX_COMMON, eg_hash(b.p, b.len));
        end_missed += !eg_lex_may_end(&x, EG_LEX_COMMON, eg_hash(b.p, b.len));
    }
    EQ_INT(missed, 0, "lex: the filter misses no word that was added (20,000 words)");
    EQ_INT(end_missed, 0, "lex: eg_lex_may_end holds for every single word");
    eg_lex_add(&x, EG_LEX_TITLE, "Prime Minister", 14);
    eg_lex_add(&x, EG_LEX_TITLE, "Secretary of State", 18);
    eg_lex_add(&x, EG_LEX_TITLE, "Gen.", 4);
    {
        static const char *const words[] = {"minister", "state", "gen", "prime", "secretary", "of", "general", "x"};
        for (i = 0; i < sizeof words / sizeof words[0]; i++) {
            uint64_t h = eg_hash(words[i], strlen(words[i]));
            tail_bad += eg_lex_has_tail(&x, EG_LEX_TITLE, h) != eg_lex_has(&x, EG_LEX_TITLE, eg_lex_tail_hash(h));
        }
    }
    EQ_INT(tail_bad, 0, "lex: eg_lex_has_tail is eg_lex_has of the tail marker");
    OK(eg_lex_may_end(&x, EG_LEX_TITLE, eg_hash("minister", 8)) && eg_lex_may_end(&x, EG_LEX_TITLE, eg_hash("gen", 3)),
       "lex: the last word of a phrase and a word alone may end an entry");
    OK(!eg_lex_may_end(&x, EG_LEX_GIVEN, eg_hash("minister", 8)), "lex: an empty list ends nothing");
    eg_lex_free(&x);
    eg_lex_free(&x);
    eg_buf_free(&b);
}

/* The shipped rules files with a prefix that matches the empty string put
 * before every pattern: it hides where the rule's group starts, so no rule
 * has prechecks. */
static char *without_prechecks(const char *text, size_t len, size_t *outlen)
{
    eg_buf o = {0};
    size_t pos = 0;
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) + 1 : len - pos, f = 0, i = 0;
        pos += n;
        if (n && s[0] != '#' && s[0] != '@' && s[0] != ' ' && s[0] != '\t' && s[0] != '\n') {
            /* after the fifth run of tabs comes the pattern */
            while (i < n && f < 5) {
                if (s[i] == '\t') {
                    while (i < n && s[i] == '\t')
                        i++;
                    f++;
                } else {
                    i++;
                }
            }
            if (f == 5) {
                eg_buf_add(&o, s, i);
                eg_buf_adds(&o, "(?:(?!))?");
                eg_buf_add(&o, s + i, n - i);
                continue;
            }
        }
        eg_buf_add(&o, s, n);
    }
    *outlen = o.len;
    return o.p;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const eg_cand *a = pa, *b = pb;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    if (a->t1 != b->t1)
        return a->t1 < b->t1 ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return 0;
}

static void test_prechecks(void)
{
    static const char *const files[] = {"event.rules", "org.rules", "person.rules", "place.rules"};
    static const struct {
        int list;
        const char *file;
    } lists[] = {{EG_LEX_GIVEN, "given-names.txt"}, {EG_LEX_SURNAME, "surnames.txt"},
                 {EG_LEX_COMMON, "common-words.txt"}, {EG_LEX_TITLE, "titles.txt"}};
    eg_rules *on = eg_rules_new(), *off = eg_rules_new();
    eg_rules_scratch *son = NULL, *soff = NULL;
    eg_lex lex;
    eg_err e = {0};
    char path[512];
    size_t i, docs = 0, cands = 0, differ = 0;
    int ok = 1;
    DIR *dir;
    struct dirent *de;
    memset(&lex, 0, sizeof lex);
    for (i = 0; i < sizeof lists / sizeof lists[0] && ok; i++) {
        snprintf(path, sizeof path, "%s/%s", EG_DATADIR, lists[i].file);
        ok = eg_lex_load(&lex, lists[i].list, path, &e) == EG_OK;
    }
    for (i = 0; i < sizeof files / sizeof files[0] && ok; i++) {
        char *buf = NULL, *alt;
        size_t len = 0, alen;
        snprintf(path, sizeof path, "%s/%s", EG_DATADIR, files[i]);
        ok = eg_read_file(path, &buf, &len, &e) == EG_OK && eg_rules_load_string(on, path, buf, len, &e) == EG_OK;
        if (ok) {
            alt = without_prechecks(buf, len, &alen);
            ok = eg_rules_load_string(off, path, alt, alen, &e) == EG_OK;
            eg_free(alt);
        }
        eg_free(buf);
    }
    if (!OK(ok, "shipped rules and word lists load both ways (%s)", e.msg))
        goto out;
    EQ_INT(eg_rules_count(on), eg_rules_count(off), "same number of rules");
    son = eg_rules_scratch_new(on);
    soff = eg_rules_scratch_new(off);
    if (!(dir = opendir("corpus/seeds"))) {
        OK(1, "# SKIP corpus/seeds not found (run from the top of the tree)");
        goto out;
    }
    while ((de = readdir(dir))) {
        char *buf = NULL;
        size_t len = 0;
        eg_doc d;
        eg_cands a = {0}, b = {0};
        if (!strstr(de->d_name, ".txt"))
            continue;
        snprintf(path, sizeof path, "corpus/seeds/%s", de->d_name);
        eg_doc_init(&d);
        /* twice with the same scratch: the per-thread caches carry over */
        if (eg_read_file(path, &buf, &len, &e) == EG_OK && eg_text_prepare(&d, path, buf, len, &e) == EG_OK &&
            eg_rules_match(on, son, &lex, &d, &a, NULL, NULL, &e) == EG_OK &&
            eg_rules_match(off, soff, &lex, &d, &b, NULL, NULL, &e) == EG_OK) {
            a.n = 0;
            if (eg_rules_match(on, son, &lex, &d, &a, NULL, NULL, &e) != EG_OK)
                differ++;
            qsort(a.v, a.n, sizeof *a.v, cand_cmp);
            qsort(b.v, b.n, sizeof *b.v, cand_cmp);
            differ += a.n != b.n;
            for (i = 0; i < a.n && i < b.n; i++)
                differ += cand_cmp(&a.v[i], &b.v[i]) != 0 || a.v[i].flags != b.v[i].flags;
            cands += a.n;
            docs++;
        } else {
            differ++;
        }
        eg_free(a.v);
        eg_free(b.v);
        eg_doc_free(&d);
        eg_free(buf);
    }
    closedir(dir);
    OK(docs >= 5 && cands > 100, "rules ran on the sample articles (%zu documents, %zu candidates)", docs, cands);
    EQ_INT(differ, 0, "same candidates with prechecks on and off");
out:
    eg_rules_scratch_free(son);
    eg_rules_scratch_free(soff);
    eg_rules_free(on);
    eg_rules_free(off);
    eg_lex_free(&lex);
}

/* Token arrays of two tokenised strings, compared field by field. */
static int same_tokens(const eg_doc *a, const eg_doc *b)
{
    size_t i;
    if (a->ntok != b->ntok || a->len != b->len || memcmp(a->text, b->text, a->len) != 0)
        return 0;
    for (i = 0; i < a->ntok; i++) {
        const eg_token *x = &a->tok[i], *y = &b->tok[i];
        if (x->s != y->s || x->e != y->e || x->key != y->key || x->klen != y->klen || x->h != y->h ||
            x->kind != y->kind || x->flags != y->flags || memcmp(a->keys + x->key, b->keys + y->key, x->klen + 1))
            return 0;
    }
    return 1;
}

/* Tokenises s both ways; counts strings the light entry took and those
 * where the two differ. */
static void words_vs_full(eg_doc *a, eg_doc *b, const char *s, size_t n, size_t *light, size_t *differ)
{
    eg_err e = {0};
    int r = eg_tokenize_words(a, "t", s, n, &e);
    if (r != 1)
        return;
    ++*light;
    if (eg_normalise(b, "t", s, n, &e) || eg_tokenize(b, &e) || !same_tokens(a, b))
        ++*differ;
}

static void test_tokenize_words(void)
{
    static const char *const edge[] = {"A",     "I",      "IBM",    "McDonald", "x y z",    "Mr Smith",
                                       "Abc  d", " abc",  "abc ",   "a-b",      "O'Neil",   "St. Louis",
                                       "U.S.",  "Zoë",    "AB CD",  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"};
    const char *files[] = {"people.tsv", "orgs.tsv", "places-cities.tsv", "events.tsv"};
    eg_doc a, b;
    size_t i, light = 0, differ = 0, taken = 0;
    eg_doc_init(&a);
    eg_doc_init(&b);
    for (i = 0; i < sizeof edge / sizeof edge[0]; i++)
        words_vs_full(&a, &b, edge[i], strlen(edge[i]), &taken, &differ);
    EQ_INT(taken, 8, "tokenize_words: takes plain letter words only");
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512], *buf = NULL, *p, *save = NULL;
        size_t len;
        eg_err e = {0};
        snprintf(path, sizeof path, "%s/%s", EG_DATADIR, files[i]);
        if (eg_read_file(path, &buf, &len, &e))
            continue;
        /* every tab- or '|'-separated field of every line: aliases, and
         * some other strings besides */
        for (p = strtok_r(buf, "\t|\n", &save); p; p = strtok_r(NULL, "\t|\n", &save)) {
            while (*p == ' ')
                p++;
            words_vs_full(&a, &b, p, strcspn(p, "\r"), &light, &differ);
            {
                size_t n = strlen(p);
                while (n && p[n - 1] == ' ')
                    n--;
                words_vs_full(&a, &b, p, n, &light, &differ);
            }
        }
        eg_free(buf);
    }
    OK(light > 10000, "tokenize_words: takes most aliases (%zu)", light);
    EQ_INT(differ, 0, "tokenize_words: the same tokens as eg_normalise + eg_tokenize");
    eg_doc_free(&a);
    eg_doc_free(&b);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "w"))) {
        fputs(text, f);
        fclose(f);
    }
}

/* Loads dir with n threads; the error message ("" when it loads). */
static eg_ctx *load_with(const char *dir, unsigned n, char *msg, size_t msgn)
{
    eg_ctx *c = eg_ctx_new(NULL);
    eg_ctx_set_threads(c, n);
    snprintf(msg, msgn, "%s", eg_ctx_load_dir(c, dir) ? eg_ctx_error(c) : "");
    return c;
}

static void test_load_threads(void)
{
    char dir[] = "/tmp/eg_ctx_XXXXXX", m1[600], m3[600], path[600];
    eg_ctx *c1, *c3;
    uint64_t h;
    if (!mkdtemp(dir)) {
        OK(0, "load: mkdtemp");
        return;
    }
    c1 = load_with(EG_DATADIR, 1, m1, sizeof m1);
    c3 = load_with(EG_DATADIR, 3, m3, sizeof m3);
    EQ_STR(m3, m1, "load: the bundled data loads on three threads");
    EQ_INT(eg_gaz_entry_count(c3->gaz), eg_gaz_entry_count(c1->gaz), "load: the same entries");
    EQ_INT(eg_gaz_alias_count(c3->gaz), eg_gaz_alias_count(c1->gaz), "load: the same aliases");
    EQ_STR(eg_gaz_entry_at(c3->gaz, 1000)->label, eg_gaz_entry_at(c1->gaz, 1000)->label, "load: in the same order");
    h = eg_hash("smith", 5);
    OK(eg_lex_has(&c3->lex, EG_LEX_SURNAME, h) && eg_lex_has(&c1->lex, EG_LEX_SURNAME, h),
       "load: a plain word-list word is found");
    EQ_INT(eg_rules_count(c3->rules), eg_rules_count(c1->rules), "load: the same rules");
    eg_ctx_free(c1);
    eg_ctx_free(c3);

    /* three broken files: the first in name order is reported */
    write_file(dir, "a.tsv", "a\tPLACE\tA\n");
    write_file(dir, "b.rules", "broken rule line\n");
    write_file(dir, "c.tsv", "c\tTHING\tC\n");
    write_file(dir, "surnames.txt", "ok\n\xff\n");
    c1 = load_with(dir, 1, m1, sizeof m1);
    c3 = load_with(dir, 3, m3, sizeof m3);
    OK(*m1 != 0, "load: a broken directory fails (%s)", m1);
    EQ_STR(m3, m1, "load: on three threads, the same file and message");
    eg_ctx_free(c1);
    eg_ctx_free(c3);
    snprintf(path, sizeof path, "%s/b.rules", dir);
    unlink(path);
    c1 = load_with(dir, 1, m1, sizeof m1);
    c3 = load_with(dir, 2, m3, sizeof m3);
    OK(strstr(m1, "c.tsv") != NULL, "load: then the next one (%s)", m1);
    EQ_STR(m3, m1, "load: on two threads too");
    eg_ctx_free(c1);
    eg_ctx_free(c3);
    write_file(dir, "c.tsv", "c\tPLACE\tC\n");
    c1 = load_with(dir, 1, m1, sizeof m1);
    c3 = load_with(dir, 2, m3, sizeof m3);
    OK(strstr(m1, "surnames.txt:2: invalid UTF-8") != NULL, "load: and the word list (%s)", m1);
    EQ_STR(m3, m1, "load: the word list on two threads too");
    eg_ctx_free(c1);
    eg_ctx_free(c3);
    {
        const char *names[] = {"a.tsv", "c.tsv", "surnames.txt"};
        size_t i;
        for (i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            unlink(path);
        }
    }
    rmdir(dir);
}

static void *bump(void *arg)
{
    (*(int *)arg)++;
    return NULL;
}

static void test_side(void)
{
    eg_side s;
    int x = 0;
    eg_side_start(&s, 0, bump, &x);
    OK(!s.started && x == 0, "not allowed: no thread, the job waits for eg_side_join");
    eg_side_join(&s);
    EQ_INT(x, 1, "... and runs there");
    eg_side_start(&s, 1, bump, &x);
    eg_side_join(&s);
    EQ_INT(x, 2, "allowed: the job has run when eg_side_join returns");
}

int main(void)
{
    test_hash();
    test_lex();
    test_prechecks();
    test_tokenize_words();
    test_load_threads();
    test_side();
    return tap_done();
}

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
 *    thread's caches warm.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    test_hash();
    test_lex();
    test_prechecks();
    return tap_done();
}

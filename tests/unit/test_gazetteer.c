/*
 * test_gazetteer.c — the gazetteer loader and matcher: case policy,
 * folding of accents, dashes and dotted acronyms, possessives, longest
 * match, ambiguous aliases, and loader errors with file:line.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match.h"
#include "tap.h"

static eg_gaz *gz;
static eg_doc doc;
static eg_cands cands;

static void add(const char *id, eg_type t, const char *label, const char *alias, uint16_t flags)
{
    eg_err e = {0};
    if (eg_gaz_add(gz, id, t, label, alias, 0, flags, &e))
        printf("# add %s: %s\n", alias, e.msg);
}

/* Matches text; returns "surface=id;..." for every candidate. */
static const char *match(const char *text)
{
    static char out[2048];
    eg_err e = {0};
    size_t i;
    out[0] = 0;
    cands.n = 0;
    if (eg_text_prepare(&doc, "t", text, strlen(text), &e) || eg_gaz_match(gz, &doc, &cands, &e))
        return "error";
    for (i = 0; i < cands.n; i++) {
        const eg_cand *c = &cands.v[i];
        size_t s = doc.tok[c->t0].s, en = doc.tok[c->t1 - 1].e, n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%.*s=%s", n ? ";" : "", (int)(en - s), doc.text + s,
                 eg_gaz_entry_at(gz, c->entry)->id);
    }
    return out;
}

static void test_case_policy(void)
{
    EQ_STR(match("The US said so."), "US=united-states", "US in capitals matches");
    EQ_STR(match("Tell us what you want."), "", "\"us\" never matches US");
    EQ_STR(match("Who is the WHO?"), "WHO=who", "\"Who\" does not match WHO; WHO does");
    EQ_STR(match("US-made drones"), "US=united-states", "US-made: US matches, the span stops at the hyphen");
    EQ_STR(match("The U.S. Army"), "U.S.=united-states", "U.S. matches the alias US");
    EQ_STR(match("Officials in the U.S.A. and the USA"), "U.S.A.=united-states;USA=united-states",
           "dotted and plain acronyms are equal");
    EQ_STR(match("iran and albania"), "", "capitalised names do not match lower-case text by default");
    EQ_STR(match("the iran-iraq war"), "", "a lower-case occurrence of a capitalised name does not match");
    EQ_STR(match("the Iran-iraq war"), "Iran=iran", "only the last word of a name may be lower-case");
    EQ_STR(match("IRAN and Albania"), "IRAN=iran;Albania=albania", "all-capital text matches a capitalised name");
    EQ_STR(match("the coronavirus pandemic"), "coronavirus pandemic=covid-19-pandemic",
           "an entry with `lower` matches lower case");
    EQ_STR(match("NEWSWEEK and Newsweek"), "Newsweek=newsweek", "an `=` alias matches its exact case only");
}

static void test_folding(void)
{
    EQ_STR(match("at the Elysée Palace"), "Elysée Palace=elysee-palace", "accented text matches");
    EQ_STR(match("at the Elysee Palace"), "Elysee Palace=elysee-palace", "unaccented text matches an accented alias");
    EQ_STR(match("the Iran–Iraq war"), "Iran-Iraq war=iran-iraq-war", "en dash equals hyphen (clean text shows -)");
    EQ_STR(match("the Iran-Iraq war"), "Iran-Iraq war=iran-iraq-war", "hyphen");
    EQ_STR(match("the Iran Iraq war"), "Iran Iraq war=iran-iraq-war", "space equals hyphen");
    EQ_STR(match("the Mojahedin-e-Khalq and Mojahedin-e Khalq"),
           "Mojahedin-e-Khalq=mek;Mojahedin-e Khalq=mek", "hyphen/space variants of one name");
    EQ_STR(match("Zarif’s visit"), "Zarif=mohammad-javad-zarif", "a possessive stays outside the span");
    EQ_STR(match("People’s Mojahedin Organization of Iran (PMOI)"),
           "People's Mojahedin Organization of Iran=mek;Iran=iran;PMOI=mek",
           "typographic apostrophe equals the alias's straight one; longest match from each token");
}

static void test_longest_and_ambiguous(void)
{
    const char *m = match("Camp Ashraf 3 is not Camp Ashraf.");
    EQ_STR(m, "Camp Ashraf 3=camp-ashraf-3;Ashraf=camp-ashraf;Ashraf=ashraf-person;Camp Ashraf=camp-ashraf;Ashraf=camp-ashraf;Ashraf=ashraf-person",
           "longest match at each token; an ambiguous alias gives every candidate");
    EQ_STR(match("Georgia"), "Georgia=georgia;Georgia=georgia-us", "two entries share an alias: both reported");
}

static void test_loader(void)
{
    char path[] = "/tmp/eg_gaz_XXXXXX";
    int fd = mkstemp(path);
    eg_gaz *g2 = eg_gaz_new();
    eg_err e = {0};
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nx\tPLACE\tX Land\tXland | X-Land\tprio=5\n"
          "x\tPLACE\tX Land\tExland | Xland\n"
          "y\tORG\tY Org\n",
          f);
    fclose(f);
    EQ_INT(eg_gaz_load(g2, path, &e), EG_OK, "a good file loads");
    EQ_INT(eg_gaz_entry_count(g2), 2, "the same id on two lines is one entry");
    EQ_INT(eg_gaz_entry_at(g2, 0)->prio, 5, "options are read");
    eg_gaz_free(g2);

#define BAD(content, want)                                                                                   \
    do {                                                                                                     \
        FILE *b = fopen(path, "w");                                                                          \
        eg_gaz *g3 = eg_gaz_new();                                                                           \
        eg_err e3 = {0};                                                                                     \
        char w[256];                                                                                         \
        fputs(content, b);                                                                                   \
        fclose(b);                                                                                           \
        OK(eg_gaz_load(g3, path, &e3) == EG_EDATA, "bad file fails: %s", want);                              \
        snprintf(w, sizeof w, "%s:%s", path, want);                                                          \
        OK(strncmp(e3.msg, w, strlen(w)) == 0, "message '%s' starts with '%s'", e3.msg, w);                  \
        eg_gaz_free(g3);                                                                                     \
    } while (0)
    BAD("a\tPLACE\tA\n\nb\tTHING\tB\n", "3: bad type");
    BAD("a\tPLACE\tA\tA1 |  | A2\n", "1: empty alias");
    BAD("a\tPLACE\tA\na\tORG\tA\n", "2: duplicate id 'a' with conflicting type");
    BAD("a\tPLACE\tA\xff\n", "1: invalid UTF-8");
    BAD("just-one-column\n", "1: want id, TYPE");
    BAD("a\tPLACE\tA\tA\tprio=1000\n", "1: bad priority");
    unlink(path);
}

/* A large dictionary: every alias still matches, and the trie stays exact. */
static void test_many(void)
{
    eg_gaz *g2 = eg_gaz_new();
    eg_gaz *save = gz;
    eg_err e = {0};
    char id[32], alias[64];
    int i, bad = 0;
    for (i = 0; i < 20000 && !bad; i++) {
        snprintf(id, sizeof id, "e%d", i);
        snprintf(alias, sizeof alias, "Name%d Surname%d", i % 977, i);
        bad = eg_gaz_add(g2, id, EG_PERSON, alias, alias, 0, 0, &e) != EG_OK;
    }
    OK(!bad, "20000 aliases load");
    gz = g2;
    EQ_STR(match("and Name3 Surname12704 said"), "Name3 Surname12704=e12704", "one of many aliases matches");
    EQ_STR(match("and Name3 Surname12705 said"), "", "a near miss does not");
    gz = save;
    eg_gaz_free(g2);
}

/* A random text of 1-12 words from a small pool, each as written, in
 * lower case or in capitals, joined by spaces, hyphens and punctuation. */
static void rand_text(char *text, size_t cap, unsigned *seed)
{
    static const char *words[] = {"Alpha", "Beta", "Gamma", "Delta", "Theta", "IOTA", "Kappa", "Lambda",
                                  "Mu",    "Nu",   "Xi",    "the",   "of",    "Omicron", "Pi", "Rho"};
    static const char *seps[] = {" ", " ", " ", "-", " - ", ", ", ". ", " (", ") ", "'s "};
    size_t n = 0, j, start;
    int k, nw = 1 + (int)((*seed = *seed * 1103515245u + 12345u) >> 16) % 12;
    for (k = 0; k < nw; k++) {
        unsigned r = (*seed = *seed * 1103515245u + 12345u) >> 8;
        start = n;
        n += (size_t)snprintf(text + n, cap - n, "%s", words[r % 16]);
        for (j = start; j < n; j++)
            if ((r >> 4) % 5 == 0)
                text[j] = (char)(text[j] | 0x20);
            else if ((r >> 4) % 5 == 1)
                text[j] = (char)(text[j] & ~0x20);
        if (k + 1 < nw)
            n += (size_t)snprintf(text + n, cap - n, "%s", seps[(r >> 8) % 10]);
    }
}

/* The sealed matcher (first-word cells, byte table of lower-case first
 * words, pair filter, root table) finds exactly what the plain trie walk
 * finds: the same random texts matched before and after sealing. */
static void test_sealed_same(void)
{
    eg_gaz *g2 = eg_gaz_new(), *save = gz;
    eg_err e = {0};
    char *before[3000], text[512];
    unsigned seed = 12345;
    int i, differ = 0, found = 0;
    static const struct {
        const char *id, *alias;
        uint16_t flags;
    } al[] = {
        {"ab", "Alpha Beta", 0},             /* two words, the first no alias alone */
        {"abg", "Alpha Beta Gamma", 0},      /* longer */
        {"abgd", "Alpha Beta Gamma Delta", 0},
        {"a", "Alpha", 0},                   /* the first word alone too */
        {"gd", "~gamma delta", 0},           /* any case */
        {"th", "=Theta", 0},                 /* exact case */
        {"io", "IOTA", 0},                   /* acronym */
        {"kl", "kappa lambda", EG_GE_LOWER}, /* lower-case first word */
        {"mu", "Mu", 0},
        {"mn", "Mu-Nu", 0},                  /* "Mu Nu" and "Mu-Nu" */
        {"mnx", "Mu Nu Xi", 0},
        {"om", "the Omicron", 0},            /* lower-case first word, no alias alone */
        {"pr", "Pi of Rho", 0},
        {"p2", "Pi of Rho", 0},              /* two entries, one alias */
        {"xi", "Xi", EG_GE_LOWER},
        {"b", "Beta", 0},
    };
    for (i = 0; i < (int)(sizeof al / sizeof al[0]); i++)
        if (eg_gaz_add(g2, al[i].id, EG_ORG, al[i].alias, al[i].alias, 0, al[i].flags, &e))
            printf("# add %s: %s\n", al[i].alias, e.msg);
    gz = g2;
    for (i = 0; i < 3000; i++) {
        rand_text(text, sizeof text, &seed);
        before[i] = strdup(match(text));
        found += before[i][0] != 0;
    }
    EQ_INT(eg_gaz_seal(g2), EG_OK, "seal");
    seed = 12345;
    for (i = 0; i < 3000; i++) {
        rand_text(text, sizeof text, &seed);
        if (strcmp(before[i], match(text)) && differ++ < 3)
            printf("# '%s': unsealed '%s', sealed '%s'\n", text, before[i], match(text));
        free(before[i]);
    }
    OK(found > 1000, "the random texts find aliases (%d of 3000)", found);
    EQ_INT(differ, 0, "sealed and unsealed matchers agree on 3000 random texts");
    gz = save;
    eg_gaz_free(g2);
}

int main(void)
{
    gz = eg_gaz_new();
    eg_doc_init(&doc);
    add("united-states", EG_PLACE, "United States", "United States", 0);
    add("united-states", EG_PLACE, "United States", "US", 0);
    add("united-states", EG_PLACE, "United States", "USA", 0);
    add("who", EG_ORG, "World Health Organization", "WHO", 0);
    add("iran", EG_PLACE, "Iran", "Iran", 0);
    add("albania", EG_PLACE, "Albania", "Albania", 0);
    add("elysee-palace", EG_PLACE, "Elysée Palace", "Elysée Palace", 0);
    add("iran-iraq-war", EG_EVENT, "Iran–Iraq War", "Iran-Iraq War", 0);
    add("mek", EG_ORG, "MEK", "Mojahedin-e Khalq", 0);
    add("mek", EG_ORG, "MEK", "People's Mojahedin Organization of Iran", 0);
    add("mek", EG_ORG, "MEK", "PMOI", 0);
    add("mohammad-javad-zarif", EG_PERSON, "Mohammad Javad Zarif", "Zarif", 0);
    add("covid-19-pandemic", EG_EVENT, "COVID-19 pandemic", "Coronavirus Pandemic", EG_GE_LOWER);
    add("newsweek", EG_ORG, "Newsweek", "=Newsweek", 0);
    add("camp-ashraf", EG_PLACE, "Camp Ashraf", "Camp Ashraf", 0);
    add("camp-ashraf", EG_PLACE, "Camp Ashraf", "Ashraf", 0);
    add("camp-ashraf-3", EG_PLACE, "Camp Ashraf 3", "Camp Ashraf 3", 0);
    add("ashraf-person", EG_PERSON, "Ashraf", "Ashraf", 0);
    add("georgia", EG_PLACE, "Georgia", "Georgia", 0);
    add("georgia-us", EG_PLACE, "Georgia (US state)", "Georgia", 0);
    test_case_policy();
    test_folding();
    test_longest_and_ambiguous();
    test_loader();
    test_many();
    test_sealed_same();
    /* the same cases through the sealed matcher */
    EQ_INT(eg_gaz_seal(gz), EG_OK, "seal");
    test_case_policy();
    test_folding();
    test_longest_and_ambiguous();
    eg_gaz_free(gz);
    eg_doc_free(&doc);
    free(cands.v);
    return tap_done();
}

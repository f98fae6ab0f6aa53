/*
 * fuzz_rules.c — fuzz target for the pattern-rules loader and matcher: the
 * input is loaded with eg_rules_load_string; when it loads, every rule is
 * run over a fixed text and over the input itself read as a document, with
 * a small lexicon.
 *
 * Invariants checked: a load either succeeds or fails with EG_EDATA and one
 * line starting "fuzz.rules:<line>:"; matching returns EG_OK; candidates lie
 * inside the document with a known type and rule (rule 0 is the built-in
 * acronym step); warnings are single lines. PCRE2's match limits must keep
 * every input fast: libFuzzer's -timeout reports one that is not.
 */
#include <string.h>

#include "fuzz.h"
#include "match.h"

static const char fixed_text[] =
    "President Maryam Rajavi met Gen. Qassem Soleimani in Tirana, Albania, on Monday.\n"
    "The National Council of Resistance of Iran (NCRI) said the Islamic Revolutionary Guard Corps (IRGC)\n"
    "fired at Camp Ashraf 3 near the Persian Gulf. Mr. John W. Smith Jr. of Acme Holdings Inc. spoke.\n"
    "\n"
    "\"We will return,\" said former MEP Struan Stevenson at Tahrir Square; the Iran-Iraq War ended 1988.\n"
    "Élysée Palace, Øresund Bridge, U.S. State Department, Kerman Province, Lake Urmia ... O'Brien's cat.\n";

static eg_doc fixed;
static eg_lex lex;
static int ready;
static size_t nwarn;

static void on_warn(void *ud, const char *line)
{
    (void)ud;
    FUZZ_CHECK(fuzz_one_line(line), "warning is not one line: '%s'", line);
    nwarn++;
}

static void add_words(int list, const char *const *w)
{
    for (; *w; w++)
        FUZZ_CHECK(eg_lex_add(&lex, list, *w, strlen(*w)) == EG_OK, "eg_lex_add");
}

static void setup(void)
{
    static const char *const given[] = {"Maryam", "Qassem", "John", "Struan", NULL};
    static const char *const surnames[] = {"Rajavi", "Soleimani", "Smith", "Stevenson", "O'Brien", NULL};
    static const char *const common[] = {"the", "said", "on", "in", "at", "of", "we", "will", "monday", NULL};
    static const char *const titles[] = {"president", "gen.", "mr.", "former mep", "prime minister", NULL};
    eg_err e = {0};
    add_words(EG_LEX_GIVEN, given);
    add_words(EG_LEX_SURNAME, surnames);
    add_words(EG_LEX_COMMON, common);
    add_words(EG_LEX_TITLE, titles);
    eg_doc_init(&fixed);
    FUZZ_CHECK(eg_text_prepare(&fixed, "fixed", fixed_text, sizeof fixed_text - 1, &e) == EG_OK, "%s", e.msg);
    ready = 1;
}

static void run(const eg_rules *r, eg_rules_scratch *s, const eg_doc *d)
{
    eg_cands c = {0};
    eg_err e = {0};
    size_t i, n = eg_rules_count(r);
    int rc = eg_rules_match(r, s, &lex, d, &c, on_warn, NULL, &e);
    FUZZ_CHECK(rc == EG_OK, "eg_rules_match returned %d: %s", rc, e.msg);
    for (i = 0; i < c.n; i++) {
        const eg_cand *x = &c.v[i];
        FUZZ_CHECK(x->t0 < x->t1 && x->t1 <= d->ntok, "candidate %zu [%u, %u) of %zu tokens", i, x->t0, x->t1,
                   d->ntok);
        FUZZ_CHECK(x->type < EG_NTYPES, "candidate %zu: type %u", i, x->type);
        FUZZ_CHECK(x->source == EG_SRC_RULE, "candidate %zu: source %u", i, x->source);
        FUZZ_CHECK(x->rule < n || (n == 0 && x->rule == 0), "candidate %zu: rule %u of %zu", i, x->rule, n);
        FUZZ_CHECK(eg_rules_name(r, x->rule) != NULL, "candidate %zu: rule without a name", i);
    }
    eg_free(c.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_rules *r;
    eg_rules_scratch *s;
    eg_err e = {0};
    eg_doc d;
    int rc;
    if (!ready)
        setup();
    FUZZ_CHECK((r = eg_rules_new()) != NULL, "eg_rules_new");
    rc = eg_rules_load_string(r, "fuzz.rules", (const char *)data, size, &e);
    if (rc) {
        FUZZ_CHECK(rc == EG_EDATA, "eg_rules_load_string returned %d: %s", rc, e.msg);
        FUZZ_CHECK(fuzz_one_line(e.msg) && strncmp(e.msg, "fuzz.rules:", 11) == 0 && e.msg[11] >= '1' &&
                       e.msg[11] <= '9',
                   "error message not 'file:line[:column]: reason': '%s'", e.msg);
        eg_rules_free(r);
        return 0;
    }
    FUZZ_CHECK((s = eg_rules_scratch_new(r)) != NULL, "eg_rules_scratch_new");
    run(r, s, &fixed);
    eg_doc_init(&d);
    FUZZ_CHECK(eg_text_prepare(&d, "input", (const char *)data, size, &e) == EG_OK, "%s", e.msg);
    run(r, s, &d);
    eg_doc_free(&d);
    eg_rules_scratch_free(s);
    eg_rules_free(r);
    return 0;
}

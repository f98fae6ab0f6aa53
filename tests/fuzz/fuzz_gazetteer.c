/*
 * fuzz_gazetteer.c — fuzz target for the gazetteer loader and matcher: the
 * input is written to a file and loaded with eg_gaz_load, then matched
 * against a fixed text and against the input itself read as a document.
 *
 * Invariants checked: a load either succeeds or fails with EG_EDATA and one
 * line that starts with the file name ("file:line: reason"); candidates lie
 * inside the document, name an existing entry and carry its type; every
 * entry is found again by its id; and matching before eg_gaz_seal gives
 * exactly the same candidates as after it (the seal only adds filters).
 * A gazetteer whose load failed half-way is still matched: it must be
 * consistent, even if the context would never use it.
 */
#include <string.h>

#include "fuzz.h"
#include "match.h"

static const char fixed_text[] =
    "Maryam Rajavi met officials of the U.S. State Department in Tirana, Albania, on Monday.\n"
    "The National Council of Resistance of Iran (NCRI) said the IRGC fired at Camp Ashraf.\n"
    "In Paris, Mr. Zarif's spokesman denied it: \"Iran-Iraq war veterans\" ... Élysée, Øresund.\n"
    "\n"
    "new york and NEW YORK and New York City; the Who and WHO; Reading, Berkshire.\n";

static eg_doc fixed;
static int ready;

static void check_cands(const eg_gaz *g, const eg_doc *d, const eg_cands *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        const eg_cand *x = &c->v[i];
        const eg_gaz_entry *en = eg_gaz_entry_at(g, x->entry);
        FUZZ_CHECK(x->t0 < x->t1 && x->t1 <= d->ntok, "candidate %zu [%u, %u) of %zu tokens", i, x->t0, x->t1,
                   d->ntok);
        FUZZ_CHECK(x->source == EG_SRC_GAZ, "candidate %zu: source %u", i, x->source);
        FUZZ_CHECK(en != NULL, "candidate %zu: entry %u of %zu", i, x->entry, eg_gaz_entry_count(g));
        FUZZ_CHECK(x->type == en->type && x->type < EG_NTYPES, "candidate %zu: type %u, entry type %d", i, x->type,
                   en->type);
        FUZZ_CHECK(!(d->tok[x->t0].flags & EG_TF_JOINER), "candidate %zu starts at a joiner", i);
    }
}

/* Matches d unsealed (when the gazetteer is not sealed yet) and sealed, and
 * compares. */
static void match_both(eg_gaz *g, const eg_doc *d)
{
    eg_cands a = {0}, b = {0};
    eg_err e = {0};
    FUZZ_CHECK(eg_gaz_match(g, d, &a, &e) == EG_OK, "eg_gaz_match: %s", e.msg);
    check_cands(g, d, &a);
    FUZZ_CHECK(eg_gaz_seal(g) == EG_OK, "eg_gaz_seal failed");
    FUZZ_CHECK(eg_gaz_match(g, d, &b, &e) == EG_OK, "eg_gaz_match: %s", e.msg);
    FUZZ_CHECK(a.n == b.n, "%zu candidates before eg_gaz_seal, %zu after", a.n, b.n);
    FUZZ_CHECK(a.n == 0 || memcmp(a.v, b.v, a.n * sizeof *a.v) == 0, "candidates differ after eg_gaz_seal");
    eg_free(a.v);
    eg_free(b.v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path;
    eg_gaz *g;
    eg_err e = {0};
    eg_doc d;
    size_t i;
    int rc;
    if (!ready) {
        eg_doc_init(&fixed);
        FUZZ_CHECK(eg_text_prepare(&fixed, "fixed", fixed_text, sizeof fixed_text - 1, &e) == EG_OK, "%s", e.msg);
        ready = 1;
    }
    path = fuzz_write_file("fuzz.tsv", data, size);
    FUZZ_CHECK((g = eg_gaz_new()) != NULL, "eg_gaz_new");
    rc = eg_gaz_load(g, path, &e);
    if (rc) {
        FUZZ_CHECK(rc == EG_EDATA, "eg_gaz_load returned %d: %s", rc, e.msg);
        FUZZ_CHECK(fuzz_one_line(e.msg) && strncmp(e.msg, path, strlen(path)) == 0 && e.msg[strlen(path)] == ':',
                   "error message not 'file:line: reason': '%s'", e.msg);
    }
    for (i = 0; i < eg_gaz_entry_count(g); i++) {
        const eg_gaz_entry *en = eg_gaz_entry_at(g, (uint32_t)i);
        FUZZ_CHECK(en && en->id && en->label && *en->id, "entry %zu incomplete", i);
        FUZZ_CHECK(eg_gaz_find_id(g, en->id) == i, "entry %zu not found by its id '%s'", i, en->id);
    }
    match_both(g, &fixed);
    /* the input itself as a document, after an alias added unsealed */
    eg_doc_init(&d);
    FUZZ_CHECK(eg_text_prepare(&d, "input", (const char *)data, size, &e) == EG_OK, "%s", e.msg);
    eg_err_clear(&e);
    if (eg_gaz_add(g, "fuzz-extra", EG_ORG, "Fuzz Extra", "Fuzz Extra", 0, 0, &e) == EG_OK)
        match_both(g, &d);
    eg_doc_free(&d);
    eg_gaz_free(g);
    return 0;
}

/*
 * test_resolve.c — the resolver: partial names (surname, given name),
 * people who share a surname (title, pronouns, recency, or an
 * explicit ambiguous entity), acronyms defined in brackets, overlaps; and
 * the name-variant test used for corpus-level merges, with a counter-case
 * for every merge rule.
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "resolve.h"
#include "similar.h"
#include "tap.h"

static eg_ctx *ctx;
static eg_doc doc;
static eg_cands cands;
static eg_resolver res;

static void person(const char *id, const char *label)
{
    eg_err e = {0};
    eg_gaz_add(ctx->gaz, id, EG_PERSON, label, label, 0, 0, &e);
}

/* Resolves text; returns "surface=entity" for every mention, ';'-joined. */
static const char *resolve(const char *text, const eg_cand *extra, size_t nextra)
{
    static char out[4096];
    eg_err e = {0};
    size_t i;
    out[0] = 0;
    cands.n = 0;
    if (eg_text_prepare(&doc, "t", text, strlen(text), &e) || eg_gaz_match(ctx->gaz, &doc, &cands, &e))
        return "error";
    for (i = 0; i < nextra; i++)
        eg_cands_push(&cands, &extra[i]);
    if (eg_resolve(&res, ctx, &doc, &cands, &e))
        return "error";
    for (i = 0; i < res.nm; i++) {
        const eg_rmention *m = &res.m[i];
        size_t s = doc.tok[m->t0].s, en = doc.tok[m->t1 - 1].e, n = strlen(out);
        snprintf(out + n, sizeof out - n, "%s%.*s=%s", n ? ";" : "", (int)(en - s), doc.text + s,
                 eg_rent_id(&res, &res.ent[m->ent]));
    }
    return out;
}

static void test_surnames(void)
{
    EQ_STR(resolve("Maryam Rajavi spoke in Paris. Later Rajavi said she would stay.", NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Paris=paris;Rajavi=maryam-rajavi", "a surname alone links to the one full name");
    EQ_STR(resolve("Rajavi arrived. Maryam Rajavi then spoke.", NULL, 0), "Rajavi=maryam-rajavi;Maryam Rajavi=maryam-rajavi",
           "a surname before the full name links too");
    EQ_STR(resolve("Maryam Rajavi spoke; she was cheered. Massoud Rajavi vanished; he was gone. Mrs Rajavi spoke.",
                   NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=maryam-rajavi",
           "two Rajavis: Mrs chooses the woman");
    EQ_STR(resolve("Maryam Rajavi spoke; she was cheered. Massoud Rajavi vanished; he was gone. Mr. Rajavi spoke.",
                   NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=massoud-rajavi",
           "two Rajavis: Mr. chooses the man");
    EQ_STR(resolve("Maryam Rajavi and Massoud Rajavi led the group. Mrs Rajavi spoke.", NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=maryam-rajavi",
           "a title and the given names' gender choose");
    EQ_STR(resolve("Bill Clinton, Hilary Clinton and the rest. Mrs. Clinton spoke.", NULL, 0),
           "Bill Clinton=bill-clinton;Hilary Clinton=hilary-clinton;Clinton=hilary-clinton",
           "elimination: Mrs. excludes the one known man, the other remains");
    EQ_STR(resolve("Ebrahim Khodabandeh and Masoud Khodabandeh are brothers. Mr Khodabandeh wrote a book.", NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Masoud Khodabandeh=masoud-khodabandeh;Khodabandeh=khodabandeh?",
           "counter-case: a title cannot choose between two men");
    EQ_STR(resolve("Maryam Rajavi spoke and she was cheered. Massoud Rajavi vanished; he was not seen. "
                   "Then Rajavi said that she was in charge.",
                   NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=maryam-rajavi",
           "two Rajavis: pronouns learned from the full names choose");
    EQ_STR(resolve("Maryam Rajavi and Massoud Rajavi led the group. Rajavi was praised.", NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=rajavi?",
           "two Rajavis and no clue: an explicit ambiguous entity, never the wrong person");
    EQ_STR(resolve("Ebrahim Khodabandeh and Masoud Khodabandeh are brothers. Khodabandeh wrote a book.", NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Masoud Khodabandeh=masoud-khodabandeh;Khodabandeh=khodabandeh?",
           "counter-case: brothers stay apart, the bare surname stays open");
    EQ_STR(resolve("Bill Clinton met Hillary Clinton at the airport. Clinton was late.", NULL, 0),
           "Bill Clinton=bill-clinton;Hillary Clinton=hillary-clinton;Clinton=clinton?",
           "counter-case: two Clintons and no clue stay open");
    EQ_STR(resolve("Bill Clinton spoke; he was tired. Hillary Clinton spoke; she was not. Clinton said she would run.",
                   NULL, 0),
           "Bill Clinton=bill-clinton;Hillary Clinton=hillary-clinton;Clinton=hillary-clinton",
           "gender learned from pronouns after each full name");
}

static void test_given_names(void)
{
    EQ_STR(resolve("Massoud Rajavi founded it. Massoud disappeared in 2003.", NULL, 0),
           "Massoud Rajavi=massoud-rajavi;Massoud=massoud-rajavi", "a given name alone links when unique");
    EQ_STR(resolve("The group was strong. Rajavi is not named in full here.", NULL, 0), "",
           "a surname with no full name in the document is not a mention by itself");
    EQ_STR(resolve("However Maryam Rajavi spoke.", NULL, 0), "Maryam Rajavi=maryam-rajavi",
           "a sentence-initial common word is not a name part");
}

static void test_pronoun_subject(void)
{
    EQ_STR(resolve("Maryam Rajavi spoke; she was cheered. Massoud Rajavi vanished; he was gone. "
                   "Bill Clinton met with Rajavi in May. What was he hoping for?",
                   NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Bill Clinton=bill-clinton;Rajavi=rajavi?",
           "a pronoun after a sentence whose subject is another person does not choose");
}

static void test_recency(void)
{
    EQ_STR(resolve("Ebrahim Khodabandeh wrote a book.\n\nIn 1996 Masoud Khodabandeh left. Later, he married. "
                   "Then Khodabandeh agreed.",
                   NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Masoud Khodabandeh=masoud-khodabandeh;"
           "Khodabandeh=masoud-khodabandeh",
           "recency: the one candidate named two sentences back in the paragraph");
    EQ_STR(resolve("Ebrahim Khodabandeh wrote a book.\n\nIn 1996 Masoud Khodabandeh left. Later, he married. "
                   "They moved. Then Khodabandeh agreed.",
                   NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Masoud Khodabandeh=masoud-khodabandeh;Khodabandeh=khodabandeh?",
           "counter-case: three sentences back is too far, the surname stays open");
    EQ_STR(resolve("Ebrahim Khodabandeh wrote a book. Masoud Khodabandeh left.\n\nKhodabandeh agreed.", NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Masoud Khodabandeh=masoud-khodabandeh;Khodabandeh=khodabandeh?",
           "counter-case: recency does not reach into the paragraph before");
    EQ_STR(resolve("Maryam Rajavi spoke.\n\nMassoud Rajavi vanished. Rajavi was seen. Rajavi was gone.", NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=massoud-rajavi;Rajavi=massoud-rajavi",
           "recency chains through a surname it linked");
    EQ_STR(resolve("Maryam Rajavi spoke.\n\nMassoud Rajavi vanished. Mrs Rajavi was seen.", NULL, 0),
           "Maryam Rajavi=maryam-rajavi;Massoud Rajavi=massoud-rajavi;Rajavi=maryam-rajavi",
           "a title outweighs recency");
}

static void test_variants_one_person(void)
{
    EQ_STR(resolve("Bill Clinton spoke. Hillary Clinton and Hilary Clinton are one person.\n\n"
                   "Mrs. Clinton spoke.",
                   NULL, 0),
           "Bill Clinton=bill-clinton;Hillary Clinton=hillary-clinton;Hilary Clinton=hilary-clinton;"
           "Clinton=hillary-clinton",
           "elimination: two spellings of the one woman count as one candidate");
}

static void test_variants_in_document(void)
{
    EQ_STR(resolve("Massoud Rajavi founded it. Later Masoud disappeared.", NULL, 0),
           "Massoud Rajavi=massoud-rajavi;Masoud=massoud-rajavi", "a spelling variant of a given name links");
    EQ_STR(resolve("Ebrahim Khodabandeh wrote it. Ibrahim said so.", NULL, 0),
           "Ebrahim Khodabandeh=ebrahim-khodabandeh;Ibrahim=ebrahim-khodabandeh", "Ibrahim ~ Ebrahim");
    EQ_STR(resolve("Maryam Rajavi spoke. Then Marian arrived.", NULL, 0), "Maryam Rajavi=maryam-rajavi",
           "counter: a different name with another skeleton does not link (Marian, Maryam)");
    EQ_STR(resolve("Massoud Rajavi and Masoud Khodabandeh met. Masoudi came.", NULL, 0),
           "Massoud Rajavi=massoud-rajavi;Masoud Khodabandeh=masoud-khodabandeh",
           "counter: a variant close to two people links to neither");
    EQ_STR(resolve("Murtaza Hussain wrote it, and Murteza Hussain said so. Hussain added more.", NULL, 0),
           "Murtaza Hussain=murtaza-hussain;Murteza Hussain=murteza-hussain;Hussain=murtaza-hussain",
           "two spellings of one name in a text are not two candidates");
}

static void test_rule_extends_known(void)
{
    eg_cand c;
    memset(&c, 0, sizeof c);
    c.t0 = 0;
    c.t1 = 3; /* "Maryam Rajavi Saddam" from a rule */
    c.type = EG_PERSON;
    c.source = EG_SRC_RULE;
    c.entry = EG_NONE;
    EQ_STR(resolve("Maryam Rajavi Saddam army", &c, 1), "Maryam Rajavi=maryam-rajavi",
           "a rule-found name that only extends a known two-word person yields to the gazetteer");
    c.t0 = 0;
    c.t1 = 2; /* "Rudolph Rajavi": not an extension of a known name */
    EQ_STR(resolve("Rudolph Rajavi spoke", &c, 1), "Rudolph Rajavi=rudolph-rajavi",
           "counter: a rule-found name with no known person inside stands");
}

static void test_acronym(void)
{
    eg_err e = {0};
    eg_cand c;
    const char *text = "The National Council of Resistance of Iran (NCRI) met. The NCRI said so.";
    eg_gaz_add(ctx->gaz, "ncri-long", EG_ORG, "National Council of Resistance of Iran",
               "National Council of Resistance of Iran", 0, 0, &e);
    eg_gaz_seal(ctx->gaz);
    /* the acronym candidate a rule would give: token 8 is "NCRI" */
    memset(&c, 0, sizeof c);
    c.t0 = 8;
    c.t1 = 9;
    c.type = EG_ORG;
    c.source = EG_SRC_RULE;
    c.flags = EG_CF_ACRONYM_DEF;
    c.entry = EG_NONE;
    EQ_STR(resolve(text, &c, 1),
           "National Council of Resistance of Iran=ncri-long;NCRI=ncri-long;NCRI=ncri-long",
           "an acronym in brackets joins its long form, and so do its later bare uses");

    /* a known acronym in brackets takes in an unknown long form */
    eg_gaz_add(ctx->gaz, "irgc", EG_ORG, "Islamic Revolutionary Guard Corps", "IRGC", 0, 0, &e);
    eg_gaz_add(ctx->gaz, "radio-free-europe", EG_ORG, "Radio Free Europe", "Radio Free Europe", 0, 0, &e);
    eg_gaz_add(ctx->gaz, "rural-fire-engineers", EG_ORG, "Rural Fire Engineers", "Rural Fire Engineers", 0, 0, &e);
    eg_gaz_seal(ctx->gaz);
    {
        eg_cand v[2];
        memset(v, 0, sizeof v);
        v[0].t0 = 1; /* "Iranian Revolutionary Guard Corps", as a rule finds it */
        v[0].t1 = 5;
        v[0].type = EG_ORG;
        v[0].source = EG_SRC_RULE;
        v[0].entry = EG_NONE;
        v[1] = c;
        v[1].t0 = 6; /* "IRGC" */
        v[1].t1 = 7;
        EQ_STR(resolve("The Iranian Revolutionary Guard Corps (IRGC) met.", v, 2),
               "Iranian Revolutionary Guard Corps=irgc;IRGC=irgc",
               "the long form in front of a known acronym in brackets joins the acronym's entity");
        v[0].flags = 0;
        v[0].t0 = 7; /* "RFE", as the acronym rule finds it */
        v[0].t1 = 8;
        EQ_STR(resolve("Radio Free Europe reported it. Later RFE said so.", v, 1),
               "Radio Free Europe=radio-free-europe;RFE=radio-free-europe",
               "an unknown acronym spelling the one name in the document joins it");
        EQ_STR(resolve("Radio Free Europe reported it. Later RFE said so.", NULL, 0),
               "Radio Free Europe=radio-free-europe;RFE=radio-free-europe", "a bare one too");
        EQ_STR(resolve("Radio Free Europe and Rural Fire Engineers met. Later RFE said so.", NULL, 0),
               "Radio Free Europe=radio-free-europe;Rural Fire Engineers=rural-fire-engineers",
               "counter-case: an acronym two names in the document spell stays unlinked");
        EQ_STR(resolve("Radio Free Europe reported it. Later RF said so. Then REF did.", NULL, 0),
               "Radio Free Europe=radio-free-europe",
               "counter-case: an acronym must spell every capitalised word, in order");
    }
}

static void test_similar(void)
{
    OK(eg_names_similar("massoud-rajavi", "masoud-rajavi", 1, 0.82), "Massoud ~ Masoud Rajavi");
    OK(eg_names_similar("qassem-soleimani", "qasem-soleimani", 1, 0.82), "Qassem ~ Qasem Soleimani");
    OK(eg_names_similar("rudi-guliani", "rudy-giuliani", 1, 0.82), "Rudi Guliani ~ Rudy Giuliani");
    OK(eg_names_similar("hilary-clinton", "hillary-clinton", 1, 0.82), "Hilary ~ Hillary Clinton");
    OK(eg_names_similar("rudolph-w-giuliani", "rudolph-giuliani", 1, 0.82), "a middle initial is ignored");
    OK(eg_names_similar("khomenei", "ruhollah-khomeini", 1, 0.82), "a misspelt surname alone ~ the full name");
    OK(eg_names_similar("mujahedeen-e-khalq", "mojahedin-e-khalq", 0, 0.82), "Mujahedeen ~ Mojahedin (ORG)");
    OK(!eg_names_similar("maryam-rajavi", "massoud-rajavi", 1, 0.82), "counter: Maryam and Massoud Rajavi");
    OK(!eg_names_similar("ebrahim-khodabandeh", "masoud-khodabandeh", 1, 0.82), "counter: Ebrahim and Masoud");
    OK(!eg_names_similar("bill-clinton", "hillary-clinton", 1, 0.82), "counter: Bill and Hillary Clinton");
    OK(!eg_names_similar("george-w-bush", "george-h-w-bush", 1, 0.82), "counter: different initials, different people");
    OK(eg_names_similar("hillary-rodham-clinton", "hilary-clinton", 1, 0.82), "one extra middle name");
    OK(!eg_names_similar("hillary-rodham-clinton", "bill-clinton", 1, 0.82), "counter: extra middle name, other given name");
    OK(!eg_names_similar("ali-akbar-velayati", "ali-velayati-khan", 1, 0.82), "counter: the last words must agree");
    OK(!eg_names_similar("iran", "iraq", 0, 0.82), "counter: Iran and Iraq");
    OK(!eg_names_similar("austria", "australia", 0, 0.82), "counter: Austria and Australia");
    OK(eg_names_similar("asharaf", "ashraf", 0, 0.82), "Asharaf ~ Ashraf (one vowel more)");
    OK(!eg_names_similar("asharaf", "ashraf-3", 0, 0.82), "counter: Asharaf is not Ashraf 3 (a number is a word)");
    OK(!eg_names_similar("camp-ashraf", "camp-ashraf-3", 0, 0.82), "counter: Camp Ashraf and Camp Ashraf 3");
    OK(!eg_names_similar("apollo-1", "apollo-7", 0, 0.82), "counter: Apollo 1 and Apollo 7");
    {
        eg_buf a = {0}, b = {0};
        eg_name_skeleton(&a, "austria", 0);
        eg_name_skeleton(&b, "australia", 0);
        OK(a.p && b.p && strcmp(a.p, b.p) != 0, "Austria and Australia are in different blocks");
        eg_buf_free(&a);
        eg_buf_free(&b);
    }
    OK(!eg_names_similar("john-smith", "john-smyth", 1, 0.95), "a stricter threshold keeps close names apart");
    OK(!eg_names_similar("maryam-rajavi", "maryam-rajavi", 1, 0.82), "identical ids are not variants");
    {
        static const char *const same[][2] = {{"rudi-guliani", "rudy-giuliani"}, {"khomenei", "ruhollah-khomeini"},
                                              {"qasem-soleimani", "qassem-soleimani"}, {"masoud-rajavi", "massoud-rajavi"}};
        size_t i;
        for (i = 0; i < 4; i++) {
            eg_buf a = {0}, b = {0};
            eg_name_skeleton(&a, same[i][0], 1);
            eg_name_skeleton(&b, same[i][1], 1);
            OK(a.p && b.p && strcmp(a.p, b.p) == 0, "same blocking key for %s and %s (%s)", same[i][0], same[i][1],
               a.p ? a.p : "");
            eg_buf_free(&a);
            eg_buf_free(&b);
        }
    }
}

int main(void)
{
    eg_options o;
    eg_err e = {0};
    eg_options_init(&o);
    ctx = eg_ctx_new(&o);
    eg_lex_add(&ctx->lex, EG_LEX_COMMON, "however", 7);
    eg_lex_add(&ctx->lex, EG_LEX_COMMON, "the", 3);
    eg_lex_add(&ctx->lex, EG_LEX_FEMALE, "Maryam", 6);
    eg_lex_add(&ctx->lex, EG_LEX_MALE, "Massoud", 7);
    eg_lex_add(&ctx->lex, EG_LEX_MALE, "Ebrahim", 7);
    eg_lex_add(&ctx->lex, EG_LEX_MALE, "Masoud", 6);
    eg_lex_add(&ctx->lex, EG_LEX_MALE, "Bill", 4);
    person("maryam-rajavi", "Maryam Rajavi");
    person("massoud-rajavi", "Massoud Rajavi");
    person("ebrahim-khodabandeh", "Ebrahim Khodabandeh");
    person("masoud-khodabandeh", "Masoud Khodabandeh");
    person("bill-clinton", "Bill Clinton");
    person("hillary-clinton", "Hillary Clinton");
    person("hilary-clinton", "Hilary Clinton");
    person("murtaza-hussain", "Murtaza Hussain");
    person("murteza-hussain", "Murteza Hussain");
    eg_gaz_add(ctx->gaz, "paris", EG_PLACE, "Paris", "Paris", 0, 0, &e);
    eg_gaz_seal(ctx->gaz);
    eg_doc_init(&doc);
    eg_resolver_init(&res);
    test_surnames();
    test_given_names();
    test_rule_extends_known();
    test_variants_in_document();
    test_pronoun_subject();
    test_recency();
    test_variants_one_person();
    test_acronym();
    test_similar();
    eg_resolver_free(&res);
    eg_doc_free(&doc);
    free(cands.v);
    eg_ctx_free(ctx);
    return tap_done();
}

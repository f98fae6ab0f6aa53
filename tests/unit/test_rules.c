/*
 * test_rules.c — the lexicon (lex.c) and the pattern-rules engine
 * (rules.c): file format, conditions, token snapping, limits, the built-in
 * acronym step, and the shipped rules files on short sentences with a small
 * lexicon.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match.h"
#include "tap.h"

static eg_lex lex;
static char warned[2048];
static int nwarn;

static void on_warn(void *ud, const char *line)
{
    (void)ud;
    nwarn++;
    snprintf(warned, sizeof warned, "%s", line);
}

/* Keeps what the resolver would keep of the candidates (a simplified copy of
 * its policy: weak ones drop when overlapped; then longest, priority,
 * leftmost) and renders the survivors in text order. */
static int resolved_mode;

static int cand_cmp(const void *pa, const void *pb)
{
    const eg_cand *a = pa, *b = pb;
    int wa = !!(a->flags & EG_CF_WEAK), wb = !!(b->flags & EG_CF_WEAK);
    if (wa != wb)
        return wa - wb;
    if (a->t1 - a->t0 != b->t1 - b->t0)
        return (b->t1 - b->t0) > (a->t1 - a->t0) ? 1 : -1;
    if (a->prio != b->prio)
        return b->prio - a->prio;
    return a->t0 < b->t0 ? -1 : a->t0 > b->t0;
}

static int cand_pos(const void *pa, const void *pb)
{
    const eg_cand *a = pa, *b = pb;
    return a->t0 < b->t0 ? -1 : a->t0 > b->t0;
}

static void resolve_simple(eg_cands *c)
{
    size_t i, j, n = 0;
    eg_cand *keep;
    if (!c->n)
        return;
    keep = malloc((c->n + 1) * sizeof *keep);
    for (i = 0; i < c->n; i++) {
        int drop = 0;
        if (c->v[i].flags & EG_CF_WEAK)
            for (j = 0; j < c->n && !drop; j++)
                drop = j != i && !(c->v[j].flags & EG_CF_WEAK) && c->v[j].t0 < c->v[i].t1 && c->v[i].t0 < c->v[j].t1;
        if (!drop)
            c->v[n++] = c->v[i];
    }
    c->n = n;
    qsort(c->v, c->n, sizeof *c->v, cand_cmp);
    n = 0;
    for (i = 0; i < c->n; i++) {
        int free_ = 1;
        for (j = 0; j < n && free_; j++)
            free_ = !(keep[j].t0 < c->v[i].t1 && c->v[i].t0 < keep[j].t1);
        if (free_)
            keep[n++] = c->v[i];
    }
    qsort(keep, n, sizeof *keep, cand_pos);
    memcpy(c->v, keep, n * sizeof *keep);
    c->n = n;
    free(keep);
}

/* Runs the rules on `text` and renders the candidates, in order, as
 * "TYPE:surface" joined by " | " ("+w" weak, "+a" acronym). Gazetteer
 * candidates can be injected first: `gaz` is "surface=TYPE" (or NULL). */
static eg_rules_scratch *kept_scratch; /* when set, run() uses it: word-list
                                          answers stay cached across runs */

static const char *run_gaz(const eg_rules *r, const char *text, const char *gaz)
{
    static char buf[4096];
    eg_doc d;
    eg_cands c = {0};
    eg_err e = {0};
    eg_rules_scratch *s = kept_scratch ? kept_scratch : eg_rules_scratch_new(r);
    size_t i, len = 0;
    buf[0] = 0;
    eg_doc_init(&d);
    if (!s || eg_text_prepare(&d, "t.txt", text, strlen(text), &e)) {
        snprintf(buf, sizeof buf, "ERROR prepare %s", e.msg);
        goto out;
    }
    if (gaz) {
        /* a fake gazetteer hit: the first token range whose text equals the surface */
        const char *eq = strchr(gaz, '=');
        size_t gl = (size_t)(eq - gaz);
        uint32_t a, b;
        for (a = 0; a < d.ntok; a++)
            for (b = a + 1; b <= d.ntok; b++)
                if (d.tok[b - 1].e - d.tok[a].s == gl && memcmp(d.text + d.tok[a].s, gaz, gl) == 0) {
                    eg_cand g = {.t0 = a, .t1 = b, .source = EG_SRC_GAZ, .prio = 10, .entry = 0};
                    eg_type t = EG_ORG;
                    eg_type_parse(eq + 1, strlen(eq + 1), &t);
                    g.type = (uint8_t)t;
                    eg_cands_push(&c, &g);
                    a = b = (uint32_t)d.ntok + 1;
                    break;
                }
    }
    if (eg_rules_match(r, s, &lex, &d, &c, on_warn, NULL, &e)) {
        snprintf(buf, sizeof buf, "ERROR match %s", e.msg);
        goto out;
    }
    if (resolved_mode)
        resolve_simple(&c);
    for (i = 0; i < c.n; i++) {
        const eg_cand *k = &c.v[i];
        int n;
        if (k->source != EG_SRC_RULE)
            continue;
        n = snprintf(buf + len, sizeof buf - len, "%s%s:%.*s%s%s", len ? " | " : "", eg_type_name(k->type),
                     (int)(d.tok[k->t1 - 1].e - d.tok[k->t0].s), d.text + d.tok[k->t0].s,
                     k->flags & EG_CF_WEAK ? "+w" : "", k->flags & EG_CF_ACRONYM_DEF ? "+a" : "");
        if (n < 0 || (size_t)n >= sizeof buf - len)
            break;
        len += (size_t)n;
    }
out:
    eg_free(c.v);
    eg_doc_free(&d);
    if (s != kept_scratch)
        eg_rules_scratch_free(s);
    return buf;
}

static const char *run(const eg_rules *r, const char *text) { return run_gaz(r, text, NULL); }



/* Loads rules from a string; returns the rules or NULL (message in err). */
static eg_rules *load(const char *text, eg_err *err)
{
    eg_rules *r = eg_rules_new();
    eg_err_clear(err);
    if (r && eg_rules_load_string(r, "t.rules", text, strlen(text), err)) {
        eg_rules_free(r);
        return NULL;
    }
    return r;
}

static void add_words(int list, const char *words)
{
    const char *p = words;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        eg_lex_add(&lex, list, p, n);
        p += n + (q ? 1 : 0);
    }
}

static void make_lexicon(void)
{
    add_words(EG_LEX_GIVEN, "Hugh,Rudolph,Maryam,Massoud,Qassem,Abu,John,Mary,Struan,Ali,Richard,Ahmad");
    add_words(EG_LEX_SURNAME, "Shelton,Giuliani,Rajavi,Soleimani,Smith,Stevenson,Black");
    add_words(EG_LEX_COMMON, "the,however,last,in,on,a,an,but,and,this,that,after,yesterday,meanwhile,officials,"
                             "he,she,they,we,it,said,says,of,for,to,from,with,at,by,new,former,many,some,"
                             "while,when,since,during,according,there,here,what,mr,president,general");
    add_words(EG_LEX_TITLE, "mr,mrs,ms,dr,president,general,gen,senator,minister,ayatollah,mep,journalist,"
                             "prime minister,foreign minister,supreme leader");
}

/* ---- lexicon ---- */

static void test_lex(void)
{
    eg_buf b = {0};
    eg_fold_key(&b, "Giuliani", 8);
    OK(eg_lex_has(&lex, EG_LEX_SURNAME, eg_hash(b.p, b.len)), "lex: folded surname found");
    OK(!eg_lex_has(&lex, EG_LEX_GIVEN, eg_hash(b.p, b.len)), "lex: not in another list");
    eg_buf_reset(&b);
    eg_fold_key(&b, "prime", 5);
    eg_buf_addc(&b, ' ');
    eg_fold_key(&b, "minister", 8);
    OK(eg_lex_has(&lex, EG_LEX_TITLE, eg_hash(b.p, b.len)), "lex: multi-word title key joined by one space");
    eg_buf_reset(&b);
    eg_fold_key(&b, "prime", 5);
    OK(!eg_lex_has(&lex, EG_LEX_TITLE, eg_hash(b.p, b.len)), "lex: first word of a multi-word title alone is not a title");
    eg_buf_reset(&b);
    eg_fold_key(&b, "leader", 6);
    OK(eg_lex_has(&lex, EG_LEX_TITLE, eg_lex_tail_hash(eg_hash(b.p, b.len))), "lex: tail marker for the last word");
    OK(!eg_lex_has(&lex, EG_LEX_TITLE, eg_hash(b.p, b.len)), "lex: last word alone is not the entry");
    EQ_INT(eg_lex_list_by_name("surname", 7), EG_LEX_SURNAME, "lex: list by name");
    EQ_INT(eg_lex_list_by_name("nope", 4), -1, "lex: unknown list");
    eg_buf_free(&b);
    {
        eg_lex x = {0};
        eg_err e = {0};
        FILE *f = fopen("/tmp/eg_test_lex.txt", "w");
        fputs("# titles\n\n  Vice-President \nGen.\r\n", f);
        fclose(f);
        EQ_INT(eg_lex_load(&x, EG_LEX_TITLE, "/tmp/eg_test_lex.txt", &e), EG_OK, "lex: load file");
        eg_fold_key(&b, "vice", 4);
        eg_buf_addc(&b, ' ');
        eg_fold_key(&b, "president", 9);
        OK(eg_lex_has(&x, EG_LEX_TITLE, eg_hash(b.p, b.len)), "lex: hyphenated entry stored as words");
        eg_buf_reset(&b);
        eg_fold_key(&b, "gen", 3);
        OK(eg_lex_has(&x, EG_LEX_TITLE, eg_hash(b.p, b.len)), "lex: dotted entry stored without its dot");
        EQ_INT(eg_lex_load(&x, EG_LEX_TITLE, "/nonexistent/x.txt", &e), EG_EIO, "lex: missing file");
        eg_lex_free(&x);
        eg_lex_free(&x);
        remove("/tmp/eg_test_lex.txt");
        eg_buf_free(&b);
    }
}

/* ---- engine ---- */

static void test_format(void)
{
    eg_err e = {0};
    eg_rules *r;
    r = load("# a comment\n"
             "\n"
             "op\tEVENT\t5\t1\t-\t\\b(Operation(?:\\h+@CAP)+)\n"
             "camp\tPLACE\t5\tname\t-\t\\bCamp\\h+(?<name>@CAP(?:\\h+\\d+)?)\n"
             "long\tORG\t1\t0\t-\t\\b(?:Foo|\n"
             "\t# a comment between continuation lines\n"
             "   Bar)\\h+Baz\\b\n"
             "@define HEAD (?:Council|Committee)\n"
             "head\t\tORG\t\t3\t\t0\t\tcap\t\t@CAP(?:\\h+@CAP)*\\h+@HEAD\\b\n",
             &e);
    OK(r != NULL, "format: loads (%s)", e.msg);
    if (!r)
        return;
    EQ_INT(eg_rules_count(r), 5, "format: four rules plus the built-in");
    EQ_STR(eg_rules_name(r, 0), "acronym-def", "format: rule 0 is the built-in");
    EQ_STR(eg_rules_name(r, 2), "camp", "format: rule names");
    EQ_STR(run(r, "They attacked in Operation Eternal Light in 1988."), "EVENT:Operation Eternal Light",
           "format: group 1");
    EQ_STR(run(r, "They moved to Camp Ashraf 3 in Albania."), "PLACE:Ashraf 3", "format: named group");
    EQ_STR(run(r, "A Bar Baz and a Foo Baz."), "ORG:Bar Baz | ORG:Foo Baz", "format: continuation lines");
    EQ_STR(run(r, "The Supreme National Security Council met."), "ORG:The Supreme National Security Council",
           "format: macro and aligned tabs");
    eg_rules_free(r);
}

static void test_errors(void)
{
    eg_err e = {0};
    eg_rules *r;
    r = load("ok\tORG\t1\t0\t-\tabc\n"
             "bad\tORG\t1\t0\t-\tfoo(bar\n", &e);
    OK(!r, "errors: broken pattern fails");
    EQ_STR(e.msg, "t.rules:2:22: missing closing parenthesis", "errors: file:line:column: PCRE2 message");
    EQ_INT(e.code, EG_EDATA, "errors: EG_EDATA");
    r = load("bad\tORG\t1\t0\t-\tab\n"
             "   cd[z\n", &e);
    OK(!r, "errors: broken continuation fails");
    OK(strncmp(e.msg, "t.rules:2:", 10) == 0, "errors: column in a continuation line (%s)", e.msg);
    r = load("bad\tORG\t1\t0\t-\tx@NOPE\n", &e);
    EQ_STR(e.msg, "t.rules:1:16: unknown macro @NOPE", "errors: unknown macro");
    r = load("@define M a)b\n", &e);
    OK(!r && strncmp(e.msg, "t.rules:1:12: ", 14) == 0, "errors: bad @define points into it (%s)", e.msg);
    r = load("bad\tTHING\t1\t0\t-\tx\n", &e);
    OK(!r && strstr(e.msg, "unknown type"), "errors: unknown type (%s)", e.msg);
    r = load("bad\tORG\tx\t0\t-\tx\n", &e);
    OK(!r && strstr(e.msg, "priority"), "errors: bad priority (%s)", e.msg);
    r = load("bad\tORG\t1\t2\t-\t(x)\n", &e);
    OK(!r && strstr(e.msg, "no group '2'"), "errors: group out of range (%s)", e.msg);
    r = load("bad\tORG\t1\t0\tbogus(1)\tx\n", &e);
    OK(!r && strstr(e.msg, "unknown condition 'bogus'"), "errors: unknown condition (%s)", e.msg);
    r = load("bad\tORG\t1\t0\tfirst(0)\tx\n", &e);
    OK(!r && strstr(e.msg, "needs a word list"), "errors: list condition without a list (%s)", e.msg);
    r = load("bad\tORG\t1\t0\ton(@nolist)\tx\n", &e);
    OK(!r && strstr(e.msg, "unknown word list"), "errors: bad on() list (%s)", e.msg);
    r = load("bad\tORG\t1\t0\n", &e);
    OK(!r && strstr(e.msg, "t.rules:1: a rule needs 6"), "errors: too few fields (%s)", e.msg);
    r = load("a\tORG\t1\t0\t-\tx\na\tORG\t1\t0\t-\ty\n", &e);
    OK(!r && strstr(e.msg, "duplicate rule name 'a'"), "errors: duplicate name (%s)", e.msg);
    r = load("  x\n", &e);
    OK(!r && strstr(e.msg, "continuation line without a rule"), "errors: stray continuation (%s)", e.msg);
    {
        eg_rules *rr = eg_rules_new();
        EQ_INT(eg_rules_load(rr, "/nonexistent/x.rules", &e), EG_EIO, "errors: missing file");
        eg_rules_free(rr);
        eg_rules_free(NULL);
        eg_rules_scratch_free(NULL);
    }
}

static void test_conditions(void)
{
    eg_err e = {0};
    eg_rules *r = load("name\tPERSON\t5\t1\tgiven(1),surname(1)\t\\b(@CAP\\h+@CAP)\\b\n"
                       "t\tPERSON\t5\t1\ttitle,notsentstart\t\\b(@CAP)\\b\n"
                       "s\tORG\t1\t0\tstrip,minwords(3),weak\t\\b@CAP(?:\\h+@CAP)+\\h+Group\\b\n",
                       &e);
    OK(r != NULL, "conditions: load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "We met John Smith and Mary Jones."), "PERSON:John Smith", "conditions: given + surname");
    EQ_STR(run(r, "Then Prime Minister Blair spoke."), "PERSON:Blair", "conditions: multi-word title");
    EQ_STR(run(r, "Then Gen. Soleimani spoke."), "PERSON:Soleimani", "conditions: abbreviated title");
    EQ_STR(run(r, "President Trump spoke."), "PERSON:Trump", "conditions: title, sentence start is the title");
    EQ_STR(run(r, "The Acme Steel Group was sold."), "ORG:Acme Steel Group+w", "conditions: strip, weak");
    EQ_STR(run(r, "However Steel Group was sold."), "", "conditions: minwords after strip");
    eg_rules_free(r);
    r = load("on\tEVENT\t5\t0\ton(war|wars)\t\\b@CAP(?:-@CAP)?\\h+war\\b\n"
             "ong\tPERSON\t5\t0\ton(@given)\t\\b@CAP\\h+@CAP\\b\n", &e);
    OK(r != NULL, "on(): load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "During the Iran-Iraq war, many died. The Gulf War. No Gulf Wars."),
           "EVENT:Iran-Iraq war", "on(): only sentences with a trigger, pattern decides the rest");
    EQ_STR(run(r, "We saw Richard Black today. Acme Corp said."), "PERSON:Richard Black",
           "on(@given): sentences with a given name");
    eg_rules_free(r);
    /* a literal lookbehind at the start is checked before PCRE2 runs; it
     * does not need a word boundary ("revisit to") */
    r = load("lb\tPLACE\t5\t0\tafter(to)\t(?<=visit to |fled to )@CAP\n", &e);
    OK(r != NULL, "lookbehind: load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "He fled to Paris, a revisit to Rome, went to Oslo."), "PLACE:Paris | PLACE:Rome",
           "lookbehind: literal before the anchored start");
    EQ_STR(run(r, "A visit to  Oslo and a visit to\tBern."), "", "lookbehind: exact bytes only");
    eg_rules_free(r);
    /* tnext(): a trigger is used only when one of the words follows it */
    r = load("tn\tPERSON\t5\t0\tbefore(,),tnext(a|The)\t@CAP\\h+@CAP(?=,\\h+\\p{L})\n", &e);
    OK(r != NULL, "tnext: load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "Ann Lee, a poet, met Bob Ray, the actor, and Cy Dee, our host."), "PERSON:Ann Lee | PERSON:Bob Ray",
           "tnext: folded words after the trigger");
    eg_rules_free(r);
    OK(load("tn\tPERSON\t5\t0\ttnext(a)\t@CAP\n", &e) == NULL && strstr(e.msg, "tnext() needs"),
       "tnext: needs a trigger (%s)", e.msg);
    /* tfollow(): the same matches with and without it, for a pattern that
     * needs "of" or "for" after a run of capitalised words */
    {
        static const char *const texts[] = {
            "The Ministry of Intelligence and the University of Tehran met.",
            "The Council met. The Council said so. Bank & Trust for Iran.",
            "The Tehran Council of Iran, the Council\tof Oman, the Council-of Iran.",
            "National Council Resistance Council of Iran and Council offers of Oman.",
            "The People's Council, Workers' Council of Iran and U.S. Council for Peace.",
            "Council of 3 and Council (of Iran) and Council\nof Iran and Council  of  Oman.",
            "The Mojahedin-e-Khalq Council of Iran, Élysée Council of Paris. Council",
            "Council of",
        };
        static const char pat[] = "\tORG\t0\t0\tbefore(council)%s\t@B(?:[A-Z&][\\p{L}'.&-]*+(?:\\h+[A-Z&][\\p{L}'.&-]*+)*+)"
                                  "\\h+(?:of|for)\\h+@CAP@E\n";
        char buf[512];
        eg_rules *r2;
        size_t i;
        snprintf(buf, sizeof buf, pat, ",tfollow(of|for)");
        memmove(buf + 2, buf, strlen(buf) + 1);
        memcpy(buf, "tf", 2);
        r = load(buf, &e);
        OK(r != NULL, "tfollow: load (%s)", e.msg);
        snprintf(buf, sizeof buf, pat, "");
        memmove(buf + 2, buf, strlen(buf) + 1);
        memcpy(buf, "tf", 2);
        r2 = load(buf, &e);
        OK(r2 != NULL, "tfollow: load without (%s)", e.msg);
        if (!r || !r2)
            return;
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            char want[1024], name[64];
            snprintf(want, sizeof want, "%s", run(r2, texts[i]));
            snprintf(name, sizeof name, "tfollow: same matches in text %zu", i);
            EQ_STR(run(r, texts[i]), want, name);
        }
        EQ_STR(run(r, texts[2]), "ORG:The Tehran Council of Iran | ORG:Council\tof Oman", "tfollow: finds");
        eg_rules_free(r);
        eg_rules_free(r2);
    }
    /* tcapnext(): the same matches with and without it, for at(), after()
     * and before() rules whose match opens with a word, white space and a
     * capitalised word or a particle */
    {
        static const char *const texts[] = {
            "Ann Lee met Ann said and Ann al-Rashid, Ann bin Laden, Ann van der Berg.",
            "Ann W. Lee, Ann\tLee, Ann\nLee, Ann  Lee, Ann-Marie Lee, Ann's Lee, Ann.",
            "Renée-Ann Lee and Ann Élysée and Ann alb Lee and Ann de-Lee and Ann binLee Ann",
            "Mr Lee, Mr. Ann Lee, Mr al-Lee, Mr said, Mr. said Lee, Mr",
            "Smith Jones, Smith said, Ann Smith Jones, Smith al Lee, Smith y Lee. Smith",
            "ann Lee, Ann lee, Ann 3 Lee, Ann (Lee), Ann O'Neil Lee, Ann Mc-Lee.",
            "Dr Ann Lee said, The Lee said, Ann al Lee, Ann Smith Lee Jones said, Old Smith said, Big Old Smith.",
        };
        static const char *const rules[] = {
            "\tPERSON\t0\tn\tat(ann)%s\t@B(?<n>@CAP(?:\\h+(?:@INIT\\h+)*+(?:@PART(?:-|\\h+))*+@CAP){1,3}+)@E\n",
            "\tPERSON\t0\tn\tafter(mr)%s\t@B(?<n>@CAP(?:\\h+(?:@INIT\\h+)*+(?:@PART(?:-|\\h+))*+@CAP){1,3}+)@E\n",
            "\tPERSON\t0\tn\tbefore(smith|lee)%s\t@B(?<n>@UPC\\p{Ll}[\\p{L}\\p{M}]*+\\h+(?:@INIT\\h+)*+"
            "(?:@PART(?:-|\\h+))*+@CAP(?:\\h+@CAP)?+)@E\n",
        };
        char buf[512], want[1024], name[64];
        size_t i, k;
        for (k = 0; k < sizeof rules / sizeof rules[0]; k++) {
            eg_rules *r2;
            snprintf(buf, sizeof buf, rules[k], ",tcapnext(%PART)");
            memmove(buf + 2, buf, strlen(buf) + 1);
            memcpy(buf, "tc", 2);
            r = load(buf, &e);
            OK(r != NULL, "tcapnext: load (%s)", e.msg);
            snprintf(buf, sizeof buf, rules[k], "");
            memmove(buf + 2, buf, strlen(buf) + 1);
            memcpy(buf, "tc", 2);
            r2 = load(buf, &e);
            OK(r2 != NULL, "tcapnext: load without (%s)", e.msg);
            if (!r || !r2)
                return;
            for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
                snprintf(want, sizeof want, "%s", run(r2, texts[i]));
                snprintf(name, sizeof name, "tcapnext: same matches, rule %zu, text %zu", k, i);
                EQ_STR(run(r, texts[i]), want, name);
            }
            if (k == 0)
                EQ_STR(run(r, texts[0]), "PERSON:Ann Lee | PERSON:Ann al-Rashid | PERSON:Ann bin Laden | PERSON:Ann van der Berg",
                       "tcapnext: finds");
            eg_rules_free(r);
            eg_rules_free(r2);
        }
    }
    OK(load("tc\tPERSON\t5\t0\ttcapnext(al)\t@CAP\n", &e) == NULL && strstr(e.msg, "tcapnext() needs"),
       "tcapnext: needs a trigger (%s)", e.msg);
    OK(load("tc\tPERSON\t5\t0\tat(x),tcapnext(%CAP)\t@CAP\n", &e) == NULL, "tcapnext: a macro of plain words only");
    OK(load("tc\tPERSON\t5\t0\tat(x),tcapnext(abcdefgh)\t@CAP\n", &e) == NULL, "tcapnext: words of 7 letters at most");
    OK(load("tf\tORG\t5\t0\tafter(x),tfollow(of)\t@CAP\n", &e) == NULL && strstr(e.msg, "tfollow() needs"),
       "tfollow: needs before() (%s)", e.msg);
    OK(load("tf\tORG\t5\t0\tbefore(x),tfollow(Of)\t@CAP\n", &e) == NULL, "tfollow: lower-case words only");
}

static void test_snap(void)
{
    eg_err e = {0};
    eg_rules *r = load("a\tORG\t1\t0\t-\tlt  Zar|Iran's\n"
                       "b\tORG\t1\t0\t-\t\\(MEK\\)\n", &e);
    OK(r != NULL, "snap: load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "Built  Zarif, Iran's role and (MEK)."), "ORG:Iran | ORG:MEK",
           "snap: partial tokens dropped, punctuation trimmed, possessive outside");
    eg_rules_free(r);
}

static void test_acronyms(void)
{
    eg_err e = {0};
    eg_rules *r = load("org\tORG\t5\t0\t-\t\\b@CAP(?:\\h+(?:of|@CAP))*\\h+Organization(?:\\h+of\\h+@CAP)?\n", &e);
    OK(r != NULL, "acronyms: load (%s)", e.msg);
    if (!r)
        return;
    EQ_STR(run(r, "The National Liberation Organization of Iran (NLOI / MEK) said."),
           "ORG:The National Liberation Organization of Iran | ORG:NLOI+a | ORG:MEK+a", "acronyms: slash list");
    EQ_STR(run(r, "Our Big Organization (XYZ) said."), "ORG:Our Big Organization", "acronyms: initials must fit");
    EQ_STR(run_gaz(r, "The Islamic Revolutionary Guard Corps (IRGC) fired.", "Islamic Revolutionary Guard Corps=ORG"),
           "ORG:IRGC+a", "acronyms: after a gazetteer candidate, its type");
    EQ_STR(run_gaz(r, "Ali Rajavi (NCRI) spoke.", "Ali Rajavi=PERSON"), "", "acronyms: never after a person");
    {
        /* only the gazetteer finds the long form, one word short */
        eg_rules *g = load("none\tORG\t0\t0\t-\tzzzqqqxxx\n", &e);
        EQ_STR(run_gaz(g, "the National Passive Defense Organization (NPDO) said.", "Passive Defense Organization=ORG"),
               "ORG:NPDO+a", "acronyms: a capitalised word just before the long form's span may start the acronym");
        EQ_STR(run_gaz(g, "the Mighty Passive Defense Organization (NPDO) said.", "Passive Defense Organization=ORG"),
               "", "acronyms: counter: that word must be the letter the acronym starts with");
        eg_rules_free(g);
    }
    eg_rules_free(r);
}

static void test_limits(void)
{
    eg_err e = {0};
    eg_rules *r = load("evil\tORG\t1\t0\t-\t(a+)+$\n"
                       "good\tORG\t1\t0\t-\tGood\\h+Thing\n", &e);
    char *text;
    size_t n = 20000, i;
    clock_t t0;
    double secs;
    OK(r != NULL, "limits: load (%s)", e.msg);
    if (!r)
        return;
    text = malloc(n + 64);
    strcpy(text, "A Good Thing. ");
    for (i = strlen(text); i < n; i++)
        text[i] = (i % 500 == 0) ? ' ' : 'a';
    strcpy(text + n, "b Good Thing.");
    nwarn = 0;
    t0 = clock();
    EQ_STR(run(r, text), "ORG:Good Thing | ORG:Good Thing", "limits: other rules still run");
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    EQ_INT(nwarn, 1, "limits: one warning per rule and document");
    OK(strstr(warned, "t.txt") && strstr(warned, "'evil'") && strstr(warned, "limit"),
       "limits: warning names rule and document (%s)", warned);
    OK(secs < 2.0, "limits: returns promptly (%.3f s)", secs);
    free(text);
    eg_rules_free(r);
}

/* ---- the shipped rules files ---- */

#ifndef EG_DATADIR
#define EG_DATADIR "gazetteers"
#endif

static eg_rules *load_shipped(void)
{
    static const char *const files[] = {"event.rules", "org.rules", "person.rules", "place.rules"};
    eg_rules *r = eg_rules_new();
    eg_err e = {0};
    size_t i;
    char path[1024];
    for (i = 0; r && i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", EG_DATADIR, files[i]);
        if (eg_rules_load(r, path, &e)) {
            OK(0, "shipped: %s loads (%s)", files[i], e.msg);
            eg_rules_free(r);
            return NULL;
        }
    }
    OK(r != NULL, "shipped: the four rules files load");
    return r;
}

/* Each case: text, expected rendering of the rule candidates. */
typedef struct {
    const char *text, *want;
} rcase;

static void check_cases(const eg_rules *r, const char *family, const rcase *c, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        EQ_STR(run(r, c[i].text), c[i].want, family);
}

static void test_shipped(void)
{
    static const rcase person[] = {
        {"Yesterday President Trump spoke.", "PERSON:Trump"},
        {"Then Mr. Giuliani left.", "PERSON:Giuliani"},
        {"We heard former MEP Struan Stevenson there.", "PERSON:Struan Stevenson"},
        {"The strike killed general Qassem Soleimani in Baghdad.", "PERSON:Qassem Soleimani | PLACE:Baghdad+w"},
        {"It was led by Ayatollah Khomeini then.", "PERSON:Khomeini"},
        {"Gen. Hugh H. Shelton and Rudolph W. Giuliani met.", "PERSON:Hugh H. Shelton | PERSON:Rudolph W. Giuliani"},
        {"A drone also killed Abu Mahdi al-Muhandis on Friday.", "PERSON:Abu Mahdi al-Muhandis"},
        {"Maryam Rajavi's speech was long.", "PERSON:Maryam Rajavi"},
        {"Secretary General Antonio Guterres replied.", "PERSON:Antonio Guterres"},
        {"The journalist Heshmat Alavi wrote it.", "PERSON:Heshmat Alavi"},
        {"Prime Minister Boris Johnson agreed.", "PERSON:Boris Johnson"},
        {"Costantino Ceoldo said the visit was over.", "PERSON:Costantino Ceoldo+w"},
    };
    static const rcase person_neg[] = {
        {"The President said no.", ""},
        {"Mr. said nothing.", ""},
        {"However, the talks failed.", ""},
        {"In January the vote was held.", ""},
        {"On Monday President Trump spoke.", "PERSON:Trump"},
        {"Officials Said nothing.", ""},
        {"The General Assembly voted.", "ORG:General Assembly"},
        {"She was Secretary of State.\n\nAn Iranian flag was burned.", ""},
        {"The Stanley Cup final was played.", ""},
    };
    static const rcase weak[] = {
        {"We saw Rajavi there.", "PERSON:Rajavi+w"},
        {"We saw Maryam there.", "PERSON:Maryam+w"},
        {"Members of the MKO fled.", "ORG:MKO+w"},
        {"IRAN NEWS TODAY", ""},
        {"He wrote in Newsweek last week.", ""},
        {"Crowds marched in Manez and in English.", "PLACE:Manez+w"},
    };
    static const rcase org[] = {
        {"The National Council of Resistance of Iran met.", "ORG:National Council of Resistance of Iran"},
        {"He joined the Islamic Revolutionary Guard Corps in 1980.", "ORG:Islamic Revolutionary Guard Corps"},
        {"The Ministry of Intelligence and Security denied it.", "ORG:Ministry of Intelligence and Security"},
        {"She studied at the University of Tehran.", "ORG:University of Tehran"},
        {"Iran's Supreme National Security Council met.", "ORG:Supreme National Security Council"},
        {"The People's Mojahedin Organization of Iran (PMOI / MEK) was founded in 1965.",
         "ORG:People's Mojahedin Organization of Iran | ORG:PMOI+a | ORG:MEK+a"},
        {"It was reported by the Washington Post and by The New York Times.",
         "ORG:Washington Post | ORG:The New York Times"},
        {"The Quds Force is a unit.", "ORG:Quds Force"},
        {"He works for Acme Widgets Inc. in Ohio.", "ORG:Acme Widgets Inc. | PLACE:Ohio+w"},
    };
    static const rcase place[] = {
        {"They lived in Camp Ashraf for years and then in Camp Ashraf 3.", "PLACE:Camp Ashraf | PLACE:Camp Ashraf 3"},
        {"It happened in Kerman Province last year.", "PLACE:Kerman Province"},
        {"The Tigris River and the Zagros Mountains are near.", "PLACE:Tigris River | PLACE:Zagros Mountains"},
        {"Ships crossed the Strait of Hormuz into the Gulf of Oman.", "PLACE:Strait of Hormuz | PLACE:Gulf of Oman"},
        {"They climbed Mount Damavand.", "PLACE:Mount Damavand"},
        {"Crowds filled Tahrir Square outside the Elysée Palace.", "PLACE:Tahrir Square | PLACE:Elysée Palace"},
        {"She was held in Evin Prison for a year.", "PLACE:Evin Prison"},
        {"The rally was held in Manez last week.", "PLACE:Manez+w"},
    };
    static const rcase event[] = {
        {"He fought in the Iran-Iraq war as a boy.", "EVENT:Iran-Iraq war"},
        {"Operation Eternal Light failed in 1988.", "EVENT:Operation Eternal Light"},
        {"After the Syrian revolution and the 1979 revolution.", "EVENT:Syrian revolution | EVENT:1979 revolution"},
        {"During the COVID-19 pandemic, the Free Iran Summit went online.",
         "EVENT:COVID-19 pandemic | EVENT:Free Iran Summit"},
        {"The Gulf War and World War II changed it.", "EVENT:Gulf War | EVENT:World War II"},
        {"The war was long.", ""},
        {"The 1988 massacre of prisoners.", "EVENT:1988 massacre"},
        {"After the 2003 invasion and the 1991 uprisings.", ""},
        {"He wrote the book \"Iran Democratic Revolution\" then.", ""},
    };
    eg_rules *r = load_shipped();
    if (!r)
        return;
    resolved_mode = 1;
    check_cases(r, "person", person, sizeof person / sizeof person[0]);
    check_cases(r, "person: negative", person_neg, sizeof person_neg / sizeof person_neg[0]);
    check_cases(r, "org", org, sizeof org / sizeof org[0]);
    check_cases(r, "place", place, sizeof place / sizeof place[0]);
    check_cases(r, "event", event, sizeof event / sizeof event[0]);
    check_cases(r, "weak", weak, sizeof weak / sizeof weak[0]);
    resolved_mode = 0;
    eg_rules_free(r);
}

/* cap() lets lower-case connectors inside a name, and only those: every
 * one of them, and words that look like them, in a three-word name. */
static void test_connectors(void)
{
    static const char *const yes[] = {"y", "e", "&", "of", "on", "at", "in", "de", "di", "da", "do", "du", "la",
                                      "le", "zu", "al", "el", "ad", "as", "the", "and", "for", "del", "des",
                                      "dos", "das", "van", "von", "der", "den", "ter", "ash", "bin", "ibn",
                                      "ben", "abu", "bint", "della"};
    static const char *const no[] = {"yo", "ye", "u", "an", "is", "or", "dal", "via", "bins", "dell", "also",
                                     "dellas", "xe", "zz", "ofs"};
    eg_err e = {0};
    eg_rules *r = load("c\tORG\t0\t0\tcap\t@B@CAP\\h+(?:\\p{Ll}+|&)\\h+@CAP@E\n", &e);
    size_t i;
    OK(r != NULL, "connectors: load (%s)", e.msg);
    if (!r)
        return;
    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        char text[64], want[64];
        snprintf(text, sizeof text, "Alpha %s Beta.", yes[i]);
        snprintf(want, sizeof want, "ORG:Alpha %s Beta", yes[i]);
        EQ_STR(run(r, text), want, "connectors: inside a capitalised name");
    }
    for (i = 0; i < sizeof no / sizeof no[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "Alpha %s Beta.", no[i]);
        EQ_STR(run(r, text), "", "connectors: other lower-case words");
    }
    eg_rules_free(r);
}

/* Prechecks on word lists are decided at once from a token's cached
 * answers when it knows them all (pre_check): a document whose words were
 * asked about in an earlier one gives what a fresh scratch gives. */
static void test_pre_masks(void)
{
    static const char *const texts[] = {
        "Hugh met Struan and Ali in Paris; the Foo of Mary. Mary Shelton and Hugh.",
        "Struan, Hugh, Paris and Rome. However Hugh Smith met Ali.",
    };
    static const char *const want[] = {
        "PERSON:Hugh | PERSON:Ali | PERSON:Hugh | ORG:Paris | ORG:Shelton",
        "PERSON:Hugh | PERSON:Hugh | PERSON:Ali | ORG:Paris",
    };
    eg_err e = {0};
    eg_rules *r = load("@define BAD (?:Foo|Struan|Mary)\n"
                       "@define GOOD (?:Paris|Shelton|Hugh)\n"
                       "g\tPERSON\t0\t0\tat(@given),notfirst(0,%BAD),notcommon,given,none(0,%BAD)\t@UPC\\p{Ll}+@E\n"
                       "f\tORG\t0\t0\tat(#cap),first(0,%GOOD),notgiven,notfirst(0,common)\t@UPC\\p{Ll}+@E\n",
                       &e);
    size_t round, i;
    OK(r != NULL, "pre masks: load (%s)", e.msg);
    if (!r)
        return;
    kept_scratch = eg_rules_scratch_new(r);
    for (round = 0; round < 3; round++)
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
            EQ_STR(run(r, texts[i]), want[i], "pre masks: cold and cached answers agree");
    eg_rules_scratch_free(kept_scratch);
    kept_scratch = NULL;
    eg_rules_free(r);
}

/* The built-in macros written for speed (UPC, DATEWORD, and what @PART
 * expands to in patterns) match what their plain definitions match, in
 * case-sensitive and caseless patterns; and the trigger pass's shortcut
 * for after() rules (trig_may_run) keeps lookbehind-literal starts near
 * the start of the text and far from it. */
static void test_macro_forms(void)
{
    static const char *const defs =
        "@define OUPC [A-Z\\x{C0}-\\x{DE}\\x{100}-\\x{24F}\\x{370}-\\x{3FF}\\x{400}-\\x{52F}\\x{1E00}-\\x{1EFF}](?<=\\p{Lu})\n"
        "@define OPART (?:al|el|ad|as|ash|bin|ibn|bint|ben|abu|de|da|di|do|du|del|della|der|den|des|dos|das|la|le|"
        "van|von|ter|zu|y)\n"
        "@define ODATE (?:January|February|March|April|May|June|July|August|September|October|November|December|"
        "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
        "Sunday)(?![\\p{L}\\p{M}\\p{Nd}])\n";
    /* each rule twice: with the built-in macro (X) and the plain form (O) */
    static const char *const rules[][2] = {
        {"name\tPERSON\t0\t0\t-\t@B@X\\p{Ll}+\\h+(?:@Y(?:-|\\h+))*+@X\\p{Ll}+@E", "UPC PART"},
        {"part\tPERSON\t0\t0\t-\t@B@Y@E", "PART"},
        {"icase\tORG\t0\t0\t-\t@B(?i:@X)\\p{Ll}*+@E", "UPC"},
        {"date\tEVENT\t0\t0\t-\t@B@X@E", "DATEWORD"},
    };
    static const char *const texts[] = {
        "They met John Smith, Abu Musa al-Hassan and Piero della Francesca, Ash as well.",
        "Ludwig van Beethoven, Vincent van Gogh, Ibn Sina, Rembrandt Harmensz van Rijn.",
        "Carlos de la Rosa met Osama bin Laden and Maria dos Santos near Della Street.",
        "deal, della-x, dela, de, del, ash, as, asha, al-Q, bint, bintu, bin, y, zuzu, zu, ter, abu, ibn, las, la",
        "Émile Zola, \xc3\x89" "cole, \xe2\x84\xaa" "elvin, \xc5\xbf, straße, Ærø, \xc3\x97times, Ωmega and ωmega.",
        "January June July Jan Jun Jul Junes Julyx February Feb Friday March May Mar Mayday Monday April "
        "Apr August Aug September Sept Sep Septembers Saturday Sunday October Oct November Nov December Dec "
        "Tuesday Thursday Wednesday Weds Octo Decemberx",
    };
    eg_err e = {0};
    size_t i, j;
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        char fast[1024], plain[1024];
        const char *what = rules[i][1];
        const char *x = strstr(what, "UPC") ? "UPC" : "DATEWORD", *ox = strstr(what, "UPC") ? "OUPC" : "ODATE";
        eg_rules *rf, *rp;
        /* substitute @X / @Y by the macro names */
        char *q;
        snprintf(fast, sizeof fast, "%s%s\n", defs, rules[i][0]);
        snprintf(plain, sizeof plain, "%s%s\n", defs, rules[i][0]);
        for (q = fast; (q = strstr(q, "@X")); q++)
            memmove(q + 1 + strlen(x), q + 2, strlen(q + 2) + 1), memcpy(q + 1, x, strlen(x));
        for (q = fast; (q = strstr(q, "@Y")); q++)
            memmove(q + 5, q + 2, strlen(q + 2) + 1), memcpy(q + 1, "PART", 4);
        for (q = plain; (q = strstr(q, "@X")); q++)
            memmove(q + 1 + strlen(ox), q + 2, strlen(q + 2) + 1), memcpy(q + 1, ox, strlen(ox));
        for (q = plain; (q = strstr(q, "@Y")); q++)
            memmove(q + 6, q + 2, strlen(q + 2) + 1), memcpy(q + 1, "OPART", 5);
        rf = load(fast, &e);
        OK(rf != NULL, "macro forms: %s loads (%s)", what, e.msg);
        rp = load(plain, &e);
        OK(rp != NULL, "macro forms: plain %s loads (%s)", what, e.msg);
        for (j = 0; rf && rp && j < sizeof texts / sizeof texts[0]; j++) {
            char got[4096];
            snprintf(got, sizeof got, "%s", run(rf, texts[j]));
            EQ_STR(got, run(rp, texts[j]), what);
        }
        eg_rules_free(rf);
        eg_rules_free(rp);
    }
    {
        /* CAPW's word body takes ASCII lower-case letters and digits in
         * runs: the same maximal run of letters, marks and digits as the
         * plain class, case-sensitive or not, before any continuation */
        static const char *const capw[][2] = {
            {"w\tPERSON\t0\t0\t-\t@B@CAPW@E", "w\tPERSON\t0\t0\t-\t@B@OCAPW@E"},
            {"w\tPERSON\t0\t0\t-\t@B(?i:@CAPW)(?:\\h+@CAPW)?", "w\tPERSON\t0\t0\t-\t@B(?i:@OCAPW)(?:\\h+@OCAPW)?"},
            {"w\tPERSON\t0\t0\t-\t@B@CAPW(?:-\\d+|,)", "w\tPERSON\t0\t0\t-\t@B@OCAPW(?:-\\d+|,)"},
            {"w\tPERSON\t0\t0\t-\t@B@CAP\\h+@CAP@E", "w\tPERSON\t0\t0\t-\t@B@OCAP\\h+@OCAP@E"},
        };
        static const char *const ctexts[] = {
            "McDonald O'Brien Élysée Ab1x9 B-52s Iran-Iraq Mojahedin-e-Khalq x2Y Kelvin \xe2\x84\xaa" "elvin "
            "Straße \xc5\xbf" "ab Zoë\xcc\x88" "x A\xcc\x81" "b Ωmega Jean-Pierre Ali'S Q9 Rs-7 Xs",
            "Noam Chomsky, Sergei Lavrov and Ab12cd Ef34 met Ee Ff. Iran-Iraq War, Mujahedin-e Khalq.",
        };
        static const char *const odefs =
            "@define OCAPW @UPC[\\p{L}\\p{M}\\p{Nd}]*+(?:'\\p{Lu}[\\p{L}\\p{M}]*+)?\n"
            "@define OCAP @OCAPW(?:-(?:(?:e|ye)-)?@OCAPW)*+(?:-(?:e|ye)(?=\\h+\\p{Lu}))?\n";
        for (i = 0; i < sizeof capw / sizeof capw[0]; i++) {
            char fast[1024], plain[1024];
            eg_rules *rf, *rp;
            snprintf(fast, sizeof fast, "%s%s\n", odefs, capw[i][0]);
            snprintf(plain, sizeof plain, "%s%s\n", odefs, capw[i][1]);
            rf = load(fast, &e);
            OK(rf != NULL, "macro forms: CAPW rule %zu loads (%s)", i, e.msg);
            rp = load(plain, &e);
            OK(rp != NULL, "macro forms: plain CAPW rule %zu loads (%s)", i, e.msg);
            for (j = 0; rf && rp && j < sizeof ctexts / sizeof ctexts[0]; j++) {
                char got[4096];
                snprintf(got, sizeof got, "%s", run(rf, ctexts[j]));
                OK(got[0] != 0, "macro forms: CAPW rule %zu finds something", i);
                EQ_STR(got, run(rp, ctexts[j]), "CAPW");
            }
            eg_rules_free(rf);
            eg_rules_free(rp);
        }
    }
    {
        eg_rules *r = load("lb\tPLACE\t0\t0\tafter(to|from)\t(?<=go to |gone to |fled from )@CAP\n", &e);
        OK(r != NULL, "macro forms: lookbehind rule loads (%s)", e.msg);
        if (r) {
            EQ_STR(run(r, "go to Rome"), "PLACE:Rome", "lookbehind literal ending before byte 8");
            EQ_STR(run(r, "They had gone to Rome and fled from Paris, not to Oslo."), "PLACE:Rome | PLACE:Paris",
                   "lookbehind literals far from the start");
            EQ_STR(run(r, "go to rome, go to. Rome"), "", "no start after the trigger");
        }
        eg_rules_free(r);
    }
    {
        /* literals of 8 bytes or more are looked up by their last 8 bytes;
         * "returned to " and "turned to " share them, "burned to " too */
        eg_rules *r = load("lb\tPLACE\t0\t0\tafter(to)\t(?<=fled to |returned to |turned to |visit to )@CAP\n", &e);
        OK(r != NULL, "macro forms: long lookbehind rule loads (%s)", e.msg);
        if (r) {
            EQ_STR(run(r, "fled to Rome"), "PLACE:Rome", "lookbehind literal of 8 bytes at the start");
            EQ_STR(run(r, "He returned to Rome, turned to Oslo, burned to Kyiv, bled to Bern, a visit to Lima."),
                   "PLACE:Rome | PLACE:Oslo | PLACE:Lima", "lookbehind literals sharing their last 8 bytes");
            EQ_STR(run(r, "turned to Rome"), "PLACE:Rome", "lookbehind: the shorter of two literals at the start");
        }
        eg_rules_free(r);
    }
}

/* A scratch kept across documents gives what a fresh one gives: the
 * per-token arrays are not cleared per document (lexc is set by the
 * trigger pass, prec is all 0 between rules, best is read only where
 * bset marks it), and multi-word titles are looked up whether their key
 * fits the stack buffer of phrase_hash or not (130+ bytes). */
static void test_scratch_reuse(void)
{
    static const char *const texts[] = {
        "Prime Minister Hugh Smith met the Grand Exalted Overseer Abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzx "
        "Abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzxklxyzxyzxyzxyzx Abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzxklxyzxyzxyzxyzxmnxyzxyzxyzxyzx Ali in the "
        "National Liberation Organization of Iran (NLOI). Mary Shelton said.",
        "Hugh.",
        "Dr Maryam Rajavi, the Supreme Leader Ali and Struan Black met (NLOI). General Qassem Soleimani.",
        "The Foo Organization (TFO) and Mr Smith.",
    };
    eg_err e = {0};
    eg_rules *r = load("o\tORG\t5\t0\t-\t\\b@CAP(?:\\h+(?:of|@CAP))*\\h+Organization(?:\\h+of\\h+@CAP)?\n"
                       "tl\tPERSON\t0\tn\tafter(@title),title(n),cap(n)\t(?<n>@CAP(?:\\h+@CAP)*+)\n"
                       "g\tPERSON\t0\t0\tat(@given),given,notcommon\t@UPC\\p{Ll}+(?:\\h+@CAP)?@E\n"
                       "s\tPERSON\t0\t0\tbefore(@surname),surname,notfirst(0,title)\t@CAP\\h+@CAP@E\n",
                       &e);
    char fresh[4][4096];
    size_t round, i;
    OK(r != NULL, "scratch reuse: load (%s)", e.msg);
    if (!r)
        return;
    add_words(EG_LEX_TITLE, "abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzx abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzxklxyzxyzxyzxyzx "
                            "abcdefghijklmnopqrstuvwxyzabcdefghijxyzxyzxyzxyzxklxyzxyzxyzxyzxmnxyzxyzxyzxyzx");
    for (i = 0; i < 4; i++)
        snprintf(fresh[i], sizeof fresh[i], "%s", run(r, texts[i]));
    OK(strstr(fresh[0], "PERSON:Ali") != NULL, "scratch reuse: a title whose key is over 128 bytes (%s)", fresh[0]);
    OK(strstr(fresh[0], "ORG:NLOI+a") != NULL, "scratch reuse: acronym found (%s)", fresh[0]);
    kept_scratch = eg_rules_scratch_new(r);
    for (round = 0; round < 3; round++)
        for (i = 0; i < 4; i++)
            EQ_STR(run(r, texts[(i + round) % 4]), fresh[(i + round) % 4], "scratch reuse: kept and fresh scratch agree");
    eg_rules_scratch_free(kept_scratch);
    kept_scratch = NULL;
    eg_rules_free(r);
}

/* The trigger pass drops at() and after() triggers whose start word's
 * cached answers already fail a word-list precheck (trig_may_run with
 * pre_mask_fails): once the thread's cache knows the words, a document
 * gives what it gave with a cold cache, for a known "in" against notfirst
 * and a known "out" against first, and strip() rules are left alone. */
static void test_trigger_masks(void)
{
    static const char *const texts[] = {
        "They went to Mary and to Paris, then from Hugh to Rome. Struan met Ali.",
        "The trip to Rome. Hugh and Mary went from Paris to Struan, then to Shelton.",
        "However Paris is far. Officials from Foo and Ali.",
    };
    static const char *const want[] = {
        "PLACE:Paris | PLACE:Rome | PERSON:Ali | ORG:Paris | ORG:Rome",
        "PLACE:Rome | PLACE:Paris | PLACE:Shelton | ORG:Rome | ORG:Paris | ORG:Shelton",
        "PERSON:Ali | EVENT:Paris",
    };
    eg_err e = {0};
    eg_rules *r = load("@define BAD (?:Foo|Struan|Mary|Hugh)\n"
                       "@define GOOD (?:Paris|Shelton|Rome)\n"
                       "a\tPLACE\t0\t0\tafter(to|from),notfirst(0,%BAD),notcommon\t@UPC\\p{Ll}+@E\n"
                       "g\tPERSON\t0\t0\tat(@given),notfirst(0,%BAD),notcommon\t@UPC\\p{Ll}+@E\n"
                       "f\tORG\t0\t0\tafter(to|from),first(0,%GOOD)\t@UPC\\p{Ll}+@E\n"
                       "s\tEVENT\t0\t0\tat(#cap),strip,notcommon\t@UPC\\p{Ll}+\\h+Paris@E\n",
                       &e);
    size_t round, i;
    OK(r != NULL, "trigger masks: load (%s)", e.msg);
    if (!r)
        return;
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
        EQ_STR(run(r, texts[i]), want[i], "trigger masks: cold cache");
    kept_scratch = eg_rules_scratch_new(r);
    for (round = 0; round < 3; round++)
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
            EQ_STR(run(r, texts[(i + round) % 3]), want[(i + round) % 3], "trigger masks: cached answers agree");
    eg_rules_scratch_free(kept_scratch);
    kept_scratch = NULL;
    eg_rules_free(r);
}

/* alone()'s after half as a precheck (rules whose pattern provably takes
 * no white space, pattern_nows): the same candidates as a twin rule whose
 * pattern matches the same text but is not provably free of white space
 * (\s{0} matches the empty string), for names followed by a capitalised
 * word after a space, tab or newline, by a joiner, by punctuation, by a
 * possessive, at the end of the text, and for matches over several tokens
 * without white space between them ("Iran-Iraq"). */
static void test_alone_after(void)
{
    static const char *const texts[] = {
        "we saw Hayley today. we saw Hayley Smith today.",
        "we saw Hayley-Smith and Hayley\tKing and Hayley\nKing and Hayley, Smith.",
        "we saw Hayley's dog and Ünal Smith and Ünal then Hayley",
        "the Iran-Iraq war and the Iran-Iraq War and Iran-Iraq, then",
    };
    static const char *const want[] = {
        "PERSON:Hayley",
        "PERSON:Hayley | PERSON:Smith",
        "PERSON:Hayley | PERSON:Ünal | PERSON:Hayley",
        "PERSON:Iran-Iraq | PERSON:Iran-Iraq",
    };
    static const char *const pats[][2] = {
        {"@UPC\\p{Ll}[\\p{L}\\p{M}]*+@E", "@UPC\\p{Ll}[\\p{L}\\p{M}]*+@E(?:\\s{0})"},
        {"@CAP", "@CAP(?:\\s{0})"},
    };
    static const char *const eat[] = {
        "@UPC\\p{Ll}+(?:\\h++@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:\\s@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?:.@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:[\\x{1F}-\\x{21}]@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?:[^a]@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:\\x{20}@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?:[\\p{L} ]@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:\\P{L}@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?:\\p{Z}@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:[\\p{Zs}]@UPC\\p{Ll}+)?@E",
        "(?x)@UPC\\p{Ll}+(?:\\ @UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:[[:space:]]@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?:\\X@UPC\\p{Ll}+)?@E", "@UPC\\p{Ll}+(?:\\V@UPC\\p{Ll}+)?@E",
        "@UPC\\p{Ll}+(?: @UPC\\p{Ll}+)?@E", "(@UPC\\p{Ll}+)(?:\\W(?1))?@E",
    };
    char buf[256], got[2][4096];
    size_t i, p, v;
    for (p = 0; p < 2; p++)
        for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
            for (v = 0; v < 2; v++) {
                eg_err e = {0};
                eg_rules *r;
                snprintf(buf, sizeof buf, "a\tPERSON\t0\t0\tat(#cap),alone\t%s\n", pats[p][v]);
                r = load(buf, &e);
                OK(r != NULL, "alone after: load (%s)", e.msg);
                if (!r)
                    return;
                snprintf(got[v], sizeof got[v], "%s", run(r, texts[i]));
                eg_rules_free(r);
            }
            EQ_STR(got[0], got[1], "alone after: precheck and twin agree");
            if (p == (i == 3))
                EQ_STR(got[0], want[i], "alone after: candidates");
        }
    /* patterns that can take white space keep their matches over it */
    for (i = 0; i < sizeof eat / sizeof eat[0]; i++) {
        eg_err e = {0};
        eg_rules *r;
        snprintf(buf, sizeof buf, "a\tPERSON\t0\t0\tat(#cap),alone\t%s\n", eat[i]);
        r = load(buf, &e);
        OK(r != NULL, "alone after: load (%s)", e.msg);
        if (!r)
            return;
        OK(strcmp(run(r, "we saw Hayley Smith go."), "PERSON:Hayley Smith") == 0,
           "alone after: a match over white space (%s): %s", eat[i], run(r, "we saw Hayley Smith go."));
        eg_rules_free(r);
    }
}

/* Conditions are checked cheapest first (acc_sort): the same candidates
 * whatever order the rule lists them in, for matches that fail one cheap
 * condition, one loop condition, title(), a condition on another group,
 * or none. */
static void test_cond_order(void)
{
    static const char *const conds[][2] = {
        {"cap(n),none(n,%BAD),title(n),notfirst(n,common),surname(n),okstart(n),maxwords(3),notcommon(2)",
         "notcommon(2),maxwords(3),okstart(n),surname(n),notfirst(n,common),title(n),none(n,%BAD),cap(n)"},
    };
    static const char *const text =
        "President Hugh Smith met Dr Foo Jones, then Mr Hugh jones and Mayor Ali Smith Shelton Jones "
        "and General the Smith. Then Jones said Hugh Smith left.";
    char buf[512], got[2][4096];
    size_t v;
    for (v = 0; v < 2; v++) {
        eg_err e = {0};
        eg_rules *r;
        snprintf(buf, sizeof buf,
                 "@define BAD (?:Foo|Struan)\n"
                 "o\tPERSON\t0\tn\tafter(@title),%s\t(?<n>@CAP(?:\\h+@CAP)?)\\h+(@WORD)\n",
                 conds[0][v]);
        r = load(buf, &e);
        OK(r != NULL, "condition order: load (%s)", e.msg);
        if (!r)
            return;
        snprintf(got[v], sizeof got[v], "%s", run(r, text));
        eg_rules_free(r);
    }
    EQ_STR(got[0], got[1], "condition order: the same candidates either way");
    OK(got[0][0] != 0, "condition order: some candidates (%s)", got[0]);
}

int main(void)
{
    make_lexicon();
    test_lex();
    test_format();
    test_errors();
    test_conditions();
    test_snap();
    test_acronyms();
    test_limits();
    test_macro_forms();
    test_pre_masks();
    test_scratch_reuse();
    test_trigger_masks();
    test_alone_after();
    test_cond_order();
    test_connectors();
    test_shipped();
    eg_lex_free(&lex);
    return tap_done();
}

/*
 * rules.c — the pattern-rules matcher. Rules files (format and examples in
 * gazetteers/RULES.md) hold PCRE2 patterns with a type, a priority, the
 * capture group that is the entity, and conditions checked against the
 * lexicon on the tokens of the match. eg_rules_match runs every rule over a
 * document's clean text and appends an eg_cand for each match that holds.
 *
 * Flow: eg_rules_load / eg_rules_load_string parse lines, expand @macros,
 * compile (UTF, UCP, MULTILINE) and JIT-compile each pattern; after loading
 * the rules are read-only and shared by threads. Each thread owns an
 * eg_rules_scratch (match data, match context with limits, JIT stack, work
 * arrays). Where a rule runs is set by its trigger (RULES.md, "Triggers"):
 *   - no trigger: runs of whole sentences up to WIN_BYTES bytes;
 *   - on(...): the sentences that hold a trigger token;
 *   - after(...) / at(...): anchored after / at each trigger token;
 *   - before(...): from the capitalised run that ends at the trigger.
 * Trigger tokens are found in one pass over the tokens (a Bloom bit, then a
 * hash probe per token; word lists through the lexicon's filters). Every
 * search sets pcre2_set_offset_limit, so it never walks past its window,
 * and every call has a bounded cost under the match limits. A rule that hits a limit is stopped for the rest of that
 * document with one warning. A match whose conditions fail does not consume
 * text: the search resumes one character after its start.
 *
 * Speed, without changing what is found (the match at a start offset does
 * not depend on where the search began, and conditions are pure functions
 * of the tokens):
 *   - a trigger search starts only where a match can begin: a byte in the
 *     pattern's first-byte map, and where a pattern opens with a lookbehind
 *     of plain literals, an offset one of them ends at (next_start);
 *   - tnext(...) drops the triggers not followed by one of its words (the
 *     rule file vouches that the pattern needs one there);
 *   - tfollow(...) drops the before() triggers whose capitalised run is
 *     not followed by one of its words ("of", "for"; tfollow_ok);
 *   - tcapnext(...) drops the match starts (anchors, and tokens of a
 *     before() run) where no capitalised word or listed particle follows
 *     the first word (tcapnext_ok, a precheck kept per token);
 *   - prechecks: when the rule's group always starts where the match
 *     starts (group_at_start, read off the expanded pattern), conditions
 *     that look only at the group's first token (notfirst, okstart, cap,
 *     the "before" half of alone, ...) are checked on a candidate start
 *     token before PCRE2 runs; a start where one fails is skipped;
 *   - what one trigger's search learnt is kept for the rule's next
 *     triggers in the same document: spans where no match starts, and
 *     token starts whose match was rejected (before() triggers share runs);
 *   - word-list answers are cached per token and, per thread, per key hash
 *     (list_has): the big lexicon lists miss cache on every lookup; the
 *     same slot keeps what the key triggers (key_triggers, and the name
 *     lists at its first capitalised token: key_cap_lists), so the trigger
 *     pass asks the trigger table and the lists once per key, skips at
 *     once the tokens that fire nothing, and prefetches the slots ahead;
 *   - matches go through pcre2_jit_match when the pattern is JIT-compiled.
 *
 * After the patterns, a built-in step (rule 0, "acronym-def") looks for
 * "Long Form (ACR)" / "(ACR1 / ACR2)" after any candidate already in the
 * output list (gazetteer or rule) and emits the acronyms with the long
 * form's type and EG_CF_ACRONYM_DEF.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "match.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define WIN_BYTES 4096          /* a window of sentences for rules without on() */
#define MATCH_LIMIT 1000000     /* pcre2_set_match_limit per call */
#define DEPTH_LIMIT 20000       /* pcre2_set_depth_limit (interpreter) */
#define HEAP_LIMIT 8192         /* KiB, pcre2_set_heap_limit (interpreter) */
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)
#define MAX_RULES 65535

/* ---- rules ---- */

/* Conditions; each is checked on the token range of one capture group. */
enum {
    RC_GIVEN = 1, RC_NOTGIVEN, RC_SURNAME, RC_NAMELIKE, RC_NOTCOMMON, RC_OKSTART,
    RC_CAP, RC_SENTSTART, RC_NOTSENTSTART, RC_TITLE, RC_NOTITLE, RC_FIRST,
    RC_NOTFIRST, RC_LAST, RC_NOTLAST, RC_NONE, RC_PREV, RC_NOTPREV, RC_NEXT,
    RC_NOTNEXT, RC_MAXWORDS, RC_MINWORDS, RC_SOME, RC_NAMELAST, RC_ALONE, RC_NOTQUOTED
};

/* Ids of the word lists whose answers are cached per token (list_has):
 * 0-3 the lexicon lists given, surname, common and title; 4-15 the first
 * twelve %MACRO sets. Two bits an id in a token's answer word: asked, in. */
#define LC_IDS 16

/* What a condition takes: a group (optional), a list, a number. */
enum { RA_GROUP = 1, RA_LIST = 2, RA_NUM = 4 };

static const struct {
    const char *name;
    uint8_t op, args;
} cond_defs[] = {
    {"given", RC_GIVEN, RA_GROUP},
    {"notgiven", RC_NOTGIVEN, RA_GROUP},
    {"surname", RC_SURNAME, RA_GROUP},
    {"namelike", RC_NAMELIKE, RA_GROUP},
    {"namelast", RC_NAMELAST, RA_GROUP},
    {"alone", RC_ALONE, RA_GROUP},
    {"notquoted", RC_NOTQUOTED, RA_GROUP},
    {"notcommon", RC_NOTCOMMON, RA_GROUP},
    {"okstart", RC_OKSTART, RA_GROUP},
    {"cap", RC_CAP, RA_GROUP},
    {"sentstart", RC_SENTSTART, RA_GROUP},
    {"notsentstart", RC_NOTSENTSTART, RA_GROUP},
    {"title", RC_TITLE, RA_GROUP},  /* an optional %MACRO list is handled apart */
    {"notitle", RC_NOTITLE, RA_GROUP},
    {"first", RC_FIRST, RA_GROUP | RA_LIST},
    {"notfirst", RC_NOTFIRST, RA_GROUP | RA_LIST},
    {"last", RC_LAST, RA_GROUP | RA_LIST},
    {"notlast", RC_NOTLAST, RA_GROUP | RA_LIST},
    {"none", RC_NONE, RA_GROUP | RA_LIST},
    {"some", RC_SOME, RA_GROUP | RA_LIST},
    {"prev", RC_PREV, RA_GROUP | RA_LIST},
    {"notprev", RC_NOTPREV, RA_GROUP | RA_LIST},
    {"next", RC_NEXT, RA_GROUP | RA_LIST},
    {"notnext", RC_NOTNEXT, RA_GROUP | RA_LIST},
    {"maxwords", RC_MAXWORDS, RA_NUM},
    {"minwords", RC_MINWORDS, RA_NUM},
};

typedef struct {
    uint8_t op;
    uint8_t list;     /* EG_LEX_* for list conditions */
    uint8_t pre;      /* PRE_*: can be checked on the group's first token before matching */
    int16_t group;    /* capture group; -1 = the rule's group */
    int32_t num;      /* maxwords / minwords */
    int32_t set;      /* index into eg_rules.sets for a %MACRO list; -1 = lexicon */
    uint8_t lcid;     /* a precheck decided by one cached answer (LC_IDS id of
                         its list); LC_IDS when not (see pre_plan) */
} rcond;

typedef struct {
    char *name;            /* unique rule name */
    char *where;           /* "file:line" of the rule, for messages */
    pcre2_code *code;      /* NULL for the built-in rule */
    eg_type type;
    int16_t prio;
    int group;             /* capture group that is the entity span */
    uint16_t flags;        /* EG_CF_* */
    int strip;             /* strip(LIST): drop leading words in list strip-1 */
    rcond *conds;
    size_t nconds;
    int has_on;            /* ON_*: where the rule runs (0: every window) */
    int jit;               /* JIT-compiled: matched with pcre2_jit_match */
    int plain;             /* no \K, \G or (*VERB): a match is found the same
                              from any start offset before it, and ov[0] is
                              where it starts (what the memos rely on) */
    int nows;              /* the match never takes an ASCII white-space byte
                              and the group is the whole match (pattern_nows):
                              the after half of alone() is a precheck */
    int pre;               /* the group starts where the match starts and
                              some conditions have PRE_* set (prechecks) */
    uint16_t *pre_order;   /* the conditions with PRE_*, cheapest first */
    size_t npre;
    uint16_t *pre_rest;    /* those of them without an lcid, in the same order
                              (inside the pre_order allocation) */
    size_t npre_rest;
    uint16_t *acc_rest;    /* the conditions but the PRE_FIRST ones on the
                              rule's group, in order (same allocation) */
    size_t nacc_rest;
    uint32_t pre_ask;      /* the answer bits (LC_IDS) of the prechecks with an
                              lcid: when a token knows them all, */
    uint32_t pre_in0;      /* these must be 0 (not in the list) */
    uint32_t pre_in1;      /* and these 1 (in the list) */
    uint8_t first[32];     /* bytes that can start a match (PCRE2's first-byte
                              map, or its first code unit, or every byte) */
    uint8_t start_ok[256]; /* per byte: 1 when in `first` and not a UTF-8
                              continuation byte (where next_start may stop) */
    char *lb;              /* the pattern opens with (?<=lit|lit|...) of plain
                              ASCII literals: each NUL-terminated, "" ends */
    uint8_t lb_last[32];   /* last bytes of those literals */
    uint64_t *lb_tail;     /* per literal: its last 8 bytes, or all of a shorter
                              one at the end of 8 zero bytes */
    uint64_t *lb_mask;     /* per literal: the bytes of lb_tail that count */
    size_t *lb_len;        /* per literal: its length */
    uint64_t *lb_sorted;   /* when every literal has 8 bytes or more: their
                              lb_tail values in ascending order, NULL else */
    const char **lb_sptr;  /* the literal of each lb_sorted entry */
    size_t nlb;            /* number of literals */
    uint64_t *tnext;       /* tnext(...): key hashes of the words one of which
                              must follow a trigger token */
    size_t ntnext;
    char *tfollow;         /* tfollow(...): lower-case ASCII words, each
                              NUL-terminated, "" ends (see tfollow_ok) */
    uint32_t tfollow_first; /* bit c - 'a' for each first letter c of them */
    uint64_t *tcapnext;    /* tcapnext(...): each word's bytes (at most 7)
                              packed, its length in the top byte */
    size_t ntcapnext;
    uint32_t tcapnext_first; /* bit c - 'a' for each first letter c of them */
} rrule;

/* Prechecks. When the rule's group always starts where its match starts,
 * a match starting at word token u has u as the group's first token (and
 * first word), so every condition that looks only there can be checked
 * before running the pattern: a start where one fails gives a match the
 * conditions would reject, and is skipped (see next_start). */
enum {
    PRE_NONE = 0,
    PRE_FIRST,   /* decided by the first token: cond_holds(u, u + 1) is exact */
    PRE_ANY,     /* holds only if it holds on the first token alone (cap, none) */
    PRE_ALONE    /* alone(): its "nothing capitalised before" half */
};

/* Where a rule with triggers runs: on(...) the sentences holding a
 * trigger; after(...) anchored at the token after each trigger (a "." or
 * "," between skipped); at(...) anchored at each trigger token;
 * before(...) starting in the run of capitalised words, numbers and
 * connectors that ends at the trigger ("Supreme National Security
 * Council", "1979 revolution"), or at the trigger itself. */
enum { ON_SENT = 1, ON_AFTER = 2, ON_AT = 3, ON_BEFORE = 4 };

/* Trigger table: token key hash → chain of rules. */
typedef struct {
    uint64_t h;
    uint32_t head;         /* index+1 into trig_ent; 0 = empty slot */
} trig_slot;

typedef struct {
    uint32_t rule, next;   /* next: index+1, 0 = end */
    uint8_t mode;          /* the rule's ON_* (trig_mark) */
    uint8_t check;         /* 1: trig_may_run may drop the trigger (after(),
                              at(), tnext()); 0: it always runs */
} trig_ent;

struct eg_rules {
    rrule *v;
    size_t n, cap;
    eg_strmap names;       /* rule name → index */
    uint32_t max_groups;   /* most capture groups in any pattern */
    pcre2_compile_context *cc;
    trig_slot *tslots;
    size_t ntslots, ntkeys;
    uint64_t tbloom[1024]; /* one bit per 16 hash bits: most tokens are no trigger */
    trig_ent *tent;
    size_t ntent, tent_cap;
    uint32_t list_head[EG_LEX_NLISTS]; /* on(@list) chains (index+1) */
    uint32_t flag_head[4]; /* on(#flag) chains (index+1), see trig_flags */
    eg_lex *sets;          /* word sets made from macros (%NAME), list 0 of each */
    size_t nsets, sets_cap;
    eg_strmap set_by_body; /* macro body → index in sets: one set per body */
    int has_on;            /* some rule has on(...) */
};

/* ---- macros ----
 * Built-in macros, available in every file; a file's @define may shadow
 * them for that file. Bodies are wrapped in (?:...) when expanded. */
static const char *const builtin_macros[][2] = {
    /* an upper-case letter; the class first lets PCRE2 skip ahead to
     * candidate bytes (a bare \\p{Lu} start is several times slower).
     * ASCII capitals, the usual case, skip the \\p{Lu} lookbehind: the
     * first branch takes exactly A-Z whatever the caseless option, a
     * subset of what the second (the whole definition) takes, and the
     * atomic group keeps a failure from retrying the same letter in the
     * second, so the macro matches what the second branch alone does */
    {"UPC", "(?>(?-i:[A-Z])|[A-Z\\x{C0}-\\x{DE}\\x{100}-\\x{24F}\\x{370}-\\x{3FF}\\x{400}-\\x{52F}\\x{1E00}-\\x{1EFF}](?<=\\p{Lu}))"},
    /* one capitalised word: "Iran", "McDonald", "O'Brien", "Élysée". Its
     * body is the maximal run of letters, marks and digits, written as
     * runs of ASCII lower-case letters and digits (a byte range test, the
     * usual case) or one character of the whole class: both branches lie
     * inside the class and every character of the class is taken by one
     * of them, so the possessive loop ends where [\p{L}\p{M}\p{Nd}]*+
     * ends (under (?i) too: [a-z] then also takes K, the Kelvin sign and
     * the long s, all letters) */
    {"CAPW", "@UPC(?:[a-z0-9]++|[\\p{L}\\p{M}\\p{Nd}])*+(?:'\\p{Lu}[\\p{L}\\p{M}]*+)?"},
    /* a capitalised word or hyphenated compound: "Iran-Iraq", "Jean-Pierre" */
    /* ... and Persian ezafe links: "Mojahedin-e-Khalq", "Mujahedin-e Khalq" */
    {"CAP", "@CAPW(?:-(?:(?:e|ye)-)?@CAPW)*+(?:-(?:e|ye)(?=\\h+\\p{Lu}))?"},
    /* a lower-case word */
    {"LOW", "\\p{Ll}[\\p{L}\\p{M}]*+"},
    /* any word */
    {"WORD", "[\\p{L}\\p{Nd}][\\p{L}\\p{M}\\p{Nd}]*+"},
    /* an all-capitals acronym of 2 to 10 letters (digits allowed after the first) */
    {"ACR", "@UPC[\\p{Lu}\\p{Nd}&]{1,9}+(?![\\p{L}\\p{Nd}])"},
    /* an initial with its dot: "W." */
    {"INIT", "@UPC\\."},
    /* white space inside a line */
    {"SP", "\\h++"},
    /* word boundaries that treat letters, marks and digits as word characters */
    {"B", "(?<![\\p{L}\\p{M}\\p{Nd}])"},
    {"E", "(?![\\p{L}\\p{M}\\p{Nd}])"},
    /* name particles, lower case: "bin", "al", "van", "de" (a plain list:
     * tcapnext(%PART) reads its words; patterns get PART_PATTERN) */
    {"PART", "(?:al|el|ad|as|ash|bin|ibn|bint|ben|abu|de|da|di|do|du|del|della|der|den|des|dos|das|la|le|van|von|ter|zu|y)"},
    /* months and weekdays (never names on their own) */
    /* (months and weekdays by first letters: PCRE2 tries the alternatives
     * one by one, and the final check lets at most one of them match, so
     * their order does not matter: January|February|March|April|May|June|
     * July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|
     * Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|
     * Saturday|Sunday; each shared prefix is tried once) */
    {"DATEWORD", "(?:J(?:a(?:nuary|n)|u(?:ne|ly|n|l))|F(?:eb(?:ruary|)|riday)|M(?:a(?:rch|y|r)|onday)|"
                 "A(?:pr(?:il|)|ug(?:ust|))|S(?:ep(?:tember|t|)|aturday|unday)|Oct(?:ober|)|Nov(?:ember|)|"
                 "Dec(?:ember|)|T(?:uesday|hursday)|Wednesday)(?![\\p{L}\\p{M}\\p{Nd}])"},
};
#define NBUILTIN (sizeof builtin_macros / sizeof builtin_macros[0])

/* What @PART expands to in a pattern: the list grouped by first letters,
 * each group in the list's order. Branches with different first letters
 * never match at the same place, so the branches that match, and the
 * order PCRE2 takes them in, are those of the plain list; it only tries
 * a few branches at a word instead of 27. */
#define PART_PATTERN "(?:a(?:l|d|s|sh|bu)|el|b(?:in|int|en)|ibn|d(?:e|a|i|o|u|el|ella|er|en|es|os|as)|l(?:a|e)|v(?:an|on)|ter|zu|y)"

/* One defined macro of the file being loaded (already expanded). */
typedef struct {
    char *name;
    char *body;
    size_t len;
} rmacro;

/* A position in a rules file, for messages. */
typedef struct {
    uint32_t line, col;
} srcpos;

/* Pattern text being assembled, with the file position of each byte. */
typedef struct {
    eg_buf b;
    srcpos *pos;
    size_t pos_cap;
} ptext;

/* Everything the loader needs for one file. */
typedef struct {
    eg_rules *r;
    const char *file;
    rmacro *mac;
    size_t nmac, mac_cap;
    eg_err *e;
} loader;

static void ptext_free(ptext *p)
{
    eg_buf_free(&p->b);
    eg_free(p->pos);
    p->pos = NULL;
    p->pos_cap = 0;
}

static int ptext_add(ptext *p, const char *s, size_t n, uint32_t line, uint32_t col, int fixed)
{
    size_t i, at = p->b.len;
    if (EG_GROW(p->pos, p->pos_cap, at + n + 1) || eg_buf_add(&p->b, s, n))
        return EG_ENOMEM;
    for (i = 0; i < n; i++) {
        p->pos[at + i].line = line;
        p->pos[at + i].col = fixed ? col : col + (uint32_t)i;
    }
    return EG_OK;
}

static int is_ident0(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_ident(int c) { return is_ident0(c) || (c >= '0' && c <= '9'); }

static const char *find_macro(const loader *L, const char *name, size_t n, size_t *blen, int *builtin)
{
    size_t i;
    for (i = L->nmac; i-- > 0;)
        if (strlen(L->mac[i].name) == n && memcmp(L->mac[i].name, name, n) == 0) {
            *blen = L->mac[i].len;
            *builtin = 0;
            return L->mac[i].body;
        }
    for (i = 0; i < NBUILTIN; i++)
        if (strlen(builtin_macros[i][0]) == n && memcmp(builtin_macros[i][0], name, n) == 0) {
            *builtin = 1;
            *blen = strlen(builtin_macros[i][1]);
            return builtin_macros[i][1];
        }
    return NULL;
}

/* Expands @NAME references in `in` into `out`. Bytes that come from a macro
 * take the position of the reference. Built-in bodies may refer to other
 * built-ins (expanded recursively, depth-limited). */
static int expand(loader *L, const char *s, size_t n, const srcpos *pos, ptext *out, int depth)
{
    size_t i = 0;
    if (depth > 8)
        return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: macros nested too deeply", L->file,
                          pos[0].line, pos[0].col);
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n) {
            if (ptext_add(out, s + i, 2, pos[i].line, pos[i].col, 0))
                return eg_err_nomem(L->e);
            i += 2;
        } else if (s[i] == '@' && i + 1 < n &&
                   (is_ident0((unsigned char)s[i + 1]) ||
                    (s[i + 1] == '{' && i + 2 < n && is_ident0((unsigned char)s[i + 2])))) {
            /* @NAME, or @{NAME} when a letter follows ("@{B}Camp") */
            int brace = s[i + 1] == '{';
            size_t nb = i + 1 + (size_t)brace, j = nb, blen;
            const char *body;
            int builtin;
            while (j < n && is_ident((unsigned char)s[j]))
                j++;
            if (brace && (j == n || s[j] != '}'))
                return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: missing } after @{%.*s", L->file, pos[i].line,
                                  pos[i].col, (int)(j - nb), s + nb);
            body = find_macro(L, s + nb, j - nb, &blen, &builtin);
            if (!body)
                return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown macro @%.*s", L->file,
                                  pos[i].line, pos[i].col, (int)(j - nb), s + nb);
            if (builtin && j - nb == 4 && memcmp(s + nb, "PART", 4) == 0) {
                body = PART_PATTERN;
                blen = strlen(PART_PATTERN);
            }
            if (brace)
                j++;
            if (ptext_add(out, "(?:", 3, pos[i].line, pos[i].col, 1))
                return eg_err_nomem(L->e);
            if (builtin) {
                srcpos *bp = eg_malloc((blen + 1) * sizeof *bp);
                size_t k;
                int rc;
                if (!bp)
                    return eg_err_nomem(L->e);
                for (k = 0; k < blen; k++)
                    bp[k] = pos[i];
                rc = expand(L, body, blen, bp, out, depth + 1);
                eg_free(bp);
                if (rc)
                    return rc;
            } else if (ptext_add(out, body, blen, pos[i].line, pos[i].col, 1)) {
                return eg_err_nomem(L->e);
            }
            if (ptext_add(out, ")", 1, pos[i].line, pos[i].col, 1))
                return eg_err_nomem(L->e);
            i = j;
        } else {
            if (ptext_add(out, s + i, 1, pos[i].line, pos[i].col, 0))
                return eg_err_nomem(L->e);
            i++;
        }
    }
    if (eg_buf_add(&out->b, "", 0))
        return eg_err_nomem(L->e);
    return EG_OK;
}

#define RULE_OPTS (PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE | PCRE2_USE_OFFSET_LIMIT)

/* Compiles an expanded pattern; errors point into the file. */
static pcre2_code *compile(loader *L, const ptext *p)
{
    int errcode;
    PCRE2_SIZE off;
    pcre2_code *c;
    if (!L->r->cc && !(L->r->cc = pcre2_compile_context_create(NULL))) {
        eg_err_nomem(L->e);
        return NULL;
    }
    c = pcre2_compile((PCRE2_SPTR)(p->b.p ? p->b.p : ""), p->b.len, RULE_OPTS, &errcode, &off, L->r->cc);
    if (!c) {
        PCRE2_UCHAR msg[256];
        srcpos at = {0, 0};
        if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
            strcpy((char *)msg, "unknown PCRE2 error");
        if (p->b.len) {
            if (off < p->b.len) {
                at = p->pos[off];
            } else {
                at = p->pos[p->b.len - 1];
                at.col++;
            }
        }
        eg_err_set(L->e, errcode == PCRE2_ERROR_NOMEMORY ? EG_ENOMEM : EG_EDATA, "%s:%u:%u: %s",
                   L->file, at.line, at.col, (const char *)msg);
        return NULL;
    }
    return c;
}

/* ---- the rule line parser ---- */

/* A field of a logical line: bytes and the position of its first byte. */
typedef struct {
    const char *s;
    size_t n;
    uint32_t line, col;
} field;

static int parse_type(const char *s, size_t n, eg_type *t)
{
    static const char *const names[EG_NTYPES] = {"PERSON", "ORG", "PLACE", "EVENT"};
    int i;
    size_t k;
    for (i = 0; i < EG_NTYPES; i++) {
        if (strlen(names[i]) != n)
            continue;
        for (k = 0; k < n; k++)
            if ((s[k] & ~0x20) != names[i][k])
                break;
        if (k == n) {
            *t = (eg_type)i;
            return 1;
        }
    }
    return 0;
}

static int parse_int(const char *s, size_t n, long lo, long hi, long *out)
{
    size_t i = 0;
    long v = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 9)
        return 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (neg)
        v = -v;
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* A group by number or name; -1 on failure. */
static int group_ref(const pcre2_code *c, const char *s, size_t n)
{
    long v;
    uint32_t ncap = 0;
    char name[64];
    int k;
    pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &ncap);
    if (parse_int(s, n, 0, 65535, &v))
        return v <= (long)ncap ? (int)v : -1;
    if (n == 0 || n >= sizeof name)
        return -1;
    memcpy(name, s, n);
    name[n] = 0;
    k = pcre2_substring_number_from_name(c, (PCRE2_SPTR)name);
    return k > 0 ? k : -1;
}

static int trig_add_key(eg_rules *r, uint64_t h, uint32_t rule)
{
    size_t i, mask;
    trig_ent *te;
    if ((r->ntkeys + 1) * 2 > r->ntslots) {
        size_t n = r->ntslots ? r->ntslots * 2 : 64, j;
        trig_slot *ns = eg_calloc(n, sizeof *ns);
        if (!ns)
            return EG_ENOMEM;
        for (j = 0; j < r->ntslots; j++) {
            if (!r->tslots[j].head)
                continue;
            i = (size_t)(r->tslots[j].h ^ (r->tslots[j].h >> 31)) & (n - 1);
            while (ns[i].head)
                i = (i + 1) & (n - 1);
            ns[i] = r->tslots[j];
        }
        eg_free(r->tslots);
        r->tslots = ns;
        r->ntslots = n;
    }
    if (EG_GROW(r->tent, r->tent_cap, r->ntent + 1))
        return EG_ENOMEM;
    mask = r->ntslots - 1;
    i = (size_t)(h ^ (h >> 31)) & mask;
    while (r->tslots[i].head && r->tslots[i].h != h)
        i = (i + 1) & mask;
    r->tbloom[(h >> 48) >> 6] |= 1ull << ((h >> 48) & 63);
    te = &r->tent[r->ntent++];
    te->rule = rule;
    te->mode = te->check = 0;
    te->next = r->tslots[i].head;
    if (!r->tslots[i].head)
        r->ntkeys++;
    r->tslots[i].h = h;
    r->tslots[i].head = (uint32_t)r->ntent;
    return EG_OK;
}

static uint32_t trig_find(const eg_rules *r, uint64_t h)
{
    size_t i, mask;
    if (!r->ntslots || !(r->tbloom[(h >> 48) >> 6] & (1ull << ((h >> 48) & 63))))
        return 0;
    mask = r->ntslots - 1;
    i = (size_t)(h ^ (h >> 31)) & mask;
    while (r->tslots[i].head) {
        if (r->tslots[i].h == h)
            return r->tslots[i].head;
        i = (i + 1) & mask;
    }
    return 0;
}

static int is_wordbyte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 || c == '\'';
}

/* on(%MACRO): every plain word of the macro's pattern becomes a trigger.
 * The pattern is cut at each '|'; in each piece, a run of letters is a
 * plain word unless it touches a class, a quantifier or other syntax that
 * could change it ("Guards?" and "Defen[cs]e" are not plain; "Mr\.?",
 * "Vice\h+President" give plain words). Every piece must give at least
 * one, so that any match of the macro holds a trigger word. */
static int on_macro_words(loader *L, const field *f, const char *b, size_t n, uint32_t ri, int mode, eg_buf *kb)
{
    size_t i = 0, words = 0, piece = 0, lastw = 0, lastn = 0;
    while (i <= n) {
        unsigned char c = i < n ? (unsigned char)b[i] : '|';
        if (c == '|') {
            if (!words)
                return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: on(%%...): alternative %zu of the macro has no plain word",
                                  L->file, f->line, f->col, piece + 1);
            if (mode == ON_AFTER || mode == ON_BEFORE) {
                /* the last word of the alternative is the one next to the match */
                eg_buf_reset(kb);
                if (eg_fold_key(kb, b + lastw, lastn) || trig_add_key(L->r, eg_hash(kb->p ? kb->p : "", kb->len), ri))
                    return eg_err_nomem(L->e);
            }
            words = 0;
            piece++;
            i++;
        } else if (c == '\\') {
            i += 2;
            if (i <= n && i - 1 < n && (b[i - 1] == 'p' || b[i - 1] == 'P' || b[i - 1] == 'x') && i < n && b[i] == '{')
                while (i < n && b[i] != '}')
                    i++;
        } else if (c == '[') {
            while (i < n && b[i] != ']')
                i += b[i] == '\\' ? 2 : 1;
            i++;
        } else if (c == '(' && i + 1 < n && b[i + 1] == '?') {
            i += 2;
            while (i < n && b[i] != ':' && b[i] != ')' && b[i] != '|')
                i++;
            if (i < n && b[i] == ':')
                i++;
        } else if (is_wordbyte(c)) {
            size_t j = i;
            int plain;
            while (j < n && is_wordbyte((unsigned char)b[j]))
                j++;
            plain = !(i > 0 && (b[i - 1] == ']' || b[i - 1] == ')' || b[i - 1] == '}')) &&
                    !(j < n && strchr("?*{[(", b[j]));
            if (plain) {
                /* on(): every word; at(): the first of the alternative */
                if (mode == ON_SENT || (mode == ON_AT && !words)) {
                    eg_buf_reset(kb);
                    if (eg_fold_key(kb, b + i, j - i) ||
                        trig_add_key(L->r, eg_hash(kb->p ? kb->p : "", kb->len), ri))
                        return eg_err_nomem(L->e);
                }
                lastw = i;
                lastn = j - i;
                words++;
            }
            i = j;
        } else {
            i++;
        }
    }
    return EG_OK;
}

/* Token flags usable as triggers: on(#dotted) fires at "H.", "U.S.". */
static const struct {
    const char *name;
    unsigned kind, flags; /* kind 0: any */
} trig_flags[4] = {{"dotted", EG_TK_WORD, EG_TF_DOTTED},
                   {"allcap", EG_TK_WORD, EG_TF_ALLCAP},
                   {"cap", EG_TK_WORD, EG_TF_CAP},
                   {"number", EG_TK_NUM, 0}};

/* on(word|word|@list|%MACRO|#flag): registers the triggers of rule `ri`. */
static int parse_on(loader *L, const field *f, const char *s, size_t n, uint32_t ri, int mode)
{
    eg_rules *r = L->r;
    eg_buf kb = {0};
    size_t i = 0;
    int rc = EG_OK;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        if (j == i) {
            rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: empty word in on(...)", L->file, f->line, f->col);
            goto out;
        }
        if (s[i] == '%') {
            size_t blen;
            int builtin;
            const char *body = find_macro(L, s + i + 1, j - i - 1, &blen, &builtin);
            if (!body) {
                rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown macro '%.*s' in on(...)", L->file, f->line,
                                f->col, (int)(j - i - 1), s + i + 1);
                goto out;
            }
            if ((rc = on_macro_words(L, f, body, blen, ri, mode, &kb)))
                goto out;
        } else if (s[i] == '#') {
            int k;
            for (k = 0; k < 4; k++)
                if (strlen(trig_flags[k].name) == j - i - 1 && memcmp(trig_flags[k].name, s + i + 1, j - i - 1) == 0)
                    break;
            if (k == 4) {
                rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown token flag '%.*s' in on(...) (dotted, allcap, "
                                "cap, number)", L->file, f->line, f->col, (int)(j - i - 1), s + i + 1);
                goto out;
            }
            if (EG_GROW(r->tent, r->tent_cap, r->ntent + 1)) {
                rc = eg_err_nomem(L->e);
                goto out;
            }
            r->tent[r->ntent].rule = ri;
            r->tent[r->ntent].mode = r->tent[r->ntent].check = 0;
            r->tent[r->ntent].next = r->flag_head[k];
            r->flag_head[k] = (uint32_t)++r->ntent;
        } else if (s[i] == '@') {
            int list = eg_lex_list_by_name(s + i + 1, j - i - 1);
            if (list < 0) {
                rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown word list '%.*s' in on(...)",
                                L->file, f->line, f->col, (int)(j - i - 1), s + i + 1);
                goto out;
            }
            if (EG_GROW(r->tent, r->tent_cap, r->ntent + 1)) {
                rc = eg_err_nomem(L->e);
                goto out;
            }
            r->tent[r->ntent].rule = ri;
            r->tent[r->ntent].mode = r->tent[r->ntent].check = 0;
            r->tent[r->ntent].next = r->list_head[list];
            r->list_head[list] = (uint32_t)++r->ntent;
        } else {
            eg_buf_reset(&kb);
            if (eg_fold_key(&kb, s + i, j - i) || trig_add_key(r, eg_hash(kb.p ? kb.p : "", kb.len), ri)) {
                rc = eg_err_nomem(L->e);
                goto out;
            }
        }
        i = j + 1;
    }
out:
    eg_buf_free(&kb);
    return rc;
}

/* %MACRO as a word list: the macro must be an alternation of plain words
 * or phrases ("Mr|Dr|Prime\\h+Minister|Vice-President", optionally inside
 * one (?:...) or (?i:...) and with "\\.?" after a word). Each alternative is
 * added like a lexicon line (folded, words joined by one space, tail
 * markers for phrases), so title() and first() look it up by key hash. */
static int macro_set(loader *L, const field *f, const char *name, size_t nn, int32_t *out)
{
    eg_rules *r = L->r;
    size_t blen, i, depth = 0, alt = 0, a0;
    int builtin, rc = EG_OK;
    const char *b = find_macro(L, name, nn, &blen, &builtin);
    eg_buf w = {0};
    eg_lex *set;
    uint32_t *known;
    if (!b)
        return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown macro '%%%.*s' as a word list", L->file, f->line,
                          f->col, (int)nn, name);
    /* a macro body already made into a set (the same list in many
     * conditions) shares it */
    if ((known = eg_strmap_get(&r->set_by_body, b, blen))) {
        *out = (int32_t)*known;
        return EG_OK;
    }
    if (EG_GROW(r->sets, r->sets_cap, r->nsets + 1))
        return eg_err_nomem(L->e);
    set = &r->sets[r->nsets];
    memset(set, 0, sizeof *set);
    /* one outer group */
    if (blen >= 4 && b[0] == '(' && b[1] == '?' && b[blen - 1] == ')') {
        size_t k = 2;
        while (k < blen && b[k] != ':')
            k++;
        if (k < blen) { /* "(?i)" has no ':': nothing to strip (blen would wrap) */
            b += k + 1;
            blen -= k + 2;
        }
    }
    a0 = 0;
    for (i = 0; i <= blen && !rc; i++) {
        char c = i < blen ? b[i] : '|';
        if (c == '(')
            depth++;
        else if (c == ')' && depth)
            depth--;
        if (c != '|' || depth)
            continue;
        alt++;
        /* alternative [a0, i) → phrase */
        eg_buf_reset(&w);
        {
            size_t k = a0;
            int ok = 1;
            while (k < i && ok) {
                char x = b[k];
                if (x == '\\' && k + 1 < i && (b[k + 1] == 'h' || b[k + 1] == 's')) {
                    k += 2;
                    if (k < i && (b[k] == '+' || b[k] == '*'))
                        k++;
                    ok = !eg_buf_addc(&w, ' ');
                } else if (x == '\\' && k + 1 < i && b[k + 1] == '.') {
                    k += 2;
                    if (k < i && b[k] == '?')
                        k++;
                } else if (is_wordbyte((unsigned char)x) || x == ' ' || x == '-') {
                    ok = !eg_buf_addc(&w, x);
                    k++;
                } else {
                    ok = 0;
                }
            }
            if (!ok || !w.len) {
                rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: macro %.*s used as a word list: alternative %zu is "
                                "not a plain word or phrase", L->file, f->line, f->col, (int)nn, name, alt);
                break;
            }
            if (eg_lex_add(set, 0, w.p, w.len))
                rc = eg_err_nomem(L->e);
        }
        a0 = i + 1;
    }
    eg_buf_free(&w);
    if (!rc) {
        size_t klen;
        const char *key = find_macro(L, name, nn, &klen, &builtin);
        if (eg_strmap_put(&r->set_by_body, key, klen, (uint32_t)r->nsets, NULL, NULL))
            rc = eg_err_nomem(L->e);
    }
    if (rc) {
        eg_lex_free(set);
        return rc;
    }
    *out = (int32_t)r->nsets++;
    return EG_OK;
}

/* The words of tfollow() / tcapnext(): "w1|w2|..." or "%MACRO" whose body
 * is such a list (in "(?:...)"), each word lower-case ASCII letters. Sets
 * *out to the words, each NUL-terminated, "" ending them. Returns 0, 1
 * when the list is not of that form, or < 0 (out of memory). */
static int word_bytes(loader *L, const char *s, size_t n, char **out)
{
    size_t a, w = 0;
    if (n > 1 && s[0] == '%') {
        int builtin;
        if (!(s = find_macro(L, s + 1, n - 1, &n, &builtin)))
            return 1;
        while (n >= 4 && memcmp(s, "(?:", 3) == 0 && s[n - 1] == ')') {
            s += 3;
            n -= 4;
        }
    }
    if (!n)
        return 1;
    for (a = 0; a < n; a++)
        if (!((s[a] >= 'a' && s[a] <= 'z') || (s[a] == '|' && a > 0 && a + 1 < n && s[a + 1] != '|')))
            return 1;
    if (!(*out = eg_malloc(n + 2)))
        return eg_err_nomem(L->e);
    for (a = 0; a < n; a++)
        (*out)[w++] = s[a] == '|' ? 0 : s[a];
    (*out)[w++] = 0;
    (*out)[w] = 0;
    return 0;
}

/* Bit c - 'a' for each first letter c of words as word_bytes gives them
 * (lower-case ASCII letters, each NUL-terminated, "" ending them). */
static uint32_t first_letters(const char *w)
{
    uint32_t v = 0;
    for (; *w; w += strlen(w) + 1)
        v |= 1u << (*w - 'a');
    return v;
}

/* The conditions field: "-" or a comma list of items "name" or "name(args)". */
static int parse_conds(loader *L, rrule *ru, const field *f, uint32_t ri)
{
    const char *s = f->s;
    size_t n = f->n, i = 0;
    if (n == 1 && s[0] == '-')
        return EG_OK;
    while (i < n) {
        size_t nb = i, ne, ab = 0, ae = 0, k;
        const char *args[2];
        size_t argn[2];
        int nargs = 0;
        while (i < n && (is_ident((unsigned char)s[i])))
            i++;
        ne = i;
        if (ne == nb)
            goto bad;
        if (i < n && s[i] == '(') {
            ab = ++i;
            while (i < n && s[i] != ')')
                i++;
            if (i == n)
                goto bad;
            ae = i++;
        }
        if (i < n && s[i] != ',')
            goto bad;
        i++;
#define IS(w) (ne - nb == strlen(w) && memcmp(s + nb, w, ne - nb) == 0)
        if (IS("weak")) {
            ru->flags |= EG_CF_WEAK;
            continue;
        }
        if (IS("acronym")) {
            ru->flags |= EG_CF_ACRONYM_DEF;
            continue;
        }
        if (IS("on") || IS("after") || IS("at") || IS("before")) {
            int rc, mode = IS("on") ? ON_SENT : IS("after") ? ON_AFTER : IS("at") ? ON_AT : ON_BEFORE;
            if (ae <= ab)
                goto bad;
            if (ru->has_on && ru->has_on != mode)
                return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: on(), after() and at() do not mix in one rule",
                                  L->file, f->line, f->col + (uint32_t)nb);
            if ((rc = parse_on(L, f, s + ab, ae - ab, ri, mode)))
                return rc;
            ru->has_on = mode;
            L->r->has_on = 1;
            continue;
        }
        if (IS("tnext")) {
            /* tnext(w1|w2|...): the words one of which follows a trigger */
            size_t a = ab, b, cap = ru->ntnext;
            eg_buf kb = {0};
            if (ae <= ab)
                goto bad;
            while (a <= ae) {
                for (b = a; b < ae && s[b] != '|'; b++)
                    ;
                if (b == a) {
                    eg_buf_free(&kb);
                    goto bad;
                }
                eg_buf_reset(&kb);
                if (EG_GROW(ru->tnext, cap, ru->ntnext + 1) || eg_fold_key(&kb, s + a, b - a)) {
                    eg_buf_free(&kb);
                    return eg_err_nomem(L->e);
                }
                ru->tnext[ru->ntnext++] = eg_hash(kb.p ? kb.p : "", kb.len);
                a = b + 1;
            }
            eg_buf_free(&kb);
            continue;
        }
        if (IS("tfollow")) {
            /* lower-case ASCII words, kept as bytes */
            int rc;
            if (ru->tfollow)
                goto bad;
            if ((rc = word_bytes(L, s + ab, ae - ab, &ru->tfollow)) < 0)
                return rc;
            if (rc)
                goto bad;
            ru->tfollow_first = first_letters(ru->tfollow);
            continue;
        }
        if (IS("tcapnext")) {
            /* lower-case ASCII words of up to 7 letters, packed */
            char *w = NULL, *p;
            size_t cap = 0;
            int rc;
            if (ru->tcapnext)
                goto bad;
            if ((rc = word_bytes(L, s + ab, ae - ab, &w)) < 0)
                return rc;
            for (p = w; !rc && *p; p += strlen(p) + 1) {
                size_t wn = strlen(p), j;
                uint64_t v = (uint64_t)wn << 56;
                if (wn > 7) {
                    rc = 1;
                    break;
                }
                for (j = 0; j < wn; j++)
                    v |= (uint64_t)(unsigned char)p[j] << (8 * j);
                if (EG_GROW(ru->tcapnext, cap, ru->ntcapnext + 1)) {
                    eg_free(w);
                    return eg_err_nomem(L->e);
                }
                ru->tcapnext[ru->ntcapnext++] = v;
                ru->tcapnext_first |= 1u << (p[0] - 'a');
            }
            eg_free(w);
            if (rc)
                goto bad;
            continue;
        }
        if (IS("strip")) {
            int list = ae > ab ? eg_lex_list_by_name(s + ab, ae - ab) : EG_LEX_COMMON;
            if (list < 0)
                goto bad;
            ru->strip = list + 1;
            continue;
        }
        /* split args at one comma */
        if (ae > ab) {
            const char *c = memchr(s + ab, ',', ae - ab);
            args[0] = s + ab;
            argn[0] = c ? (size_t)(c - (s + ab)) : ae - ab;
            nargs = 1;
            if (c) {
                args[1] = c + 1;
                argn[1] = (size_t)(s + ae - (c + 1));
                nargs = 2;
            }
        }
        for (k = 0; k < sizeof cond_defs / sizeof cond_defs[0]; k++)
            if (IS(cond_defs[k].name))
                break;
#undef IS
        if (k == sizeof cond_defs / sizeof cond_defs[0]) {
            return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown condition '%.*s'", L->file, f->line,
                              f->col + (uint32_t)nb, (int)(ne - nb), s + nb);
        } else {
            rcond c = {cond_defs[k].op, 0, PRE_NONE, -1, 0, -1, LC_IDS};
            int a = 0;
            if (cond_defs[k].args & RA_NUM) {
                long v;
                if (nargs != 1 || !parse_int(args[0], argn[0], 0, 1000, &v))
                    goto bad;
                c.num = (int32_t)v;
            } else {
                /* [group][,list] */
                int want_list = !!(cond_defs[k].args & RA_LIST);
                if (nargs == 2 || (nargs == 1 && !want_list && args[0][0] != '%')) {
                    int g = group_ref(ru->code, args[0], argn[0]);
                    if (g < 0)
                        return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: no group '%.*s' in the pattern",
                                          L->file, f->line, f->col + (uint32_t)ab, (int)argn[0], args[0]);
                    c.group = (int16_t)g;
                    a = 1;
                }
                if ((want_list || cond_defs[k].op == RC_TITLE || cond_defs[k].op == RC_NOTITLE) && nargs > a &&
                    args[a][0] == '%') {
                    int rc = macro_set(L, f, args[a] + 1, argn[a] - 1, &c.set);
                    if (rc)
                        return rc;
                } else if (want_list) {
                    int list = nargs > a ? eg_lex_list_by_name(args[a], argn[a]) : -1;
                    if (list < 0)
                        return eg_err_set(L->e, EG_EDATA,
                                          "%s:%u:%u: %.*s needs a word list (given, surname, common, title)",
                                          L->file, f->line, f->col + (uint32_t)nb, (int)(ne - nb), s + nb);
                    c.list = (uint8_t)list;
                } else if (nargs > a) {
                    goto bad;
                }
            }
            if (c.group < 0 || c.group == ru->group) {
                switch (c.op) {
                case RC_GIVEN: case RC_NOTGIVEN: case RC_NOTCOMMON: case RC_OKSTART: case RC_SENTSTART:
                case RC_NOTSENTSTART: case RC_TITLE: case RC_NOTITLE: case RC_FIRST: case RC_NOTFIRST:
                case RC_PREV: case RC_NOTPREV: case RC_NOTQUOTED:
                    c.pre = PRE_FIRST;
                    break;
                case RC_CAP: case RC_NONE:
                    c.pre = PRE_ANY;
                    break;
                case RC_ALONE:
                    c.pre = PRE_ALONE;
                    break;
                }
            }
            {
                rcond *nc = eg_realloc(ru->conds, (ru->nconds + 1) * sizeof *nc);
                if (!nc)
                    return eg_err_nomem(L->e);
                ru->conds = nc;
                ru->conds[ru->nconds++] = c;
            }
        }
        continue;
    bad:
        return eg_err_set(L->e, EG_EDATA, "%s:%u:%u: bad condition list near '%.*s'", L->file, f->line,
                          f->col + (uint32_t)nb, (int)(n - nb > 30 ? 30 : n - nb), s + nb);
    }
    return EG_OK;
}

static void rule_clear(rrule *ru)
{
    eg_free(ru->name);
    eg_free(ru->where);
    pcre2_code_free(ru->code);
    eg_free(ru->conds);
    eg_free(ru->pre_order);
    eg_free(ru->lb);
    eg_free(ru->lb_tail);
    eg_free(ru->lb_mask);
    eg_free(ru->lb_len);
    eg_free(ru->lb_sorted);
    eg_free(ru->lb_sptr);
    eg_free(ru->tnext);
    eg_free(ru->tfollow);
    eg_free(ru->tcapnext);
    memset(ru, 0, sizeof *ru);
}

/* Adds the built-in acronym rule as rule 0 on first use. */
static int rules_init(eg_rules *r)
{
    rrule *ru;
    if (r->n)
        return EG_OK;
    if (EG_GROW(r->v, r->cap, 1))
        return EG_ENOMEM;
    ru = &r->v[0];
    memset(ru, 0, sizeof *ru);
    ru->name = eg_strdup("acronym-def");
    ru->where = eg_strdup("(built-in)");
    if (!ru->name || !ru->where || eg_strmap_put(&r->names, "acronym-def", 11, 0, NULL, NULL)) {
        rule_clear(ru);
        return EG_ENOMEM;
    }
    ru->type = EG_ORG;
    ru->flags = EG_CF_ACRONYM_DEF;
    r->n = 1;
    return EG_OK;
}

/* Splits a line at runs of tabs. Returns the number of fields found (at
 * most max); the last field takes the rest of the line. */
static size_t split_tabs(const char *s, size_t n, uint32_t line, field *f, size_t max)
{
    size_t i = 0, k = 0;
    while (i < n && k < max) {
        size_t j = i;
        if (k == max - 1) {
            j = n;
        } else {
            while (j < n && s[j] != '\t')
                j++;
        }
        f[k].s = s + i;
        f[k].n = j - i;
        f[k].line = line;
        f[k].col = (uint32_t)i + 1;
        k++;
        while (j < n && s[j] == '\t')
            j++;
        i = j;
    }
    return k;
}

/* A logical line: the first physical line plus continuation lines. */
typedef struct {
    const char *s;
    size_t n;
    uint32_t line;
    field cont[64];        /* continuation segments */
    size_t ncont;
} lline;

/* Builds the raw pattern (first part plus continuations) with positions. */
static int raw_pattern(loader *L, const field *first, const lline *ll, ptext *raw)
{
    size_t k;
    if (ptext_add(raw, first->s, first->n, first->line, first->col, 0))
        return eg_err_nomem(L->e);
    for (k = 0; k < ll->ncont; k++)
        if (ptext_add(raw, ll->cont[k].s, ll->cont[k].n, ll->cont[k].line, ll->cont[k].col, 0))
            return eg_err_nomem(L->e);
    return EG_OK;
}

static int do_define(loader *L, const lline *ll)
{
    const char *s = ll->s + 7; /* after "@define" */
    size_t n = ll->n - 7, i = 0, nb;
    field body;
    ptext raw = {0}, exp = {0};
    rmacro *m;
    pcre2_code *c = NULL;
    int rc = EG_OK;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    nb = i;
    while (i < n && is_ident((unsigned char)s[i]))
        i++;
    if (i == nb || !is_ident0((unsigned char)s[nb]) || i == n || (s[i] != ' ' && s[i] != '\t'))
        return eg_err_set(L->e, EG_EDATA, "%s:%u: @define needs a NAME and a pattern", L->file, ll->line);
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    body.s = s + i;
    body.n = n - i;
    body.line = ll->line;
    body.col = (uint32_t)(7 + i + 1);
    if ((rc = raw_pattern(L, &body, ll, &raw)))
        goto out;
    if ((rc = expand(L, raw.b.p, raw.b.len, raw.pos, &exp, 0)))
        goto out;
    /* compile alone, so that errors point into the definition */
    if (!(c = compile(L, &exp))) {
        rc = L->e->code;
        goto out;
    }
    if (EG_GROW(L->mac, L->mac_cap, L->nmac + 1)) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    m = &L->mac[L->nmac];
    m->name = eg_strndup(s + nb, (size_t)(i - nb));
    m->body = eg_strndup(exp.b.p, exp.b.len);
    m->len = exp.b.len;
    if (!m->name || !m->body) {
        eg_free(m->name);
        eg_free(m->body);
        rc = eg_err_nomem(L->e);
        goto out;
    }
    /* trim the name at its end (s + nb .. first blank) */
    m->name[strcspn(m->name, " \t")] = 0;
    L->nmac++;
out:
    pcre2_code_free(c);
    ptext_free(&raw);
    ptext_free(&exp);
    return rc;
}

/* ru->start_ok from ru->first: the bytes a match can start with that also
 * begin a character (next_start then tests one byte, not a bit and the
 * continuation mask). */
static void start_table(rrule *ru)
{
    unsigned c;
    for (c = 0; c < 256; c++)
        ru->start_ok[c] = (uint8_t)((ru->first[c >> 3] >> (c & 7) & 1) && (c & 0xC0) != 0x80);
}

/* The bytes a match can start with: PCRE2's first-byte map; else its first
 * code unit, with the other case and every non-ASCII lead byte (the pattern
 * may be caseless, and PCRE2 does not say); else every byte. */
static void first_map(const pcre2_code *c, uint8_t map[32])
{
    const uint8_t *bm = NULL;
    uint32_t type = 0, cu = 0;
    if (pcre2_pattern_info(c, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm) {
        memcpy(map, bm, 32);
        return;
    }
    memset(map, 0xFF, 32);
    if (pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 || type != 1 ||
        pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODEUNIT, &cu) != 0 || cu > 0x7F)
        return;
    memset(map, 0, 16); /* ASCII: only the code unit and its other case */
    map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
    if ((cu | 0x20) >= 'a' && (cu | 0x20) <= 'z') {
        cu ^= 0x20;
        map[cu >> 3] |= (uint8_t)(1u << (cu & 7));
    }
}

/* Skips the group that opens at s[i] ('('): escapes, classes and nested
 * groups inside. Returns the index after its ')' (n when unbalanced); sets
 * *cap when a capture group opens inside (or is the group itself). */
static size_t skip_group(const char *s, size_t n, size_t i, int *cap)
{
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (c == '[') {
            i++;
            if (i < n && s[i] == '^')
                i++;
            if (i < n && s[i] == ']')
                i++;
            while (i < n && s[i] != ']') {
                if (s[i] == '\\')
                    i++;
                else if (s[i] == '[' && i + 1 < n && s[i + 1] == ':')
                    while (i + 1 < n && !(s[i] == ':' && s[i + 1] == ']'))
                        i++;
                i++;
            }
            i++;
            continue;
        }
        if (c == '(') {
            const char *q = s + i + 1;
            size_t left = n - i - 1;
            if (!(left >= 1 && (q[0] == '?' || q[0] == '*')) ||
                (left >= 3 && q[0] == '?' && q[1] == '<' && q[2] != '=' && q[2] != '!') ||
                (left >= 2 && q[0] == '?' && (q[1] == 'P' || q[1] == '\'')))
                *cap = 1;
            depth++;
        } else if (c == ')' && --depth == 0) {
            return i + 1;
        }
        i++;
    }
    return n;
}

static int is_assertion_at(const char *s, size_t n, size_t i)
{
    return i + 3 < n && s[i] == '(' && s[i + 1] == '?' &&
           (s[i + 2] == '=' || s[i + 2] == '!' || (s[i + 2] == '<' && (s[i + 3] == '=' || s[i + 3] == '!')));
}

/* Is s[i, j) a sequence of zero-width assertions (lookarounds, and
 * non-capturing groups holding only lookarounds)? */
static int zero_width(const char *s, size_t i, size_t j)
{
    while (i < j) {
        int cap = 0;
        size_t k;
        if (!(is_assertion_at(s, j, i) || (i + 2 < j && s[i] == '(' && s[i + 1] == '?' && s[i + 2] == ':')))
            return 0;
        k = skip_group(s, j, i, &cap);
        if (cap || k > j || (k < j && strchr("?*+{", s[k])))
            return 0;
        if (!is_assertion_at(s, j, i) && !zero_width(s, i + 3, k - 1))
            return 0;
        i = k;
    }
    return 1;
}

/* Is the expanded pattern free of \K (moves the reported start), \G
 * (depends on the start offset) and (*VERB)s such as (*SKIP) (change where
 * a search tries next)? A '(*' inside a class counts too. */
static int pattern_plain(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i++) {
        if (s[i] == '\\') {
            if (s[i + 1] == 'K' || s[i + 1] == 'G')
                return 0;
            i++;
        } else if (s[i] == '(' && s[i + 1] == '*') {
            return 0;
        }
    }
    return 1;
}

/* Is \p{name} (name = s[0, n)) a general category of letters, marks or
 * numbers (none holds a white-space character)? */
static int letter_prop(const char *s, size_t n)
{
    static const char *const ok[] = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "L&", "Lc",
                                     "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No"};
    size_t k;
    for (k = 0; k < sizeof ok / sizeof ok[0]; k++)
        if (strlen(ok[k]) == n && memcmp(ok[k], s, n) == 0)
            return 1;
    return 0;
}

/* Reads \p{...} at s[i] ('\\'); the index after it, or 0 when it is not one
 * letter_prop accepts (\P, \p{^...} and scripts are not). */
static size_t letter_prop_at(const char *s, size_t n, size_t i)
{
    size_t j;
    if (i + 3 >= n || s[i + 1] != 'p' || s[i + 2] != '{')
        return 0;
    for (j = i + 3; j < n && s[j] != '}'; j++)
        ;
    return j < n && letter_prop(s + i + 3, j - i - 3) ? j + 1 : 0;
}

/* Printable ASCII but for letters and digits: escaped, a literal. */
static int is_ascii_punct(char c) { return c > 0x20 && c < 0x7F && (c == '_' || !is_ident(c)); }

/* Does [lo, hi] hold a white-space code point (Unicode's, a superset of
 * what the tokenizer and \s take)? */
static int range_has_space(uint32_t lo, uint32_t hi)
{
    static const uint32_t ws[][2] = {{0x09, 0x0D}, {0x20, 0x20}, {0x85, 0x85}, {0xA0, 0xA0},
                                     {0x1680, 0x1680}, {0x180E, 0x180E}, {0x2000, 0x200A},
                                     {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F},
                                     {0x3000, 0x3000}};
    size_t k;
    for (k = 0; k < sizeof ws / sizeof ws[0]; k++)
        if (lo <= ws[k][1] && hi >= ws[k][0])
            return 1;
    return 0;
}

/* Reads the class that starts at s[i] ('[') for pattern_nows: the index
 * after its ']', or 0 when the class is not proven free of white space (it
 * is negated, nested, or holds anything but ASCII literals, escaped ASCII
 * punctuation, \p{} of letters, marks and numbers, and \x{...} characters
 * or ranges with no white space in them). */
static size_t class_nows_end(const char *s, size_t n, size_t i)
{
    uint32_t prev = 0;
    int have_prev = 0, range = 0, first;
    size_t j;
    i++;
    if (i < n && s[i] == '^')
        return 0;
    /* a ']' first in the class is a literal */
    for (first = 1; i < n && !(s[i] == ']' && !first); first = 0) {
        uint32_t cp;
        unsigned char b = (unsigned char)s[i];
        if (b == '\\' && (j = letter_prop_at(s, n, i))) {
            if (range)
                return 0;
            have_prev = 0;
            i = j;
            continue;
        }
        if (b == '\\' && i + 2 < n && s[i + 1] == 'x' && s[i + 2] == '{') {
            char *end;
            unsigned long v = strtoul(s + i + 3, &end, 16);
            if (end == s + i + 3 || (size_t)(end - s) >= n || *end != '}' || v > 0x10FFFF)
                return 0;
            cp = (uint32_t)v;
            i = (size_t)(end - s) + 1;
        } else if (b == '\\' && i + 1 < n && is_ascii_punct(s[i + 1])) {
            cp = (unsigned char)s[i + 1];
            i += 2;
        } else if (b > 0x20 && b < 0x7F && b != '\\' && b != '[') {
            if (b == '-' && have_prev && !range && i + 1 < n && s[i + 1] != ']') {
                range = 1;
                i++;
                continue;
            }
            cp = b;
            i++;
        } else {
            return 0;
        }
        if (range) {
            if (cp < prev || range_has_space(prev, cp))
                return 0;
            range = have_prev = 0;
            continue;
        }
        if (range_has_space(cp, cp))
            return 0;
        prev = cp;
        have_prev = 1;
    }
    if (i >= n || range)
        return 0;
    return i + 1;
}

/* Does the expanded pattern s[0, n) provably never take (consume) a white-
 * space character? A deliberately small reader: outside lookarounds (which
 * take nothing and are skipped whole) it accepts only printable ASCII
 * literals other than '.', escaped ASCII punctuation, \p{} of letters,
 * marks and numbers, groups ( (?: (?> and option groups of i, m, n, s, U,
 * '-' (never x: extended mode would read the pattern differently),
 * alternation and quantifiers, and classes without '^' or '[' built from
 * those, ASCII letters and digits, and \x{...} characters or ranges with no
 * white space in them. Anything else (\s, \h, '.', \P, \X, back-references,
 * recursion, verbs, non-ASCII bytes, ...) answers 0: being wrong that way
 * only loses a shortcut. */
static int pattern_nows(const char *s, size_t n)
{
    size_t i = 0, j;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '.')
            return 0;
        if (c == '\\') {
            if ((j = letter_prop_at(s, n, i))) {
                i = j;
                continue;
            }
            if (i + 1 < n && is_ascii_punct(s[i + 1])) {
                i += 2;
                continue;
            }
            return 0;
        }
        if (c == '(') {
            int cap = 0;
            if (is_assertion_at(s, n, i)) {
                i = skip_group(s, n, i, &cap);
                continue;
            }
            if (i + 1 >= n || s[i + 1] == '*')
                return 0;
            if (s[i + 1] != '?') {
                i++; /* a capture group */
                continue;
            }
            for (j = i + 2; j < n && s[j] && strchr("imnsU-", s[j]); j++)
                ;
            if (j < n && (s[j] == ':' || s[j] == ')' || (s[j] == '>' && j == i + 2))) {
                i = j + 1;
                continue;
            }
            return 0;
        }
        if (c == '[') {
            if (!(i = class_nows_end(s, n, i)))
                return 0;
            continue;
        }
        i++; /* ) | * + ? { } digits, letters, other punctuation: literals or syntax */
    }
    return 1;
}

/* Does capture group g of the expanded pattern always start where the match
 * starts? Group 0 does; group 1 does when only zero-width assertions come
 * before it. Patterns with constructs this does not follow are left out.
 * (The caller checks pattern_plain first.) */
static int group_at_start(const char *s, size_t n, int g)
{
    size_t i = 0;
    if (g == 0)
        return 1;
    if (g != 1)
        return 0;
    for (i = 0; i + 1 < n; i++) {
        /* \K, \Q, (*VERB), (?|, (?#, and option settings with J or x
         * change what the scan below sees */
        if (s[i] == '\\') {
            if (s[i + 1] == 'K' || s[i + 1] == 'Q')
                return 0;
            i++;
        } else if (s[i] == '(' && s[i + 1] == '*') {
            return 0;
        } else if (s[i] == '(' && s[i + 1] == '?' && i + 2 < n) {
            size_t k = i + 2;
            if (s[k] == '|' || s[k] == '#')
                return 0;
            while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') || s[k] == '^' ||
                             s[k] == '-')) {
                if (s[k] == 'x' || s[k] == 'J')
                    return 0;
                k++;
            }
        }
    }
    i = 0;
    while (i < n) {
        int cap = 0;
        size_t k;
        if (s[i] != '(')
            return 0;
        if ((i + 3 < n && s[i + 1] == '?' && s[i + 2] == '<' && s[i + 3] != '=' && s[i + 3] != '!') ||
            (i + 2 < n && s[i + 1] == '?' && s[i + 2] == '\'') ||
            (i + 3 < n && s[i + 1] == '?' && s[i + 2] == 'P' && s[i + 3] == '<'))
            return 1; /* a named group: the first capture, number 1 */
        if (i + 1 < n && s[i + 1] != '?')
            return 1; /* a numbered group */
        k = skip_group(s, n, i, &cap);
        if (cap || k >= n || !zero_width(s, i, k))
            return 0;
        i = k;
    }
    return 0;
}

/* A pattern that opens with a lookbehind of plain literals
 * ("(?<=visit to |fled to )...") can only match at an offset that one of
 * them ends at; next_start checks that with memcmp instead of a PCRE2
 * call. Only ASCII literals without any pattern syntax are taken (the
 * pattern is compiled without caseless or extended options, so such a
 * literal matches exactly its bytes). Sets ru->lb and ru->lb_last. */
static int lookbehind_plan(rrule *ru, const char *s, size_t n)
{
    size_t i, k = 0;
    if (n < 5 || memcmp(s, "(?<=", 4) != 0)
        return EG_OK;
    for (i = 4; i < n && s[i] != ')'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || strchr("\\^$.?*+([]{}#", c))
            return EG_OK;
        if (c == '|' && (s[i - 1] == '|' || i == 4))
            return EG_OK; /* an empty alternative matches anywhere */
    }
    if (i >= n || s[i - 1] == '|' || i == 4)
        return EG_OK;
    if (!(ru->lb = eg_malloc(i - 4 + 2)))
        return EG_ENOMEM;
    memset(ru->lb_last, 0, sizeof ru->lb_last);
    for (i = 4; s[i] != ')'; i++) {
        if (s[i] == '|') {
            unsigned char c = (unsigned char)ru->lb[k - 1];
            ru->lb_last[c >> 3] |= (uint8_t)(1u << (c & 7));
            ru->lb[k++] = 0;
        } else {
            ru->lb[k++] = s[i];
        }
    }
    ru->lb_last[(unsigned char)ru->lb[k - 1] >> 3] |= (uint8_t)(1u << ((unsigned char)ru->lb[k - 1] & 7));
    ru->lb[k++] = 0;
    ru->lb[k] = 0;
    {
        /* lengths and last 8 bytes, so the literals that do not end
         * at an offset fail without memcmp (many share their last 4
         * bytes: " to ", " in ") */
        size_t nl = 0, j = 0;
        const char *l;
        for (l = ru->lb; *l; l += strlen(l) + 1)
            nl++;
        if (!(ru->lb_tail = eg_malloc(nl * sizeof *ru->lb_tail)) ||
            !(ru->lb_mask = eg_malloc(nl * sizeof *ru->lb_mask)) || !(ru->lb_len = eg_malloc(nl * sizeof *ru->lb_len)))
            return EG_ENOMEM;
        for (l = ru->lb; *l; l += strlen(l) + 1, j++) {
            unsigned char tail[8] = {0}, mask[8] = {0};
            size_t ln = strlen(l), t = ln < 8 ? ln : 8;
            ru->lb_len[j] = ln;
            memcpy(tail + 8 - t, l + ln - t, t);
            memset(mask + 8 - t, 0xFF, t);
            memcpy(&ru->lb_tail[j], tail, 8);
            memcpy(&ru->lb_mask[j], mask, 8);
        }
        ru->nlb = nl;
        for (j = 0; j < nl && ru->lb_len[j] >= 8; j++)
            ;
        if (j == nl) {
            /* all 8 bytes or longer: the last 8 bytes before an offset
             * are looked up (insertion sort: a few dozen literals) */
            if (!(ru->lb_sorted = eg_malloc(nl * sizeof *ru->lb_sorted)) ||
                !(ru->lb_sptr = eg_malloc(nl * sizeof *ru->lb_sptr)))
                return EG_ENOMEM;
            for (l = ru->lb, j = 0; *l; l += strlen(l) + 1, j++) {
                size_t a = j;
                while (a > 0 && ru->lb_sorted[a - 1] > ru->lb_tail[j]) {
                    ru->lb_sorted[a] = ru->lb_sorted[a - 1];
                    ru->lb_sptr[a] = ru->lb_sptr[a - 1];
                    a--;
                }
                ru->lb_sorted[a] = ru->lb_tail[j];
                ru->lb_sptr[a] = l;
            }
        }
    }
    return EG_OK;
}

/* Does one of the rule's lookbehind literals end at byte offset `at`? */
static int lookbehind_ok(const rrule *ru, const char *text, size_t at)
{
    const char *l;
    unsigned char c;
    uint64_t w8;
    size_t k;
    if (!at)
        return 0;
    c = (unsigned char)text[at - 1];
    if (!(ru->lb_last[c >> 3] & (1u << (c & 7))))
        return 0;
    if (at < 8) {
        for (l = ru->lb, k = 0; *l; l += ru->lb_len[k] + 1, k++)
            if (ru->lb_len[k] <= at && memcmp(text + at - ru->lb_len[k], l, ru->lb_len[k]) == 0)
                return 1;
        return 0;
    }
    memcpy(&w8, text + at - 8, 8);
    if (ru->lb_sorted) {
        /* every literal is 8 bytes or longer: those whose last 8 bytes
         * are w8 form one span of lb_sorted */
        size_t lo = 0, hi = ru->nlb;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (ru->lb_sorted[mid] < w8)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < ru->nlb && ru->lb_sorted[lo] == w8; lo++) {
            size_t ln = strlen(ru->lb_sptr[lo]);
            if (ln <= at && memcmp(text + at - ln, ru->lb_sptr[lo], ln - 8) == 0)
                return 1;
        }
        return 0;
    }
    for (l = ru->lb, k = 0; *l; l += ru->lb_len[k] + 1, k++) {
        size_t ln = ru->lb_len[k];
        if ((w8 & ru->lb_mask[k]) == ru->lb_tail[k] && ln <= at &&
            (ln <= 8 || memcmp(text + at - ln, l, ln - 8) == 0))
            return 1;
    }
    return 0;
}

/* How much a precheck costs: token flags, then small word sets, then the
 * big lexicon lists, then title() (several lookups). */
static int pre_cost(const rcond *c)
{
    switch (c->op) {
    case RC_CAP: case RC_SENTSTART: case RC_NOTSENTSTART: case RC_NOTQUOTED: return 0;
    case RC_ALONE: return 1;
    case RC_TITLE: case RC_NOTITLE: return 4;
    }
    return c->set >= 0 ? 2 : 3;
}

/* What checking condition c costs in accept_match, in classes: a look at
 * one or two tokens, a loop over the range, title(), a condition on
 * another group (its range is snapped first). */
static int acc_cost(const rrule *ru, const rcond *c)
{
    if (c->group >= 0 && c->group != ru->group)
        return 3;
    switch (c->op) {
    case RC_CAP: case RC_NONE: case RC_SOME: case RC_MAXWORDS: case RC_MINWORDS: case RC_NOTQUOTED: return 1;
    case RC_TITLE: case RC_NOTITLE: return 2;
    }
    return 0;
}

/* Puts the rule's conditions cheapest first (stable within a class), so
 * that accept_match and pre_check find a failing cheap one before running
 * the loops. Sound: a match is accepted only when every condition holds,
 * and each is a pure test of the document, the match and the word lists
 * (has() and inset() only fill a cache of answers that are facts about a
 * key), so the order changes how soon a rejection is found, never the
 * verdict. Runs before pre_plan, which indexes the conditions. */
static void acc_sort(rrule *ru)
{
    size_t i, j;
    for (i = 1; i < ru->nconds; i++) {
        rcond c = ru->conds[i];
        int k = acc_cost(ru, &c);
        for (j = i; j > 0 && acc_cost(ru, &ru->conds[j - 1]) > k; j--)
            ru->conds[j] = ru->conds[j - 1];
        ru->conds[j] = c;
    }
}

/* The id of the cached word list (LC_IDS) that alone decides precheck c at
 * a token, and whether it must hold (*in); LC_IDS when c is not such a
 * check. Mirrors pre_check: notfirst() and none() need the token out of
 * the list, first() in it; given(), notgiven() and notcommon() ask the
 * lexicon; lists whose answers are not cached per token are left out. */
static unsigned pre_lcid(const rcond *c, int *in)
{
    unsigned id;
    switch (c->op) {
    case RC_GIVEN: *in = 1; return EG_LEX_GIVEN;
    case RC_NOTGIVEN: *in = 0; return EG_LEX_GIVEN;
    case RC_NOTCOMMON: *in = 0; return EG_LEX_COMMON;
    case RC_FIRST: case RC_NONE: case RC_NOTFIRST:
        *in = c->op == RC_FIRST;
        if (c->set >= 0)
            id = c->set < LC_IDS - 4 ? 4 + (unsigned)c->set : LC_IDS;
        else
            id = c->list < 4 ? c->list : LC_IDS;
        return id;
    }
    return LC_IDS;
}

/* Orders the rule's prechecks, cheapest first; sets ru->pre when it has
 * any, and the answer masks that decide the word-list ones at once. */
static int pre_plan(rrule *ru)
{
    size_t k;
    int cost;
    if (!(ru->pre_order = eg_malloc(3 * (ru->nconds + 1) * sizeof *ru->pre_order)))
        return EG_ENOMEM;
    ru->pre_rest = ru->pre_order + ru->nconds + 1;
    ru->acc_rest = ru->pre_rest + ru->nconds + 1;
    ru->npre = 0;
    for (cost = 0; cost <= 4; cost++)
        for (k = 0; k < ru->nconds; k++)
            if (ru->conds[k].pre != PRE_NONE && pre_cost(&ru->conds[k]) == cost)
                ru->pre_order[ru->npre++] = (uint16_t)k;
    ru->pre = ru->npre > 0;
    ru->pre_ask = ru->pre_in0 = ru->pre_in1 = 0;
    for (k = 0; k < ru->nconds; k++) {
        rcond *c = &ru->conds[k];
        int in = 0;
        c->lcid = (uint8_t)(c->pre != PRE_NONE ? pre_lcid(c, &in) : LC_IDS);
        if (c->lcid < LC_IDS) {
            ru->pre_ask |= 1u << (2 * c->lcid);
            if (in)
                ru->pre_in1 |= 2u << (2 * c->lcid);
            else
                ru->pre_in0 |= 2u << (2 * c->lcid);
        }
    }
    /* what pre_check still asks when the token knows the lcid answers,
     * and what accept_match still checks when the prechecks passed */
    ru->npre_rest = ru->nacc_rest = 0;
    for (k = 0; k < ru->npre; k++)
        if (ru->conds[ru->pre_order[k]].lcid >= LC_IDS)
            ru->pre_rest[ru->npre_rest++] = ru->pre_order[k];
    for (k = 0; k < ru->nconds; k++) {
        const rcond *c = &ru->conds[k];
        if (!((c->group < 0 || c->group == ru->group) && c->pre == PRE_FIRST))
            ru->acc_rest[ru->nacc_rest++] = (uint16_t)k;
    }
    return EG_OK;
}

/* Sets what push_chain needs on rule ri's trigger entries, those from
 * index `from` on (added while its conditions were read): its mode, and
 * whether trig_may_run has anything to check (after(), at() or tnext());
 * on() and other before() triggers always run. */
static void trig_mark(eg_rules *r, size_t from, uint32_t ri, const rrule *ru)
{
    for (; from < r->ntent; from++)
        if (r->tent[from].rule == ri) {
            r->tent[from].mode = (uint8_t)ru->has_on;
            r->tent[from].check = ru->has_on != ON_SENT &&
                                  (ru->ntnext || ru->has_on == ON_AFTER || ru->has_on == ON_AT);
        }
}

static int do_rule(loader *L, const lline *ll)
{
    eg_rules *r = L->r;
    field f[6];
    size_t nf = split_tabs(ll->s, ll->n, ll->line, f, 6);
    ptext raw = {0}, exp = {0};
    rrule ru;
    long v;
    uint32_t ncap = 0, ri;
    size_t tent0;
    int rc = EG_OK, added = 0;
    uint32_t *slot;
    memset(&ru, 0, sizeof ru);
    if (nf < 6)
        return eg_err_set(L->e, EG_EDATA,
                          "%s:%u: a rule needs 6 TAB-separated fields: name, type, priority, group, "
                          "conditions, pattern", L->file, ll->line);
    if ((rc = rules_init(r)))
        return eg_err_nomem(L->e);
    if (r->n >= MAX_RULES)
        return eg_err_set(L->e, EG_EDATA, "%s:%u: too many rules", L->file, ll->line);
    ri = (uint32_t)r->n;
    if (!parse_type(f[1].s, f[1].n, &ru.type)) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: unknown type '%.*s' (PERSON, ORG, PLACE, EVENT)",
                        L->file, ll->line, f[1].col, (int)f[1].n, f[1].s);
        goto out;
    }
    if (!parse_int(f[2].s, f[2].n, -32768, 32767, &v)) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: priority must be an integer", L->file, ll->line, f[2].col);
        goto out;
    }
    ru.prio = (int16_t)v;
    while (f[5].n && (f[5].s[f[5].n - 1] == ' ' || f[5].s[f[5].n - 1] == '\t'))
        f[5].n--;
    if ((rc = raw_pattern(L, &f[5], ll, &raw)))
        goto out;
    if ((rc = expand(L, raw.b.p, raw.b.len, raw.pos, &exp, 0)))
        goto out;
    if (!(ru.code = compile(L, &exp))) {
        rc = L->e->code;
        goto out;
    }
    /* the interpreter if JIT is missing */
    ru.jit = pcre2_jit_compile(ru.code, PCRE2_JIT_COMPLETE) == 0;
    first_map(ru.code, ru.first);
    start_table(&ru);
    pcre2_pattern_info(ru.code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    if ((ru.group = group_ref(ru.code, f[3].s, f[3].n)) < 0) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: no group '%.*s' in the pattern", L->file, ll->line,
                        f[3].col, (int)f[3].n, f[3].s);
        goto out;
    }
    tent0 = r->ntent;
    if ((rc = parse_conds(L, &ru, &f[4], ri)))
        goto out;
    acc_sort(&ru);
    if (ru.ntnext && ru.has_on != ON_AFTER && ru.has_on != ON_AT && ru.has_on != ON_BEFORE) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: tnext() needs after(), at() or before()", L->file, ll->line,
                        f[4].col);
        goto out;
    }
    if (ru.ntcapnext && ru.has_on != ON_AFTER && ru.has_on != ON_AT && ru.has_on != ON_BEFORE) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: tcapnext() needs after(), at() or before()", L->file, ll->line,
                        f[4].col);
        goto out;
    }
    if (ru.tfollow && ru.has_on != ON_BEFORE) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u:%u: tfollow() needs before()", L->file, ll->line, f[4].col);
        goto out;
    }
    trig_mark(r, tent0, ri, &ru);
    if (lookbehind_plan(&ru, exp.b.p, exp.b.len)) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    ru.plain = pattern_plain(exp.b.p, exp.b.len);
    ru.nows = ru.group == 0 && ru.plain && pattern_nows(exp.b.p, exp.b.len);
    if (ru.plain && group_at_start(exp.b.p, exp.b.len, ru.group) && (rc = pre_plan(&ru))) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    if (!(ru.name = eg_strndup(f[0].s, f[0].n)) || !(ru.where = eg_malloc(strlen(L->file) + 16))) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    sprintf(ru.where, "%s:%u", L->file, ll->line);
    if (eg_strmap_put(&r->names, f[0].s, f[0].n, ri, &slot, &added)) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    if (!added) {
        rc = eg_err_set(L->e, EG_EDATA, "%s:%u: duplicate rule name '%.*s' (first at %s)", L->file, ll->line,
                        (int)f[0].n, f[0].s, r->v[*slot].where);
        goto out;
    }
    if (EG_GROW(r->v, r->cap, r->n + 1)) {
        rc = eg_err_nomem(L->e);
        goto out;
    }
    if (ncap > r->max_groups)
        r->max_groups = ncap;
    r->v[r->n++] = ru;
    memset(&ru, 0, sizeof ru);
out:
    if (rc && ru.has_on) {
        /* drop the triggers this failed rule registered */
        size_t k;
        for (k = 0; k < r->ntent; k++)
            if (r->tent[k].rule == ri)
                r->tent[k].rule = UINT32_MAX;
    }
    rule_clear(&ru);
    ptext_free(&raw);
    ptext_free(&exp);
    return rc;
}

static int do_logical(loader *L, const lline *ll)
{
    if (ll->n >= 7 && memcmp(ll->s, "@define", 7) == 0 && (ll->n == 7 || ll->s[7] == ' ' || ll->s[7] == '\t'))
        return do_define(L, ll);
    if (ll->s[0] == '@')
        return eg_err_set(L->e, EG_EDATA, "%s:%u: unknown directive (only @define)", L->file, ll->line);
    return do_rule(L, ll);
}

int eg_rules_load_string(eg_rules *r, const char *name, const char *text, size_t len, eg_err *e)
{
    loader L;
    lline ll;
    size_t pos = 0, k;
    uint32_t line = 0;
    int have = 0, rc = EG_OK;
    memset(&L, 0, sizeof L);
    L.r = r;
    L.file = name ? name : "(rules)";
    L.e = e;
    if ((rc = rules_init(r)))
        return eg_err_nomem(e);
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos, i = 0;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n && s[n - 1] == '\r')
            n--;
        if (memchr(s, 0, n)) {
            rc = eg_err_set(e, EG_EDATA, "%s:%u: NUL byte in a rules file", L.file, line);
            goto out;
        }
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n || s[i] == '#')
            continue;
        if (i > 0) { /* continuation */
            size_t m = n;
            if (!have) {
                rc = eg_err_set(e, EG_EDATA, "%s:%u: continuation line without a rule before it", L.file, line);
                goto out;
            }
            if (ll.ncont == sizeof ll.cont / sizeof ll.cont[0]) {
                rc = eg_err_set(e, EG_EDATA, "%s:%u: too many continuation lines", L.file, line);
                goto out;
            }
            while (m > i && (s[m - 1] == ' ' || s[m - 1] == '\t'))
                m--;
            ll.cont[ll.ncont].s = s + i;
            ll.cont[ll.ncont].n = m - i;
            ll.cont[ll.ncont].line = line;
            ll.cont[ll.ncont].col = (uint32_t)i + 1;
            ll.ncont++;
            continue;
        }
        if (have && (rc = do_logical(&L, &ll)))
            goto out;
        ll.s = s;
        ll.n = n;
        ll.line = line;
        ll.ncont = 0;
        have = 1;
    }
    if (have)
        rc = do_logical(&L, &ll);
out:
    for (k = 0; k < L.nmac; k++) {
        eg_free(L.mac[k].name);
        eg_free(L.mac[k].body);
    }
    eg_free(L.mac);
    return rc;
}

int eg_rules_load(eg_rules *r, const char *path, eg_err *e)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = eg_read_file(path, &buf, &len, e);
    if (rc == EG_OK)
        rc = eg_rules_load_string(r, path, buf, len, e);
    eg_free(buf);
    return rc;
}

eg_rules *eg_rules_new(void)
{
    eg_rules *r = eg_calloc(1, sizeof *r);
    if (r && rules_init(r)) {
        eg_rules_free(r);
        return NULL;
    }
    return r;
}

void eg_rules_free(eg_rules *r)
{
    size_t i;
    if (!r)
        return;
    for (i = 0; i < r->n; i++)
        rule_clear(&r->v[i]);
    eg_free(r->v);
    eg_strmap_free(&r->names);
    pcre2_compile_context_free(r->cc);
    eg_free(r->tslots);
    eg_free(r->tent);
    for (i = 0; i < r->nsets; i++)
        eg_lex_free(&r->sets[i]);
    eg_free(r->sets);
    eg_strmap_free(&r->set_by_body);
    eg_free(r);
}

size_t eg_rules_count(const eg_rules *r) { return r ? r->n : 0; }

const char *eg_rules_name(const eg_rules *r, uint16_t rule)
{
    return r && rule < r->n ? r->v[rule].name : "?";
}

/* ---- matching ---- */

/* Word-list answers are cached (see list_has, LC_IDS): per token of the
 * document, and per thread by key hash across documents. The thread's
 * table is direct-mapped, 2 MB: on c50 a 16384-slot table refilled a slot
 * (a trigger lookup and lexicon probes that miss cache) for one token in
 * ten, 131072 slots for about one in thirty-five; the slots are
 * prefetched ahead of use, so the bigger table costs little. */
#define LC_SLOTS 131072

typedef struct {
    uint64_t h;            /* token key hash */
    uint32_t bits;         /* answers known for it */
    uint32_t trig;         /* what it triggers (key_triggers), 0 not known */
} lcslot;

struct eg_rules_scratch {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *js;
    uint32_t ngroups;      /* capture pairs md holds */
    uint32_t *win;         /* windows for rules without on(): pairs of byte offsets */
    size_t nwin, win_cap;
    uint32_t *pairs;       /* (rule, sentence) triggers */
    size_t npairs, pairs_cap;
    uint32_t *sorted;      /* sentences grouped by rule */
    size_t sorted_cap;
    uint32_t *start;       /* per rule: first index in sorted (n+1 entries) */
    uint32_t *last;        /* per rule: last triggered sentence + 1 */
    size_t rule_cap;
    uint32_t *best;        /* per token: candidate index+1 ending there (acronyms) */
    size_t best_cap;
    uint64_t *bset;        /* bit per token: best[] is set there */
    size_t bset_cap;
    uint32_t *bpos;        /* those tokens in text order */
    size_t bpos_cap;
    uint32_t *lexc;        /* per token: word-list answers known so far */
    size_t lexc_cap;
    lcslot *lc;            /* per key hash: answers from earlier documents */
    void *lc_mem;          /* the allocation lc lies in (lc_alloc) */
    const eg_lex *lc_lex;  /* what lc's answers were about */
    const eg_rules *lc_rules;
    size_t lc_size;        /* entries in lc_lex and sets when lc was filled */
    uint8_t *prec;         /* per token, for the rule being run: 0 not known,
                              1 prechecks hold, 2 no match it accepts starts
                              there (prechecks fail, or its match was rejected),
                              3 not known (the first word may be stripped) */
    size_t prec_cap;
    uint32_t *prec_set;    /* the tokens whose prec is not 0 (cleared after each rule) */
    size_t nprec_set, prec_set_cap;
    eg_buf kb;             /* scratch key for multi-word title lookups */
};

/* A zeroed table of LC_SLOTS cache slots, aligned to 2 MB and, where
 * the system has it, marked for a huge page: the trigger pass reads a
 * slot at random for every token, and with 4 KB pages the table spans
 * 512 TLB entries. *mem gets the allocation to free; NULL on OOM. */
static lcslot *lc_alloc(void **mem)
{
    size_t bytes = LC_SLOTS * sizeof(lcslot), align = (size_t)2 << 20;
    uintptr_t a;
    /* the padding is never touched: calloc maps it as zero pages */
    if (!(*mem = eg_calloc(1, bytes + align)))
        return NULL;
    a = ((uintptr_t)*mem + align - 1) & ~(uintptr_t)(align - 1);
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)a, bytes, MADV_HUGEPAGE); /* only a hint */
#endif
    return (lcslot *)a;
}

eg_rules_scratch *eg_rules_scratch_new(const eg_rules *r)
{
    eg_rules_scratch *s = eg_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ngroups = (r ? r->max_groups : 0) + 1;
    if (s->ngroups < 10)
        s->ngroups = 10;
    s->md = pcre2_match_data_create(s->ngroups, NULL);
    s->mc = pcre2_match_context_create(NULL);
    s->js = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
    s->lc = lc_alloc(&s->lc_mem);
    if (!s->md || !s->mc || !s->js || !s->lc) {
        eg_rules_scratch_free(s);
        return NULL;
    }
    pcre2_set_match_limit(s->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(s->mc, DEPTH_LIMIT);
    pcre2_set_heap_limit(s->mc, HEAP_LIMIT);
    pcre2_jit_stack_assign(s->mc, NULL, s->js);
    return s;
}

void eg_rules_scratch_free(eg_rules_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mc);
    pcre2_jit_stack_free(s->js);
    eg_free(s->win);
    eg_free(s->pairs);
    eg_free(s->sorted);
    eg_free(s->start);
    eg_free(s->last);
    eg_free(s->best);
    eg_free(s->bset);
    eg_free(s->bpos);
    eg_free(s->lexc);
    eg_free(s->lc_mem);
    eg_free(s->prec);
    eg_free(s->prec_set);
    eg_buf_free(&s->kb);
    eg_free(s);
}

/* The state of one eg_rules_match call. */
typedef struct {
    const eg_rules *r;
    eg_rules_scratch *s;
    const eg_lex *lex;
    const eg_doc *d;
    eg_cands *out;
    eg_rules_warn_fn warn;
    void *ud;
    eg_err *e;
    uint32_t hint;         /* a token near the current match */
    int prec_ok;           /* s->prec is about the rule being run */
} mstate;

/* First token with s >= off, searched from token `hint` outwards (a match
 * lies near the trigger or the previous match; galloping keeps a far one
 * logarithmic). */
static uint32_t tok_lower(const eg_doc *d, uint32_t off, uint32_t hint)
{
    size_t lo, hi, step = 1, n = d->ntok;
    if (hint >= n)
        hint = n ? (uint32_t)n - 1 : 0;
    if (!n)
        return 0;
    if (d->tok[hint].s < off) {
        lo = hint + 1;
        hi = lo;
        while (hi < n && d->tok[hi].s < off) {
            lo = hi + 1;
            hi = lo + step;
            step *= 2;
        }
        if (hi > n)
            hi = n;
    } else {
        hi = hint;
        lo = hint;
        while (lo > 0 && d->tok[lo - 1].s >= off) {
            hi = lo - 1;
            lo = hi > step ? hi - step : 0;
            step *= 2;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->tok[mid].s < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* First token with e > off, searching forward from token `from`. */
static uint32_t tok_end_after(const eg_doc *d, uint32_t off, uint32_t from)
{
    size_t lo = from, hi, step = 1, n = d->ntok;
    hi = lo;
    while (hi < n && d->tok[hi].e <= off) {
        lo = hi + 1;
        hi = lo + step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->tok[mid].e <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* Tokens fully inside the byte range, with punctuation and possessive
 * endings trimmed at both ends. Returns 0 when no word or number is inside. */
static int snap(const eg_doc *d, uint32_t bs, uint32_t be, uint32_t hint, uint32_t *t0, uint32_t *t1)
{
    uint32_t a = tok_lower(d, bs, hint), b = tok_end_after(d, be, a);
    while (a < b && (d->tok[a].kind == EG_TK_PUNCT || (d->tok[a].flags & EG_TF_POSS)))
        a++;
    while (b > a && (d->tok[b - 1].kind == EG_TK_PUNCT || (d->tok[b - 1].flags & EG_TF_POSS)))
        b--;
    if (a >= b)
        return 0;
    *t0 = a;
    *t1 = b;
    return 1;
}

static int is_word(const eg_token *t) { return t->kind == EG_TK_WORD && !(t->flags & EG_TF_POSS); }

static int first_word(const eg_doc *d, uint32_t t0, uint32_t t1)
{
    for (; t0 < t1; t0++)
        if (is_word(&d->tok[t0]))
            return (int)t0;
    return -1;
}

static int last_word(const eg_doc *d, uint32_t t0, uint32_t t1)
{
    while (t1 > t0) {
        t1--;
        if (is_word(&d->tok[t1]))
            return (int)t1;
    }
    return -1;
}

/* The thread's cache slot for a key hash. */
static lcslot *lc_slot(eg_rules_scratch *s, uint64_t h) { return &s->lc[(size_t)(h ^ (h >> 32)) & (LC_SLOTS - 1)]; }

/* Is token t in word list `id` (LC_IDS)? Triggers, prechecks and
 * conditions ask about the same capitalised words again and again, and the
 * big lists miss cache, so the answers are kept: for the token, and for
 * its key hash in the thread's cache (frequent words recur in every
 * document). */
static int list_ask(const mstate *m, unsigned id, int t)
{
    eg_rules_scratch *s = m->s;
    uint32_t bit = 1u << (2 * id), *c = &s->lexc[t];
    if (!(*c & bit)) {
        uint64_t h = m->d->tok[t].h;
        lcslot *x = lc_slot(s, h);
        if (x->h != h || !(x->bits & bit)) {
            int in = id < 4 ? eg_lex_has(m->lex, (int)id, h) : eg_lex_has(&m->r->sets[id - 4], 0, h);
            if (x->h != h) {
                x->h = h;
                x->bits = 0;
                x->trig = 0;
            }
            x->bits |= bit | (in ? bit << 1 : 0);
        }
        *c |= x->bits; /* every answer known for the key, not just this one */
    }
    return (*c >> (2 * id + 1)) & 1;
}

/* list_has: the token's known answer inline, list_ask for the rest. */
static inline int list_has(const mstate *m, unsigned id, int t)
{
    uint32_t c = m->s->lexc[t];
    if (c & (1u << (2 * id)))
        return (c >> (2 * id + 1)) & 1;
    return list_ask(m, id, t);
}

/* Is token t in lexicon list `list`? */
static int has(const mstate *m, int list, int t)
{
    if (t < 0)
        return 0;
    if (list >= 4)
        return eg_lex_has(m->lex, list, m->d->tok[t].h);
    return list_has(m, (unsigned)list, t);
}

/* Is token t in the condition's list (a lexicon list or a %MACRO set)? */
static int inset(const mstate *m, const rcond *c, int t)
{
    if (t < 0)
        return 0;
    if (c->set >= 0)
        return c->set < LC_IDS - 4 ? list_has(m, 4 + (unsigned)c->set, t)
                                   : eg_lex_has(&m->r->sets[c->set], 0, m->d->tok[t].h);
    return has(m, c->list, t);
}

/* Lower-case connectors allowed inside a capitalised name by cap(): "y",
 * "e", "&", "of", "on", "at", "in", "de", "di", "da", "do", "du", "la",
 * "le", "zu", "al", "el", "ad", "as", "the", "and", "for", "del", "des",
 * "dos", "das", "van", "von", "der", "den", "ter", "ash", "bin", "ibn",
 * "ben", "abu", "bint", "della" (test_rules checks every one). A word of
 * two or three bytes is packed into one integer, first byte lowest, and
 * compared in one switch: run_start asks this at the lower-case word
 * before nearly every before() run. */
#define CW2(a, b) ((uint32_t)(a) | (uint32_t)(b) << 8)
#define CW3(a, b, c) (CW2(a, b) | (uint32_t)(c) << 16)
static int is_connector(const eg_doc *d, const eg_token *t)
{
    size_t n = t->e - t->s;
    const unsigned char *p = (const unsigned char *)d->text + t->s;
    /* connectors are lower-case ASCII (or '&'): most words stop here */
    if (n > 5 || !((p[0] >= 'a' && p[0] <= 'z') || p[0] == '&'))
        return 0;
    switch (n) {
    case 1: return p[0] == 'y' || p[0] == 'e' || p[0] == '&';
    case 2:
        switch (CW2(p[0], p[1])) {
        case CW2('o', 'f'): case CW2('o', 'n'): case CW2('a', 't'): case CW2('i', 'n'):
        case CW2('d', 'e'): case CW2('d', 'i'): case CW2('d', 'a'): case CW2('d', 'o'):
        case CW2('d', 'u'): case CW2('l', 'a'): case CW2('l', 'e'): case CW2('z', 'u'):
        case CW2('a', 'l'): case CW2('e', 'l'): case CW2('a', 'd'): case CW2('a', 's'):
            return 1;
        }
        return 0;
    case 3:
        switch (CW3(p[0], p[1], p[2])) {
        case CW3('t', 'h', 'e'): case CW3('a', 'n', 'd'): case CW3('f', 'o', 'r'): case CW3('d', 'e', 'l'):
        case CW3('d', 'e', 's'): case CW3('d', 'o', 's'): case CW3('d', 'a', 's'): case CW3('v', 'a', 'n'):
        case CW3('v', 'o', 'n'): case CW3('d', 'e', 'r'): case CW3('d', 'e', 'n'): case CW3('t', 'e', 'r'):
        case CW3('a', 's', 'h'): case CW3('b', 'i', 'n'): case CW3('i', 'b', 'n'): case CW3('b', 'e', 'n'):
        case CW3('a', 'b', 'u'):
            return 1;
        }
        return 0;
    case 4: return memcmp(p, "bint", 4) == 0;
    case 5: return memcmp(p, "della", 5) == 0;
    }
    return 0;
}

/* Does the group start a sentence (or a line), punctuation before it aside? */
static int at_start(const eg_doc *d, uint32_t t0)
{
    for (;;) {
        const eg_token *t = &d->tok[t0];
        if (t->flags & (EG_TF_SENT_START | EG_TF_PARA_START | EG_TF_NL_BEFORE) || t0 == 0)
            return 1;
        if (d->tok[t0 - 1].kind != EG_TK_PUNCT || (d->tok[t0 - 1].flags & EG_TF_SENT_END))
            return 0;
        t0--;
    }
}

/* The key hash of the phrase of tokens words[nw-1], ..., words[0] (text
 * order), their keys joined by one space; 0 with *h unset on OOM. Built
 * right to left in a stack buffer when it fits (the usual short title),
 * else in the scratch buffer. */
static int phrase_hash(const mstate *m, const int *words, int nw, uint64_t *h)
{
    const eg_doc *d = m->d;
    char buf[128];
    size_t n = (size_t)nw - 1, at;
    int k;
    for (k = 0; k < nw; k++)
        n += d->tok[words[k]].klen;
    if (n <= sizeof buf) {
        at = n;
        for (k = 0; k < nw; k++) {
            const eg_token *w = &d->tok[words[k]];
            at -= w->klen;
            memcpy(buf + at, d->keys + w->key, w->klen);
            if (k != nw - 1)
                buf[--at] = ' ';
        }
        *h = eg_hash(buf, n);
        return 1;
    }
    eg_buf_reset(&m->s->kb);
    for (k = nw - 1; k >= 0; k--) {
        const eg_token *w = &d->tok[words[k]];
        if ((k != nw - 1 && eg_buf_addc(&m->s->kb, ' ')) || eg_buf_add(&m->s->kb, d->keys + w->key, w->klen))
            return 0;
    }
    *h = eg_hash(m->s->kb.p, m->s->kb.len);
    return 1;
}

/* Is the title list holding the words that end at token `t` (one word, or
 * 2..4 words joined by one space; joiner hyphens skipped)? */
static int title_ending_at(const mstate *m, const eg_lex *x, int list, int t)
{
    const eg_doc *d = m->d;
    int i, nw, words[4];
    if (t < 0 || !is_word(&d->tok[t]))
        return 0;
    if (x == m->lex ? has(m, list, t) : eg_lex_has(x, list, d->tok[t].h))
        return 1;
    if (!eg_lex_has_tail(x, list, d->tok[t].h))
        return 0;
    nw = 0;
    for (i = t; i >= 0 && nw < 4; i--) {
        const eg_token *tk = &d->tok[i];
        if (tk->flags & EG_TF_JOINER && i != t)
            continue;
        if (!is_word(tk))
            break;
        words[nw++] = i;
        if (nw >= 2) {
            uint64_t h;
            if (!phrase_hash(m, words, nw, &h))
                return 0;
            if (eg_lex_has(x, list, h))
                return 1;
        }
        if (i > 0 && (tk->flags & EG_TF_SENT_START))
            break;
    }
    return 0;
}

/* The title condition: the words just before t0 (a dot or comma between
 * them and the name allowed) end with a title. */
static int title_before(const mstate *m, const eg_lex *x, int list, uint32_t t0)
{
    const eg_doc *d = m->d;
    int t = (int)t0 - 1;
    if (d->tok[t0].flags & (EG_TF_SENT_START | EG_TF_NL_BEFORE))
        return 0;
    if (t >= 0 && d->tok[t].kind == EG_TK_PUNCT) {
        char c = d->text[d->tok[t].s];
        if ((c == '.' || c == ',') && d->tok[t].e - d->tok[t].s == 1 && !(d->tok[t].flags & EG_TF_SENT_END))
            t--;
        else
            return 0;
    }
    return title_ending_at(m, x, list, t);
}

/* Token range of capture group g of the current match; 0 when unset. */
static int group_tokens(const mstate *m, int g, uint32_t *t0, uint32_t *t1)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->s->md);
    if (ov[2 * g] == PCRE2_UNSET || ov[2 * g] >= ov[2 * g + 1])
        return 0;
    return snap(m->d, (uint32_t)ov[2 * g], (uint32_t)ov[2 * g + 1], m->hint, t0, t1);
}

/* Words and numbers in the range ("1979 revolution" has two). */
static int count_words(const eg_doc *d, uint32_t t0, uint32_t t1)
{
    int n = 0;
    for (; t0 < t1; t0++)
        n += is_word(&d->tok[t0]) || d->tok[t0].kind == EG_TK_NUM;
    return n;
}

/* The first half of alone(): no capitalised word (a sentence-initial
 * common word aside) or joiner right before token t0. */
static int alone_before(const mstate *m, uint32_t t0)
{
    const eg_doc *d = m->d;
    const eg_token *p = t0 > 0 ? &d->tok[t0 - 1] : NULL;
    return !(p && ((p->flags & EG_TF_JOINER) || (is_word(p) && (p->flags & EG_TF_CAP) &&
                                                 !(at_start(d, t0 - 1) && has(m, EG_LEX_COMMON, (int)t0 - 1)))));
}

/* Checks one condition; (t0, t1) is the group's (possibly stripped) range. */
static int cond_holds_fl(const mstate *m, const rcond *c, uint32_t t0, uint32_t t1, int fw, int lw)
{
    const eg_doc *d = m->d;
    int i;
    const eg_lex *x = c->set >= 0 ? &m->r->sets[c->set] : m->lex;
    switch (c->op) {
    case RC_GIVEN: return has(m, EG_LEX_GIVEN, fw);
    case RC_NOTGIVEN: return !has(m, EG_LEX_GIVEN, fw);
    case RC_SURNAME: return has(m, EG_LEX_SURNAME, lw);
    case RC_NAMELIKE: return has(m, EG_LEX_GIVEN, fw) || has(m, EG_LEX_SURNAME, lw);
    case RC_ALONE: {
        /* no capitalised word right before (a sentence-initial common word
         * aside) or right after, joiners counting as part of the name */
        const eg_token *q = t1 < d->ntok ? &d->tok[t1] : NULL;
        if (!alone_before(m, t0))
            return 0;
        if (q && ((q->flags & EG_TF_JOINER) || (is_word(q) && (q->flags & EG_TF_CAP))))
            return 0;
        return 1;
    }
    case RC_NOTQUOTED: {
        /* the run of capitalised words and connectors before the group
         * does not open with a quote mark (a title: "Iran Democratic
         * Revolution") */
        size_t a = t0;
        while (a > 0 && is_word(&d->tok[a - 1]) && ((d->tok[a - 1].flags & EG_TF_CAP) || is_connector(d, &d->tok[a - 1])))
            a--;
        return !(a > 0 && (d->tok[a - 1].flags & EG_TF_QUOTE));
    }
    case RC_NAMELAST: return lw >= 0 && (has(m, EG_LEX_SURNAME, lw) || !has(m, EG_LEX_COMMON, lw));
    case RC_NOTCOMMON: return fw >= 0 && !has(m, EG_LEX_COMMON, fw);
    case RC_OKSTART: return fw >= 0 && !(at_start(d, (uint32_t)fw) && has(m, EG_LEX_COMMON, fw));
    case RC_CAP:
        for (i = (int)t0; i < (int)t1; i++)
            if (is_word(&d->tok[i]) && !(d->tok[i].flags & EG_TF_CAP) && !is_connector(d, &d->tok[i]))
                return 0;
        return fw >= 0;
    case RC_SENTSTART: return at_start(d, t0);
    case RC_NOTSENTSTART: return !at_start(d, t0);
    case RC_TITLE: return title_before(m, c->set >= 0 ? x : m->lex, c->set >= 0 ? 0 : EG_LEX_TITLE, t0);
    case RC_NOTITLE: return !title_before(m, c->set >= 0 ? x : m->lex, c->set >= 0 ? 0 : EG_LEX_TITLE, t0);
    case RC_FIRST: return inset(m, c, fw);
    case RC_NOTFIRST: return fw >= 0 && !inset(m, c, fw);
    case RC_LAST: return inset(m, c, lw);
    case RC_NOTLAST: return lw >= 0 && !inset(m, c, lw);
    case RC_NONE:
        for (i = (int)t0; i < (int)t1; i++)
            if (is_word(&d->tok[i]) && inset(m, c, i))
                return 0;
        return 1;
    case RC_SOME:
        for (i = (int)t0; i < (int)t1; i++)
            if (is_word(&d->tok[i]) && inset(m, c, i))
                return 1;
        return 0;
    case RC_PREV:
    case RC_NOTPREV: {
        int p = (int)t0 - 1, in = p >= 0 && is_word(&d->tok[p]) && inset(m, c, p);
        return c->op == RC_PREV ? in : !in;
    }
    case RC_NEXT:
    case RC_NOTNEXT: {
        int in = t1 < d->ntok && is_word(&d->tok[t1]) && inset(m, c, (int)t1);
        return c->op == RC_NEXT ? in : !in;
    }
    case RC_MAXWORDS: return count_words(d, t0, t1) <= c->num;
    case RC_MINWORDS: return count_words(d, t0, t1) >= c->num;
    }
    return 0;
}

static int cond_holds(const mstate *m, const rcond *c, uint32_t t0, uint32_t t1)
{
    return cond_holds_fl(m, c, t0, t1, first_word(m->d, t0, t1), last_word(m->d, t0, t1));
}

/* Turns the current match of rule `ri` into a candidate when its
 * conditions hold: 1 when it did, 0 when the match was rejected, or < 0. */
static int accept_match(mstate *m, uint32_t ri)
{
    const rrule *ru = &m->r->v[ri];
    const eg_doc *d = m->d;
    uint32_t t0, t1, g0, g1;
    size_t k, n;
    int fw, lw, pre_done;
    eg_cand c;
    if (!group_tokens(m, ru->group, &t0, &t1))
        return EG_OK;
    if (ru->strip) {
        /* a sentence-initial word in the list ("The", "However") */
        int list = ru->strip - 1;
        if (is_word(&d->tok[t0]) && at_start(d, t0) && has(m, list, (int)t0))
            t0++;
        while (t0 < t1 && d->tok[t0].kind == EG_TK_PUNCT)
            t0++;
        if (t0 >= t1)
            return EG_OK;
    }
    fw = first_word(d, t0, t1);
    lw = last_word(d, t0, t1);
    /* the prechecks that decide on the first token were passed there:
     * acc_rest leaves them out */
    pre_done = m->prec_ok && ru->pre && m->s->prec[t0] == 1;
    n = pre_done ? ru->nacc_rest : ru->nconds;
    for (k = 0; k < n; k++) {
        const rcond *rc = &ru->conds[pre_done ? ru->acc_rest[k] : k];
        if (rc->group < 0 || rc->group == ru->group) {
            if (!cond_holds_fl(m, rc, t0, t1, fw, lw))
                return EG_OK;
        } else if (!group_tokens(m, rc->group, &g0, &g1) || !cond_holds(m, rc, g0, g1)) {
            return EG_OK;
        }
    }
    memset(&c, 0, sizeof c);
    c.t0 = t0;
    c.t1 = t1;
    c.type = (uint8_t)ru->type;
    c.source = EG_SRC_RULE;
    c.prio = ru->prio;
    c.entry = EG_NONE;
    c.rule = (uint16_t)ri;
    c.flags = ru->flags;
    if (eg_cands_push(m->out, &c))
        return eg_err_nomem(m->e);
    return 1;
}

/* tcapnext(): can a match that starts at token t exist? The rule file
 * vouches that every match opens with a word holding
 * no white space, then white space (\h+), then a word that starts with a
 * capital letter or is one of the tcapnext() words followed by '-' or
 * white space (person names: "@CAP\h+(?:@INIT\h+)*+(?:@PART(?:-|\h+))*+
 * @CAP"). White space ends tokens and the text between tokens is only
 * white space, so that second word starts the first token after t with
 * white space before it. Only ASCII bytes are judged. */
static int tcapnext_ok(const eg_doc *d, const rrule *ru, size_t t)
{
    const unsigned char *x = (const unsigned char *)d->text;
    size_t i, j, k;
    for (i = t + 1; i < d->ntok; i++) {
        const eg_token *q = &d->tok[i];
        uint64_t v = 0;
        if (!(q->flags & EG_TF_SPACE_BEFORE))
            continue; /* still the first word, or no match */
        if ((x[q->s] >= 'A' && x[q->s] <= 'Z') || x[q->s] >= 0x80)
            return 1;
        if (x[q->s] < 'a' || x[q->s] > 'z' || !(ru->tcapnext_first & (1u << (x[q->s] - 'a'))))
            return 0;
        /* a listed word: its letters, then '-' or white space */
        for (j = q->s; j < d->len && j - q->s < 8 && x[j] >= 'a' && x[j] <= 'z'; j++)
            v |= (uint64_t)x[j] << (8 * (j - q->s));
        if (j == q->s || j - q->s > 7 || j >= d->len ||
            !(x[j] == '-' || x[j] == ' ' || x[j] == '\t' || x[j] >= 0x80))
            return 0;
        v |= (uint64_t)(j - q->s) << 56;
        for (k = 0; k < ru->ntcapnext; k++)
            if (ru->tcapnext[k] == v)
                return 1;
        return 0;
    }
    return 0;
}

/* Do the word-list answers `lc` (a token's, or its key's slot bits, in
 * the LC_IDS layout) already fail one of rule ru's prechecks decided by
 * one cached answer? A condition that wants the word out of a list whose
 * answer is known "in" (pre_in0), or in a list whose answer is known "out"
 * (pre_in1). Answers not known yet fail nothing, so this may be asked
 * with only some known; with all known it is the whole mask test. */
/* The after half of alone() for a rule with nows, at start token u: 1
 * when every match starting at u is rejected by it. Such a match starts
 * at tok[u].s and takes no white space, so when an ASCII white-space byte
 * follows token u the match ends at or before tok[u].e; its token range
 * (snap: tokens fully inside) is then u alone or empty, as is the group's
 * (the whole match), and alone() looks at token u + 1 -- the test below,
 * the one cond_holds_fl makes. strip() can only move the range's start. */
static int alone_after_fails(const eg_doc *d, uint32_t u)
{
    const eg_token *q;
    unsigned char b;
    if (u + 1 >= d->ntok)
        return 0;
    b = (unsigned char)d->text[d->tok[u].e]; /* inside the text: token u + 1 starts at or after it */
    if (!(b == ' ' || (b >= '\t' && b <= '\r')))
        return 0;
    q = &d->tok[u + 1];
    return (q->flags & EG_TF_JOINER) || (is_word(q) && (q->flags & EG_TF_CAP));
}

static int pre_mask_fails(const rrule *ru, uint32_t lc)
{
    return (lc & ru->pre_in0) || (lc & (ru->pre_in1 >> 1) & ~(lc >> 1));
}

/* The prechecks of rule ru at word token u, the first token of a match
 * (and of the rule's group, see PRE_*): 0 when the conditions would reject
 * any match starting there, 1 when they pass, 3 when strip() may drop u
 * (no verdict). */
static int pre_check(const mstate *m, const rrule *ru, uint32_t u)
{
    const eg_doc *d = m->d;
    size_t k, n;
    const uint16_t *order;
    uint32_t lc;
    /* the word-list prechecks at once when the token knows their answers
     * (it mostly does: the trigger pass copied what the key's slot knows);
     * without strip() every way out below but 1 is 0, so the cheap mask
     * goes before tcapnext_ok */
    lc = m->s->lexc[u];
    if (!ru->strip && pre_mask_fails(ru, lc))
        return 0;
    if (ru->ntcapnext && !tcapnext_ok(d, ru, u))
        return 0; /* no match starts at u at all */
    if (ru->strip && at_start(d, u) && has(m, ru->strip - 1, (int)u))
        return 3; /* u may be stripped: the first word is not known */
    lc = m->s->lexc[u]; /* the strip() test may have learnt answers */
    if (ru->strip && pre_mask_fails(ru, lc))
        return 0; /* the loop below would return 0 at that condition */
    /* when the token knows every lcid answer, the mask test above has
     * decided those prechecks (they passed): only the rest are asked */
    if (ru->pre_ask && (lc & ru->pre_ask) == ru->pre_ask) {
        order = ru->pre_rest;
        n = ru->npre_rest;
    } else {
        order = ru->pre_order;
        n = ru->npre;
    }
    for (k = 0; k < n; k++) {
        const rcond *c = &ru->conds[order[k]];
        int ok;
        switch (c->op) {
        case RC_ALONE: ok = alone_before(m, u) && !(ru->nows && alone_after_fails(d, u)); break;
        case RC_CAP: ok = (d->tok[u].flags & EG_TF_CAP) || is_connector(d, &d->tok[u]); break;
        case RC_NONE: case RC_NOTFIRST: ok = !inset(m, c, (int)u); break;
        case RC_FIRST: ok = inset(m, c, (int)u); break;
        case RC_GIVEN: ok = has(m, EG_LEX_GIVEN, (int)u); break;
        case RC_NOTGIVEN: ok = !has(m, EG_LEX_GIVEN, (int)u); break;
        case RC_NOTCOMMON: ok = !has(m, EG_LEX_COMMON, (int)u); break;
        case RC_OKSTART: ok = !(at_start(d, u) && has(m, EG_LEX_COMMON, (int)u)); break;
        default: ok = cond_holds(m, c, u, u + 1); break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* Grows s->prec to n tokens. Every entry of s->prec is 0 between rules
 * (each rule's run clears the ones it set, see eg_rules_match), so only
 * the new entries need clearing, not the whole array per document. */
static int prec_grow(eg_rules_scratch *s, size_t n)
{
    size_t old = s->prec_cap;
    if (n <= old)
        return EG_OK;
    if (EG_GROW(s->prec, s->prec_cap, n))
        return EG_ENOMEM;
    memset(s->prec + old, 0, s->prec_cap - old);
    return EG_OK;
}

/* Sets s->prec[u] (from any value), remembering which tokens to clear. */
static void prec_mark(eg_rules_scratch *s, uint32_t u, uint8_t v)
{
    if (!s->prec[u])
        s->prec_set[s->nprec_set++] = u;
    s->prec[u] = v;
}

/* pre_check, remembered per token for the rule being run. */
static int pre_holds(const mstate *m, const rrule *ru, uint32_t u)
{
    if (!m->s->prec[u]) {
        int r = pre_check(m, ru, u);
        prec_mark(m->s, u, (uint8_t)(r == 0 ? 2 : r));
    }
    return m->s->prec[u] != 2;
}

/* What a run of one rule over the triggers of a document has learnt (the
 * match found at a start offset does not depend on where the search began
 * or on its offset limit, and the triggers of before() share their runs):
 * no match starts in [nm_lo, nm_hi]; s->prec marks token starts where no
 * match the conditions accept starts. */
typedef struct {
    size_t nm_lo, nm_hi;
    uint32_t u;            /* token cursor: no token before it starts at or after
                              the search offset */
} seen;

/* The first offset in [at, lim] where a match of rule ru that its
 * conditions might accept can start: a character whose first byte is in
 * the rule's first-byte map, not known to start no match, and, at the
 * start of a word token when the rule has prechecks, one that passes them.
 * lim + 1 when there is none. */
static size_t next_start(const mstate *m, const rrule *ru, size_t at, size_t lim, seen *k)
{
    const eg_doc *d = m->d;
    const unsigned char *t = (const unsigned char *)d->text;
    for (; at <= lim; at++) {
        uint32_t u;
        if (!ru->start_ok[t[at]])
            continue;
        if (ru->lb && !lookbehind_ok(ru, d->text, at))
            continue;
        if (at >= k->nm_lo && at <= k->nm_hi) {
            at = k->nm_hi; /* nothing starts up to nm_hi (only set for plain rules) */
            continue;
        }
        while (k->u < d->ntok && d->tok[k->u].s < at)
            k->u++;
        u = k->u;
        if (u < d->ntok && d->tok[u].s == at &&
            (m->s->prec[u] == 2 || (ru->pre && is_word(&d->tok[u]) && !pre_holds(m, ru, u))))
            continue;
        if (ru->ntcapnext && !ru->pre && u < d->ntok && d->tok[u].s == at && !tcapnext_ok(d, ru, u)) {
            prec_mark(m->s, u, 2); /* no match starts here */
            continue;
        }
        return at;
    }
    return lim + 1;
}

/* One search of rule ru from offset `off` (JIT when the rule has it). */
static int rmatch(const rrule *ru, const eg_doc *d, size_t off, eg_rules_scratch *s)
{
    if (ru->jit)
        return pcre2_jit_match(ru->code, (PCRE2_SPTR)d->text, d->len, off, 0, s->md, s->mc);
    return pcre2_match(ru->code, (PCRE2_SPTR)d->text, d->len, off, PCRE2_NO_UTF_CHECK, s->md, s->mc);
}

static void warn_limit(mstate *m, uint32_t ri, int rc)
{
    char line[512];
    PCRE2_UCHAR msg[160];
    if (!m->warn)
        return;
    if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
        strcpy((char *)msg, "match error");
    snprintf(line, sizeof line, "%s: rule '%s' (%s) stopped for this document: %s",
             m->d->name ? m->d->name : "(document)", m->r->v[ri].name, m->r->v[ri].where, (const char *)msg);
    m->warn(m->ud, line);
}

/* Runs rule `ri` on the byte window [ws, we): every match that starts in
 * it. Returns 1 when the rule hit a limit (stopped), 0, or < 0 on OOM. */
static int run_window(mstate *m, uint32_t ri, uint32_t ws, uint32_t we)
{
    const rrule *ru = &m->r->v[ri];
    const eg_doc *d = m->d;
    PCRE2_SIZE off = ws, *ov;
    int rc;
    pcre2_set_offset_limit(m->s->mc, we);
    m->hint = tok_lower(d, ws, m->hint);
    while (off <= we && off <= d->len) {
        rc = rmatch(ru, d, off, m->s);
        if (rc == PCRE2_ERROR_NOMATCH)
            return 0;
        if (rc < 0) {
            warn_limit(m, ri, rc);
            return 1;
        }
        if ((rc = accept_match(m, ri)) < 0)
            return rc;
        ov = pcre2_get_ovector_pointer(m->s->md);
        m->hint = tok_lower(d, (uint32_t)ov[0], m->hint);
        if (rc == 1 && ov[1] > off) {
            off = ov[1];
        } else {
            /* a rejected match does not consume: search again one
             * character after its start (so "President Donald Trump",
             * rejected as a name after no title, is retried as "Donald
             * Trump" after the title); an empty match steps one character */
            off = (ov[0] >= off ? ov[0] : off) + 1;
            while (off < d->len && ((unsigned char)d->text[off] & 0xC0) == 0x80)
                off++;
        }
    }
    return 0;
}

/* The first token of the run of capitalised words, numbers, initials,
 * joiners and connectors that ends just before token t (at most 12
 * tokens, not past a sentence start), connectors at its start dropped. */
static size_t run_start(const eg_doc *d, size_t t)
{
    size_t a = t, k;
    for (k = 0; k < 12 && a > 0; k++) {
        const eg_token *p = &d->tok[a - 1];
        if (!((p->kind == EG_TK_WORD && (p->flags & (EG_TF_CAP | EG_TF_POSS))) || p->kind == EG_TK_NUM ||
              (p->flags & EG_TF_JOINER) || (p->kind == EG_TK_WORD && is_connector(d, p)) ||
              (p->e - p->s == 1 && d->text[p->s] == '&')))
            break;
        a--;
        if (p->flags & EG_TF_SENT_START)
            break;
    }
    while (a < t && !((d->tok[a].kind == EG_TK_WORD && (d->tok[a].flags & EG_TF_CAP)) || d->tok[a].kind == EG_TK_NUM))
        a++;
    return a;
}

/* Records that no match starts in [a, b]. */
static void nomatch(seen *k, size_t a, size_t b)
{
    if (a >= k->nm_lo && a <= k->nm_hi + 1) {
        if (b > k->nm_hi)
            k->nm_hi = b;
    } else {
        k->nm_lo = a;
        k->nm_hi = b;
    }
}

/* tnext(): is the token after trigger token t a word from the rule's list? */
static int tnext_ok(const eg_doc *d, const rrule *ru, size_t t)
{
    size_t k;
    if (t + 1 >= d->ntok || d->tok[t + 1].kind != EG_TK_WORD)
        return 0;
    for (k = 0; k < ru->ntnext; k++)
        if (ru->tnext[k] == d->tok[t + 1].h)
            return 1;
    return 0;
}

/* Does a tfollow() word of rule ru start at byte `at`, followed by white
 * space? The rule's pattern writes it as "word\h+": the byte after it is a
 * space, a tab or the first byte of a non-ASCII character (the other \h).
 * It is asked at every token of a run, most of them capitalised: a byte
 * that starts none of the words (tfollow_first) ends it at once. */
static int tfollow_at(const eg_doc *d, const rrule *ru, size_t at)
{
    const char *w = ru->tfollow;
    unsigned char c0 = at < d->len ? (unsigned char)d->text[at] : 0;
    if (c0 < 'a' || c0 > 'z' || !(ru->tfollow_first & (1u << (c0 - 'a'))))
        return 0; /* every word is lower-case ASCII: none starts here */
    for (; *w; w += strlen(w) + 1) {
        size_t n = strlen(w);
        unsigned char c;
        if (at + n >= d->len || memcmp(d->text + at, w, n) != 0)
            continue;
        c = (unsigned char)d->text[at + n];
        if (c == ' ' || c == '\t' || c >= 0x80)
            return 1;
    }
    return 0;
}

/* tfollow(): can a match of the rule start in the run [t0, t] of before()
 * trigger t? The rule file vouches that every match holds a tfollow()
 * word right after a run of words separated by white space, each word
 * starting with a capital or '&' (org-head-of: "Ministry of ..."). A match
 * starts at or before the trigger, so its word either lies in the run,
 * before the trigger, or is the first token after the trigger that white
 * space precedes and that does not start with a capital or '&' (the
 * words of the run in between are whole tokens: white space ends a
 * token). Only ASCII bytes are judged: a token after white space whose
 * first byte is not ASCII, or not after ASCII white space, may belong to
 * the run. */
static int tfollow_ok(const eg_doc *d, const rrule *ru, size_t t0, size_t t)
{
    size_t i;
    for (i = t0; i < t; i++)
        if (tfollow_at(d, ru, d->tok[i].s))
            return 1;
    for (i = t + 1; i < d->ntok; i++) {
        const eg_token *q = &d->tok[i];
        unsigned char pb = (unsigned char)d->text[q->s - 1], c = (unsigned char)d->text[q->s];
        if (pb < 0x80 && pb != ' ' && pb != '\t')
            continue; /* not after white space: inside a word of the run, or no match */
        if (tfollow_at(d, ru, q->s))
            return 1;
        if (c < 0x80 && !((c >= 'A' && c <= 'Z') || c == '&'))
            return 0;
    }
    return 0;
}

/* Where an after() rule's match starts for trigger token t: the next
 * token of the same sentence, past one "." or ","; d->ntok when there is
 * none. */
static size_t after_token(const eg_doc *d, size_t t)
{
    t++;
    if (t < d->ntok && d->tok[t].kind == EG_TK_PUNCT && d->tok[t].e - d->tok[t].s == 1 &&
        (d->text[d->tok[t].s] == '.' || d->text[d->tok[t].s] == ',') && !(d->tok[t].flags & EG_TF_SENT_END))
        t++;
    if (t < d->ntok && (d->tok[t].flags & (EG_TF_SENT_START | EG_TF_NL_BEFORE)))
        return d->ntok;
    return t;
}

/* Can trigger token t of rule ru lead to a match? 0 when run_anchored
 * would drop it before any search: tnext() fails, or, for after() and
 * at(), whose search tries the one offset where the start token begins,
 * there is no start token or next_start rejects that offset: by the bytes
 * alone (its first byte is not in the first-byte map, or no lookbehind
 * literal ends there), or, when the start token u is a word and the rule
 * has prechecks and no strip(), by a word-list precheck whose answer for
 * u's key the thread's cache already holds (pre_mask_fails): next_start
 * asks pre_holds at u, and pre_check returns 0 on that same test before
 * anything else could give another verdict (tcapnext_ok failing gives 0
 * too; only strip() can answer 3). The cached answers are facts about the
 * key, so reading them early changes nothing. Only on() triggers are kept
 * as they are (their rules run whole sentences). The trigger pass asks it
 * to push fewer pairs (most after() triggers are followed by a lower-case
 * word, most name triggers by a common word). *ta is after_token(t), or
 * SIZE_MAX until an after() rule of the token asks it. */
static int trig_may_run(const mstate *m, const rrule *ru, size_t t, size_t *ta)
{
    const eg_doc *d = m->d;
    const lcslot *x;
    unsigned char c;
    if (ru->has_on == ON_SENT)
        return 1; /* on() runs whole sentences */
    if (ru->ntnext && !tnext_ok(d, ru, t))
        return 0;
    if (ru->has_on == ON_AFTER) {
        if (*ta == SIZE_MAX)
            *ta = after_token(d, t);
        t = *ta;
    } else if (ru->has_on != ON_AT)
        return 1;
    if (t >= d->ntok)
        return 0;
    c = (unsigned char)d->text[d->tok[t].s];
    if (!(ru->first[c >> 3] & (1u << (c & 7))))
        return 0;
    if (ru->lb && !lookbehind_ok(ru, d->text, d->tok[t].s))
        return 0;
    if (!ru->pre || ru->strip || !is_word(&d->tok[t]))
        return 1;
    x = lc_slot(m->s, d->tok[t].h);
    return !(x->h == d->tok[t].h && pre_mask_fails(ru, x->bits));
}

/* after() / at() / before(): one try per trigger token; for after() and
 * at() the match is anchored (JIT keeps working: an offset limit equal to
 * the start offset anchors it); for before() it starts anywhere from the
 * run before the trigger up to the trigger. Triggers inside a match this
 * rule accepted are skipped. */
static int run_anchored(mstate *m, uint32_t ri, int mode)
{
    const rrule *ru = &m->r->v[ri];
    const eg_doc *d = m->d;
    eg_rules_scratch *s = m->s;
    uint32_t a = s->start[ri], b = s->start[ri + 1], done = 0;
    int rc;
    seen k = {1, 0, 0};
    for (; a < b; a++) {
        size_t t = s->sorted[a], t0;
        PCRE2_SIZE at, lim;
        int after = mode == ON_AFTER;
        if (ru->ntnext && !tnext_ok(d, ru, t))
            continue;
        if (after)
            t = after_token(d, t);
        if (t >= d->ntok || d->tok[t].s < done)
            continue;
        t0 = mode == ON_BEFORE ? run_start(d, t) : t;
        m->hint = (uint32_t)t0;
        /* before() needs a run before a punctuation trigger */
        if (mode == ON_BEFORE && t0 == t && d->tok[t].kind == EG_TK_PUNCT)
            continue;
        if (ru->tfollow && !tfollow_ok(d, ru, t0, t))
            continue;
        at = d->tok[t0].s;
        if (at < done)
            at = done;
        /* after() and at() are anchored at the trigger; before() starts
         * anywhere from the run to the trigger. No call where no match
         * the conditions could accept can start (next_start). */
        lim = d->tok[t].s;
        k.u = (uint32_t)t0;
        while ((at = next_start(m, ru, at, lim, &k)) <= lim) {
            PCRE2_SIZE *ov;
            pcre2_set_offset_limit(s->mc, lim);
            rc = rmatch(ru, d, at, s);
            if (rc == PCRE2_ERROR_NOMATCH) {
                if (ru->plain)
                    nomatch(&k, at, lim);
                break;
            }
            if (rc < 0) {
                warn_limit(m, ri, rc);
                return 1;
            }
            if ((rc = accept_match(m, ri)) < 0)
                return rc;
            ov = pcre2_get_ovector_pointer(s->md);
            if (rc == 1) {
                done = (uint32_t)ov[1];
                break;
            }
            /* rejected: nothing starts before it, and at it nothing
             * that is accepted; try a later start, up to the trigger */
            if (ru->plain && ov[0] > at)
                nomatch(&k, at, ov[0] - 1);
            if (ru->plain && ov[0] >= at) {
                uint32_t q = tok_lower(d, (uint32_t)ov[0], k.u);
                if (q < d->ntok && d->tok[q].s == ov[0])
                    prec_mark(s, q, 2);
            }
            at = (ov[0] >= at ? ov[0] : at) + 1;
        }
    }
    return 0;
}

static uint32_t sent_start_byte(const eg_doc *d, size_t si) { return d->tok[d->sents[si].t0].s; }
static uint32_t sent_end_byte(const eg_doc *d, size_t si) { return d->tok[d->sents[si].t1 - 1].e; }

/* Windows of whole sentences up to WIN_BYTES for rules without on(). */
static int make_windows(mstate *m)
{
    const eg_doc *d = m->d;
    eg_rules_scratch *s = m->s;
    size_t si = 0;
    s->nwin = 0;
    if (!d->nsent) {
        if (EG_GROW(s->win, s->win_cap, 2))
            return eg_err_nomem(m->e);
        s->win[0] = d->tok[0].s;
        s->win[1] = d->tok[d->ntok - 1].e;
        s->nwin = 1;
        return EG_OK;
    }
    while (si < d->nsent) {
        uint32_t ws, we;
        size_t sj = si;
        while (sj < d->nsent && d->sents[sj].t1 <= d->sents[sj].t0)
            sj++;
        if (sj == d->nsent)
            break;
        ws = sent_start_byte(d, sj);
        we = sent_end_byte(d, sj);
        si = sj + 1;
        while (si < d->nsent && (d->sents[si].t1 <= d->sents[si].t0 || sent_end_byte(d, si) - ws <= WIN_BYTES)) {
            if (d->sents[si].t1 > d->sents[si].t0)
                we = sent_end_byte(d, si);
            si++;
        }
        if (EG_GROW(s->win, s->win_cap, 2 * (s->nwin + 1)))
            return eg_err_nomem(m->e);
        s->win[2 * s->nwin] = ws;
        s->win[2 * s->nwin + 1] = we;
        s->nwin++;
    }
    return EG_OK;
}

/* Records the pairs of trigger chain `e` (index+1 into r->tent, 0 ends)
 * fired at token `tok` of sentence `sent`: for each rule the sentence
 * (on()) or the token (after(), at(), before()), once in a row. One loop
 * per chain keeps the per-pair work to a few loads and stores: the chains
 * are walked for every trigger token of every document. The entry says
 * the rule's mode and whether trig_may_run can drop it (the rest always
 * run: no look at the rule); *ta is shared by the token's chains (see
 * trig_may_run). */
static int push_chain(mstate *m, uint32_t e, uint32_t sent, uint32_t tok, size_t *ta)
{
    const eg_rules *r = m->r;
    eg_rules_scratch *s = m->s;
    for (; e; e = r->tent[e - 1].next) {
        const trig_ent *te = &r->tent[e - 1];
        uint32_t rule = te->rule, v;
        if (rule == UINT32_MAX)
            continue;
        v = te->mode == ON_SENT ? sent : tok;
        if (s->last[rule] == v + 1 || (te->check && !trig_may_run(m, &r->v[rule], tok, ta)))
            continue;
        s->last[rule] = v + 1;
        if (2 * (s->npairs + 1) > s->pairs_cap && EG_GROW(s->pairs, s->pairs_cap, 2 * (s->npairs + 1)))
            return eg_err_nomem(m->e);
        s->pairs[2 * s->npairs] = rule;
        s->pairs[2 * s->npairs + 1] = v;
        s->npairs++;
    }
    return EG_OK;
}

/* What a key triggers, as kept in its cache slot: LT_KNOWN; bit l - 2 for
 * each word list l >= 2 in `alist` that fires rules at any word (the
 * key, or a phrase ending in it for titles, is in the list); and from
 * LT_HEAD_SHIFT the trigger chain of the key (trig_find), or LT_HEAD_MAX
 * when the index does not fit (then trig_find is asked each time). */
#define LT_KNOWN (1u << 31)
#define LT_HEAD_SHIFT 4
#define LT_HEAD_MAX ((1u << 24) - 1)
#define LT_CAP_SHIFT 28 /* bit 28 + l: in list l (given, surname) that fires
                           rules at capitalised tokens */
#define LT_CAP_KNOWN (1u << 30) /* those bits are known (asked at the first
                                   capitalised token of the key) */
#define LT_FIRES ((1u << LT_CAP_SHIFT) - 1) /* a key with one of these fires
                                               something at any token */
#define LT_FIRES_CAP (LT_FIRES | 3u << LT_CAP_SHIFT) /* ... at a capitalised one */

#define TRIG_AHEAD 16 /* tokens between a slot's prefetch and its use (a power of 2) */
#if defined(__GNUC__)
static unsigned low_bit(uint32_t v) { return (unsigned)__builtin_ctz(v); }
static unsigned low_bit64(uint64_t v) { return (unsigned)__builtin_ctzll(v); }
#else
static unsigned low_bit(uint32_t v)
{
    unsigned b = 0;
    while (!(v & (1u << b)))
        b++;
    return b;
}
static unsigned low_bit64(uint64_t v)
{
    unsigned b = 0;
    while (!(v & (1ull << b)))
        b++;
    return b;
}
#endif

static uint32_t key_triggers(const mstate *m, uint64_t h, const int *alist, size_t nlists)
{
    uint32_t v = LT_KNOWN, e = trig_find(m->r, h);
    size_t k;
    for (k = 0; k < nlists; k++) {
        int l = alist[k];
        if (eg_lex_may_end(m->lex, l, h) &&
            (eg_lex_has(m->lex, l, h) || (l == EG_LEX_TITLE && eg_lex_has_tail(m->lex, l, h))))
            v |= 1u << (l - 2);
    }
    return v | (e < LT_HEAD_MAX ? e : LT_HEAD_MAX) << LT_HEAD_SHIFT;
}

/* The name-list bits of a key (LT_CAP_SHIFT, with LT_CAP_KNOWN), answered
 * as list_has would and kept in the slot for it. */
static uint32_t key_cap_lists(const mstate *m, lcslot *x, const int *alist_cap, size_t ncap)
{
    uint64_t h = x->h;
    uint32_t v = LT_CAP_KNOWN;
    size_t k;
    for (k = 0; k < ncap; k++) {
        int l = alist_cap[k];
        uint32_t bit = 1u << (2 * l);
        if (!(x->bits & bit))
            x->bits |= bit | (eg_lex_has(m->lex, l, h) ? bit << 1 : 0);
        if (x->bits & (bit << 1))
            v |= 1u << (LT_CAP_SHIFT + l);
    }
    return v;
}

/* The word lists that fire rules in this run (given the lexicon): at any
 * word, and at capitalised words only (given, surname). */
typedef struct {
    int any[EG_LEX_NLISTS], cap[2];
    size_t nany, ncap;
} active_lists;

/* Fills the thread's cache slot x for token t's key (taking the slot over
 * when it held another key) with what the key triggers, and the name-list
 * bits when t is capitalised; returns the slot's trigger bits. */
static uint32_t slot_fill(const mstate *m, lcslot *x, const eg_token *t, const active_lists *al)
{
    if (x->h != t->h) {
        x->h = t->h;
        x->bits = 0;
        x->trig = 0;
    }
    if (!x->trig)
        x->trig = key_triggers(m, t->h, al->any, al->nany);
    if ((t->flags & EG_TF_CAP) && !(x->trig & LT_CAP_KNOWN))
        x->trig |= key_cap_lists(m, x, al->cap, al->ncap);
    return x->trig;
}

/* Finds the (rule, sentence or token) pairs triggered by on(), after()
 * and at(), and groups them by rule (a counting sort keeps them in text
 * order). */
static int gather_triggers(mstate *m)
{
    const eg_rules *r = m->r;
    const eg_doc *d = m->d;
    eg_rules_scratch *s = m->s;
    size_t i, n = r->n;
    int l, aflag[4];
    size_t nflags = 0;
    active_lists al = {{0}, {0}, 0, 0};
    unsigned wflags = 0, oflags = 0;
    lcslot *ahead[TRIG_AHEAD];
    if (n + 1 > s->rule_cap) {
        eg_free(s->start);
        eg_free(s->last);
        s->start = eg_malloc((n + 1) * sizeof *s->start);
        s->last = eg_malloc((n + 1) * sizeof *s->last);
        s->rule_cap = s->start && s->last ? n + 1 : 0;
        if (!s->rule_cap)
            return eg_err_nomem(m->e);
    }
    memset(s->last, 0, (n + 1) * sizeof *s->last);
    memset(s->start, 0, (n + 1) * sizeof *s->start);
    s->npairs = 0;
    /* the lexicon lists and token flags that fire some rule */
    for (l = 0; l < EG_LEX_NLISTS; l++)
        if (r->list_head[l] && m->lex && m->lex->nslots[l]) {
            if (l == EG_LEX_GIVEN || l == EG_LEX_SURNAME)
                al.cap[al.ncap++] = l;
            else
                al.any[al.nany++] = l;
        }
    for (l = 0; l < 4; l++)
        if (r->flag_head[l]) {
            aflag[nflags++] = l;
            if (trig_flags[l].kind == EG_TK_WORD)
                wflags |= trig_flags[l].flags ? trig_flags[l].flags : 0xFFFFu;
            else
                oflags = 1;
        }
    /* the slots miss cache: each is found (and prefetched) TRIG_AHEAD
     * tokens before its use, and kept in a ring until then */
    for (i = 0; i < TRIG_AHEAD && i < d->ntok; i++) {
        ahead[i] = lc_slot(s, d->tok[i].h);
        EG_PREFETCH(ahead[i]);
    }
    for (i = 0; i < d->ntok; i++) {
        const eg_token *t = &d->tok[i];
        lcslot *x = ahead[i % TRIG_AHEAD];
        uint32_t e, g, sent;
        size_t k, ta;
        if (i + TRIG_AHEAD < d->ntok) {
            lcslot *y = lc_slot(s, d->tok[i + TRIG_AHEAD].h);
            EG_PREFETCH(y);
            ahead[i % TRIG_AHEAD] = y;
        }
        /* one cache slot answers for the key: trigger words, word lists */
        g = x->h == t->h ? x->trig : 0;
        if (!g || ((t->flags & EG_TF_CAP) && !(g & LT_CAP_KNOWN)))
            g = slot_fill(m, x, t, &al);
        /* what is known of the key, for list_has; the first word of
         * s->lexc[i] (nothing asks about token i before this pass reaches
         * it, so eg_rules_match leaves lexc unset when this pass runs) */
        s->lexc[i] = x->bits;
        /* most tokens fire nothing: no trigger word, list or flag */
        if (!(g & ((t->flags & EG_TF_CAP) ? LT_FIRES_CAP : LT_FIRES)) &&
            (t->kind == EG_TK_WORD ? !(t->flags & wflags) : !oflags))
            continue;
        sent = d->nsent ? t->sent : 0;
        ta = SIZE_MAX;
        e = (g >> LT_HEAD_SHIFT) & LT_HEAD_MAX;
        if (e == LT_HEAD_MAX)
            e = trig_find(r, t->h);
        if (e && push_chain(m, e, sent, (uint32_t)i, &ta))
            return EG_ENOMEM;
        if (t->kind == EG_TK_WORD) {
            /* the word lists it is in: titles and common words always (a
             * title also at the last word of a multi-word title), names
             * only when capitalised (a token's pairs may come in any order:
             * each rule keeps the tokens in text order) */
            uint32_t lb = g & ((1u << LT_HEAD_SHIFT) - 1);
            if (t->flags & EG_TF_CAP)
                lb |= g & (3u << LT_CAP_SHIFT);
            while (lb) {
                unsigned b = low_bit(lb);
                lb &= lb - 1;
                l = b >= LT_CAP_SHIFT ? (int)(b - LT_CAP_SHIFT) : (int)b + 2;
                if (push_chain(m, r->list_head[l], sent, (uint32_t)i, &ta))
                    return EG_ENOMEM;
            }
            if (!(t->flags & wflags))
                continue;
        } else if (!oflags) {
            continue;
        }
        for (k = 0; k < nflags; k++) {
            l = aflag[k];
            if (t->kind != trig_flags[l].kind || (t->flags & trig_flags[l].flags) != trig_flags[l].flags)
                continue;
            if (push_chain(m, r->flag_head[l], sent, (uint32_t)i, &ta))
                return EG_ENOMEM;
        }
    }
    if (EG_GROW(s->sorted, s->sorted_cap, s->npairs + 1))
        return eg_err_nomem(m->e);
    for (i = 0; i < s->npairs; i++)
        s->start[s->pairs[2 * i] + 1]++;
    for (i = 1; i <= n; i++)
        s->start[i] += s->start[i - 1];
    /* s->last is reused as the fill cursor */
    for (i = 0; i < n; i++)
        s->last[i] = s->start[i];
    for (i = 0; i < s->npairs; i++)
        s->sorted[s->last[s->pairs[2 * i]]++] = s->pairs[2 * i + 1];
    return EG_OK;
}

/* Acronym initials check: the letters of the acronym follow the words of
 * the long form in order, each one either a word's first letter or the
 * next letter of the word matched last; the first letter must match the
 * first word's initial, and at least half the letters must be initials. */
static int initials_fit(const char *acr, size_t an, const char *const *w, const size_t *wn, size_t nw)
{
    size_t ai = 0, wi = 0, ci = 0, init = 0;
    int inword = 0;
    if (!an || !nw)
        return 0;
    while (ai < an) {
        char a = (char)(acr[ai] | 0x20);
        if (inword && ci < wn[wi - 1] && (w[wi - 1][ci] | 0x20) == a) {
            ci++;
            ai++;
            continue;
        }
        while (wi < nw && (w[wi][0] | 0x20) != a) {
            if (ai == 0)
                return 0;
            wi++;
        }
        if (wi == nw)
            return 0;
        wi++;
        ci = 1;
        inword = 1;
        init++;
        ai++;
    }
    return init * 2 >= an;
}

static int is_acronym_tok(const eg_doc *d, const eg_token *t)
{
    uint32_t n = t->e - t->s, i, up = 0;
    if (t->kind != EG_TK_WORD || n < 2 || n > 12)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d->text[t->s + i];
        if (c >= 'A' && c <= 'Z')
            up++;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '&'))
            return 0;
    }
    return up >= 2 && (d->text[t->s] >= 'A' && d->text[t->s] <= 'Z');
}

static int tok_is(const eg_doc *d, const eg_token *t, const char *s)
{
    size_t n = strlen(s);
    return t->e - t->s == n && memcmp(d->text + t->s, s, n) == 0;
}

/* The built-in acronym step: "Long Form (ACR)" and "(ACR1 / ACR2)". */
static int acronyms(mstate *m)
{
    const eg_doc *d = m->d;
    eg_rules_scratch *s = m->s;
    size_t i, ncand = m->out->n, nwords, npos = 0, p;
    if (!ncand)
        return EG_OK;
    nwords = (d->ntok + 1 + 63) / 64;
    if (EG_GROW(s->best, s->best_cap, d->ntok + 1) || EG_GROW(s->bset, s->bset_cap, nwords) ||
        EG_GROW(s->bpos, s->bpos_cap, ncand))
        return eg_err_nomem(m->e);
    /* best[t] means something only where bset has bit t: best is not cleared */
    memset(s->bset, 0, nwords * sizeof *s->bset);
    for (i = 0; i < ncand; i++) {
        const eg_cand *c = &m->out->v[i], *b;
        if (c->t1 > d->ntok || c->type == EG_PERSON || (c->flags & EG_CF_ACRONYM_DEF))
            continue;
        if (!(s->bset[c->t1 / 64] & (1ull << (c->t1 % 64)))) {
            s->best[c->t1] = (uint32_t)i + 1;
            s->bset[c->t1 / 64] |= 1ull << (c->t1 % 64);
            continue;
        }
        b = &m->out->v[s->best[c->t1] - 1];
        if (((b->flags & EG_CF_WEAK) && !(c->flags & EG_CF_WEAK)) ||
            (!(b->flags & EG_CF_WEAK) == !(c->flags & EG_CF_WEAK) &&
             (c->t0 < b->t0 || (c->t0 == b->t0 && c->prio > b->prio))))
            s->best[c->t1] = (uint32_t)i + 1;
    }
    /* the tokens where a candidate ends, in text order */
    for (i = 0; i < nwords; i++) {
        uint64_t v = s->bset[i];
        while (v) {
            s->bpos[npos++] = (uint32_t)(i * 64 + low_bit64(v));
            v &= v - 1;
        }
    }
    for (p = 0; p < npos && (size_t)s->bpos[p] + 2 < d->ntok; p++) {
        const eg_token *t = &d->tok[i = s->bpos[p]];
        uint32_t j, acr[4], nacr = 0, fit = 0, k, w;
        eg_cand lf, c;
        const char *ws[16];
        size_t wn[16], nw = 0;
        if (!tok_is(d, t, "("))
            continue;
        lf = m->out->v[s->best[i] - 1];
        for (j = (uint32_t)i + 1; j < d->ntok && nacr < 4; j++) {
            if (!is_acronym_tok(d, &d->tok[j]))
                break;
            acr[nacr++] = j;
            j++;
            if (j < d->ntok && (tok_is(d, &d->tok[j], "/") || tok_is(d, &d->tok[j], ",") ||
                                tok_is(d, &d->tok[j], ";") || tok_is(d, &d->tok[j], "or") ||
                                tok_is(d, &d->tok[j], "aka")))
                continue;
            break;
        }
        if (!nacr || j >= d->ntok || !tok_is(d, &d->tok[j], ")"))
            continue;
        for (w = lf.t0; w < lf.t1 && nw < 16; w++)
            if (is_word(&d->tok[w]) && !(nw == 0 && (tok_is(d, &d->tok[w], "The") || tok_is(d, &d->tok[w], "the")))) {
                ws[nw] = d->text + d->tok[w].s;
                wn[nw++] = d->tok[w].e - d->tok[w].s;
            }
        for (k = 0; k < nacr && !fit; k++) {
            char buf[16];
            size_t bn = 0;
            uint32_t q;
            for (q = d->tok[acr[k]].s; q < d->tok[acr[k]].e && bn < sizeof buf; q++)
                if (d->text[q] != '.' && d->text[q] != '&')
                    buf[bn++] = d->text[q];
            fit = initials_fit(buf, bn, ws, wn, nw);
            /* the long form's span may have missed a capitalised first word
             * that the acronym spells ("National Passive Defense
             * Organization (NPDO)" found as "Passive Defense ...") */
            if (!fit && lf.t0 > 0 && nw < 16 && is_word(&d->tok[lf.t0 - 1]) &&
                (d->tok[lf.t0 - 1].flags & EG_TF_CAP) && bn && d->text[d->tok[lf.t0 - 1].s] == buf[0]) {
                const char *ws2[17];
                size_t wn2[17];
                ws2[0] = d->text + d->tok[lf.t0 - 1].s;
                wn2[0] = d->tok[lf.t0 - 1].e - d->tok[lf.t0 - 1].s;
                memcpy(ws2 + 1, ws, nw * sizeof *ws);
                memcpy(wn2 + 1, wn, nw * sizeof *wn);
                fit = initials_fit(buf, bn, ws2, wn2, nw + 1);
            }
        }
        if (!fit)
            continue;
        for (k = 0; k < nacr; k++) {
            memset(&c, 0, sizeof c);
            c.t0 = acr[k];
            c.t1 = acr[k] + 1;
            c.type = lf.type;
            c.source = EG_SRC_RULE;
            c.prio = lf.prio;
            c.entry = EG_NONE;
                    c.rule = 0;
            c.flags = EG_CF_ACRONYM_DEF;
            if (eg_cands_push(m->out, &c))
                return eg_err_nomem(m->e);
        }
    }
    return EG_OK;
}

int eg_rules_match(const eg_rules *r, eg_rules_scratch *s, const eg_lex *lex, const eg_doc *d, eg_cands *out,
                   eg_rules_warn_fn warn, void *ud, eg_err *e)
{
    mstate m;
    size_t ri, k;
    int rc = EG_OK;
    if (!r || !s || !d || !out)
        return eg_err_set(e, EG_EUSAGE, "eg_rules_match: missing argument");
    if (s->ngroups < r->max_groups + 1)
        return eg_err_set(e, EG_EUSAGE, "eg_rules_match: scratch made before the last rules were loaded");
    if (!d->ntok)
        return EG_OK;
    m.r = r;
    m.s = s;
    m.lex = lex;
    m.d = d;
    m.out = out;
    m.warn = warn;
    m.ud = ud;
    m.e = e;
    m.hint = 0;
    m.prec_ok = 0;
    /* the clean text should be valid UTF-8; matching with NO_UTF_CHECK relies on it */
    if (eg_utf8_bad_at((const unsigned char *)d->text, d->len) < d->len) {
        if (warn) {
            char line[300];
            snprintf(line, sizeof line, "%s: text is not valid UTF-8; pattern rules skipped",
                     d->name ? d->name : "(document)");
            warn(ud, line);
        }
        return EG_OK;
    }
    if (EG_GROW(s->lexc, s->lexc_cap, d->ntok) || prec_grow(s, d->ntok) ||
        EG_GROW(s->prec_set, s->prec_set_cap, d->ntok))
        return eg_err_nomem(e);
    /* with triggers, gather_triggers sets every token's lexc first */
    if (!r->has_on)
        memset(s->lexc, 0, d->ntok * sizeof *s->lexc);
    s->nprec_set = 0;
    {
        /* the thread's cache holds answers about this lexicon, these
         * sets and these triggers only */
        size_t size = r->nsets + r->n + r->ntent; /* all grow as rules and words are added */
        int l;
        for (l = 0; lex && l < EG_LEX_NLISTS; l++)
            size += lex->count[l];
        if (s->lc_lex != lex || s->lc_rules != r || s->lc_size != size) {
            memset(s->lc, 0, LC_SLOTS * sizeof *s->lc);
            s->lc_lex = lex;
            s->lc_rules = r;
            s->lc_size = size;
        }
    }
    if ((rc = make_windows(&m)))
        return rc;
    if (r->has_on && (rc = gather_triggers(&m)))
        return rc;
    for (ri = 1; ri < r->n; ri++) {
        const rrule *ru = &r->v[ri];
        int st = 0;
        if (!ru->code)
            continue;
        if (ru->has_on == ON_AFTER || ru->has_on == ON_AT || ru->has_on == ON_BEFORE) {
            if (s->start[ri] == s->start[ri + 1])
                continue; /* no trigger */
            m.prec_ok = 1;
            st = run_anchored(&m, (uint32_t)ri, ru->has_on);
            m.prec_ok = 0;
            /* s->prec is about one rule: back to all 0 */
            for (k = 0; k < s->nprec_set; k++)
                s->prec[s->prec_set[k]] = 0;
            s->nprec_set = 0;
        } else if (ru->has_on) {
            uint32_t a = s->start[ri], b = s->start[ri + 1];
            while (a < b && !st) {
                uint32_t s0 = s->sorted[a], s1 = s0;
                uint32_t ws, we;
                a++;
                /* merge a run of consecutive sentences into one window */
                while (a < b && s->sorted[a] == s1 + 1)
                    s1 = s->sorted[a++];
                if (d->nsent) {
                    if (d->sents[s0].t1 <= d->sents[s0].t0 || d->sents[s1].t1 <= d->sents[s1].t0)
                        continue;
                    ws = sent_start_byte(d, s0);
                    we = sent_end_byte(d, s1);
                } else {
                    ws = d->tok[0].s;
                    we = d->tok[d->ntok - 1].e;
                }
                st = run_window(&m, (uint32_t)ri, ws, we);
            }
        } else {
            for (k = 0; k < s->nwin && !st; k++)
                st = run_window(&m, (uint32_t)ri, s->win[2 * k], s->win[2 * k + 1]);
        }
        if (st < 0)
            return st;
    }
    return acronyms(&m);
}

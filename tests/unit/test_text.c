/*
 * test_text.c — unit tests for the text layer (normalise.c, tokenize.c,
 * segment.c, text.c): clean text and offset map, match keys, tokens and
 * their flags, sentences and paragraphs, and offset round trips on the
 * sample articles. Also the case files in tests/data/text/NAME.case (input →
 * one line per token; format in tests/data/text/README).
 * Run from the top of the tree (the sample articles are read from
 * corpus/seeds, the case files from tests/data/text).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "text.h"

static eg_doc D;
static eg_err E;

/* Prepares s (n bytes) in the shared doc; fails the test on error. */
static int prep_n(const char *s, size_t n)
{
    eg_err_clear(&E);
    return eg_text_prepare(&D, "t", s, n, &E);
}

static int prep(const char *s) { return prep_n(s, strlen(s)); }

/* Token i's clean text as a C string (static buffer). */
static const char *tok_text(size_t i)
{
    static char buf[256];
    size_t n;
    if (i >= D.ntok)
        return "(none)";
    n = D.tok[i].e - D.tok[i].s;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, D.text + D.tok[i].s, n);
    buf[n] = 0;
    return buf;
}

/* Token i's original bytes as a C string (static buffer). */
static const char *tok_orig(size_t i)
{
    static char buf[256];
    uint32_t a, b;
    size_t n;
    if (i >= D.ntok)
        return "(none)";
    a = eg_doc_orig_start(&D, D.tok[i].s);
    b = eg_doc_orig_end(&D, D.tok[i].e);
    n = b > a ? b - a : 0;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, D.orig + a, n);
    buf[n] = 0;
    return buf;
}

/* Index of the first token whose clean text is w, from `from`; -1 if none. */
static long find_tok(const char *w, size_t from)
{
    size_t i, n = strlen(w);
    for (i = from; i < D.ntok; i++)
        if (D.tok[i].e - D.tok[i].s == n && memcmp(D.text + D.tok[i].s, w, n) == 0)
            return (long)i;
    return -1;
}

static unsigned flags_of(const char *w)
{
    long i = find_tok(w, 0);
    return i < 0 ? 0 : D.tok[i].flags;
}

/* All tokens as "text|text|..." (static buffer). */
static const char *all_toks(void)
{
    static char buf[4096];
    size_t i, o = 0;
    buf[0] = 0;
    for (i = 0; i < D.ntok && o + 64 < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "|" : "", tok_text(i));
    return buf;
}

/* All keys of word tokens, skipping joiners, as "k k k". */
static const char *word_keys(void)
{
    static char buf[4096];
    size_t i, o = 0;
    buf[0] = 0;
    for (i = 0; i < D.ntok && o + 64 < sizeof buf; i++) {
        if (D.tok[i].flags & EG_TF_JOINER)
            continue;
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "", eg_tok_key(&D, &D.tok[i]));
    }
    return buf;
}

/* The sentences as "first..last" text joined by " / ". */
static const char *sentences(void)
{
    static char buf[4096];
    size_t i, o = 0;
    buf[0] = 0;
    for (i = 0; i < D.nsent && o + 300 < sizeof buf; i++) {
        uint32_t a = D.tok[D.sents[i].t0].s, b = D.tok[D.sents[i].t1 - 1].e;
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%.*s", i ? " / " : "", (int)(b - a), D.text + a);
    }
    return buf;
}

static const char *fold(const char *s)
{
    static eg_buf b;
    eg_buf_reset(&b);
    if (eg_fold_key(&b, s, strlen(s)))
        return "(nomem)";
    return eg_buf_cstr(&b);
}

/* Is s[0..n) valid UTF-8? */
static int valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = eg_utf8_valid_len((const unsigned char *)s + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/*
 * Structural invariants of a prepared document; returns a description of
 * the first violation or NULL. Checked after every test input.
 */
static const char *check_invariants(void)
{
    size_t i;
    if (D.map) {
        if (D.map[D.len] != D.orig_len)
            return "map[len] != orig_len";
        for (i = 0; i < D.len; i++) {
            if (D.map[i] >= D.orig_len)
                return "map out of range";
            if (i && D.map[i] < D.map[i - 1])
                return "map not monotonic";
        }
    } else if (D.text != D.orig && D.len) {
        return "identity map but text is a copy";
    }
    if (!valid_utf8(D.text, D.len))
        return "clean text is not valid UTF-8";
    if (D.map && D.text[D.len] != 0)
        return "clean text not NUL-terminated";
    for (i = 0; i < D.len; i++) {
        unsigned char c = (unsigned char)D.text[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || c == '\r')
            return "control byte in clean text";
    }
    for (i = 0; i < D.ntok; i++) {
        const eg_token *t = &D.tok[i];
        uint32_t a = eg_doc_orig_start(&D, t->s), b = eg_doc_orig_end(&D, t->e);
        if (t->s >= t->e || t->e > D.len)
            return "bad token range";
        if (i && t->s < D.tok[i - 1].e)
            return "tokens overlap";
        if (a >= b || b > D.orig_len)
            return "bad original range";
        if (D.keys[t->key + t->klen] != 0)
            return "key not NUL-terminated";
        if (t->h != eg_hash(D.keys + t->key, t->klen))
            return "hash mismatch";
        if (t->sent >= D.nsent || t->para >= D.npara)
            return "sentence/paragraph index out of range";
        if (i < D.sents[t->sent].t0 || i >= D.sents[t->sent].t1)
            return "token not in its sentence";
        if (i < D.paras[t->para].t0 || i >= D.paras[t->para].t1)
            return "token not in its paragraph";
        if (!!(t->flags & EG_TF_SENT_START) != (i == D.sents[t->sent].t0))
            return "SENT_START flag wrong";
        if (!!(t->flags & EG_TF_SENT_END) != (i + 1 == D.sents[t->sent].t1))
            return "SENT_END flag wrong";
        if (!!(t->flags & EG_TF_PARA_START) != (i == D.paras[t->para].t0))
            return "PARA_START flag wrong";
        if ((t->flags & EG_TF_PARA_START) && !(t->flags & EG_TF_SENT_START))
            return "paragraph starts inside a sentence";
    }
    for (i = 0; i < D.nsent; i++)
        if (D.sents[i].t0 >= D.sents[i].t1 || (i ? D.sents[i].t0 != D.sents[i - 1].t1 : D.sents[i].t0 != 0))
            return "sentences do not tile the tokens";
    if (D.ntok && (!D.nsent || D.sents[D.nsent - 1].t1 != D.ntok))
        return "last sentence does not end at the last token";
    for (i = 0; i < D.npara; i++)
        if (D.paras[i].t0 >= D.paras[i].t1 || (i ? D.paras[i].t0 != D.paras[i - 1].t1 : D.paras[i].t0 != 0))
            return "paragraphs do not tile the tokens";
    if (D.ntok && (!D.npara || D.paras[D.npara - 1].t1 != D.ntok))
        return "last paragraph does not end at the last token";
    if (!D.ntok && (D.nsent || D.npara))
        return "sentences without tokens";
    return NULL;
}

#define INVARIANTS(what)                                                              \
    do {                                                                              \
        const char *why_ = check_invariants();                                        \
        OK(!why_, "invariants: %s%s%s", what, why_ ? ": " : "", why_ ? why_ : "");    \
    } while (0)

/* ---- normalisation ---- */

static void test_empty_and_ascii(void)
{
    const char *s = "Plain ASCII text.\nSecond line\twith tab.";
    EQ_INT(prep(""), EG_OK, "empty input prepares");
    EQ_INT(D.len, 0, "empty: no clean text");
    EQ_INT(D.ntok, 0, "empty: no tokens");
    EQ_INT(D.nsent, 0, "empty: no sentences");
    EQ_INT(D.npara, 0, "empty: no paragraphs");
    INVARIANTS("empty");
    EQ_INT(prep_n(NULL, 0), EG_OK, "NULL with length 0 prepares");
    EQ_INT(prep("   \n\n \t"), EG_OK, "white space only prepares");
    EQ_INT(D.ntok, 0, "white space only: no tokens");
    INVARIANTS("white space only");

    EQ_INT(prep(s), EG_OK, "ASCII prepares");
    OK(D.text == s, "ASCII fast path: text is the original, no copy");
    OK(D.map == NULL, "ASCII fast path: identity map");
    EQ_INT(eg_doc_orig_start(&D, 6), 6, "identity orig_start");
    EQ_INT(eg_doc_orig_end(&D, 11), 11, "identity orig_end");
    INVARIANTS("ascii");
}

static void test_line_ends_controls(void)
{
    const char s[] = "ab\r\ncd\ref\0gh\x01i\x7fj";
    EQ_INT(prep_n(s, sizeof s - 1), EG_OK, "CR/LF/NUL/controls prepare");
    OK(D.map != NULL, "CR forces the copying path");
    EQ_STR(D.text, "ab\ncd\nef gh i j", "CRLF and CR become LF; NUL, controls and DEL become spaces");
    EQ_INT(D.map[2], 2, "the LF of CRLF maps to the CR");
    EQ_INT(D.map[3], 4, "the byte after CRLF maps past the LF");
    EQ_INT(D.map[5], 6, "a lone CR maps to itself");
    EQ_INT(D.map[D.len], sizeof s - 1, "map[len] = orig_len");
    EQ_STR(all_toks(), "ab|cd|ef|gh|i|j", "tokens across line ends and controls");
    OK(D.tok[1].flags & EG_TF_NL_BEFORE, "NL_BEFORE after CRLF");
    OK(!(D.tok[3].flags & EG_TF_NL_BEFORE) && (D.tok[3].flags & EG_TF_SPACE_BEFORE),
       "NUL counts as a space, not a line break");
    INVARIANTS("crlf");
    /* a document that is only a CRLF pair */
    EQ_INT(prep("\r\n"), EG_OK, "lone CRLF prepares");
    EQ_INT(D.len, 1, "lone CRLF: one clean byte");
    INVARIANTS("lone crlf");
}

static void test_bom(void)
{
    const char *s = "\xEF\xBB\xBFHello world";
    EQ_INT(prep(s), EG_OK, "BOM prepares");
    EQ_STR(D.text, "Hello world", "leading BOM dropped");
    EQ_INT(D.map[0], 3, "first clean byte maps to offset 3");
    EQ_INT(eg_doc_orig_start(&D, D.tok[0].s), 3, "first token starts at 3");
    EQ_STR(tok_orig(0), "Hello", "first token's original bytes");
    OK(D.tok[0].flags & EG_TF_SENT_START, "first token starts a sentence");
    INVARIANTS("bom");
    EQ_INT(prep("a\xEF\xBB\xBF" "b"), EG_OK, "inner U+FEFF prepares");
    EQ_STR(D.text, "ab", "inner U+FEFF removed");
    INVARIANTS("inner feff");
}

static void test_invalid_utf8(void)
{
    const char *s = "ab\xFF" "cd \xC3 x \xE2\x80 y \xED\xA0\x80 z\xF0\x9F";
    EQ_INT(prep(s), EG_OK, "invalid UTF-8 prepares (no error)");
    OK(D.bad_utf8, "bad_utf8 set");
    EQ_INT(D.bad_utf8_at, 2, "bad_utf8_at = first bad byte");
    OK(strstr(D.text, "ab\xEF\xBF\xBD" "cd") != NULL, "bad byte becomes U+FFFD");
    EQ_STR(all_toks(), "ab|\xEF\xBF\xBD|cd|\xEF\xBF\xBD|x|\xEF\xBF\xBD|\xEF\xBF\xBD|y|\xEF\xBF\xBD|\xEF\xBF\xBD|"
                       "\xEF\xBF\xBD|z|\xEF\xBF\xBD|\xEF\xBF\xBD",
           "each bad byte is one U+FFFD token; text goes on");
    EQ_STR(tok_orig(1), "\xFF", "U+FFFD maps back to exactly its bad byte");
    EQ_INT(eg_doc_orig_end(&D, D.tok[1].e), 3, "orig_end after U+FFFD is just past the bad byte");
    INVARIANTS("invalid");
    EQ_INT(prep("ok"), EG_OK, "next document prepares");
    OK(!D.bad_utf8, "bad_utf8 reset for the next document");
}

/* eg_utf8_bad_at: the first bad byte at every place the ASCII strides
 * (32, 8, 1) can reach it, and n when all is valid. */
static void test_utf8_bad_at(void)
{
    unsigned char b[80];
    size_t at, ok = 1;
    memset(b, 'a', sizeof b);
    EQ_INT(eg_utf8_bad_at(b, sizeof b), sizeof b, "all ASCII: n");
    EQ_INT(eg_utf8_bad_at(b, 0), 0, "empty: 0");
    memcpy(b + 40, "\xC3\xA9\xF0\x9F\x98\x80", 6);
    EQ_INT(eg_utf8_bad_at(b, sizeof b), sizeof b, "valid two- and four-byte characters: n");
    memset(b, 'a', sizeof b);
    for (at = 0; at < sizeof b; at++) {
        b[at] = 0xFF;
        ok &= eg_utf8_bad_at(b, sizeof b) == at && eg_utf8_bad_at(b, at) == at;
        b[at] = 0xC3; /* a lead byte cut off by the end */
        ok &= eg_utf8_bad_at(b, at + 1) == at;
        b[at] = 'a';
    }
    OK(ok, "the first bad byte, wherever it is");
}

/* eg_slug: ASCII (the fast branch) and other characters (decoded) give
 * the same kind of slug; bad bytes and overlong forms are separators. */
static eg_buf slug_buf;

static const char *slug_of(const char *s, size_t n)
{
    slug_buf.len = 0;
    if (slug_buf.p)
        slug_buf.p[0] = 0;
    if (eg_slug(&slug_buf, s, n))
        return "(error)";
    return slug_buf.p ? slug_buf.p : "";
}

static void test_slug(void)
{
    EQ_STR(slug_of("People's Front", 14), "peoples-front", "slug: ' dropped, space a dash");
    EQ_STR(slug_of("U.S. Army", 9), "us-army", "slug: dots dropped");
    EQ_STR(slug_of("People\xE2\x80\x99s", 10), "peoples", "slug: \u2019 dropped like '");
    EQ_STR(slug_of("Jos\xC3\xA9 Mar\xC3\xAD" "a", 13), "jose-maria", "slug: accents stripped, lower-cased");
    EQ_STR(slug_of("A\xC0\xAE" "B", 4), "a-b", "slug: an overlong '.' separates, unlike '.'");
    EQ_STR(slug_of("A\xFF" "B", 3), "a-b", "slug: a bad byte separates");
    EQ_STR(slug_of("--X--", 5), "x", "slug: no dash at either end");
    eg_buf_free(&slug_buf);
}

static void test_typography(void)
{
    /* ’ ‘ ʼ ′ → '   “ ” „ « » ″ → "   ‐ ‑ ‒ – — ― − → -   spaces → ' ' */
    const char *s = "a\xE2\x80\x99" "b \xE2\x80\x98" "c\xCA\xBC" "d\xE2\x80\xB2 "
                    "\xE2\x80\x9C" "e\xE2\x80\x9D \xE2\x80\x9E" "f\xC2\xAB" "g\xC2\xBB" "h\xE2\x80\xB3 "
                    "1\xE2\x80\x90" "2\xE2\x80\x91" "3\xE2\x80\x92" "4\xE2\x80\x93" "5\xE2\x80\x94" "6\xE2\x80\x95"
                    "7\xE2\x88\x92" "8"
                    "\xC2\xA0" "x\xE2\x80\x87" "y\xE2\x80\xAF" "z\xE2\x80\x83" "w\xE3\x80\x80" "v";
    EQ_INT(prep(s), EG_OK, "typography prepares");
    EQ_STR(D.text, "a'b 'c'd' \"e\" \"f\"g\"h\" 1-2-3-4-5-6-7-8 x y z w v", "typographic folds in clean text");
    INVARIANTS("typography");

    EQ_INT(prep("Wait\xE2\x80\xA6 then"), EG_OK, "ellipsis prepares");
    EQ_STR(D.text, "Wait... then", "ellipsis becomes three dots");
    EQ_STR(all_toks(), "Wait|...|then", "three dots are one token");
    EQ_STR(tok_orig(1), "\xE2\x80\xA6", "the dots map back to the one ellipsis character");
    EQ_INT(D.map[4], 4, "dot 1 maps to the ellipsis");
    EQ_INT(D.map[6], 4, "dot 3 maps to the ellipsis");
    INVARIANTS("ellipsis");

    /* zero-width characters produce no clean bytes */
    EQ_INT(prep("Moja\xE2\x80\x8Bhe\xC2\xAD" "din\xE2\x80\x8D and\xE2\x81\xA0 x\xE2\x80\x8C"), EG_OK, "zero-width prepares");
    EQ_STR(D.text, "Mojahedin and x", "zero-width and soft hyphen removed");
    EQ_STR(tok_orig(0), "Moja\xE2\x80\x8Bhe\xC2\xAD" "din", "source of a word includes inner zero-width chars");
    EQ_STR(tok_orig(1), "and", "source of a word excludes a trailing zero-width char");
    EQ_STR(tok_orig(2), "x", "trailing zero-width at the very end excluded");
    INVARIANTS("zero-width");
}

static void test_nfkc(void)
{
    EQ_INT(prep("\xEF\xAC\x81ne \xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3 x\xC2\xB2"), EG_OK, "compatibility prepares");
    EQ_STR(D.text, "fine ABC x2", "NFKC: ligature, full-width letters, superscript");
    EQ_STR(tok_orig(0), "\xEF\xAC\x81ne", "ligature word maps back to its source");
    EQ_STR(tok_orig(1), "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3", "full-width word maps back whole");
    INVARIANTS("nfkc");

    EQ_INT(prep("Elyse\xCC\x81" "e Palace"), EG_OK, "combining accent prepares");
    EQ_STR(D.text, "Elys\xC3\xA9" "e Palace", "e + U+0301 composes to U+00E9 (case kept)");
    EQ_STR(tok_orig(0), "Elyse\xCC\x81" "e", "composed word maps back to the decomposed source");
    EQ_INT(D.map[4], 4, "composed letter maps to its base letter");
    EQ_INT(D.map[5], 4, "both bytes of the composed letter map to the base");
    EQ_INT(eg_doc_orig_end(&D, 6), 7, "orig_end after the composed letter covers the mark");
    INVARIANTS("combining");

    EQ_INT(prep("Caf\xC3\xA9 na\xC3\xAFve"), EG_OK, "precomposed prepares");
    EQ_STR(D.text, "Caf\xC3\xA9 na\xC3\xAFve", "precomposed letters kept");
    INVARIANTS("precomposed");

    /* a mark with nothing to attach to, and a long run of marks */
    {
        static char z[8192];
        size_t o = 0, i;
        z[o++] = ' ';
        memcpy(z + o, "\xCC\x81", 2);
        o += 2;
        z[o++] = ' ';
        z[o++] = 'a';
        for (i = 0; i < 1000; i++) {
            memcpy(z + o, "\xCC\x81", 2);
            o += 2;
        }
        memcpy(z + o, " b", 2);
        o += 2;
        EQ_INT(prep_n(z, o), EG_OK, "1000 combining marks prepare");
        EQ_STR(tok_text(D.ntok - 1), "b", "text after a mark run tokenizes");
        INVARIANTS("zalgo");
    }
}

static void test_fold_key(void)
{
    EQ_STR(fold("Elys\xC3\xA9" "e"), "elysee", "Elysée → elysee");
    EQ_STR(fold("Elysee"), "elysee", "Elysee → elysee");
    EQ_STR(fold("Elyse\xCC\x81" "e"), "elysee", "decomposed Elysée → elysee");
    EQ_STR(fold("MOJAHEDIN"), "mojahedin", "case folded");
    EQ_STR(fold("U.S."), "us", "U.S. → us");
    EQ_STR(fold("F.B.I."), "fbi", "F.B.I. → fbi");
    EQ_STR(fold("Mr."), "mr", "Mr. → mr");
    EQ_STR(fold("3.5"), "3.5", "dot after a digit kept");
    EQ_STR(fold("..."), "...", "dots alone kept");
    EQ_STR(fold("."), ".", "a full stop alone kept");
    EQ_STR(fold("Wait..."), "wait...", "an ellipsis after a letter is kept whole");
    EQ_STR(fold("Wait\xE2\x80\xA6"), "wait...", "… folds like ...");
    EQ_STR(fold("O\xE2\x80\x99" "Brien"), "o'brien", "typographic apostrophe → '");
    EQ_STR(fold("O'Brien"), "o'brien", "ASCII apostrophe kept");
    EQ_STR(fold("\xE2\x80\x99s"), "'s", "’s → 's");
    EQ_STR(fold("Iran\xE2\x80\x93Iraq"), "iran-iraq", "en dash → -");
    EQ_STR(fold("\xC2\xAB" "x\xC2\xBB"), "\"x\"", "guillemets → \"");
    EQ_STR(fold("\xEF\xAC\x81" "le"), "file", "ligature decomposed");
    EQ_STR(fold("Stra\xC3\x9F" "e"), "strasse", "ß case-folds to ss");
    EQ_STR(fold("\xC3\x98resund"), "oresund", "ø → o");
    EQ_STR(fold("Tehr\xC4\x81n"), "tehran", "macron stripped");
    EQ_STR(fold("People\xE2\x80\x99s  Mojahedin\xC2\xA0Organization "), "people's mojahedin organization",
           "spaces squeezed, ends trimmed");
    EQ_STR(fold("Moja\xE2\x80\x8Bhedin"), "mojahedin", "zero-width removed from keys");
    EQ_STR(fold("\xEF\xBC\xAD\xEF\xBC\xA5\xEF\xBC\xAB"), "mek", "full-width folded");
    EQ_STR(fold("a\xFF" "b"), "a\xEF\xBF\xBD" "b", "invalid byte → U+FFFD in keys");
    EQ_STR(fold(""), "", "empty key");
    {
        eg_buf b = {0};
        eg_buf_adds(&b, "prefix:");
        eg_fold_key(&b, "ABC", 3);
        EQ_STR(eg_buf_cstr(&b), "prefix:abc", "fold_key appends");
        eg_buf_free(&b);
    }
}

/* ---- tokens ---- */

static void test_tokens_basic(void)
{
    EQ_INT(prep("It costs 1,000 or 3.5 dollars in 2014, (not 1980s)."), EG_OK, "numbers prepare");
    EQ_STR(all_toks(), "It|costs|1,000|or|3.5|dollars|in|2014|,|(|not|1980s|)|.", "number tokens");
    EQ_INT(D.tok[find_tok("1,000", 0)].kind, EG_TK_NUM, "1,000 is NUM");
    EQ_INT(D.tok[find_tok("3.5", 0)].kind, EG_TK_NUM, "3.5 is NUM");
    EQ_INT(D.tok[find_tok("2014", 0)].kind, EG_TK_NUM, "2014 is NUM");
    EQ_INT(D.tok[find_tok("1980s", 0)].kind, EG_TK_WORD, "1980s is a word");
    OK(flags_of("1980s") & EG_TF_DIGIT, "1980s has DIGIT");
    OK(flags_of("2014") & EG_TF_NONALPHA, "2014 is NONALPHA");
    OK(flags_of(",") & EG_TF_NONALPHA, "punctuation is NONALPHA");
    EQ_INT(D.tok[find_tok("(", 0)].kind, EG_TK_PUNCT, "( is PUNCT");
    INVARIANTS("numbers");

    EQ_INT(prep("Iran, 2014,5 and 12,34"), EG_OK, "separators prepare");
    EQ_STR(all_toks(), "Iran|,|2014|,|5|and|12|,|34", "commas not followed by three digits split");

    EQ_INT(prep("MEK met Iran and iPhone users x I"), EG_OK, "case flags prepare");
    OK((flags_of("MEK") & (EG_TF_CAP | EG_TF_ALLCAP)) == (EG_TF_CAP | EG_TF_ALLCAP), "MEK: CAP|ALLCAP");
    OK((flags_of("Iran") & (EG_TF_CAP | EG_TF_ALLCAP | EG_TF_LOWER)) == EG_TF_CAP, "Iran: CAP only");
    OK((flags_of("met") & (EG_TF_CAP | EG_TF_ALLCAP | EG_TF_LOWER)) == EG_TF_LOWER, "met: LOWER only");
    OK((flags_of("iPhone") & (EG_TF_CAP | EG_TF_LOWER)) == EG_TF_LOWER, "iPhone: LOWER");
    OK(flags_of("I") & EG_TF_ALLCAP, "I: ALLCAP");
    OK(flags_of("MEK") & EG_TF_SPACE_BEFORE, "first token has SPACE_BEFORE");

    EQ_INT(prep("\xC3\x89LYS\xC3\x89" "E \xC3\xA9t\xC3\xA9 \xD8\xB7\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86"), EG_OK,
           "non-ASCII case prepares");
    OK((D.tok[0].flags & (EG_TF_CAP | EG_TF_ALLCAP)) == (EG_TF_CAP | EG_TF_ALLCAP), "ÉLYSÉE: CAP|ALLCAP");
    OK(D.tok[1].flags & EG_TF_LOWER, "été: LOWER");
    EQ_STR(eg_tok_key(&D, &D.tok[0]), "elysee", "ÉLYSÉE key");
    OK(!(D.tok[2].flags & (EG_TF_CAP | EG_TF_LOWER | EG_TF_ALLCAP | EG_TF_NONALPHA)) && D.tok[2].kind == EG_TK_WORD,
       "Persian word: a WORD without case flags");
    EQ_INT(D.ntok, 3, "Persian word is one token");
    INVARIANTS("non-ascii case");

    EQ_INT(prep("a \"b\" 'c' x-y -- z \xE2\x82\xAC" "5 @#"), EG_OK, "punctuation prepares");
    EQ_STR(all_toks(), "a|\"|b|\"|'|c|'|x|-|y|-|-|z|\xE2\x82\xAC|5|@|#", "one punctuation char per token");
    OK(D.tok[1].flags & EG_TF_QUOTE, "\" is QUOTE");
    OK(D.tok[4].flags & EG_TF_QUOTE, "' is QUOTE");
    OK(!(D.tok[10].flags & EG_TF_JOINER) && (D.tok[10].flags & EG_TF_DASH), "-- is DASH, not JOINER");
    INVARIANTS("punct");

    EQ_INT(prep("line one\nline two\n\n  three"), EG_OK, "space flags prepare");
    OK(!(D.tok[1].flags & EG_TF_NL_BEFORE) && (D.tok[1].flags & EG_TF_SPACE_BEFORE), "space: no NL_BEFORE");
    OK(D.tok[2].flags & EG_TF_NL_BEFORE, "NL_BEFORE after newline");
    OK(D.tok[4].flags & EG_TF_NL_BEFORE, "NL_BEFORE after blank line");
}

static void test_dotted_abbrev(void)
{
    EQ_INT(prep("The U.S. Army and the F.B.I. met U.N. and U.K. envoys, e.g. here."), EG_OK, "acronyms prepare");
    EQ_STR(all_toks(), "The|U.S.|Army|and|the|F.B.I.|met|U.N.|and|U.K.|envoys|,|e.g.|here|.", "dotted acronyms are one token");
    EQ_STR(eg_tok_key(&D, &D.tok[1]), "us", "U.S. key");
    EQ_STR(eg_tok_key(&D, &D.tok[5]), "fbi", "F.B.I. key");
    EQ_STR(eg_tok_key(&D, &D.tok[12]), "eg", "e.g. key");
    OK((D.tok[1].flags & (EG_TF_DOTTED | EG_TF_CAP | EG_TF_ALLCAP)) == (EG_TF_DOTTED | EG_TF_CAP | EG_TF_ALLCAP),
       "U.S.: DOTTED|CAP|ALLCAP");
    OK(D.tok[12].flags & EG_TF_LOWER, "e.g.: LOWER");
    EQ_INT(D.nsent, 1, "no sentence break after U.S. / F.B.I. / e.g. mid-sentence");
    INVARIANTS("acronyms");

    EQ_INT(prep("Hugh H. Shelton said. Rudolph W. Giuliani agreed."), EG_OK, "initials prepare");
    EQ_STR(all_toks(), "Hugh|H.|Shelton|said|.|Rudolph|W.|Giuliani|agreed|.", "initials keep their dot");
    OK(D.tok[1].flags & EG_TF_DOTTED, "H. is DOTTED");
    EQ_STR(eg_tok_key(&D, &D.tok[1]), "h", "H. key");
    EQ_STR(sentences(), "Hugh H. Shelton said. / Rudolph W. Giuliani agreed.", "initials do not end sentences");
    INVARIANTS("initials");

    EQ_INT(prep("Mr. Giuliani met Gen. Qassem Soleimani and Mrs. Rajavi, Dr. Smith, Lt. Col. Jones, "
                "Sgt. Capt. Maj. Adm. Gov. Sen. Rep. Rev. Prof. St. Mt. Jr. Sr. Inc. Ltd. Co. Corp. "
                "vs. Jan. Feb. Dec. approx. Ave. Gens. Ms. done."),
           EG_OK, "abbreviations prepare");
    {
        static const char *const ab[] = {"Mr.", "Gen.", "Mrs.", "Dr.", "Lt.", "Col.", "Sgt.", "Capt.", "Maj.",
                                         "Adm.", "Gov.", "Sen.", "Rep.", "Rev.", "Prof.", "St.", "Mt.", "Jr.",
                                         "Sr.", "Inc.", "Ltd.", "Co.", "Corp.", "vs.", "Jan.", "Feb.", "Dec.",
                                         "approx.", "Ave.", "Gens.", "Ms.", NULL};
        int i, bad = 0;
        for (i = 0; ab[i]; i++) {
            long t = find_tok(ab[i], 0);
            if (t < 0 || !(D.tok[t].flags & EG_TF_ABBREV)) {
                printf("# not an ABBREV token: %s\n", ab[i]);
                bad++;
            }
        }
        OK(!bad, "every listed abbreviation is one ABBREV token");
    }
    EQ_STR(eg_tok_key(&D, &D.tok[0]), "mr", "Mr. key without dot");
    EQ_INT(D.nsent, 1, "no sentence break after titles");
    INVARIANTS("abbrevs");

    EQ_INT(prep("It was in May. Then No. 10 said no. Then"), EG_OK, "May/No prepare");
    OK(find_tok("May", 0) >= 0 && find_tok(".", 0) == find_tok("May", 0) + 1, "May. is not an abbreviation");
    OK(flags_of("No.") & EG_TF_ABBREV, "No. before a number is an abbreviation");
    OK(find_tok("no", 0) >= 0, "no. at a sentence end is a word and a full stop");
    EQ_STR(sentences(), "It was in May. / Then No. 10 said no. / Then", "May. and no. end sentences");
    INVARIANTS("may-no");

    EQ_INT(prep("Mr.Stevenson spoke. A.Smith too. Plan B. The end."), EG_OK, "glued prepare");
    OK(flags_of("Mr.") & EG_TF_ABBREV, "Mr. glued to a name is still an abbreviation");
    OK(find_tok("Stevenson", 0) >= 0, "name after Mr. glued is its own token");
    OK(find_tok("A.", 0) < 0, "A.Smith: no initial token");
    OK(flags_of("B.") & EG_TF_DOTTED, "Plan B. : B. is an initial token");
    EQ_STR(sentences(), "Mr.Stevenson spoke. / A.Smith too. / Plan B. / The end.",
           "an initial ends a sentence before a clear sentence starter");

    EQ_INT(prep("He said so in the U.S. The next day he left. In the U.S. Army it was the F.B.I. He knew."), EG_OK,
           "U.S. end prepares");
    EQ_STR(sentences(), "He said so in the U.S. / The next day he left. / In the U.S. Army it was the F.B.I. / He knew.",
           "dotted acronym ends a sentence only before a sentence starter");
    OK(D.tok[find_tok("U.S.", 0)].flags & EG_TF_SENT_END, "U.S. carries SENT_END");
    EQ_INT(prep("They went to the U.S.\nNext line"), EG_OK, "U.S. paragraph end prepares");
    EQ_INT(D.nsent, 2, "U.S. at a paragraph end ends the sentence");
    EQ_INT(prep("Cars, trucks, etc. The rest. Acme Inc. and Foo Co. agreed."), EG_OK, "etc prepares");
    EQ_STR(sentences(), "Cars, trucks, etc. / The rest. / Acme Inc. and Foo Co. agreed.",
           "etc. ends a sentence before The; Inc. does not before and");

    EQ_INT(prep("The U.S.'s army and U.S.-led forces"), EG_OK, "U.S.'s prepares");
    EQ_STR(all_toks(), "The|U.S.|'s|army|and|U.S.|-|led|forces", "U.S.'s and U.S.-led");
    OK(D.tok[2].flags & EG_TF_POSS, "'s after U.S. is POSS");
    OK(D.tok[6].flags & EG_TF_JOINER, "hyphen after U.S. is a JOINER");

    OK(eg_is_abbrev("mr", 2) && eg_is_abbrev("MR", 2) && eg_is_abbrev("Gen", 3), "eg_is_abbrev any case");
    OK(!eg_is_abbrev("may", 3) && !eg_is_abbrev("the", 3) && !eg_is_abbrev("", 0), "eg_is_abbrev: not May, the");
    OK(!eg_is_abbrev("mr.", 3) && !eg_is_abbrev("abcdefghijk", 11), "eg_is_abbrev: dot or long word");
    {
        /* the whole list of text.c, so its hash table is checked too */
        static const struct {
            const char *w;
            int kind;
        } all[] = {
        {"adm", 1}, {"al", 2}, {"approx", 1}, {"apr", 1}, {"aug", 1}, {"ave", 2}, {"bldg", 1}, {"blvd", 2},
        {"brig", 1}, {"bros", 2}, {"ca", 1}, {"capt", 1}, {"cdr", 1}, {"cf", 1}, {"cmdr", 1}, {"co", 2},
        {"col", 1}, {"corp", 2}, {"cpl", 1}, {"dec", 1}, {"dept", 1}, {"dr", 1}, {"eds", 2}, {"esq", 2},
        {"est", 1}, {"etc", 2}, {"feb", 1}, {"fig", 1}, {"fr", 1}, {"ft", 1}, {"gen", 1}, {"gens", 1},
        {"gov", 1}, {"govt", 2}, {"hon", 1}, {"inc", 2}, {"jan", 1}, {"jr", 2}, {"jul", 1}, {"jun", 1},
        {"lt", 1}, {"ltd", 2}, {"maj", 1}, {"mar", 1}, {"messrs", 1}, {"mlle", 1}, {"mme", 1}, {"mr", 1},
        {"mrs", 1}, {"ms", 1}, {"mt", 1}, {"no", 1}, {"nos", 1}, {"nov", 1}, {"oct", 1}, {"pp", 1},
        {"pres", 1}, {"prof", 1}, {"pvt", 1}, {"rd", 2}, {"rep", 1}, {"reps", 1}, {"rev", 1}, {"sen", 1},
        {"sens", 1}, {"sep", 1}, {"sept", 1}, {"sgt", 1}, {"sr", 2}, {"st", 2}, {"supt", 1}, {"univ", 1},
        {"viz", 1}, {"vol", 1}, {"vs", 1},
        };
        size_t i;
        int bad = 0;
        for (i = 0; i < sizeof all / sizeof all[0]; i++)
            if (eg_is_abbrev(all[i].w, strlen(all[i].w)) != all[i].kind) {
                printf("# eg_is_abbrev(%s) != %d\n", all[i].w, all[i].kind);
                bad++;
            }
        OK(!bad, "eg_is_abbrev knows every listed abbreviation and its kind");
    }
}

static void test_possessives(void)
{
    EQ_INT(prep("Zarif\xE2\x80\x99s visit and the regime's plan, MEK\xE2\x80\x99S army."), EG_OK, "possessives prepare");
    EQ_STR(all_toks(), "Zarif|'s|visit|and|the|regime|'s|plan|,|MEK|'S|army|.", "'s split off");
    OK(D.tok[1].flags & EG_TF_POSS, "’s after Zarif is POSS");
    EQ_STR(eg_tok_key(&D, &D.tok[1]), "'s", "POSS key is 's");
    EQ_STR(tok_orig(1), "\xE2\x80\x99s", "POSS token maps back to ’s");
    EQ_STR(tok_orig(0), "Zarif", "word before ’s maps back exactly");
    OK(D.tok[6].flags & EG_TF_POSS, "'s after a lower-case noun is POSS");
    OK((D.tok[10].flags & EG_TF_POSS) && !(D.tok[10].flags & (EG_TF_CAP | EG_TF_ALLCAP)),
       "'S is POSS without case flags");
    INVARIANTS("poss");

    EQ_INT(prep("It's here, it\xE2\x80\x99s there, that's all, don't O'Brien we're"), EG_OK, "contractions prepare");
    EQ_STR(all_toks(), "It|'s|here|,|it|'s|there|,|that|'s|all|,|don't|O'Brien|we're", "contractions");
    OK(!(D.tok[1].flags & EG_TF_POSS), "It's: 's not POSS");
    OK(!(D.tok[5].flags & EG_TF_POSS), "it’s: 's not POSS");
    OK(!(D.tok[9].flags & EG_TF_POSS), "that's: 's not POSS");
    EQ_STR(eg_tok_key(&D, &D.tok[13]), "o'brien", "O'Brien key");
    EQ_INT(prep("the 1980's and rock'n'roll's"), EG_OK, "digit possessive prepares");
    EQ_STR(all_toks(), "the|1980|'s|and|rock'n'roll|'s", "1980's and rock'n'roll's");

    EQ_INT(prep("the Rajavis' camp and the MEK members' homes"), EG_OK, "plural possessive prepares");
    EQ_STR(all_toks(), "the|Rajavis|'|camp|and|the|MEK|members|'|homes", "lone ' after s");
    OK(D.tok[2].flags & EG_TF_POSS, "Rajavis' : ' is POSS");
    OK(D.tok[8].flags & EG_TF_POSS, "members' : ' is POSS");

    EQ_INT(prep("their \xE2\x80\x98" "blood and breaths\xE2\x80\x99 (MEK)"), EG_OK, "closing quote prepares");
    OK(!(D.tok[5].flags & EG_TF_POSS) && (D.tok[5].flags & EG_TF_QUOTE), "closing ’ after an s-word is a QUOTE");
    OK(D.tok[1].flags & EG_TF_QUOTE, "opening ‘ is a QUOTE");
    INVARIANTS("quote");
}

static void test_hyphens(void)
{
    EQ_INT(prep("Iran-Iraq war"), EG_OK, "Iran-Iraq prepares");
    EQ_STR(all_toks(), "Iran|-|Iraq|war", "hyphen splits");
    OK((D.tok[1].flags & (EG_TF_JOINER | EG_TF_DASH)) == (EG_TF_JOINER | EG_TF_DASH), "hyphen: JOINER|DASH");
    {
        char a[256];
        snprintf(a, sizeof a, "%s", word_keys());
        EQ_INT(prep("Iran\xE2\x80\x93Iraq war"), EG_OK, "Iran–Iraq prepares");
        EQ_STR(word_keys(), a, "Iran–Iraq and Iran-Iraq: same word keys");
        OK(D.tok[1].flags & EG_TF_JOINER, "en dash between words is a JOINER");
        EQ_STR(tok_orig(1), "\xE2\x80\x93", "dash token maps back to the en dash");
    }
    EQ_INT(prep("the group\xE2\x80\x94which"), EG_OK, "em dash prepares");
    OK((D.tok[2].flags & EG_TF_DASH) && !(D.tok[2].flags & EG_TF_JOINER), "unspaced em dash: DASH, not JOINER");
    EQ_INT(prep("Mojahedin-e-Khalq"), EG_OK, "Mojahedin-e-Khalq prepares");
    {
        char a[256];
        snprintf(a, sizeof a, "%s", word_keys());
        EQ_STR(a, "mojahedin e khalq", "Mojahedin-e-Khalq word keys");
        EQ_INT(prep("Mojahedin-e Khalq"), EG_OK, "Mojahedin-e Khalq prepares");
        EQ_STR(word_keys(), a, "Mojahedin-e Khalq: same word keys after skipping joiners");
    }
    EQ_INT(prep("al-Muhandis, anti-MEK, MEK-led, US-made, COVID-19, well-funded"), EG_OK, "hyphenated names prepare");
    EQ_STR(all_toks(), "al|-|Muhandis|,|anti|-|MEK|,|MEK|-|led|,|US|-|made|,|COVID|-|19|,|well|-|funded",
           "hyphenated words split");
    {
        size_t i;
        int ok = 1;
        for (i = 0; i < D.ntok; i++)
            if (D.text[D.tok[i].s] == '-' && !(D.tok[i].flags & EG_TF_JOINER))
                ok = 0;
        OK(ok, "every inner hyphen is a JOINER");
    }
    EQ_INT(D.tok[find_tok("19", 0)].kind, EG_TK_NUM, "COVID-19: 19 is NUM");

    EQ_INT(prep("Rajavi \xE2\x80\x93 presumed dead \xE2\x80\x94 spoke -here and there- too"), EG_OK, "spaced dashes prepare");
    {
        long a = find_tok("-", 0), b = find_tok("-", (size_t)a + 1), c = find_tok("-", (size_t)b + 1),
             d = find_tok("-", (size_t)c + 1);
        OK(a >= 0 && (D.tok[a].flags & EG_TF_DASH) && !(D.tok[a].flags & EG_TF_JOINER), "spaced – : DASH only");
        OK(b >= 0 && (D.tok[b].flags & EG_TF_DASH) && !(D.tok[b].flags & EG_TF_JOINER), "spaced — : DASH only");
        OK(c >= 0 && !(D.tok[c].flags & EG_TF_JOINER), "space before - : not a JOINER");
        OK(d >= 0 && !(D.tok[d].flags & EG_TF_JOINER), "space after - : not a JOINER");
    }
    INVARIANTS("hyphens");
}

/* ---- sentences and paragraphs ---- */

static void test_sentences(void)
{
    EQ_INT(prep("He left. She came! Did he? Yes: no. \"Quote.\" (Aside.) 12 men came. end. lower"), EG_OK,
           "sentences prepare");
    EQ_STR(sentences(), "He left. / She came! / Did he? / Yes: no. / \"Quote.\" / (Aside.) / 12 men came. end. lower",
           "sentence ends before capitals, quotes, brackets and digits; not before lower case");
    EQ_INT(prep("He said \"no.\" Then he left.) But why?\" she asked."), EG_OK, "closers prepare");
    EQ_STR(sentences(), "He said \"no.\" / Then he left.) / But why?\" she asked.", "closing quotes/brackets stay with the sentence");
    EQ_INT(prep("The cost was 3.5 million. Next, see www.example.com. Done...  And then"), EG_OK, "dots prepare");
    EQ_STR(sentences(), "The cost was 3.5 million. / Next, see www.example.com. / Done... / And then",
           "decimal and inner dots do not end sentences; an ellipsis before a capital does");
    EQ_INT(prep("Mr. Giuliani met Gen. Qassem Soleimani. Then Hugh H. Shelton said. The U.S. Army agreed."), EG_OK,
           "brief examples prepare");
    EQ_INT(D.nsent, 3, "Mr./Gen./H./U.S. mid-sentence: three sentences");
    OK(D.tok[find_tok("Then", 0)].flags & EG_TF_SENT_START, "Then starts a sentence");
    OK(D.tok[find_tok(".", 0)].flags & EG_TF_SENT_END, "first full stop ends a sentence");
    OK(!(D.tok[find_tok("Giuliani", 0)].flags & EG_TF_SENT_START), "no break after Mr.");
    EQ_INT(prep("an influence operation.22 It said \"the Revolution.\"12 The report"), EG_OK, "footnotes prepare");
    EQ_STR(sentences(), "an influence operation.22 / It said \"the Revolution.\"12 / The report",
           "a footnote number glued to the full stop stays with its sentence");
    EQ_INT(prep("First\xE2\x80\xA9Second\xE2\x80\xA8same"), EG_OK, "U+2029/U+2028 prepare");
    EQ_STR(D.text, "First\n\nSecond\nsame", "U+2029 is a blank line, U+2028 a line break");
    EQ_INT(D.npara, 3, "paragraphs at both (one paragraph per line)");
    OK(D.tok[2].flags & EG_TF_NL_BEFORE, "U+2028 is a line break");
    INVARIANTS("separators");
    EQ_INT(prep("Just a title without a stop"), EG_OK, "no stop prepares");
    EQ_INT(D.nsent, 1, "text without a full stop is one sentence");
    OK(D.tok[D.ntok - 1].flags & EG_TF_SENT_END, "last token ends the sentence");
    INVARIANTS("sentences");
}

static void test_paragraphs(void)
{
    EQ_INT(prep("Headline here\nFirst paragraph. Two sentences.\nSecond paragraph\n"), EG_OK, "one per line prepares");
    EQ_INT(D.npara, 3, "one paragraph per line");
    EQ_INT(D.nsent, 4, "a line break ends a sentence");
    EQ_INT(D.tok[find_tok("Second", 0)].para, 2, "tok.para");
    OK(D.tok[find_tok("First", 0)].flags & EG_TF_PARA_START, "PARA_START");
    INVARIANTS("one per line");

    EQ_INT(prep("Para one line.\n\n\n  Para two.\n \t\nPara three"), EG_OK, "blank lines prepare");
    EQ_INT(D.npara, 3, "blank lines separate paragraphs");
    INVARIANTS("blank");

    {
        const char *w =
            "The organisation was founded in the nineteen sixties by a group of\n"
            "students who opposed the government of the day and who later took\n"
            "up arms against it. Its leaders were arrested and some of them were\n"
            "executed in the early seventies, after which the group split into\n"
            "two wings that never reconciled.\n"
            "\n"
            "A second paragraph begins here after a blank line and it goes on\n"
            "for a while, as hard-wrapped text does in plain-text mail and in\n"
            "old news wires, with every line cut before the hundredth column.\n";
        EQ_INT(prep(w), EG_OK, "hard-wrapped prepares");
        EQ_INT(D.npara, 2, "hard-wrapped: only the blank line separates paragraphs");
        EQ_INT(D.nsent, 3, "hard-wrapped: sentences run across line breaks");
        OK(D.tok[find_tok("students", 0)].flags & EG_TF_NL_BEFORE, "hard-wrapped: NL_BEFORE still set");
        OK(!(D.tok[find_tok("students", 0)].flags & EG_TF_SENT_START), "hard-wrapped: no break at a line end");
        INVARIANTS("hard-wrapped");
    }
    {
        /* hard-wrapped, paragraphs separated only by a short last line */
        const char *w =
            "The organisation was founded in the nineteen sixties by a group of\n"
            "students who opposed the government of the day and who later took\n"
            "up arms against it.\n"
            "Its leaders were arrested and some of them were executed in the\n"
            "early seventies, after which the group split into two wings that\n"
            "never reconciled with each other again in any way at all, so it\n"
            "goes.\n";
        EQ_INT(prep(w), EG_OK, "hard-wrapped without blank lines prepares");
        EQ_INT(D.npara, 2, "hard-wrapped: a short line ending a sentence ends the paragraph");
        OK(D.tok[find_tok("Its", 0)].flags & EG_TF_PARA_START, "hard-wrapped: next paragraph starts after it");
        INVARIANTS("hard-wrapped short line");
    }
    {
        /* a list of headlines 40-100 bytes long without full stops is not prose */
        const char *w = "Iran Interlink Weekly Digest number two hundred and sixty\n"
                        "Rajavi's Cyber Army and the Twitter Legions of the MEK\n"
                        "Syria's Opposition Must Not Embrace the MEK at all\n"
                        "Albania Hosts the Camp of the People's Mojahedin\n";
        EQ_INT(prep(w), EG_OK, "headline list prepares");
        EQ_INT(D.npara, 4, "headline list: one paragraph per line");
        EQ_INT(D.nsent, 4, "headline list: one sentence per line");
    }
    {
        /* short lines ending in full stops are not hard-wrapped */
        const char *w = "This line is a complete paragraph in its own right here.\n"
                        "This line is another complete paragraph of its own too.\n"
                        "And a third one that also ends with a proper full stop.\n";
        EQ_INT(prep(w), EG_OK, "short paragraphs prepare");
        EQ_INT(D.npara, 3, "lines ending in full stops: one paragraph each");
    }
}

/* ---- big and odd inputs ---- */

static void test_big(void)
{
    size_t n = 1u << 20, i;
    char *s = malloc(n + 64);
    if (!s) {
        OK(0, "malloc");
        return;
    }
    memset(s, 'a', n);
    EQ_INT(prep_n(s, n), EG_OK, "1 MB word prepares");
    EQ_INT(D.ntok, 1, "1 MB word: one token");
    EQ_INT(D.tok[0].klen, n, "1 MB word: key length");
    EQ_INT(eg_doc_orig_end(&D, D.tok[0].e), n, "1 MB word: orig_end");

    /* the same with a non-ASCII letter inside: the copying path and eg_fold_key */
    memcpy(s + n / 2, "\xC3\x89", 2);
    s[0] = 'X';
    EQ_INT(prep_n(s, n), EG_OK, "1 MB non-ASCII word prepares");
    EQ_INT(D.ntok, 1, "1 MB non-ASCII word: one token");
    EQ_INT(D.tok[0].klen, n - 1, "1 MB non-ASCII word: key length (É → e: 2 bytes → 1)");
    OK(D.keys[n / 2] == 'e' && D.keys[0] == 'x', "1 MB non-ASCII word: key content");
    INVARIANTS("1 MB word");

    /* a long line, no newline: many sentences, one paragraph */
    for (i = 0; i + 12 <= n; i += 12)
        memcpy(s + i, "Word word.  ", 12);
    EQ_INT(prep_n(s, i), EG_OK, "long line prepares");
    EQ_INT(D.npara, 1, "long line: one paragraph");
    EQ_INT(D.nsent, i / 12, "long line: one sentence per 'Word word.'");
    EQ_INT(D.ntok, i / 12 * 3, "long line: token count");
    INVARIANTS("long line");

    /* a long run of zero-width spaces between two words */
    {
        size_t o = 0;
        s[o++] = 'a';
        while (o + 4 < n) {
            memcpy(s + o, "\xE2\x80\x8B", 3);
            o += 3;
        }
        s[o++] = 'b';
        EQ_INT(prep_n(s, o), EG_OK, "zero-width run prepares");
        EQ_INT(D.ntok, 1, "zero-width run: one token");
        EQ_INT(eg_doc_orig_end(&D, D.tok[0].e), o, "zero-width run: token spans to b");
    }
    free(s);
}

static void test_reuse(void)
{
    char first[4096];
    size_t ntok1;
    EQ_INT(prep("Zarif\xE2\x80\x99s visit. The \xE2\x80\x9CU.S.\xE2\x80\x9D said."), EG_OK, "doc A prepares");
    snprintf(first, sizeof first, "%s", all_toks());
    ntok1 = D.ntok;
    EQ_INT(prep("Plain ASCII."), EG_OK, "doc B prepares");
    OK(D.map == NULL && D.ntok == 3 && D.nsent == 1 && D.npara == 1, "doc B: identity map, counts reset");
    EQ_INT(prep("Zarif\xE2\x80\x99s visit. The \xE2\x80\x9CU.S.\xE2\x80\x9D said."), EG_OK, "doc A again prepares");
    EQ_STR(all_toks(), first, "doc A again: same tokens");
    EQ_INT(D.ntok, ntok1, "doc A again: same count");
    INVARIANTS("reuse");
    {
        eg_doc d2;
        eg_doc_init(&d2);
        eg_doc_free(&d2);
        eg_doc_free(&d2);
        OK(1, "free of a fresh doc, twice");
        eg_doc_init(&d2);
        EQ_INT(eg_text_prepare(&d2, "x", "a\xC3\xA9", 3, &E), EG_OK, "fresh doc prepares");
        eg_doc_free(&d2);
        EQ_INT(eg_text_prepare(&d2, "x", "b\xC3\xA9", 3, &E), EG_OK, "doc prepares again after free");
        eg_doc_free(&d2);
    }
}

/* Deterministic pseudo-random inputs: a mix of ASCII words, punctuation,
 * typographic characters, marks and bad bytes. Checks the invariants and
 * that keys of the original bytes match keys of the clean text. */
static void test_fuzz(void)
{
    static const char *const pieces[] = {
        "a", "Zb", "U.S.", "Mr.", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", ".", ". ", "!", "?", "'", "\"",
        "-", "--", ",", "3", "1,000", "3.5", "\xE2\x80\x99", "\xE2\x80\x9C", "\xE2\x80\x93", "\xE2\x80\xA6",
        "\xC2\xA0", "\xE2\x80\x8B", "\xC2\xAD", "\xCC\x81", "\xC3\xA9", "\xEF\xAC\x81", "\xEF\xBB\xBF", "\xFF",
        "\xC3", "\xE2\x80", "\xF0\x9F\x98\x80", "\x00", "\x01", "\x7F", "\xC2\x85", "\xE2\x80\xA8", "s", "'s",
        "\xD8\xB7", "H.", "etc.", "(", ")", "\xEF\xBC\xA1", "\xE1\x84\x80\xE1\x85\xA1"};
    size_t npieces = sizeof pieces / sizeof pieces[0];
    static char buf[4096];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    int iter, bad_inv = 0, bad_key = 0;
    eg_buf kb = {0};
    for (iter = 0; iter < 3000; iter++) {
        size_t o = 0, k, m;
        const char *why;
        m = 1 + (size_t)(x % 60);
        for (k = 0; k < m; k++) {
            const char *p;
            size_t pl;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            p = pieces[x % npieces];
            pl = p[0] ? strlen(p) : 1;
            if (o + pl >= sizeof buf)
                break;
            memcpy(buf + o, p, pl);
            o += pl;
        }
        if (prep_n(buf, o)) {
            bad_inv++;
            continue;
        }
        if ((why = check_invariants())) {
            if (bad_inv++ < 3)
                printf("# fuzz %d: %s\n", iter, why);
            continue;
        }
        for (k = 0; k < D.ntok; k++) {
            uint32_t a = eg_doc_orig_start(&D, D.tok[k].s), b = eg_doc_orig_end(&D, D.tok[k].e);
            eg_buf_reset(&kb);
            eg_fold_key(&kb, D.orig + a, b - a);
            if (kb.len != D.tok[k].klen || memcmp(eg_buf_cstr(&kb), eg_tok_key(&D, &D.tok[k]), kb.len) != 0) {
                /* a bad byte at a token edge, or a mark split from its
                 * base, may fold differently: only count clean cases */
                if (!D.bad_utf8 && bad_key++ < 3)
                    printf("# fuzz %d: token %zu [%s] key '%s' but source folds to '%s'\n", iter, k, tok_text(k),
                           eg_tok_key(&D, &D.tok[k]), eg_buf_cstr(&kb));
            }
        }
    }
    eg_buf_free(&kb);
    EQ_INT(bad_inv, 0, "fuzz: invariants hold on 3000 random inputs");
    EQ_INT(bad_key, 0, "fuzz: source bytes of every token fold to its key (valid UTF-8)");
}

/* ---- the normaliser's copying loops against a plain reference ----
 * Texts of printable ASCII with line breaks, tabs, CR, CR LF, other
 * controls, DEL and "é" at every offset (so every case of the sixteen-byte
 * copy stopping part way): clean text and map must be what a byte-by-byte
 * reading of the rules gives (printable, \n and \t kept; \r\n and \r as
 * \n; other controls and DEL as a space; "é" kept, both bytes mapped to
 * its first). */
static void test_normalise_copy(void)
{
    static const char *const special[] = {"\n", "\t", "\r", "\r\n", "\x01", "\x7F", "\xC3\xA9", "\x1F", " "};
    static char in[400], want[400];
    static uint32_t wmap[401];
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    int iter, bad = 0;
    for (iter = 0; iter < 4000; iter++) {
        size_t n = 0, w = 0, len, q;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        len = 1 + (size_t)(x % 120);
        if (x & 0x10000) { /* a non-ASCII start: the copying path from the first byte */
            memcpy(in, "\xC3\xA9", 2);
            n = 2;
        }
        while (n < len) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (x % 9 == 0) {
                const char *sp = special[(x >> 8) % (sizeof special / sizeof special[0])];
                size_t sl = strlen(sp);
                memcpy(in + n, sp, sl);
                n += sl;
            } else {
                in[n++] = (char)(0x21 + (x >> 8) % 94);
            }
        }
        /* the reference */
        for (q = 0; q < n;) {
            unsigned char c = (unsigned char)in[q];
            if (c == 0xC3) {
                want[w] = in[q], wmap[w++] = (uint32_t)q;
                want[w] = in[q + 1], wmap[w++] = (uint32_t)q;
                q += 2;
            } else if (c == '\r') {
                want[w] = '\n', wmap[w++] = (uint32_t)q;
                q += (q + 1 < n && in[q + 1] == '\n') ? 2 : 1;
            } else {
                want[w] = (c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t' ? (char)c : ' ';
                wmap[w++] = (uint32_t)q++;
            }
        }
        wmap[w] = (uint32_t)n;
        if (prep_n(in, n) || D.len != w || memcmp(D.text, want, w) != 0) {
            if (bad++ < 3)
                printf("# normalise copy %d: clean text differs\n", iter);
            continue;
        }
        for (q = 0; q <= w; q++)
            if (eg_doc_orig_start(&D, (uint32_t)q) != wmap[q])
                break;
        if (q <= w && bad++ < 3)
            printf("# normalise copy %d: map[%zu] is %u, not %u\n", iter, q, eg_doc_orig_start(&D, (uint32_t)q),
                   wmap[q]);
    }
    EQ_INT(bad, 0, "normalise: copying loops give the plain clean text and map (4000 texts)");
}

/* ---- the tokenizer's fast paths against its general code ----
 * eg_tokenize (fast_run, hot_run) and eg_tokenize_general must give the
 * same tokens, keys and hashes on any text: random texts of ASCII words
 * of every length and case, numbers, punctuation, white space, hyphens,
 * apostrophes, dots and non-ASCII pieces, long enough to cross hot_run's
 * chunks and with every length near the end of the text; the sample
 * articles; and texts of one-byte tokens only (the most tokens and key
 * bytes a chunk can hold, into arrays that start empty). */

/* NULL when a and b (normalised, then tokenized each way) agree. */
static const char *fast_vs_general(eg_doc *a, eg_doc *b, const char *s, size_t n)
{
    size_t i;
    if (eg_normalise(a, "a", s, n, &E) || eg_tokenize(a, &E))
        return "fast: error";
    if (eg_normalise(b, "b", s, n, &E) || eg_tokenize_general(b, &E))
        return "general: error";
    if (a->ntok != b->ntok || a->keys_len != b->keys_len)
        return "token count or key bytes differ";
    for (i = 0; i < a->ntok; i++) {
        const eg_token *x = &a->tok[i], *y = &b->tok[i];
        if (x->s != y->s || x->e != y->e || x->key != y->key || x->klen != y->klen || x->h != y->h ||
            x->kind != y->kind || x->flags != y->flags || x->sent != y->sent || x->para != y->para ||
            memcmp(a->keys + x->key, b->keys + y->key, x->klen + 1) != 0)
            return "a token differs";
    }
    return NULL;
}

static void test_fast_vs_general(void)
{
    static const char *const pieces[] = {
        " ", " ", " ", " ", "  ", "\n", "\n\n", "\t", " \t", ".", ". ", "...", "..", ",", ", ", ";", ":", "!",
        "?", "(", ")", "\"", "`", "'", "'s", "'S", "s'", "-", " - ", "--", "/", "&", "%", "$", "#", "@", "_",
        "[", "]", "{", "}", "|", "~", "^", "+", "=", "<", ">", "*", "\\", "1", "42", "1,000", "3.5", "2014",
        "1980s", "3rd", "U.S.", "H.", "A.Smith", "Mr.", "mr.", "Gen.", "etc.", "Inc.", "no.", "No. 5", "e.g.",
        "co.uk", "Zarif's", "don't", "O'Brien", "al-Muhandis", "Iran-Iraq", "COVID-19", "x-", "-x",
        "\xC3\xA9", "Elys\xC3\xA9" "e", "\xE2\x80\x99", "\xE2\x80\x94", "\xE2\x80\x93", "\xC2\xA0", "\xCC\x81",
        "\xD8\xB7", "\xF0\x9F\x98\x80", "\x01", "\x7F", "\r\n", "\xFF", "it's", "AB", "ABC.", "a.", "aB.", "X"};
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static char buf[24000];
    uint64_t x = 0x2545F4914F6CDD1DULL;
    eg_doc a, b;
    int iter, bad = 0, docs = 0, files = 0;
    size_t toks = 0, n;
    const char *why;
    DIR *dir;
    struct dirent *de;
    eg_doc_init(&a);
    eg_doc_init(&b);
    for (iter = 0; iter < 1500; iter++) {
        size_t o = 0, m = 1 + (size_t)(x % (iter < 1000 ? 40 : 2500));
        while (m-- > 0) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (x % 3 == 0) {
                /* an ASCII word of 1 to 20 bytes: mostly letters, case by chance */
                size_t wl = 1 + (size_t)(x >> 8) % 20, q;
                uint64_t y = x;
                if (o + wl >= sizeof buf)
                    break;
                for (q = 0; q < wl; q++) {
                    y = y * 6364136223846793005ULL + 1442695040888963407ULL;
                    buf[o++] = letters[(y >> 33) % ((x & 0x100) ? 62 : (x & 0x200) ? 52 : 26)];
                }
            } else {
                const char *p = pieces[(x >> 4) % (sizeof pieces / sizeof pieces[0])];
                size_t pl = strlen(p);
                if (o + pl >= sizeof buf)
                    break;
                memcpy(buf + o, p, pl);
                o += pl;
            }
        }
        /* the whole text, and every length near the end */
        for (n = o > 40 ? o - 40 : 0; n <= o; n++) {
            if ((why = fast_vs_general(&a, &b, buf, n))) {
                if (bad++ < 3)
                    printf("# fast vs general, text %d length %zu: %s\n", iter, n, why);
            }
        }
        toks += a.ntok;
        docs++;
    }
    /* one-byte tokens only, into arrays that start empty */
    for (n = 0; n < 3; n++) {
        size_t len = n == 0 ? 9000 : n == 1 ? 20000 : 5000, q;
        for (q = 0; q < len; q++)
            buf[q] = n == 0 ? ',' : n == 1 ? "a,"[q & 1] : "a.b "[q & 3];
        eg_doc_free(&a);
        eg_doc_free(&b);
        if ((why = fast_vs_general(&a, &b, buf, len)) && bad++ < 3)
            printf("# fast vs general, one-byte tokens %zu: %s\n", n, why);
        toks += a.ntok;
    }
    dir = opendir("corpus/seeds");
    while (dir && (de = readdir(dir))) {
        char path[1024], *fb = NULL;
        size_t len;
        if (!strstr(de->d_name, ".txt"))
            continue;
        snprintf(path, sizeof path, "corpus/seeds/%s", de->d_name);
        if (eg_read_file(path, &fb, &len, &E))
            continue;
        files++;
        if ((why = fast_vs_general(&a, &b, fb, len)) && bad++ < 3)
            printf("# fast vs general, %s: %s\n", path, why);
        toks += a.ntok;
        eg_free(fb);
    }
    if (dir)
        closedir(dir);
    eg_doc_free(&a);
    eg_doc_free(&b);
    OK(docs == 1500 && toks > 100000, "fast vs general: %d random texts, %d articles, %zu tokens", docs, files, toks);
    EQ_INT(bad, 0, "fast vs general: the same tokens, keys and hashes");
}

/* ---- the sample articles ---- */

static void test_seeds(void)
{
    DIR *dir = opendir("corpus/seeds");
    struct dirent *de;
    int files = 0, bad_round = 0, bad_inv = 0;
    size_t toks = 0, poss = 0, joiners = 0;
    eg_buf kb = {0};
    if (!dir) {
        OK(1, "# SKIP corpus/seeds not found (run from the top of the tree)");
        return;
    }
    while ((de = readdir(dir))) {
        char path[1024];
        char *buf = NULL;
        size_t len, k;
        const char *why = NULL;
        if (!strstr(de->d_name, ".txt"))
            continue;
        snprintf(path, sizeof path, "corpus/seeds/%s", de->d_name);
        if (eg_read_file(path, &buf, &len, &E)) {
            OK(0, "read %s", path);
            continue;
        }
        files++;
        if (prep_n(buf, len) || (why = check_invariants())) {
            printf("# %s: %s\n", path, E.code ? E.msg : why);
            bad_inv++;
            eg_free(buf);
            continue;
        }
        for (k = 0; k < D.ntok; k++) {
            uint32_t a = eg_doc_orig_start(&D, D.tok[k].s), b = eg_doc_orig_end(&D, D.tok[k].e);
            eg_buf_reset(&kb);
            eg_fold_key(&kb, buf + a, b - a);
            if (strcmp(eg_buf_cstr(&kb), eg_tok_key(&D, &D.tok[k])) != 0) {
                if (bad_round++ < 5)
                    printf("# %s token %zu [%s]: source [%.*s] folds to '%s', key '%s'\n", path, k, tok_text(k),
                           (int)(b - a), buf + a, eg_buf_cstr(&kb), eg_tok_key(&D, &D.tok[k]));
            }
            poss += !!(D.tok[k].flags & EG_TF_POSS);
            joiners += !!(D.tok[k].flags & EG_TF_JOINER);
        }
        toks += D.ntok;
        eg_free(buf);
    }
    closedir(dir);
    eg_buf_free(&kb);
    OK(files >= 5, "read the sample articles (%d)", files);
    EQ_INT(bad_inv, 0, "sample articles: invariants");
    EQ_INT(bad_round, 0, "sample articles: every token's source bytes fold to its key");
    OK(toks > 10000 && poss > 50 && joiners > 50, "sample articles: %zu tokens, %zu POSS, %zu JOINER", toks, poss,
       joiners);

    /* a few facts about the articles */
    {
        char *buf = NULL;
        size_t len;
        if (!eg_read_file("corpus/seeds/004_7fe828bd2ea55de5.txt", &buf, &len, &E) && !prep_n(buf, len)) {
            long r = find_tok("Rajavi", 0);
            OK(r == 0 && (D.tok[1].flags & EG_TF_POSS), "004: Rajavi’s → Rajavi + 's POSS");
            EQ_STR(tok_orig(1), "\xE2\x80\x99s", "004: 's maps back to ’s");
            OK(D.tok[0].flags & EG_TF_PARA_START, "004: headline is a paragraph");
            OK(D.tok[find_tok("Rajavi", 1)].flags & EG_TF_PARA_START, "004: repeated headline is the next paragraph");
        } else {
            OK(0, "read 004");
        }
        eg_free(buf);
        if (!eg_read_file("corpus/seeds/002_b91a8769c3ba1a49.txt", &buf, &len, &E) && !prep_n(buf, len)) {
            long t = find_tok("Elys\xC3\xA9" "e", 0);
            OK(t >= 0, "002: Elysée is one token");
            if (t >= 0)
                EQ_STR(eg_tok_key(&D, &D.tok[t]), "elysee", "002: Elysée key");
            t = find_tok("Mojahedin", 0);
            while (t >= 0 && D.text[D.tok[t].e] != '-')
                t = find_tok("Mojahedin", (size_t)t + 1);
            OK(t >= 0 && (D.tok[t + 1].flags & EG_TF_JOINER) && strcmp(tok_text((size_t)t + 2), "e") == 0 &&
                   (D.tok[t + 3].flags & EG_TF_JOINER),
               "002: Mojahedin-e-Khalq split with JOINERs");
        } else {
            OK(0, "read 002");
        }
        eg_free(buf);
    }
}

/* ---- case files: tests/data/text/NAME.case ----
 * A case file holds an input block and the expected tokens:
 *   lines up to a line "----" are the input (joined with \n; the final
 *   newline before "----" is not part of it; "\r", "\t", "\xHH" and "\\"
 *   escapes are decoded); every line after it is one token as printed by
 *   case_line(): "TEXT  key=KEY  FLAGS" with sentence/paragraph starts
 *   marked by "S" / "P" in FLAGS. Lines starting with '#' are comments. */

static size_t unescape(const char *s, size_t n, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[++i];
            if (c == 'r')
                out[o++] = '\r';
            else if (c == 't')
                out[o++] = '\t';
            else if (c == 'n')
                out[o++] = '\n';
            else if (c == 'x' && i + 2 < n) {
                char hex[3] = {s[i + 1], s[i + 2], 0};
                out[o++] = (char)strtol(hex, NULL, 16);
                i += 2;
            } else
                out[o++] = c;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

static void case_line(eg_buf *b, size_t i)
{
    static const struct {
        unsigned f;
        const char *name;
    } names[] = {{EG_TF_SENT_START, "S"},  {EG_TF_PARA_START, "P"}, {EG_TF_CAP, "cap"},      {EG_TF_ALLCAP, "allcap"},
                 {EG_TF_POSS, "poss"},     {EG_TF_JOINER, "joiner"}, {EG_TF_DOTTED, "dotted"}, {EG_TF_ABBREV, "abbrev"},
                 {EG_TF_QUOTE, "quote"},   {EG_TF_DASH, "dash"},     {EG_TF_SENT_END, "end"}};
    const eg_token *t = &D.tok[i];
    size_t k;
    eg_buf_addf(b, "%.*s  key=%s  %s", (int)(t->e - t->s), D.text + t->s, eg_tok_key(&D, t),
                t->kind == EG_TK_WORD ? "W" : t->kind == EG_TK_NUM ? "N" : "P");
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (t->flags & names[k].f)
            eg_buf_addf(b, " %s", names[k].name);
    eg_buf_addc(b, '\n');
}

static void test_case_files(void)
{
    DIR *dir = opendir("tests/data/text");
    struct dirent *de;
    int files = 0;
    if (!dir) {
        OK(1, "# SKIP tests/data/text not found");
        return;
    }
    while ((de = readdir(dir))) {
        char path[1024], *buf = NULL, *sep, *in;
        size_t len, inlen, i;
        eg_buf want = {0}, got = {0};
        const char *p, *end;
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".case") != 0)
            continue;
        snprintf(path, sizeof path, "tests/data/text/%s", de->d_name);
        if (eg_read_file(path, &buf, &len, &E)) {
            OK(0, "read %s", path);
            continue;
        }
        files++;
        sep = strstr(buf, "\n----\n");
        if (!sep) {
            OK(0, "%s: no ---- line", path);
            eg_free(buf);
            continue;
        }
        in = malloc((size_t)(sep - buf) + 1);
        inlen = unescape(buf, (size_t)(sep - buf), in);
        /* expected: skip comments */
        for (p = sep + 6, end = buf + len; p < end;) {
            const char *q = memchr(p, '\n', (size_t)(end - p));
            size_t ln = q ? (size_t)(q - p) : (size_t)(end - p);
            if (ln && p[0] != '#') {
                eg_buf_add(&want, p, ln);
                eg_buf_addc(&want, '\n');
            }
            p += ln + 1;
        }
        if (prep_n(in, inlen) == EG_OK) {
            for (i = 0; i < D.ntok; i++)
                case_line(&got, i);
        }
        OK(strcmp(eg_buf_cstr(&got), eg_buf_cstr(&want)) == 0, "case file %s", de->d_name);
        if (strcmp(eg_buf_cstr(&got), eg_buf_cstr(&want)) != 0)
            printf("# got:\n%s# want:\n%s", eg_buf_cstr(&got), eg_buf_cstr(&want));
        INVARIANTS(de->d_name);
        free(in);
        eg_free(buf);
        eg_buf_free(&want);
        eg_buf_free(&got);
    }
    closedir(dir);
    OK(files > 0, "case files found (%d)", files);
}

int main(int argc, char **argv)
{
    /* test_text --dump FILE: print the case-file lines for FILE's text */
    eg_doc_init(&D);
    if (argc == 3 && strcmp(argv[1], "--dump") == 0) {
        char *buf;
        size_t len, i;
        eg_buf b = {0};
        if (eg_read_file(argv[2], &buf, &len, &E) || prep_n(buf, len)) {
            fprintf(stderr, "%s\n", E.msg);
            return 1;
        }
        for (i = 0; i < D.ntok; i++)
            case_line(&b, i);
        fputs(eg_buf_cstr(&b), stdout);
        eg_buf_free(&b);
        eg_free(buf);
        eg_doc_free(&D);
        return 0;
    }
    test_empty_and_ascii();
    test_line_ends_controls();
    test_bom();
    test_invalid_utf8();
    test_utf8_bad_at();
    test_slug();
    test_typography();
    test_nfkc();
    test_fold_key();
    test_tokens_basic();
    test_dotted_abbrev();
    test_possessives();
    test_hyphens();
    test_sentences();
    test_paragraphs();
    test_big();
    test_reuse();
    test_fuzz();
    test_normalise_copy();
    test_fast_vs_general();
    test_seeds();
    test_case_files();
    eg_doc_free(&D);
    return tap_done();
}

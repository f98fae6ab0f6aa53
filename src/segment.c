/*
 * segment.c — last stage of the text layer: groups tokens into paragraphs
 * and sentences (after eg_tokenize). Co-occurrence windows are built on
 * these, so a wrong break splits or merges entity pairs.
 *
 * Paragraphs. A blank line (two line breaks with only white space between)
 * always ends a paragraph. A single line break also ends one — news text
 * and the sample articles put one paragraph per line, headlines included —
 * unless the document looks hard-wrapped: at least 3 non-empty lines, more
 * than half of them 40–100 bytes long, more than half of them not ending
 * in sentence punctuation (. ! ? : ; quotes, brackets), and at least a
 * third of those followed by a line that starts in lower case (prose goes
 * on; a list of headlines does not). In a hard-wrapped document a single
 * line break is only a space, except after a line that ends a sentence
 * and is shorter than two thirds of the wrap width (the longest line of at
 * most 100 bytes): greedy wrapping only leaves such a line at the end of a
 * paragraph.
 *
 * Sentences. Every paragraph break ends a sentence. Within a paragraph a
 * sentence ends after ".", "!", "?" or a run of dots (plus any closing
 * quotes or brackets written right after), when white space follows and
 * the next token starts with a capital letter or a digit, or is a quote or
 * an opening bracket. ":" and ";" never end a sentence. A footnote number
 * glued to the full stop ("... operation.22 It said") stays with the
 * sentence it follows.
 * Abbreviations: titles and the like ("Mr.", "Gen.", "Dr.", "vs.", months;
 * eg_is_abbrev kind 1) never end a sentence. Dotted acronyms and initials
 * ("U.S.", "H.") and abbreviations that often close a sentence ("etc.",
 * "Inc.", "Jr.", "St."; kind 2) end one only before a clear sentence
 * starter — a capitalised function word such as "The", "He", "But", "In",
 * "This" (see starters[]) — or a paragraph break: "the U.S. Army" and
 * "Hugh H. Shelton" stay one sentence, "... in the U.S. The next day ..."
 * is two.
 */
#include <stddef.h>
#include <string.h>

#include "text.h"

/* inner_run writes sent and para with one store where they are adjacent
 * in that order in a little-endian eg_token (a constant the compiler
 * folds). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SEG_SP64 (offsetof(eg_token, para) == offsetof(eg_token, sent) + 4)
#else
#define SEG_SP64 0
#endif

/* Capitalised words that clearly start a sentence (keys, lower-case). */
static const char *const starters[] = {
    "a", "about", "according", "after", "although", "an", "and", "as", "at", "because",
    "before", "both", "but", "despite", "during", "earlier", "even", "for", "from", "he",
    "her", "his", "however", "i", "if", "in", "instead", "it", "its", "last", "later",
    "many", "meanwhile", "more", "moreover", "most", "my", "no", "now", "on", "one", "our",
    "she", "since", "so", "some", "still", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "those", "though", "thus", "to", "today", "under", "we",
    "what", "when", "where", "while", "who", "why", "with", "yet", "you", NULL};

static int is_starter(const eg_doc *d, const eg_token *t)
{
    const char *k = eg_tok_key(d, t);
    size_t i;
    if (!(t->flags & EG_TF_CAP) || t->kind != EG_TK_WORD || (t->flags & (EG_TF_DOTTED | EG_TF_ABBREV)))
        return 0;
    /* the list is sorted: stop at the first word past the key's first letter */
    for (i = 0; starters[i] && starters[i][0] <= k[0]; i++)
        if (starters[i][0] == k[0] && strcmp(starters[i], k) == 0)
            return 1;
    return 0;
}

/* Is c sentence punctuation that may end a line of prose? */
static int ends_sentence(char c)
{
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '"' || c == '\'' || c == ')' ||
           c == ']';
}

/* Line [s, le): its length without trailing blanks, and its last byte. */
static size_t line_len(const char *s, const char *le, char *last)
{
    const char *q = le;
    while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    *last = q > s ? q[-1] : 0;
    return (size_t)(q - s);
}

/* Does the document look hard-wrapped (see the top of the file)? Returns
 * the wrap width (the longest line of at most 100 bytes), or 0. */
static size_t hard_wrapped(const eg_doc *d)
{
    const char *s = d->text, *end = d->text + d->len;
    size_t lines = 0, mid = 0, open = 0, cont = 0, width = 0;
    int prev_open = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        char last;
        size_t ll = line_len(s, le, &last);
        if (ll) {
            const char *f = s;
            while (*f == ' ' || *f == '\t')
                f++;
            if (prev_open && *f >= 'a' && *f <= 'z')
                cont++; /* the line goes on a sentence the line before left open */
            lines++;
            if (ll >= 40 && ll <= 100)
                mid++;
            if (ll <= 100 && ll > width)
                width = ll;
            prev_open = !ends_sentence(last);
            open += (size_t)prev_open;
        } else {
            prev_open = 0;
        }
        s = nl ? nl + 1 : end;
    }
    return lines >= 3 && mid * 2 > lines && open * 2 > lines && cont * 3 >= open ? width : 0;
}

/* In a hard-wrapped document, does the line that ends at clean offset nl
 * (a '\n') end a paragraph on its own? Yes when it ends a sentence and is
 * clearly shorter than the wrap width: lines are filled greedily, so only
 * the last line of a paragraph stops that early. */
static int short_last_line(const eg_doc *d, size_t nl, size_t width)
{
    const char *s = d->text, *ls = s + nl;
    char last;
    size_t ll;
    while (ls > s && ls[-1] != '\n')
        ls--;
    ll = line_len(ls, s + nl, &last);
    return ends_sentence(last) && ll * 3 < width * 2;
}

/* Number of line breaks in clean text [a, b) (white space only). */
static unsigned count_nl(const char *s, uint32_t a, uint32_t b, unsigned stop)
{
    unsigned k = 0;
    for (; a < b && k < stop; a++)
        k += s[a] == '\n';
    return k;
}

/* Is t a sentence-ending mark? 2 = strong (. ! ? ...), 1 = weak (dotted
 * acronym, initial, kind-2 abbreviation), 0 = no. */
static int terminal(const eg_doc *d, const eg_token *t)
{
    if (t->kind == EG_TK_PUNCT) {
        char c = d->text[t->s];
        return (c == '.' || c == '!' || c == '?') ? 2 : 0;
    }
    if (t->flags & EG_TF_DOTTED)
        return 1;
    if (t->flags & EG_TF_ABBREV)
        return eg_is_abbrev(eg_tok_key(d, t), t->klen) == 2 ? 1 : 0;
    return 0;
}

/* A closing quote or bracket written right after a full stop. */
static int closer(const eg_doc *d, const eg_token *t)
{
    char c;
    if (t->kind != EG_TK_PUNCT || (t->flags & EG_TF_SPACE_BEFORE))
        return 0;
    c = d->text[t->s];
    return t->e - t->s == 1 && (c == '"' || c == '\'' || c == ')' || c == ']' || c == '}');
}

/* A footnote number written right after a full stop (and any closing
 * quote): at most three digits, no space before, not starting a paragraph
 * (pstart: whether it does). */
static int footnote(const eg_token *t, int pstart)
{
    return t->kind == EG_TK_NUM && !(t->flags & EG_TF_SPACE_BEFORE) && !pstart && t->e - t->s <= 3;
}

/* Does token k (k > 0) start a paragraph? Only a line break before it can
 * say so; see the top of the file. */
static int para_break(const eg_doc *d, size_t k, size_t wrapped)
{
    const eg_token *t = &d->tok[k];
    uint32_t pe;
    if (!(t->flags & EG_TF_NL_BEFORE))
        return 0;
    pe = d->tok[k - 1].e;
    if (!wrapped || count_nl(d->text, pe, t->s, 2) >= 2)
        return 1;
    return short_last_line(d, (size_t)((const char *)memchr(d->text + pe, '\n', t->s - pe) - d->text), wrapped);
}

static int push_span(eg_span **v, size_t *n, size_t *cap, uint32_t t0, uint32_t t1)
{
    if (*n == *cap && eg_grow((void **)v, cap, *n + 1, sizeof **v))
        return EG_ENOMEM;
    (*v)[*n].t0 = t0;
    (*v)[*n].t1 = t1;
    (*n)++;
    return EG_OK;
}

/* Gives the tokens from i on that can neither end a sentence nor start a
 * paragraph (no line break before, not dotted, not an abbreviation, no
 * punctuation that terminal() calls a sentence end) sentence `sent` and
 * paragraph `para`; returns the first token that is not one of them (or
 * n). Most tokens are taken here, so the loop keeps nothing else in
 * registers and writes the two indexes as one 64-bit store. */
static size_t inner_run(eg_token *tok, const char *text, size_t i, size_t n, uint32_t para, uint32_t sent)
{
    eg_token *t = tok + i, *end = tok + n;
    uint64_t sp = (uint64_t)sent | (uint64_t)para << 32; /* sent, then para, little-endian */
    for (; t < end; t++) {
        if (t->flags & (EG_TF_NL_BEFORE | EG_TF_DOTTED | EG_TF_ABBREV))
            break;
        if (t->kind == EG_TK_PUNCT) {
            char c = text[t->s];
            if (c == '.' || c == '!' || c == '?')
                break;
        }
        if (SEG_SP64) {
            memcpy((char *)t + offsetof(eg_token, sent), &sp, 8);
        } else {
            t->para = para;
            t->sent = sent;
        }
    }
    return (size_t)(t - tok);
}

/*
 * One pass over the tokens: paragraph breaks are decided where a line
 * break comes before a token (para_break), for the token at hand and for
 * the few tokens a sentence end looks ahead at, so no flag of a later token
 * is read before it is set. The tokens come straight from eg_tokenize, so
 * none has a sentence or paragraph flag yet.
 */
int eg_segment(eg_doc *d, eg_err *e)
{
    size_t i, k, n = d->ntok;
    size_t wrapped;
    uint32_t p0 = 0, s0 = 0;
    uint32_t para = 0, sent = 0; /* d->npara, d->nsent */
    eg_token *tok = d->tok;

    d->nsent = d->npara = 0;
    if (n == 0)
        return EG_OK;
    wrapped = hard_wrapped(d);

    for (i = 0; i < n; i++) {
        eg_token *t;
        unsigned fl;
        int term;
        size_t j;
        if (i != p0 && (i = inner_run(tok, d->text, i, n, para, sent)) == n)
            break; /* the common case: words inside a sentence */
        t = &tok[i];
        fl = t->flags;
        if (i > 0 && (fl & EG_TF_NL_BEFORE) && para_break(d, i, wrapped)) {
            if (push_span(&d->paras, &d->npara, &d->para_cap, p0, (uint32_t)i))
                return eg_err_nomem(e);
            p0 = (uint32_t)i;
            para = (uint32_t)d->npara;
        }
        if (i == p0) {
            fl |= EG_TF_PARA_START;
            if (i > s0) {
                if (push_span(&d->sents, &d->nsent, &d->sent_cap, s0, (uint32_t)i))
                    return eg_err_nomem(e);
                s0 = (uint32_t)i;
                sent = (uint32_t)d->nsent;
            }
        }
        t->flags = (uint16_t)fl;
        t->para = para;
        t->sent = sent;
        if (t->kind == EG_TK_PUNCT ? !(term = terminal(d, t))
                                   : !(fl & (EG_TF_DOTTED | EG_TF_ABBREV)) || !(term = terminal(d, t)))
            continue;
        j = i + 1;
        while (j < n && closer(d, &tok[j]) && !para_break(d, j, wrapped))
            j++;
        if (term == 2 && j < n && footnote(&tok[j], para_break(d, j, wrapped)))
            j++; /* "... operation.22 It said" */
        if (j >= n || para_break(d, j, wrapped) || !(tok[j].flags & EG_TF_SPACE_BEFORE))
            continue; /* end of text or paragraph: closed there; no space: no break */
        {
            const eg_token *x = &tok[j];
            int brk;
            if (term == 2) {
                char c = d->text[x->s];
                brk = (x->flags & EG_TF_CAP) || (c >= '0' && c <= '9') || (x->flags & EG_TF_QUOTE) ||
                      c == '(' || c == '[' || c == '{';
            } else {
                brk = is_starter(d, x);
            }
            if (!brk)
                continue;
        }
        /* tokens i+1 .. j-1 are closers in this sentence (none starts a
         * paragraph) */
        for (k = i + 1; k < j; k++) {
            tok[k].para = para;
            tok[k].sent = sent;
        }
        if (push_span(&d->sents, &d->nsent, &d->sent_cap, s0, (uint32_t)j))
            return eg_err_nomem(e);
        s0 = (uint32_t)j;
        sent = (uint32_t)d->nsent;
        i = j - 1;
    }
    if (push_span(&d->paras, &d->npara, &d->para_cap, p0, (uint32_t)n))
        return eg_err_nomem(e);
    if (push_span(&d->sents, &d->nsent, &d->sent_cap, s0, (uint32_t)n))
        return eg_err_nomem(e);

    for (i = 0; i < d->nsent; i++) {
        tok[d->sents[i].t0].flags |= EG_TF_SENT_START;
        tok[d->sents[i].t1 - 1].flags |= EG_TF_SENT_END;
    }
    return EG_OK;
}

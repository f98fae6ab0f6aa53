/*
 * fuzz_tokenize.c — fuzz target for the whole text layer (eg_text_prepare:
 * normalise → tokenize → segment) on any bytes.
 *
 * Invariants checked: tokens are non-empty, in order, non-overlapping and
 * inside the clean text; kinds and case flags are consistent; each key is
 * NUL-terminated inside keys[], hashed with eg_hash, and equal to
 * eg_fold_key of the token's text (the tokenizer's ASCII fast path promises
 * the same result); the original offsets of tokens (orig_start/orig_end)
 * are non-empty ranges inside the input whose starts and ends never go
 * backwards; sentences and paragraphs are non-empty, contiguous and cover
 * every token exactly once, each token's sent/para index and its
 * SENT_START/SENT_END/PARA_START flags agree with them, and a paragraph
 * start is always a sentence start. The same eg_doc is then reused on a
 * prefix of the input.
 */
#include <string.h>

#include "fuzz.h"
#include "text.h"

static void check_spans(const eg_doc *d, const eg_span *v, size_t n, int sent)
{
    const char *what = sent ? "sentence" : "paragraph";
    size_t i;
    uint32_t t;
    if (d->ntok == 0) {
        FUZZ_CHECK(n == 0, "%zu %ss without tokens", n, what);
        return;
    }
    FUZZ_CHECK(n > 0, "no %s", what);
    FUZZ_CHECK(v[0].t0 == 0, "first %s starts at token %u", what, v[0].t0);
    FUZZ_CHECK(v[n - 1].t1 == d->ntok, "last %s ends at token %u of %zu", what, v[n - 1].t1, d->ntok);
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(v[i].t0 < v[i].t1, "%s %zu is empty [%u, %u)", what, i, v[i].t0, v[i].t1);
        FUZZ_CHECK(i == 0 || v[i].t0 == v[i - 1].t1, "%s %zu starts at %u, previous ends at %u", what, i, v[i].t0,
                   v[i - 1].t1);
        for (t = v[i].t0; t < v[i].t1; t++) {
            const eg_token *k = &d->tok[t];
            FUZZ_CHECK((sent ? k->sent : k->para) == i, "token %u has %s %u, lies in %zu", t, what,
                       sent ? k->sent : k->para, i);
            if (sent) {
                FUZZ_CHECK(!!(k->flags & EG_TF_SENT_START) == (t == v[i].t0), "token %u: SENT_START flag wrong", t);
                FUZZ_CHECK(!!(k->flags & EG_TF_SENT_END) == (t + 1 == v[i].t1), "token %u: SENT_END flag wrong", t);
            } else {
                FUZZ_CHECK(!!(k->flags & EG_TF_PARA_START) == (t == v[i].t0), "token %u: PARA_START flag wrong", t);
            }
        }
    }
}

static void check_doc(const eg_doc *d, const uint8_t *data, size_t size)
{
    size_t i;
    uint32_t ps = 0, pe = 0;
    eg_buf b = {0};
    for (i = 0; i < d->ntok; i++) {
        const eg_token *t = &d->tok[i];
        uint32_t os, oe;
        const char *key;
        FUZZ_CHECK(t->s < t->e && t->e <= d->len, "token %zu [%u, %u) outside %zu bytes", i, t->s, t->e, d->len);
        FUZZ_CHECK(i == 0 || t->s >= d->tok[i - 1].e, "token %zu starts at %u before token %zu ends (%u)", i, t->s,
                   i - 1, d->tok[i - 1].e);
        FUZZ_CHECK(t->kind >= EG_TK_WORD && t->kind <= EG_TK_PUNCT, "token %zu: kind %u", i, t->kind);
        FUZZ_CHECK(!(t->flags & EG_TF_ALLCAP) || (t->flags & EG_TF_CAP), "token %zu: ALLCAP without CAP", i);
        FUZZ_CHECK(!((t->flags & EG_TF_CAP) && (t->flags & EG_TF_LOWER)), "token %zu: both CAP and LOWER", i);
        FUZZ_CHECK(i > 0 || (t->flags & EG_TF_SPACE_BEFORE), "first token without SPACE_BEFORE");
        FUZZ_CHECK((size_t)t->key + t->klen < d->keys_len, "token %zu: key [%u, +%u) outside keys (%zu)", i, t->key,
                   t->klen, d->keys_len);
        key = eg_tok_key(d, t);
        FUZZ_CHECK(key[t->klen] == 0 && strlen(key) == t->klen, "token %zu: key not NUL-terminated at klen %u", i,
                   t->klen);
        FUZZ_CHECK(t->h == eg_hash(key, t->klen), "token %zu: hash is not eg_hash of the key", i);
        eg_buf_reset(&b);
        FUZZ_CHECK(eg_fold_key(&b, d->text + t->s, t->e - t->s) == EG_OK, "eg_fold_key failed");
        FUZZ_CHECK(b.len == t->klen && memcmp(eg_buf_cstr(&b), key, b.len) == 0,
                   "token %zu '%.*s': key '%s' but eg_fold_key gives '%s'", i, (int)(t->e - t->s), d->text + t->s,
                   key, eg_buf_cstr(&b));
        os = eg_doc_orig_start(d, t->s);
        oe = eg_doc_orig_end(d, t->e);
        FUZZ_CHECK(os < oe && oe <= size, "token %zu: original range [%u, %u) of %zu bytes", i, os, oe, size);
        FUZZ_CHECK(os >= ps && oe >= pe, "token %zu: original range [%u, %u) goes back (previous [%u, %u))", i, os, oe,
                   ps, pe);
        if (!d->map)
            FUZZ_CHECK(memcmp(data + os, d->text + t->s, t->e - t->s) == 0, "token %zu: identity text differs", i);
        ps = os;
        pe = oe;
    }
    eg_buf_free(&b);
    check_spans(d, d->sents, d->nsent, 1);
    check_spans(d, d->paras, d->npara, 0);
    for (i = 0; i < d->npara; i++)
        FUZZ_CHECK(d->tok[d->paras[i].t0].flags & EG_TF_SENT_START, "paragraph %zu does not start a sentence", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_doc d;
    eg_err e = {0};
    eg_doc_init(&d);
    FUZZ_CHECK(eg_text_prepare(&d, "fuzz", (const char *)data, size, &e) == EG_OK, "eg_text_prepare: %s", e.msg);
    check_doc(&d, data, size);
    FUZZ_CHECK(eg_text_prepare(&d, "fuzz", (const char *)data, size / 3, &e) == EG_OK, "eg_text_prepare: %s", e.msg);
    check_doc(&d, data, size / 3);
    eg_doc_free(&d);
    return 0;
}

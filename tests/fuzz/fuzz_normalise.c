/*
 * fuzz_normalise.c — fuzz target for the first stage of the text layer:
 * eg_normalise on any bytes, the offset map behind eg_doc_orig_start/_end,
 * and eg_fold_key on the same bytes.
 *
 * Invariants checked: the clean text is valid UTF-8 with no CR, NUL or
 * other control byte but \t and \n; the identity path only for plain
 * printable ASCII; map[] non-decreasing, inside the input, map[len] = the
 * input length, every mapped offset on a character start when the input
 * is valid UTF-8; bad_utf8/bad_utf8_at name the first invalid byte;
 * orig_start and orig_end non-decreasing, inside the input, and every
 * clean byte's source non-empty (orig_end(i+1) > orig_start(i)); the fold
 * key is UTF-8 with no upper-case ASCII, no control byte and single inner
 * spaces. The same eg_doc is then reused on a prefix of the input, as a
 * worker thread reuses it from document to document.
 */
#include <string.h>

#include "fuzz.h"
#include "text.h"

static size_t first_bad_utf8(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = eg_utf8_valid_len(p + i, n - i);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

static void check_doc(const eg_doc *d, const uint8_t *data, size_t size)
{
    size_t i, bad = first_bad_utf8(data, size);
    const unsigned char *t = (const unsigned char *)d->text;
    uint32_t prev;

    FUZZ_CHECK(d->orig_len == size, "orig_len %zu, size %zu", d->orig_len, size);
    FUZZ_CHECK(d->bad_utf8 == (bad < size), "bad_utf8 %d, first invalid byte at %zu of %zu", d->bad_utf8, bad, size);
    if (d->bad_utf8)
        FUZZ_CHECK(d->bad_utf8_at == bad, "bad_utf8_at %zu, first invalid byte at %zu", d->bad_utf8_at, bad);
    if (!d->map) {
        FUZZ_CHECK(d->len == size, "identity path: len %zu, size %zu", d->len, size);
        FUZZ_CHECK(size == 0 || d->text == (const char *)data, "identity path: text is not the input");
        for (i = 0; i < size; i++)
            FUZZ_CHECK((data[i] >= 0x20 && data[i] < 0x7F) || data[i] == '\t' || data[i] == '\n',
                       "identity path kept byte 0x%02x at %zu", data[i], i);
    } else {
        FUZZ_CHECK(d->map[d->len] == size, "map[len] = %u, size %zu", d->map[d->len], size);
        FUZZ_CHECK(t[d->len] == 0, "clean text not NUL-terminated");
        for (i = 0; i < d->len; i++) {
            FUZZ_CHECK(d->map[i] < size, "map[%zu] = %u outside %zu bytes", i, d->map[i], size);
            FUZZ_CHECK(i == 0 || d->map[i] >= d->map[i - 1], "map decreases at %zu: %u after %u", i, d->map[i],
                       d->map[i - 1]);
            if (bad == size)
                FUZZ_CHECK((data[d->map[i]] & 0xC0) != 0x80, "map[%zu] = %u is inside a character", i, d->map[i]);
        }
    }
    for (i = 0; i < d->len;) {
        size_t k = eg_utf8_valid_len(t + i, d->len - i);
        FUZZ_CHECK(k > 0, "clean text is not UTF-8 at %zu (0x%02x)", i, t[i]);
        if (k == 1)
            FUZZ_CHECK((t[i] >= 0x20 && t[i] < 0x7F) || t[i] == '\t' || t[i] == '\n',
                       "clean text holds byte 0x%02x at %zu", t[i], i);
        i += k;
    }
    prev = 0;
    for (i = 0; i <= d->len; i++) {
        uint32_t s = eg_doc_orig_start(d, (uint32_t)i);
        FUZZ_CHECK(s <= size, "orig_start(%zu) = %u > %zu", i, s, size);
        FUZZ_CHECK(s >= prev, "orig_start(%zu) = %u decreases (was %u)", i, s, prev);
        prev = s;
    }
    prev = 0;
    for (i = 0; i <= d->len; i++) {
        uint32_t e = eg_doc_orig_end(d, (uint32_t)i);
        FUZZ_CHECK(e <= size, "orig_end(%zu) = %u > %zu", i, e, size);
        FUZZ_CHECK(e >= prev, "orig_end(%zu) = %u decreases (was %u)", i, e, prev);
        if (i > 0)
            FUZZ_CHECK(e > eg_doc_orig_start(d, (uint32_t)i - 1), "orig_end(%zu) = %u not after orig_start(%zu) = %u",
                       i, e, i - 1, eg_doc_orig_start(d, (uint32_t)i - 1));
        prev = e;
    }
}

static void check_key(const uint8_t *data, size_t size)
{
    eg_buf b = {0};
    size_t i;
    const unsigned char *k;
    FUZZ_CHECK(eg_fold_key(&b, (const char *)data, size) == EG_OK, "eg_fold_key failed");
    k = (const unsigned char *)b.p;
    if (b.len) {
        FUZZ_CHECK(k[b.len] == 0, "key not NUL-terminated");
        FUZZ_CHECK(k[0] != ' ' && k[b.len - 1] != ' ', "key has a leading or trailing space");
    }
    for (i = 0; i < b.len;) {
        size_t n = eg_utf8_valid_len(k + i, b.len - i);
        FUZZ_CHECK(n > 0, "key is not UTF-8 at %zu", i);
        if (n == 1) {
            FUZZ_CHECK(k[i] >= 0x20 && k[i] < 0x7F, "key holds byte 0x%02x", k[i]);
            FUZZ_CHECK(!(k[i] >= 'A' && k[i] <= 'Z'), "key holds an upper-case letter at %zu", i);
            FUZZ_CHECK(!(k[i] == ' ' && k[i + 1] == ' '), "key holds two spaces at %zu", i);
        }
        i += n;
    }
    eg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_doc d;
    eg_err e = {0};
    eg_doc_init(&d);
    FUZZ_CHECK(eg_normalise(&d, "fuzz", (const char *)data, size, &e) == EG_OK, "eg_normalise: %s", e.msg);
    check_doc(&d, data, size);
    /* the same doc again, on a prefix (cut anywhere, even inside a character) */
    FUZZ_CHECK(eg_normalise(&d, "fuzz", (const char *)data, size / 2, &e) == EG_OK, "eg_normalise: %s", e.msg);
    check_doc(&d, data, size / 2);
    eg_doc_free(&d);
    check_key(data, size);
    return 0;
}

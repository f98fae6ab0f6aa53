/*
 * writers.c — the last stage: eg_write_all hands the finished graph view to
 * each writer asked for (write_dot.c, write_graphml.c, write_json.c,
 * write_gexf.c, write_csv.c, write_picture.c), stopping at the first
 * failure. It also holds what the writers share (writers.h): the output
 * sink over eg_out, text cleaning and XML escaping, number formatting, the
 * alias and evidence strings, and colours and shapes by entity type.
 */
#include "writers.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <string.h>

/* ---- colours and shapes ----
 * Okabe–Ito colours: told apart with the common colour-vision
 * deficiencies, and light enough for black labels (contrast >= 6:1). */

static const struct {
    const char *color;
    int rgb[3];
    const char *shape;
} type_style[EG_NTYPES] = {
    [EG_PERSON] = {"#56B4E9", {0x56, 0xB4, 0xE9}, "ellipse"},
    [EG_ORG] = {"#E69F00", {0xE6, 0x9F, 0x00}, "box"},
    [EG_PLACE] = {"#009E73", {0x00, 0x9E, 0x73}, "hexagon"},
    [EG_EVENT] = {"#CC79A7", {0xCC, 0x79, 0xA7}, "parallelogram"},
};

const char *eg_type_color(eg_type t) { return (unsigned)t < EG_NTYPES ? type_style[t].color : "#BBBBBB"; }

const char *eg_type_shape(eg_type t) { return (unsigned)t < EG_NTYPES ? type_style[t].shape : "ellipse"; }

void egw_type_rgb(eg_type t, int rgb[3])
{
    int i;
    for (i = 0; i < 3; i++)
        rgb[i] = (unsigned)t < EG_NTYPES ? type_style[t].rgb[i] : 0xBB;
}

/* ---- dispatch ---- */

int eg_write_all(const eg_gview *v, const char *dir, unsigned formats, eg_err *e)
{
    const unsigned known = EG_FMT_DOT | EG_FMT_GRAPHML | EG_FMT_JSON | EG_FMT_GEXF | EG_FMT_CSV |
                           EG_FMT_SVG | EG_FMT_PNG;
    int rc = EG_OK;
    if (formats & ~known)
        return eg_err_set(e, EG_EUSAGE, "%s: unknown output format bits 0x%x", dir, formats & ~known);
    if ((formats & EG_FMT_DOT) && (rc = eg_write_dot(v, dir, e)))
        return rc;
    if ((formats & EG_FMT_GRAPHML) && (rc = eg_write_graphml(v, dir, e)))
        return rc;
    if ((formats & EG_FMT_JSON) && (rc = eg_write_json(v, dir, e)))
        return rc;
    if ((formats & EG_FMT_GEXF) && (rc = eg_write_gexf(v, dir, e)))
        return rc;
    if ((formats & EG_FMT_CSV) && (rc = eg_write_csv(v, dir, e)))
        return rc;
    if ((formats & EG_FMT_SVG) && (rc = eg_write_picture(v, dir, "svg", e)))
        return rc;
    if ((formats & EG_FMT_PNG) && (rc = eg_write_picture(v, dir, "png", e)))
        return rc;
    return EG_OK;
}

int egw_check_view(const eg_gview *v, const char *file, eg_err *e)
{
    size_t i;
    if (!v || (v->nnodes && !v->nodes) || (v->nedges && !v->edges))
        return eg_err_set(e, EG_EDATA, "%s: no graph to write", file);
    for (i = 0; i < v->nnodes; i++) {
        const eg_node *n = &v->nodes[i];
        if (!n->id || !n->label || (n->naliases && !n->aliases))
            return eg_err_set(e, EG_EDATA, "%s: node %zu has no id, label or aliases", file, i);
    }
    for (i = 0; i < v->nedges; i++) {
        const eg_edge *ed = &v->edges[i];
        if (ed->a >= v->nnodes || ed->b >= v->nnodes)
            return eg_err_set(e, EG_EDATA, "%s: edge %zu joins a node that is not in the graph", file, i);
        if (!isfinite(ed->weight))
            return eg_err_set(e, EG_EDATA, "%s: edge %s -- %s has a weight that is not a number", file,
                              v->nodes[ed->a].id, v->nodes[ed->b].id);
        if (ed->nev && !ed->ev)
            return eg_err_set(e, EG_EDATA, "%s: edge %zu has no evidence array", file, i);
    }
    return EG_OK;
}

/* ---- the sink ---- */

#define EGW_FLUSH_AT 65536

int egw_open(egw_sink *s, const char *dir, const char *name, eg_err *e)
{
    memset(s, 0, sizeof *s);
    return eg_out_open(&s->out, dir, name, e);
}

void egw_fail(egw_sink *s, int status)
{
    if (!s->status) {
        s->status = status;
        s->err_no = errno;
    }
}

static void sink_flush(egw_sink *s)
{
    if (s->status || !s->buf.len)
        return;
    errno = 0;
    if (fwrite(s->buf.p, 1, s->buf.len, s->out.f) != s->buf.len || ferror(s->out.f))
        egw_fail(s, EG_EIO);
    eg_buf_reset(&s->buf);
}

void egw_add(egw_sink *s, const void *p, size_t n)
{
    if (s->status)
        return;
    if (eg_buf_add(&s->buf, p, n)) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    if (s->buf.len >= EGW_FLUSH_AT)
        sink_flush(s);
}

void egw_puts(egw_sink *s, const char *str) { egw_add(s, str, strlen(str)); }

void egw_printf(egw_sink *s, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    if (s->status)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        egw_fail(s, EG_EIO);
        return;
    }
    if ((size_t)n < sizeof small) {
        egw_add(s, small, (size_t)n);
        return;
    }
    if (eg_buf_reserve(&s->buf, (size_t)n)) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s->buf.p + s->buf.len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->buf.len += (size_t)n;
    if (s->buf.len >= EGW_FLUSH_AT)
        sink_flush(s);
}

void egw_xml(egw_sink *s, const char *str)
{
    if (s->status)
        return;
    if (egw_xml_buf(&s->buf, str))
        egw_fail(s, EG_ENOMEM);
    else if (s->buf.len >= EGW_FLUSH_AT)
        sink_flush(s);
}

void egw_real(egw_sink *s, double v)
{
    char buf[32];
    egw_puts(s, egw_fmt_real(buf, v));
}

int egw_flush(egw_sink *s)
{
    sink_flush(s);
    if (!s->status && s->out.f) {
        errno = 0;
        if (fflush(s->out.f) != 0 || ferror(s->out.f))
            egw_fail(s, EG_EIO);
    }
    return s->status;
}

int egw_close(egw_sink *s, eg_err *e)
{
    int rc;
    egw_flush(s);
    if (s->status) {
        const char *path = s->out.final ? s->out.final : "?";
        if (s->status == EG_ENOMEM)
            rc = eg_err_set(e, EG_ENOMEM, "%s: out of memory", path);
        else
            rc = eg_err_set(e, s->status, "%s: %s failed: %s", path, s->what ? s->what : "write",
                            s->err_no ? strerror(s->err_no) : "I/O error");
        egw_abort(s);
        return rc;
    }
    rc = eg_out_commit(&s->out, e);
    eg_buf_free(&s->buf);
    memset(s, 0, sizeof *s);
    return rc;
}

void egw_abort(egw_sink *s)
{
    eg_out_abort(&s->out);
    eg_buf_free(&s->buf);
    memset(s, 0, sizeof *s);
}

/* ---- text ---- */

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

int egw_utf8_clean(eg_buf *b, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, run = 0;
    while (i < n) {
        size_t k = eg_utf8_valid_len(p + i, n - i);
        if (k) {
            i += k;
            continue;
        }
        if (eg_buf_add(b, p + run, i - run) || eg_buf_add(b, replacement, 3))
            return EG_ENOMEM;
        run = ++i;
    }
    return eg_buf_add(b, p + run, n - run);
}

const char *egw_utf8_valid(eg_buf *tmp, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str), i = 0;
    while (i < n) {
        size_t k = eg_utf8_valid_len(p + i, n - i);
        if (!k)
            break;
        i += k;
    }
    if (i == n)
        return str;
    eg_buf_reset(tmp);
    if (egw_utf8_clean(tmp, str))
        return NULL;
    return eg_buf_cstr(tmp);
}

int egw_xml_buf(eg_buf *b, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, run = 0;
    char ref[16];
    while (i < n) {
        unsigned c = p[i];
        const char *rep = NULL;
        size_t k = 1;
        if (c < 0x80) {
            switch (c) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&apos;"; break;
            case '\t': rep = "&#9;"; break;
            case '\n': rep = "&#10;"; break;
            case '\r': rep = "&#13;"; break;
            default:
                if (c < 0x20)
                    rep = replacement; /* not an XML 1.0 character */
            }
        } else {
            k = eg_utf8_valid_len(p + i, n - i);
            if (!k) {
                rep = replacement;
                k = 1;
            } else if (k == 3 && c == 0xEF && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
                rep = replacement; /* U+FFFE, U+FFFF */
            } else if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
                snprintf(ref, sizeof ref, "&#%u;", (unsigned)p[i + 1]); /* C1 controls, NEL */
                rep = ref;
            } else if (k == 3 && c == 0xE2 && p[i + 1] == 0x80 && p[i + 2] == 0xA8) {
                rep = "&#8232;"; /* LINE SEPARATOR */
            }
        }
        if (rep) {
            if (eg_buf_add(b, p + run, i - run) || eg_buf_adds(b, rep))
                return EG_ENOMEM;
            run = i + k;
        }
        i += k;
    }
    return eg_buf_add(b, p + run, n - run);
}

/* Whether the '&' at p starts what Graphviz reads as an HTML entity in a
 * label ("&amp;", "&#38;", "&#x26;", "&name;"): it is then decoded. */
static int dot_entity_like(const unsigned char *p)
{
    p++;
    if (*p == '#') {
        p++;
        if (*p == 'x' || *p == 'X') {
            p++;
            while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))
                p++;
        } else {
            while (*p >= '0' && *p <= '9')
                p++;
        }
    } else {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            p++;
    }
    return *p == ';';
}

/* Graphviz escString: see writers.h. */
int egw_dot_esc(eg_buf *b, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t n = strlen(str), i = 0, run = 0;
    while (i < n) {
        unsigned c = p[i];
        const char *rep = NULL;
        size_t k = 1;
        if (c == '\\')
            rep = "\\\\";
        else if (c == '&' && dot_entity_like(p + i))
            rep = "&amp;";
        else if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
            rep = "\\n";
            k = 2;
        } else if (c == '\r' || c == '\n')
            rep = "\\n";
        else if (c == '\t')
            rep = " ";
        else if (c < 0x20 || c == 0x7F)
            rep = "\xEF\xBF\xBD";
        else if (c >= 0x80 && !(k = eg_utf8_valid_len(p + i, n - i))) {
            rep = "\xEF\xBF\xBD";
            k = 1;
        } else if (k == 3 && c == 0xEF && ((p[i + 1] == 0xBF && p[i + 2] >= 0xBE) || (p[i + 1] == 0xBB && p[i + 2] == 0xBF)))
            rep = "\xEF\xBF\xBD"; /* U+FFFE, U+FFFF: not XML characters, and SVG is XML;
                                    U+FEFF: Graphviz's scanner drops it as a byte-order mark */
        if (rep) {
            if (eg_buf_add(b, p + run, i - run) || eg_buf_adds(b, rep))
                return EG_ENOMEM;
            run = i + k;
        }
        i += k;
    }
    return eg_buf_add(b, p + run, n - run);
}

/* ---- numbers ---- */

const char *egw_fmt_real(char *buf, double v)
{
    const char *dp;
    char *q;
    if (v == 0)
        v = 0; /* no "-0" */
    snprintf(buf, 32, "%.15g", v);
    dp = localeconv()->decimal_point;
    if (dp && dp[0] && (dp[0] != '.' || dp[1])) {
        /* a locale with another decimal point: put '.' back */
        size_t dl = strlen(dp);
        if ((q = strstr(buf, dp)) != NULL) {
            *q = '.';
            memmove(q + 1, q + dl, strlen(q + dl) + 1);
        }
    }
    return buf;
}

int egw_weight_is_count(const eg_gview *v)
{
    if (v->opt)
        return v->opt->weight == EG_WEIGHT_COUNT;
    return !v->weight_name || strcmp(v->weight_name, "count") == 0;
}

long egw_dot_weight(const eg_gview *v, const eg_edge *ed)
{
    double w;
    if (egw_weight_is_count(v))
        return ed->count > 1000000 ? 1000000 : (long)ed->count;
    w = round(ed->weight * 100.0);
    if (!(w >= 1)) /* also NaN */
        return 1;
    return w > 1000000 ? 1000000 : (long)w;
}

static int weight_log_scale(const eg_gview *v)
{
    if (egw_weight_is_count(v))
        return 1;
    if (v->opt)
        return v->opt->weight == EG_WEIGHT_ASSOC;
    return v->weight_name && strcmp(v->weight_name, "assoc") == 0;
}

static double weight_f(const eg_gview *v, double w)
{
    if (weight_log_scale(v))
        return log1p(w > 0 ? w : 0);
    return w;
}

void egw_weight_range(const eg_gview *v, double *lo, double *hi)
{
    size_t i;
    *lo = *hi = 0;
    for (i = 0; i < v->nedges; i++) {
        double f = weight_f(v, v->edges[i].weight);
        if (i == 0 || f < *lo)
            *lo = f;
        if (i == 0 || f > *hi)
            *hi = f;
    }
}

double egw_weight_scaled(const eg_gview *v, double w, double lo, double hi)
{
    double t;
    if (!(hi > lo))
        return 0;
    t = (weight_f(v, w) - lo) / (hi - lo);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* ---- shared strings ---- */

int egw_aliases_text(eg_buf *b, const eg_node *n)
{
    size_t i;
    for (i = 0; i < n->naliases; i++) {
        const char *t = n->aliases[i].text ? n->aliases[i].text : "";
        if ((i && eg_buf_adds(b, "; ")) || egw_utf8_clean(b, t) ||
            eg_buf_addf(b, " (%llu)", (unsigned long long)n->aliases[i].count))
            return EG_ENOMEM;
    }
    return EG_OK;
}

int egw_evidence_text(eg_buf *b, const eg_evidence *ev)
{
    eg_buf s = {0};
    const char *snip = eg_evidence_snippet(ev, &s);
    int rc = EG_OK;
    if (!snip)
        rc = EG_EIO;
    else if (egw_utf8_clean(b, ev->doc ? ev->doc : "") ||
             eg_buf_addf(b, " [%llu-%llu] ", (unsigned long long)ev->start, (unsigned long long)ev->end) ||
             egw_utf8_clean(b, snip))
        rc = EG_ENOMEM;
    eg_buf_free(&s);
    return rc;
}

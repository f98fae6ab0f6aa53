/*
 * write_dot.c — graph.dot: the view as a Graphviz graph, for dot, neato,
 * sfdp, gvpr and every tool that reads DOT (Gephi, pygraphviz, pydot). One
 * of the writers called by eg_write_all; write_picture.c lays out a
 * reduced copy with cgraph and gvc instead.
 *
 * The file is streamed into the writers' sink (writers.h) node by node and
 * edge by edge, reading the view where it is: nothing holds the graph a
 * second time (a bit per node, every node's name as it is written, since
 * the edges name each node again and again, and only for views that
 * eg_graph does not make, an edge order and a name map). The bytes are exactly those that
 * cgraph 2.42's agwrite wrote when this writer built the graph with agnode,
 * agedge and agxset: the same declarations, statement order, attribute
 * order, default omission, quoting and long-line breaks (put_id, put_attrs,
 * write_all say which rule each follows). tests/unit/test_dot.c keeps that
 * cgraph path as the oracle and compares the bytes on random hostile views.
 *
 * Attributes. Node: label, type, shape and fillcolor by type (style
 * filled; an ambiguous node is also dashed), color (a darker outline),
 * mentions, docs, aliases, ambiguous, tooltip. Edge: weight, the integer
 * dot's layout needs (egw_dot_weight: the count for count weights, else
 * round(weight * 100) clamped to 1..1000000); w, the real weight; count,
 * docs; penwidth 1..8 from the weight's place between the lightest and
 * the heaviest edge (log scale for counts); tooltip, the first evidence.
 *
 * Graph: overlap=false, splines=true (straight lines above 200 edges, see
 * DOT_SPLINE_EDGES), outputorder=edgesfirst, fontname, and a comment with
 * the window, the weighting and the number of documents.
 *
 * Strings. Every user string is written as a Graphviz escString, the form
 * label and tooltip are read in: backslash doubled, CR LF / CR / LF as the
 * escape \n (a centred line break), TAB as a space, other C0 controls and
 * DEL, U+FFFE and U+FFFF as U+FFFD (SVG output must stay XML), U+FEFF as
 * U+FFFD (Graphviz's scanner drops a lone one as a byte-order mark),
 * invalid UTF-8 as U+FFFD, and an '&' that starts something entity-like ("&amp;",
 * "&#0;", "R&D;") as "&amp;", because Graphviz decodes HTML entities in
 * labels (egw_dot_esc in writers.c).
 * put_id then adds the quotes and escapes '"' as agwrite did. Custom
 * attributes (type, aliases, ...) get the same form, so a reader sees "\\"
 * for a backslash there too: DOT cannot carry a lone backslash before a
 * quote otherwise.
 */
#include "writers.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Curved edges routed around the nodes (splines=true) up to this many
 * edges; straight lines above. Routing is slow: neato or sfdp took 3 s for
 * 150 edges, 8 s for 300 and a minute for 1400 (200 nodes), against half a
 * second with straight lines. */
#define DOT_SPLINE_EDGES 200

/* The alias list of egw_aliases_text as an escString: each alias escaped
 * on its own (cleaning and escaping replace a bad byte the same way, and
 * the joins are plain ASCII that no escape looks across). */
static int dot_aliases(eg_buf *b, const eg_node *n)
{
    char num[24];
    size_t i;
    for (i = 0; i < n->naliases; i++) {
        const char *t = n->aliases[i].text ? n->aliases[i].text : "";
        if ((i && egw_buf_add(b, "; ", 2)) || egw_dot_esc(b, t) || egw_buf_add(b, " (", 2) ||
            egw_buf_add(b, num, egw_fmt_u64(num, n->aliases[i].count)) || egw_buf_add(b, ")", 1))
            return EG_ENOMEM;
    }
    return EG_OK;
}

/* The evidence line of egw_evidence_text as an escString, the same way. */
static int dot_evidence(egw_env *env, eg_buf *b, eg_buf *tmp, const eg_evidence *ev)
{
    char num[24];
    size_t len;
    const char *snip = egw_snippet(env, ev, &len, tmp);
    if (!snip)
        return EG_EIO;
    if (egw_dot_esc(b, ev->doc ? ev->doc : "") || egw_buf_add(b, " [", 2) ||
        egw_buf_add(b, num, egw_fmt_u64(num, ev->start)) || egw_buf_add(b, "-", 1) ||
        egw_buf_add(b, num, egw_fmt_u64(num, ev->end)) || egw_buf_add(b, "] ", 2) || egw_dot_esc_n(b, snip, len))
        return EG_ENOMEM;
    return EG_OK;
}

/* ---- cgraph's text form ---- */

/* Byte classes of cgraph's writer, in the C locale: DC_WORD a letter,
 * digit, '_' or any byte of a multibyte character (no quotes needed);
 * DC_ID a letter, digit, '.', '-' or non-ASCII (a long line is never
 * broken between two of them); DC_HOLD '\\' (a line never breaks after
 * one either). */
enum { DC_WORD = 1, DC_ID = 2, DC_HOLD = 4 };
#define DC_ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))
#define DC(c)                                                                                                 \
    ((DC_ALNUM(c) || (c) >= 0x80 || (c) == '_' ? DC_WORD : 0) |                                              \
     (DC_ALNUM(c) || (c) >= 0x80 || (c) == '.' || (c) == '-' ? DC_ID : 0) | ((c) == '\\' ? DC_HOLD : 0))
#define DC4(c) DC(c), DC((c) + 1), DC((c) + 2), DC((c) + 3)
#define DC16(c) DC4(c), DC4((c) + 4), DC4((c) + 8), DC4((c) + 12)
#define DC64(c) DC16(c), DC16((c) + 16), DC16((c) + 32), DC16((c) + 48)
static const unsigned char dot_cls[256] = {DC64(0), DC64(64), DC64(128), DC64(192)};

/* Whether str (n bytes) is one of DOT's keywords, in any case. */
static int dot_keyword(const char *str, size_t n)
{
    static const char *const kw[] = {"node", "edge", "strict", "graph", "digraph", "subgraph"};
    char low[9];
    size_t i;
    if (n < 4 || n > 8 || !strchr("nNeEsSgGdD", str[0]))
        return 0; /* not a keyword's length or first letter */
    for (i = 0; i < n; i++)
        low[i] = (char)(str[i] >= 'A' && str[i] <= 'Z' ? str[i] + 32 : str[i]);
    for (i = 0; i < sizeof kw / sizeof *kw; i++)
        if (strlen(kw[i]) == n && !memcmp(low, kw[i], n))
            return 1;
    return 0;
}

/* Writes str (n bytes, no NUL) as cgraph 2.42's agwrite writes an id or a
 * value (agstrcanon): bare when it is a word that does not start with a
 * digit, or a number ("-1", ".5", "1.5", not "1-2" or "1.2.3"), and is no
 * keyword; otherwise in double quotes with '"' escaped as \" (a backslash
 * is copied as it is). A quoted string is broken with a backslash-newline
 * (which DOT's scanner removes) once DOT_LINE characters have gone by since
 * the start or the last break, at the first place between a character that
 * is neither an id character nor a backslash and an id character. Nothing
 * depends on the column, so the string is formatted on its own, in place
 * in the sink's buffer. */
#define DOT_LINE 128 /* cgraph's MAX_OUTPUTLINE; we set no "linelength" */

/* Whether str needs quotes before any break is counted: a number
 * ("-1", ".5", "1.5": a '-' only first, one '.') stays bare, as does a
 * word that does not start with a digit, '.' or '-'; a '"' always needs
 * them, and so does a lone "." or "-". Stops at the first byte that
 * settles it. */
static int needs_quotes(const unsigned char *p, size_t n)
{
    size_t i, dots = 0;
    if (p[0] - '0' < 10 || p[0] == '.' || p[0] == '-') {
        for (i = 0; i < n; i++) {
            unsigned c = p[i];
            if (c == '"' || (c == '-' ? i != 0 : c == '.' ? dots++ != 0 : c - '0' >= 10))
                return 1;
        }
        return n == 1 && (p[0] == '.' || p[0] == '-');
    }
    for (i = 0; i < n; i++)
        if (!(dot_cls[p[i]] & DC_WORD))
            return 1;
    return 0;
}

/* Copies n bytes to o with '"' escaped; returns the end. */
static char *copy_escaped(char *o, const unsigned char *p, size_t n)
{
    const unsigned char *q;
    if (n < 24) { /* short: a loop beats the calls */
        for (; n; n--, p++) {
            if (*p == '"')
                *o++ = '\\';
            *o++ = (char)*p;
        }
        return o;
    }
    while ((q = memchr(p, '"', n)) != NULL) {
        size_t k = (size_t)(q - p);
        memcpy(o, p, k);
        o += k;
        *o++ = '\\';
        *o++ = '"';
        p = q + 1;
        n -= k + 1;
    }
    memcpy(o, p, n);
    return o + n;
}

/* Copies n bytes to o with '"' escaped and the line breaks put in: a
 * break goes after the first byte, DOT_LINE - 1 or more bytes into the
 * piece since the start or the last break, that is neither an id byte
 * nor a backslash and is followed by an id byte. Sets *broke when there
 * is one. */
static char *copy_broken(char *o, const unsigned char *p, size_t n, int *broke)
{
    size_t seg = 0, j;
    for (;;) {
        for (j = seg + DOT_LINE - 1; j + 1 < n; j++)
            if (!(dot_cls[p[j]] & (DC_ID | DC_HOLD)) && (dot_cls[p[j + 1]] & DC_ID))
                break;
        if (j + 1 >= n)
            return copy_escaped(o, p + seg, n - seg);
        o = copy_escaped(o, p + seg, j + 1 - seg);
        *o++ = '\\';
        *o++ = '\n';
        *broke = 1;
        seg = j + 1;
    }
}

/* Room fmt_id needs for n bytes: every byte a quote, a break every
 * DOT_LINE bytes, the quotes. */
#define DOT_ROOM(n) (2 * (n) + 2 * ((n) / DOT_LINE + 1) + 2)

/* Formats str (n bytes) at o, which has DOT_ROOM(n) bytes; returns the end. */
static char *fmt_id(char *o, const char *str, size_t n)
{
    const unsigned char *p = (const unsigned char *)str;
    char *start = o;
    int quote;
    if (!n) {
        memcpy(o, "\"\"", 2);
        return o + 2;
    }
    quote = needs_quotes(p, n);
    if (!quote && n <= DOT_LINE) { /* too short for a break: bare unless a keyword */
        if (dot_keyword(str, n))
            quote = 1;
        else {
            memcpy(o, str, n);
            return o + n;
        }
    }
    *o++ = '"';
    o = copy_broken(o, p, n, &quote);
    *o++ = '"';
    if (!quote && !dot_keyword(str, n)) {
        memmove(start, start + 1, n); /* nothing was escaped: the bare string */
        o = start + n;
    }
    return o;
}

static void put_id(egw_sink *s, const char *str, size_t n)
{
    char *o = egw_room(s, DOT_ROOM(n));
    if (o)
        s->buf.len = (size_t)(fmt_id(o, str, n) - s->buf.p);
}

/* One attribute list as agwrite writes it after a node or an edge: only
 * the values that differ from the attribute's default (cgraph interns
 * strings, and agwrite leaves out a value that is the default's own
 * string; values equal to the default were never set), names in
 * alphabetical order (the order of cgraph's attribute dictionary), the
 * first after a tab and '[', the others each on a line of their own. */
typedef struct {
    const char *name, *def;
    size_t nlen, dlen;
} dot_attr;
#define DOT_ATTR(name, def) {name, def, sizeof name - 1, sizeof def - 1}

/* A value with its length; p NULL: not set (the default). f, when not
 * NULL, is the value as put_id writes it (fn bytes), made ahead for the
 * values that are the same for every node of a type. */
typedef struct {
    const char *p;
    size_t n;
    const char *f;
    size_t fn;
} dot_val;
#define DOT_UNSET ((dot_val){NULL, 0, NULL, 0})

static dot_val dot_v(const char *p, size_t n) { return (dot_val){p, n, NULL, 0}; }
/* A number as this writer formats it: digits with at most a leading '-'
 * and one '.', which put_id writes bare, so it is its own form; one with
 * an exponent ("1e-05", from "%.15g") goes through put_id. */
static dot_val dot_num(const char *p, size_t n) { return memchr(p, 'e', n) ? dot_v(p, n) : (dot_val){p, n, p, n}; }
/* The same for a number known to have no exponent (digits, one '.'). */
static dot_val dot_int(const char *p, size_t n) { return (dot_val){p, n, p, n}; }
static dot_val dot_buf_val(const eg_buf *b) { return dot_v(b->len ? b->p : "", b->len); }
static dot_val dot_str_val(const char *str) { return dot_v(str, strlen(str)); }

static int is_default(const dot_attr *a, dot_val v) { return v.n == a->dlen && !memcmp(v.p, a->def, v.n); }

/* The room put_attrs needs at most. */
static size_t attrs_room(const dot_attr *a, const dot_val *val, size_t k)
{
    size_t i, room = 3;
    for (i = 0; i < k; i++)
        if (val[i].p)
            room += 5 + a[i].nlen + (val[i].f ? val[i].fn : DOT_ROOM(val[i].n));
    return room;
}

/* Puts the list at o, which has attrs_room bytes; returns the end. */
static char *put_attrs(char *o, const dot_attr *a, const dot_val *val, size_t k)
{
    size_t i, cnt = 0;
    for (i = 0; i < k; i++) {
        if (!val[i].p || is_default(&a[i], val[i]))
            continue;
        if (cnt++)
            o = EGW_PUT_LIT(o, ",\n\t\t");
        else
            o = EGW_PUT_LIT(o, "\t[");
        o = egw_put(o, a[i].name, a[i].nlen); /* names are plain words */
        *o++ = '=';
        if (val[i].f)
            o = egw_put(o, val[i].f, val[i].fn);
        else
            o = fmt_id(o, val[i].p, val[i].n);
    }
    if (cnt)
        *o++ = ']';
    return o;
}

/* A declaration ("graph [...]", "node [...]", "edge [...]"): the attributes
 * whose default is not empty, in alphabetical order. */
static void put_decl(egw_sink *s, const char *kind, const dot_attr *a, size_t k)
{
    size_t i, cnt = 0;
    for (i = 0; i < k; i++) {
        if (!a[i].def[0])
            continue;
        if (cnt++) {
            egw_add(s, ",\n\t\t", 4);
        } else {
            egw_add(s, "\t", 1);
            egw_puts(s, kind);
            egw_add(s, " [", 2);
        }
        egw_add(s, a[i].name, a[i].nlen);
        egw_add(s, "=", 1);
        put_id(s, a[i].def, a[i].dlen);
    }
    if (cnt > 1)
        egw_add(s, "\n\t", 2);
    if (cnt)
        egw_add(s, "];\n", 3);
}

/* ---- the attributes ---- */

/* Node attributes in cgraph's (alphabetical) order, with their defaults;
 * fontname is only declared. */
enum { NA_ALIASES, NA_AMBIG, NA_COLOR, NA_DOCS, NA_FILL, NA_FONT, NA_LABEL, NA_MENTIONS, NA_SHAPE, NA_STYLE,
       NA_TOOLTIP, NA_TYPE, NA_N };
static const dot_attr node_attr[NA_N] = {
    DOT_ATTR("aliases", ""),  DOT_ATTR("ambiguous", ""),  DOT_ATTR("color", ""), DOT_ATTR("docs", ""),
    DOT_ATTR("fillcolor", ""), DOT_ATTR("fontname", "Helvetica,Arial,sans-serif"), DOT_ATTR("label", "\\N"),
    DOT_ATTR("mentions", ""), DOT_ATTR("shape", "ellipse"), DOT_ATTR("style", "filled"), DOT_ATTR("tooltip", ""),
    DOT_ATTR("type", "")};

enum { EA_COUNT, EA_DOCS, EA_PENWIDTH, EA_TOOLTIP, EA_W, EA_WEIGHT, EA_N };
static const dot_attr edge_attr[EA_N] = {DOT_ATTR("count", ""),   DOT_ATTR("docs", ""), DOT_ATTR("penwidth", "1"),
                                         DOT_ATTR("tooltip", ""), DOT_ATTR("w", ""),    DOT_ATTR("weight", "1")};

/* A constant value and its form as put_id writes it. */
typedef struct {
    dot_val v;
    char form[40];
} dot_fixed;

/* Makes x the value str with its form (when it fits). */
static void dot_fix(dot_fixed *x, const char *str)
{
    x->v = dot_str_val(str);
    if (DOT_ROOM(x->v.n) <= sizeof x->form) {
        x->v.fn = (size_t)(fmt_id(x->form, str, x->v.n) - x->form);
        x->v.f = x->form;
    }
}

/* The node values that depend on the type only, in dot_ctx.fixed. */
enum { FX_TYPE, FX_SHAPE, FX_FILL, FX_COLOR, FX_N };

/* Whole weights below this have their penwidth remembered. */
#define DOT_PEN_MEMO 256

/* What the writer keeps while it streams: scratch buffers, one per
 * attribute value so that a node's values can be held together, and every
 * node's name as it is written (the edges name each node again and again). */
typedef struct {
    const eg_gview *v;
    egw_env *env;
    egw_sink *s;
    eg_buf val[NA_N];        /* a node's values (edges use the first EA_N) */
    eg_buf more[NA_N];       /* another node's, when several share a name */
    eg_buf name, tmp;
    egw_names names;         /* the names as put_id writes them */
    char outline[EG_NTYPES + 1][8];
    dot_fixed fixed[EG_NTYPES + 1][FX_N]; /* by type (EG_NTYPES: any other) */
    dot_fixed yes, no, dashed;            /* ambiguous, and its style */
    double lo, hi;           /* the weight range, for penwidth */
    double pen[DOT_PEN_MEMO]; /* penwidth * 100 of a whole weight below DOT_PEN_MEMO */
    unsigned char pen_known[DOT_PEN_MEMO];
    const uint32_t *rep;     /* see dot_merge; NULL: every node its own */
    const uint32_t *next;
} dot_ctx;

/* The values of node n; val[] points at b's buffers and at constant
 * strings. */
static int node_vals(dot_ctx *c, const eg_node *n, eg_buf *b, dot_val *val)
{
    eg_buf *t = &b[NA_TOOLTIP];
    const dot_fixed *fx = c->fixed[(unsigned)n->type < EG_NTYPES ? n->type : EG_NTYPES];
    char num[24];
    size_t i;
    for (i = 0; i < NA_N; i++)
        eg_buf_reset(&b[i]);
    if (egw_dot_esc(&b[NA_LABEL], n->label) || egw_buf_add(&b[NA_MENTIONS], num, egw_fmt_u64(num, n->mentions)) ||
        egw_buf_add(&b[NA_DOCS], num, egw_fmt_u64(num, n->docs)) || dot_aliases(&b[NA_ALIASES], n))
        return EG_ENOMEM;
    /* "LABEL (TYPE): M mentions in D documents; as ALIASES", escaped (the
     * parts already escaped above are joined by plain ASCII) */
    if (egw_buf_add(t, b[NA_LABEL].p, b[NA_LABEL].len) || egw_buf_add(t, " (", 2) ||
        egw_dot_esc(t, eg_type_name(n->type)) || egw_buf_add(t, "): ", 3) ||
        egw_buf_add(t, b[NA_MENTIONS].p, b[NA_MENTIONS].len) || egw_buf_add(t, " mentions in ", 13) ||
        egw_buf_add(t, b[NA_DOCS].p, b[NA_DOCS].len) || egw_buf_add(t, " documents", 10) ||
        (n->naliases && (egw_buf_add(t, "; as ", 5) || egw_buf_add(t, b[NA_ALIASES].p, b[NA_ALIASES].len))))
        return EG_ENOMEM;
    val[NA_ALIASES] = dot_buf_val(&b[NA_ALIASES]);
    val[NA_AMBIG] = n->ambiguous ? c->yes.v : c->no.v;
    val[NA_COLOR] = fx[FX_COLOR].v;
    val[NA_DOCS] = dot_int(b[NA_DOCS].p, b[NA_DOCS].len);
    val[NA_FILL] = fx[FX_FILL].v;
    val[NA_FONT] = DOT_UNSET;
    val[NA_LABEL] = dot_buf_val(&b[NA_LABEL]);
    val[NA_MENTIONS] = dot_int(b[NA_MENTIONS].p, b[NA_MENTIONS].len);
    val[NA_SHAPE] = fx[FX_SHAPE].v;
    val[NA_STYLE] = n->ambiguous ? c->dashed.v : DOT_UNSET;
    val[NA_TOOLTIP] = dot_buf_val(t);
    val[NA_TYPE] = fx[FX_TYPE].v;
    return EG_OK;
}

/* The name node i is written under: its id as an escString. */
static int node_name(dot_ctx *c, size_t i, dot_val *name)
{
    const char *id = c->v->nodes[i].id;
    size_t n = strlen(id);
    if (egw_plain_run((const unsigned char *)id, n, 4) == n) {
        *name = dot_v(id, n); /* nothing to escape */
        return EG_OK;
    }
    eg_buf_reset(&c->name);
    if (egw_dot_esc_n(&c->name, id, n))
        return EG_ENOMEM;
    *name = dot_buf_val(&c->name);
    return EG_OK;
}

/* Appends node i's name as put_id writes it to b (egw_names_make). */
static int fmt_name(eg_buf *b, size_t i, const char *id, void *ud)
{
    dot_ctx *c = ud;
    dot_val name;
    (void)id;
    if (node_name(c, i, &name) || eg_buf_reserve(b, DOT_ROOM(name.n)))
        return EG_ENOMEM;
    b->len = (size_t)(fmt_id(b->p + b->len, name.p, name.n) - b->p);
    return EG_OK;
}

/* A node statement: "\tNAME\t[a=x,\n\t\tb=y];\n". When several view nodes
 * share the name, cgraph held them as one node (agnode finds a node by
 * name), the value set last winning; a value equal to the default was
 * never set, so it does not undo an earlier one. */
static int put_node(dot_ctx *c, size_t i)
{
    dot_val val[NA_N], more[NA_N];
    size_t j, k;
    char *o;
    if (node_vals(c, &c->v->nodes[i], c->val, val))
        return EG_ENOMEM;
    for (j = c->next ? c->next[i] : i; j != i; j = c->next[j]) {
        if (node_vals(c, &c->v->nodes[j], c->more, more))
            return EG_ENOMEM;
        for (k = 0; k < NA_N; k++)
            if (more[k].p && !is_default(&node_attr[k], more[k])) {
                eg_buf_reset(&c->val[k]);
                if (egw_buf_add(&c->val[k], more[k].p, more[k].n))
                    return EG_ENOMEM;
                val[k] = dot_buf_val(&c->val[k]);
            }
    }
    if ((o = egw_room(c->s, 3 + egw_name_len(&c->names, i) + attrs_room(node_attr, val, NA_N)))) {
        *o++ = '\t';
        o = egw_put_name_at(o, &c->names, i);
        o = put_attrs(o, node_attr, val, NA_N);
        o = EGW_PUT_LIT(o, ";\n");
        egw_done(c->s, o);
    }
    return EG_OK;
}

/* "%.15g" of m / 100 for a whole m, as egw_fmt_real_n prints it: the
 * quotient is the double nearest to a decimal of few digits, which 15
 * significant digits give back exactly, trailing zeros dropped. */
static size_t fmt_hundredths(char *buf, uint64_t m)
{
    size_t n = egw_fmt_u64(buf, m / 100);
    unsigned f = (unsigned)(m % 100);
    if (f) {
        buf[n++] = '.';
        buf[n++] = (char)('0' + f / 10);
        if (f % 10)
            buf[n++] = (char)('0' + f % 10);
    }
    buf[n] = 0;
    return n;
}

/* An edge statement: "\tTAIL -- HEAD\t[...];\n". */
static int put_edge(dot_ctx *c, const eg_edge *ed, size_t t, size_t h)
{
    const eg_gview *v = c->v;
    dot_val val[EA_N];
    char num[5][32];
    long weight = egw_dot_weight(v, ed);
    double pen;
    if (ed->weight >= 0 && ed->weight < DOT_PEN_MEMO && ed->weight == (double)(int)ed->weight) {
        int k = (int)ed->weight; /* small whole weights (counts) repeat: each computed once */
        if (!c->pen_known[k]) {
            c->pen[k] = round((1 + 7 * egw_weight_scaled(v, ed->weight, c->lo, c->hi)) * 100);
            c->pen_known[k] = 1;
        }
        pen = c->pen[k];
    } else {
        pen = round((1 + 7 * egw_weight_scaled(v, ed->weight, c->lo, c->hi)) * 100);
    }
    char *o;
    if (weight >= 0)
        val[EA_WEIGHT] = dot_int(num[0], egw_fmt_u64(num[0], (uint64_t)weight));
    else
        val[EA_WEIGHT] = dot_num(num[0], (size_t)snprintf(num[0], sizeof num[0], "%ld", weight));
    val[EA_COUNT] = dot_int(num[1], egw_fmt_u64(num[1], ed->count));
    val[EA_DOCS] = dot_int(num[2], egw_fmt_u64(num[2], ed->docs));
    val[EA_W] = dot_num(num[3], egw_fmt_real_n(num[3], ed->weight));
    if (pen >= 0 && pen <= 1e6) /* always: the scaled weight is in [0,1] */
        val[EA_PENWIDTH] = dot_int(num[4], fmt_hundredths(num[4], (uint64_t)pen));
    else
        val[EA_PENWIDTH] = dot_num(num[4], egw_fmt_real_n(num[4], pen / 100));
    val[EA_TOOLTIP] = DOT_UNSET;
    if (ed->nev) {
        int rc;
        eg_buf_reset(&c->val[0]);
        if ((rc = dot_evidence(c->env, &c->val[0], &c->tmp, &ed->ev[0])))
            return rc;
        val[EA_TOOLTIP] = dot_buf_val(&c->val[0]);
    }
    if ((o = egw_room(c->s, 7 + egw_name_len(&c->names, t) + egw_name_len(&c->names, h) +
                                attrs_room(edge_attr, val, EA_N)))) {
        *o++ = '\t';
        o = egw_put_name_at(o, &c->names, t);
        o = EGW_PUT_LIT(o, " -- ");
        o = egw_put_name_at(o, &c->names, h);
        o = put_attrs(o, edge_attr, val, EA_N);
        o = EGW_PUT_LIT(o, ";\n");
        egw_done(c->s, o);
    }
    return EG_OK;
}

/* ---- nodes that share a name ---- */

/* Two distinct ids can escape to the same name (invalid UTF-8 and a
 * control both become U+FFFD; the pipeline's ids never do, ids given
 * through the library may, and so may a view with an id twice). cgraph's
 * agnode then returned the node made first, so the graph had one node for
 * them all: rep[i] is the first node whose name node i has, next[] links
 * the nodes of one name in view order, round to the first. *rep stays
 * NULL when no two names are equal (dot_names_distinct finds that out
 * without sorting for the views eg_graph makes). */
typedef struct {
    const char *name;
    uint32_t i;
} dot_named;

static int cmp_named(const void *pa, const void *pb)
{
    const dot_named *a = pa, *b = pb;
    int d = strcmp(a->name, b->name);
    return d ? d : (a->i > b->i) - (a->i < b->i);
}

/* Whether no two nodes have the same name, found without sorting for a
 * view whose ids are in strictly increasing strcmp order, as eg_graph makes
 * them (so no two ids are equal): then only a name that escaping changed
 * can equal another, and each such name is looked up among the ids (a
 * node whose id is changed has another name, so it cannot be the match)
 * and among the other changed names. 0 when that does not settle it. */
static int dot_names_distinct(const eg_gview *v, int *distinct)
{
    eg_buf names = {0};
    dot_named *ch = NULL;
    size_t *off = NULL, n = 0, cap = 0, i;
    int rc = EG_ENOMEM;
    *distinct = 0;
    for (i = 1; i < v->nnodes; i++)
        if (strcmp(v->nodes[i - 1].id, v->nodes[i].id) >= 0)
            return EG_OK; /* not sorted: dot_merge sorts */
    for (i = 0; i < v->nnodes; i++) {
        const char *id = v->nodes[i].id;
        const unsigned char *p = (const unsigned char *)id;
        size_t start = names.len;
        while (egw_plain[*p] & 4)
            p++;
        if (!*p)
            continue;
        if (egw_dot_esc(&names, id) || egw_buf_add(&names, "", 1))
            goto out;
        if (!strcmp(names.p + start, id)) { /* valid UTF-8, nothing to escape */
            names.len = start;
            continue;
        }
        if (n == cap && eg_grow((void **)&off, &cap, n + 1, sizeof *off))
            goto out;
        off[n++] = start;
    }
    if (n && !(ch = eg_calloc(n, sizeof *ch)))
        goto out;
    for (i = 0; i < n; i++) {
        size_t lo = 0, hi = v->nnodes;
        ch[i].name = names.p + off[i];
        while (lo < hi) { /* the ids are sorted: binary search */
            size_t mid = lo + (hi - lo) / 2;
            int d = strcmp(v->nodes[mid].id, ch[i].name);
            if (!d) {
                const char *name;
                eg_buf tmp = {0};
                int same; /* the match keeps its id as its name: a collision */
                if (egw_dot_esc(&tmp, v->nodes[mid].id)) {
                    eg_buf_free(&tmp);
                    goto out;
                }
                name = eg_buf_cstr(&tmp);
                same = !strcmp(name, v->nodes[mid].id);
                eg_buf_free(&tmp);
                if (same) {
                    rc = EG_OK;
                    goto out;
                }
                break;
            }
            if (d < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (n > 1)
        qsort(ch, n, sizeof *ch, cmp_named);
    for (i = 1; i < n; i++)
        if (!strcmp(ch[i - 1].name, ch[i].name)) {
            rc = EG_OK;
            goto out;
        }
    *distinct = 1;
    rc = EG_OK;
out:
    eg_free(ch);
    eg_free(off);
    eg_buf_free(&names);
    return rc;
}

static int dot_merge(const eg_gview *v, uint32_t **rep_out, uint32_t **next_out)
{
    dot_named *all = NULL;
    size_t *off = NULL;
    eg_buf names = {0};
    uint32_t *rep = NULL, *next = NULL;
    size_t i, j, dups = 0;
    int rc, distinct;
    *rep_out = *next_out = NULL;
    if ((rc = dot_names_distinct(v, &distinct)) || distinct)
        return rc;
    rc = EG_ENOMEM;
    if (v->nnodes > UINT32_MAX || !(all = eg_calloc(v->nnodes, sizeof *all)) ||
        !(off = eg_calloc(v->nnodes, sizeof *off)))
        goto out;
    for (i = 0; i < v->nnodes; i++) { /* escaped names first: the buffer moves while it grows */
        off[i] = names.len;
        if (egw_dot_esc(&names, v->nodes[i].id) || egw_buf_add(&names, "", 1))
            goto out;
    }
    for (i = 0; i < v->nnodes; i++) {
        all[i].name = names.p + off[i];
        all[i].i = (uint32_t)i;
    }
    qsort(all, v->nnodes, sizeof *all, cmp_named);
    for (i = 1; i < v->nnodes; i++)
        dups += !strcmp(all[i - 1].name, all[i].name);
    if (!dups) {
        rc = EG_OK;
        goto out;
    }
    if (!(rep = eg_calloc(v->nnodes, sizeof *rep)) || !(next = eg_calloc(v->nnodes, sizeof *next)))
        goto out;
    for (i = 0; i < v->nnodes; i = j) {
        for (j = i + 1; j < v->nnodes && !strcmp(all[i].name, all[j].name); j++)
            ;
        for (size_t k = i; k < j; k++) {
            rep[all[k].i] = all[i].i;
            next[all[k].i] = all[k + 1 < j ? k + 1 : i].i;
        }
    }
    *rep_out = rep;
    *next_out = next;
    rep = next = NULL;
    rc = EG_OK;
out:
    eg_free(all);
    eg_free(off);
    eg_free(rep);
    eg_free(next);
    eg_buf_free(&names);
    return rc;
}

/* ---- the order of the statements ---- */

/* agwrite walks the nodes in creation order (view order) and, after each
 * node, its out-edges ordered by head, then by creation; a node is written
 * where it is first met, before the first edge that names it as the head
 * of an edge from an earlier node, else at its own place (every node is
 * written once: agwrite skips only a node with edges whose values are all
 * defaults, and "ambiguous" is always set). For a view whose
 * edges are sorted by (tail, head), as eg_graph makes them, that is the
 * view order itself; any other order is sorted here (a stable counting
 * sort, by head then by tail). *order stays NULL when the view's order
 * serves. */
static int dot_order(const eg_gview *v, const uint32_t *rep, size_t **order_out)
{
    size_t *order = NULL, *tmp = NULL, *cnt = NULL;
    size_t i, pass;
    *order_out = NULL;
    for (i = 1; i < v->nedges; i++) {
        const eg_edge *p = &v->edges[i - 1], *e = &v->edges[i];
        size_t pt = rep ? rep[p->a] : p->a, ph = rep ? rep[p->b] : p->b;
        size_t et = rep ? rep[e->a] : e->a, eh = rep ? rep[e->b] : e->b;
        if (et < pt || (et == pt && eh < ph))
            break;
    }
    if (i >= v->nedges)
        return EG_OK;
    if (!(order = eg_calloc(v->nedges, sizeof *order)) || !(tmp = eg_calloc(v->nedges, sizeof *tmp)) ||
        !(cnt = eg_calloc(v->nnodes + 1, sizeof *cnt))) {
        eg_free(order);
        eg_free(tmp);
        return EG_ENOMEM;
    }
    for (i = 0; i < v->nedges; i++)
        order[i] = i;
    for (pass = 0; pass < 2; pass++) { /* by head, then (stable) by tail */
        memset(cnt, 0, (v->nnodes + 1) * sizeof *cnt);
        for (i = 0; i < v->nedges; i++) {
            uint32_t x = pass ? v->edges[i].a : v->edges[i].b;
            cnt[(rep ? rep[x] : x) + 1]++;
        }
        for (i = 0; i < v->nnodes; i++)
            cnt[i + 1] += cnt[i];
        for (i = 0; i < v->nedges; i++) {
            const eg_edge *e = &v->edges[order[i]];
            uint32_t x = pass ? e->a : e->b;
            tmp[cnt[rep ? rep[x] : x]++] = order[i];
        }
        memcpy(order, tmp, v->nedges * sizeof *order);
    }
    eg_free(tmp);
    eg_free(cnt);
    *order_out = order;
    return EG_OK;
}

/* ---- the file ---- */

static int write_all(dot_ctx *c)
{
    const eg_gview *v = c->v;
    egw_sink *s = c->s;
    unsigned char *done = NULL;
    size_t *order = NULL;
    uint32_t *rep = NULL, *next = NULL;
    size_t i, k = 0;
    int rc;
    dot_attr gattr[5] = {DOT_ATTR("comment", ""), DOT_ATTR("fontname", "Helvetica,Arial,sans-serif"),
                         DOT_ATTR("outputorder", "edgesfirst"), DOT_ATTR("overlap", "false"),
                         DOT_ATTR("splines", "true")};

    if ((rc = dot_merge(v, &rep, &next)) || (rc = dot_order(v, rep, &order)))
        goto out;
    c->rep = rep;
    c->next = next;
    rc = EG_ENOMEM;
    if (v->nnodes && !(done = eg_calloc(v->nnodes / 8 + 1, 1)))
        goto out;
    eg_buf_reset(&c->tmp);
    if (eg_buf_addf(&c->tmp, "entgraph %s; window: ", EG_VERSION) ||
        egw_dot_esc(&c->tmp, v->window_name ? v->window_name : "") || eg_buf_adds(&c->tmp, "; weight: ") ||
        egw_dot_esc(&c->tmp, v->weight_name ? v->weight_name : "") ||
        eg_buf_addf(&c->tmp, "; documents: %llu", (unsigned long long)v->ndocs))
        goto out;
    gattr[0].def = eg_buf_cstr(&c->tmp);
    gattr[0].dlen = strlen(gattr[0].def);
    if (v->nedges > DOT_SPLINE_EDGES)
        gattr[4].def = "line"; /* as long as "true" */
    for (i = 0; i <= EG_NTYPES; i++) { /* the outline: the fill colour, darker */
        int rgb[3];
        egw_type_rgb((eg_type)i, rgb);
        snprintf(c->outline[i], sizeof c->outline[i], "#%02X%02X%02X", rgb[0] * 3 / 5, rgb[1] * 3 / 5,
                 rgb[2] * 3 / 5);
        dot_fix(&c->fixed[i][FX_TYPE], eg_type_name((eg_type)i));
        dot_fix(&c->fixed[i][FX_SHAPE], eg_type_shape((eg_type)i));
        dot_fix(&c->fixed[i][FX_FILL], eg_type_color((eg_type)i));
        dot_fix(&c->fixed[i][FX_COLOR], c->outline[i]);
    }
    dot_fix(&c->yes, "true");
    dot_fix(&c->no, "false");
    dot_fix(&c->dashed, "filled,dashed");
    egw_weight_range(v, &c->lo, &c->hi);
    if (egw_names_make(&c->names, v, fmt_name, c))
        goto out;

    egw_puts(s, "graph entgraph {\n");
    put_decl(s, "graph", gattr, 5);
    put_decl(s, "node", node_attr, NA_N);
    put_decl(s, "edge", edge_attr, EA_N);
    for (i = 0; i < v->nnodes; i++) {
        egw_prefetch_node(v, i);
        if (rep && rep[i] != i)
            continue; /* part of node rep[i] */
        if (!(done[i / 8] & (1u << (i % 8)))) {
            done[i / 8] |= (unsigned char)(1u << (i % 8));
            if ((rc = put_node(c, i)))
                goto out;
        }
        for (; k < v->nedges; k++) {
            const eg_edge *ed = &v->edges[order ? order[k] : k];
            if (!order) {
                egw_prefetch(c->env, v, k, 1);
                if (!rep)
                    egw_prefetch_heads(v, k);
            }
            size_t t = rep ? rep[ed->a] : ed->a, h = rep ? rep[ed->b] : ed->b;
            if (t != i)
                break;
            if (h > i && !(done[h / 8] & (1u << (h % 8)))) {
                done[h / 8] |= (unsigned char)(1u << (h % 8));
                if ((rc = put_node(c, h)))
                    goto out;
            }
            if ((rc = put_edge(c, ed, t, h)))
                goto out;
        }
    }
    egw_add(s, "}\n", 2);
    rc = EG_OK;
out:
    eg_free(done);
    eg_free(order);
    eg_free(rep);
    eg_free(next);
    return rc;
}

int egw_write_dot(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    dot_ctx c;
    egw_sink s;
    size_t i;
    int rc;

    if ((rc = egw_check_view(v, "graph.dot", e)))
        return rc;
    if ((rc = egw_open_env(&s, env, dir, "graph.dot", e)))
        return rc;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.env = env;
    c.s = &s;
    if (write_all(&c)) /* an unreadable snippet too, as the writers have always reported it */
        egw_fail(&s, EG_ENOMEM);
    for (i = 0; i < NA_N; i++) {
        eg_buf_free(&c.val[i]);
        eg_buf_free(&c.more[i]);
    }
    eg_buf_free(&c.name);
    egw_names_free(&c.names);
    eg_buf_free(&c.tmp);
    return egw_close(&s, e);
}

int eg_write_dot(const eg_gview *v, const char *dir, eg_err *e) { return egw_write_alone(egw_write_dot, v, dir, e); }

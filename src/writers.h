/*
 * writers.h — pieces shared by the graph writers (write_*.c), internal to
 * them: a buffered output sink over eg_out with sticky errors, text
 * cleaning and escaping for XML, locale-independent numbers, and the
 * strings that several formats share (alias list, evidence line, dot
 * weight). Implemented in writers.c, next to eg_write_all.
 *
 * Text rules, the same in every writer (see each writer for its escaping):
 *   - bytes that are not valid UTF-8 become U+FFFD (labels are valid UTF-8
 *     by contract; this only keeps a broken input from breaking a file);
 *   - JSON and CSV keep every other character exactly;
 *   - XML (GraphML, GEXF) cannot hold C0 controls other than TAB, LF, CR,
 *     nor U+FFFE / U+FFFF: they become U+FFFD. TAB, LF, CR, the C1
 *     controls (U+0080..U+009F, NEL among them) and U+2028 are written as
 *     character references, so that attribute-value normalisation and
 *     line-end handling (XML 1.1's, which some XML 1.0 parsers such as
 *     xmldom apply to NEL and U+2028) keep them;
 *   - characters outside the BMP stay plain UTF-8 (no surrogate pairs).
 *
 * Numbers: real weights are printed with 15 significant digits ("%.15g",
 * always '.' as the decimal point whatever the C locale), the same digits
 * in every format, so every reader parses the same double from every file.
 */
#ifndef EG_WRITERS_H
#define EG_WRITERS_H

#include "graph_view.h"
#include "util.h"

#include <string.h>

/* What eg_write_all gives each writer (writers.c): the spool files of the
 * evidence snippets, mapped once and read by every writer, and, when the
 * formats are written concurrently, the place where a finished output waits
 * for its turn to be renamed into place (outputs are committed in format
 * order after every writer has finished, so a failure leaves the same files
 * as a one-by-one run). A writer called on its own makes its own. */
typedef struct {
    int fd;             /* spool file descriptor (eg_evidence.spool_fd) */
    const char *base;   /* its bytes mapped read-only; NULL: read with pread */
    size_t size;
} egw_map;

typedef struct {
    egw_map *maps;      /* sorted by fd, one per distinct spool file */
    size_t nmaps;
    int defer;          /* keep finished outputs in done[] instead of renaming */
    int kick;           /* start the writeback every EGW_KICK_AT bytes (side by side) */
    eg_out done[2];     /* finished outputs waiting for eg_write_all (CSV has two) */
    int ndone;
} egw_env;

/* The spool files are mapped only when together they are at most this
 * big: a mapped file's pages count in the resident size once touched, and
 * evidence is read in no order that a window could follow (the kernel
 * maps 64 KiB around each fault). Larger spools are read with pread. */
#define EGW_MAP_MAX ((uint64_t)32 << 20)

/* Maps the spool files that v's evidence refers to, when they are small
 * enough (EGW_MAP_MAX); a file that is not mapped is read with pread.
 * Never fails. */
void egw_env_init(egw_env *env, const eg_gview *v);
/* Unmaps, and removes any output still waiting in done[]. */
void egw_env_free(egw_env *env);
/* The snippet of ev as eg_evidence_snippet gives it (up to its first NUL),
 * from the mapped spool when it is there; *len its length. tmp is used for
 * a pread; NULL when it cannot be read. env may be NULL. */
const char *egw_snippet(const egw_env *env, const eg_evidence *ev, size_t *len, eg_buf *tmp);

/* A hint, no more: asks for what writing edges[i + a few] will read (the
 * evidence records and the first nev snippets) to be brought into the
 * cache. Consecutive edges read snippets all over the spool, and each
 * miss would otherwise be waited for in turn. The ids come from an
 * egw_names table, made in node order. */
void egw_prefetch(const egw_env *env, const eg_gview *v, size_t i, size_t nev);
/* The same for nodes[i + a few]: its label and first aliases. */
void egw_prefetch_node(const eg_gview *v, size_t i);
/* The same for the head nodes of edges[k + a few], in stages (the node
 * record, then its label and alias list, then the alias texts): the DOT
 * writer writes most nodes where an earlier node's edge first names them,
 * in no order that egw_prefetch_node could follow. */
void egw_prefetch_heads(const eg_gview *v, size_t k);

/* Every node's id as one writer writes it (escaped, quoted), made once
 * before the edges, which name each node again and again: node i's bytes
 * are text.p[end[i-1] .. end[i]) (from 0 for the first). */
typedef struct {
    eg_buf text;
    size_t *end;
} egw_names;

/* Fills nm with fmt's form of every id of v: fmt appends node i's (id
 * given) to b. Returns EG_OK or EG_ENOMEM; nm is freed with
 * egw_names_free either way. */
int egw_names_make(egw_names *nm, const eg_gview *v, int (*fmt)(eg_buf *b, size_t i, const char *id, void *ud),
                   void *ud);
void egw_names_free(egw_names *nm);

/* An output file being written: bytes collect in `buf` and go to the
 * eg_out's temporary file in large blocks. The first failure (EG_ENOMEM or
 * EG_EIO, with errno) is kept in `status`; later writes do nothing, and
 * egw_close reports it once, naming the file. */
typedef struct {
    eg_out out;     /* temporary file, renamed into place on success */
    eg_buf buf;     /* pending bytes */
    int status;     /* EG_OK or the first failure */
    int err_no;     /* errno of the first EG_EIO failure */
    const char *what; /* detail of the first failure ("write", "layout: ...") */
    egw_env *env;   /* NULL: commit on close */
    uint64_t sent;  /* bytes handed to the file so far */
    uint64_t kicked; /* of those, the ones whose writeback was started (env->kick) */
} egw_sink;

int egw_open(egw_sink *s, const char *dir, const char *name, eg_err *e);
/* The same with the writer's env (may be NULL: committed by egw_close). */
int egw_open_env(egw_sink *s, egw_env *env, const char *dir, const char *name, eg_err *e);
/* Flushes, then commits (rename into place) when everything succeeded, or
 * removes the temporary file and fills `e`. Always releases `s`. With a
 * deferring env a finished output goes to env->done[] instead of being
 * renamed. */
int egw_close(egw_sink *s, eg_err *e);
/* Writes out the pending bytes and flushes the FILE, so that a write error
 * shows before anything is renamed. Returns the sink's status. */
int egw_flush(egw_sink *s);
/* Removes the temporary file and releases `s` (after a failure elsewhere
 * that is already in `e`). */
void egw_abort(egw_sink *s);
/* Marks the sink failed with `status` (first failure wins). */
void egw_fail(egw_sink *s, int status);

#define EGW_FLUSH_AT (1u << 18)

void egw_add_slow(egw_sink *s, const void *p, size_t n);
/* Appends n bytes (the common case inline: room in the buffer). */
static inline void egw_add(egw_sink *s, const void *p, size_t n)
{
    if (s->buf.cap - s->buf.len > n && s->buf.len + n < EGW_FLUSH_AT) {
        memcpy(s->buf.p + s->buf.len, p, n);
        s->buf.len += n;
    } else {
        egw_add_slow(s, p, n);
    }
}
char *egw_room_slow(egw_sink *s, size_t n);
/* Room for n more bytes at the end of the sink's buffer, for a writer that
 * formats in place: it writes at most n bytes there, then sets s->buf.len
 * to the end of what it wrote. NULL after a failure (nothing to write). */
static inline char *egw_room(egw_sink *s, size_t n)
{
    if (s->buf.cap - s->buf.len > n && s->buf.len + n < EGW_FLUSH_AT)
        return s->buf.p + s->buf.len;
    return egw_room_slow(s, n);
}
static inline void egw_puts(egw_sink *s, const char *str) { egw_add(s, str, strlen(str)); }
/* Puts n bytes at o (see egw_done); returns the end. */
static inline char *egw_put(char *o, const void *p, size_t n)
{
    memcpy(o, p, n);
    return o + n;
}
/* Writes node i's name from nm. */
static inline void egw_put_name(egw_sink *s, const egw_names *nm, size_t i)
{
    size_t start = i ? nm->end[i - 1] : 0;
    egw_add(s, nm->text.p + start, nm->end[i] - start);
}
/* The length of node i's name, and the name put at o (egw_put). */
static inline size_t egw_name_len(const egw_names *nm, size_t i) { return nm->end[i] - (i ? nm->end[i - 1] : 0); }
static inline char *egw_put_name_at(char *o, const egw_names *nm, size_t i)
{
    size_t start = i ? nm->end[i - 1] : 0;
    return egw_put(o, nm->text.p + start, nm->end[i] - start);
}
void egw_printf(egw_sink *s, const char *fmt, ...) EG_PRINTF(2, 3);
/* Decimal digits of x into buf (at least 21 bytes), then a NUL; returns
 * the length. One digit inline: most counts. */
size_t egw_fmt_u64_big(char *buf, uint64_t x);
static inline size_t egw_fmt_u64(char *buf, uint64_t x)
{
    if (x < 10) {
        buf[0] = (char)('0' + x);
        buf[1] = 0;
        return 1;
    }
    return egw_fmt_u64_big(buf, x);
}
/* Writes an unsigned number in decimal. */
static inline void egw_u64(egw_sink *s, uint64_t x)
{
    char *o = egw_room(s, 21);
    if (o)
        s->buf.len += egw_fmt_u64(o, x);
}
/* Writes str (n bytes) escaped for XML as egw_xml does at o, which has
 * EGW_XML_ROOM(n) bytes (a character grows at most six times, '"' to
 * "&quot;"); returns the end. */
#define EGW_XML_ROOM(n) (6 * (n))
char *egw_xml_esc(char *o, const char *str, size_t n);

/* Formatting in place: a writer takes room for a whole piece at once
 * (o = egw_room(s, bound)), puts it at o with these, each returning the
 * new end, and ends with egw_done, instead of checking the buffer for
 * every literal. */
#define EGW_PUT_LIT(o, lit) egw_put(o, lit, sizeof lit - 1)
/* Room: 21 bytes (the digits and a NUL that the next put overwrites). */
static inline char *egw_put_u64(char *o, uint64_t x) { return o + egw_fmt_u64(o, x); }
static inline void egw_done(egw_sink *s, char *o) { s->buf.len = (size_t)(o - s->buf.p); }

/* Writes str (n bytes) escaped for XML as egw_xml does. */
void egw_xml_n(egw_sink *s, const char *str, size_t n);
/* Formats v as egw_fmt_real does, faster for whole numbers. Returns the
 * length; buf of at least 32 bytes. */
size_t egw_fmt_real_n(char *buf, double v);
/* Writes str escaped for XML content and attribute values (both quotes
 * escaped), cleaned as described above. */
void egw_xml(egw_sink *s, const char *str);
/* Writes a real number as described above. */
void egw_real(egw_sink *s, double v);

/* eg_buf_add with the common case inline (room in the buffer): the
 * writers build values from many short pieces. */
static inline int egw_buf_add(eg_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
        b->p[b->len] = 0;
        return EG_OK;
    }
    return eg_buf_add(b, p, n);
}

/* Appends str to b with every invalid UTF-8 byte replaced by U+FFFD.
 * Returns EG_OK or EG_ENOMEM. */
int egw_utf8_clean(eg_buf *b, const char *str);
int egw_utf8_clean_n(eg_buf *b, const char *str, size_t n);

/* Byte classes for fast scans (writers.c): bit 1 plain in XML, bit 2 plain
 * in a JSON string, bit 4 plain in a Graphviz escString (ASCII only). */
extern const unsigned char egw_plain[256];
/* The length of the run of bytes at p (at most n) that class cls (1, 2
 * or 4, as in egw_plain) keeps as they are: the index of the first byte
 * an escaper must look at, or n. */
size_t egw_plain_run(const unsigned char *p, size_t n, unsigned cls);
/* Writes str (n bytes) at o as a JSON string, quotes included, with the
 * bytes Jansson's dump gives for the cleaned text (JSON_PRESERVE_ORDER, no
 * JSON_ENSURE_ASCII): '"' and '\\' escaped, \b \f \n \r \t, the other C0
 * controls as \u00XX (upper-case hex), every other character as it is
 * (DEL, U+2028 too), and each byte that is not valid UTF-8 as U+FFFD. o
 * has room for 6 * n + 2 bytes. Returns the end. */
char *egw_json_esc(char *o, const char *str, size_t n);
/* Returns str itself when it is valid UTF-8, else a cleaned copy in *tmp
 * (NULL on out-of-memory). */
const char *egw_utf8_valid(eg_buf *tmp, const char *str);
/* Appends str to b escaped for XML as egw_xml does. */
int egw_xml_buf(eg_buf *b, const char *str);

/* Appends str as a Graphviz escString (the form label and tooltip are
 * read in): backslash doubled, CR LF / CR / LF as the escape \n (a centred
 * line break), TAB as a space, other C0 controls, DEL, U+FFFE and U+FFFF
 * as U+FFFD (SVG output must stay XML), U+FEFF as U+FFFD (Graphviz's
 * scanner drops a lone one as a byte-order mark), invalid UTF-8 as U+FFFD, and an
 * '&' that starts something entity-like ("&amp;", "&#0;", "&D;") as
 * "&amp;", since Graphviz decodes HTML entities in labels. write_dot.c adds
 * the quotes and escapes '"' when it writes. */
int egw_dot_esc(eg_buf *b, const char *str);
/* The same for n bytes (no NUL needed). Escaping the parts of a text one
 * by one gives the same bytes as escaping the whole when they are joined
 * by ASCII that is not a letter, digit, '#', ';' or line end. */
int egw_dot_esc_n(eg_buf *b, const char *str, size_t n);

/* "%.15g" with '.' whatever the locale; buf of at least 32 bytes. */
const char *egw_fmt_real(char *buf, double v);

/* Appends the aliases of n as one string: "MEK (41); PMOI (3)". */
int egw_aliases_text(eg_buf *b, const eg_node *n);
/* Appends one evidence example as one line: "DOC [START-END] SNIPPET".
 * egw_evidence_text_env reads the snippet through env (may be NULL). */
int egw_evidence_text(eg_buf *b, const eg_evidence *ev);
int egw_evidence_text_env(const egw_env *env, eg_buf *b, const eg_evidence *ev);

/* The integer edge weight for Graphviz (dot needs an integer >= 0): the
 * count when the weighting is "count", else round(weight * 100) clamped to
 * 1..1000000 (normalised weights such as npmi or jaccard are below 1). */
long egw_dot_weight(const eg_gview *v, const eg_edge *ed);
/* Whether the view's weighting is the plain co-occurrence count. */
int egw_weight_is_count(const eg_gview *v);
/* Edge strength scaled to [0,1] over the view's weight range (log scale
 * for count and assoc weights, linear for bounded ones); lo/hi from
 * egw_weight_range. 0 when every weight is equal. */
void egw_weight_range(const eg_gview *v, double *lo, double *hi);
double egw_weight_scaled(const eg_gview *v, double w, double lo, double hi);

/* The type colour as red, green, blue in 0..255. */
void egw_type_rgb(eg_type t, int rgb[3]);

/* The writers as eg_write_all calls them (write_*.c): env gives the mapped
 * spool and, when deferring, keeps the finished outputs. */
typedef int (*egw_writer_fn)(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
int egw_write_dot(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
int egw_write_graphml(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
int egw_write_json(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
int egw_write_gexf(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
int egw_write_csv(const eg_gview *v, const char *dir, egw_env *env, eg_err *e);
/* Runs one writer on its own (the public eg_write_*): its own env, outputs
 * renamed as they are closed. */
int egw_write_alone(egw_writer_fn fn, const eg_gview *v, const char *dir, eg_err *e);

/* Checks what every writer relies on: non-NULL ids and labels, edge
 * indices inside the node array. EG_EDATA with a message naming `file`. */
int egw_check_view(const eg_gview *v, const char *file, eg_err *e);

#endif

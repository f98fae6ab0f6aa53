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
} egw_sink;

int egw_open(egw_sink *s, const char *dir, const char *name, eg_err *e);
/* Flushes, then commits (rename into place) when everything succeeded, or
 * removes the temporary file and fills `e`. Always releases `s`. */
int egw_close(egw_sink *s, eg_err *e);
/* Writes out the pending bytes and flushes the FILE, so that a write error
 * shows before anything is renamed. Returns the sink's status. */
int egw_flush(egw_sink *s);
/* Removes the temporary file and releases `s` (after a failure elsewhere
 * that is already in `e`). */
void egw_abort(egw_sink *s);
/* Marks the sink failed with `status` (first failure wins). */
void egw_fail(egw_sink *s, int status);

void egw_add(egw_sink *s, const void *p, size_t n);
void egw_puts(egw_sink *s, const char *str);
void egw_printf(egw_sink *s, const char *fmt, ...) EG_PRINTF(2, 3);
/* Writes str escaped for XML content and attribute values (both quotes
 * escaped), cleaned as described above. */
void egw_xml(egw_sink *s, const char *str);
/* Writes a real number as described above. */
void egw_real(egw_sink *s, double v);

/* Appends str to b with every invalid UTF-8 byte replaced by U+FFFD.
 * Returns EG_OK or EG_ENOMEM. */
int egw_utf8_clean(eg_buf *b, const char *str);
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
 * "&amp;", since Graphviz decodes HTML entities in labels. cgraph adds the
 * quotes and escapes '"' when it writes. */
int egw_dot_esc(eg_buf *b, const char *str);

/* "%.15g" with '.' whatever the locale; buf of at least 32 bytes. */
const char *egw_fmt_real(char *buf, double v);

/* Appends the aliases of n as one string: "MEK (41); PMOI (3)". */
int egw_aliases_text(eg_buf *b, const eg_node *n);
/* Appends one evidence example as one line: "DOC [START-END] SNIPPET". */
int egw_evidence_text(eg_buf *b, const eg_evidence *ev);

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

/* Checks what every writer relies on: non-NULL ids and labels, edge
 * indices inside the node array. EG_EDATA with a message naming `file`. */
int egw_check_view(const eg_gview *v, const char *file, eg_err *e);

#endif

/*
 * write_csv.c — nodes.csv and edges.csv: the view as two tables in the
 * shape Gephi's spreadsheet import expects (Id, Label; Source, Target,
 * Type, Weight), also read by pandas, R and spreadsheets. One of the
 * writers called by eg_write_all.
 *
 * RFC 4180: records end with CRLF; a field is quoted when it holds a
 * comma, a quote, CR or LF (or begins or ends with white space, which some
 * importers trim), and quotes inside are doubled. Every other character is
 * kept as it is, controls included (invalid UTF-8 becomes U+FFFD). Both
 * files go through eg_out and are renamed into place only once both are
 * complete, so a failure leaves neither half-written file nor temporary
 * behind (only a rename failing between the two renames could leave a new
 * nodes.csv beside an old edges.csv).
 */
#include "writers.h"

#include <string.h>

/* Writes one field, quoted when RFC 4180 (or a trimming importer) needs it. */
static void csv_field(egw_sink *s, eg_buf *tmp, const char *str)
{
    size_t n, i, run = 0;
    int quote;
    eg_buf_reset(tmp);
    if (egw_utf8_clean(tmp, str)) {
        egw_fail(s, EG_ENOMEM);
        return;
    }
    str = eg_buf_cstr(tmp);
    n = tmp->len;
    quote = strpbrk(str, ",\"\r\n") != NULL ||
            (n && (str[0] == ' ' || str[0] == '\t' || str[n - 1] == ' ' || str[n - 1] == '\t'));
    if (!quote) {
        egw_add(s, str, n);
        return;
    }
    egw_add(s, "\"", 1);
    for (i = 0; i < n; i++) {
        if (str[i] == '"') {
            egw_add(s, str + run, i + 1 - run); /* through the quote, then once more */
            run = i;
        }
    }
    egw_add(s, str + run, n - run);
    egw_add(s, "\"", 1);
}

static void write_nodes(const eg_gview *v, egw_sink *s, eg_buf *tmp, eg_buf *al)
{
    size_t i;
    egw_puts(s, "Id,Label,Type,Mentions,Documents,Aliases\r\n");
    for (i = 0; i < v->nnodes && !s->status; i++) {
        const eg_node *n = &v->nodes[i];
        csv_field(s, tmp, n->id);
        egw_puts(s, ",");
        csv_field(s, tmp, n->label);
        egw_printf(s, ",%s,%llu,%lu,", eg_type_name(n->type), (unsigned long long)n->mentions,
                   (unsigned long)n->docs);
        eg_buf_reset(al);
        if (egw_aliases_text(al, n))
            egw_fail(s, EG_ENOMEM);
        csv_field(s, tmp, eg_buf_cstr(al));
        egw_puts(s, "\r\n");
    }
}

static void write_edges(const eg_gview *v, egw_sink *s, eg_buf *tmp, eg_buf *ev)
{
    size_t i;
    egw_puts(s, "Source,Target,Type,Weight,Count,Documents,Evidence\r\n");
    for (i = 0; i < v->nedges && !s->status; i++) {
        const eg_edge *ed = &v->edges[i];
        csv_field(s, tmp, v->nodes[ed->a].id);
        egw_puts(s, ",");
        csv_field(s, tmp, v->nodes[ed->b].id);
        egw_puts(s, ",Undirected,");
        egw_real(s, ed->weight);
        egw_printf(s, ",%llu,%lu,", (unsigned long long)ed->count, (unsigned long)ed->docs);
        eg_buf_reset(ev);
        if (ed->nev && egw_evidence_text_env(s->env, ev, &ed->ev[0]))
            egw_fail(s, EG_ENOMEM);
        csv_field(s, tmp, eg_buf_cstr(ev));
        egw_puts(s, "\r\n");
    }
}

/* Both tables are written to their temporary files first and renamed only
 * when both are complete, so a failure replaces neither. */
int egw_write_csv(const eg_gview *v, const char *dir, egw_env *env, eg_err *e)
{
    egw_sink ns, es;
    eg_buf tmp = {0}, aux = {0};
    int rc;
    if ((rc = egw_check_view(v, "nodes.csv", e)))
        return rc;
    if ((rc = egw_open_env(&ns, env, dir, "nodes.csv", e)))
        return rc;
    if ((rc = egw_open_env(&es, env, dir, "edges.csv", e))) {
        egw_abort(&ns);
        return rc;
    }
    write_nodes(v, &ns, &tmp, &aux);
    if (!ns.status)
        write_edges(v, &es, &tmp, &aux);
    eg_buf_free(&tmp);
    eg_buf_free(&aux);
    if (egw_flush(&ns) || egw_flush(&es)) {
        if (ns.status) {
            rc = egw_close(&ns, e); /* reports the failure, removes the temporary */
            egw_abort(&es);
        } else {
            egw_abort(&ns);
            rc = egw_close(&es, e);
        }
        return rc;
    }
    if ((rc = egw_close(&ns, e))) {
        egw_abort(&es);
        return rc;
    }
    return egw_close(&es, e);
}

int eg_write_csv(const eg_gview *v, const char *dir, eg_err *e) { return egw_write_alone(egw_write_csv, v, dir, e); }

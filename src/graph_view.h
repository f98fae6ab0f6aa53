/*
 * graph_view.h — the finished graph as the writers see it: nodes sorted by
 * id, edges sorted by (a, b), weights computed, filters applied. graph.c
 * builds it in eg_graph_finish; write_*.c only read it. Everything here is
 * owned by the eg_graph that produced the view.
 */
#ifndef EG_GRAPH_VIEW_H
#define EG_GRAPH_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct {
    const char *text;    /* a surface form seen for the node (UTF-8) */
    uint64_t count;      /* how often */
} eg_alias_seen;

typedef struct {
    const char *id;      /* stable id, unique: "maryam-rajavi", "rajavi?" */
    const char *label;   /* display name (UTF-8; may hold any character) */
    eg_type type;
    uint64_t mentions;   /* mentions in the corpus */
    uint32_t docs;       /* documents it occurs in */
    uint32_t degree;     /* edges in the view */
    int ambiguous;       /* an explicit ambiguous node ("rajavi?") */
    const eg_alias_seen *aliases; /* sorted by count desc, then text */
    size_t naliases;
} eg_node;

typedef struct {
    const char *doc;     /* document name */
    uint64_t start, end; /* original byte offsets of the window */
    const char *snippet; /* the window's text, white space folded, at most
                            about 200 bytes, cut at a character boundary; NULL
                            when it is in a spool file: read it with
                            eg_evidence_snippet */
    int spool_fd;        /* where the snippet is when snippet is NULL */
    uint64_t snip_off;
    uint32_t snip_len;
} eg_evidence;

typedef struct {
    uint32_t a, b;       /* node indices, a < b */
    uint64_t count;      /* windows in which both occur */
    uint32_t docs;       /* documents in which they co-occur */
    double weight;       /* by eg_options.weight; == count for EG_WEIGHT_COUNT */
    const eg_evidence *ev; /* up to eg_options.evidence examples, in corpus order */
    size_t nev;
} eg_edge;

typedef struct {
    const eg_node *nodes;
    size_t nnodes;
    const eg_edge *edges;
    size_t nedges;
    const eg_options *opt;
    const char *weight_name;  /* "count", "assoc", "npmi", "jaccard", "dice" */
    const char *window_name;  /* "sentence", "paragraph", "document", "tokens:N" */
    uint64_t ndocs;           /* documents read */
} eg_gview;

/* The snippet of an evidence record: ev->snippet, or the bytes read from
 * its spool file into b. NULL when the spool cannot be read. */
const char *eg_evidence_snippet(const eg_evidence *ev, eg_buf *b);

/* writers.c: writes every format in `formats` (EG_FMT_* bits) into dir.
 * Each writer writes through eg_out (temporary file, then rename).
 * eg_write_all_threads writes the formats concurrently on up to `threads`
 * threads (the pictures, drawn with cgraph and gvc, after the others); the
 * files are the same bytes, and they are renamed into place in format
 * order once every writer has finished, up to the first failure, so the
 * directory ends as after a one-by-one run. */
int eg_write_all(const eg_gview *v, const char *dir, unsigned formats, eg_err *e);
int eg_write_all_threads(const eg_gview *v, const char *dir, unsigned formats, int threads, eg_err *e);

int eg_write_dot(const eg_gview *v, const char *dir, eg_err *e);     /* graph.dot (streamed) */
int eg_write_graphml(const eg_gview *v, const char *dir, eg_err *e); /* graph.graphml */
int eg_write_json(const eg_gview *v, const char *dir, eg_err *e);    /* graph.json (Jansson) */
int eg_write_gexf(const eg_gview *v, const char *dir, eg_err *e);    /* graph.gexf */
int eg_write_csv(const eg_gview *v, const char *dir, eg_err *e);     /* nodes.csv, edges.csv */
int eg_write_picture(const eg_gview *v, const char *dir, const char *fmt, eg_err *e); /* graph.svg / graph.png (gvc) */

/* Colours and shapes by type, shared by the writers. */
const char *eg_type_color(eg_type t);  /* "#RRGGBB" */
const char *eg_type_shape(eg_type t);  /* Graphviz shape */

#endif

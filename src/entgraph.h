/*
 * entgraph.h — the public interface of the entgraph library.
 *
 * entgraph reads English text, finds people, organisations, places and events
 * with gazetteers and PCRE2 rules, resolves mentions to entities, links
 * entities that occur in the same window and writes the weighted graph.
 *
 * Flow: eg_ctx_new → eg_ctx_load_* (dictionaries, rules; then read-only and
 * shared by threads) → eg_graph_new → eg_graph_add_doc per document (one
 * graph per thread; eg_graph_merge joins them) → eg_graph_finish → eg_write.
 *
 * Ownership, everywhere: a function that returns a pointer from `_new` gives
 * the caller ownership, released with the matching `_free` (`_free(NULL)` is
 * a no-op). Every other pointer returned or passed to a callback is borrowed:
 * valid until the object it came from is changed or freed.
 *
 * Errors: functions that can fail return an eg_status (0 = EG_OK, negative =
 * failure). The one-line detail ("file:line: reason") is kept on the object
 * that failed and read with eg_ctx_error / eg_graph_error.
 */
#ifndef ENTGRAPH_H
#define ENTGRAPH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EG_VERSION "0.1.0"

typedef enum {
    EG_OK = 0,
    EG_ENOMEM = -1, /* out of memory */
    EG_EIO = -2,    /* a file could not be read or written */
    EG_EDATA = -3,  /* bad input data: gazetteer, rules, document */
    EG_EUSAGE = -4  /* bad option or argument */
} eg_status;

/* Entity types. EG_NTYPES is the count, not a type. */
typedef enum { EG_PERSON = 0, EG_ORG, EG_PLACE, EG_EVENT, EG_NTYPES } eg_type;

/* "PERSON", "ORG", "PLACE", "EVENT"; static strings. */
const char *eg_type_name(eg_type t);
/* Parses a type name (case-insensitive). Returns EG_OK or EG_EDATA. */
int eg_type_parse(const char *s, size_t len, eg_type *out);

/* Co-occurrence windows. */
typedef enum {
    EG_WIN_SENTENCE = 0,
    EG_WIN_PARAGRAPH,
    EG_WIN_DOCUMENT,
    EG_WIN_TOKENS /* sliding window of eg_options.window_tokens tokens */
} eg_window;

/* Edge weights. The raw count and the document count are kept regardless. */
typedef enum {
    EG_WEIGHT_COUNT = 0, /* co-occurrence count */
    EG_WEIGHT_ASSOC,     /* association strength c_ij * N / (s_i * s_j) */
    EG_WEIGHT_NPMI,      /* normalised pointwise mutual information, [-1, 1] */
    EG_WEIGHT_JACCARD,   /* c_ij / (s_i + s_j - c_ij) */
    EG_WEIGHT_DICE       /* 2 c_ij / (s_i + s_j) */
} eg_weight;

/* Output formats, as bit flags. */
enum {
    EG_FMT_DOT = 1u << 0,
    EG_FMT_GRAPHML = 1u << 1,
    EG_FMT_JSON = 1u << 2,
    EG_FMT_GEXF = 1u << 3,
    EG_FMT_CSV = 1u << 4,
    EG_FMT_SVG = 1u << 5,
    EG_FMT_PNG = 1u << 6
};

/* Options that shape extraction and the graph. eg_options_init fills the
 * defaults; the caller changes fields before eg_ctx_new. */
typedef struct {
    eg_window window;        /* default EG_WIN_SENTENCE */
    unsigned window_tokens;  /* size for EG_WIN_TOKENS (default 20) */
    eg_weight weight;        /* default EG_WEIGHT_COUNT */
    unsigned evidence;       /* examples kept per edge (default 3) */
    unsigned min_count;      /* drop edges seen fewer times (default 1) */
    double min_weight;       /* drop edges lighter than this (default: none) */
    int has_min_weight;      /* min_weight is in force */
    unsigned top;            /* keep the N most mentioned nodes (0 = all) */
    unsigned types;          /* bit (1u << eg_type) per type kept; 0 = all */
    double fuzzy;            /* name-variant threshold in [0,1] (default 0.82); 0 = off */
    int ambiguous_nodes;     /* 1: unresolved partial names get a "name?" node;
                                0: they are left out (default 1) */
    int links_key;           /* JSON: name the edge array "links" (default 0: "edges") */
    int explain;             /* keep an audit line for every merge and partial-name
                                decision (eg_graph_write_explain) */
} eg_options;

void eg_options_init(eg_options *o);

/* ---- context: dictionaries, rules, options (read-only once loaded) ---- */

typedef struct eg_ctx eg_ctx;

/* Warnings (skipped bytes, invalid UTF-8, a rule that hit its limit) are
 * passed to this callback as one line without a newline. It may be called
 * from several threads at once. */
typedef void (*eg_warn_fn)(void *ud, const char *line);

eg_ctx *eg_ctx_new(const eg_options *o);
void eg_ctx_free(eg_ctx *c);
void eg_ctx_set_warn(eg_ctx *c, eg_warn_fn fn, void *ud);
/* The last error's one-line detail; "" when none. */
const char *eg_ctx_error(const eg_ctx *c);
const eg_options *eg_ctx_options(const eg_ctx *c);

/* Loads every gazetteer (*.tsv), word list (*.txt) and rules file (*.rules)
 * in DIR. */
int eg_ctx_load_dir(eg_ctx *c, const char *dir);
/* How many threads eg_ctx_load_dir may use (default 1: the calling thread
 * only); what is loaded, and the error reported, is the same whatever the
 * number. */
void eg_ctx_set_threads(eg_ctx *c, unsigned n);
/* Loads one gazetteer file (format: gazetteers/README.md). */
int eg_ctx_load_gazetteer(eg_ctx *c, const char *path);
/* Loads one rules file (format: gazetteers/README.md). */
int eg_ctx_load_rules(eg_ctx *c, const char *path);
/* Ends loading: builds the matchers. Must be called once before documents. */
int eg_ctx_seal(eg_ctx *c);
/* The directory of the bundled gazetteers: $ENTGRAPH_DATA, or the path
 * compiled in. Static string or environment string. */
const char *eg_default_data_dir(void);

/* ---- documents and mentions ---- */

typedef struct {
    const char *doc;    /* document name as given */
    uint64_t start;     /* UTF-8 byte offset into the original bytes */
    uint64_t end;       /* exclusive */
    const char *text;   /* the original bytes of the mention (not NUL-ended) */
    size_t text_len;
    eg_type type;
    const char *entity; /* stable id */
    const char *label;  /* display name */
    const char *source; /* "gazetteer", "rule:NAME", "alias", "partial", ... */
} eg_mention;

typedef void (*eg_mention_fn)(void *ud, const eg_mention *m);

/* ---- the graph ---- */

typedef struct eg_graph eg_graph;

eg_graph *eg_graph_new(const eg_ctx *c);
void eg_graph_free(eg_graph *g);
const char *eg_graph_error(const eg_graph *g);

/* Processes one document: text layer, matching, resolution, co-occurrence.
 * `seq` is the document's position in corpus order: evidence is kept in that
 * order, so results do not depend on which thread saw which document. Every
 * mention is passed to `fn` (may be NULL) in document order, with the
 * document-level entity id (see eg_graph_final_id). Returns EG_OK, or
 * EG_EDATA for a document that cannot be read as text (binary); the reason
 * is in eg_graph_error. */
int eg_graph_add_doc(eg_graph *g, uint64_t seq, const char *name, const char *bytes, size_t len,
                     eg_mention_fn fn, void *ud);

/* Adds everything in `src` to `dst` (src is left unchanged). The result does
 * not depend on the order of documents or of merges. */
int eg_graph_merge(eg_graph *dst, const eg_graph *src);

/* Serialises a partial graph (before eg_graph_finish) to a byte buffer
 * (malloc'd; the caller frees it with free()), and adds a serialised graph
 * to g as eg_graph_merge would: graphs built on several machines merge to
 * the same result as one run. eg_graph_load checks all the bytes before it
 * changes g: bad bytes fail with "byte N: reason" (EG_EDATA). */
int eg_graph_save(const eg_graph *g, char **buf, size_t *len);
int eg_graph_load(eg_graph *g, const char *buf, size_t len);

/* Corpus-level resolution (cross-document partial names, spelling variants,
 * learned acronyms), weights, filters and sorting. Call once after the last
 * document and merge; the graph is then read-only. */
int eg_graph_finish(eg_graph *g);
/* How many threads eg_graph_merge (into this graph) and eg_graph_finish
 * may use (default 1); the result is the same whatever the number. */
void eg_graph_set_threads(eg_graph *g, unsigned n);

/* After eg_graph_finish: the final entity id (and label, may be NULL) for
 * the type and id that a mention carried; NULL when the entity was left out
 * (an ambiguous name with ambiguous_nodes off). Entities of different types
 * that share an id are told apart in the outputs by a type suffix
 * ("jordan-person"). Borrowed strings. */
const char *eg_graph_final_id(const eg_graph *g, eg_type type, const char *id, const char **label);

/* After eg_graph_finish: writes every merge and ambiguity decision with its
 * evidence, one line each, to `path` (temporary file, then rename). */
int eg_graph_write_explain(eg_graph *g, const char *path);

size_t eg_graph_node_count(const eg_graph *g);
size_t eg_graph_edge_count(const eg_graph *g);

/* Writes the formats in `formats` (EG_FMT_* bits) into DIR as graph.dot,
 * graph.graphml, graph.json, graph.gexf, nodes.csv + edges.csv, graph.svg,
 * graph.png. Each file is written to a temporary name and renamed. */
int eg_graph_write(eg_graph *g, const char *dir, unsigned formats);
/* The same, writing the formats concurrently on up to `threads` threads
 * (0: one per core); the same files and the same failure behaviour. */
int eg_graph_write_threads(eg_graph *g, const char *dir, unsigned formats, int threads);

/* Parses "dot,graphml,json" into EG_FMT_* bits. EG_EUSAGE on an unknown name. */
int eg_formats_parse(const char *list, unsigned *out);

#ifdef __cplusplus
}
#endif
#endif

/*
 * graph.h — the inside of eg_graph: the co-occurrence graph as it grows
 * (graph.c), the per-thread document pipeline state (document.c), and the
 * finished view the writers read (graph_view.h).
 *
 * Nodes are keyed by entity id, edges by their two node indices; both are
 * plain arrays behind hash maps, so merging graphs is a walk over the
 * source's arrays. Evidence is kept per edge as the K first windows in
 * document-name order (then offset), so every partition of the corpus over
 * threads, processes or machines gives the same result. A window that
 * gives evidence is one record (g->ev) shared by all its edges; an edge
 * seen once (most of them) holds its window's index itself, others a block
 * of K indices (g->evix). Sizes matter here: a 1 GB corpus has millions
 * of edges.
 */
#ifndef EG_GRAPH_H
#define EG_GRAPH_H

#include "ctx.h"
#include "graph_view.h"
#include "resolve.h"

typedef struct {
    uint64_t mentions;
    uint64_t windows;   /* windows it occurs in (for normalised weights) */
    uint32_t label;     /* offset in g->strs: gazetteer label ("" = from aliases) */
    uint32_t docs;
    uint32_t last_doc;  /* low 32 bits of seq + 1 of the last document
                           that counted (documents come in seq order per
                           graph, so only 2^32 documents apart could meet) */
    uint8_t type;       /* eg_type */
    uint8_t origin;     /* EG_ORIGIN_* */
    uint16_t words;     /* words in the fullest name seen */
} gnode;                /* 32 bytes: two to a cache line (documents touch
                           nodes in no order) */

/* One window that gave evidence: shared by every edge of that window. */
typedef struct {
    uint64_t start, end; /* original byte offsets of the window */
    uint64_t snip;      /* offset of the snippet in spool file `spool` */
    uint32_t doc;       /* index into g->docs */
    uint16_t spool;     /* index into g->spools */
    uint16_t snip_len;  /* snippet bytes */
} gevidence;

typedef struct {
    uint32_t a, b;      /* node indices, a < b */
    uint64_t count;
    uint32_t docs;
    uint32_t last_doc;  /* as in gnode */
    uint32_t ev;        /* evcap <= 1: the one window (index into g->ev);
                           else the first of a block of evcap window
                           indices in g->evix */
    uint8_t nev;
    uint8_t evcap;      /* 0, then 1 (most edges occur once), then K */
} gedge;

/* A slot of the edge table: the edge's index and its pair's hash bits,
 * so that a probe passes other edges without reading them (each read a
 * likely cache miss) and a rehash does not hash the pairs again. */
typedef struct {
    uint32_t e;         /* edge index + 1, 0 = empty */
    uint32_t h;         /* low 32 bits of the pair's hash */
} gedge_slot;

typedef struct {
    uint64_t seq;
    uint64_t start, end;
    uint32_t doc;       /* index into g->docs */
    uint32_t text;      /* offset in g->strs: the line to print */
} gexplain;

/* An entity to find or make a node for (eg_graph_nodes). */
typedef struct {
    const char *id, *label;
    uint32_t gaz_entry; /* its gazetteer entry, else EG_NONE */
    uint16_t words;
    uint8_t type;       /* eg_type */
    uint8_t origin;     /* EG_ORIGIN_* */
} gnode_req;

/* A mention to count (eg_graph_count_mentions). */
typedef struct {
    const char *text;   /* surface text (not NUL-terminated) */
    uint32_t len;
    uint32_t node;
} gsurface;

/* One key of a batch of lookups (graph.c: eg_graph_nodes,
 * eg_graph_count_mentions), in g->bkeys. */
typedef struct {
    uint64_t h;         /* eg_hash of the key */
    uint32_t off, len;  /* where it is in g->bkeys */
    uint32_t req;       /* the request it is for */
    uint32_t count;     /* requests with this key (0: folded into an
                           earlier one with the same key) */
} gbkey;

/* A window of the current document that has nodes (document.c). */
typedef struct {
    uint32_t off, n;    /* its distinct nodes: gwork.win_nodes[off, off + n) */
    uint32_t t0, t1;    /* its tokens */
} gwin;

/* Per-thread pipeline scratch, reused from document to document. */
typedef struct {
    eg_doc doc;
    eg_cands cands;
    eg_resolver res;
    eg_rules_scratch *rules;
    uint32_t *win_nodes;  /* distinct nodes of the document's windows */
    size_t win_cap;
    gwin *wins;           /* the document's windows with nodes */
    size_t wins_cap;
    uint32_t *node_of;    /* per resolver entity: graph node, EG_NONE = left out */
    size_t node_of_cap;
    gnode_req *req;       /* the entities given nodes (map_entities) */
    size_t req_cap;
    uint32_t *req_node;   /* their nodes */
    size_t req_node_cap;
    gsurface *surf;       /* the mentions counted (emit_mentions) */
    size_t surf_cap;
} gwork;

struct eg_graph {
    const eg_ctx *ctx;
    eg_err err;
    eg_strmap ids;        /* type digit + entity id → node index (items[i].key
                             is node i's key; key + 1 its id) */
    gnode *nodes;
    size_t nnodes, nodes_cap;
    eg_strmap aliases;    /* "<node:4 bytes><surface>" → index into acount */
    uint64_t *acount;
    size_t acount_cap;
    uint32_t *alias_last; /* node → its surface form counted last (index
                             into aliases.items + 1; 0: none): a guess that
                             eg_graph_count_mentions checks against the key
                             (a document names most entities as the one
                             before did) */
    size_t alias_last_cap;
    gedge_slot *edge_slots; /* open addressing over g->edges */
    size_t edge_nslots;
    gedge *edges;
    size_t nedges, edges_cap;
    gevidence *ev;        /* windows that gave evidence, in no order */
    size_t nev, ev_cap;
    uint32_t *evix;       /* evidence blocks of edges with more than one */
    size_t evix_used, evix_cap;
    /* Evidence snippets live in spool files, not in memory: spools[0] is
     * this graph's own (an unlinked temporary file, made on first need),
     * the others are dup'd from graphs merged in. Bytes not yet written
     * wait in spool_buf; they are flushed after each document. */
    int *spools;
    size_t nspools, spools_cap;
    uint64_t spool_len;   /* bytes in spools[0], written or waiting */
    eg_buf spool_buf;
    eg_strmap docs;       /* document names */
    uint8_t docs_unsorted; /* 0: document indices are in name order (each
                              new name sorts after the one before), so
                              eg_graph_ev_cmp compares indices, not names */
    uint32_t *doc_rank;   /* else, when not NULL: document → its place in
                             name order (eg_graph_rank_docs; dropped when
                             a document is added) */
    uint32_t newest_doc;  /* the document added last when its name sorts
                             after every other name, else EG_NONE: a window
                             of it comes after every evidence record of
                             other documents */
    eg_buf strs;          /* labels, snippets, explain lines */
    eg_strmap learned;    /* acronym slug → node of its long form (EG_NONE: conflicting) */
    gexplain *explain;
    size_t nexplain, explain_cap;
    uint64_t ndocs;
    uint64_t nwindows;
    gwork *work;          /* lazily made by eg_graph_add_doc */
    uint32_t *gaz_node;   /* gazetteer entry → its node + 1 (0: not yet):
                             an entity from a gazetteer entry has the
                             entry's type and id, so its node is found
                             without hashing the id */
    size_t gaz_node_cap;
    eg_buf bkeys;         /* scratch of a batch of lookups: its keys, */
    gbkey *bk;            /* where each is, */
    size_t bk_cap;
    uint32_t *btab;       /* and a table to find repeated keys */
    size_t btab_cap;
    unsigned threads;     /* eg_graph_set_threads: threads finish may use */

    /* after eg_graph_finish */
    int finished;
    uint32_t *final;      /* node → surviving node (union-find root) */
    uint32_t *vid;        /* node → offset in g->strs of its output id when
                             another type has the same id ("jordan-person");
                             0: the id */
    eg_node *vnodes;
    eg_edge *vedges;
    eg_evidence *vev;
    eg_alias_seen *valiases;
    uint32_t *vindex;     /* surviving node → view index, EG_NONE = filtered */
    eg_gview view;
    char weight_name[16], window_name[32];
};

/* graph.c: adds one mention's entity to the graph; returns its node. */
int eg_graph_node(eg_graph *g, const char *id, const char *label, eg_type type, uint8_t origin,
                  uint16_t words, uint32_t *out);
/* graph.c: the nodes of a document's entities (out[i] for req[i]), as
 * eg_graph_node for each in turn would give them (new nodes numbered in
 * request order), with the table lookups' cache misses overlapped; an
 * entity from gazetteer entry gaz_entry (origin EG_ORIGIN_GAZ) is found
 * by its entry once the graph has met it. */
int eg_graph_nodes(eg_graph *g, const gnode_req *req, size_t n, uint32_t *out);
/* graph.c: counts a document's mentions (node and surface text each),
 * document seq. */
int eg_graph_count_mentions(eg_graph *g, const gsurface *m, size_t n, uint64_t seq);
/* graph.c: one window in which the given distinct nodes occur together. */
int eg_graph_window(eg_graph *g, const uint32_t *nodes, size_t n, uint64_t seq, uint32_t doc,
                    uint64_t start, uint64_t end, const char *text, size_t len);
/* graph.c: a hint only, for windows eg_graph_window will soon be given:
 * step 0 fetches the edge table slots of their pairs, step 1 (a while
 * after step 0) reads them and fetches the edges they name. */
void eg_graph_prefetch_window(const eg_graph *g, const uint32_t *nodes, size_t n, int step);
/* graph.c: one co-occurrence of a and b (sliding token windows, which
 * count windows per mention instead). */
int eg_graph_pair(eg_graph *g, uint32_t a, uint32_t b, uint64_t seq, uint32_t doc, uint64_t start, uint64_t end,
                  const char *text, size_t len);
/* graph.c: for loading saved graphs (graph_io.c): a surface form's count,
 * an edge's counts, one evidence record (with its snippet text). */
int eg_graph_alias(eg_graph *g, uint32_t node, const char *surface, size_t len, uint64_t count);
int eg_graph_edge_add(eg_graph *g, uint32_t a, uint32_t b, uint64_t count, uint32_t docs);
int eg_graph_evidence(eg_graph *g, uint32_t a, uint32_t b, const gevidence *x, const char *snippet);
/* graph.c: an acronym seen defined for node n. */
int eg_graph_learn(eg_graph *g, const char *slug, uint32_t n);
/* graph.c: an audit line for --explain. */
int eg_graph_explain(eg_graph *g, uint64_t seq, uint32_t doc, uint64_t start, uint64_t end, const char *line);
/* graph.c: keeps a string in g->strs; *off is where. */
int eg_graph_str(eg_graph *g, const char *s, uint32_t *off);
/* graph.c: index of a document name in g->docs. */
int eg_graph_doc(eg_graph *g, const char *name, uint32_t *out);

/* graph.c: ranks the documents by name when they did not come in name
 * order, so that evidence order compares ranks, not names (after a merge,
 * before finish's sorts). Out of memory is no error: names are compared. */
void eg_graph_rank_docs(eg_graph *g);

/* graph.c: writes waiting snippet bytes to the spool file. */
int eg_graph_spool_flush(eg_graph *g);
/* graph.c: reads one evidence record's snippet into b (NUL-terminated). */
int eg_graph_snippet(const eg_graph *g, const gevidence *x, eg_buf *b);

/* graph.c: the order of evidence records (document name, then offsets). */
int eg_graph_ev_cmp(const eg_graph *g, const gevidence *x, const gevidence *y);
/* graph.c: the j-th evidence window of edge e. */
static inline const gevidence *eg_edge_ev(const eg_graph *g, const gedge *e, size_t j)
{
    return &g->ev[e->evcap <= 1 ? e->ev : g->evix[e->ev + j]];
}

/* document.c: frees the per-thread scratch. */
void eg_graph_work_free(gwork *w);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The reference graph: who refers to whom, by Ref, Fn::GetAtt, Fn::Sub
 * (${X} and ${X.Attr}, also inside the variable-map form), DependsOn and
 * Condition. Vertices are the logical IDs of Parameters, Conditions and
 * Resources; Outputs are sources only.
 *
 * Ownership: the graph belongs to the template and is rebuilt lazily after
 * edits; arrays returned here are borrowed and valid until the next edit.
 */
#ifndef CFH_GRAPH_H
#define CFH_GRAPH_H

#include "model.h"

enum cfh_vkind {
	CFH_V_PARAM,
	CFH_V_COND,
	CFH_V_RESOURCE,
	CFH_V_OUTPUT,
};

struct cfh_vertex {
	const char *id;
	enum cfh_vkind kind;
	struct cfh_node *node;	/* the section entry's value */
	size_t *out, nout;	/* vertices this one refers to */
	size_t *in, nin;	/* vertices that refer to this one */
	bool self;		/* refers to itself: a cycle of one, kept out
				 * of out/in so referrer queries never see it */
};

struct cfh_graph {
	struct cfh_vertex *v;
	size_t n;
	json_t *index;		/* id -> vertex number; "?id" for conditions */
	size_t *buf;		/* edge storage */
};

/**
 * cfh_graph_get() - the template's graph, built or rebuilt as needed
 *
 * While a pass runs, the graph is the one the pass started with: edges
 * and resources the pass adds are not in it.
 * Returns: the graph (owned by @t), or NULL when out of memory. Linear in
 * the template's size.
 */
struct cfh_graph *cfh_graph_get(struct cfh_template *t);
void cfh_graph_free(struct cfh_graph *g);

/* The vertex of the resource @id (never a parameter), or NULL. */
const struct cfh_vertex *cfh_graph_find_resource(const struct cfh_graph *g,
						 const char *id);

/* The vertex of a parameter or resource @id, or NULL. */
const struct cfh_vertex *cfh_graph_find(const struct cfh_graph *g,
					const char *id);

/* The vertex of condition @id, or NULL. */
const struct cfh_vertex *cfh_graph_find_cond(const struct cfh_graph *g,
					     const char *id);

/**
 * cfh_graph_of_type() - resources of one type, in template order
 * @out: receives a malloc'ed array of vertex pointers (caller frees)
 * Returns: the count, or (size_t)-1 when out of memory.
 */
size_t cfh_graph_of_type(const struct cfh_graph *g, const char *type,
			 const struct cfh_vertex ***out);

/* True if resource @from refers to @to, directly. */
bool cfh_graph_refers(const struct cfh_graph *g, const char *from,
		      const char *to);

/* True if @from reaches @to by following references (a path of any
 * length); adding an edge @to -> @from would then make a cycle. */
bool cfh_graph_reaches(const struct cfh_graph *g, const char *from,
		       const char *to);

/**
 * cfh_graph_cycle() - find a dependency cycle among resources
 * @path: receives a malloc'ed, NULL-terminated list of the IDs on the
 *        cycle, first repeated at the end (caller frees the array only),
 *        or NULL when there is none
 * Returns: 0, or -1 when out of memory.
 */
int cfh_graph_cycle(const struct cfh_graph *g, const char ***path);

/**
 * cfh_fresh_id() - a logical ID not used in any section
 * @base: the wanted name; digits are appended if it is taken
 * Returns: a string owned by the template, or NULL when out of memory.
 */
const char *cfh_fresh_id(struct cfh_template *t, const char *base);

#endif

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

/* A name as a vertex's node writes it (@len bytes at @s, in the node's
 * text), to be resolved through the graph's index. */
struct cfh_gname {
	const char *s;
	size_t len;
	bool cond;		/* a condition's name, else a parameter's or
				 * a resource's */
};

struct cfh_vertex {
	const char *id;
	enum cfh_vkind kind;
	struct cfh_node *node;	/* the section entry's value */
	size_t *out, nout;	/* vertices this one refers to */
	size_t *in, nin;	/* vertices that refer to this one */
	bool self;		/* refers to itself: a cycle of one, kept out
				 * of out/in so referrer queries never see it */
	/*
	 * Where the edges come from, as the node was read at generation
	 * @walked_gen: every name it refers by (@refs), and the names its
	 * Properties hold as cfh_refers_to() reads them (@pnames). A
	 * rebuild reads again only the vertices an edit has stamped since
	 * (struct cfh_node's stamp), and resolves the names of the others
	 * anew: linear in the edges, not in the template's size.
	 */
	struct cfh_gname *refs, *pnames;
	size_t nrefs, npnames;
	unsigned walked_gen;
	bool walked;		/* @refs and @pnames are read */
	/* The vertices @pnames resolve to, sorted: cfh_graph_names(). */
	size_t *named, nnamed;
	unsigned named_gen;	/* the template's generation they are of */
	bool named_own;		/* @named was allocated on its own */
};

struct cfh_idmap;

struct cfh_graph {
	struct cfh_template *t;
	struct cfh_vertex *v;
	size_t n;
	struct cfh_idmap *index;	/* parameters and resources, the
					 * first of a name wins */
	struct cfh_idmap *res;		/* resources only */
	struct cfh_idmap *conds;	/* conditions only */
	size_t *buf;		/* edge storage */
	size_t *named_buf;	/* storage of the names resolved at build */
	bool names_exact;	/* no parameter or resource ID holds '.' or
				 * '}', so names read as cfh_refers_to()
				 * would (see cfh_graph_names()) */
	struct cfh_rindex *types;	/* resources by type, made on the
					 * first cfh_resources_of_type() */
	bool types_failed;	/* could not be made: a resource is an alias */
	unsigned *mark;		/* per vertex, for searches without an
				 * allocation of their own */
	unsigned mark_gen;
	int cycle;		/* cfh_graph_has_cycle(): 0 not asked yet,
				 * 1 none, 2 a cycle */
};

/**
 * cfh_graph_get() - the template's graph, built or rebuilt as needed
 *
 * While a pass runs, the graph is the one the pass started with: edges
 * and resources the pass adds are not in it.
 * Returns: the graph (owned by @t), or NULL when out of memory. Linear in
 * the template's size the first time; a rebuild reads again only what
 * edits changed since, and is linear in the number of edges otherwise.
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

/**
 * cfh_graph_names() - do a resource's Properties name a vertex?
 * @w: a vertex of @g
 * @u: the number of a parameter or resource vertex
 *
 * The answer cfh_refers_to(Properties of @w, id of @u) gives, as the
 * template is now, in O(log n): from the names recorded when the graph
 * was built, read again once (in time linear in the resource's size)
 * when an edit has changed the resource since.
 * Returns: 1 or 0; -1 when the graph cannot tell (an ID with '.' or '}'
 * in it, a resource that holds an alias, out of memory), where the
 * caller asks cfh_refers_to() itself.
 */
int cfh_graph_names(struct cfh_graph *g, struct cfh_vertex *w, size_t u);

/**
 * cfh_names_each() - the IDs a subtree names, as cfh_refers_to() reads it
 * @fn: called with each name (@len bytes at @s, not NUL-terminated) in
 *      the order of the walk, repeats included; returns 0, or -1 to stop
 *
 * Where cfh_names_exact() holds, cfh_refers_to(@n, id) is true exactly
 * when one of these names is @id: a statement's Resource, say, is read
 * once instead of once per resource of the template.
 * Returns: 0, or -1 when @fn stopped the walk.
 */
int cfh_names_each(const struct cfh_node *n,
		   int (*fn)(void *arg, const char *s, size_t len), void *arg);

/* True when no parameter or resource ID holds '.' or '}', which
 * cfh_names_each() needs to read names as cfh_refers_to() does; false
 * too when there is no graph (out of memory). */
bool cfh_names_exact(struct cfh_template *t);

/**
 * cfh_resources_of_type() - the live resources of one type, in template
 * order
 * @keys: receives a borrowed array of the keys of their entries in
 *        Resources (cfh_resource_key_entry() gives an entry), valid until
 *        the next edit
 *
 * What cfh_for_each_resource() would find of @type, without a walk of
 * every resource: an index kept current by the edit API (resources
 * added, removed or replaced, a Type changed), even while a pass runs
 * on a graph pinned as it started. Made once per graph, in linear time.
 * Returns: the count, or (size_t)-1 when there is no index (out of
 * memory, or a resource written as an alias, which an edit elsewhere
 * could change): the caller walks Resources instead.
 */
size_t cfh_resources_of_type(struct cfh_template *t, const char *type,
			     struct cfh_node *const **keys);

/* The entry of Resources whose key is @key, or NULL. */
struct cfh_entry *cfh_resource_key_entry(const struct cfh_template *t,
					 const struct cfh_node *key);

/*
 * For the edit API: the entry of Resources whose key is @key is about to
 * change (forget), or has changed (note): added, removed, replaced, or
 * its Type edited. Each is O(log n) plus the move of one list's tail.
 * @key may be NULL (nothing to do).
 */
void cfh_resources_forget(struct cfh_template *t, struct cfh_node *key);
void cfh_resources_note(struct cfh_template *t, struct cfh_node *key);

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

/* 1 if the resources have a dependency cycle, 0 if not, -1 when out of
 * memory; found once per graph (the engine asks before and after every
 * pass). */
int cfh_graph_has_cycle(struct cfh_graph *g);

/**
 * cfh_fresh_id() - a logical ID not used in any section
 * @base: the wanted name; digits are appended if it is taken
 * Returns: a string owned by the template, or NULL when out of memory.
 */
const char *cfh_fresh_id(struct cfh_template *t, const char *base);

#endif

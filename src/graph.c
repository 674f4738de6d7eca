/* SPDX-License-Identifier: MIT */
/*
 * The reference graph. IDs are indexed in hash tables; each vertex's node
 * is walked once for the names it refers by, which are resolved through
 * the index into one array of edges, sorted and split into per-vertex
 * lists; everything is linear or n log n in the template's size. A second
 * walk records, per resource, what its Properties name, so that "who
 * names X in its Properties" is answered from the edges instead of a walk
 * of every referrer.
 *
 * A rebuild after edits reads again only the vertices whose node an edit
 * stamped since they were read (mark_dirty() in edit.c stamps a changed
 * collection and its ancestors): the others keep their names, resolved
 * anew, since what a name resolves to may have changed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

struct edge {
	size_t from, to;
};

struct edges {
	struct edge *e;
	size_t n, cap;
};

static const char *const sections[] = { "Parameters", "Conditions",
					"Resources", "Outputs" };

/* ---- the index: ID -> vertex number ---- */

/* Open addressing over the vertices' own IDs: no copies, no allocation
 * per entry. Each slot keeps the ID's hash beside the vertex number, so
 * that a probe reads no ID that cannot match. */
struct idslot {
	uint32_t v;		/* vertex number + 1; 0 is empty */
	uint32_t h;
};

struct cfh_idmap {
	struct idslot *slot;
	size_t mask;
};

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static struct cfh_idmap *idmap_new(size_t n)
{
	struct cfh_idmap *m = malloc(sizeof(*m));
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (!m || !(m->slot = calloc(cap, sizeof(*m->slot)))) {
		free(m);
		return NULL;
	}
	m->mask = cap - 1;
	return m;
}

static void idmap_free(struct cfh_idmap *m)
{
	if (m)
		free(m->slot);
	free(m);
}

/* The vertex named @len bytes at @s (no NUL among them), or -1. */
static long idmap_find(const struct cfh_idmap *m, const struct cfh_vertex *v,
		       const char *s, size_t len)
{
	uint32_t h = hash(s, len);
	size_t i = h & m->mask;

	for (; m->slot[i].v; i = (i + 1) & m->mask) {
		const char *id = v[m->slot[i].v - 1].id;

		if (m->slot[i].h == h && !memcmp(id, s, len) && !id[len])
			return (long)(m->slot[i].v - 1);
	}
	return -1;
}

/* Add vertex @k under its ID unless the ID is taken: the first wins. */
static void idmap_add(struct cfh_idmap *m, const struct cfh_vertex *v,
		      size_t k)
{
	size_t len = strlen(v[k].id);
	uint32_t h = hash(v[k].id, len);
	size_t i = h & m->mask;

	for (; m->slot[i].v; i = (i + 1) & m->mask)
		if (m->slot[i].h == h && !strcmp(v[m->slot[i].v - 1].id, v[k].id))
			return;
	m->slot[i].v = (uint32_t)(k + 1);
	m->slot[i].h = h;
}

static long lookup(const struct cfh_graph *g, const struct cfh_idmap *m,
		   const char *id)
{
	return id ? idmap_find(m, g->v, id, strlen(id)) : -1;
}

const struct cfh_vertex *cfh_graph_find(const struct cfh_graph *g,
					const char *id)
{
	long i = lookup(g, g->index, id);

	return i >= 0 ? &g->v[i] : NULL;
}

const struct cfh_vertex *cfh_graph_find_resource(const struct cfh_graph *g,
						 const char *id)
{
	long i = lookup(g, g->res, id);

	return i >= 0 ? &g->v[i] : NULL;
}

const struct cfh_vertex *cfh_graph_find_cond(const struct cfh_graph *g,
					     const char *id)
{
	long i = lookup(g, g->conds, id);

	return i >= 0 ? &g->v[i] : NULL;
}

static bool push_edge(struct edges *l, size_t from, size_t to)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct edge *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return false;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n].from = from;
	l->e[l->n].to = to;
	l->n++;
	return true;
}

/* ---- reading a vertex's names ---- */

struct gnames {
	struct cfh_gname *v;
	size_t n, cap;
	bool failed;
};

static void name_push(struct gnames *l, const char *s, size_t len, bool cond)
{
	if (l->failed)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct cfh_gname *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->failed = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].s = s;
	l->v[l->n].len = len;
	l->v[l->n].cond = cond;
	l->n++;
}

static void add_ref(struct gnames *l, const char *s, size_t len)
{
	name_push(l, s, len, false);
}

static void add_cond(struct gnames *l, const char *s)
{
	name_push(l, s, strlen(s), true);
}

/* Is @name a variable of the Sub's own map? */
static bool sub_var(const struct cfh_node *vars, const char *name, size_t len)
{
	const struct cfh_entry *e;

	if (!cfh_node_is_map(vars))
		return false;
	vars = cfh_node_deref(vars);
	cfh_for_each_entry(vars, e)
		if (strlen(e->key->text) == len &&
		    !strncmp(e->key->text, name, len))
			return true;
	return false;
}

/* Names longer than this are read as no ID (as they always were). */
#define MAX_NAME 511

/* ${X}, ${X.Attr}; ${!X} is a literal "${X}". */
static void add_sub(struct gnames *l, const char *s,
		    const struct cfh_node *vars)
{
	while ((s = strstr(s, "${"))) {
		const char *end = strchr(s + 2, '}');
		size_t len;

		if (!end)
			return;
		s += 2;
		if (*s != '!') {
			len = strcspn(s, ".}");
			if (len <= MAX_NAME && !sub_var(vars, s, len))
				add_ref(l, s, len);
		}
		s = end + 1;
	}
}

static void walk(struct gnames *l, const struct cfh_node *n, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const struct cfh_node *arg;
	const char *s;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH || l->failed)
		return;
	if (cfh_node_fn(n, &fv)) {
		arg = cfh_node_deref(fv.arg);
		switch (fv.fn) {
		case CFH_FN_REF:
			if ((s = cfh_node_str(arg)))
				add_ref(l, s, strlen(s));
			return;
		case CFH_FN_GETATT:
			if (arg->kind == CFH_SCALAR) {
				size_t len = strcspn(arg->text, ".");

				if (len <= MAX_NAME)
					add_ref(l, arg->text, len);
				return;
			}
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_ref(l, s, strlen(s));
			walk(l, cfh_seq_at(arg, 1), depth + 1);
			return;
		case CFH_FN_SUB:
			if (arg->kind == CFH_SCALAR) {
				add_sub(l, arg->text, NULL);
				return;
			}
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_sub(l, s, cfh_seq_at(arg, 1));
			walk(l, cfh_seq_at(arg, 1), depth + 1);
			return;
		case CFH_FN_CONDITION:
			if ((s = cfh_node_str(arg)))
				add_cond(l, s);
			return;
		case CFH_FN_IF:
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_cond(l, s);
			break;
		default:
			break;
		}
		if (fv.short_form && n->kind == CFH_SCALAR)
			return;
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	cfh_for_each_entry(n, e)
		walk(l, e->value, depth + 1);
}

/* A resource or an output: DependsOn and Condition, then the rest. */
static void walk_resource(struct gnames *l, const struct cfh_node *res)
{
	const struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	const struct cfh_entry *e;
	const char *s;

	if ((s = cfh_node_str(cond)))
		add_cond(l, s);
	if ((s = cfh_node_str(dep))) {
		add_ref(l, s, strlen(s));
	} else if (cfh_node_is_seq(dep)) {
		dep = cfh_node_deref(dep);
		cfh_for_each_entry(dep, e)
			if ((s = cfh_node_str(e->value)))
				add_ref(l, s, strlen(s));
	}
	if (!cfh_node_is_map(res))
		return;
	res = cfh_node_deref(res);
	cfh_for_each_entry(res, e)
		if (strcmp(e->key->text, "DependsOn") &&
		    strcmp(e->key->text, "Condition"))
			walk(l, e->value, 1);
}

/*
 * What cfh_refers_to() finds in a subtree, walked as cfh_refers_to()
 * walks: Ref X, GetAtt X.A and [X, A], ${X} and ${X.A} of Sub (and the
 * Sub's variable map). cfh_refers_to() matches an ID followed by '.' or
 * '}'; a name here ends at the first of them, which comes to the same
 * while no ID holds one (cfh_names_exact()).
 */
struct names {
	int (*fn)(void *arg, const char *s, size_t len);
	void *arg;
	bool failed;
};

static void name_add(struct names *x, const char *s, size_t len)
{
	if (!x->failed && x->fn(x->arg, s, len))
		x->failed = true;
}

static void names_walk(struct names *x, const struct cfh_node *n)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const char *s;

	n = cfh_node_deref(n);
	if (!n || x->failed)
		return;
	if (cfh_node_fn(n, &fv)) {
		const struct cfh_node *arg = cfh_node_deref(fv.arg);

		switch (fv.fn) {
		case CFH_FN_REF:
			if (arg->kind == CFH_SCALAR)
				name_add(x, arg->text, strlen(arg->text));
			return;
		case CFH_FN_GETATT:
			if (arg->kind == CFH_SCALAR) {
				if ((s = strchr(arg->text, '.')))
					name_add(x, arg->text,
						 (size_t)(s - arg->text));
				return;
			}
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				name_add(x, s, strlen(s));
			return;
		case CFH_FN_SUB:
			s = arg->kind == CFH_SCALAR
				    ? arg->text
				    : cfh_node_str(cfh_seq_at(arg, 0));
			while (s && (s = strstr(s, "${"))) {
				size_t len;

				s += 2;
				len = strcspn(s, ".}");
				if (s[len])
					name_add(x, s, len);
			}
			if (arg->kind != CFH_SCALAR)
				names_walk(x, cfh_seq_at(arg, 1));
			return;
		default:
			if (fv.short_form && n->kind == CFH_SCALAR)
				return;
			break;
		}
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	cfh_for_each_entry(n, e)
		names_walk(x, e->value);
}

int cfh_names_each(const struct cfh_node *n,
		   int (*fn)(void *arg, const char *s, size_t len), void *arg)
{
	struct names x = { fn, arg, false };

	names_walk(&x, n);
	return x.failed ? -1 : 0;
}

bool cfh_names_exact(struct cfh_template *t)
{
	struct cfh_graph *g = cfh_graph_get(t);

	return g && g->names_exact && !t->odd_ids;
}

static int pname(void *arg, const char *s, size_t len)
{
	struct gnames *l = arg;

	name_push(l, s, len, false);
	return l->failed ? -1 : 0;
}

/* Read the names of @v's node: what it refers by, and for a resource
 * what its Properties name. */
static int read_vertex(struct cfh_vertex *v, unsigned gen)
{
	struct gnames refs = { 0 }, pn = { 0 };

	if (v->kind == CFH_V_RESOURCE || v->kind == CFH_V_OUTPUT)
		walk_resource(&refs, v->node);
	else if (v->kind == CFH_V_COND)
		walk(&refs, v->node, 1);
	if (v->kind == CFH_V_RESOURCE &&
	    cfh_names_each(cfh_map_get(v->node, "Properties"), pname, &pn))
		pn.failed = true;
	if (refs.failed || pn.failed) {
		free(refs.v);
		free(pn.v);
		return -1;
	}
	v->refs = refs.v;
	v->nrefs = refs.n;
	v->pnames = pn.v;
	v->npnames = pn.n;
	v->walked_gen = gen;
	v->walked = true;
	return 0;
}

/* ---- resources by type ---- */

/* One type's live resources: the keys of their entries, in template
 * order (the order of the keys' slots) once sorted. */
struct rlist {
	struct cfh_node **keys;
	size_t n, cap;
	bool sorted;		/* false after an append, until a query */
};

struct cfh_rindex {
	struct cfh_node *resources;	/* the mapping indexed */
	json_t *types;		/* type -> list number */
	struct rlist *l;
	size_t n, cap;
};

static void rindex_free(struct cfh_rindex *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		free(x->l[i].keys);
	free(x->l);
	json_decref(x->types);
	free(x);
}

static struct cfh_node *resources_of(const struct cfh_template *t)
{
	struct cfh_node *r = (struct cfh_node *)cfh_node_deref(
		cfh_template_section(t, "Resources"));

	return r && r->kind == CFH_MAP ? r : NULL;
}

struct cfh_entry *cfh_resource_key_entry(const struct cfh_template *t,
					 const struct cfh_node *key)
{
	return cfh_node_key_entry(resources_of(t), key);
}

/* The type under which @e is listed, or NULL when it is not: removed,
 * not a mapping, or no string Type. */
static const char *listed_type(const struct cfh_entry *e)
{
	if (!e || (e->flags & CFH_EF_REMOVED) || !cfh_node_is_map(e->value))
		return NULL;
	return cfh_resource_type(e->value);
}

static struct rlist *rlist_of(struct cfh_rindex *x, const char *type,
			      bool make)
{
	json_t *v = json_object_get(x->types, type);

	if (v)
		return &x->l[json_integer_value(v)];
	if (!make)
		return NULL;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		struct rlist *l = realloc(x->l, cap * sizeof(*l));

		if (!l)
			return NULL;
		x->l = l;
		x->cap = cap;
	}
	if (json_object_set_new(x->types, type,
				json_integer((json_int_t)x->n)))
		return NULL;
	memset(&x->l[x->n], 0, sizeof(*x->l));
	x->l[x->n].sorted = true;
	return &x->l[x->n++];
}

static int rlist_append(struct rlist *l, struct cfh_node *key)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct cfh_node **k = realloc(l->keys, cap * sizeof(*k));

		if (!k)
			return -1;
		l->keys = k;
		l->cap = cap;
	}
	l->keys[l->n++] = key;
	return 0;
}

static int cmp_key_slot(const void *a, const void *b)
{
	const struct cfh_node *x = *(struct cfh_node *const *)a;
	const struct cfh_node *y = *(struct cfh_node *const *)b;

	return (x->slot > y->slot) - (x->slot < y->slot);
}

static struct cfh_rindex *rindex_build(struct cfh_template *t)
{
	struct cfh_rindex *x = calloc(1, sizeof(*x));
	struct cfh_node *r = resources_of(t);
	struct cfh_entry *e;
	const char *type;

	if (!x || !(x->types = json_object()))
		goto fail;
	x->resources = r;
	if (!r)
		return x;
	cfh_for_each_entry(r, e) {
		struct rlist *l;

		/* An alias's type changes with an edit of its anchor, which
		 * the edit API does not see as a change of this resource. */
		if (e->value->kind == CFH_ALIAS)
			goto fail;
		if (!(type = listed_type(e)))
			continue;
		if (!(l = rlist_of(x, type, true)) || rlist_append(l, e->key))
			goto fail;
	}
	return x;
fail:
	rindex_free(x);
	return NULL;
}

/* The graph's index, if it has one and it is of the template's
 * Resources (a section replaced whole drops it). */
static struct cfh_rindex *rindex_current(struct cfh_template *t)
{
	struct cfh_graph *g = t->graph;

	if (!g || !g->types)
		return NULL;
	if (g->types->resources != resources_of(t)) {
		rindex_free(g->types);
		g->types = NULL;
		return NULL;
	}
	return g->types;
}

size_t cfh_resources_of_type(struct cfh_template *t, const char *type,
			     struct cfh_node *const **keys)
{
	struct cfh_graph *g = cfh_graph_get(t);
	struct rlist *l;

	*keys = NULL;
	if (!g || g->types_failed)
		return (size_t)-1;
	if (!rindex_current(t) && !(g->types = rindex_build(t))) {
		g->types_failed = true;
		return (size_t)-1;
	}
	if (!g->types->resources)
		return 0;
	/* Slots order the lists, and callers compare them. */
	cfh_node_number(g->types->resources);
	l = rlist_of(g->types, type, false);
	if (!l)
		return 0;
	if (!l->sorted) {
		qsort(l->keys, l->n, sizeof(*l->keys), cmp_key_slot);
		l->sorted = true;
	}
	*keys = l->keys;
	return l->n;
}

void cfh_resources_forget(struct cfh_template *t, struct cfh_node *key)
{
	struct cfh_rindex *x = key ? rindex_current(t) : NULL;
	const char *type;
	struct rlist *l;
	size_t i;

	if (!x || !(type = listed_type(cfh_resource_key_entry(t, key))) ||
	    !(l = rlist_of(x, type, false)))
		return;
	/* A scan of one type's list: resources are rarely removed, or
	 * their type changed. */
	for (i = l->n; i-- > 0;)
		if (l->keys[i] == key) {
			memmove(&l->keys[i], &l->keys[i + 1],
				(l->n - i - 1) * sizeof(*l->keys));
			l->n--;
			break;
		}
}

void cfh_resources_note(struct cfh_template *t, struct cfh_node *key)
{
	struct cfh_rindex *x = key ? rindex_current(t) : NULL;
	struct cfh_entry *e = x ? cfh_resource_key_entry(t, key) : NULL;
	const char *type = listed_type(e);
	struct rlist *l;

	if (!x || !e)
		return;
	/* A resource added as an alias cannot be, but stay safe. */
	if (e->value->kind == CFH_ALIAS) {
		rindex_free(x);
		t->graph->types = NULL;
		t->graph->types_failed = true;
		return;
	}
	if (!type)
		return;
	/* In order at the next query; out of memory, the index goes, and
	 * the next query makes it again. */
	l = rlist_of(x, type, true);
	if (!l || rlist_append(l, key)) {
		rindex_free(x);
		t->graph->types = NULL;
		return;
	}
	l->sorted = l->n < 2;
}

/* ---- building ---- */

static void vertex_release(struct cfh_vertex *v)
{
	free(v->refs);
	free(v->pnames);
	if (v->named_own)
		free(v->named);
}

void cfh_graph_free(struct cfh_graph *g)
{
	size_t i;

	if (!g)
		return;
	rindex_free(g->types);
	for (i = 0; g->v && i < g->n; i++)
		vertex_release(&g->v[i]);
	idmap_free(g->index);
	idmap_free(g->res);
	idmap_free(g->conds);
	free(g->buf);
	free(g->named_buf);
	free(g->mark);
	free(g->v);
	free(g);
}

static int cmp_to(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	return (x->to > y->to) - (x->to < y->to);
}

/*
 * Sort @l by (from, to) and drop repeats. The edges come grouped by
 * their source, in order (each vertex's names are resolved in turn), so
 * only each vertex's few edges need sorting: a sort of them all was a
 * good part of every rebuild.
 */
static void sort_unique(struct edges *l)
{
	size_t i, j, k, m = 0;

	for (i = 0; i < l->n; i = j) {
		for (j = i + 1; j < l->n && l->e[j].from == l->e[i].from; j++)
			;
		if (j - i > 16) {
			qsort(&l->e[i], j - i, sizeof(*l->e), cmp_to);
		} else {
			/* A vertex has a handful: insertion. */
			for (k = i + 1; k < j; k++) {
				struct edge x = l->e[k];
				size_t p = k;

				for (; p > i && l->e[p - 1].to > x.to; p--)
					l->e[p] = l->e[p - 1];
				l->e[p] = x;
			}
		}
		for (k = i; k < j; k++)
			if (k == i || l->e[k].to != l->e[k - 1].to)
				l->e[m++] = l->e[k];
	}
	l->n = m;
}

/*
 * Take the names of @v from the vertex of the same section and ID in
 * @old when its node is the same and no edit has stamped it since it
 * was read. A node with an alias in it is always read again: an edit
 * under the anchor, elsewhere, does not stamp it.
 */
static bool reuse(struct cfh_vertex *v, struct cfh_graph *old)
{
	struct cfh_vertex *o;
	long i;

	if (!old || (v->node->flags & CFH_NF_ALIASED))
		return false;
	switch (v->kind) {
	case CFH_V_RESOURCE:
		i = lookup(old, old->res, v->id);
		break;
	case CFH_V_COND:
		i = lookup(old, old->conds, v->id);
		break;
	default:
		return false;	/* parameters have no names; outputs are
				 * few, and not indexed */
	}
	if (i < 0)
		return false;
	o = &old->v[i];
	if (o->kind != v->kind || o->node != v->node || !o->walked ||
	    v->node->stamp > o->walked_gen)
		return false;
	v->refs = o->refs;
	v->nrefs = o->nrefs;
	v->pnames = o->pnames;
	v->npnames = o->npnames;
	v->walked_gen = o->walked_gen;
	v->walked = true;
	o->refs = NULL;
	o->pnames = NULL;
	o->walked = false;
	return true;
}

/* Resolve @v's names (vertex number @k) into edges and Properties names. */
static bool resolve(struct cfh_graph *g, size_t k, struct edges *refs,
		    struct edges *names)
{
	struct cfh_vertex *v = &g->v[k];
	size_t i;
	long to;

	for (i = 0; i < v->nrefs; i++) {
		const struct cfh_gname *nm = &v->refs[i];

		to = idmap_find(nm->cond ? g->conds : g->index, g->v, nm->s,
				nm->len);
		if (to < 0)
			continue;
		if ((size_t)to == k)
			v->self = true;
		else if (!push_edge(refs, k, (size_t)to))
			return false;
	}
	for (i = 0; i < v->npnames; i++) {
		to = idmap_find(g->index, g->v, v->pnames[i].s,
				v->pnames[i].len);
		if (to >= 0 && !push_edge(names, k, (size_t)to))
			return false;
	}
	return true;
}

/* Lay the sorted names of @l out as the vertices' @named lists. */
static bool lay_named(struct cfh_graph *g, struct edges *l)
{
	size_t i;

	sort_unique(l);
	g->named_buf = malloc((l->n + 1) * sizeof(*g->named_buf));
	if (!g->named_buf)
		return false;
	for (i = 0; i < l->n; i++) {
		struct cfh_vertex *v = &g->v[l->e[i].from];

		if (!v->nnamed)
			v->named = &g->named_buf[i];
		v->nnamed++;
		g->named_buf[i] = l->e[i].to;
	}
	return true;
}

static struct cfh_graph *build(struct cfh_template *t, struct cfh_graph *old)
{
	struct edges refs = { 0 }, names = { 0 };
	struct cfh_graph *g = calloc(1, sizeof(*g));
	size_t cap = 0, i, k;
	const struct cfh_entry *e;

	if (!g)
		return NULL;
	g->t = t;
	g->names_exact = true;
	/* The edit API keeps the resources by type current: they outlive
	 * the graph they were made with. */
	if (old && old->types && old->types->resources == resources_of(t)) {
		g->types = old->types;
		old->types = NULL;
	}
	for (i = 0; i < 4; i++)
		cap += cfh_node_count(cfh_template_section(t, sections[i]));
	g->v = calloc(cap ? cap : 1, sizeof(*g->v));
	g->mark = calloc(cap ? cap : 1, sizeof(*g->mark));
	if (!g->v || !g->mark || !(g->index = idmap_new(cap)) ||
	    !(g->res = idmap_new(cap)) || !(g->conds = idmap_new(cap)))
		goto fail;
	for (i = 0; i < 4; i++) {
		struct cfh_node *sec = cfh_template_section(t, sections[i]);

		if (!cfh_node_is_map(sec))
			continue;
		sec = (struct cfh_node *)cfh_node_deref(sec);
		cfh_for_each_entry(sec, e) {
			struct cfh_vertex *v = &g->v[g->n];

			v->id = e->key->text;
			v->kind = (enum cfh_vkind)i;
			v->node = e->value;
			v->named_gen = t->generation;
			/* Outputs are not referable; the first of a
			 * parameter and a resource of one name wins. */
			if (i == CFH_V_COND) {
				idmap_add(g->conds, g->v, g->n);
			} else if (i != CFH_V_OUTPUT) {
				idmap_add(g->index, g->v, g->n);
				if (strpbrk(v->id, ".}"))
					g->names_exact = false;
			}
			/* Resources again in an index of their own, so that
			 * a parameter of the same name (invalid, but seen)
			 * cannot hide one from cfh_resource(). */
			if (i == CFH_V_RESOURCE)
				idmap_add(g->res, g->v, g->n);
			g->n++;
		}
	}
	for (i = 0; i < g->n; i++)
		if (g->v[i].kind != CFH_V_PARAM && !reuse(&g->v[i], old) &&
		    read_vertex(&g->v[i], t->generation))
			goto fail;
	for (i = 0; i < g->n; i++)
		if (!resolve(g, i, &refs, &names))
			goto fail;
	/* Deduplicate, then lay out out-lists and in-lists in one buffer:
	 * the in-lists by counting, in the order of their sources. */
	sort_unique(&refs);
	g->buf = malloc((2 * refs.n + 1) * sizeof(*g->buf));
	if (!g->buf)
		goto fail;
	for (i = 0, k = 0; i < refs.n; i++) {
		struct cfh_vertex *v = &g->v[refs.e[i].from];

		if (!v->nout)
			v->out = &g->buf[k];
		v->nout++;
		g->buf[k++] = refs.e[i].to;
	}
	for (i = 0; i < refs.n; i++)
		g->v[refs.e[i].to].nin++;
	for (i = 0; i < g->n; i++) {
		g->v[i].in = &g->buf[k];
		k += g->v[i].nin;
		g->v[i].nin = 0;
	}
	for (i = 0; i < refs.n; i++) {
		struct cfh_vertex *v = &g->v[refs.e[i].to];

		v->in[v->nin++] = refs.e[i].from;
	}
	/* What each resource's Properties name, sorted, for the binary
	 * search of cfh_graph_names(). */
	if (!lay_named(g, &names))
		goto fail;
	free(refs.e);
	free(names.e);
	return g;
fail:
	free(refs.e);
	free(names.e);
	cfh_graph_free(g);
	return NULL;
}

/* Read a resource's names again after an edit changed it. */
static int renew_names(struct cfh_graph *g, struct cfh_vertex *w)
{
	struct gnames pn = { 0 };
	struct edges l = { 0 };
	size_t i, *named;
	long to;
	int rc = -1;

	if (cfh_names_each(cfh_map_get(w->node, "Properties"), pname, &pn))
		goto out;
	for (i = 0; i < pn.n; i++) {
		to = idmap_find(g->index, g->v, pn.v[i].s, pn.v[i].len);
		if (to >= 0 && !push_edge(&l, 0, (size_t)to))
			goto out;
	}
	sort_unique(&l);
	named = malloc((l.n + 1) * sizeof(*named));
	if (!named)
		goto out;
	for (i = 0; i < l.n; i++)
		named[i] = l.e[i].to;
	if (w->named_own)
		free(w->named);
	w->named = named;
	w->nnamed = l.n;
	w->named_own = true;
	w->named_gen = g->t->generation;
	rc = 0;
out:
	free(pn.v);
	free(l.e);
	return rc;
}

int cfh_graph_names(struct cfh_graph *g, struct cfh_vertex *w, size_t u)
{
	size_t lo = 0, hi;

	/* An alias in the resource: an edit under its anchor, elsewhere,
	 * would not show in the resource's stamp. */
	if (!g->names_exact || w->kind != CFH_V_RESOURCE ||
	    (w->node->flags & CFH_NF_ALIASED))
		return -1;
	if (w->node->stamp > w->named_gen && renew_names(g, w))
		return -1;
	hi = w->nnamed;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->named[mid] == u)
			return 1;
		if (w->named[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

struct cfh_graph *cfh_graph_get(struct cfh_template *t)
{
	struct cfh_graph *g;

	/* A pinned graph stays as it is (see the engine's run_pass()). */
	if (t->graph && (t->graph_generation == t->generation ||
			 t->graph_pinned))
		return t->graph;
	g = build(t, t->graph);
	cfh_graph_free(t->graph);
	t->graph = g;
	t->graph_generation = t->generation;
	return t->graph;
}

size_t cfh_graph_of_type(const struct cfh_graph *g, const char *type,
			 const struct cfh_vertex ***out)
{
	const struct cfh_vertex **v;
	size_t i, n = 0;

	v = malloc((g->n ? g->n : 1) * sizeof(*v));
	if (!v)
		return (size_t)-1;
	for (i = 0; i < g->n; i++) {
		const char *ty = g->v[i].kind == CFH_V_RESOURCE
					 ? cfh_resource_type(g->v[i].node)
					 : NULL;

		if (ty && !strcmp(ty, type))
			v[n++] = &g->v[i];
	}
	*out = v;
	return n;
}

bool cfh_graph_refers(const struct cfh_graph *g, const char *from,
		      const char *to)
{
	const struct cfh_vertex *a = cfh_graph_find(g, from);
	long b = lookup(g, g->index, to);
	size_t i;

	if (!a || b < 0)
		return false;
	for (i = 0; i < a->nout; i++)
		if (a->out[i] == (size_t)b)
			return true;
	return false;
}

/* A search marks the vertices it has seen with a number of its own, so
 * that it allocates and clears nothing: linear in what it visits, not in
 * the graph's size. */
static unsigned mark_start(struct cfh_graph *g)
{
	size_t i;

	if (++g->mark_gen == 0) {
		for (i = 0; i < g->n; i++)
			g->mark[i] = 0;
		g->mark_gen = 1;
	}
	return g->mark_gen;
}

bool cfh_graph_reaches(const struct cfh_graph *cg, const char *from,
		       const char *to)
{
	struct cfh_graph *g = (struct cfh_graph *)cg;
	long a = lookup(g, g->index, from), b = lookup(g, g->index, to);
	size_t *queue = NULL, head = 0, tail = 0, cap = 0, i;
	bool found = false;
	unsigned m;

	if (a < 0 || b < 0)
		return false;
	if (a == b)
		return true;
	m = mark_start(g);
	g->mark[a] = m;
	for (i = (size_t)a;; i = queue[head++]) {
		const struct cfh_vertex *v = &g->v[i];
		size_t k;

		for (k = 0; k < v->nout && !found; k++) {
			size_t w = v->out[k];

			if (w == (size_t)b) {
				found = true;
				break;
			}
			if (g->mark[w] == m)
				continue;
			g->mark[w] = m;
			if (tail == cap) {
				size_t *q;

				cap = cap ? cap * 2 : 16;
				q = realloc(queue, cap * sizeof(*q));
				if (!q) {
					/* Out of memory: say yes, the
					 * answer that keeps callers off the
					 * edge that could make a cycle. */
					free(queue);
					return true;
				}
				queue = q;
			}
			queue[tail++] = w;
		}
		if (found || head == tail)
			break;
	}
	free(queue);
	return found;
}

/* Iterative depth-first search with three colours; the stack holds the
 * path, so a back edge gives the cycle directly. A tri-state inside; the
 * caller sees 0/-1 and whether *path was set. */
int cfh_graph_cycle(const struct cfh_graph *g, const char ***path)
{
	unsigned char *colour = calloc(g->n ? g->n : 1, 1);
	size_t *stack = malloc((g->n ? g->n : 1) * sizeof(*stack));
	size_t *next = calloc(g->n ? g->n : 1, sizeof(*next));
	size_t root, sp, i, k;
	int state = -1;	/* -1 out of memory, 0 no cycle yet, 1 found */

	*path = NULL;
	if (!colour || !stack || !next)
		goto out;
	state = 0;
	for (root = 0; root < g->n && !state; root++) {
		if (colour[root] || g->v[root].kind != CFH_V_RESOURCE)
			continue;
		if (g->v[root].self) {
			*path = malloc(3 * sizeof(**path));
			if (!*path) {
				state = -1;
				break;
			}
			(*path)[0] = (*path)[1] = g->v[root].id;
			(*path)[2] = NULL;
			state = 1;
			break;
		}
		sp = 0;
		stack[sp++] = root;
		colour[root] = 1;
		while (sp && !state) {
			size_t u = stack[sp - 1];

			if (next[u] == g->v[u].nout) {
				colour[u] = 2;
				sp--;
				continue;
			}
			i = g->v[u].out[next[u]++];
			if (g->v[i].kind != CFH_V_RESOURCE || colour[i] == 2)
				continue;
			if (colour[i] == 0) {
				colour[i] = 1;
				stack[sp++] = i;
				continue;
			}
			/* A back edge: the cycle is the stack from i. */
			for (k = 0; stack[k] != i; k++)
				;
			*path = malloc((sp - k + 2) * sizeof(**path));
			if (!*path) {
				state = -1;
				break;
			}
			for (i = k; i < sp; i++)
				(*path)[i - k] = g->v[stack[i]].id;
			(*path)[sp - k] = g->v[stack[k]].id;
			(*path)[sp - k + 1] = NULL;
			state = 1;
		}
	}
out:
	free(colour);
	free(stack);
	free(next);
	return state < 0 ? -1 : 0;
}

int cfh_graph_has_cycle(struct cfh_graph *g)
{
	const char **path;

	if (!g->cycle) {
		if (cfh_graph_cycle(g, &path))
			return -1;
		g->cycle = path ? 2 : 1;
		free(path);
	}
	return g->cycle == 2;
}

static bool id_used(const struct cfh_template *t, const char *id)
{
	static const char *const small[] = { "Parameters", "Conditions",
					     "Outputs", "Mappings" };
	size_t i;

	for (i = 0; i < sizeof(small) / sizeof(*small); i++)
		if (cfh_map_get(cfh_template_section(t, small[i]), id))
			return true;
	/* Resources may run to thousands: ask the graph's index, and the
	 * index of what passes added since it was built. */
	if (t->graph && (cfh_graph_find(t->graph, id) ||
			 (t->added && json_object_get(t->added, id))))
		return true;
	if (t->graph)
		return false;
	return cfh_map_get(cfh_template_section(t, "Resources"), id) != NULL;
}

const char *cfh_fresh_id(struct cfh_template *t, const char *base)
{
	char id[256];
	unsigned i;

	snprintf(id, sizeof(id), "%s", base);
	for (i = 2; id_used(t, id) && i < 100000; i++)
		snprintf(id, sizeof(id), "%.240s%u", base, i);
	return cfh_arena_strndup(&t->arena, id, strlen(id));
}

/* A model query (model.h), here because the graph holds its index. */
struct cfh_node *cfh_resource(const struct cfh_template *t, const char *id)
{
	const struct cfh_vertex *v;
	json_t *added;

	/* The graph's index is a hash: a linear search of Resources per
	 * lookup made passes quadratic. Resources added since the graph was
	 * built are not in it, but in t->added. */
	if (!t->graph)
		return cfh_map_get(cfh_template_section(t, "Resources"), id);
	v = cfh_graph_find_resource(t->graph, id);
	if (v)
		return v->node;
	added = t->added ? json_object_get(t->added, id) : NULL;
	return added ? (struct cfh_node *)(intptr_t)json_integer_value(added)
		     : NULL;
}

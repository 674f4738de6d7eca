/* SPDX-License-Identifier: MIT */
/*
 * The reference graph. Built in one walk of the template: IDs are indexed
 * in a jansson object (a hash table), edges are collected in one array,
 * then sorted and split into per-vertex lists; everything is linear or
 * n log n in the template's size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

struct edge {
	size_t from, to;
};

struct builder {
	struct cfh_graph *g;
	struct edge *e;
	size_t n, cap;
	bool failed;
};

static const char *const sections[] = { "Parameters", "Conditions",
					"Resources", "Outputs" };

static long lookup(const json_t *index, const char *key)
{
	json_t *v = json_object_get(index, key);

	return v ? (long)json_integer_value(v) : -1;
}

const struct cfh_vertex *cfh_graph_find(const struct cfh_graph *g,
					const char *id)
{
	long i = lookup(g->index, id);

	return i >= 0 ? &g->v[i] : NULL;
}

/* Resources and conditions are also indexed under a prefixed key: "!id"
 * and "?id". */
static const struct cfh_vertex *find_prefixed(const struct cfh_graph *g,
					      char prefix, const char *id)
{
	char key[512];
	long i;

	snprintf(key, sizeof(key), "%c%s", prefix, id);
	i = lookup(g->index, key);
	return i >= 0 ? &g->v[i] : NULL;
}

const struct cfh_vertex *cfh_graph_find_resource(const struct cfh_graph *g,
						 const char *id)
{
	return find_prefixed(g, '!', id);
}

const struct cfh_vertex *cfh_graph_find_cond(const struct cfh_graph *g,
					     const char *id)
{
	return find_prefixed(g, '?', id);
}

static void add_edge(struct builder *b, size_t from, long to)
{
	if (to < 0)
		return;
	if ((size_t)to == from) {
		b->g->v[from].self = true;
		return;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct edge *e = realloc(b->e, cap * sizeof(*e));

		if (!e) {
			b->failed = true;
			return;
		}
		b->e = e;
		b->cap = cap;
	}
	b->e[b->n].from = from;
	b->e[b->n].to = (size_t)to;
	b->n++;
}

static void add_ref(struct builder *b, size_t from, const char *id)
{
	add_edge(b, from, lookup(b->g->index, id));
}

static void add_cond(struct builder *b, size_t from, const char *id)
{
	char key[512];

	snprintf(key, sizeof(key), "?%s", id);
	add_edge(b, from, lookup(b->g->index, key));
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

/* ${X}, ${X.Attr}; ${!X} is a literal "${X}". */
static void add_sub(struct builder *b, size_t from, const char *s,
		    const struct cfh_node *vars)
{
	char name[512];

	while ((s = strstr(s, "${"))) {
		const char *end = strchr(s + 2, '}');
		size_t len;

		if (!end)
			return;
		s += 2;
		if (*s != '!') {
			len = strcspn(s, ".}");
			if (len < sizeof(name) && !sub_var(vars, s, len)) {
				memcpy(name, s, len);
				name[len] = '\0';
				add_ref(b, from, name);
			}
		}
		s = end + 1;
	}
}

static void walk(struct builder *b, size_t from, const struct cfh_node *n,
		 int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;
	const struct cfh_node *arg;
	const char *s;

	n = cfh_node_deref(n);
	if (!n || depth > CFH_MAX_DEPTH || b->failed)
		return;
	if (cfh_node_fn(n, &fv)) {
		arg = cfh_node_deref(fv.arg);
		switch (fv.fn) {
		case CFH_FN_REF:
			if ((s = cfh_node_str(arg)))
				add_ref(b, from, s);
			return;
		case CFH_FN_GETATT:
			if (arg->kind == CFH_SCALAR) {
				char name[512];
				size_t len = strcspn(arg->text, ".");

				if (len < sizeof(name)) {
					memcpy(name, arg->text, len);
					name[len] = '\0';
					add_ref(b, from, name);
				}
				return;
			}
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_ref(b, from, s);
			walk(b, from, cfh_seq_at(arg, 1), depth + 1);
			return;
		case CFH_FN_SUB:
			if (arg->kind == CFH_SCALAR) {
				add_sub(b, from, arg->text, NULL);
				return;
			}
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_sub(b, from, s, cfh_seq_at(arg, 1));
			walk(b, from, cfh_seq_at(arg, 1), depth + 1);
			return;
		case CFH_FN_CONDITION:
			if ((s = cfh_node_str(arg)))
				add_cond(b, from, s);
			return;
		case CFH_FN_IF:
			if ((s = cfh_node_str(cfh_seq_at(arg, 0))))
				add_cond(b, from, s);
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
		walk(b, from, e->value, depth + 1);
}

static void walk_resource(struct builder *b, size_t from,
			  const struct cfh_node *res)
{
	const struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const struct cfh_node *cond = cfh_map_get(res, "Condition");
	const struct cfh_entry *e;

	if (cfh_node_str(cond))
		add_cond(b, from, cfh_node_str(cond));
	if (cfh_node_str(dep)) {
		add_ref(b, from, cfh_node_str(dep));
	} else if (cfh_node_is_seq(dep)) {
		dep = cfh_node_deref(dep);
		cfh_for_each_entry(dep, e)
			if (cfh_node_str(e->value))
				add_ref(b, from, cfh_node_str(e->value));
	}
	if (!cfh_node_is_map(res))
		return;
	res = cfh_node_deref(res);
	cfh_for_each_entry(res, e)
		if (strcmp(e->key->text, "DependsOn") &&
		    strcmp(e->key->text, "Condition"))
			walk(b, from, e->value, 1);
}

static int cmp_from(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

static int cmp_to(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return (x->from > y->from) - (x->from < y->from);
}

void cfh_graph_free(struct cfh_graph *g)
{
	if (!g)
		return;
	json_decref(g->index);
	free(g->buf);
	free(g->v);
	free(g);
}

static struct cfh_graph *build(struct cfh_template *t)
{
	struct builder b = { 0 };
	struct cfh_graph *g = calloc(1, sizeof(*g));
	size_t cap = 0, i, k, m;
	const struct cfh_entry *e;

	b.g = g;
	if (!g || !(g->index = json_object()))
		goto fail;
	for (i = 0; i < 4; i++)
		cap += cfh_node_count(cfh_template_section(t, sections[i]));
	g->v = calloc(cap ? cap : 1, sizeof(*g->v));
	if (!g->v)
		goto fail;
	for (i = 0; i < 4; i++) {
		struct cfh_node *sec = cfh_template_section(t, sections[i]);

		if (!cfh_node_is_map(sec))
			continue;
		sec = (struct cfh_node *)cfh_node_deref(sec);
		cfh_for_each_entry(sec, e) {
			struct cfh_vertex *v = &g->v[g->n];
			char key[512];

			v->id = e->key->text;
			v->kind = (enum cfh_vkind)i;
			v->node = e->value;
			snprintf(key, sizeof(key), "%s%s",
				 i == CFH_V_COND ? "?" : "", v->id);
			/* Outputs are not referable; the first of a
			 * parameter and a resource of one name wins. */
			if (i != CFH_V_OUTPUT && !json_object_get(g->index, key) &&
			    json_object_set_new(g->index, key,
						json_integer((json_int_t)g->n)))
				goto fail;
			/* Resources again under a key of their own, so that
			 * a parameter of the same name (invalid, but seen)
			 * cannot hide one from cfh_resource(). */
			if (i == CFH_V_RESOURCE) {
				snprintf(key, sizeof(key), "!%s", v->id);
				if (!json_object_get(g->index, key) &&
				    json_object_set_new(g->index, key,
							json_integer((json_int_t)g->n)))
					goto fail;
			}
			g->n++;
		}
	}
	for (i = 0; i < g->n; i++) {
		if (g->v[i].kind == CFH_V_RESOURCE)
			walk_resource(&b, i, g->v[i].node);
		else if (g->v[i].kind == CFH_V_OUTPUT)
			walk_resource(&b, i, g->v[i].node);
		else if (g->v[i].kind == CFH_V_COND)
			walk(&b, i, g->v[i].node, 1);
	}
	if (b.failed)
		goto fail;
	/* Deduplicate, then lay out out-lists and in-lists in one buffer. */
	if (b.n)
		qsort(b.e, b.n, sizeof(*b.e), cmp_from);
	for (i = 0, m = 0; i < b.n; i++)
		if (!m || cmp_from(&b.e[i], &b.e[m - 1]))
			b.e[m++] = b.e[i];
	b.n = m;
	g->buf = malloc((2 * b.n + 1) * sizeof(*g->buf));
	if (!g->buf)
		goto fail;
	for (i = 0, k = 0; i < b.n; i++) {
		struct cfh_vertex *v = &g->v[b.e[i].from];

		if (!v->nout)
			v->out = &g->buf[k];
		v->nout++;
		g->buf[k++] = b.e[i].to;
	}
	if (b.n)
		qsort(b.e, b.n, sizeof(*b.e), cmp_to);
	for (i = 0; i < b.n; i++) {
		struct cfh_vertex *v = &g->v[b.e[i].to];

		if (!v->nin)
			v->in = &g->buf[k];
		v->nin++;
		g->buf[k++] = b.e[i].from;
	}
	free(b.e);
	return g;
fail:
	free(b.e);
	cfh_graph_free(g);
	return NULL;
}

struct cfh_graph *cfh_graph_get(struct cfh_template *t)
{
	/* A pinned graph stays as it is (see the engine's run_pass()). */
	if (t->graph && (t->graph_generation == t->generation ||
			 t->graph_pinned))
		return t->graph;
	cfh_graph_free(t->graph);
	t->graph = build(t);
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
	long b = lookup(g->index, to);
	size_t i;

	if (!a || b < 0)
		return false;
	for (i = 0; i < a->nout; i++)
		if (a->out[i] == (size_t)b)
			return true;
	return false;
}

bool cfh_graph_reaches(const struct cfh_graph *g, const char *from,
		       const char *to)
{
	long a = lookup(g->index, from), b = lookup(g->index, to);
	unsigned char *seen;
	size_t *queue, head = 0, tail = 0, i;
	bool found = false;

	if (a < 0 || b < 0)
		return false;
	if (a == b)
		return true;
	seen = calloc(g->n, 1);
	queue = malloc(g->n * sizeof(*queue));
	if (!seen || !queue) {
		/* Out of memory: say yes, the answer that keeps callers off
		 * the edge that could make a cycle. */
		free(seen);
		free(queue);
		return true;
	}
	queue[tail++] = (size_t)a;
	seen[a] = 1;
	while (head < tail && !found) {
		const struct cfh_vertex *v = &g->v[queue[head++]];

		for (i = 0; i < v->nout; i++) {
			size_t w = v->out[i];

			if (w == (size_t)b) {
				found = true;
				break;
			}
			if (!seen[w]) {
				seen[w] = 1;
				queue[tail++] = w;
			}
		}
	}
	free(seen);
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

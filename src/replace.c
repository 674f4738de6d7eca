/* SPDX-License-Identifier: MIT */
/* Replacement analysis over the reference graph; see replace.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "graph.h"
#include "passlib.h"
#include "replace.h"
#include "schema.h"

/* The value of createOnly property @path ("A" or "A/B") under @props; a
 * list on the way stands for everything below it. */
static const struct cfh_node *prop_at(const struct cfh_node *props,
				      const char *path)
{
	const struct cfh_node *n = props;
	char key[256];
	const char *p = path, *slash;
	size_t k;

	while (n && *p) {
		n = cfh_node_deref(n);
		if (!cfh_node_is_map(n))
			return n;	/* a list or an intrinsic: all of it */
		slash = strchr(p, '/');
		k = slash ? (size_t)(slash - p) : strlen(p);
		if (k >= sizeof(key))
			return NULL;
		memcpy(key, p, k);
		key[k] = '\0';
		n = cfh_map_get(n, key);
		p = slash ? slash + 1 : p + k;
	}
	return n;
}

/* The createOnly property of @res that names @id, or NULL. */
static const char *names_in_create_only(const struct cfh_node *res,
					const char *id)
{
	const struct cfh_rtype *rt = cfh_rtype_find(cfh_resource_type(res)
							    ? cfh_resource_type(res)
							    : "");
	const struct cfh_node *props = cfh_map_get(res, "Properties");
	const char *path;
	size_t i;

	for (i = 0; rt && (path = cfh_rtype_item(rt, CFH_RLIST_CREATE_ONLY, i));
	     i++)
		if (cfh_refers_to(prop_at(props, path), id))
			return path;
	return NULL;
}

static json_t *link(const char *id, const char *prop)
{
	return prop ? json_pack("{s:s, s:s}", "resource", id, "property", prop)
		    : json_pack("{s:s}", "resource", id);
}

json_t *cfh_replace_chains(struct cfh_template *t, const char *id)
{
	const struct cfh_graph *g = cfh_graph_get(t);
	json_t *out = json_array(), *seen = json_object(), *first;
	size_t i, k;

	if (!g || !out || !seen)
		goto fail;
	first = json_pack("[o]", link(id, NULL));
	if (!first || json_array_append_new(out, first) ||
	    json_object_set_new(seen, id, json_true()))
		goto fail;
	/* Breadth first: @out is its own queue, so each chain is a
	 * shortest one. */
	for (i = 0; i < json_array_size(out); i++) {
		json_t *chain = json_array_get(out, i);
		const char *x = json_string_value(json_object_get(
			json_array_get(chain, json_array_size(chain) - 1),
			"resource"));
		const struct cfh_vertex *v = cfh_graph_find_resource(g, x);

		for (k = 0; v && k < v->nin; k++) {
			const struct cfh_vertex *w = &g->v[v->in[k]];
			const char *prop;
			json_t *next;

			if (w->kind != CFH_V_RESOURCE ||
			    json_object_get(seen, w->id) ||
			    (w->node->flags & CFH_NF_NEW))
				continue;
			prop = names_in_create_only(w->node, x);
			if (!prop)
				continue;
			next = json_copy(chain);
			if (!next || json_array_append_new(next, link(w->id, prop)) ||
			    json_array_append_new(out, next) ||
			    json_object_set_new(seen, w->id, json_true()))
				goto fail;
		}
	}
	json_decref(seen);
	return out;
fail:
	json_decref(out);
	json_decref(seen);
	return NULL;
}

static const char *field(const json_t *chain, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(chain, i), key));
}

char *cfh_replace_describe(const json_t *chain)
{
	struct cfh_buf b;
	size_t n = json_array_size(chain), i;

	if (!n)
		return NULL;
	/* [X, Y, Z]: "Z (its P names Y, whose Q names X)". */
	cfh_buf_init(&b);
	cfh_buf_adds(&b, field(chain, n - 1, "resource"));
	for (i = n - 1; i > 0; i--)
		cfh_buf_addf(&b, "%s %s names %s", i == n - 1 ? " (its" : ", whose",
			     field(chain, i, "property"),
			     field(chain, i - 1, "resource"));
	cfh_buf_adds(&b, n > 1 ? ")" : " (a createOnly property changes)");
	return cfh_buf_steal(&b, NULL);
}

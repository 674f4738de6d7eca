/* SPDX-License-Identifier: MIT */
/* Template lifecycle, accessors and format conversion. */
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static int check_shape(struct cfh_template *t, struct cfh_diag *diag)
{
	const struct cfh_node *res;

	if (t->root->kind == CFH_SCALAR && t->root->stype == CFH_T_NULL &&
	    !t->root->tag) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = 1;
		diag->col = 1;
		snprintf(diag->msg, sizeof(diag->msg),
			 "empty template: the document has no content");
		return -1;
	}
	if (t->root->kind != CFH_MAP) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = t->root->line;
		diag->col = t->root->col;
		snprintf(diag->msg, sizeof(diag->msg),
			 "template root is a %s, not a mapping",
			 t->root->kind == CFH_SEQ ? "sequence" : "scalar");
		return -1;
	}
	res = cfh_map_get(t->root, "Resources");
	if (!res) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = 1;
		diag->col = 1;
		snprintf(diag->msg, sizeof(diag->msg),
			 "no 'Resources' section: not a CloudFormation template");
		return -1;
	}
	/* Resources are added in place: into an alias they would be added
	 * to its anchor, elsewhere in the file. */
	if (cfh_node_deref(res) != res) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = res->line;
		diag->col = res->col;
		snprintf(diag->msg, sizeof(diag->msg),
			 "'Resources' is a YAML alias: write the section out "
			 "in place, as CloudFormation templates do");
		return -1;
	}
	res = cfh_node_deref(res);
	if (res->kind == CFH_SCALAR && res->stype == CFH_T_NULL && !res->tag) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = res->line;
		diag->col = res->col;
		snprintf(diag->msg, sizeof(diag->msg),
			 "'Resources' is empty: a template needs at least one "
			 "resource");
		return -1;
	}
	if (res->kind != CFH_MAP) {
		diag->code = CFH_EXIT_INPUT;
		diag->line = res->line;
		diag->col = res->col;
		snprintf(diag->msg, sizeof(diag->msg),
			 "'Resources' is a %s, not a mapping",
			 res->kind == CFH_SEQ ? "sequence" : "scalar");
		return -1;
	}
	return 0;
}

static struct cfh_template *load(const char *src, size_t len,
				 const char *name, struct cfh_diag *diag,
				 bool template)
{
	struct cfh_template *t = calloc(1, sizeof(*t));

	memset(diag, 0, sizeof(*diag));
	if (!t)
		goto oom;
	cfh_arena_init(&t->arena);
	t->name = strdup(name ? name : "<input>");
	t->src = malloc(len + 1);
	if (!t->name || !t->src)
		goto oom;
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->len = len;
	if (cfh_load(t, diag) || (template && check_shape(t, diag)))
		goto fail;
	cfh_conv_detect(t);
	return t;
oom:
	diag->code = CFH_EXIT_INTERNAL;
	snprintf(diag->msg, sizeof(diag->msg), "out of memory");
fail:
	cfh_template_free(t);
	return NULL;
}

struct cfh_template *cfh_template_load(const char *src, size_t len,
				       const char *name,
				       struct cfh_diag *diag)
{
	return load(src, len, name, diag, true);
}

struct cfh_template *cfh_yaml_load(const char *src, size_t len,
				   const char *name, struct cfh_diag *diag)
{
	return load(src, len, name, diag, false);
}

void cfh_template_free(struct cfh_template *t)
{
	if (!t)
		return;
	cfh_graph_free(t->graph);
	json_decref(t->added);
	cfh_arena_release(&t->arena);
	free(t->src);
	free(t->name);
	free(t);
}

bool cfh_template_is_json(const struct cfh_template *t)
{
	return t->conv.json;
}

char *cfh_template_convert(struct cfh_template *t, enum cfh_format fmt,
			   size_t *lenp)
{
	struct cfh_template view;
	struct cfh_node *root;
	struct cfh_buf b;
	json_t *j = cfh_node_to_json(t->root);
	char *s;

	if (!j)
		return NULL;
	cfh_buf_init(&b);
	if (fmt == CFH_FORMAT_JSON) {
		s = cfh_json_dumps(j, JSON_INDENT(2));
		json_decref(j);
		if (!s)
			return NULL;
		cfh_buf_adds(&b, s);
		cfh_buf_addc(&b, '\n');
		free(s);
		return cfh_buf_steal(&b, lenp);
	}
	/* YAML: render the long-form tree as new nodes with a canonical set
	 * of conventions, which writes intrinsics as short tags. */
	memset(&view, 0, sizeof(view));
	cfh_arena_init(&view.arena);
	view.conv.nl = "\n";
	view.conv.indent = 2;
	view.conv.seq_indented = true;
	view.conv.quote = '\'';
	view.conv.short_tags = true;
	root = cfh_node_from_json(&view, j);
	json_decref(j);
	if (root)
		cfh_render_document(&b, &view, root);
	else
		b.failed = true;
	cfh_arena_release(&view.arena);
	s = cfh_buf_steal(&b, lenp);
	return s;
}

static const struct cfh_node *unknown_tag(const struct cfh_node *n, int depth)
{
	const struct cfh_node *bad;
	struct cfh_fn_view v;
	size_t i;

	/* Aliases were checked where their anchors are. */
	if (!n || n->kind == CFH_ALIAS || depth > CFH_MAX_DEPTH)
		return NULL;
	if (n->tag && cfh_node_fn(n, &v) && v.fn == CFH_FN_UNKNOWN)
		return n;
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return NULL;
	for (i = 0; i < n->n; i++)
		if ((bad = unknown_tag(n->ent[i].value, depth + 1)))
			return bad;
	return NULL;
}

int cfh_template_convertible(const struct cfh_template *t,
			     struct cfh_diag *diag)
{
	const struct cfh_node *n = unknown_tag(t->root, 0);

	memset(diag, 0, sizeof(*diag));
	if (!n)
		return 0;
	diag->code = CFH_EXIT_INPUT;
	diag->line = n->line;
	diag->col = n->col;
	snprintf(diag->msg, sizeof(diag->msg),
		 "'%.60s' is not a CloudFormation function: it has no long "
		 "form to convert to",
		 n->tag);
	return -1;
}

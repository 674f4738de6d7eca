/* SPDX-License-Identifier: MIT */
/*
 * Edits and their records. See edit.h for the contract.
 *
 * Removed original entries stay in their collection, flagged, so that the
 * reprinter knows which source bytes to drop; entries of new collections
 * have no source bytes and are simply taken out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "options.h"
#include "replace.h"
#include "engine.h"
#include "graph.h"
#include "schema.h"

/* Every edit bumps the generation and stamps the changed collection and
 * its ancestors with it: a cache of a subtree (the graph's names of a
 * resource's Properties) can tell whether it is still current. */
static void mark_dirty(struct cfh_template *t, struct cfh_node *n)
{
	t->generation++;
	for (; n; n = n->parent) {
		n->flags |= CFH_NF_DIRTY;
		n->stamp = t->generation;
	}
}

/* The nearest node with a source position, for the record's line. */
static void position_of(const struct cfh_node *n, int *line, int *col)
{
	for (; n; n = n->parent)
		if (!(n->flags & CFH_NF_NEW) && n->line > 0) {
			*line = n->line;
			*col = n->col;
			return;
		}
	*line = 0;
	*col = 0;
}

/* The path under Properties of @n inside resource @res, "A/B", or NULL
 * when @n is not under Properties. Caller frees. */
static char *prop_path(const struct cfh_template *t, const struct cfh_node *n,
		       const struct cfh_node **resp)
{
	const struct cfh_node *resources = cfh_template_section(t, "Resources");
	const struct cfh_node *chain[CFH_MAX_DEPTH + 2];
	const struct cfh_entry *e;
	struct cfh_buf b;
	size_t depth = 0, i;

	for (; n && n->parent && depth < CFH_MAX_DEPTH; n = n->parent) {
		chain[depth++] = n;
		if (n->parent == resources)
			break;
	}
	if (!n || n->parent != resources || depth < 2)
		return NULL;
	*resp = n;
	/* chain[depth-1] is the resource, chain[depth-2] Properties. */
	e = cfh_node_entry(chain[depth - 2]);
	if (!e || !e->key || strcmp(e->key->text, "Properties"))
		return NULL;
	cfh_buf_init(&b);
	for (i = depth - 2; i-- > 0;) {
		e = cfh_node_entry(chain[i]);
		if (!e || !e->key)
			break;	/* list items: the property as a whole */
		if (b.len)
			cfh_buf_addc(&b, '/');
		cfh_buf_adds(&b, e->key->text);
	}
	return cfh_buf_steal(&b, NULL);
}

/*
 * Changes that replace a deployed resource, or cannot be made to it at
 * all, although the resource schemas do not list the property as
 * createOnly: the CloudFormation reference says so in prose.
 *  - "AWS::EC2::Instance BlockDeviceMapping": once the instance runs,
 *    only DeleteOnTermination changes in place; any other change to a
 *    mapping replaces the instance, and its volumes with it. An edit
 *    inside the list is seen as a change of the whole property
 *    (prop_path() stops at list items), DeleteOnTermination included:
 *    the safe side.
 *  - "How Amazon EBS uses AWS KMS": the encryption of a volume is fixed
 *    when it is created; an existing one cannot be encrypted in place.
 */
static bool documented_replaces(const char *type, const char *path)
{
	static const struct {
		const char *type, *prop;
	} props[] = {
		{ "AWS::EC2::Instance", "BlockDeviceMappings" },
		{ "AWS::EC2::Volume", "Encrypted" },
		{ "AWS::EC2::Volume", "KmsKeyId" },
	};
	size_t i;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (!strcmp(type, props[i].type) && !strcmp(path, props[i].prop))
			return true;
	return false;
}

bool cfh_prop_replaces(const struct cfh_node *res, const char *prop)
{
	const struct cfh_rtype *rt = cfh_rtype_find(cfh_resource_type(res)
							    ? cfh_resource_type(res)
							    : "");
	char path[512];
	const char *slash;

	if (!rt || (res->flags & CFH_NF_NEW))
		return false;
	/* A change anywhere below a createOnly property replaces, as does a
	 * change of the property itself. */
	snprintf(path, sizeof(path), "%s", prop);
	for (;;) {
		if (cfh_rtype_is_create_only(rt, path) ||
		    documented_replaces(cfh_rtype_name(rt), path))
			return true;
		slash = strrchr(path, '/');
		if (!slash)
			return false;
		path[slash - path] = '\0';
	}
}

/* Would changing the value at @n, or adding @key under it, replace a
 * deployed resource? */
static bool edit_replaces(const struct cfh_template *t,
			  const struct cfh_node *n, const char *key)
{
	const struct cfh_node *res = NULL;
	char *path = prop_path(t, n, &res);
	struct cfh_buf b;
	bool r = false;

	if (!res) {
		free(path);
		return false;
	}
	cfh_buf_init(&b);
	if (path && *path)
		cfh_buf_adds(&b, path);
	if (key) {
		if (b.len)
			cfh_buf_addc(&b, '/');
		cfh_buf_adds(&b, key);
	}
	free(path);
	path = cfh_buf_steal(&b, NULL);
	r = path && *path && cfh_prop_replaces(res, path);
	free(path);
	return r;
}

static int record(struct cfh_run *r, enum cfh_op op,
		  const struct cfh_node *at, char *path, json_t *old,
		  json_t *new, const char *reason, bool replaces)
{
	struct cfh_change *c;
	const char *res;

	if (r->nchanges == r->capchanges) {
		size_t cap = r->capchanges ? r->capchanges * 2 : 16;

		c = realloc(r->changes, cap * sizeof(*c));
		if (!c)
			goto fail;
		r->changes = c;
		r->capchanges = cap;
	}
	c = &r->changes[r->nchanges];
	memset(c, 0, sizeof(*c));
	c->pass = r->current ? r->current->id : "core";
	c->severity = r->current ? r->current->severity : CFH_SEV_LOW;
	c->op = op;
	c->path = path;
	c->old_value = old;
	c->new_value = new;
	c->reason = strdup(reason ? reason : "");
	c->replaces = replaces;
	res = cfh_node_resource_id(r->t, at);
	c->resource = res ? strdup(res) : NULL;
	if (replaces && res && !(c->replaced = cfh_replace_chains(r->t, res))) {
		free(c->resource);
		c->resource = NULL;
		res = "";	/* out of memory: fail below */
	}
	position_of(at, &c->line, &c->col);
	if (!c->reason || (res && !c->resource)) {
		free(c->reason);
		free(c->resource);
		goto fail;
	}
	r->nchanges++;
	return 0;
fail:
	free(path);
	json_decref(old);
	json_decref(new);
	return -1;
}

void cfh_change_release(struct cfh_change *c)
{
	free(c->path);
	free(c->resource);
	free(c->reason);
	json_decref(c->old_value);
	json_decref(c->new_value);
	json_decref(c->replaced);
}

/* An edit the API declines to make becomes an advisory: "not
 * changed<tag>: <reason>; <why>". */
static int decline(struct cfh_run *r, const struct cfh_node *at,
		   const char *tag, const char *reason, const char *why)
{
	struct cfh_buf b;
	char *msg;
	int rc;

	cfh_buf_init(&b);
	cfh_buf_addf(&b, "not changed%s: %s; %s", tag, reason, why);
	msg = cfh_buf_steal(&b, NULL);
	if (!msg)
		return -1;
	rc = cfh_advise(r, at, msg);
	free(msg);
	return rc;
}

/*
 * In a deployed stack (or under --no-replace) a replacing change becomes
 * an advisory that names what it would replace: the resource, and every
 * one that names it in a createOnly property of its own.
 */
static int refuse_replacement(struct cfh_run *r, const struct cfh_node *at,
			      const char *reason)
{
	const char *id = cfh_node_resource_id(r->t, at);
	json_t *chains = id ? cfh_replace_chains(r->t, id) : NULL;
	struct cfh_buf b;
	char *why, *d;
	size_t i;
	int rc;

	if (id && !chains)
		return -1;
	cfh_buf_init(&b);
	cfh_buf_adds(&b, "this change would replace the deployed resource");
	for (i = 1; i < json_array_size(chains); i++) {
		d = cfh_replace_describe(json_array_get(chains, i));
		cfh_buf_addf(&b, "%s%s", i == 1 ? ", and with it " : "; ",
			     d ? d : "?");
		free(d);
	}
	json_decref(chains);
	why = cfh_buf_steal(&b, NULL);
	if (!why)
		return -1;
	rc = decline(r, at,
		     r->opts && r->opts->no_replace ? " (--no-replace)"
						    : " (deployed stack)",
		     reason, why);
	free(why);
	return rc;
}

/* Adding to an alias would add to its anchor, and so to every other user
 * of it: not a change a pass may make for one resource. */
static int refuse_alias(struct cfh_run *r, const struct cfh_node *n,
			const char *reason)
{
	return decline(r, n, "", reason,
		       "the value is a YAML alias: adding to it would change its "
		       "anchor and every other alias of it");
}

/* A mapping or list that an intrinsic function stands for (a !If between
 * two, a Fn::Transform), or a scalar where the pass expected one: a key
 * or an item added there would become the function's argument, or would
 * not load. The pass that asked did not see the function; say so. */
static bool not_plain(const struct cfh_node *n, enum cfh_kind kind)
{
	struct cfh_fn_view v;

	/* Fn::ForEach::Name is a key among others: its mapping takes more. */
	return n->kind != kind ||
	       (cfh_node_fn(n, &v) && v.fn != CFH_FN_FOREACH);
}

static int refuse_shape(struct cfh_run *r, const struct cfh_node *n,
			const char *reason)
{
	return decline(r, n, "", reason,
		       "the value here is an intrinsic function (or not the "
		       "mapping or list expected), so the edit has no place "
		       "to go; make it by hand in the branch that needs it");
}

static bool no_replace(const struct cfh_run *r)
{
	return cfh_no_replace(r);
}

/*
 * Is @n inside a resource the running pass is suppressed for? The engine
 * hands a pass only the resources it may change, but a pass also reaches
 * others (a role through a function, a key through a bucket): refusing
 * here makes a suppression hold whatever path the pass took. Such edits
 * are counted, so that the tests can tell a pass that tries.
 */
static bool suppressed(struct cfh_run *r, const struct cfh_node *n)
{
	const char *id;
	const struct cfh_node *res;

	if (!r->current)
		return false;
	id = cfh_node_resource_id(r->t, n);
	res = id ? cfh_resource(r->t, id) : NULL;
	if (!res || !cfh_pass_skips(r, res))
		return false;
	r->refused++;
	return true;
}

static struct cfh_node *map_of(struct cfh_node *n)
{
	return n && n->kind == CFH_MAP ? n : NULL;
}

/*
 * The key of the resource whose place among the resources by type
 * (cfh_resources_of_type()) an edit of the entry @e of @coll may change:
 * an entry of Resources itself, or the Type of a resource. NULL for any
 * other edit, which cannot.
 */
static struct cfh_node *typed_key(const struct cfh_template *t,
				  const struct cfh_node *coll,
				  struct cfh_node *key)
{
	const struct cfh_node *res;
	const struct cfh_entry *re;

	if (!coll || !key)
		return NULL;
	res = cfh_node_deref(cfh_template_section(t, "Resources"));
	if (!res)
		return NULL;
	if (coll == res)
		return key;
	if (coll->parent != res || strcmp(key->text, "Type"))
		return NULL;
	re = cfh_node_entry(coll);
	return re ? re->key : NULL;
}

static int insert_entry(struct cfh_template *t, struct cfh_node *coll,
			size_t pos, struct cfh_node *key,
			struct cfh_node *value)
{
	size_t n = coll->n;

	if (cfh_node_push(t, coll, key, value))
		return -1;
	if (pos < n) {
		struct cfh_entry e = coll->ent[n];

		memmove(&coll->ent[pos + 1], &coll->ent[pos],
			(n - pos) * sizeof(e));
		coll->ent[pos] = e;
		cfh_node_moved(coll, pos);
	}
	mark_dirty(t, coll);
	return 0;
}

/* The position after the entry @after, or the end. */
static size_t insert_pos(const struct cfh_node *map, const char *after)
{
	const struct cfh_entry *e;

	if (after)
		cfh_for_each_entry(map, e)
			if (e->key && !strcmp(e->key->text, after))
				return (size_t)(e - map->ent) + 1;
	return map->n;
}

/* Add a key @map does not have, at entry index @pos. */
static int insert_new(struct cfh_run *r, struct cfh_node *map, size_t pos,
		      const char *key, json_t *value, const char *reason,
		      struct cfh_node **out)
{
	struct cfh_template *t = r->t;
	struct cfh_node *k, *v;
	bool replaces;

	if (suppressed(r, map)) {
		json_decref(value);
		return 0;
	}
	replaces = edit_replaces(t, map, key);
	if (replaces && no_replace(r)) {
		json_decref(value);
		return refuse_replacement(r, map, reason);
	}
	k = cfh_node_new_str(t, key);
	v = cfh_node_from_json(t, value);
	if (!k || !v || insert_entry(t, map, pos, k, v)) {
		json_decref(value);
		return -1;
	}
	cfh_resources_note(t, typed_key(t, map, k));
	if (record(r, CFH_OP_ADD, v, cfh_node_pointer(v), NULL, value, reason,
		   replaces))
		return -1;
	if (out)
		*out = v;
	return 0;
}

int cfh_edit_insert_take(struct cfh_run *r, struct cfh_node *map,
			 const char *after, const char *key, json_t *value,
			 const char *reason, struct cfh_node **out)
{
	struct cfh_entry *e;

	if (out)
		*out = NULL;
	if (map && map->kind == CFH_ALIAS && value) {
		json_decref(value);
		return refuse_alias(r, map, reason);
	}
	if (map && value && not_plain(map, CFH_MAP)) {
		json_decref(value);
		return refuse_shape(r, map, reason);
	}
	map = map_of(map);
	if (!map || !value) {
		json_decref(value);
		return -1;
	}
	e = cfh_map_entry(map, key);
	if (e)
		return cfh_edit_replace_take(r, e->value, value, reason, out);
	return insert_new(r, map, insert_pos(map, after), key, value, reason,
			  out);
}

int cfh_edit_set_take(struct cfh_run *r, struct cfh_node *map,
		      const char *key, json_t *value, const char *reason,
		      struct cfh_node **out)
{
	return cfh_edit_insert_take(r, map, NULL, key, value, reason, out);
}

/* An anchor in @n's subtree: replacing or removing @n would leave the
 * aliases that use it dangling. */
static bool has_anchor(const struct cfh_node *n, int depth)
{
	size_t i;

	if (!n || depth > CFH_MAX_DEPTH)
		return false;
	if (n->anchor)
		return true;
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return false;
	for (i = 0; i < n->n; i++)
		if (has_anchor(n->ent[i].value, depth + 1))
			return true;
	return false;
}

static int refuse_anchored(struct cfh_run *r, const struct cfh_node *n,
			   const char *reason)
{
	return decline(r, n, "", reason,
		       "the value carries a YAML anchor that aliases elsewhere "
		       "use");
}

int cfh_edit_replace_take(struct cfh_run *r, struct cfh_node *old,
			  json_t *value, const char *reason,
			  struct cfh_node **out)
{
	struct cfh_template *t = r->t;
	struct cfh_entry *e;
	struct cfh_node *v, *rk;
	json_t *was;
	bool replaces;

	if (out)
		*out = NULL;
	if (!old || !value || !(e = cfh_node_entry(old)) || e->value != old)
		goto fail;
	if (suppressed(r, old)) {
		json_decref(value);
		return 0;
	}
	if (!(old->flags & CFH_NF_NEW) && has_anchor(old, 0)) {
		json_decref(value);
		return refuse_anchored(r, old, reason);
	}
	replaces = edit_replaces(t, old, NULL);
	if (replaces && no_replace(r)) {
		json_decref(value);
		return refuse_replacement(r, old, reason);
	}
	was = cfh_node_to_json(old);
	v = cfh_node_from_json(t, value);
	if (!was || !v) {
		json_decref(was);
		goto fail;
	}
	rk = typed_key(t, old->parent, e->key);
	cfh_resources_forget(t, rk);
	/* Keep the loaded value: its span is what the reprinter replaces. */
	if (!(e->flags & CFH_EF_NEW) && !e->orig)
		e->orig = old;
	v->parent = old->parent;
	v->slot = (unsigned)(e - old->parent->ent);
	e->value = v;
	mark_dirty(t, old->parent);
	cfh_resources_note(t, rk);
	/* The record points at the replaced value's place in the input. */
	if (record(r, CFH_OP_REPLACE, old, cfh_node_pointer(v), was, value,
		   reason, replaces))
		return -1;
	if (out)
		*out = v;
	return 0;
fail:
	json_decref(value);
	return -1;
}

/* Insert @value into @seq at entry index @pos (seq->n: at the end). */
static int insert_item(struct cfh_run *r, struct cfh_node *seq, size_t pos,
		       json_t *value, const char *reason,
		       struct cfh_node **out)
{
	struct cfh_template *t = r->t;
	struct cfh_node *v;
	bool replaces;

	if (seq && seq->kind == CFH_ALIAS && value) {
		json_decref(value);
		return refuse_alias(r, seq, reason);
	}
	if (seq && value && not_plain(seq, CFH_SEQ)) {
		json_decref(value);
		return refuse_shape(r, seq, reason);
	}
	if (!seq || !value)
		goto fail;
	if (suppressed(r, seq)) {
		json_decref(value);
		return 0;
	}
	replaces = edit_replaces(t, seq, NULL);
	if (replaces && no_replace(r)) {
		json_decref(value);
		return refuse_replacement(r, seq, reason);
	}
	v = cfh_node_from_json(t, value);
	if (!v || insert_entry(t, seq, pos > seq->n ? seq->n : pos, NULL, v))
		goto fail;
	if (record(r, CFH_OP_ADD, v, cfh_node_pointer(v), NULL, value, reason,
		   replaces))
		return -1;
	if (out)
		*out = v;
	return 0;
fail:
	json_decref(value);
	return -1;
}

int cfh_edit_append_take(struct cfh_run *r, struct cfh_node *seq,
			 json_t *value, const char *reason,
			 struct cfh_node **out)
{
	if (out)
		*out = NULL;
	return insert_item(r, seq, seq ? seq->n : 0, value, reason, out);
}

int cfh_edit_insert_after_take(struct cfh_run *r, struct cfh_node *item,
			       json_t *value, const char *reason,
			       struct cfh_node **out)
{
	struct cfh_entry *e = item ? cfh_node_entry(item) : NULL;
	struct cfh_node *seq = item ? item->parent : NULL;

	if (out)
		*out = NULL;
	if (!e || !seq || seq->kind != CFH_SEQ || e->value != item) {
		json_decref(value);
		return -1;
	}
	return insert_item(r, seq, (size_t)(e - seq->ent) + 1, value, reason,
			   out);
}

int cfh_edit_remove_node(struct cfh_run *r, struct cfh_node *n,
			 const char *reason)
{
	struct cfh_template *t = r->t;
	struct cfh_node *coll = n ? n->parent : NULL, *rk;
	struct cfh_entry *e;
	json_t *was;
	char *path;
	bool replaces;

	if (!coll || !(e = cfh_node_entry(n)) || e->value != n)
		return -1;
	if (suppressed(r, n))
		return 0;
	if (!(n->flags & CFH_NF_NEW) && has_anchor(n, 0))
		return refuse_anchored(r, n, reason);
	replaces = edit_replaces(t, n, NULL);
	if (replaces && no_replace(r))
		return refuse_replacement(r, n, reason);
	was = cfh_node_to_json(n);
	path = cfh_node_pointer(n);
	if (!was || !path) {
		json_decref(was);
		free(path);
		return -1;
	}
	rk = typed_key(t, coll, e->key);
	cfh_resources_forget(t, rk);
	if (e->flags & CFH_EF_NEW) {
		size_t i = (size_t)(e - coll->ent);

		memmove(e, e + 1, (coll->n - i - 1) * sizeof(*e));
		coll->n--;
		cfh_node_moved(coll, i);
	} else {
		e->flags |= CFH_EF_REMOVED;
	}
	mark_dirty(t, coll);
	/* A Type removed leaves the resource unlisted; a resource removed
	 * has no entry to list. */
	cfh_resources_note(t, rk);
	return record(r, CFH_OP_REMOVE, n, path, was, NULL, reason, replaces);
}

int cfh_edit_remove(struct cfh_run *r, struct cfh_node *map,
		    const char *key, const char *reason)
{
	struct cfh_node *v = cfh_map_get(map, key);

	return v ? cfh_edit_remove_node(r, v, reason) : 0;
}

int cfh_edit_add_resource_take(struct cfh_run *r, const char *id,
			       const char *after, json_t *resource,
			       const char *reason, struct cfh_node **out)
{
	struct cfh_template *t = r->t;
	struct cfh_node *resources = map_of(cfh_template_section(t, "Resources"));
	struct cfh_node *node = NULL, *sib;
	struct cfh_entry *e;
	size_t pos;
	int rc;

	if (out)
		*out = NULL;
	/* Through the resource index: Resources may hold thousands, and a
	 * pass may add hundreds. A pass must ask for a fresh ID: never
	 * overwrite. */
	if (!resources || cfh_resource(t, id)) {
		json_decref(resource);
		return -1;
	}
	pos = resources->n;
	sib = after ? cfh_resource(t, after) : NULL;
	e = sib ? cfh_node_entry(sib) : NULL;
	if (e && sib->parent == resources && e->value == sib)
		pos = (size_t)(e - resources->ent) + 1;
	rc = insert_new(r, resources, pos, id, resource, reason, &node);
	if (out)
		*out = node;
	if (rc || !node)
		return rc;
	if (strpbrk(id, ".}"))
		t->odd_ids = true;
	if (!t->added && !(t->added = json_object()))
		return -1;
	return json_object_set_new(t->added, id,
				   json_integer((json_int_t)(intptr_t)node));
}

/* CloudFormation's customary order of top-level sections. */
static const char *const section_order[] = {
	"AWSTemplateFormatVersion", "Description", "Transform", "Metadata",
	"Parameters", "Rules", "Mappings", "Conditions", "Resources",
	"Outputs",
};

struct cfh_node *cfh_edit_section(struct cfh_run *r, const char *name)
{
	struct cfh_template *t = r->t;
	struct cfh_node *sec = cfh_template_section(t, name), *out = NULL;
	const char *after = NULL;
	size_t i, k;

	/* An empty section ("Parameters:" with its entries commented out)
	 * is a null: it becomes the mapping the next changes add to. */
	if (sec && sec->kind == CFH_SCALAR && sec->stype == CFH_T_NULL) {
		if (cfh_edit_replace_take(r, sec, json_object(),
					  "fill the empty section with what the "
					  "next changes need",
					  &out))
			return NULL;
		return out;
	}
	if (sec)
		return sec;
	for (i = 0; i < sizeof(section_order) / sizeof(*section_order); i++)
		if (!strcmp(section_order[i], name))
			break;
	for (k = 0; k < i && i < sizeof(section_order) / sizeof(*section_order);
	     k++)
		if (cfh_template_section(t, section_order[k]))
			after = section_order[k];
	/* Recorded like any edit, so that a JSON Patch of the changes
	 * creates the section before adding to it. */
	if (cfh_edit_insert_take(r, t->root, after, name, json_object(),
				 "add the section the next changes need", &out))
		return NULL;
	return out;
}

int cfh_advise(struct cfh_run *r, const struct cfh_node *at,
	       const char *reason)
{
	char *path = at ? cfh_node_pointer(at) : strdup("");
	const char *pass = r->current ? r->current->id : "core";
	struct cfh_buf key;
	char *k;

	if (!path)
		return -1;
	/* The engine may run a pass again (a second round): say it once.
	 * A hash of what was said keeps this O(1) per advisory. */
	cfh_buf_init(&key);
	cfh_buf_addf(&key, "%s\n%s\n%s", pass, path, reason);
	k = cfh_buf_steal(&key, NULL);
	if (!k || (!r->advised && !(r->advised = json_object())))
		goto fail;
	if (json_object_get(r->advised, k)) {
		free(k);
		free(path);
		return 0;
	}
	if (json_object_set_new(r->advised, k, json_true()))
		goto fail;
	free(k);
	return record(r, CFH_OP_ADVISORY, at, path, NULL, NULL, reason,
		      false);
fail:
	free(k);
	free(path);
	return -1;
}

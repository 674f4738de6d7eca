/* SPDX-License-Identifier: MIT */
/*
 * The pass engine. The registry is an X-macro list (transforms/passes.def),
 * included once for the entry points' declarations and once for the table,
 * so that a pass is one line of registry and one file of code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "graph.h"
#include "options.h"

#define CFH_PASS(cname, id, title, sev, group, fixes, checks, why, ex) \
	extern const struct cfh_pass_ops cfh_pass_##cname;
#include "passes.def"
#undef CFH_PASS

static const struct cfh_pass registry[] = {
#define CFH_PASS(cname, id, title, sev, group, fixes, checks, why, ex) \
	{ id, title, sev, group, fixes, checks, why, ex, &cfh_pass_##cname },
#include "passes.def"
#undef CFH_PASS
	/* ISO C allows no empty initialiser list; the sentinel is not a pass. */
	{ NULL, NULL, CFH_SEV_LOW, NULL, NULL, NULL, NULL, NULL, NULL },
};

_Static_assert(CFH_ARRAY_SIZE(registry) - 1 <= CFH_MAX_PASSES,
	       "a selection of passes is a 64-bit set");

/* A function, not a macro: with an empty registry a constant bound would
 * make every loop a "comparison always false" warning. */
static size_t npasses(void)
{
	return sizeof(registry) / sizeof(*registry) - 1;
}

size_t cfh_pass_count(void)
{
	return npasses();
}

const struct cfh_pass *cfh_pass_at(size_t i)
{
	return i < npasses() ? &registry[i] : NULL;
}

const struct cfh_pass *cfh_pass_find(const char *id)
{
	size_t i;

	for (i = 0; i < npasses(); i++)
		if (!strcmp(registry[i].id, id))
			return &registry[i];
	return NULL;
}

const char *cfh_pass_id(const struct cfh_pass *p)
{
	return p->id;
}

const char *cfh_pass_title(const struct cfh_pass *p)
{
	return p->title;
}

enum cfh_severity cfh_pass_severity(const struct cfh_pass *p)
{
	return p->severity;
}

const char *cfh_pass_fixes(const struct cfh_pass *p)
{
	return p->fixes;
}

const char *cfh_pass_rationale(const struct cfh_pass *p)
{
	return p->rationale;
}

const char *cfh_pass_example(const struct cfh_pass *p)
{
	return p->example;
}

const char *cfh_severity_name(enum cfh_severity sev)
{
	static const char *const names[] = { "critical", "high", "medium",
					     "low" };

	return sev < CFH_SEV_COUNT ? names[sev] : "unknown";
}

/* A scalar or a list of scalars (or of mappings with an "id") naming
 * @want. */
static bool names(const struct cfh_node *n, const char *want)
{
	const struct cfh_entry *e;

	n = cfh_node_deref(n);
	if (!n)
		return false;
	if (n->kind == CFH_SCALAR)
		return !strcmp(n->text, want);
	if (n->kind != CFH_SEQ)
		return false;
	cfh_for_each_entry(n, e) {
		const struct cfh_node *v = cfh_node_deref(e->value);

		if (v->kind == CFH_MAP)
			v = cfh_map_get(v, "id");
		if (cfh_node_str_eq(v, want))
			return true;
	}
	return false;
}

/*
 * Where each tool keeps its suppressions in Metadata:
 *   cfn-lint:  cfn-lint: {config: {ignore_checks: [W3005]}}
 *   checkov:   checkov: {skip: [{id: CKV_AWS_18, comment: ...}]}
 *   cfn_nag:   cfn_nag: {rules_to_suppress: [{id: W51, reason: ...}]}
 *   guard:     guard: {SuppressedRules: [S3_BUCKET_LOGGING_ENABLED]}
 *   cdk_nag:   cdk_nag: {rules_to_suppress: [{id: AwsSolutions-S1, ...}]}
 */
bool cfh_meta_suppresses(const struct cfh_node *meta, const char *check)
{
	const char *colon = strchr(check, ':');
	char tool[32];
	const char *id;

	if (!meta || !colon || (size_t)(colon - check) >= sizeof(tool))
		return false;
	memcpy(tool, check, (size_t)(colon - check));
	tool[colon - check] = '\0';
	id = colon + 1;
	if (!strcmp(tool, "cfn-lint"))
		return names(cfh_map_path(meta, "cfn-lint", "config",
					  "ignore_checks", NULL), id);
	if (!strcmp(tool, "checkov"))
		return names(cfh_map_path(meta, "checkov", "skip", NULL), id);
	if (!strcmp(tool, "cfn_nag"))
		return names(cfh_map_path(meta, "cfn_nag", "rules_to_suppress",
					  NULL), id);
	if (!strcmp(tool, "guard"))
		return names(cfh_map_path(meta, "guard", "SuppressedRules",
					  NULL), id);
	if (!strcmp(tool, "cdk_nag"))
		return names(cfh_map_path(meta, "cdk_nag", "rules_to_suppress",
					  NULL), id);
	return false;
}

bool cfh_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (n && p && (p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static bool meta_skips(const struct cfh_node *meta, const struct cfh_pass *p)
{
	const struct cfh_node *skip = cfh_map_path(meta, "cfn-harden", "skip",
						   NULL);
	const char *c = p->checks;
	char check[128];

	if (!meta)
		return false;
	if (names(skip, "all") || names(skip, p->id))
		return true;
	while (c && *c) {
		size_t len = strcspn(c, " ");

		if (len && len < sizeof(check)) {
			memcpy(check, c, len);
			check[len] = '\0';
			if (cfh_meta_suppresses(meta, check))
				return true;
		}
		c += len;
		c += strspn(c, " ");
	}
	return false;
}

size_t cfh_pass_index(const struct cfh_pass *p)
{
	return (size_t)(p - registry);
}

bool cfh_pass_skips(const struct cfh_run *r, const struct cfh_node *res)
{
	const struct cfh_pass *p = r->current;

	if (!p)
		return false;
	if (meta_skips(cfh_template_section(r->t, "Metadata"), p))
		return true;
	return res && meta_skips(cfh_map_get(res, "Metadata"), p);
}

bool cfh_pass_selected(const struct cfh_run *r, const char *id)
{
	const struct cfh_pass *p = cfh_pass_find(id);

	if (!p)
		return false;
	return !r->opts || (r->opts->passes >> cfh_pass_index(p) & 1);
}

int cfh_pass_set(const char *list, unsigned long long *set,
		    struct cfh_diag *diag)
{
	const char *p = list;

	*set = 0;
	while (p && *p) {
		size_t len = strcspn(p, ","), i;
		bool found = false;

		/* A pass by its id, or every pass of a group. */
		for (i = 0; i < npasses(); i++)
			if ((strlen(registry[i].id) == len &&
			     !strncmp(registry[i].id, p, len)) ||
			    (strlen(registry[i].group) == len &&
			     !strncmp(registry[i].group, p, len))) {
				*set |= 1ull << i;
				found = true;
			}
		if (!found) {
			diag->code = CFH_EXIT_USAGE;
			snprintf(diag->msg, sizeof(diag->msg),
				 "unknown pass or group '%.*s' (see "
				 "--list-passes)",
				 (int)len, p);
			return -1;
		}
		p += len;
		p += *p == ',';
	}
	return 0;
}

struct cfh_opts *cfh_opts_new(const struct cfh_run_opts *o,
			      struct cfh_diag *diag)
{
	struct cfh_opts *opts = calloc(1, sizeof(*opts));
	unsigned long long only = 0, skip = 0;
	size_t i;

	memset(diag, 0, sizeof(*diag));
	if (!opts || !(opts->values = calloc(cfh_option_count() + 1,
					     sizeof(*opts->values))))
		goto oom;
	if (cfh_pass_set(o->only, &only, diag) ||
	    cfh_pass_set(o->skip, &skip, diag))
		goto fail;
	opts->passes = o->only ? only : ~0ull;
	opts->passes &= ~skip;
	opts->no_replace = o->no_replace;
	for (i = 0; i < o->nsettings; i++)
		if (cfh_setting_check(o->settings[i], diag->msg,
				      sizeof(diag->msg))) {
			diag->code = CFH_EXIT_USAGE;
			goto fail;
		}
	cfh_opts_resolve(opts->values, o->settings, o->nsettings);
	return opts;
oom:
	diag->code = CFH_EXIT_INTERNAL;
	snprintf(diag->msg, sizeof(diag->msg), "out of memory");
fail:
	cfh_opts_free(opts);
	return NULL;
}

void cfh_opts_free(struct cfh_opts *o)
{
	if (!o)
		return;
	free(o->values);
	free(o);
}

struct cfh_run *cfh_run_new(struct cfh_template *t, const struct cfh_opts *o)
{
	struct cfh_run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->t = t;
	r->opts = o;
	return r;
}

void cfh_run_free(struct cfh_run *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nchanges; i++)
		cfh_change_release(&r->changes[i]);
	free(r->changes);
	json_decref(r->advised);
	free(r);
}

struct cfh_template *cfh_run_template(const struct cfh_run *r)
{
	return r->t;
}

size_t cfh_run_change_count(const struct cfh_run *r)
{
	return r->nchanges;
}

const struct cfh_change *cfh_run_change_at(const struct cfh_run *r, size_t i)
{
	return i < r->nchanges ? &r->changes[i] : NULL;
}

/* CloudFormation's rule for logical IDs. A resource that breaks it cannot
 * deploy, and IDs made from its name would break it too. */
static bool logical_id_ok(const struct cfh_node *key)
{
	const char *s = cfh_node_str(key);

	if (!s || !*s || key->stype != CFH_T_STR)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool type_matches(const char *pattern, const char *type)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return !strncmp(pattern, type, n - 1);
	return !strcmp(pattern, type);
}

static int cmp_slot(const void *a, const void *b)
{
	const struct cfh_node *x = *(struct cfh_node *const *)a;
	const struct cfh_node *y = *(struct cfh_node *const *)b;

	return (x->slot > y->slot) - (x->slot < y->slot);
}

/*
 * The keys of the resources of the handlers' types, in template order,
 * when every handler names a type (no pattern) and nothing was edited
 * since the graph was built: then a pass that handles functions visits
 * the functions, through the index of resources by type, not every
 * resource. 1 with @out set; 0 when it does not apply (the caller walks
 * every resource); -1 when out of memory.
 */
static int typed_keys(struct cfh_run *r, const struct cfh_pass_ops *ops,
		      struct cfh_node ***out, size_t *n)
{
	struct cfh_template *t = r->t;
	struct cfh_node **keys = NULL, **k;
	struct cfh_node *const *l;
	size_t i, j, m, cap = 0;

	*out = NULL;
	*n = 0;
	if (!t->graph || t->graph_generation != t->generation)
		return 0;
	for (i = 0; i < ops->nhandlers; i++) {
		const char *type = ops->handlers[i].type;

		if (!*type || type[strlen(type) - 1] == '*')
			return 0;
	}
	for (i = 0; i < ops->nhandlers; i++) {
		const char *type = ops->handlers[i].type;

		for (j = 0; j < i && strcmp(ops->handlers[j].type, type); j++)
			;
		if (j < i)
			continue;	/* a type two handlers share */
		m = cfh_resources_of_type(t, type, &l);
		if (m == (size_t)-1) {
			free(keys);
			return 0;
		}
		if (*n + m > cap) {
			cap = (*n + m) * 2;
			k = realloc(keys, (cap ? cap : 1) * sizeof(*k));
			if (!k) {
				free(keys);
				return -1;
			}
			keys = k;
		}
		/* m may be 0 while keys is still NULL: no pointer sum then. */
		if (m)
			memcpy(keys + *n, l, m * sizeof(*l));
		*n += m;
	}
	if (*n)
		qsort(keys, *n, sizeof(*keys), cmp_slot);
	*out = keys;
	return 1;
}

/* A resource the running pass may change, and its node as
 * cfh_resource() gives it while the pass runs. */
struct walk_item {
	const char *id;
	struct cfh_node *res;
};

/*
 * The resources the running pass may change, in template order: a valid
 * logical ID, not suppressed for the pass, Properties not decided at deploy
 * time. Collected before the handlers run, since they add resources as
 * they go. Each comes with its node as cfh_resource() gives it for the
 * length of the pass (the graph is pinned): the entry's value when
 * nothing was edited since the graph was built, else looked up once.
 */
static int walk_list(struct cfh_run *r, const struct cfh_pass_ops *ops,
		     struct walk_item **out, size_t *n)
{
	const struct cfh_node *res =
		cfh_node_deref(cfh_template_section(r->t, "Resources"));
	bool fresh = r->t->graph &&
		     r->t->graph_generation == r->t->generation;
	const struct cfh_entry *e;
	struct cfh_node **keys = NULL;
	size_t cap = 0, nkeys = 0, i;
	int typed;

	*out = NULL;
	*n = 0;
	if (!res || res->kind != CFH_MAP)
		return 0;
	/* The template's own Metadata turns the pass off everywhere; read
	 * once, not once per resource. */
	if (cfh_pass_skips(r, NULL))
		return 0;
	typed = typed_keys(r, ops, &keys, &nkeys);
	if (typed < 0)
		return -1;
	for (i = 0; i < (typed ? nkeys : res->n); i++) {
		struct cfh_node *v;

		e = typed ? cfh_resource_key_entry(r->t, keys[i]) : &res->ent[i];
		if (!e || (e->flags & CFH_EF_REMOVED))
			continue;
		v = e->value;
		if (!cfh_node_is_map(v) || !logical_id_ok(e->key) ||
		    meta_skips(cfh_map_get(v, "Metadata"), r->current) ||
		    cfh_props_dynamic(v))
			continue;
		if (*n == cap) {
			struct walk_item *p;

			cap = cap ? cap * 2 : 16;
			p = realloc(*out, cap * sizeof(*p));
			if (!p) {
				free(keys);
				return -1;
			}
			*out = p;
		}
		(*out)[*n].id = e->key->text;
		(*out)[*n].res = fresh ? v : cfh_resource(r->t, e->key->text);
		(*n)++;
	}
	free(keys);
	return 0;
}

/* One pass: its hooks and its handlers over the resources it may change. */
static int dispatch(struct cfh_run *r, const struct cfh_pass_ops *ops)
{
	void *st = NULL;
	struct walk_item *items = NULL;
	size_t n = 0, i, k;
	int rc = -1;

	if (ops->state_size && !(st = calloc(1, ops->state_size)))
		goto out;
	if (ops->before && ops->before(r, st))
		goto out;
	if (ops->nhandlers && walk_list(r, ops, &items, &n))
		goto out;
	for (i = 0; i < n; i++) {
		/* An earlier handler may remove or replace the resource,
		 * but while the pass runs cfh_resource() answers from the
		 * graph the pass started with: the node stays the one
		 * collected. */
		struct cfh_node *res = items[i].res;
		const char *type = cfh_resource_type(res);

		for (k = 0; res && type && k < ops->nhandlers; k++) {
			const struct cfh_handler *h = &ops->handlers[k];

			if (!type_matches(h->type, type))
				continue;
			if (h->fn(r, st, items[i].id, res))
				goto out;
		}
	}
	if (ops->after && ops->after(r, st))
		goto out;
	rc = 0;
out:
	if (st && ops->release)
		ops->release(st);
	free(st);
	free(items);
	return rc;
}

/* One pass, then the check that it closed no dependency cycle (the
 * deployable invariant). */
static int run_pass(struct cfh_run *r, const struct cfh_pass *p,
		    struct cfh_diag *diag)
{
	struct cfh_template *t = r->t;
	const char **path = NULL;
	int cycle, rc;

	r->current = NULL;
	/* A cycle in the input is the user's: only new ones are ours. The
	 * answer is the graph's, found once per graph: the check after
	 * the pass before found it already. */
	if (!cfh_graph_get(t) || (cycle = cfh_graph_has_cycle(t->graph)) < 0)
		goto oom;
	r->current = p;
	if (cfh_pass_skips(r, NULL)) {
		r->current = NULL;
		return 0;
	}
	/* While a pass runs it sees the graph of the template as the pass
	 * found it: rebuilding after each of its edits would make every
	 * pass quadratic, and pointers it holds into the graph stay valid. */
	t->graph_pinned = true;
	rc = dispatch(r, p->ops);
	t->graph_pinned = false;
	r->current = NULL;
	if (rc) {
		diag->code = CFH_EXIT_INTERNAL;
		snprintf(diag->msg, sizeof(diag->msg),
			 "pass '%s' failed (out of memory?)", p->id);
		return -1;
	}
	if (cycle || t->generation == t->graph_generation)
		return 0;
	if (!cfh_graph_get(t) || (cycle = cfh_graph_has_cycle(t->graph)) < 0 ||
	    (cycle && cfh_graph_cycle(t->graph, &path)))
		goto oom;
	if (path) {
		diag->code = CFH_EXIT_INTERNAL;
		snprintf(diag->msg, sizeof(diag->msg),
			 "pass '%s' made a circular dependency (%s -> %s ...): "
			 "please report this",
			 p->id, path[0], path[1]);
		free(path);
		return -1;
	}
	free(path);
	return 0;
oom:
	diag->code = CFH_EXIT_INTERNAL;
	snprintf(diag->msg, sizeof(diag->msg), "out of memory");
	return -1;
}

/*
 * Passes run in registry order; a pass that adds resources adds them after
 * the passes before it have run (a dead-letter queue after the encryption
 * pass). Rather than have every pass repeat the work of the ones before
 * it, the sequence runs again while a round changes anything after its
 * first pass: every pass is idempotent, so a round that changes nothing is
 * the fixed point, and hardening the output again changes nothing
 * (invariant 4). Rounds are bounded.
 *
 * A pass is a function of the template and the options alone. One whose
 * last run changed nothing, on a template nothing has changed since,
 * would do exactly what it did then: nothing, and advise again only what
 * it advised already (said once). It is not run again. That spares the
 * passes after the last change of a round the last round, which only
 * confirms the fixed point.
 */
#define MAX_ROUNDS 4

int cfh_run_harden(struct cfh_run *r, struct cfh_diag *diag)
{
	struct cfh_template *t = r->t;
	unsigned started[CFH_MAX_PASSES];	/* generation at the last run's
						 * start */
	bool have[CFH_MAX_PASSES] = { false };
	size_t i, round;
	int rc = 0;

	memset(diag, 0, sizeof(*diag));
	for (round = 0; round < MAX_ROUNDS && !rc; round++) {
		unsigned after_first = t->generation;
		size_t ran = 0;

		for (i = 0; i < npasses() && !rc; i++) {
			if (r->opts && !(r->opts->passes >> i & 1))
				continue;
			if (!have[i] || started[i] != t->generation) {
				have[i] = true;
				started[i] = t->generation;
				rc = run_pass(r, &registry[i], diag);
			}
			if (!ran++)
				after_first = t->generation;
		}
		/* Nothing changed after the first pass of the round: no
		 * pass can have missed anything. */
		if (t->generation == after_first)
			break;
	}
	r->current = NULL;
	return rc;
}

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

#define CFH_PASS(cname, id, title, sev, fixes, checks, why, ex) \
	int cfh_pass_##cname(struct cfh_template *t);
#include "passes.def"
#undef CFH_PASS

static const struct cfh_pass registry[] = {
#define CFH_PASS(cname, id, title, sev, fixes, checks, why, ex) \
	{ id, title, sev, fixes, checks, why, ex, cfh_pass_##cname },
#include "passes.def"
#undef CFH_PASS
	/* ISO C allows no empty initialiser list; the sentinel is not a pass. */
	{ NULL, NULL, CFH_SEV_LOW, NULL, NULL, NULL, NULL, NULL },
};

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

/* True if the comma-separated @list names @id. */
static bool list_has(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, id, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* Every id in @list must name a pass, so that a typo is an error rather
 * than a silent no-op. */
static int check_list(const char *list, struct cfh_diag *diag)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p), i;
		bool found = false;

		for (i = 0; i < npasses(); i++)
			if (strlen(registry[i].id) == len &&
			    !strncmp(registry[i].id, p, len))
				found = true;
		if (!found) {
			diag->code = CFH_EXIT_USAGE;
			snprintf(diag->msg, sizeof(diag->msg),
				 "unknown pass '%.*s' (see --list-passes)",
				 (int)len, p);
			return -1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
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

bool cfh_pass_skips(const struct cfh_template *t, const struct cfh_node *res)
{
	const struct cfh_pass *p = t->current;

	if (!p)
		return false;
	if (meta_skips(cfh_template_section(t, "Metadata"), p))
		return true;
	return res && meta_skips(cfh_map_get(res, "Metadata"), p);
}

/* One pass, then the check that it closed no dependency cycle (the
 * deployable invariant). */
static int run_pass(struct cfh_template *t, const struct cfh_pass *p,
		    struct cfh_diag *diag)
{
	const char **path = NULL;
	int cycle, after;

	t->current = NULL;
	if (!cfh_graph_get(t) || (cycle = cfh_graph_cycle(t->graph, &path)) < 0)
		goto oom;
	free(path);
	t->current = p;
	if (cfh_pass_skips(t, NULL))
		return 0;
	if (p->run(t)) {
		diag->code = CFH_EXIT_INTERNAL;
		snprintf(diag->msg, sizeof(diag->msg),
			 "pass '%s' failed (out of memory?)", p->id);
		return -1;
	}
	t->current = NULL;
	if (cycle || t->generation == t->graph_generation)
		return 0;
	if (!cfh_graph_get(t) || (after = cfh_graph_cycle(t->graph, &path)) < 0)
		goto oom;
	if (after) {
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
 */
#define MAX_ROUNDS 4

int cfh_template_harden(struct cfh_template *t,
			const struct cfh_run_opts *opts, struct cfh_diag *diag)
{
	size_t i, round;
	int rc = 0;

	memset(diag, 0, sizeof(*diag));
	if (check_list(opts->only, diag) || check_list(opts->skip, diag))
		return -1;
	for (i = 0; i < opts->nsettings; i++)
		if (cfh_setting_check(opts->settings[i], diag->msg,
				      sizeof(diag->msg))) {
			diag->code = CFH_EXIT_USAGE;
			return -1;
		}
	t->no_replace = opts->no_replace;
	t->opts = opts;
	for (round = 0; round < MAX_ROUNDS && !rc; round++) {
		unsigned after_first = t->generation;
		size_t ran = 0;

		for (i = 0; i < npasses() && !rc; i++) {
			const struct cfh_pass *p = &registry[i];

			if (opts->only && !list_has(opts->only, p->id))
				continue;
			if (opts->skip && list_has(opts->skip, p->id))
				continue;
			rc = run_pass(t, p, diag);
			if (!ran++)
				after_first = t->generation;
		}
		/* Nothing changed after the first pass of the round: no
		 * pass can have missed anything. */
		if (t->generation == after_first)
			break;
	}
	t->current = NULL;
	t->opts = NULL;
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Reports, all made from the same change records. JSON for machines; the
 * Markdown report follows the seed failure analyses: a summary with counts,
 * then one section per finding (impact level, issue, fix with a snippet in
 * the template's own format), grouped by severity, advisories last.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static const char *const op_names[] = { "add", "replace", "remove",
					"advisory" };

static json_t *summary(const struct cfh_template *t)
{
	json_t *sev = json_object(), *pass = json_object(), *s;
	size_t i, adv = 0, repl = 0, ch = 0;

	for (i = 0; i < CFH_SEV_COUNT; i++)
		json_object_set_new(sev, cfh_severity_name(i), json_integer(0));
	for (i = 0; i < t->nchanges; i++) {
		const struct cfh_change *c = &t->changes[i];
		const char *sn = cfh_severity_name(c->severity);
		json_t *n;

		if (c->op == CFH_OP_ADVISORY) {
			adv++;
			continue;
		}
		ch++;
		repl += c->replaces;
		json_object_set_new(sev, sn,
				    json_integer(json_integer_value(
							 json_object_get(sev, sn)) +
						 1));
		n = json_object_get(pass, c->pass);
		json_object_set_new(pass, c->pass,
				    json_integer(json_integer_value(n) + 1));
	}
	s = json_pack("{s:I, s:I, s:I, s:o, s:o}", "changes", (json_int_t)ch,
		      "advisories", (json_int_t)adv, "replacements",
		      (json_int_t)repl, "by_severity", sev, "by_pass", pass);
	return s;
}

static char *report_json(struct cfh_template *t, const char *name)
{
	json_t *root, *list, *c;
	size_t i;
	char *s;

	list = json_array();
	for (i = 0; list && i < t->nchanges; i++) {
		const struct cfh_change *ch = &t->changes[i];

		c = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:i, s:i, s:s, s:b}",
			      "pass", ch->pass, "severity",
			      cfh_severity_name(ch->severity), "op",
			      op_names[ch->op], "path", ch->path, "resource",
			      ch->resource, "line", ch->line, "column", ch->col,
			      "reason", ch->reason, "replaces", ch->replaces);
		if (c && ch->old_value)
			json_object_set(c, "old", ch->old_value);
		if (c && ch->new_value)
			json_object_set(c, "new", ch->new_value);
		if (!c || json_array_append_new(list, c)) {
			json_decref(list);
			list = NULL;
		}
	}
	root = json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o*}", "tool",
			 "cfn-harden", "version", CFH_VERSION, "template", name,
			 "format", t->conv.json ? "json" : "yaml", "summary",
			 summary(t), "changes", list);
	if (!root)
		return NULL;
	s = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!s)
		return NULL;
	/* Text files end with a newline. */
	{
		size_t len = strlen(s);
		char *r = realloc(s, len + 2);

		if (!r) {
			free(s);
			return NULL;
		}
		r[len] = '\n';
		r[len + 1] = '\0';
		return r;
	}
}

/* A snippet "key: value" of @v in the template's own format. */
static void snippet(struct cfh_buf *b, struct cfh_template *t,
		    const char *key, const json_t *v)
{
	struct cfh_node *n = cfh_node_from_json(t, v);

	if (!n)
		return;
	cfh_buf_adds(b, t->conv.json ? "```json\n" : "```yaml\n");
	cfh_render_key(b, t, key, false);
	if (t->conv.json) {
		cfh_buf_adds(b, ": ");
		cfh_render(b, t, n, CFH_CTX_FLOW, 0, true);
	} else {
		cfh_buf_addc(b, ':');
		cfh_render(b, t, n, CFH_CTX_BLOCK_VALUE, 0, true);
	}
	cfh_buf_adds(b, "\n```\n\n");
}

static const char *last_segment(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void md_change(struct cfh_buf *b, struct cfh_template *t,
		      const struct cfh_change *c, size_t num)
{
	const struct cfh_pass *p = cfh_pass_find(c->pass);
	const char *key = last_segment(c->path);
	const char *type = NULL;

	if (c->resource)
		type = cfh_resource_type(cfh_map_get(
			cfh_template_section(t, "Resources"), c->resource));
	cfh_buf_addf(b, "### %zu. %s\n\n", num, c->reason);
	cfh_buf_addf(b, "**Impact Level**: %c%s\n\n",
		     cfh_severity_name(c->severity)[0] - 32,
		     cfh_severity_name(c->severity) + 1);
	if (c->resource)
		cfh_buf_addf(b, "**Resource**: `%s`%s%s%s\n\n", c->resource,
			     type ? " (`" : "", type ? type : "",
			     type ? "`)" : "");
	cfh_buf_addf(b, "**Where**: `%s`", *c->path ? c->path : "/");
	if (c->line)
		cfh_buf_addf(b, " (input line %d)", c->line);
	cfh_buf_adds(b, "\n\n");
	if (p)
		cfh_buf_addf(b, "**Pass**: `%s` (%s)\n\n**Issue**: %s\n\n",
			     c->pass, p->fixes, p->rationale);
	if (c->op == CFH_OP_ADVISORY) {
		cfh_buf_adds(b, "**Fix**: none made; this needs a human "
				"decision.\n\n---\n\n");
		return;
	}
	if (c->old_value) {
		cfh_buf_adds(b, "**Before**:\n\n");
		snippet(b, t, key, c->old_value);
	}
	if (c->new_value) {
		cfh_buf_adds(b, "**Fix**:\n\n");
		snippet(b, t, key, c->new_value);
	} else {
		cfh_buf_addf(b, "**Fix**: removed `%s`.\n\n", key);
	}
	cfh_buf_addf(b, "**Replaces the deployed resource**: %s\n\n---\n\n",
		     c->replaces ? "yes (the property is create-only)" : "no");
}

static char *report_md(struct cfh_template *t, const char *name)
{
	struct cfh_buf b;
	size_t count[CFH_SEV_COUNT] = { 0 }, i, adv = 0, num = 0;
	int s;

	for (i = 0; i < t->nchanges; i++) {
		if (t->changes[i].op == CFH_OP_ADVISORY)
			adv++;
		else
			count[t->changes[i].severity]++;
	}
	cfh_buf_init(&b);
	cfh_buf_addf(&b, "# Template Hardening Analysis: %s\n\n", name);
	cfh_buf_adds(&b, "This document lists every change cfn-harden made "
			 "to the template, with why it matters, and every "
			 "finding it left for a human decision.\n\n");
	cfh_buf_adds(&b, "## Summary\n\n**Total Changes**: ");
	for (s = 0; s < CFH_SEV_COUNT; s++)
		cfh_buf_addf(&b, "%s%zu %c%s", s ? ", " : "", count[s],
			     cfh_severity_name(s)[0] - 32,
			     cfh_severity_name(s) + 1);
	cfh_buf_addf(&b, "\n\n**Advisories**: %zu\n\n", adv);
	if (!t->nchanges)
		cfh_buf_adds(&b, "No pass found anything to change.\n\n");
	cfh_buf_adds(&b, "---\n\n");
	for (s = 0; s < CFH_SEV_COUNT; s++) {
		if (!count[s])
			continue;
		cfh_buf_addf(&b, "## %c%s Changes\n\n",
			     cfh_severity_name(s)[0] - 32,
			     cfh_severity_name(s) + 1);
		for (i = 0; i < t->nchanges; i++)
			if (t->changes[i].op != CFH_OP_ADVISORY &&
			    (int)t->changes[i].severity == s)
				md_change(&b, t, &t->changes[i], ++num);
	}
	if (adv) {
		cfh_buf_adds(&b, "## Advisories (not changed)\n\n");
		for (i = 0; i < t->nchanges; i++)
			if (t->changes[i].op == CFH_OP_ADVISORY)
				md_change(&b, t, &t->changes[i], ++num);
	}
	return cfh_buf_steal(&b, NULL);
}

char *cfh_report(struct cfh_template *t, enum cfh_report_format fmt,
		 const char *input_name)
{
	return fmt == CFH_REPORT_MD ? report_md(t, input_name)
				    : report_json(t, input_name);
}

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

static void cap_name(struct cfh_buf *b, enum cfh_severity sev)
{
	const char *n = cfh_severity_name(sev);

	cfh_buf_addc(b, (char)(n[0] - 32));
	cfh_buf_adds(b, n + 1);
}

/* One change inside a finding: its reason, where, and the new value. */
static void md_change(struct cfh_buf *b, struct cfh_template *t,
		      const struct cfh_change *c)
{
	const char *key = last_segment(c->path);

	cfh_buf_addf(b, "- %s (`%s`", c->reason, *c->path ? c->path : "/");
	if (c->line)
		cfh_buf_addf(b, ", input line %d", c->line);
	cfh_buf_adds(b, c->replaces ? "; **replaces the deployed resource**)\n\n"
				    : ")\n\n");
	if (c->op == CFH_OP_ADVISORY)
		return;
	if (c->old_value && c->new_value) {
		cfh_buf_adds(b, "  Before:\n\n");
		snippet(b, t, key, c->old_value);
		cfh_buf_adds(b, "  After:\n\n");
	}
	if (c->new_value)
		snippet(b, t, key, c->new_value);
	else
		cfh_buf_addf(b, "  Removed `%s`.\n\n", key);
}

/*
 * A finding is what one pass did to one resource: the seed analyses'
 * unit (issue, impact, fix), with every change of it listed under Fix.
 */
static void md_finding(struct cfh_buf *b, struct cfh_template *t,
		       const json_t *members, size_t num, bool advisory)
{
	const struct cfh_change *first =
		&t->changes[json_integer_value(json_array_get(members, 0))];
	const struct cfh_pass *p = cfh_pass_find(first->pass);
	const char *type = NULL;
	json_t *m;
	size_t i;

	if (first->resource)
		type = cfh_resource_type(cfh_resource(t, first->resource));
	cfh_buf_addf(b, "### %zu. %s", num, p ? cfh_pass_title(p) : first->pass);
	if (first->resource)
		cfh_buf_addf(b, ": `%s`", first->resource);
	cfh_buf_adds(b, "\n\n**Impact Level**: ");
	cap_name(b, first->severity);
	cfh_buf_adds(b, "\n\n");
	if (first->resource)
		cfh_buf_addf(b, "**Resource**: `%s`%s%s%s\n\n", first->resource,
			     type ? " (`" : "", type ? type : "",
			     type ? "`)" : "");
	if (p)
		cfh_buf_addf(b, "**Pass**: `%s` (fixes %s)\n\n**Issue**: %s\n\n",
			     first->pass, cfh_pass_fixes(p),
			     cfh_pass_rationale(p));
	cfh_buf_adds(b, advisory ? "**Left for a human decision**:\n\n"
				 : "**Fix**:\n\n");
	json_array_foreach(members, i, m)
		md_change(b, t, &t->changes[json_integer_value(m)]);
	cfh_buf_adds(b, "---\n\n");
}

/* Group the changes into findings, in order of first appearance:
 * "pass\tresource" -> [change indexes]. */
static json_t *findings(struct cfh_template *t, bool advisories)
{
	json_t *groups = json_object(), *list;
	struct cfh_buf key;
	size_t i;

	cfh_buf_init(&key);
	for (i = 0; groups && i < t->nchanges; i++) {
		const struct cfh_change *c = &t->changes[i];

		if ((c->op == CFH_OP_ADVISORY) != advisories)
			continue;
		key.len = 0;
		cfh_buf_addf(&key, "%d\t%s\t%s", (int)c->severity, c->pass,
			     c->resource ? c->resource : "");
		if (key.failed)
			break;
		list = json_object_get(groups, key.data);
		if (!list) {
			list = json_array();
			json_object_set_new(groups, key.data, list);
		}
		json_array_append_new(list, json_integer((json_int_t)i));
	}
	cfh_buf_release(&key);
	return groups;
}

static char *report_md(struct cfh_template *t, const char *name)
{
	struct cfh_buf b;
	size_t count[CFH_SEV_COUNT] = { 0 }, i, adv = 0, num = 0;
	json_t *changes = findings(t, false), *advs = findings(t, true);
	json_t *passes = json_object(), *members;
	const char *key;
	int s;

	cfh_buf_init(&b);
	for (i = 0; i < t->nchanges; i++) {
		const struct cfh_change *c = &t->changes[i];
		json_t *n = json_object_get(passes, c->pass);

		if (!n) {
			n = json_pack("[i,i]", 0, 0);
			json_object_set_new(passes, c->pass, n);
		}
		if (c->op == CFH_OP_ADVISORY) {
			adv++;
			json_array_set_new(n, 1, json_integer(json_integer_value(
							 json_array_get(n, 1)) + 1));
		} else {
			count[c->severity]++;
			json_array_set_new(n, 0, json_integer(json_integer_value(
							 json_array_get(n, 0)) + 1));
		}
	}
	cfh_buf_addf(&b, "# Template Hardening Analysis: %s\n\n", name);
	cfh_buf_adds(&b, "This document lists every change cfn-harden made "
			 "to the template, grouped into findings (what one pass "
			 "did to one resource), with why it matters, and every "
			 "finding it left for a human decision.\n\n");
	cfh_buf_adds(&b, "## Summary\n\n**Total Changes**: ");
	for (s = 0; s < CFH_SEV_COUNT; s++) {
		cfh_buf_addf(&b, "%s%zu ", s ? ", " : "", count[s]);
		cap_name(&b, (enum cfh_severity)s);
	}
	cfh_buf_addf(&b, " in %zu findings\n\n**Advisories**: %zu\n\n",
		     json_object_size(changes), adv);
	if (!t->nchanges) {
		cfh_buf_adds(&b, "No pass found anything to change.\n\n");
	} else {
		cfh_buf_adds(&b, "| pass | changes | advisories |\n"
				 "| --- | --- | --- |\n");
		json_object_foreach(passes, key, members)
			cfh_buf_addf(&b, "| `%s` | %lld | %lld |\n", key,
				     (long long)json_integer_value(json_array_get(members, 0)),
				     (long long)json_integer_value(json_array_get(members, 1)));
		cfh_buf_adds(&b, "\n");
	}
	cfh_buf_adds(&b, "---\n\n");
	for (s = 0; s < CFH_SEV_COUNT; s++) {
		bool head = false;

		json_object_foreach(changes, key, members) {
			if (atoi(key) != s)
				continue;
			if (!head) {
				cfh_buf_adds(&b, "## ");
				cap_name(&b, (enum cfh_severity)s);
				cfh_buf_adds(&b, " Findings\n\n");
				head = true;
			}
			md_finding(&b, t, members, ++num, false);
		}
	}
	if (json_object_size(advs)) {
		cfh_buf_adds(&b, "## Advisories (not changed)\n\n");
		json_object_foreach(advs, key, members)
			md_finding(&b, t, members, ++num, true);
	}
	json_decref(changes);
	json_decref(advs);
	json_decref(passes);
	return cfh_buf_steal(&b, NULL);
}

char *cfh_report(struct cfh_template *t, enum cfh_report_format fmt,
		 const char *input_name)
{
	return fmt == CFH_REPORT_MD ? report_md(t, input_name)
				    : report_json(t, input_name);
}

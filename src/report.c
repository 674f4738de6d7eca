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
#include "options.h"
#include "replace.h"
#include "report.h"

static const char *const op_names[] = { "add", "replace", "remove",
					"advisory" };

/*
 * Every resource the run replaces, once, with the chain that replaces it:
 * [{"resource": "Cluster", "chain": ["SubnetGroup", "Cluster"],
 *   "because": "Cluster (its DBSubnetGroupName names SubnetGroup)"}].
 */
/* ["Cluster (its DBSubnetGroupName names SubnetGroup)", ...] of one
 * change. */
static json_t *replaced_sentences(const struct cfh_change *c)
{
	json_t *out = json_array(), *chain;
	size_t k;
	char *d;

	json_array_foreach(c->replaced, k, chain) {
		d = cfh_replace_describe(chain);
		if (d)
			json_array_append_new(out, json_string(d));
		free(d);
	}
	return out;
}

json_t *cfh_report_replaced(const struct cfh_run *r)
{
	json_t *out = json_array(), *seen = json_object();
	size_t i, k, j;

	for (i = 0; out && seen && i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];
		json_t *chain;

		if (c->op == CFH_OP_ADVISORY || !c->replaced)
			continue;
		json_array_foreach(c->replaced, k, chain) {
			size_t n = json_array_size(chain);
			const char *last = json_string_value(json_object_get(
				json_array_get(chain, n - 1), "resource"));
			json_t *ids = json_array(), *l;
			char *because;

			if (!last || json_object_get(seen, last)) {
				json_decref(ids);
				continue;
			}
			json_array_foreach(chain, j, l)
				json_array_append(ids, json_object_get(l, "resource"));
			because = cfh_replace_describe(chain);
			if (json_object_set_new(seen, last, json_true()) ||
			    json_array_append_new(
				    out, json_pack("{s:s, s:o, s:s?}", "resource",
						   last, "chain", ids, "because",
						   because))) {
				free(because);
				json_decref(out);
				out = NULL;
				break;
			}
			free(because);
		}
	}
	json_decref(seen);
	return out;
}

static json_t *summary(const struct cfh_run *r)
{
	json_t *sev = json_object(), *pass = json_object(), *s;
	json_t *replaced = cfh_report_replaced(r);
	size_t i, adv = 0, ch = 0;

	for (i = 0; i < CFH_SEV_COUNT; i++)
		json_object_set_new(sev, cfh_severity_name(i), json_integer(0));
	for (i = 0; i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];
		const char *sn = cfh_severity_name(c->severity);
		json_t *n;

		if (c->op == CFH_OP_ADVISORY) {
			adv++;
			continue;
		}
		ch++;
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
		      (json_int_t)json_array_size(replaced), "by_severity", sev,
		      "by_pass", pass);
	json_decref(replaced);
	return s;
}

json_t *cfh_report_value(struct cfh_run *r, const char *name)
{
	struct cfh_template *t = r->t;
	json_t *list, *c;
	size_t i;

	list = json_array();
	for (i = 0; list && i < r->nchanges; i++) {
		const struct cfh_change *ch = &r->changes[i];

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
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o*, s:o*, s:o*}", "tool",
			 "cfn-harden", "version", CFH_VERSION, "template", name,
			 "format", t->conv.json ? "json" : "yaml", "mode",
			 cfh_opt_str(r, "general.mode"), "summary", summary(r),
			 "replaced", cfh_report_replaced(r), "changes", list);
}

char *cfh_json_dump_take(json_t *v)
{
	char *s = v ? cfh_json_dumps(v, JSON_INDENT(2))
		    : NULL;
	size_t len;
	char *r;

	json_decref(v);
	if (!s)
		return NULL;
	/* Text files end with a newline. */
	len = strlen(s);
	r = realloc(s, len + 2);
	if (!r) {
		free(s);
		return NULL;
	}
	r[len] = '\n';
	r[len + 1] = '\0';
	return r;
}

/* ---- SARIF 2.1.0 ---- */

/* GitHub code scanning ranks by security-severity (0.0-10.0). */
static const char *const sarif_level[] = { "error", "error", "warning",
					    "note" };
static const char *const sarif_score[] = { "9.0", "7.0", "5.0", "3.0" };

static json_t *sarif_rule(const struct cfh_pass *p)
{
	json_t *tags = json_array(), *checks = json_array();
	const char *lists[2] = { p->fixes, p->checks };
	json_t *into[2] = { tags, checks };
	int k;

	for (k = 0; k < 2; k++) {
		const char *c = lists[k];

		while (c && *c) {
			size_t n = strcspn(c, " ");

			if (n)
				json_array_append_new(into[k],
						      json_stringn(c, n));
			c += n;
			c += strspn(c, " ");
		}
	}
	json_array_append_new(tags, json_string("security"));
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
			 "s:{s:o, s:s, s:o}}",
			 "id", p->id, "name", p->id, "shortDescription",
			 "text", p->title, "fullDescription", "text",
			 p->rationale, "help", "text", p->example,
			 "defaultConfiguration", "level",
			 sarif_level[p->severity], "properties", "tags", tags,
			 "security-severity", sarif_score[p->severity],
			 "checks", checks);
}

json_t *cfh_sarif_results(struct cfh_run *r, const char *name)
{
	json_t *results = json_array(), *res, *loc;
	size_t i, pi;

	for (i = 0; results && i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];

		for (pi = 0; pi < cfh_pass_count() &&
			     strcmp(cfh_pass_at(pi)->id, c->pass);
		     pi++)
			;
		loc = json_pack("{s:{s:s}}", "artifactLocation", "uri", name);
		if (loc && c->line > 0)
			json_object_set_new(loc, "region",
					    json_pack("{s:i, s:i}", "startLine",
						      c->line, "startColumn",
						      c->col > 0 ? c->col : 1));
		res = json_pack("{s:s, s:I, s:s, s:s, s:{s:s}, s:[{s:o*, s:[{s:s, s:s}]}], "
			      "s:{s:s, s:s, s:b}}",
			      "ruleId", c->pass, "ruleIndex", (json_int_t)pi,
			      "level",
			      c->op == CFH_OP_ADVISORY ? "warning"
						       : sarif_level[c->severity],
			      "kind", c->op == CFH_OP_ADVISORY ? "review" : "fail",
			      "message", "text", c->reason, "locations",
			      "physicalLocation", loc, "logicalLocations",
			      "fullyQualifiedName", *c->path ? c->path : "/",
			      "kind", "object", "properties", "op",
			      op_names[c->op], "pointer", c->path, "replaces",
			      c->replaces);
		/* A replacing change names all it replaces, as the JSON
		 * report's "replaced" does. */
		if (res && c->op != CFH_OP_ADVISORY &&
		    json_array_size(c->replaced))
			json_object_set_new(json_object_get(res, "properties"),
					    "replaced", replaced_sentences(c));
		if (!res || json_array_append_new(results, res)) {
			json_decref(results);
			results = NULL;
		}
	}
	return results;
}

json_t *cfh_sarif_log_take(json_t *results)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; rules && i < cfh_pass_count(); i++)
		json_array_append_new(rules, sarif_rule(cfh_pass_at(i)));
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o*}}, s:o*}]}",
			 "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json",
			 "version", "2.1.0", "runs", "tool", "driver", "name",
			 "cfn-harden", "version", CFH_VERSION, "informationUri",
			 "https://github.com/cfn-harden/cfn-harden", "rules",
			 rules, "results", results);
}

/* ---- RFC 6902 JSON Patch ---- */

/*
 * The records, in order, as patch operations on the template's JSON data:
 * each path is where the edit landed when it was made, so applying them
 * one after the other to the input gives the output.
 */
static json_t *json_patch(const struct cfh_run *r)
{
	json_t *ops = json_array(), *op;
	size_t i;

	for (i = 0; ops && i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];

		if (c->op == CFH_OP_ADVISORY)
			continue;
		op = json_pack("{s:s, s:s}", "op", op_names[c->op], "path",
			       c->path);
		if (op && c->new_value)
			json_object_set(op, "value", c->new_value);
		if (!op || json_array_append_new(ops, op)) {
			json_decref(ops);
			ops = NULL;
		}
	}
	return ops;
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

/* The checks of other tools the pass satisfies, tool by tool. */
static void md_checks(struct cfh_buf *b, const struct cfh_pass *p)
{
	static const char *const tools[][2] = {
		{ "checkov", "checkov" }, { "cfn_nag", "cfn_nag" },
		{ "guard", "cfn-guard" }, { "cdk_nag", "cdk-nag" },
		{ "cfn-lint", "cfn-lint" },
	};
	size_t k, tl;
	bool any = false;

	for (k = 0; k < sizeof(tools) / sizeof(tools[0]); k++) {
		const char *c = p->checks;
		bool first = true;

		tl = strlen(tools[k][0]);
		while (c && *c) {
			size_t n = strcspn(c, " ");

			if (n > tl && !strncmp(c, tools[k][0], tl) &&
			    c[tl] == ':') {
				if (first)
					cfh_buf_addf(b, "%s%s",
						     any ? "; " : "**Satisfies**: ",
						     tools[k][1]);
				cfh_buf_addf(b, "%s `%.*s`", first ? "" : ",",
					     (int)(n - tl - 1), c + tl + 1);
				any = true;
				first = false;
			}
			c += n;
			c += strspn(c, " ");
		}
	}
	if (any)
		cfh_buf_adds(b, "\n\n");
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
static void md_finding(struct cfh_buf *b, struct cfh_run *r,
		       const json_t *members, size_t num, bool advisory)
{
	const struct cfh_change *first =
		&r->changes[json_integer_value(json_array_get(members, 0))];
	const struct cfh_pass *p = cfh_pass_find(first->pass);
	const char *type = NULL;
	json_t *m;
	size_t i;

	if (first->resource)
		type = cfh_resource_type(cfh_resource(r->t, first->resource));
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
	if (p) {
		cfh_buf_addf(b, "**Pass**: `%s` (fixes %s)\n\n",
			     first->pass, cfh_pass_fixes(p));
		md_checks(b, p);
		cfh_buf_addf(b, "**Issue**: %s\n\n", cfh_pass_rationale(p));
	}
	cfh_buf_adds(b, advisory ? "**Left for a human decision**:\n\n"
				 : "**Fix**:\n\n");
	json_array_foreach(members, i, m)
		md_change(b, r->t, &r->changes[json_integer_value(m)]);
	cfh_buf_adds(b, "---\n\n");
}

/* Group the changes into findings, in order of first appearance:
 * "pass\tresource" -> [change indexes]. */
static json_t *findings(struct cfh_run *r, bool advisories)
{
	json_t *groups = json_object(), *list;
	struct cfh_buf key;
	size_t i;

	cfh_buf_init(&key);
	for (i = 0; groups && i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];

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

static char *report_md(struct cfh_run *r, const char *name)
{
	struct cfh_buf b;
	size_t count[CFH_SEV_COUNT] = { 0 }, i, adv = 0, num = 0;
	json_t *changes = findings(r, false), *advs = findings(r, true);
	json_t *passes = json_object(), *members, *replaced, *rep;
	const char *key;
	int s;

	cfh_buf_init(&b);
	for (i = 0; i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];
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
	cfh_buf_addf(&b, "**Mode**: %s\n\n",
		     strcmp(cfh_opt_str(r, "general.mode"), "deployed")
			     ? "new-stack (a first draft that nothing uses "
			       "yet)"
			     : "deployed (the template may already run: "
			       "what its clients use keeps working)");
	cfh_buf_adds(&b, "## Summary\n\n**Total Changes**: ");
	for (s = 0; s < CFH_SEV_COUNT; s++) {
		cfh_buf_addf(&b, "%s%zu ", s ? ", " : "", count[s]);
		cap_name(&b, (enum cfh_severity)s);
	}
	cfh_buf_addf(&b, " in %zu findings\n\n**Advisories**: %zu\n\n",
		     json_object_size(changes), adv);
	/* What a deploy would replace comes first: it is what a reviewer
	 * must not miss. */
	replaced = cfh_report_replaced(r);
	if (json_array_size(replaced)) {
		cfh_buf_addf(&b, "**Replaced on deploy**: %zu resources (a new "
			     "physical resource; the old one's data and name "
			     "do not carry over)\n\n",
			     json_array_size(replaced));
		json_array_foreach(replaced, i, rep)
			cfh_buf_addf(&b, "- %s\n",
				     json_string_value(json_object_get(rep, "because")));
		cfh_buf_adds(&b, "\n");
	}
	json_decref(replaced);
	if (!r->nchanges) {
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
			md_finding(&b, r, members, ++num, false);
		}
	}
	if (json_object_size(advs)) {
		cfh_buf_adds(&b, "## Advisories (not changed)\n\n");
		json_object_foreach(advs, key, members)
			md_finding(&b, r, members, ++num, true);
	}
	json_decref(changes);
	json_decref(advs);
	json_decref(passes);
	return cfh_buf_steal(&b, NULL);
}

char *cfh_report(struct cfh_run *r, enum cfh_report_format fmt,
		 const char *input_name)
{
	struct cfh_template *t = r->t;
	char *out, *s;
	size_t len;

	switch (fmt) {
	case CFH_REPORT_MD:
		return report_md(r, input_name);
	case CFH_REPORT_SARIF:
		return cfh_json_dump_take(
			cfh_sarif_log_take(cfh_sarif_results(r, input_name)));
	case CFH_REPORT_JSON_PATCH:
		return cfh_json_dump_take(json_patch(r));
	case CFH_REPORT_DIFF:
		out = cfh_template_print(t, &len);
		if (!out)
			return NULL;
		s = cfh_diff(t->src, t->len, out, len, input_name);
		free(out);
		return s;
	case CFH_REPORT_JSON:
		break;
	}
	return cfh_json_dump_take(cfh_report_value(r, input_name));
}

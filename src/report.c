/* SPDX-License-Identifier: MIT */
/*
 * Reports, all made from the same change records. JSON and SARIF for
 * machines, every record; the Markdown report for a reviewer, in the form
 * of the seed failure analyses: a summary first (problems by severity,
 * replacements, advisories), then one finding per problem with a short
 * snippet of its fix, most severe first, tags and outputs last.
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

/* ---- Markdown ---- */

/*
 * The Markdown report reads like the seed failure analyses: a summary
 * first (problems by severity, what a deploy would replace, what needs a
 * decision), then the findings, most severe first. A finding is what one
 * pass fixed on one resource: the unit a reviewer weighs, where an edit is
 * only a line of the diff. Each kind of problem (a pass) is explained
 * once, and each fix is a snippet of a few lines; the diff has the rest.
 */

/* Snippet lines are cut at this width, and a collection whose flow form
 * fits in it is written on one line. */
#define MD_WIDTH 100
/* Lines one edit may take in a snippet, and one finding's snippet. */
#define MD_EDIT_LINES 4
#define MD_SNIPPET_LINES 6
/* Fixes of one line each, this long in all, go on the finding's line. */
#define MD_INLINE 120

/*
 * Passes that keep books rather than fix problems. Tags and outputs make
 * resources easy to tell apart and to reach, but they are two thirds of
 * all edits and would bury the fixes a reviewer must weigh: they are
 * counted apart from the problems and listed last, one line per group.
 */
static bool md_bookkeeping(const char *pass)
{
	return !strcmp(pass, "tags") || !strcmp(pass, "outputs");
}

struct md_finding {
	const char *pass;
	const struct cfh_pass *p;	/* NULL for an id not in the registry */
	enum cfh_severity sev;
	size_t order;			/* registry index of the pass */
	char *subject;			/* a logical ID, or for changes outside
					 * Resources their section */
	char *entry;			/* in a section: the entry ("AlarmEmail"
					 * of Parameters), or NULL */
	bool resource;			/* subject is a logical ID */
	size_t *idx;			/* the changes, in the order made */
	size_t n;
};

struct md {
	struct cfh_run *r;
	struct md_finding *f;
	size_t nf;
	json_t *added;			/* {"/Resources/Queue": true} of the
					 * resources and other entries the run
					 * added */
};

static void cap_name(struct cfh_buf *b, enum cfh_severity sev)
{
	const char *n = cfh_severity_name(sev);

	cfh_buf_addc(b, (char)(n[0] - 32));
	cfh_buf_adds(b, n + 1);
}

/* Segment @i (0 for the first) of a JSON Pointer, unescaped; NULL when
 * there is none or out of memory. The caller frees it. */
static char *md_segment(const char *path, size_t i)
{
	const char *s = path, *end;
	struct cfh_buf b;

	for (;;) {
		if (*s != '/')
			return NULL;
		s++;
		end = s + strcspn(s, "/");
		if (!i--)
			break;
		s = end;
	}
	cfh_buf_init(&b);
	for (; s < end; s++) {
		if (*s == '~' && s + 1 < end && (s[1] == '0' || s[1] == '1')) {
			cfh_buf_addc(&b, s[1] == '0' ? '~' : '/');
			s++;
		} else {
			cfh_buf_addc(&b, *s);
		}
	}
	return cfh_buf_steal(&b, NULL);
}

/* The last segment of @path, unescaped; NULL for the root. */
static char *md_last(const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n = 0;

	if (!s)
		return NULL;
	for (s = path; *s; s++)
		n += *s == '/';
	return md_segment(path, n - 1);
}

/* The input line where entry @name of @section starts ("Queue:" in
 * Resources), or 0 for one the run added. */
static int md_entry_line(const struct cfh_template *t, const char *section,
			 const char *name)
{
	const struct cfh_node *n =
		name ? cfh_map_get(cfh_template_section(t, section), name) : NULL;
	const struct cfh_entry *e = n ? cfh_node_entry(n) : NULL;

	return e && e->key && !(n->flags & CFH_NF_NEW) ? e->key->line : 0;
}

/* Is @c the addition of a whole resource, "/Resources/<ID>"? */
static bool md_adds_resource(const struct cfh_change *c)
{
	return c->op == CFH_OP_ADD && c->resource &&
	       !strncmp(c->path, "/Resources/", 11) &&
	       !strcmp(c->path + 11, c->resource);
}

/*
 * A change that only makes room for the next ones ("add Properties", an
 * empty Conditions section) says nothing a reviewer needs: it is left out
 * when a later change lands inside it.
 */
static bool md_scaffold(const struct cfh_run *r, size_t i)
{
	const struct cfh_change *c = &r->changes[i];
	size_t len = strlen(c->path), j;

	if (c->op != CFH_OP_ADD || !c->new_value ||
	    (json_is_object(c->new_value) ? json_object_size(c->new_value)
					  : !json_is_array(c->new_value) ||
						    json_array_size(c->new_value)))
		return false;
	for (j = i + 1; j < r->nchanges; j++) {
		const char *p = r->changes[j].path;

		if (!strncmp(p, c->path, len) && p[len] == '/')
			return true;
	}
	return false;
}

static int md_cmp(const void *a, const void *b)
{
	const struct md_finding *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev < y->sev ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->idx[0] < y->idx[0] ? -1 : x->idx[0] > y->idx[0];
}

static void md_release(struct md *m)
{
	size_t i;

	for (i = 0; i < m->nf; i++) {
		free(m->f[i].subject);
		free(m->f[i].entry);
		free(m->f[i].idx);
	}
	free(m->f);
	json_decref(m->added);
}

/*
 * Group the changes (advisories and scaffolding aside) into findings: one
 * per pass and resource, or per pass and entry of another section (a
 * parameter, an output), most severe first, then in the registry's order,
 * then in the order made.
 */
static int md_collect(struct md *m)
{
	struct cfh_run *r = m->r;
	json_t *index = json_object(), *slot;
	struct cfh_buf key;
	size_t i, k, *idx;
	int rc = -1;

	cfh_buf_init(&key);
	m->added = json_object();
	if (!index || !m->added)
		goto out;
	for (i = 0; i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];
		const struct cfh_pass *p = cfh_pass_find(c->pass);
		struct md_finding *f;
		char *subject, *entry = NULL;

		if (c->op == CFH_OP_ADVISORY || md_scaffold(r, i))
			continue;
		if (c->op == CFH_OP_ADD && c->path[0] == '/' &&
		    strchr(c->path + 1, '/') &&
		    !strchr(strchr(c->path + 1, '/') + 1, '/') &&
		    json_object_set_new(m->added, c->path, json_true()))
			goto out;
		if (c->resource) {
			subject = strdup(c->resource);
		} else {
			subject = md_segment(c->path, 0);
			entry = md_segment(c->path, 1);
		}
		if (!subject)
			subject = strdup("");
		if (!subject) {
			free(entry);
			goto out;
		}
		key.len = 0;
		cfh_buf_addf(&key, "%s\t%d\t%s\t%s", c->pass,
			     c->resource != NULL, subject, entry ? entry : "");
		slot = key.failed ? NULL : json_object_get(index, key.data);
		if (key.failed || slot) {
			free(subject);
			free(entry);
			if (key.failed)
				goto out;
			f = &m->f[json_integer_value(slot)];
		} else {
			f = realloc(m->f, (m->nf + 1) * sizeof(*f));
			if (!f || json_object_set_new(index, key.data,
						      json_integer((json_int_t)m->nf))) {
				if (f)
					m->f = f;
				free(subject);
				free(entry);
				goto out;
			}
			m->f = f;
			f = &m->f[m->nf++];
			memset(f, 0, sizeof(*f));
			f->pass = c->pass;
			f->p = p;
			f->sev = c->severity;
			f->order = p ? cfh_pass_index(p) : cfh_pass_count();
			f->subject = subject;
			f->entry = entry;
			f->resource = c->resource != NULL;
		}
		idx = realloc(f->idx, (f->n + 1) * sizeof(*idx));
		if (!idx)
			goto out;
		f->idx = idx;
		f->idx[f->n++] = i;
	}
	for (k = 0; k < m->nf; k++)
		if (!m->f[k].n)
			goto out;
	if (m->nf)
		qsort(m->f, m->nf, sizeof(*m->f), md_cmp);
	rc = 0;
out:
	json_decref(index);
	cfh_buf_release(&key);
	return rc;
}

/* Is the edit at @path an item of a list (to be shown as "- value", not
 * as "'3': value")? */
static bool md_is_item(const struct cfh_template *t, const char *path)
{
	const char *s = strrchr(path, '/');
	const struct cfh_node *parent;
	char *up;

	if (!s || !s[1] || strspn(s + 1, "0123456789") != strlen(s + 1))
		return false;
	up = strndup(path, (size_t)(s - path));
	if (!up)
		return true;
	parent = cfh_node_at(t, up);
	free(up);
	/* A list may be gone since (a later edit removed it): digits are
	 * then the best guess, as template keys are rarely numbers. */
	return !parent || parent->kind == CFH_SEQ;
}

/* Characters on the last line of @b. */
static size_t md_column(const struct cfh_buf *b)
{
	size_t i = b->len;

	while (i > 0 && b->data[i - 1] != '\n')
		i--;
	return b->len - i;
}

static void md_newline(struct cfh_buf *b, int col)
{
	cfh_buf_addc(b, '\n');
	cfh_buf_pad(b, ' ', (size_t)(col > 0 ? col : 0));
}

/*
 * @n after "key:" (@item false, @col the key's column) or after "-"
 * (@item true, @col the dash's column), in block style, except that a
 * collection whose flow form fits on the line is written in flow: a
 * snippet shows more of a fix in a few lines that way.
 */
static void md_yaml(struct cfh_buf *b, const struct cfh_template *t,
		    const struct cfh_node *n, int col, bool item)
{
	enum cfh_ctx ctx = item ? CFH_CTX_BLOCK_ITEM : CFH_CTX_BLOCK_VALUE;
	int inner = item ? col + 2 : col + t->conv.indent;
	int seqcol = item ? col + 2
			  : col + (t->conv.seq_indented ? t->conv.indent : 0);
	const struct cfh_entry *e;
	struct cfh_buf tmp;
	bool first = true;

	/* Scalars, and what is one line in block style too (!Ref X), as
	 * the file would have them. */
	cfh_buf_init(&tmp);
	cfh_render(&tmp, t, n, ctx, col, true);
	if (n->kind == CFH_SCALAR || !cfh_node_count(n) ||
	    (!tmp.failed && !memchr(tmp.data, '\n', tmp.len) &&
	     md_column(b) + tmp.len <= MD_WIDTH)) {
		cfh_buf_add(b, tmp.data, tmp.len);
		b->failed |= tmp.failed;
		goto out;
	}
	tmp.len = 0;
	cfh_render(&tmp, t, n, CFH_CTX_FLOW, 0, false);
	if (!tmp.failed && md_column(b) + 1 + tmp.len <= MD_WIDTH) {
		cfh_buf_addc(b, ' ');
		cfh_buf_add(b, tmp.data, tmp.len);
		goto out;
	}
	/* An intrinsic function in the short form (!Sub, !If): the
	 * renderer knows how to write it in block style. */
	if (t->conv.short_tags && n->kind == CFH_MAP && n->n == 1 &&
	    n->ent[0].key && cfh_fn_tag_for(n->ent[0].key->text)) {
		cfh_render(b, t, n, ctx, col, true);
		goto out;
	}
	if (item)
		cfh_buf_addc(b, ' ');
	else
		md_newline(b, n->kind == CFH_MAP ? inner : seqcol);
	cfh_for_each_entry(n, e) {
		if (!first)
			md_newline(b, n->kind == CFH_MAP ? inner : seqcol);
		first = false;
		if (n->kind == CFH_MAP) {
			cfh_render_key(b, t, e->key->text, false);
			cfh_buf_addc(b, ':');
			md_yaml(b, t, e->value, inner, false);
		} else {
			cfh_buf_addc(b, '-');
			md_yaml(b, t, e->value, seqcol, true);
		}
	}
out:
	cfh_buf_release(&tmp);
}

/* @v as JSON at column @col, the same way: one line where it fits. */
static void md_json(struct cfh_buf *b, const struct cfh_template *t,
		    const json_t *v, int col, int step)
{
	char *s = cfh_json_dumps(v, JSON_ENCODE_ANY);
	const char *k;
	json_t *x;
	size_t i;
	bool first = true;

	if (!s) {
		b->failed = true;
		return;
	}
	if ((!json_is_object(v) && !json_is_array(v)) ||
	    md_column(b) + strlen(s) <= MD_WIDTH ||
	    !(json_is_object(v) ? json_object_size(v) : json_array_size(v))) {
		cfh_buf_adds(b, s);
		free(s);
		return;
	}
	free(s);
	cfh_buf_addc(b, json_is_object(v) ? '{' : '[');
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			cfh_buf_adds(b, first ? "" : ",");
			first = false;
			md_newline(b, col + step);
			cfh_render_key(b, t, k, true);
			cfh_buf_adds(b, ": ");
			md_json(b, t, x, col + step, step);
		}
	} else {
		json_array_foreach(v, i, x) {
			cfh_buf_adds(b, i ? "," : "");
			md_newline(b, col + step);
			md_json(b, t, x, col + step, step);
		}
	}
	md_newline(b, col);
	cfh_buf_addc(b, json_is_object(v) ? '}' : ']');
}

/* One edit's new text: "key: value", or "- value" for a list item, in
 * the template's own format, with "\n" line breaks. */
static void md_edit(struct cfh_buf *b, struct cfh_template *t,
		    const struct cfh_change *c)
{
	bool item = md_is_item(t, c->path);
	char *key = item ? NULL : md_last(c->path);
	struct cfh_node *n;
	int step = t->conv.junit == ' ' && t->conv.jindent > 0
			   ? t->conv.jindent
			   : 2;

	if (!item && !key) {
		b->failed = true;
		return;
	}
	if (t->conv.json) {
		if (!item) {
			cfh_render_key(b, t, key, true);
			cfh_buf_adds(b, ": ");
		}
		md_json(b, t, c->new_value, 0, step);
	} else if (!(n = cfh_node_from_json(t, c->new_value))) {
		b->failed = true;
	} else if (item) {
		cfh_buf_addc(b, '-');
		md_yaml(b, t, n, 0, true);
	} else {
		cfh_render_key(b, t, key, false);
		cfh_buf_addc(b, ':');
		md_yaml(b, t, n, 0, false);
	}
	free(key);
}

/*
 * What a replaced value was, when it is short enough to say on the
 * finding's line ("was `AES256`"); nothing otherwise. @b is emptied
 * first.
 */
static void md_was(struct cfh_buf *b, struct cfh_template *t,
		   const struct cfh_change *c)
{
	struct cfh_node *n;

	b->len = 0;
	if (c->op != CFH_OP_REPLACE || !c->old_value)
		return;
	if (t->conv.json) {
		char *s = cfh_json_dumps(c->old_value, JSON_ENCODE_ANY);

		if (!s) {
			b->failed = true;
			return;
		}
		cfh_buf_adds(b, s);
		free(s);
	} else if ((n = cfh_node_from_json(t, c->old_value))) {
		cfh_render(b, t, n, CFH_CTX_FLOW, 0, false);
	} else {
		b->failed = true;
	}
	if (b->len > MD_WIDTH / 2 || (b->data && memchr(b->data, '\n', b->len)))
		b->len = 0;
}

/* @s as inline code, with a longer fence when it holds a backtick. */
static void md_code(struct cfh_buf *b, const char *s)
{
	bool tick = strchr(s, '`') != NULL;

	cfh_buf_adds(b, tick ? "`` " : "`");
	cfh_buf_adds(b, s);
	cfh_buf_adds(b, tick ? " ``" : "`");
}

static size_t md_count_lines(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A snippet line: @pad spaces, the line, cut at MD_WIDTH (never inside a
 * UTF-8 character) with "..." where it goes on. */
static void md_snippet_line(struct cfh_buf *b, size_t pad, const char *s,
			    size_t len)
{
	cfh_buf_pad(b, ' ', pad);
	if (len > MD_WIDTH) {
		len = MD_WIDTH - 3;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
		cfh_buf_add(b, s, len);
		cfh_buf_adds(b, "...");
	} else {
		cfh_buf_add(b, s, len);
	}
	cfh_buf_addc(b, '\n');
}

/* "# ... 12 more lines" in YAML; JSON has no comments, so "...". */
static void md_note(struct cfh_buf *b, const struct cfh_template *t,
		    size_t pad, size_t n, const char *what)
{
	cfh_buf_pad(b, ' ', pad);
	cfh_buf_addf(b, "%s... %zu more %s%s\n", t->conv.json ? "" : "# ", n,
		     what, n == 1 ? "" : "s");
}

/*
 * The fix of finding @num, after its line: the new text of each edit, on
 * the same line when all of it is short (`DeletionPolicy: Retain`), else
 * as a block of at most MD_SNIPPET_LINES lines under the entry, each edit
 * cut at MD_EDIT_LINES, with a note of what is left out. Removals show no
 * text: the reasons name what went. A block the same pass wrote before in
 * the same shape (the same keys, or a new resource of the same type: the
 * next alarm, the next bucket) is not shown again: @shown maps shapes to
 * the finding that shows one.
 */
static void md_fix(struct cfh_buf *b, const struct md *m,
		   const struct md_finding *f, size_t pad, size_t num,
		   json_t *shown)
{
	struct cfh_template *t = m->r->t;
	json_t *texts = json_array(), *was = json_array(), *x, *seen;
	size_t k, i, total = 0, used = 0;
	bool inline_ok = true;
	struct cfh_buf shape;

	cfh_buf_init(&shape);
	cfh_buf_adds(&shape, f->pass);
	if (!texts || !was) {
		b->failed = true;
		goto out;
	}
	for (k = 0; k < f->n; k++) {
		const struct cfh_change *c = &m->r->changes[f->idx[k]];
		struct cfh_buf e;
		size_t r, w;

		/* A new value of the whole template has no key to show it
		 * under; no pass writes one. */
		if (!c->new_value || !*c->path)
			continue;
		if (md_adds_resource(c)) {
			cfh_buf_addf(&shape, "\tresource %s",
				     json_string_value(json_object_get(
					     c->new_value, "Type")));
		} else if (md_is_item(t, c->path)) {
			cfh_buf_adds(&shape, "\t-");
		} else {
			cfh_buf_addc(&shape, '\t');
			cfh_buf_adds(&shape, strrchr(c->path, '/') + 1);
		}
		cfh_buf_init(&e);
		md_edit(&e, t, c);
		/* The renderer breaks lines the file's way; a snippet is
		 * Markdown, with "\n" alone. */
		for (r = w = 0; r < e.len; r++)
			if (e.data[r] != '\r')
				e.data[w++] = e.data[r];
		e.len = w;
		b->failed |= e.failed;
		if (!e.failed &&
		    json_array_append_new(texts, json_stringn(e.data, e.len)))
			b->failed = true;
		if (!e.failed && (memchr(e.data, '\n', e.len) || e.len > MD_WIDTH))
			inline_ok = false;
		total += e.len + 4;
		md_was(&e, t, c);
		if (!e.failed &&
		    json_array_append_new(was, json_stringn(e.data, e.len)))
			b->failed = true;
		cfh_buf_release(&e);
	}
	if (!json_array_size(texts)) {
		cfh_buf_addc(b, '\n');
		goto out;
	}
	if (inline_ok && total <= MD_INLINE) {
		cfh_buf_adds(b, ". **Fix**: ");
		json_array_foreach(texts, i, x) {
			const char *w = json_string_value(json_array_get(was, i));

			cfh_buf_adds(b, i ? ", " : "");
			md_code(b, json_string_value(x));
			if (w && *w) {
				cfh_buf_adds(b, " (was ");
				md_code(b, w);
				cfh_buf_addc(b, ')');
			}
		}
		cfh_buf_addc(b, '\n');
		goto out;
	}
	seen = shape.failed ? NULL : json_object_get(shown, shape.data);
	if (seen) {
		cfh_buf_addf(b, ". **Fix**: as in %lld\n",
			     (long long)json_integer_value(seen));
		goto out;
	}
	if (shape.failed || json_object_set_new(shown, shape.data,
						 json_integer((json_int_t)num)))
		b->failed = true;
	cfh_buf_addc(b, '\n');
	cfh_buf_pad(b, ' ', pad);
	cfh_buf_adds(b, t->conv.json ? "```json\n" : "```yaml\n");
	json_array_foreach(texts, i, x) {
		const char *s = json_string_value(x), *nl;
		size_t lines = md_count_lines(s), show, l;
		size_t left = used < MD_SNIPPET_LINES ? MD_SNIPPET_LINES - used : 0;
		/* The last edit may have what the others left. */
		size_t cap = i + 1 < json_array_size(texts) && left > MD_EDIT_LINES
				     ? MD_EDIT_LINES
				     : left;

		if (used && lines > cap && cap < 3) {
			md_note(b, t, pad, json_array_size(texts) - i, "edit");
			break;
		}
		show = lines > cap ? cap - 1 : lines;
		for (l = 0; l < show; l++) {
			nl = strchr(s, '\n');
			md_snippet_line(b, pad, s, nl ? (size_t)(nl - s) : strlen(s));
			s = nl ? nl + 1 : s + strlen(s);
		}
		/* What is cut is as deep as the line it starts with. */
		if (show < lines)
			md_note(b, t, pad + strspn(s, " "), lines - show, "line");
		used += show + (show < lines);
	}
	cfh_buf_pad(b, ' ', pad);
	cfh_buf_adds(b, "```\n");
out:
	cfh_buf_release(&shape);
	json_decref(texts);
	json_decref(was);
}

/* Is @s among the strings of array @a? */
static bool md_has(const json_t *a, const char *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		if (!strcmp(json_string_value(x), s))
			return true;
	return false;
}

static void md_add_name(json_t *a, const char *s)
{
	if (s && !md_has(a, s))
		json_array_append_new(a, json_string(s));
}

/* Did the run add resource @id, or entry @entry of @section? */
static bool md_added(const struct md *m, const char *section,
		     const char *entry)
{
	struct cfh_buf p;
	bool added;

	if (!entry)
		return false;
	cfh_buf_init(&p);
	cfh_buf_addf(&p, "/%s/%s", section, entry);
	added = !p.failed && json_object_get(m->added, p.data);
	cfh_buf_release(&p);
	return added;
}

/* "**`Queue`**", or "**Parameters** `AlarmEmail`" for a section. */
static void md_subject(struct cfh_buf *b, const struct md_finding *f)
{
	if (f->resource) {
		cfh_buf_addf(b, "**`%s`**", f->subject);
		return;
	}
	cfh_buf_addf(b, "**%s**", *f->subject ? f->subject : "template");
	if (f->entry)
		cfh_buf_addf(b, " `%s`", f->entry);
}

/*
 * One finding, as an item of a numbered list: what (the resource, its
 * type and input line), why (each distinct reason of its edits, once),
 * and the fix.
 */
static void md_entry(struct cfh_buf *b, const struct md *m,
		     const struct md_finding *f, size_t num, json_t *shown)
{
	const struct cfh_template *t = m->r->t;
	json_t *reasons = json_array(), *x;
	const char *type = NULL;
	bool replaces = false, added = false;
	size_t start = b->len, pad, k, i;
	int line = 0, at;

	if (!reasons) {
		b->failed = true;
		return;
	}
	cfh_buf_addf(b, "%zu. ", num);
	pad = b->len - start;
	for (k = 0; k < f->n; k++) {
		const struct cfh_change *c = &m->r->changes[f->idx[k]];

		/* What a change added has no line in the input: the line
		 * given is of the node it went into. */
		if (!line && c->line > 0 && c->op != CFH_OP_ADD)
			line = c->line;
		replaces |= c->replaces;
		md_add_name(reasons, c->reason);
	}
	md_subject(b, f);
	if (f->resource)
		type = cfh_resource_type(cfh_resource(t, f->subject));
	added = md_added(m, f->resource ? "Resources" : f->subject,
			 f->resource ? f->subject : f->entry);
	/* Where the resource or parameter starts, the same for all its
	 * findings, rather than where each pass happened to edit it. */
	at = md_entry_line(t, f->resource ? "Resources" : f->subject,
			   f->resource ? f->subject : f->entry);
	if (at)
		line = at;
	if (type)
		cfh_buf_addf(b, " (`%s`", type);
	/* A resource the run added has no line of its own in the input. */
	if (added)
		cfh_buf_adds(b, type ? ", new" : " (new");
	else if (line)
		cfh_buf_addf(b, "%sline %d", type ? ", " : " (", line);
	if (type || added || line)
		cfh_buf_addc(b, ')');
	cfh_buf_adds(b, ": ");
	json_array_foreach(reasons, i, x)
		cfh_buf_addf(b, "%s%s", i ? "; " : "", json_string_value(x));
	if (replaces)
		cfh_buf_adds(b, "; **replaces the deployed resource**");
	md_fix(b, m, f, pad, num, shown);
	json_decref(reasons);
}

/* A kind of problem, said once before its first finding: the seed
 * analyses' impact level and issue, with the pass that fixes it. */
static void md_kind(struct cfh_buf *b, const struct md_finding *f,
		    size_t count)
{
	if (f->p)
		cfh_buf_addf(b, "### %s\n\n", cfh_pass_title(f->p));
	else
		cfh_buf_addf(b, "### `%s`\n\n", f->pass);
	cfh_buf_adds(b, "**Impact Level**: ");
	cap_name(b, f->sev);
	if (f->p)
		cfh_buf_addf(b, ". **Issue**: %s", cfh_pass_rationale(f->p));
	cfh_buf_addf(b, " (pass `%s`, %zu finding%s", f->pass, count,
		     count == 1 ? "" : "s");
	if (f->p && *cfh_pass_fixes(f->p))
		cfh_buf_addf(b, "; fixes %s", cfh_pass_fixes(f->p));
	cfh_buf_adds(b, ")\n\n");
}

/* The advisories, one line each: what, where, and what to decide. */
static void md_advisories(struct cfh_buf *b, const struct md *m)
{
	const struct cfh_run *r = m->r;
	size_t i, n = 0;

	for (i = 0; i < r->nchanges; i++)
		n += r->changes[i].op == CFH_OP_ADVISORY;
	if (!n) {
		cfh_buf_adds(b, "**Advisories needing a decision**: none\n\n");
		return;
	}
	cfh_buf_addf(b, "### Advisories needing a decision (%zu)\n\n", n);
	for (i = 0; i < r->nchanges; i++) {
		const struct cfh_change *c = &r->changes[i];
		char *sec, *name;

		if (c->op != CFH_OP_ADVISORY)
			continue;
		if (c->resource) {
			cfh_buf_addf(b, "- **`%s`**", c->resource);
		} else {
			sec = md_segment(c->path, 0);
			name = md_segment(c->path, 1);
			cfh_buf_addf(b, "- **%s**", sec ? sec : "template");
			if (name)
				cfh_buf_addf(b, " `%s`", name);
			free(sec);
			free(name);
		}
		/* The line of what the advisory is about, which is more
		 * precise than where its resource starts. */
		cfh_buf_addf(b, " (`%s`", c->pass);
		if (c->resource && md_added(m, "Resources", c->resource))
			cfh_buf_adds(b, ", new");
		else if (c->line)
			cfh_buf_addf(b, ", line %d", c->line);
		cfh_buf_addf(b, "): %s\n", c->reason);
	}
	cfh_buf_addc(b, '\n');
}

/* "`tags`: 80 edits on 20 resources; `outputs`: 25 edits in Outputs". */
static void md_books_count(struct cfh_buf *b, const struct md *m)
{
	size_t i, k, nres, edits;
	bool any = false;

	for (i = 0; i < cfh_pass_count(); i++) {
		const char *id = cfh_pass_id(cfh_pass_at(i));
		json_t *sections = json_array(), *x;

		if (!sections) {
			b->failed = true;
			return;
		}
		nres = edits = 0;
		for (k = 0; k < m->nf; k++) {
			if (strcmp(m->f[k].pass, id))
				continue;
			edits += m->f[k].n;
			if (m->f[k].resource)
				nres++;
			else
				md_add_name(sections, m->f[k].subject);
		}
		if (edits && md_bookkeeping(id)) {
			cfh_buf_addf(b, "%s`%s`: %zu edit%s", any ? "; " : "",
				     id, edits, edits == 1 ? "" : "s");
			if (nres)
				cfh_buf_addf(b, " on %zu resource%s", nres,
					     nres == 1 ? "" : "s");
			json_array_foreach(sections, k, x)
				cfh_buf_addf(b, "%s%s", k || nres ? " and in " : " in ",
					     json_string_value(x));
			any = true;
		}
		json_decref(sections);
	}
}

/* What a bookkeeping change added, by name: the keys of the tags it
 * wrote, else the last segment of its path. */
static void md_added_names(json_t *names, const struct cfh_change *c)
{
	const json_t *v = c->new_value, *x;
	const char *k;
	size_t len = strlen(c->path), i;
	char *last;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			md_add_name(names, json_string_value(json_object_get(x, "Key")));
		if (json_array_size(v))
			return;
	} else if (json_is_string(json_object_get(v, "Key"))) {
		md_add_name(names, json_string_value(json_object_get(v, "Key")));
		return;
	} else if (json_is_object(v) && len >= 5 &&
		   !strcmp(c->path + len - 5, "/Tags")) {
		/* Tags as a map, as SAM and some types take them. */
		json_object_foreach((json_t *)v, k, x)
			md_add_name(names, k);
		return;
	}
	last = md_last(c->path);
	md_add_name(names, last);
	free(last);
}

/*
 * The bookkeeping passes, last and short: per pass its title, then one
 * line per group of resources that got the same things ("Name,
 * Environment, Project, ManagedBy: `Bucket`, `Queue`"), and one line per
 * section it wrote to ("Outputs: `BucketArn`, `QueueUrl`").
 */
static void md_books(struct cfh_buf *b, const struct md *m)
{
	size_t i, k, j, edits;
	json_t *groups, *names, *list, *x;
	const char *key;
	bool head = false;
	struct cfh_buf nb;

	for (i = 0; i < cfh_pass_count(); i++) {
		const struct cfh_pass *p = cfh_pass_at(i);
		const char *id = cfh_pass_id(p);

		if (!md_bookkeeping(id))
			continue;
		edits = 0;
		for (k = 0; k < m->nf; k++)
			if (!strcmp(m->f[k].pass, id))
				edits += m->f[k].n;
		if (!edits)
			continue;
		if (!head)
			cfh_buf_adds(b, "## Tags and outputs\n\nBookkeeping "
					"rather than problems: what makes "
					"resources easy to tell apart and to "
					"reach.\n\n");
		head = true;
		cfh_buf_addf(b, "**`%s`** (", id);
		cap_name(b, cfh_pass_severity(p));
		cfh_buf_addf(b, "): %s; %zu edit%s.\n\n", cfh_pass_title(p),
			     edits, edits == 1 ? "" : "s");
		groups = json_object();
		cfh_buf_init(&nb);
		for (k = 0; groups && k < m->nf; k++) {
			const struct md_finding *f = &m->f[k];

			if (strcmp(f->pass, id))
				continue;
			/* A resource is grouped by what it got, an entry
			 * of another section by its section. */
			names = json_array();
			for (j = 0; names && f->resource && j < f->n; j++)
				md_added_names(names,
					       &m->r->changes[f->idx[j]]);
			nb.len = 0;
			if (f->resource)
				json_array_foreach(names, j, x)
					cfh_buf_addf(&nb, "%s%s", j ? ", " : "",
						     json_string_value(x));
			else
				cfh_buf_adds(&nb, *f->subject ? f->subject
							      : "template");
			json_decref(names);
			if (!names || nb.failed) {
				b->failed = true;
				break;
			}
			list = json_object_get(groups, nb.data);
			if (!list) {
				list = json_array();
				json_object_set_new(groups, nb.data, list);
			}
			md_add_name(list, f->resource || !f->entry ? f->subject
								   : f->entry);
		}
		if (!groups)
			b->failed = true;
		json_object_foreach(groups, key, list) {
			cfh_buf_addf(b, "- %s:", key);
			json_array_foreach(list, j, x)
				cfh_buf_addf(b, "%s`%s`", j ? ", " : " ",
					     json_string_value(x));
			cfh_buf_addc(b, '\n');
		}
		cfh_buf_addc(b, '\n');
		cfh_buf_release(&nb);
		json_decref(groups);
	}
}

static void md_summary(struct cfh_buf *b, const struct md *m)
{
	size_t count[CFH_SEV_COUNT] = { 0 }, problems = 0, edits = 0, i;
	size_t books = 0;
	json_t *replaced, *rep;
	int s;

	for (i = 0; i < m->nf; i++) {
		if (md_bookkeeping(m->f[i].pass)) {
			books++;
			continue;
		}
		count[m->f[i].sev]++;
		problems++;
		edits += m->f[i].n;
	}
	cfh_buf_adds(b, "## Summary\n\n");
	if (!m->r->nchanges) {
		cfh_buf_adds(b, "No pass found anything to change.\n\n");
		return;
	}
	cfh_buf_adds(b, "**Problems found**: ");
	for (s = 0; problems && s < CFH_SEV_COUNT; s++) {
		cfh_buf_addf(b, "%s%zu ", s ? ", " : "", count[s]);
		cap_name(b, (enum cfh_severity)s);
	}
	if (problems)
		cfh_buf_addf(b, " (%zu finding%s, made of %zu edit%s)\n\n",
			     problems, problems == 1 ? "" : "s", edits,
			     edits == 1 ? "" : "s");
	else
		cfh_buf_adds(b, "none\n\n");
	if (books) {
		cfh_buf_adds(b, "**Tags and outputs** (listed last): ");
		md_books_count(b, m);
		cfh_buf_adds(b, "\n\n");
	}
	/* What a deploy would replace comes early: it is what a reviewer
	 * must not miss. */
	replaced = cfh_report_replaced(m->r);
	if (!replaced)
		b->failed = true;
	if (json_array_size(replaced)) {
		cfh_buf_addf(b, "**Replaced on deploy**: %zu resource%s (a new "
			     "physical resource; the old one's data and name "
			     "do not carry over)\n\n",
			     json_array_size(replaced),
			     json_array_size(replaced) == 1 ? "" : "s");
		json_array_foreach(replaced, i, rep)
			cfh_buf_addf(b, "- %s\n",
				     json_string_value(json_object_get(rep, "because")));
		cfh_buf_adds(b, "\n");
	}
	json_decref(replaced);
	md_advisories(b, m);
}

/* The problems, most severe first; a kind's issue before its first
 * finding. */
static void md_findings(struct cfh_buf *b, const struct md *m)
{
	json_t *shown = json_object();
	size_t i, k, n, num = 0;
	int s;

	if (!shown)
		b->failed = true;
	for (s = 0; s < CFH_SEV_COUNT; s++) {
		for (i = n = 0; i < m->nf; i++)
			n += m->f[i].sev == (enum cfh_severity)s &&
			     !md_bookkeeping(m->f[i].pass);
		if (!n)
			continue;
		cfh_buf_adds(b, "## ");
		cap_name(b, (enum cfh_severity)s);
		cfh_buf_addf(b, " (%zu finding%s)\n\n", n, n == 1 ? "" : "s");
		for (i = 0; i < m->nf; i++) {
			const struct md_finding *f = &m->f[i];

			if (f->sev != (enum cfh_severity)s ||
			    md_bookkeeping(f->pass))
				continue;
			if (!i || strcmp(m->f[i - 1].pass, f->pass) ||
			    m->f[i - 1].sev != f->sev) {
				for (k = i, n = 0; k < m->nf &&
						   !strcmp(m->f[k].pass, f->pass) &&
						   m->f[k].sev == f->sev;
				     k++)
					n++;
				md_kind(b, f, n);
			}
			md_entry(b, m, f, ++num, shown);
			if (i + 1 == m->nf || strcmp(m->f[i + 1].pass, f->pass) ||
			    m->f[i + 1].sev != f->sev)
				cfh_buf_addc(b, '\n');
		}
	}
	json_decref(shown);
}

static char *report_md(struct cfh_run *r, const char *name)
{
	struct md m = { .r = r };
	struct cfh_buf b;
	char *out = NULL;

	cfh_buf_init(&b);
	if (md_collect(&m))
		goto out;
	cfh_buf_addf(&b, "# Template Hardening Analysis: %s\n\n", name);
	cfh_buf_adds(&b, "What cfn-harden found in the template and what it "
			 "changed, most severe first. A finding is what one "
			 "pass fixed on one resource; each kind of problem is "
			 "explained once, before its first finding, and each "
			 "fix is shown by the start of its new text: "
			 "`cfn-harden --diff` shows all of it, and "
			 "`cfn-harden --explain PASS` the checks of other "
			 "tools a pass satisfies. Tags and outputs come "
			 "last.\n\n");
	cfh_buf_addf(&b, "**Mode**: %s\n\n",
		     strcmp(cfh_opt_str(r, "general.mode"), "deployed")
			     ? "new-stack (a first draft that nothing uses "
			       "yet)"
			     : "deployed (the template may already run: "
			       "what its clients use keeps working)");
	md_summary(&b, &m);
	if (m.nf)
		cfh_buf_adds(&b, "---\n\n");
	md_findings(&b, &m);
	md_books(&b, &m);
	out = cfh_buf_steal(&b, NULL);
out:
	cfh_buf_release(&b);
	md_release(&m);
	return out;
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

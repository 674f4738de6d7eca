/* SPDX-License-Identifier: MIT */
/*
 * Reports, all made from the same change records. JSON for machines,
 * every record; SARIF for code scanning and JUnit XML for CI, one result
 * or test case per finding (what one pass did to one resource), SARIF
 * with the finding's part of the diff as its fix; the Markdown report for
 * a reviewer, in the form of the seed failure analyses: a summary first
 * (problems by severity, replacements, advisories), then one finding per
 * problem with a short snippet of its fix, most severe first, tags and
 * outputs last. The three group the changes into findings the same way
 * (findings_collect()).
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

char *cfh_json_dump_at(const json_t *v, unsigned depth)
{
	char *s = cfh_json_dumps(v, JSON_INDENT(2)), *p, *nl, *r, *w;
	size_t lines = 0, pad = 2 * depth;

	if (!s || !depth)
		return s;
	for (p = s; (p = strchr(p, '\n')); p++)
		lines++;
	if (!lines)
		return s;
	r = malloc(strlen(s) + lines * pad + 1);
	if (!r) {
		free(s);
		return NULL;
	}
	/* JSON text has no raw newline inside a string: every one is
	 * between two lines of the layout. */
	for (p = s, w = r; (nl = strchr(p, '\n')); p = nl + 1) {
		memcpy(w, p, (size_t)(nl + 1 - p));
		w += nl + 1 - p;
		memset(w, ' ', pad);
		w += pad;
	}
	strcpy(w, p);
	free(s);
	return r;
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

/* ---- Findings ---- */

/*
 * A finding is what one pass did to one resource (or to one entry of
 * another section: a parameter, an output): the unit a reviewer weighs,
 * where an edit is only a line of the diff. The Markdown report lists
 * findings, a SARIF result and a JUnit test case are each one; all of them
 * group the changes here, so that they count the same findings.
 */
struct finding {
	const char *pass;
	const struct cfh_pass *p;	/* NULL for an id not in the registry */
	enum cfh_severity sev;
	size_t order;			/* registry index of the pass */
	char *subject;			/* a logical ID, or for changes outside
					 * Resources their section */
	char *entry;			/* in a section: the entry ("AlarmEmail"
					 * of Parameters), or NULL */
	bool resource;			/* subject is a logical ID */
	bool advisory;			/* advisories only (with @advisories) */
	size_t *idx;			/* the changes, in the order made */
	size_t n;
};

struct findings {
	struct cfh_run *r;
	bool advisories;		/* set before collecting: advisories
					 * make findings of their own, apart
					 * from the changes of the same pass
					 * and resource; otherwise they are
					 * left out */
	struct finding *f;
	size_t nf;
	json_t *added;			/* {"/Resources/Queue": true} of the
					 * resources and other entries the run
					 * added */
};

/* Segment @i (0 for the first) of a JSON Pointer, unescaped; NULL when
 * there is none or out of memory. The caller frees it. */
static char *pointer_segment(const char *path, size_t i)
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
static char *pointer_last(const char *path)
{
	const char *s = strrchr(path, '/');
	size_t n = 0;

	if (!s)
		return NULL;
	for (s = path; *s; s++)
		n += *s == '/';
	return pointer_segment(path, n - 1);
}

/* The key of entry @name of @section in the input ("Queue:" in
 * Resources), or NULL for one the run added. */
static const struct cfh_node *entry_key(const struct cfh_template *t,
					const char *section, const char *name)
{
	const struct cfh_node *n =
		name ? cfh_map_get(cfh_template_section(t, section), name) : NULL;
	const struct cfh_entry *e = n ? cfh_node_entry(n) : NULL;

	return e && e->key && !(n->flags & CFH_NF_NEW) ? e->key : NULL;
}

/* The input line where entry @name of @section starts, or 0 for one the
 * run added. */
static int entry_line(const struct cfh_template *t, const char *section,
		      const char *name)
{
	const struct cfh_node *k = entry_key(t, section, name);

	return k ? k->line : 0;
}

/* Is @c the addition of a whole resource, "/Resources/<ID>"? */
static bool adds_resource(const struct cfh_change *c)
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
static bool is_scaffold(const struct cfh_run *r, size_t i)
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

static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev < y->sev ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->idx[0] < y->idx[0] ? -1 : x->idx[0] > y->idx[0];
}

static void findings_release(struct findings *m)
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
 * Group the changes (scaffolding aside, and advisories unless
 * @m->advisories) into findings: one per pass and resource, or per pass
 * and entry of another section (a parameter, an output), most severe
 * first, then in the registry's order, then in the order made.
 */
static int findings_collect(struct findings *m)
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
		struct finding *f;
		char *subject, *entry = NULL;

		if ((c->op == CFH_OP_ADVISORY && !m->advisories) ||
		    is_scaffold(r, i))
			continue;
		if (c->op == CFH_OP_ADD && c->path[0] == '/' &&
		    strchr(c->path + 1, '/') &&
		    !strchr(strchr(c->path + 1, '/') + 1, '/') &&
		    json_object_set_new(m->added, c->path, json_true()))
			goto out;
		if (c->resource) {
			subject = strdup(c->resource);
		} else {
			subject = pointer_segment(c->path, 0);
			entry = pointer_segment(c->path, 1);
		}
		if (!subject)
			subject = strdup("");
		if (!subject) {
			free(entry);
			goto out;
		}
		key.len = 0;
		cfh_buf_addf(&key, "%s\t%d\t%s\t%s%s", c->pass,
			     c->resource != NULL, subject, entry ? entry : "",
			     c->op == CFH_OP_ADVISORY ? "\tadvisory" : "");
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
			f->advisory = c->op == CFH_OP_ADVISORY;
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
		qsort(m->f, m->nf, sizeof(*m->f), finding_cmp);
	rc = 0;
out:
	json_decref(index);
	cfh_buf_release(&key);
	return rc;
}

/* ---- Each finding's part of the diff ---- */

/*
 * SARIF fixes and JUnit failures show each finding's part of the diff:
 * cfh_diff() of the input and the output text, cut into blocks (runs of
 * removed and added lines between unchanged ones; a hunk holds one or
 * more), and each block dealt to one finding:
 *
 * - to the finding that made its first line that any finding made (the
 *   first in report order, most severe first, if several did): a change
 *   whose node, found again in the output by its JSON Pointer, spans an
 *   added line, or a removal or replacement at a removed line;
 * - else to the first finding on the resource whose input text holds the
 *   block;
 * - else to the finding with the change nearest to it in the input.
 *
 * Input lines alone do not do: a change records the line of the node it
 * went into, and a property added at the end of a long Properties lands
 * far below it. A block that several findings made (two passes adding to
 * the same Properties, next to each other; the tags of a new alarm; new
 * resources after the last one) goes whole to the one that made its
 * first line, where it sits in the file: the others keep their message
 * and have no text of their own there. A block cannot be cut between
 * them: what one adds may hold the other's (the tags of the new alarm),
 * and in JSON a comma on the line before belongs to both. So every block
 * has exactly one finding, and the fixes of all findings together turn
 * the input into the output.
 */

/* A text as lines: line k (1-based) is start[k-1] .. start[k]. */
struct lines {
	const char *s;
	size_t len;
	size_t *start;
	long n;
	bool bom;		/* a UTF-8 byte-order mark, which is no column
				 * (as libfyaml counts, and so the changes) */
};

struct block {
	long i0, ni;		/* removed: input lines i0 .. i0+ni-1; with
				 * ni == 0 the block goes before line i0 */
	long j0, nj;		/* added: output lines j0 .. j0+nj-1 */
	size_t owner;		/* the finding it goes to */
};

struct fixset {
	struct findings m;	/* advisories included */
	const char *out;	/* the output text: own, or r->printed */
	char *own;		/* the output text when printed here */
	struct lines a, b;	/* input, output */
	struct block *blk;
	size_t nblk;
};

static int lines_init(struct lines *l, const char *s, size_t len)
{
	size_t i;
	long k = 0;

	memset(l, 0, sizeof(*l));
	l->s = s;
	l->len = len;
	l->bom = len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3);
	for (i = 0; i < len; i++)
		k += s[i] == '\n';
	l->n = k + (len && s[len - 1] != '\n');
	l->start = malloc(((size_t)l->n + 1) * sizeof(*l->start));
	if (!l->start)
		return -1;
	l->start[0] = 0;
	for (i = 0, k = 1; i < len; i++)
		if (s[i] == '\n' && k < l->n)
			l->start[k++] = i + 1;
	l->start[l->n] = len;
	return 0;
}

/* The line of byte @off. */
static long lines_at(const struct lines *l, size_t off)
{
	long lo = 0, hi = l->n - 1;

	while (lo < hi) {
		long mid = (lo + hi + 1) / 2;

		if (l->start[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo + 1;
}

/* Bytes of line @k's newline sequence: 2 for CRLF, 1, or 0 for a last
 * line without one. */
static size_t lines_nl(const struct lines *l, long k)
{
	size_t s = l->start[k - 1], e = l->start[k];

	if (e == s || l->s[e - 1] != '\n')
		return 0;
	return e - s >= 2 && l->s[e - 2] == '\r' ? 2 : 1;
}

/* The columns of line @k: its characters (code points), newline
 * sequence excluded. */
static long lines_cols(const struct lines *l, long k)
{
	size_t i = l->start[k - 1], e = l->start[k] - lines_nl(l, k);
	long n = 0;

	if (k == 1 && l->bom)
		i += 3;
	for (; i < e; i++)
		n += ((unsigned char)l->s[i] & 0xc0) != 0x80;
	return n;
}

static int blocks_add(struct fixset *x, const struct block *b)
{
	struct block *v = realloc(x->blk, (x->nblk + 1) * sizeof(*v));

	if (!v)
		return -1;
	x->blk = v;
	x->blk[x->nblk++] = *b;
	return 0;
}

/* The blocks of a unified diff as cfh_diff() writes it. */
static int blocks_parse(struct fixset *x, const char *diff)
{
	const char *p = diff;
	struct block cur = { 0 };
	bool hunk = false, open = false;
	long i = 0, j = 0, a, na, c, nc;
	char *end;

	for (; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (open && *p != '-' && *p != '+' && *p != '\\') {
			if (blocks_add(x, &cur))
				return -1;
			open = false;
		}
		if (!strncmp(p, "@@ -", 4)) {
			/* "@@ -a,na +c,nc @@": a range of no lines starts at
			 * the line before it. */
			a = strtol(p + 4, &end, 10);
			na = *end == ',' ? strtol(end + 1, &end, 10) : 1;
			c = strncmp(end, " +", 2) ? 0 : strtol(end + 2, &end, 10);
			nc = *end == ',' ? strtol(end + 1, &end, 10) : 1;
			i = na ? a : a + 1;
			j = nc ? c : c + 1;
			hunk = true;
			continue;
		}
		if (!hunk)
			continue;
		if (*p == ' ') {
			i++;
			j++;
		} else if (*p == '-' || *p == '+') {
			if (!open) {
				cur.i0 = i;
				cur.j0 = j;
				cur.ni = cur.nj = 0;
				open = true;
			}
			if (*p == '-') {
				cur.ni++;
				i++;
			} else {
				cur.nj++;
				j++;
			}
		}
	}
	return open ? blocks_add(x, &cur) : 0;
}

/*
 * The first line of @bl that finding @k made (counted from the block's
 * first removed or added line), or -1: an added line in the output span
 * of a node it added or replaced, or a removed line it removed or
 * replaced. @out is the output loaded again, or NULL.
 */
static long block_made_at(const struct fixset *x,
			  const struct cfh_template *out, size_t k,
			  const struct block *bl)
{
	const struct finding *f = &x->m.f[k];
	long first = -1, lo, hi;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[i]];
		const struct cfh_node *n;
		const struct cfh_entry *e;

		if ((c->op == CFH_OP_REMOVE || c->op == CFH_OP_REPLACE) &&
		    c->line >= bl->i0 && c->line < bl->i0 + bl->ni &&
		    (first < 0 || c->line - bl->i0 < first))
			first = c->line - bl->i0;
		if ((c->op != CFH_OP_ADD && c->op != CFH_OP_REPLACE) ||
		    !bl->nj || !out || !*c->path ||
		    !(n = cfh_node_at(out, c->path)))
			continue;
		/* From the key (or the "-" of an item) to the value's end. */
		e = cfh_node_entry(n);
		lo = lines_at(&x->b, e && e->start < n->start ? e->start
							       : n->start);
		hi = lines_at(&x->b, n->end > n->start ? n->end - 1 : n->start);
		if (lo >= bl->j0 + bl->nj || hi < bl->j0)
			continue;
		lo = lo > bl->j0 ? lo - bl->j0 : 0;
		if (first < 0 || lo < first)
			first = lo;
	}
	return first;
}

/* The logical ID of the input resource whose text holds line @at. */
static const char *resource_at(const struct fixset *x, long at)
{
	const struct cfh_node *res =
		cfh_template_section(x->m.r->t, "Resources");
	const struct cfh_entry *e;

	if (!res || res->kind != CFH_MAP)
		return NULL;
	cfh_for_each_entry(res, e) {
		if ((e->flags & CFH_EF_NEW) || !e->key || !e->value ||
		    (e->value->flags & CFH_NF_NEW))
			continue;
		if (lines_at(&x->a, e->start) <= at &&
		    at <= lines_at(&x->a, e->value->end > e->start
						   ? e->value->end - 1
						   : e->start))
			return e->key->text;
	}
	return NULL;
}

static size_t block_owner(const struct fixset *x, const struct cfh_template *out,
			  const struct block *bl)
{
	long at = bl->ni ? bl->i0 : bl->i0 - 1, d, best = -1;
	const char *id;
	size_t k, i, owner = 0;

	for (k = 0; k < x->m.nf; k++) {
		if (x->m.f[k].advisory)
			continue;
		d = block_made_at(x, out, k, bl);
		if (d >= 0 && (best < 0 || d < best)) {
			best = d;
			owner = k;
		}
	}
	if (best >= 0)
		return owner;
	if (at < 1)
		at = 1;
	id = resource_at(x, at);
	for (k = 0; id && k < x->m.nf; k++)
		if (!x->m.f[k].advisory && x->m.f[k].resource &&
		    !strcmp(x->m.f[k].subject, id))
			return k;
	for (k = 0; k < x->m.nf; k++) {
		const struct finding *f = &x->m.f[k];

		for (i = 0; !f->advisory && i < f->n; i++) {
			const struct cfh_change *c = &x->m.r->changes[f->idx[i]];

			if (c->line <= 0)
				continue;
			d = c->line > at ? c->line - at : at - c->line;
			if (best < 0 || d < best) {
				best = d;
				owner = k;
			}
		}
	}
	return owner;
}

static void fixset_release(struct fixset *x)
{
	findings_release(&x->m);
	free(x->own);
	free(x->a.start);
	free(x->b.start);
	free(x->blk);
}

/* The findings of @r with advisories, and the blocks of the diff dealt to
 * them. */
static int fixset_init(struct fixset *x, struct cfh_run *r)
{
	struct cfh_template *t = r->t, *out = NULL;
	struct cfh_diag diag;
	size_t len, i;
	char *diff = NULL;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	x->m.r = r;
	x->m.advisories = true;
	if (findings_collect(&x->m))
		return -1;
	if (r->printed) {
		x->out = r->printed;
		len = r->printed_len;
	} else {
		x->out = x->own = cfh_template_print(t, &len);
	}
	if (!x->out || lines_init(&x->a, t->src, t->len) ||
	    lines_init(&x->b, x->out, len))
		goto out;
	diff = cfh_diff(t->src, t->len, x->out, len, "");
	if (!diff || blocks_parse(x, diff))
		goto out;
	/* The output, loaded again, says where each change's node is in it.
	 * Should it not load, the other rules still place every block. */
	if (x->nblk)
		out = cfh_yaml_load(x->out, len, t->name, &diag);
	if (!out && x->nblk && diag.code == CFH_EXIT_INTERNAL)
		goto out;
	for (i = 0; i < x->nblk; i++)
		x->blk[i].owner = block_owner(x, out, &x->blk[i]);
	rc = 0;
out:
	cfh_template_free(out);
	free(diff);
	return rc;
}

/* Is block @i's text some of finding @k's fix? */
static bool fixset_owns(const struct fixset *x, size_t k, size_t i)
{
	return x->m.nf && x->blk[i].owner == k;
}

/* The added lines of @bl, as text. */
static const char *block_text(const struct fixset *x, const struct block *bl,
			      size_t *len)
{
	size_t s = bl->nj ? x->b.start[bl->j0 - 1] : 0;

	*len = bl->nj ? x->b.start[bl->j0 - 1 + bl->nj] - s : 0;
	return x->b.s + s;
}

/* ---- Shared by SARIF and JUnit ---- */

/* "Bucket", "Parameters AlarmEmail", "template". */
static void finding_subject(struct cfh_buf *b, const struct finding *f)
{
	if (f->resource) {
		cfh_buf_adds(b, f->subject);
		return;
	}
	cfh_buf_adds(b, *f->subject ? f->subject : "template");
	if (f->entry)
		cfh_buf_addf(b, " %s", f->entry);
}

/*
 * What a finding is about, on one line: "Bucket (AWS::S3::Bucket): its
 * first reason; its second reason; replaces the deployed resource".
 * Each distinct reason once, in the order made.
 */
static void finding_message(struct cfh_buf *b, const struct fixset *x,
			    const struct finding *f)
{
	const char *type = f->resource
				   ? cfh_resource_type(cfh_resource(x->m.r->t,
								    f->subject))
				   : NULL;
	bool replaces = false;
	size_t k, j;

	finding_subject(b, f);
	if (type)
		cfh_buf_addf(b, " (%s)", type);
	cfh_buf_adds(b, ": ");
	for (k = 0; k < f->n; k++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[k]];

		replaces |= c->replaces && !f->advisory;
		for (j = 0; j < k; j++)
			if (!strcmp(x->m.r->changes[f->idx[j]].reason, c->reason))
				break;
		if (j == k)
			cfh_buf_addf(b, "%s%s", k ? "; " : "", c->reason);
	}
	if (replaces)
		cfh_buf_adds(b, "; replaces the deployed resource");
}

/*
 * Where a finding is: the key of its resource or entry in the input,
 * else (something the run added) the first line a change of it records.
 * Returns: the line, 0 when there is none.
 */
static int finding_line(const struct fixset *x, const struct finding *f,
			int *col)
{
	const struct cfh_node *key =
		entry_key(x->m.r->t, f->resource ? "Resources" : f->subject,
			  f->resource ? f->subject : f->entry);
	size_t k;

	if (key) {
		*col = key->col;
		return key->line;
	}
	for (k = 0; k < f->n; k++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[k]];

		if (c->line > 0) {
			*col = c->col > 0 ? c->col : 1;
			return c->line;
		}
	}
	*col = 0;
	return 0;
}

/* ---- SARIF 2.1.0 ---- */

/*
 * One result per finding, a rule per pass. GitHub code scanning, the
 * main reader, refuses a run of more than 25,000 results, a file of more
 * than 20 runs, and more than 10 MB gzip-compressed (and shows only 5,000
 * results of a run): see cfh_sarif_log_take() for what a large batch
 * does.
 *
 * A rule's id is "cfn-harden/" and the pass id: pass ids are the stable
 * names users already write (--only, --skip, Metadata skip lists, the
 * configuration), so a rule id changes only when they do, never because a
 * pass is added before it, and there is no second table to keep in step
 * with the registry. The prefix keeps the ids apart from other tools'
 * in one code scanning view. The rule's name is the id in PascalCase.
 */

/* GitHub code scanning ranks by security-severity (0.0-10.0). */
static const char *const sarif_level[] = { "error", "error", "warning",
					    "note" };
static const char *const sarif_score[] = { "9.0", "7.0", "5.0", "3.0" };

/* There is no web site: the man page, where every pass is explained, is
 * the help that resolves wherever the tool is installed. */
#define SARIF_HELP_URI "man:cfn-harden(1)"
/* Bumped when what the fingerprint hashes changes. */
#define SARIF_FINGERPRINT "cfnHardenFinding/v1"

static void sarif_rule_id(struct cfh_buf *b, const char *pass)
{
	cfh_buf_addf(b, "cfn-harden/%s", pass);
}

/* "pipeline-trigger" -> "PipelineTrigger". */
static void sarif_rule_name(struct cfh_buf *b, const char *pass)
{
	bool up = true;

	for (; *pass; pass++) {
		if (*pass == '-' || *pass == '_') {
			up = true;
			continue;
		}
		cfh_buf_addc(b, up && *pass >= 'a' && *pass <= 'z'
					? (char)(*pass - 32)
					: *pass);
		up = false;
	}
}

static json_t *sarif_rule(const struct cfh_pass *p)
{
	json_t *tags = json_array(), *checks = json_array(), *rule;
	const char *lists[2] = { p->fixes, p->checks };
	json_t *into[2] = { tags, checks };
	struct cfh_buf id, name, text, md;
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
	cfh_buf_init(&id);
	cfh_buf_init(&name);
	cfh_buf_init(&text);
	cfh_buf_init(&md);
	sarif_rule_id(&id, p->id);
	sarif_rule_name(&name, p->id);
	cfh_buf_addf(&text, "%s\n\n%s\n\n`cfn-harden --explain %s` lists the "
			    "checks of other tools it satisfies.",
		     p->rationale, p->example, p->id);
	cfh_buf_addf(&md, "%s\n\n```\n%s\n```\n\n`cfn-harden --explain %s` "
			  "lists the checks of other tools it satisfies.",
		     p->rationale, p->example, p->id);
	rule = id.failed || name.failed || text.failed || md.failed
		       ? NULL
		       : json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s}, "
				   "s:s, s:{s:s}, s:{s:s, s:o, s:s, s:o}}",
				   "id", id.data, "name", name.data,
				   "shortDescription", "text", p->title,
				   "fullDescription", "text", p->rationale,
				   "help", "text", text.data, "markdown",
				   md.data, "helpUri", SARIF_HELP_URI,
				   "defaultConfiguration", "level",
				   sarif_level[p->severity], "properties",
				   "pass", p->id, "tags", tags,
				   "security-severity", sarif_score[p->severity],
				   "checks", checks);
	if (!rule) {
		json_decref(tags);
		json_decref(checks);
	}
	cfh_buf_release(&id);
	cfh_buf_release(&name);
	cfh_buf_release(&text);
	cfh_buf_release(&md);
	return rule;
}

/*
 * FNV-1a, 64 bits, of what makes a finding the same from one run to the
 * next: the template's path, the pass, the resource (or section and
 * entry), and whether it is an advisory. Not its line, which moves when
 * anything above it changes.
 */
static void fnv1a(unsigned long long *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--)
		*h = (*h ^ *p++) * 1099511628211ull;
}

static void sarif_fingerprint(char hex[17], const char *name,
			      const struct finding *f)
{
	const char *parts[6] = { name, f->pass, f->resource ? "R" : "S",
				 f->subject, f->entry ? f->entry : "",
				 f->advisory ? "advisory" : "change" };
	unsigned long long h = 1469598103934665603ull;
	size_t i;

	/* Each part with its NUL, which no path or ID holds. */
	for (i = 0; i < 6; i++)
		fnv1a(&h, parts[i], strlen(parts[i]) + 1);
	snprintf(hex, 17, "%016llx", h);
}

static json_t *sarif_region(long sl, long sc, long el, long ec)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "startLine", (json_int_t)sl,
			 "startColumn", (json_int_t)sc, "endLine",
			 (json_int_t)el, "endColumn", (json_int_t)ec);
}

/* What sarif_replacement() says of @bl: the deleted region (start line
 * and column, end line and column) and the inserted text, which is
 * *@alloc when it had to be made (the caller frees it). -1 when out of
 * memory. */
struct sarif_rep {
	long reg[4];
	const char *text;
	size_t len;
	char *alloc;
};

static int replacement_parts(const struct fixset *x, const struct block *bl,
			     struct sarif_rep *p)
{
	const struct lines *a = &x->a;
	long n = a->n, after = bl->i0 + bl->ni;
	size_t len, nl = n ? lines_nl(a, n) : 0;
	const char *ins = block_text(x, bl, &len);
	const char *lastnl = a->s + a->len - nl;
	long *r = p->reg;

	p->alloc = NULL;
	/* Line 1 starts after a byte-order mark: the output has one too. */
	if (bl->i0 == 1 && a->bom && bl->nj && len >= 3 &&
	    !memcmp(ins, "\xef\xbb\xbf", 3)) {
		ins += 3;
		len -= 3;
	}
	if (after <= n) {
		r[0] = bl->i0, r[1] = 1, r[2] = after, r[3] = 1;
	} else if (!nl && bl->ni) {
		r[0] = bl->i0, r[1] = 1, r[2] = n, r[3] = lines_cols(a, n) + 1;
	} else if (nl && len >= nl && !memcmp(ins + len - nl, lastnl, nl)) {
		if (bl->ni) {
			r[0] = bl->i0, r[1] = 1, r[2] = n;
			r[3] = lines_cols(a, n) + 1;
			len -= nl;
		} else {
			/* Added after the last line: before its newline,
			 * with a newline first. */
			r[0] = r[2] = n;
			r[1] = r[3] = lines_cols(a, n) + 1;
			p->alloc = malloc(len + 1);
			if (!p->alloc)
				return -1;
			memcpy(p->alloc, lastnl, nl);
			memcpy(p->alloc + nl, ins, len - nl);
			p->alloc[len] = '\0';
			ins = p->alloc;
		}
	} else if (nl && !len && bl->ni && bl->i0 > 1 &&
		   lines_nl(a, bl->i0 - 1) == nl &&
		   !memcmp(a->s + a->start[bl->i0 - 1] - nl, lastnl, nl)) {
		/* The last lines go: from the end of the line before them,
		 * whose newline the last line's takes the place of. */
		r[0] = bl->i0 - 1, r[1] = lines_cols(a, bl->i0 - 1) + 1;
		r[2] = n, r[3] = lines_cols(a, n) + 1;
	} else {
		/* The output drops the input's last newline, which the
		 * reprinter never does: the column after it, as editors
		 * count the end of a file. */
		r[0] = bl->i0, r[1] = 1, r[2] = n + 1, r[3] = 1;
	}
	p->text = ins;
	p->len = len;
	return 0;
}

/*
 * Block @bl as a SARIF replacement: the input's lines it removes, from
 * the first column of its first line to the first column of the line
 * after it (so their newlines go too), and the output's lines it adds.
 * The last line has no line after it: a block that reaches the end of
 * the input ends at the end of the last line, before its newline, and
 * the added text gives up its own last newline to make up for it.
 */
static json_t *sarif_replacement(const struct fixset *x, const struct block *bl)
{
	struct sarif_rep p;
	json_t *r;

	if (replacement_parts(x, bl, &p))
		return NULL;
	r = json_pack("{s:o, s:{s:s%}}", "deletedRegion",
		      sarif_region(p.reg[0], p.reg[1], p.reg[2], p.reg[3]),
		      "insertedContent", "text", p.text, p.len);
	free(p.alloc);
	return r;
}

/* The fix of finding @k: its blocks, in the order of the file. */
static json_t *sarif_fixes(const struct fixset *x, size_t k, const char *name)
{
	json_t *reps = json_array(), *rep;
	size_t i;

	for (i = 0; reps && i < x->nblk; i++) {
		if (!fixset_owns(x, k, i))
			continue;
		rep = sarif_replacement(x, &x->blk[i]);
		if (!rep || json_array_append_new(reps, rep)) {
			json_decref(reps);
			reps = NULL;
		}
	}
	if (!json_array_size(reps)) {
		json_decref(reps);
		return reps ? json_array() : NULL;
	}
	return json_pack("[{s:{s:s}, s:[{s:{s:s}, s:o}]}]", "description",
			 "text",
			 x->m.f[k].p ? cfh_pass_title(x->m.f[k].p) : x->m.f[k].pass,
			 "artifactChanges", "artifactLocation", "uri", name,
			 "replacements", reps);
}

/* What names a finding in a SARIF result: its rule id, its message, its
 * logical location (the resource's name and JSON Pointer) and its
 * fingerprint. Both writers of a result, the jansson one and the text
 * one, take them from here. */
struct sarif_names {
	struct cfh_buf id, msg, ptr, subj;
	char fp[17];
};

/* Fill @n for finding @f of @x in template @name. Returns 0, or -1 when
 * out of memory; sarif_names_release() either way. */
static int sarif_names_init(struct sarif_names *n, const struct fixset *x,
			    const struct finding *f, const char *name)
{
	cfh_buf_init(&n->id);
	cfh_buf_init(&n->msg);
	cfh_buf_init(&n->ptr);
	cfh_buf_init(&n->subj);
	sarif_rule_id(&n->id, f->pass);
	finding_message(&n->msg, x, f);
	finding_subject(&n->subj, f);
	if (f->resource)
		cfh_buf_addf(&n->ptr, "/Resources/%s", f->subject);
	else if (*f->subject)
		cfh_buf_addf(&n->ptr, "/%s%s%s", f->subject,
			     f->entry ? "/" : "", f->entry ? f->entry : "");
	else
		cfh_buf_adds(&n->ptr, "");
	sarif_fingerprint(n->fp, name, f);
	return n->id.failed || n->msg.failed || n->ptr.failed ||
			       n->subj.failed
		       ? -1
		       : 0;
}

static void sarif_names_release(struct sarif_names *n)
{
	cfh_buf_release(&n->id);
	cfh_buf_release(&n->msg);
	cfh_buf_release(&n->ptr);
	cfh_buf_release(&n->subj);
}

static json_t *sarif_result(const struct fixset *x, size_t k, const char *name)
{
	const struct finding *f = &x->m.f[k];
	json_t *res = NULL, *loc, *changes, *fixes, *props, *replaced = NULL;
	struct sarif_names n;
	size_t i;
	int line, col;
	bool named = !sarif_names_init(&n, x, f, name);

	changes = json_array();
	for (i = 0; changes && i < f->n; i++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[i]];
		json_t *one = json_pack("{s:s, s:s, s:s, s:b}", "op",
					op_names[c->op], "pointer", c->path,
					"reason", c->reason, "replaces",
					c->replaces);

		if (!one || json_array_append_new(changes, one)) {
			json_decref(changes);
			changes = NULL;
		}
		/* A replacing change names all it replaces, as the JSON
		 * report's "replaced" does. */
		if (c->op != CFH_OP_ADVISORY && json_array_size(c->replaced)) {
			json_t *s = replaced_sentences(c);

			if (!replaced)
				replaced = json_array();
			json_array_extend(replaced, s);
			json_decref(s);
		}
	}
	props = json_pack("{s:s, s:s, s:o*}", "pass", f->pass, "severity",
			  cfh_severity_name(f->sev), "changes", changes);
	if (props && replaced)
		json_object_set_new(props, "replaced", replaced);
	else
		json_decref(replaced);
	line = finding_line(x, f, &col);
	loc = json_pack("{s:{s:s}}", "artifactLocation", "uri", name);
	if (loc && line > 0)
		json_object_set_new(loc, "region",
				    json_pack("{s:i, s:i}", "startLine", line,
					      "startColumn", col > 0 ? col : 1));
	fixes = f->advisory ? json_array() : sarif_fixes(x, k, name);
	if (named)
		res = json_pack("{s:s, s:s, s:s, s:{s:s}, "
				"s:[{s:o*, s:[{s:s, s:s, s:s}]}], s:{s:s}, "
				"s:o*, s:o*}",
				"ruleId", n.id.data, "level",
				f->advisory ? "none" : sarif_level[f->sev],
				"kind", f->advisory ? "review" : "fail",
				"message", "text", n.msg.data, "locations",
				"physicalLocation", loc, "logicalLocations",
				"name", n.subj.data, "fullyQualifiedName",
				n.ptr.data, "kind", "object",
				"partialFingerprints", SARIF_FINGERPRINT, n.fp,
				"properties", props, "fixes", fixes);
	else {
		json_decref(loc);
		json_decref(props);
		json_decref(fixes);
	}
	/* The rule's index, when the pass is in the registry. */
	if (res && f->p)
		json_object_set_new(res, "ruleIndex",
				    json_integer((json_int_t)f->order));
	/* No fix (an advisory, or a finding whose every block another
	 * finding made): no "fixes" at all, as SARIF wants one or more. */
	if (res && !json_array_size(json_object_get(res, "fixes")))
		json_object_del(res, "fixes");
	if (res && (!props || !fixes)) {
		json_decref(res);
		res = NULL;
	}
	sarif_names_release(&n);
	return res;
}

json_t *cfh_sarif_results(struct cfh_run *r, const char *name)
{
	struct fixset x;
	json_t *results = NULL, *res;
	size_t k;

	if (fixset_init(&x, r))
		goto out;
	results = json_array();
	for (k = 0; results && k < x.m.nf; k++) {
		res = sarif_result(&x, k, name);
		if (!res || json_array_append_new(results, res)) {
			json_decref(results);
			results = NULL;
		}
	}
out:
	fixset_release(&x);
	return results;
}

/*
 * A batch's SARIF results go straight to text: building each as jansson
 * values, dumping and freeing them was most of a batch's report time.
 * The writer lays out what cfh_json_dump_at() gives for the values
 * sarif_result() builds, key for key: json_dumps() with an indent of 2
 * (a member on its own line, ": " after a key, a closing bracket back
 * at its opener's depth, an empty container as "{}" or "[]"), shifted
 * to the results' depth.
 */
struct jw {
	struct cfh_buf *b;
	int depth;		/* of the innermost open container's members */
	bool fresh;		/* nothing in it yet */
	bool bad;		/* a string jansson would refuse */
};

static void jw_pad(struct jw *w)
{
	cfh_buf_addc(w->b, '\n');
	cfh_buf_pad(w->b, ' ', 2 * (size_t)w->depth);
}

/* Before a member of an object (its key) or an item of an array. */
static void jw_item(struct jw *w)
{
	if (!w->fresh)
		cfh_buf_addc(w->b, ',');
	jw_pad(w);
	w->fresh = false;
}

static void jw_open(struct jw *w, char c)
{
	cfh_buf_addc(w->b, c);
	w->depth++;
	w->fresh = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->fresh)
		jw_pad(w);
	cfh_buf_addc(w->b, c);
	w->fresh = false;
}

static void jw_strn(struct jw *w, const char *s, size_t len)
{
	if (!s || cfh_json_put_str(w->b, s, len))
		w->bad = true;
}

static void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, s ? strlen(s) : 0);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_item(w);
	jw_str(w, k);
	cfh_buf_add(w->b, ": ", 2);
}

static void jw_int(struct jw *w, long long v)
{
	cfh_buf_addf(w->b, "%lld", v);
}

/* "key": "value" */
static void jw_kv(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

/* {"key": "value"} as the value of @k */
static void jw_kobj(struct jw *w, const char *k, const char *ik,
		    const char *v)
{
	jw_key(w, k);
	jw_open(w, '{');
	jw_kv(w, ik, v);
	jw_close(w, '}');
}

static void jw_region(struct jw *w, const long r[4])
{
	static const char *const names[] = { "startLine", "startColumn",
					     "endLine", "endColumn" };
	int i;

	jw_open(w, '{');
	for (i = 0; i < 4; i++) {
		jw_key(w, names[i]);
		jw_int(w, r[i]);
	}
	jw_close(w, '}');
}

/* sarif_fixes() of a finding that has blocks, as text: -1 when out of
 * memory. */
static int jw_fixes(struct jw *w, const struct fixset *x, size_t k,
		    const char *name)
{
	const struct finding *f = &x->m.f[k];
	struct sarif_rep p;
	size_t i;

	jw_key(w, "fixes");
	jw_open(w, '[');
	jw_item(w);
	jw_open(w, '{');
	jw_kobj(w, "description", "text",
		f->p ? cfh_pass_title(f->p) : f->pass);
	jw_key(w, "artifactChanges");
	jw_open(w, '[');
	jw_item(w);
	jw_open(w, '{');
	jw_kobj(w, "artifactLocation", "uri", name);
	jw_key(w, "replacements");
	jw_open(w, '[');
	for (i = 0; i < x->nblk; i++) {
		if (!fixset_owns(x, k, i))
			continue;
		if (replacement_parts(x, &x->blk[i], &p))
			return -1;
		jw_item(w);
		jw_open(w, '{');
		jw_key(w, "deletedRegion");
		jw_region(w, p.reg);
		jw_key(w, "insertedContent");
		jw_open(w, '{');
		jw_key(w, "text");
		jw_strn(w, p.text, p.len);
		jw_close(w, '}');
		jw_close(w, '}');
		free(p.alloc);
	}
	jw_close(w, ']');
	jw_close(w, '}');
	jw_close(w, ']');
	jw_close(w, '}');
	jw_close(w, ']');
	return 0;
}

/* Does finding @k own a block: would sarif_fixes() give any? */
static bool has_fix(const struct fixset *x, size_t k)
{
	size_t i;

	for (i = 0; i < x->nblk; i++)
		if (fixset_owns(x, k, i))
			return true;
	return false;
}

/* sarif_result() as cfh_json_dump_at(.., 4) writes it, appended to @b:
 * -1 when out of memory or when a string is not one jansson takes. */
static int sarif_result_text(struct cfh_buf *b, const struct fixset *x,
			     size_t k, const char *name)
{
	const struct finding *f = &x->m.f[k];
	struct jw w = { b, 4, true, false };
	struct sarif_names n;
	json_t *replaced = NULL;
	size_t i;
	int line, col, rc = -1;

	if (sarif_names_init(&n, x, f, name))
		goto out;
	jw_open(&w, '{');
	jw_kv(&w, "ruleId", n.id.data);
	jw_kv(&w, "level", f->advisory ? "none" : sarif_level[f->sev]);
	jw_kv(&w, "kind", f->advisory ? "review" : "fail");
	jw_kobj(&w, "message", "text", n.msg.data);
	jw_key(&w, "locations");
	jw_open(&w, '[');
	jw_item(&w);
	jw_open(&w, '{');
	jw_key(&w, "physicalLocation");
	jw_open(&w, '{');
	jw_kobj(&w, "artifactLocation", "uri", name);
	line = finding_line(x, f, &col);
	if (line > 0) {
		jw_key(&w, "region");
		jw_open(&w, '{');
		jw_key(&w, "startLine");
		jw_int(&w, line);
		jw_key(&w, "startColumn");
		jw_int(&w, col > 0 ? col : 1);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');
	jw_key(&w, "logicalLocations");
	jw_open(&w, '[');
	jw_item(&w);
	jw_open(&w, '{');
	jw_kv(&w, "name", n.subj.data);
	jw_kv(&w, "fullyQualifiedName", n.ptr.data);
	jw_kv(&w, "kind", "object");
	jw_close(&w, '}');
	jw_close(&w, ']');
	jw_close(&w, '}');
	jw_close(&w, ']');
	jw_kobj(&w, "partialFingerprints", SARIF_FINGERPRINT, n.fp);
	jw_key(&w, "properties");
	jw_open(&w, '{');
	jw_kv(&w, "pass", f->pass);
	jw_kv(&w, "severity", cfh_severity_name(f->sev));
	jw_key(&w, "changes");
	jw_open(&w, '[');
	for (i = 0; i < f->n; i++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[i]];

		jw_item(&w);
		jw_open(&w, '{');
		jw_kv(&w, "op", op_names[c->op]);
		jw_kv(&w, "pointer", c->path);
		jw_kv(&w, "reason", c->reason);
		jw_key(&w, "replaces");
		cfh_buf_adds(b, c->replaces ? "true" : "false");
		jw_close(&w, '}');
		/* A replacing change names all it replaces, as the JSON
		 * report's "replaced" does. */
		if (c->op != CFH_OP_ADVISORY && json_array_size(c->replaced)) {
			json_t *s = replaced_sentences(c);

			if (!replaced)
				replaced = json_array();
			json_array_extend(replaced, s);
			json_decref(s);
		}
	}
	jw_close(&w, ']');
	if (replaced) {
		jw_key(&w, "replaced");
		if (cfh_json_put(b, replaced, w.depth))
			w.bad = true;
	}
	jw_close(&w, '}');
	if (!f->advisory && has_fix(x, k) && jw_fixes(&w, x, k, name))
		goto out;
	/* The rule's index, when the pass is in the registry. */
	if (f->p) {
		jw_key(&w, "ruleIndex");
		jw_int(&w, (long long)f->order);
	}
	jw_close(&w, '}');
	rc = w.bad || b->failed ? -1 : 0;
out:
	json_decref(replaced);
	sarif_names_release(&n);
	return rc;
}

json_t *cfh_sarif_texts(struct cfh_run *r, const char *name)
{
	struct fixset x;
	struct cfh_buf b;
	json_t *out = NULL, *text;
	size_t k;

	cfh_buf_init(&b);
	if (!name || fixset_init(&x, r))
		goto out;
	out = json_array();
	for (k = 0; out && k < x.m.nf; k++) {
		b.len = 0;
		if (sarif_result_text(&b, &x, k, name) ||
		    (cfh_buf_add(&b, "", 0), b.failed) ||
		    !(text = json_stringn_nocheck(b.data, b.len)) ||
		    json_array_append_new(out, json_pack("[s, o]", name,
							  text))) {
			json_decref(out);
			out = NULL;
		}
	}
out:
	if (name)
		fixset_release(&x);
	cfh_buf_release(&b);
	return out;
}

#define SARIF_RUN_RESULTS CFH_SARIF_RUN_RESULTS
#define SARIF_RUNS CFH_SARIF_RUNS

/* A run of @results (taken, whatever happens), with the rules of every
 * pass; @category is its automationDetails.id, or NULL for none. */
static json_t *sarif_run_take(json_t *results, const char *category)
{
	json_t *rules = json_array(), *run = NULL;
	size_t i;

	for (i = 0; rules && i < cfh_pass_count(); i++)
		if (json_array_append_new(rules, sarif_rule(cfh_pass_at(i)))) {
			json_decref(rules);
			rules = NULL;
		}
	if (rules)
		run = json_pack("{s:{s:{s:s, s:s, s:s, s:o}}, s:s}", "tool",
				"driver", "name", "cfn-harden", "version",
				CFH_VERSION, "informationUri",
				"https://github.com/cfn-harden/cfn-harden",
				"rules", rules, "columnKind",
				"unicodeCodePoints");
	if (!run || !results ||
	    (category && json_object_set_new(run, "automationDetails",
					      json_pack("{s:s}", "id",
							category)))) {
		json_decref(run);
		json_decref(results);
		return NULL;
	}
	/* json_object_set_new() takes @results even when it fails. */
	if (json_object_set_new(run, "results", results)) {
		json_decref(run);
		return NULL;
	}
	return run;
}

json_t *cfh_sarif_run_empty(const char *category)
{
	return sarif_run_take(json_array(), category);
}

json_t *cfh_sarif_log_empty(void)
{
	return json_pack("{s:s, s:s, s:[]}", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json",
			 "version", "2.1.0", "runs");
}

/* The artifact URI of a result. */
const char *cfh_sarif_uri(const json_t *res)
{
	const json_t *loc = json_array_get(json_object_get(res, "locations"), 0);

	return json_string_value(json_object_get(
		json_object_get(json_object_get(loc, "physicalLocation"),
				"artifactLocation"),
		"uri"));
}

/*
 * One run, as long as the results fit in one: GitHub code scanning
 * refuses a run of more than 25,000. More are split into runs of whole
 * templates (a template's results stay together), each with its own
 * automationDetails.id, "cfn-harden/part-N/": GitHub refuses two runs of
 * one tool and one id in an upload. Parts are only as stable as the list
 * of templates: a template that moves to the next part has its alerts
 * closed in one and opened anew in the other, so a repository that large
 * is better uploaded per directory, each with a category of its own; the
 * split keeps the upload from being refused outright. GitHub stores the
 * 5,000 most severe results of a run: the bookkeeping findings (tags,
 * outputs, severity low) go first. At most 20 runs, GitHub's limit: the
 * last takes what remains.
 */
json_t *cfh_sarif_log_take(json_t *results)
{
	size_t total = json_array_size(results), i, g, parts = 0;
	json_t *runs = json_array(), *part = NULL, *run;
	const char *uri;
	char cat[48];

	if (!results || !runs)
		goto fail;
	if (total <= SARIF_RUN_RESULTS) {
		run = sarif_run_take(results, NULL);
		results = NULL;
		if (json_array_append_new(runs, run))
			goto fail;
		goto out;
	}
	for (i = 0; i < total; i = g) {
		uri = cfh_sarif_uri(json_array_get(results, i));
		for (g = i + 1; g < total; g++) {
			const char *u = cfh_sarif_uri(json_array_get(results, g));

			if (!uri || !u || strcmp(u, uri))
				break;
		}
		if (part && json_array_size(part) + (g - i) > SARIF_RUN_RESULTS &&
		    parts + 1 < SARIF_RUNS) {
			snprintf(cat, sizeof(cat), "cfn-harden/part-%zu/", ++parts);
			run = sarif_run_take(part, cat);
			part = NULL;
			if (json_array_append_new(runs, run))
				goto fail;
		}
		if (!part && !(part = json_array()))
			goto fail;
		for (; i < g; i++)
			if (json_array_append(part, json_array_get(results, i)))
				goto fail;
	}
	snprintf(cat, sizeof(cat), "cfn-harden/part-%zu/", ++parts);
	run = sarif_run_take(part, cat);
	part = NULL;
	if (json_array_append_new(runs, run))
		goto fail;
out:
	json_decref(results);
	return json_pack("{s:s, s:s, s:o}", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json",
			 "version", "2.1.0", "runs", runs);
fail:
	json_decref(part);
	json_decref(runs);
	json_decref(results);
	return NULL;
}

/* ---- JUnit XML ---- */

/*
 * For CI systems that read test reports (Jenkins, GitLab, GitHub test
 * reporters): one testsuite per template, named by its path; one testcase
 * per finding, named "pass: subject", with the template as its classname
 * and file and the finding's line (the attributes GitLab and the GitHub
 * reporters use to point at the file). A change fails the test case: the
 * failure's type is the severity, its message the finding's line of
 * reasons, its text the pass, the place, the reasons and the fix as diff
 * lines. An advisory is a decision, not a failure: it is skipped, with its
 * reason as the message, which every reader shows apart from passes and
 * failures. A template with no finding has one passing test case, so that
 * it counts as tested. There is no XML library among the dependencies:
 * the text is written here, escaped by xml_escape().
 */

/*
 * @s as XML character data, or an attribute value with @attr: markup
 * characters as entities, and in an attribute tabs and line breaks as
 * character references (else a reader folds them into spaces); a CR
 * always, which readers would drop. What XML 1.0 cannot hold at all
 * (other control characters, bytes that are no UTF-8) becomes U+FFFD.
 */
static void xml_escape(struct cfh_buf *b, const char *s, size_t len, bool attr)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;

	while (p < e) {
		unsigned char c = *p;
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
				  : c >= 0xe0 && c <= 0xef ? 3
				  : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		size_t k;

		if (c == '&')
			cfh_buf_adds(b, "&amp;");
		else if (c == '<')
			cfh_buf_adds(b, "&lt;");
		else if (c == '>')
			cfh_buf_adds(b, "&gt;");
		else if (c == '"' && attr)
			cfh_buf_adds(b, "&quot;");
		else if (c == '\r' || (attr && (c == '\n' || c == '\t')))
			cfh_buf_addf(b, "&#%d;", c);
		else if (c < 0x20 && c != '\n' && c != '\t')
			cfh_buf_adds(b, "\xef\xbf\xbd");
		else if (n == 1)
			cfh_buf_addc(b, (char)c);
		if (n == 1) {
			p++;
			continue;
		}
		for (k = 1; n && k < n && p + k < e; k++)
			if ((p[k] & 0xc0) != 0x80)
				break;
		/* Overlong, surrogate, beyond U+10FFFF, and U+FFFE/U+FFFF
		 * are no characters. */
		if (!n || k < n || (c == 0xe0 && p[1] < 0xa0) ||
		    (c == 0xed && p[1] >= 0xa0) || (c == 0xf0 && p[1] < 0x90) ||
		    (c == 0xf4 && p[1] >= 0x90) ||
		    (c == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))) {
			cfh_buf_adds(b, "\xef\xbf\xbd");
			p += n && k < n ? k : 1;
			continue;
		}
		cfh_buf_add(b, p, n);
		p += n;
	}
}

static void xml_escapes(struct cfh_buf *b, const char *s, bool attr)
{
	xml_escape(b, s, strlen(s), attr);
}

/* "@@ -a,n +c,m @@" of a block with no context, as diff -U0 writes it. */
static void junit_range(struct cfh_buf *b, char mark, long start, long len)
{
	if (len == 1)
		cfh_buf_addf(b, " %c%ld", mark, start);
	else
		cfh_buf_addf(b, " %c%ld,%ld", mark, len ? start : start - 1, len);
}

static void junit_lines(struct cfh_buf *b, const struct lines *l, char mark,
			long from, long n)
{
	long k;

	for (k = from; k < from + n; k++) {
		size_t s = l->start[k - 1], e = l->start[k];

		cfh_buf_addc(b, mark);
		xml_escape(b, l->s + s, e - s, false);
		if (e == s || l->s[e - 1] != '\n')
			cfh_buf_adds(b, "\n\\ No newline at end of file\n");
	}
}

static void junit_case(struct cfh_buf *b, const struct fixset *x, size_t k,
		       const char *name)
{
	const struct finding *f = &x->m.f[k];
	struct cfh_buf msg, subj;
	bool fix = false;
	size_t i, j;
	int line, col;
	json_t *s;

	cfh_buf_init(&msg);
	cfh_buf_init(&subj);
	finding_message(&msg, x, f);
	line = finding_line(x, f, &col);
	finding_subject(&subj, f);
	cfh_buf_adds(b, "    <testcase name=\"");
	xml_escapes(b, f->pass, true);
	cfh_buf_adds(b, ": ");
	xml_escape(b, subj.data ? subj.data : "", subj.len, true);
	/* Apart from a change of the same pass to the same resource. */
	if (f->advisory)
		cfh_buf_adds(b, " (advisory)");
	cfh_buf_adds(b, "\" classname=\"");
	xml_escapes(b, name, true);
	cfh_buf_adds(b, "\" file=\"");
	xml_escapes(b, name, true);
	cfh_buf_adds(b, "\"");
	if (line > 0)
		cfh_buf_addf(b, " line=\"%d\"", line);
	cfh_buf_adds(b, ">\n");
	if (f->advisory) {
		cfh_buf_adds(b, "      <skipped message=\"advisory: ");
		xml_escape(b, msg.data ? msg.data : "", msg.len, true);
		cfh_buf_adds(b, "\"/>\n");
		goto out;
	}
	cfh_buf_adds(b, "      <failure message=\"");
	xml_escape(b, msg.data ? msg.data : "", msg.len, true);
	cfh_buf_addf(b, "\" type=\"%s\">", cfh_severity_name(f->sev));
	cfh_buf_addf(b, "%s: ", cfh_severity_name(f->sev));
	xml_escapes(b, f->p ? cfh_pass_title(f->p) : f->pass, false);
	cfh_buf_adds(b, " (pass ");
	xml_escapes(b, f->pass, false);
	cfh_buf_adds(b, ")\n");
	xml_escapes(b, name, false);
	if (line > 0)
		cfh_buf_addf(b, ":%d", line);
	cfh_buf_adds(b, ": ");
	xml_escape(b, msg.data ? msg.data : "", msg.len, false);
	cfh_buf_addc(b, '\n');
	for (i = 0; i < f->n; i++) {
		const struct cfh_change *c = &x->m.r->changes[f->idx[i]];

		if (!json_array_size(c->replaced))
			continue;
		s = replaced_sentences(c);
		for (j = 0; j < json_array_size(s); j++) {
			cfh_buf_adds(b, "replaces ");
			xml_escapes(b, json_string_value(json_array_get(s, j)),
				    false);
			cfh_buf_addc(b, '\n');
		}
		json_decref(s);
	}
	for (i = 0; i < x->nblk; i++) {
		const struct block *bl = &x->blk[i];

		if (!fixset_owns(x, k, i))
			continue;
		if (!fix)
			cfh_buf_adds(b, "fix:\n");
		fix = true;
		cfh_buf_adds(b, "@@");
		junit_range(b, '-', bl->i0, bl->ni);
		junit_range(b, '+', bl->j0, bl->nj);
		cfh_buf_adds(b, " @@\n");
		junit_lines(b, &x->a, '-', bl->i0, bl->ni);
		junit_lines(b, &x->b, '+', bl->j0, bl->nj);
	}
	cfh_buf_adds(b, "</failure>\n");
out:
	cfh_buf_adds(b, "    </testcase>\n");
	b->failed |= msg.failed || subj.failed;
	cfh_buf_release(&msg);
	cfh_buf_release(&subj);
}

char *cfh_junit_suite(struct cfh_run *r, const char *name)
{
	struct fixset x;
	struct cfh_buf b;
	size_t k, fails = 0, skips = 0;
	char *out = NULL;

	cfh_buf_init(&b);
	if (fixset_init(&x, r))
		goto out;
	for (k = 0; k < x.m.nf; k++) {
		fails += !x.m.f[k].advisory;
		skips += x.m.f[k].advisory;
	}
	cfh_buf_adds(&b, "  <testsuite name=\"");
	xml_escapes(&b, name, true);
	cfh_buf_addf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			 "skipped=\"%zu\" file=\"",
		     x.m.nf ? x.m.nf : 1, fails, skips);
	xml_escapes(&b, name, true);
	cfh_buf_adds(&b, "\">\n    <properties>\n");
	cfh_buf_addf(&b, "      <property name=\"cfn-harden.version\" "
			 "value=\"%s\"/>\n", CFH_VERSION);
	cfh_buf_adds(&b, "      <property name=\"mode\" value=\"");
	xml_escapes(&b, cfh_opt_str(r, "general.mode"), true);
	cfh_buf_adds(&b, "\"/>\n    </properties>\n");
	for (k = 0; k < x.m.nf; k++)
		junit_case(&b, &x, k, name);
	if (!x.m.nf) {
		cfh_buf_adds(&b, "    <testcase name=\"nothing to change\" "
				 "classname=\"");
		xml_escapes(&b, name, true);
		cfh_buf_adds(&b, "\" file=\"");
		xml_escapes(&b, name, true);
		cfh_buf_adds(&b, "\"/>\n");
	}
	cfh_buf_adds(&b, "  </testsuite>\n");
	out = cfh_buf_steal(&b, NULL);
out:
	cfh_buf_release(&b);
	fixset_release(&x);
	return out;
}

static char *report_junit(struct cfh_run *r, const char *name)
{
	char *suite = cfh_junit_suite(r, name);
	struct cfh_buf b;

	if (!suite)
		return NULL;
	cfh_buf_init(&b);
	cfh_buf_adds(&b, CFH_JUNIT_HEAD);
	cfh_buf_adds(&b, suite);
	cfh_buf_adds(&b, CFH_JUNIT_TAIL);
	free(suite);
	return cfh_buf_steal(&b, NULL);
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

static void cap_name(struct cfh_buf *b, enum cfh_severity sev)
{
	const char *n = cfh_severity_name(sev);

	cfh_buf_addc(b, (char)(n[0] - 32));
	cfh_buf_adds(b, n + 1);
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
	char *key = item ? NULL : pointer_last(c->path);
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
static void md_fix(struct cfh_buf *b, const struct findings *m,
		   const struct finding *f, size_t pad, size_t num,
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
		if (adds_resource(c)) {
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
static bool md_added(const struct findings *m, const char *section,
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
static void md_subject(struct cfh_buf *b, const struct finding *f)
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
static void md_entry(struct cfh_buf *b, const struct findings *m,
		     const struct finding *f, size_t num, json_t *shown)
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
	at = entry_line(t, f->resource ? "Resources" : f->subject,
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
static void md_kind(struct cfh_buf *b, const struct finding *f,
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
static void md_advisories(struct cfh_buf *b, const struct findings *m)
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
			sec = pointer_segment(c->path, 0);
			name = pointer_segment(c->path, 1);
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
static void md_books_count(struct cfh_buf *b, const struct findings *m)
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
	last = pointer_last(c->path);
	md_add_name(names, last);
	free(last);
}

/*
 * The bookkeeping passes, last and short: per pass its title, then one
 * line per group of resources that got the same things ("Name,
 * Environment, Project, ManagedBy: `Bucket`, `Queue`"), and one line per
 * section it wrote to ("Outputs: `BucketArn`, `QueueUrl`").
 */
static void md_books(struct cfh_buf *b, const struct findings *m)
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
			const struct finding *f = &m->f[k];

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

static void md_summary(struct cfh_buf *b, const struct findings *m)
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
static void md_findings(struct cfh_buf *b, const struct findings *m)
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
			const struct finding *f = &m->f[i];

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
	struct findings m = { .r = r };
	struct cfh_buf b;
	char *out = NULL;

	cfh_buf_init(&b);
	if (findings_collect(&m))
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
	findings_release(&m);
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
	case CFH_REPORT_JUNIT:
		return report_junit(r, input_name);
	case CFH_REPORT_JSON_PATCH:
		return cfh_json_dump_take(json_patch(r));
	case CFH_REPORT_DIFF:
		if (r->printed)
			return cfh_diff(t->src, t->len, r->printed,
					r->printed_len, input_name);
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

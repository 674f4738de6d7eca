/* SPDX-License-Identifier: MIT */
/*
 * Conventions: what the file's own author chose (indent step, whether
 * block sequences sit indented under their key, quote character, short or
 * long intrinsic form, JSON indentation and spacing). New text follows the
 * majority of what is already there, so a reviewer sees the fix and not a
 * change of style.
 */
#include <string.h>

#include "model.h"

struct votes {
	unsigned indent[9];	/* block indent steps 1..8 */
	unsigned seq_in, seq_out;
	unsigned single, dbl;
	unsigned tag_short, tag_long;
};

static void walk(const struct cfh_node *n, struct votes *v, int depth)
{
	const struct cfh_entry *e;
	struct cfh_fn_view fv;

	if (!n || depth > CFH_MAX_DEPTH || n->kind == CFH_ALIAS)
		return;
	if (n->kind == CFH_SCALAR) {
		if (n->style == CFH_STYLE_SINGLE)
			v->single++;
		else if (n->style == CFH_STYLE_DOUBLE)
			v->dbl++;
	}
	if (cfh_node_fn(n, &fv) && fv.fn != CFH_FN_UNKNOWN) {
		if (fv.short_form)
			v->tag_short++;
		else
			v->tag_long++;
	}
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	for (e = n->ent; e && e < n->ent + n->n; e++) {
		const struct cfh_node *c = e->value;

		if (n->kind == CFH_MAP && n->style == CFH_STYLE_BLOCK &&
		    c->style == CFH_STYLE_BLOCK && c->line > e->key->line) {
			int d = c->col - e->key->col;

			if (c->kind == CFH_MAP && d >= 1 && d <= 8)
				v->indent[d]++;
			else if (c->kind == CFH_SEQ && d > 0)
				v->seq_in++;
			else if (c->kind == CFH_SEQ && d == 0)
				v->seq_out++;
		}
		walk(c, v, depth + 1);
	}
}

/* The whitespace before @pos on its line, if only whitespace is there. */
static size_t indent_width(const char *s, size_t pos, char *unit)
{
	size_t i = pos;

	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	if (i > 0 && s[i - 1] != '\n')
		return 0;
	if (unit && pos > i)
		*unit = s[i];
	return pos - i;
}

static void detect_json(struct cfh_template *t)
{
	const struct cfh_node *root = t->root;
	const struct cfh_entry *first;
	size_t w, p;
	char unit = ' ';

	t->conv.junit = ' ';
	t->conv.jindent = 2;
	t->conv.jspace = true;
	if (!root || root->kind != CFH_MAP || !root->n)
		return;
	first = &root->ent[0];
	if (first->key->line > root->line) {
		w = indent_width(t->src, first->start, &unit);
		t->conv.junit = unit;
		t->conv.jindent = w > 0 && w <= 16 ? (int)w : 2;
		return;
	}
	t->conv.jindent = 0;
	p = first->key->end;
	while (p < t->len && t->src[p] != ':')
		p++;
	t->conv.jspace = p + 1 < t->len && t->src[p + 1] == ' ';
}

void cfh_conv_detect(struct cfh_template *t)
{
	struct votes v;
	unsigned best = 0;
	const char *lf;
	int i;

	memset(&v, 0, sizeof(v));
	lf = memchr(t->src, '\n', t->len);
	t->conv.nl = lf && lf > t->src && lf[-1] == '\r' ? "\r\n" : "\n";
	t->conv.indent = 2;
	walk(t->root, &v, 0);
	for (i = 1; i <= 8; i++)
		if (v.indent[i] > best) {
			best = v.indent[i];
			t->conv.indent = i;
		}
	t->conv.seq_indented = v.seq_in >= v.seq_out;
	t->conv.quote = v.dbl > v.single ? '"' : '\'';
	t->conv.short_tags = !t->conv.json && v.tag_short >= v.tag_long;
	if (t->conv.json)
		detect_json(t);
}

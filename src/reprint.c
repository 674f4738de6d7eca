/* SPDX-License-Identifier: MIT */
/*
 * The reprinter: source bytes for everything clean, new text only where a
 * pass changed something (the identity and locality invariants).
 *
 * A clean node is copied from its span. A dirty collection is walked entry
 * by entry: the text between entries (separators, comments, blank lines)
 * is copied; a removed entry's bytes are dropped together with one
 * separator; a replaced value is rendered over the old value's span; a new
 * entry is rendered after the last original entry before it, indented like
 * its siblings. In a block collection new entries go at the end of that
 * entry's line, after any comment on it, so the comment stays where it was.
 *
 *   A: 1   # one           A: 1   # one
 *   B: 2          ==>      B: 2
 *                          C: 3          (C added after B)
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct printer {
	const struct cfh_template *t;
	struct cfh_buf *out;
	size_t cursor;		/* source bytes before it are handled */
	/* Source bytes [patch_at, patch_end) are written as patch_text. */
	size_t patch_at, patch_end;
	const char *patch_text;
};

static void copy_to(struct printer *p, size_t pos)
{
	const char *s = p->t->src;

	if (p->patch_text && p->cursor <= p->patch_at && p->patch_at < pos) {
		cfh_buf_add(p->out, s + p->cursor, p->patch_at - p->cursor);
		cfh_buf_adds(p->out, p->patch_text);
		p->cursor = p->patch_end;
	}
	if (pos > p->cursor) {
		cfh_buf_add(p->out, s + p->cursor, pos - p->cursor);
		p->cursor = pos;
	}
}

static void skip_to(struct printer *p, size_t pos)
{
	if (pos > p->cursor)
		p->cursor = pos;
}

/* Where the line holding @pos ends: after trailing blanks and a comment,
 * before the line break. */
static size_t eol(const struct cfh_template *t, size_t pos)
{
	const char *s = t->src;

	/* A node that ends with its line break (a kept block scalar) ends
	 * its line already. */
	if (pos > 0 && s[pos - 1] == '\n')
		return pos;
	while (pos < t->len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	if (pos < t->len && s[pos] == '#')
		while (pos < t->len && s[pos] != '\n')
			pos++;
	if (pos < t->len && s[pos] == '\n' && pos > 0 && s[pos - 1] == '\r')
		pos--;
	return pos;
}

/* True if only blanks and a comment follow @pos on its line. */
static bool line_has_comment(const struct cfh_template *t, size_t pos)
{
	while (pos < t->len && (t->src[pos] == ' ' || t->src[pos] == '\t'))
		pos++;
	return pos < t->len && t->src[pos] == '#';
}

/* A plain true, false or number: a setting. */
static bool is_flag(const struct cfh_node *n)
{
	return n->kind == CFH_SCALAR && n->style == CFH_STYLE_PLAIN &&
	       !n->tag && (n->stype == CFH_T_BOOL || n->stype == CFH_T_INT ||
			   n->stype == CFH_T_REAL);
}

/* Width of the whitespace that starts the line holding @pos, when only
 * whitespace stands before @pos on that line; -1 otherwise. */
static int line_indent(const struct cfh_template *t, size_t pos)
{
	size_t i = pos;

	while (i > 0 && (t->src[i - 1] == ' ' || t->src[i - 1] == '\t'))
		i--;
	if (i > 0 && t->src[i - 1] != '\n')
		return -1;
	return (int)(pos - i);
}

/* Column (0-based, in bytes) of @pos on its line. Block keys are
 * preceded only by spaces and "- " indicators, so bytes are columns; a
 * byte-order mark takes none. */
static int column_of(const struct cfh_template *t, size_t pos)
{
	size_t i = pos;

	while (i > 0 && t->src[i - 1] != '\n')
		i--;
	if (i == 0 && pos >= 3 && !memcmp(t->src, "\xef\xbb\xbf", 3))
		i = 3;
	return (int)(pos - i);
}

/* The line of a node's last byte, counted only where needed. */
static int line_of_end(const struct cfh_template *t, const struct cfh_node *n)
{
	int line = n->line;
	size_t i;

	for (i = n->vstart; i < n->end && i < t->len; i++)
		line += t->src[i] == '\n';
	return line;
}

static bool is_live_original(const struct cfh_entry *e)
{
	return !(e->flags & (CFH_EF_NEW | CFH_EF_REMOVED));
}

static size_t entry_end(const struct cfh_entry *e)
{
	return e->orig ? e->orig->end : e->value->end;
}

static int entry_line(const struct cfh_entry *e)
{
	const struct cfh_node *v = e->orig ? e->orig : e->value;

	return e->key ? e->key->line : v->line;
}

/* An original collection with entries but none of its original ones left
 * is written afresh, like a new node: there is no sibling to follow. */
static bool renders_fresh(const struct cfh_node *n)
{
	const struct cfh_entry *e;

	if (n->flags & CFH_NF_NEW)
		return true;
	if (!(n->flags & CFH_NF_DIRTY) || !n->n)
		return false;
	for (e = n->ent; e && e < n->ent + n->n; e++)
		if (is_live_original(e))
			return false;
	return true;
}

static void emit(struct printer *p, const struct cfh_node *n);

struct coll_info {
	bool block;
	bool multiline;		/* flow entries on lines of their own */
	int col;		/* block: column of keys or dashes */
	int indent;		/* flow, multiline: indent of entries */
};

static void info_of(const struct cfh_template *t, const struct cfh_node *n,
		    struct coll_info *ci)
{
	const struct cfh_entry *e;

	memset(ci, 0, sizeof(*ci));
	ci->block = n->style == CFH_STYLE_BLOCK;
	ci->col = n->col > 0 ? n->col - 1 : 0;
	for (e = n->ent; e && e < n->ent + n->n; e++) {
		if (!is_live_original(e))
			continue;
		if (ci->block) {
			/* The entry's start, not the key's text: a tag or an
			 * anchor before the key sets the column of the keys. */
			if (e->key)
				ci->col = column_of(t, e->start);
			break;
		}
		ci->multiline = entry_line(e) > n->line;
		ci->indent = line_indent(t, e->start);
		if (ci->indent < 0) {
			ci->multiline = false;
			ci->indent = 0;
		}
		break;
	}
}

/* The text of a new entry, without separators. */
static void entry_text(struct printer *p, const struct cfh_entry *e,
		       const struct coll_info *ci)
{
	const struct cfh_template *t = p->t;

	if (ci->block) {
		if (e->key) {
			cfh_render_key(p->out, t, e->key->text, false);
			cfh_buf_addc(p->out, ':');
			cfh_render(p->out, t, e->value, CFH_CTX_BLOCK_VALUE,
				   ci->col, true);
		} else {
			cfh_buf_addc(p->out, '-');
			cfh_render(p->out, t, e->value, CFH_CTX_BLOCK_ITEM,
				   ci->col, true);
		}
		return;
	}
	if (e->key) {
		cfh_render_key(p->out, t, e->key->text, true);
		cfh_buf_adds(p->out, t->conv.json && !t->conv.jspace &&
					     !ci->multiline
				     ? ":"
				     : ": ");
	}
	cfh_render(p->out, t, e->value, CFH_CTX_FLOW, ci->indent,
		   ci->multiline);
}

static void separator(struct printer *p, const struct coll_info *ci)
{
	const struct cfh_template *t = p->t;

	if (ci->block) {
		cfh_buf_adds(p->out, t->conv.nl);
		cfh_buf_pad(p->out, ' ', (size_t)ci->col);
		return;
	}
	cfh_buf_addc(p->out, ',');
	if (ci->multiline) {
		cfh_buf_adds(p->out, t->conv.nl);
		cfh_buf_pad(p->out, t->conv.json ? t->conv.junit : ' ',
			    (size_t)ci->indent);
	} else if (!t->conv.json || t->conv.jspace) {
		cfh_buf_addc(p->out, ' ');
	}
}

static void insert_entry(struct printer *p, const struct cfh_node *n,
			 size_t i, const struct coll_info *ci)
{
	const struct cfh_template *t = p->t;
	const struct cfh_entry *e = &n->ent[i], *anchor = NULL;
	size_t k, pos;

	for (k = i; k-- > 0;)
		if (is_live_original(&n->ent[k])) {
			anchor = &n->ent[k];
			break;
		}
	if (anchor) {
		pos = entry_end(anchor);
		if (ci->block)
			pos = eol(t, pos);
		if (pos < p->cursor)
			pos = p->cursor;
		copy_to(p, pos);
		if (ci->block && pos > 0 && t->src[pos - 1] == '\n') {
			/* After a kept block scalar (|+), whose line breaks
			 * are its own: write a whole line here. */
			cfh_buf_pad(p->out, ' ', (size_t)ci->col);
			entry_text(p, e, ci);
			cfh_buf_adds(p->out, t->conv.nl);
			return;
		}
		separator(p, ci);
		entry_text(p, e, ci);
		return;
	}
	for (k = i + 1; k < n->n; k++)
		if (is_live_original(&n->ent[k]))
			break;
	/* renders_fresh() guarantees a live original exists. */
	copy_to(p, n->ent[k].start);
	entry_text(p, e, ci);
	separator(p, ci);
}

/* Past the line break at @pos (CRLF or LF), or @pos if there is none. */
static size_t past_break(const struct cfh_template *t, size_t pos)
{
	if (pos < t->len && t->src[pos] == '\r')
		pos++;
	if (pos < t->len && t->src[pos] == '\n')
		pos++;
	return pos;
}

/* Drop the whole lines [@a, @b). When the first of them is the first entry
 * of its collection, its indentation is already out (the parent copied
 * it): take it back. */
static void drop_lines(struct printer *p, size_t a, size_t b)
{
	if (p->cursor > a) {
		p->out->len -= p->cursor - a;
		p->out->data[p->out->len] = '\0';
	} else {
		copy_to(p, a);
	}
	p->cursor = b;
}

static void remove_entry(struct printer *p, const struct cfh_node *n,
			 size_t i, const struct coll_info *ci)
{
	const struct cfh_template *t = p->t;
	size_t k, m, last = i, a, b;
	const struct cfh_entry *live = NULL;
	int ind;

	for (k = i + 1; k < n->n; k++)
		if (!(n->ent[k].flags & CFH_EF_NEW))
			break;
	ind = line_indent(t, n->ent[i].start);
	if (k < n->n) {
		if (ci->block && ind >= 0) {
			/* An entry on lines of its own: drop those lines,
			 * keep the blank lines and comments after them. */
			drop_lines(p, n->ent[i].start - (size_t)ind,
				   past_break(t, eol(t, entry_end(&n->ent[i]))));
			return;
		}
		/* Otherwise drop it and the separator after it, up to the
		 * start of the next original entry, when one is kept after
		 * it. When every original after it goes too, the separator
		 * before it must go with them: that is the tail, below. */
		for (m = k; m < n->n; m++)
			if (is_live_original(&n->ent[m]))
				break;
		if (m < n->n) {
			copy_to(p, n->ent[i].start);
			skip_to(p, n->ent[k].start);
			return;
		}
	}
	/* The tail: drop from the end of the last live original entry, so
	 * that the separator before the removed one goes with it. */
	for (k = i; k-- > 0;)
		if (is_live_original(&n->ent[k])) {
			live = &n->ent[k];
			break;
		}
	for (k = i; k < n->n; k++)
		if (!(n->ent[k].flags & CFH_EF_NEW))
			last = k;
	a = entry_end(live);
	b = entry_end(&n->ent[last]);
	if (ci->block && ind >= 0) {
		size_t end = eol(t, b);

		if (past_break(t, end) != end) {
			/* Entries on lines of their own, followed by a line
			 * break: drop the lines whole, as for the others. */
			drop_lines(p, n->ent[i].start - (size_t)ind,
				   past_break(t, end));
			return;
		}
	}
	if (ci->block) {
		a = eol(t, a);
		b = eol(t, b);
		/* After a kept block scalar (|+) the removed lines go with
		 * their own line break; the scalar keeps its. */
		if (a > 0 && t->src[a - 1] == '\n')
			b = past_break(t, b);
	}
	copy_to(p, a);
	skip_to(p, b);
}

/*
 * A comment after a replaced block value, @text rendered for it. After a
 * flag it spoke of the old setting ("false  # no auth token yet" when it
 * becomes true): it goes, and the report keeps the old value. Other
 * comments (what a name is for) stay: after the value, or at the end of
 * its first line when the value is now written on several.
 */
static void add_with_comment(struct printer *p, const struct cfh_node *old,
			     const struct cfh_buf *text)
{
	const struct cfh_template *t = p->t;
	const char *nl = text->len ? memchr(text->data, '\n', text->len) : NULL;
	size_t end = eol(t, old->end), head;

	if (text->failed)
		p->out->failed = true;
	if (!line_has_comment(t, old->end) || is_flag(old)) {
		cfh_buf_add(p->out, text->data, text->len);
		if (line_has_comment(t, old->end))
			skip_to(p, end);
		return;
	}
	if (!nl) {
		cfh_buf_add(p->out, text->data, text->len);
		return;
	}
	head = (size_t)(nl - text->data);
	if (head > 0 && text->data[head - 1] == '\r')
		head--;
	cfh_buf_add(p->out, text->data, head);
	cfh_buf_add(p->out, t->src + old->end, end - old->end);
	cfh_buf_add(p->out, text->data + head, text->len - head);
	skip_to(p, end);
}

static void replace_value(struct printer *p, const struct cfh_entry *e,
			  const struct coll_info *ci)
{
	const struct cfh_template *t = p->t;
	const struct cfh_node *old = e->orig ? e->orig : e->value;
	struct cfh_buf text;
	int indent;
	bool multiline;

	if (ci->block) {
		cfh_buf_init(&text);
		if (e->key) {
			copy_to(p, e->key->end);
			cfh_buf_addc(p->out, ':');
			cfh_render(&text, t, e->value, CFH_CTX_BLOCK_VALUE,
				   column_of(t, e->start), true);
		} else {
			copy_to(p, e->start + 1);
			cfh_render(&text, t, e->value, CFH_CTX_BLOCK_ITEM,
				   ci->col, true);
		}
		skip_to(p, old->end);
		/* A collection emptied and filled again keeps the comment
		 * where it was: only a replaced value has a stale one. */
		if (e->orig)
			add_with_comment(p, old, &text);
		else
			cfh_buf_add(p->out, text.data, text.len);
		if (text.failed)
			p->out->failed = true;
		cfh_buf_release(&text);
		return;
	}
	indent = line_indent(t, e->start);
	multiline = indent >= 0 && ci->multiline;
	/* An emptied one-line collection stays on one line. */
	if (!(e->value->flags & CFH_NF_NEW) && !e->orig &&
	    old->line == line_of_end(t, old))
		multiline = false;
	copy_to(p, old->start);
	cfh_render(p->out, t, e->value, CFH_CTX_FLOW, indent < 0 ? 0 : indent,
		   multiline);
	skip_to(p, old->end);
}

static void emit_collection(struct printer *p, const struct cfh_node *n)
{
	struct coll_info ci;
	const struct cfh_entry *e;
	size_t i;

	info_of(p->t, n, &ci);
	for (i = 0; i < n->n; i++) {
		e = &n->ent[i];
		if ((e->flags & CFH_EF_NEW) && (e->flags & CFH_EF_REMOVED))
			continue;
		if (e->flags & CFH_EF_NEW) {
			insert_entry(p, n, i, &ci);
		} else if (e->flags & CFH_EF_REMOVED) {
			remove_entry(p, n, i, &ci);
		} else if (e->orig || renders_fresh(e->value)) {
			replace_value(p, e, &ci);
		} else if (e->value->flags & CFH_NF_DIRTY) {
			copy_to(p, e->value->start);
			emit(p, e->value);
		}
	}
	copy_to(p, n->end);
}

static void emit(struct printer *p, const struct cfh_node *n)
{
	if (n->flags & CFH_NF_DIRTY)
		emit_collection(p, n);
	else
		copy_to(p, n->end);
}

/*
 * A block scalar that ends the file, with no line break after it: its
 * value has no final line break. Anything printed after it starts with
 * one, which a "|" or "|+" scalar would take into its value ("keep me"
 * becoming "keep me\n", in a deployed stack). Returns that scalar, or
 * NULL.
 */
static const struct cfh_node *open_block_at_eof(const struct cfh_template *t)
{
	const struct cfh_node *n = t->root;

	if (!t->len || t->src[t->len - 1] == '\n')
		return NULL;
	while (n && (n->kind == CFH_MAP || n->kind == CFH_SEQ)) {
		const struct cfh_entry *last = NULL, *e;

		for (e = n->ent; e && e < n->ent + n->n; e++)
			if (!(e->flags & CFH_EF_NEW))
				last = e;
		n = last ? (last->orig ? last->orig : last->value) : NULL;
	}
	if (!n || n->kind != CFH_SCALAR || n->end != t->len ||
	    (n->style != CFH_STYLE_LITERAL && n->style != CFH_STYLE_FOLDED) ||
	    (n->len && n->text[n->len - 1] == '\n'))
		return NULL;
	return n;
}

/* The header of block scalar @n with strip chomping ("|-"), which keeps
 * its value when a line break follows: [*at, *end) becomes @buf. */
static void strip_header(const struct cfh_template *t,
			 const struct cfh_node *n, char *buf, size_t *at,
			 size_t *end)
{
	size_t i = n->vstart + 1, k = 0;

	buf[k++] = t->src[n->vstart];
	for (; i < n->end && i < n->vstart + 3; i++) {
		if (t->src[i] >= '1' && t->src[i] <= '9')
			buf[k++] = t->src[i];
		else if (t->src[i] != '+' && t->src[i] != '-')
			break;
	}
	buf[k++] = '-';
	buf[k] = '\0';
	*at = n->vstart;
	*end = i;
}

static char *print(struct cfh_template *t, const struct cfh_node *strip,
		   size_t *lenp)
{
	struct printer p = { .t = t };
	struct cfh_buf out;
	char header[8];

	cfh_buf_init(&out);
	p.out = &out;
	if (strip) {
		strip_header(t, strip, header, &p.patch_at, &p.patch_end);
		p.patch_text = header;
	}
	if (t->root && renders_fresh(t->root)) {
		copy_to(&p, t->root->start);
		cfh_render(&out, t, t->root, t->conv.json ? CFH_CTX_FLOW
							  : CFH_CTX_BLOCK_ITEM,
			   0, true);
		skip_to(&p, t->root->end);
	} else if (t->root) {
		copy_to(&p, t->root->start);
		emit(&p, t->root);
	}
	copy_to(&p, t->len);
	return cfh_buf_steal(&out, lenp);
}

char *cfh_template_print(struct cfh_template *t, size_t *lenp)
{
	const struct cfh_node *eof = open_block_at_eof(t);
	size_t len, tail;
	char *s = print(t, NULL, &len);

	/* Printed as it was, the scalar still ends the output; else text
	 * follows it, and it is printed again with "|-". */
	if (!s || !eof)
		goto out;
	tail = t->len - eof->vstart;
	if (len >= tail && !memcmp(s + len - tail, t->src + eof->vstart, tail))
		goto out;
	free(s);
	s = print(t, eof, &len);
out:
	if (s && lenp)
		*lenp = len;
	return s;
}

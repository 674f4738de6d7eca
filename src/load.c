/* SPDX-License-Identifier: MIT */
/*
 * Loading: libfyaml's event stream to the model.
 *
 * libfyaml's document API keeps no byte spans, but its parser events carry
 * start and end marks, so the tree is built here from events. Marks cover
 * the token proper; the span of a node in the model covers what the
 * reprinter must replace when the node changes: quotes, a block scalar's
 * indicator, tag and anchor. Everything between spans (separators,
 * comments, blank lines) is copied verbatim by the reprinter.
 *
 * Before parsing, the bytes are checked for what libfyaml reports late or
 * vaguely: an empty file, NUL bytes, invalid UTF-8. Those checks, the
 * refusals made while building and the work-arounds for libfyaml's bugs
 * are in load_guard.c.
 */
#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

static void line_col(const struct cfh_template *t, size_t pos, int *line,
		     int *col)
{
	int l = 1, c = 1;
	size_t i;

	/* Only used on error paths: a scan is fine. A byte-order mark is no
	 * column, as libfyaml counts. */
	i = t->len >= 3 && !memcmp(t->src, "\xef\xbb\xbf", 3) && pos >= 3 ? 3 : 0;
	for (; i < pos && i < t->len; i++) {
		if (t->src[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)t->src[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

int cfh_load_fail_at(struct loader *ld, size_t pos, enum cfh_exit code,
		     const char *fmt, ...)
{
	va_list ap;

	if (ld->diag->msg[0])
		return -1;	/* keep the first error */
	line_col(ld->t, pos, &ld->diag->line, &ld->diag->col);
	ld->diag->code = code;
	va_start(ap, fmt);
	vsnprintf(ld->diag->msg, sizeof(ld->diag->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_json_text(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			   s[i] == '\n'))
		i++;
	return i < len && s[i] == '{';
}

/* Resolve a plain scalar by the YAML 1.2 core schema. */
enum cfh_stype cfh_plain_type(const char *s, size_t len)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "true", "True", "TRUE",
					     "false", "False", "FALSE" };
	size_t i, k;
	bool digits = false, dot = false;

	for (k = 0; k < sizeof(nulls) / sizeof(*nulls); k++)
		if (strlen(nulls[k]) == len && !memcmp(s, nulls[k], len))
			return CFH_T_NULL;
	for (k = 0; k < sizeof(bools) / sizeof(*bools); k++)
		if (strlen(bools[k]) == len && !memcmp(s, bools[k], len))
			return CFH_T_BOOL;
	i = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o'))
		return strspn(s + i + 2, s[i + 1] == 'x' ? "0123456789abcdefABCDEF"
							 : "01234567") ==
			       len - i - 2
		       ? CFH_T_INT
		       : CFH_T_STR;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits = true;
		} else if (s[i] == '.' && !dot) {
			dot = true;
		} else if ((s[i] == 'e' || s[i] == 'E') && digits) {
			i++;
			if (i < len && (s[i] == '-' || s[i] == '+'))
				i++;
			if (i == len)
				return CFH_T_STR;
			for (; i < len; i++)
				if (s[i] < '0' || s[i] > '9')
					return CFH_T_STR;
			return CFH_T_REAL;
		} else {
			break;
		}
	}
	if (i == len && digits)
		return dot ? CFH_T_REAL : CFH_T_INT;
	if ((len == 4 || len == 5) &&
	    (!strcmp(s + len - 4, ".inf") || !strcmp(s + len - 4, ".Inf") ||
	     !strcmp(s + len - 4, ".INF") || !strcmp(s, ".nan") ||
	     !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) &&
	    (len == 4 || s[0] == '-' || s[0] == '+'))
		return CFH_T_REAL;
	return CFH_T_STR;
}

static size_t mark_pos(const struct fy_mark *m)
{
	return m ? m->input_pos : 0;
}

static struct cfh_node *node_new(struct loader *ld, enum cfh_kind kind)
{
	struct cfh_node *n = cfh_arena_alloc(&ld->t->arena, sizeof(*n));

	if (n) {
		n->kind = kind;
		n->weight = 1;
	}
	return n;
}

/* Copy a token's source text ("!Ref", an anchor name) into the arena. */
static const char *token_src(struct loader *ld, struct fy_token *tok,
			     size_t *startp, size_t *endp)
{
	const struct fy_mark *s = fy_token_start_mark(tok);
	const struct fy_mark *e = fy_token_end_mark(tok);
	size_t a = mark_pos(s), b = mark_pos(e);

	if (b < a || b > ld->t->len)
		b = a;
	*startp = a;
	*endp = b;
	return cfh_arena_strndup(&ld->t->arena, ld->t->src + a, b - a);
}

static int anchor_add(struct loader *ld, struct cfh_node *n)
{
	if (ld->nanchors == ld->capanchors) {
		size_t cap = ld->capanchors ? ld->capanchors * 2 : 8;
		struct cfh_node **v = realloc(ld->anchors, cap * sizeof(*v));

		if (!v)
			return -1;
		ld->anchors = v;
		ld->capanchors = cap;
	}
	ld->anchors[ld->nanchors++] = n;
	return 0;
}

/* The latest node anchored as @name: YAML lets a later anchor of the same
 * name hide an earlier one. */
static struct cfh_node *anchor_find(struct loader *ld, const char *name)
{
	size_t i;

	for (i = ld->nanchors; i-- > 0;)
		if (!strcmp(ld->anchors[i]->anchor, name))
			return ld->anchors[i];
	return NULL;
}

static bool on_stack(const struct loader *ld, const struct cfh_node *n)
{
	size_t i;

	for (i = 0; i < ld->depth; i++)
		if (ld->stack[i].node == n)
			return true;
	return false;
}

/* Apply tag and anchor: they extend the span to the left. */
static int decorate(struct loader *ld, struct cfh_node *n,
		    struct fy_token *anchor, struct fy_token *tag,
		    size_t *after)
{
	size_t a, b;

	*after = 0;
	if (tag) {
		n->tag = token_src(ld, tag, &a, &b);
		if (!n->tag)
			return -1;
		n->start = a;
		*after = b;
	}
	if (anchor) {
		size_t pos;
		const char *name = token_src(ld, anchor, &a, &b);

		if (!name)
			return -1;
		n->anchor = name;
		if (anchor_add(ld, n))
			return -1;
		pos = a > 0 && ld->t->src[a - 1] == '&' ? a - 1 : a;
		if (!tag || pos < n->start)
			n->start = pos;
		if (b > *after)
			*after = b;
	}
	return 0;
}

/* Skip spaces, line breaks and comments forward from @pos. */
static size_t skip_ws_comments(const char *s, size_t len, size_t pos)
{
	while (pos < len) {
		if (s[pos] == '#') {
			while (pos < len && s[pos] != '\n')
				pos++;
		} else if (strchr(" \t\r\n", s[pos])) {
			pos++;
		} else {
			break;
		}
	}
	return pos;
}

/* Where an empty (null) value sits: just after the ':' or '-' that
 * introduces it, or after its tag. */
static size_t empty_value_pos(struct loader *ld, size_t after)
{
	const struct frame *f;
	const char *s = ld->t->src;
	size_t pos;
	bool key;

	if (after)
		return after;
	if (!ld->depth)
		return ld->last_end;	/* an empty document */
	f = &ld->stack[ld->depth - 1];
	key = f->node->kind == CFH_MAP && !f->key;
	pos = f->node->kind == CFH_MAP && f->key ? f->key->end : ld->last_end;
	if (f->node->style != CFH_STYLE_FLOW &&
	    (f->node->kind == CFH_SEQ || key))
		/* A block item's '-', or an empty key's ':', starts a line of
		 * its own after the previous entry; found by make fuzz: the
		 * null had been put at the end of the previous entry. */
		pos = skip_ws_comments(s, ld->t->len, pos);
	while (pos < ld->t->len && strchr(" \t", s[pos]))
		pos++;
	/* An empty key sits at its ':', so that its entry starts there. */
	if (pos < ld->t->len && ((s[pos] == ':' && !key) || s[pos] == '-'))
		pos++;
	return pos;
}

/* True if only blanks stand before @pos on its line. */
static bool indicator_starts_line(const char *s, size_t pos)
{
	while (pos > 0 && (s[pos - 1] == ' ' || s[pos - 1] == '\t'))
		pos--;
	return pos == 0 || s[pos - 1] == '\n';
}

/* The end of a block scalar's last content line. Trailing line breaks and
 * blank lines go to the text that follows; trailing spaces on the last
 * content line are content and stay. */
static size_t trim_block_end(const char *s, size_t hdr, size_t b)
{
	size_t k;

	while (b > hdr) {
		if (s[b - 1] == '\n' || s[b - 1] == '\r') {
			b--;
			continue;
		}
		for (k = b; k > hdr && (s[k - 1] == ' ' || s[k - 1] == '\t');)
			k--;
		if (k > hdr && s[k - 1] != '\n')
			break;
		if (k == hdr)
			return k;
		b = k;
	}
	return b;
}

/*
 * libfyaml 0.7.12 keeps a line break at the end of a block scalar with
 * clip chomping ("|", no '+' or '-') that ends the file without one:
 * "Note: |\n  keep me<EOF>" reads "keep me\n", where YAML (and every
 * other reader, CloudFormation's among them) reads "keep me". True when
 * @n is such a scalar and its text has the extra break.
 */
static bool clipped_at_eof(const struct cfh_template *t,
			   const struct cfh_node *n)
{
	size_t i;

	if ((n->style != CFH_STYLE_LITERAL && n->style != CFH_STYLE_FOLDED) ||
	    !n->len || n->text[n->len - 1] != '\n' || n->end != t->len ||
	    t->src[t->len - 1] == '\n')
		return false;
	for (i = n->vstart + 1; i < n->end && i < n->vstart + 3; i++)
		if (t->src[i] == '+' || t->src[i] == '-')
			return false;
	return true;
}

static int scalar_span(struct loader *ld, struct cfh_node *n,
		       struct fy_token *val, size_t after)
{
	const struct fy_mark *sm = fy_token_start_mark(val);
	const struct fy_mark *em = fy_token_end_mark(val);
	const char *s = ld->t->src;
	size_t len = ld->t->len, a, b, hdr;
	bool keep;

	if (!sm || sm->line < 0) {
		const struct frame *f = ld->depth ? &ld->stack[ld->depth - 1]
						  : NULL;

		a = empty_value_pos(ld, after);
		n->vstart = n->end = a;
		/* Empty values have no mark: place them after their key. */
		if (f && f->node->kind == CFH_MAP && f->key &&
		    f->key->line > 0) {
			n->line = f->key->line;
			n->col = f->key->col + (int)(a - f->key->start);
		} else {
			line_col(ld->t, a, &n->line, &n->col);
		}
		if (!n->tag && !n->anchor)
			n->start = a;
		return 0;
	}
	a = sm->input_pos;
	b = em ? em->input_pos : a;
	n->line = sm->line + 1;
	n->col = sm->column + 1;
	switch (n->style) {
	case CFH_STYLE_SINGLE:
	case CFH_STYLE_DOUBLE:
		if (n->col > 1)
			n->col--;
		break;
	default:
		break;
	}
	switch (n->style) {
	case CFH_STYLE_SINGLE:
	case CFH_STYLE_DOUBLE:
		if (a > 0)
			a--;
		if (b < len)
			b++;
		break;
	case CFH_STYLE_LITERAL:
	case CFH_STYLE_FOLDED:
		/* The mark starts at the content; the node starts at its
		 * indicator. Trailing line breaks belong to what follows, so
		 * that text inserted after the node lands on a line of its
		 * own. */
		hdr = skip_ws_comments(s, len, after ? after : ld->last_end);
		while (hdr < a && s[hdr] != '|' && s[hdr] != '>')
			hdr = skip_ws_comments(s, len, hdr + 1);
		if (hdr >= a)
			return cfh_load_fail_at(
				ld, a, CFH_EXIT_INTERNAL,
				"cannot find block scalar indicator");
		a = hdr;
		hdr++;
		keep = false;
		while (hdr < len && strchr("0123456789+-", s[hdr]))
			keep |= s[hdr++] == '+';
		/* With keep chomping (|+) trailing blank lines are content;
		 * the next line's indentation, which the token may take in,
		 * is not. */
		if (!keep) {
			b = trim_block_end(s, hdr, b);
		} else {
			size_t k = b;

			while (k > hdr && (s[k - 1] == ' ' || s[k - 1] == '\t'))
				k--;
			if (k > hdr && s[k - 1] == '\n')
				b = k;
		}
		break;
	default:
		break;
	}
	/* An explicit null the loader patched in over a line break (see
	 * cfh_load_patch_for_error()): in the source the value is empty. */
	if (b == a + 1 && s[a] == '\n')
		b = a;
	n->vstart = a;
	n->end = b;
	if (!n->tag && !n->anchor)
		n->start = a;
	return 0;
}

static int push(struct loader *ld, struct cfh_node *n, size_t pos)
{
	if (ld->depth >= CFH_MAX_DEPTH)
		return cfh_load_fail_at(ld, pos, CFH_EXIT_INPUT,
					"nesting deeper than %d levels",
					CFH_MAX_DEPTH);
	if (ld->depth == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 32;
		struct frame *st = realloc(ld->stack, cap * sizeof(*st));

		if (!st)
			return cfh_load_fail_at(ld, pos, CFH_EXIT_INTERNAL,
						"out of memory");
		ld->stack = st;
		ld->cap = cap;
	}
	ld->stack[ld->depth].node = n;
	ld->stack[ld->depth].key = NULL;
	ld->depth++;
	return 0;
}

static int entry_add(struct loader *ld, struct cfh_node *coll,
		     struct cfh_node *key, struct cfh_node *value,
		     size_t start)
{
	struct cfh_entry *e;

	if (coll->n == coll->cap) {
		size_t cap = coll->cap ? coll->cap * 2 : 4;
		/* Grow in the arena: the old array is abandoned, which costs
		 * at most as much again as the final array. */
		e = cfh_arena_alloc(&ld->t->arena, cap * sizeof(*e));
		if (!e)
			return cfh_load_fail_at(ld, start, CFH_EXIT_INTERNAL,
						"out of memory");
		if (coll->n)
			memcpy(e, coll->ent, coll->n * sizeof(*e));
		coll->ent = e;
		coll->cap = cap;
	}
	e = &coll->ent[coll->n++];
	e->key = key;
	e->value = value;
	e->start = start;
	if (key)
		key->parent = coll;
	value->parent = coll;
	coll->flags |= value->flags & CFH_NF_ALIASED;
	if (value->weight > CFH_MAX_EXPANSION - coll->weight)
		coll->weight = CFH_MAX_EXPANSION;
	else
		coll->weight += value->weight;
	if (coll->weight >= CFH_MAX_EXPANSION && (coll->flags & CFH_NF_ALIASED))
		return cfh_load_fail_at(ld, value->start, CFH_EXIT_INPUT,
					"alias expansion exceeds %d nodes",
					CFH_MAX_EXPANSION);
	return 0;
}

/* Offset of the '-' that introduces the next block sequence item. */
static size_t seq_dash(struct loader *ld, const struct cfh_node *seq,
		       size_t node_start)
{
	const char *s = ld->t->src;
	size_t pos;

	if (seq->style == CFH_STYLE_FLOW)
		return node_start;
	pos = seq->n ? seq->ent[seq->n - 1].value->end : seq->vstart;
	pos = skip_ws_comments(s, ld->t->len, pos);
	return pos < node_start && s[pos] == '-' ? pos : node_start;
}

/* Attach a finished node to its parent (or make it the root). */
static int attach(struct loader *ld, struct cfh_node *n)
{
	struct frame *f;

	if (!ld->depth) {
		ld->t->root = n;
		return 0;
	}
	f = &ld->stack[ld->depth - 1];
	if (f->node->kind == CFH_SEQ) {
		size_t dash = seq_dash(ld, f->node, n->start);

		if (cfh_load_check_item_indent(ld, f->node, dash, n))
			return -1;
		return entry_add(ld, f->node, NULL, n, dash);
	}
	if (!f->key) {
		if (n->kind != CFH_SCALAR)
			return cfh_load_fail_at(
				ld, n->start, CFH_EXIT_INPUT,
				"complex mapping keys are not supported");
		f->key = n;
		return 0;
	}
	if (cfh_load_check_value_indent(ld, f->node, f->key, n) ||
	    entry_add(ld, f->node, f->key, n, f->key->start))
		return -1;
	f->key = NULL;
	return 0;
}

static void finish_collection(struct cfh_node *n,
			      const struct fy_mark *end)
{
	if (n->style == CFH_STYLE_FLOW) {
		n->end = mark_pos(end);
	} else if (n->n) {
		n->end = n->ent[n->n - 1].value->end;
		n->vstart = n->ent[0].start;
		if (n->kind == CFH_MAP) {
			n->line = n->ent[0].key->line;
			n->col = n->ent[0].key->col;
		}
		if (!n->tag && !n->anchor)
			n->start = n->vstart;
	} else {
		n->end = n->vstart;
	}
}

static int on_event(struct loader *ld, struct fy_event *ev)
{
	struct cfh_node *n = NULL;
	struct fy_token *anchor = NULL, *tag = NULL, *tok;
	const struct fy_mark *sm = fy_event_start_mark(ev);
	size_t after = 0, len;
	const char *text;

	switch (ev->type) {
	case FYET_SCALAR:
		n = node_new(ld, CFH_SCALAR);
		if (!n)
			goto oom;
		anchor = ev->scalar.anchor;
		tag = ev->scalar.tag;
		tok = ev->scalar.value;
		switch (fy_token_scalar_style(tok)) {
		case FYSS_SINGLE_QUOTED:
			n->style = CFH_STYLE_SINGLE;
			break;
		case FYSS_DOUBLE_QUOTED:
			n->style = CFH_STYLE_DOUBLE;
			break;
		case FYSS_LITERAL:
			n->style = CFH_STYLE_LITERAL;
			break;
		case FYSS_FOLDED:
			n->style = CFH_STYLE_FOLDED;
			break;
		default:
			n->style = CFH_STYLE_PLAIN;
			break;
		}
		text = fy_token_get_text(tok, &len);
		if (!text) {
			text = "";
			len = 0;
		}
		n->text = cfh_arena_strndup(&ld->t->arena, text, len);
		if (!n->text)
			goto oom;
		n->len = len;

		n->stype = n->style == CFH_STYLE_PLAIN ? cfh_plain_type(n->text, len)
						       : CFH_T_STR;
		if (decorate(ld, n, anchor, tag, &after) ||
		    scalar_span(ld, n, tok, after))
			return -1;
		if (n->tag && n->stype != CFH_T_STR)
			n->stype = CFH_T_STR;
		/* libfyaml 0.7.12 mis-decodes a block scalar whose indicator
		 * stands first on a line of its own (below its key): the text
		 * it returns depends on uninitialised memory. Refuse rather
		 * than rewrite the value wrongly. */
		if ((n->style == CFH_STYLE_LITERAL ||
		     n->style == CFH_STYLE_FOLDED) &&
		    indicator_starts_line(ld->pbuf, n->vstart)) {
			ld->quirk = n->vstart;
			return cfh_load_fail_at(
				ld, n->vstart, CFH_EXIT_INPUT,
				"block scalar cannot be decoded: put its "
				"'|' or '>' on the line of its key");
		}
		/* The model's strings are C strings: a "\0" escape would
		 * cut the value short wherever it is read. Only a double-
		 * quoted scalar can spell one; anywhere else it would be
		 * libfyaml returning memory it never wrote, as above. */
		if (memchr(n->text, '\0', len))
			return cfh_load_fail_at(
				ld, mark_pos(fy_token_start_mark(tok)),
				CFH_EXIT_INPUT,
				n->style == CFH_STYLE_DOUBLE
					? "a NUL character (\\0) in a string: "
					  "templates cannot carry one"
					: "block scalar cannot be decoded: put "
					  "its '|' or '>' on the line of its "
					  "key");
		if (clipped_at_eof(ld->t, n))
			((char *)n->text)[--n->len] = '\0';
		ld->last_end = n->end;
		return attach(ld, n);
	case FYET_ALIAS:
		n = node_new(ld, CFH_ALIAS);
		if (!n)
			goto oom;
		n->vstart = n->start = mark_pos(sm) > 0 ? mark_pos(sm) - 1 : 0;
		n->line = sm ? sm->line + 1 : 1;
		n->col = sm && sm->column > 0 ? sm->column : 1;
		n->end = mark_pos(fy_event_end_mark(ev));
		text = fy_token_get_text(ev->alias.anchor, &len);
		n->text = cfh_arena_strndup(&ld->t->arena, text ? text : "",
					    text ? len : 0);
		if (!n->text)
			goto oom;
		n->len = len;
		n->target = anchor_find(ld, n->text);
		if (!n->target)
			return cfh_load_fail_at(ld, n->start, CFH_EXIT_INPUT,
						"alias '*%s' names no anchor",
						n->text);
		if (on_stack(ld, n->target))
			return cfh_load_fail_at(
				ld, n->start, CFH_EXIT_INPUT,
				"alias '*%s' refers to a node that contains it",
				n->text);
		/* Count what expanding the alias would make, without
		 * expanding it, so that an alias bomb is refused cheaply. */
		n->weight = n->target->weight;
		n->flags |= CFH_NF_ALIASED;
		ld->last_end = n->end;
		return attach(ld, n);
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		n = node_new(ld, ev->type == FYET_MAPPING_START ? CFH_MAP
								: CFH_SEQ);
		if (!n)
			goto oom;
		if (ev->type == FYET_MAPPING_START) {
			anchor = ev->mapping_start.anchor;
			tag = ev->mapping_start.tag;
			tok = ev->mapping_start.mapping_start;
		} else {
			anchor = ev->sequence_start.anchor;
			tag = ev->sequence_start.tag;
			tok = ev->sequence_start.sequence_start;
		}
		n->vstart = mark_pos(sm);
		n->line = sm ? sm->line + 1 : 1;
		n->col = sm ? sm->column + 1 : 1;
		n->style = CFH_STYLE_BLOCK;
		if (tok) {
			text = fy_token_get_text(tok, &len);
			if (text && len == 1 && (*text == '{' || *text == '['))
				n->style = CFH_STYLE_FLOW;
		}
		n->start = n->vstart;
		if (decorate(ld, n, anchor, tag, &after))
			return -1;
		if (n->kind == CFH_SEQ && n->style == CFH_STYLE_BLOCK) {
			/* The mark sits on the first '-'; seq_dash() scans
			 * from the end of the previous item. */
			n->vstart = mark_pos(sm);
		}
		ld->last_end = n->style == CFH_STYLE_FLOW ? n->vstart + 1
							  : n->vstart;
		if (ld->depth && ld->stack[ld->depth - 1].node->kind == CFH_MAP &&
		    !ld->stack[ld->depth - 1].key)
			return cfh_load_fail_at(
				ld, n->start, CFH_EXIT_INPUT,
				"complex mapping keys are not supported");
		return push(ld, n, n->start);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		n = ld->stack[--ld->depth].node;
		finish_collection(n, fy_event_end_mark(ev));
		if (n->kind == CFH_MAP && cfh_load_check_duplicates(ld, n))
			return -1;
		ld->last_end = n->end;
		return attach(ld, n);
	default:
		return 0;
	}
oom:
	return cfh_load_fail_at(ld, mark_pos(sm), CFH_EXIT_INTERNAL,
				"out of memory");
}

static int parse(struct loader *ld, const char *buf)
{
	struct cfh_template *t = ld->t;
	struct fy_diag_cfg dcfg;
	struct fy_diag *fyd = NULL;
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp = NULL;
	struct fy_event *ev;
	int docs = 0, rc = -1;

	ld->pbuf = buf;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	fyd = fy_diag_create(&dcfg);
	if (!fyd) {
		cfh_load_fail_at(ld, 0, CFH_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	fy_diag_set_collect_errors(fyd, true);
	memset(&cfg, 0, sizeof(cfg));
	/* Our own depth bound replaces libfyaml's (64 levels is too few for
	 * inline Step Functions definitions); the parser is not recursive. */
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DISABLE_DEPTH_LIMIT |
		    FYPCF_SLOPPY_FLOW_INDENTATION |
		    (t->conv.json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE);
	cfg.diag = fyd;
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, buf, t->len)) {
		cfh_load_fail_at(ld, 0, CFH_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	while ((ev = fy_parser_parse(fyp))) {
		int r = 0;

		if (ev->type == FYET_DOCUMENT_START && ++docs > 1)
			r = cfh_load_fail_at(
				ld, mark_pos(fy_event_start_mark(ev)),
				CFH_EXIT_INPUT,
				"more than one YAML document in the file");
		else
			r = on_event(ld, ev);
		fy_parser_event_free(fyp, ev);
		if (r)
			goto out;
	}
	if (fy_parser_get_stream_error(fyp)) {
		cfh_load_record_error(ld, fyd);
		ld->parse_error = true;
		goto out;
	}
	if (!t->root) {
		cfh_load_fail_at(ld, 0, CFH_EXIT_INPUT,
				 "empty template: no content");
		goto out;
	}
	rc = 0;
out:
	if (fyp)
		fy_parser_destroy(fyp);
	if (fyd)
		fy_diag_destroy(fyd);
	return rc;
}

int cfh_load(struct cfh_template *t, struct cfh_diag *diag)
{
	struct loader ld = { .t = t, .diag = diag };
	char *buf = NULL;
	int tries, rc = -1;

	memset(diag, 0, sizeof(*diag));
	if (cfh_load_precheck(&ld))
		goto out;
	t->conv.json = is_json_text(t->src, t->len);
	for (tries = 0; tries < 32; tries++) {
		bool patched;

		ld.depth = 0;
		ld.nanchors = 0;
		ld.last_end = 0;
		ld.quirk = SIZE_MAX;
		ld.parse_error = false;
		t->root = NULL;
		memset(diag, 0, sizeof(*diag));
		if (!parse(&ld, buf ? buf : t->src)) {
			rc = 0;
			break;
		}
		if (t->conv.json || (ld.quirk == SIZE_MAX && !ld.parse_error))
			break;
		if (!buf) {
			buf = malloc(t->len + 1);
			if (!buf)
				break;
			memcpy(buf, t->src, t->len + 1);
		}
		patched = ld.quirk != SIZE_MAX
				  ? cfh_load_patch_join(&ld, buf, ld.quirk)
				  : cfh_load_patch_for_error(&ld, buf,
							     diag->line);
		if (!patched)
			break;
	}
	if (!rc && ld.joined) {
		size_t pos = 0;
		int line = 1;

		cfh_load_fix_lines(t->src, t->root, &pos, &line, 0);
	}
out:
	free(buf);
	free(ld.stack);
	free(ld.anchors);
	return rc;
}

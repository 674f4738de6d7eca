/* SPDX-License-Identifier: MIT */
/*
 * Rendering new nodes, in the conventions of the file they go into.
 *
 * JSON goes through jansson and is re-indented to its place. YAML is
 * written here: libfyaml 0.7.12's emitter writes unstyled scalars plain
 * even where that changes their meaning ("#x" becomes a comment, "- z" a
 * nested list, "" vanishes) and cannot follow a file's sequence
 * indentation, so it is not fit to write text into someone's file. What
 * this file does instead is small: block and flow collections, scalars
 * quoted when plain would not read back as the same string, and intrinsic
 * functions in the short form (!Ref X) where the file uses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static void newline(struct cfh_buf *b, const struct cfh_template *t, int col)
{
	cfh_buf_adds(b, t->conv.nl);
	cfh_buf_pad(b, ' ', (size_t)(col > 0 ? col : 0));
}

static bool ci_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a | 0x20) != (*b | 0x20))
			return false;
	return !*a && !*b;
}

/* True if @s, written plain, reads back as the same string. Conservative:
 * when in doubt, quote; a quoted string is never wrong. */
static bool plain_ok(const char *s, size_t len, bool flow)
{
	static const char *const yaml11[] = { "yes", "no", "on", "off", "y",
					      "n", "<<", "=" };
	size_t i;

	if (!len || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]))
		return false;
	if (s[len - 1] == ' ' || s[len - 1] == ':' || s[len - 1] == '\t')
		return false;
	if (cfh_plain_type(s, len) != CFH_T_STR)
		return false;
	for (i = 0; i < sizeof(yaml11) / sizeof(*yaml11); i++)
		if (ci_eq(s, yaml11[i]))
			return false;
	/* Dates, times and sexagesimals of YAML 1.1: "2012-10-17", "1:20". */
	if (strchr("0123456789+.", s[0]) &&
	    strspn(s, "0123456789.:+-_eE") == len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == ':' && i + 1 < len &&
		    (s[i + 1] == ' ' || s[i + 1] == '\t'))
			return false;
		if (c == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return false;
		/* In flow context "a:b" is legal but reads too easily as a
		 * key; quote it. */
		if (flow && strchr(",[]{}:", c))
			return false;
	}
	return true;
}

static bool needs_double(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static void double_quoted(struct cfh_buf *b, const char *s, size_t len)
{
	size_t i;

	cfh_buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			cfh_buf_adds(b, "\\\"");
			break;
		case '\\':
			cfh_buf_adds(b, "\\\\");
			break;
		case '\n':
			cfh_buf_adds(b, "\\n");
			break;
		case '\t':
			cfh_buf_adds(b, "\\t");
			break;
		case '\r':
			cfh_buf_adds(b, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				cfh_buf_addf(b, "\\x%02x", c);
			else
				cfh_buf_addc(b, (char)c);
		}
	}
	cfh_buf_addc(b, '"');
}

static void single_quoted(struct cfh_buf *b, const char *s, size_t len)
{
	size_t i;

	cfh_buf_addc(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			cfh_buf_addc(b, '\'');
		cfh_buf_addc(b, s[i]);
	}
	cfh_buf_addc(b, '\'');
}

/* A multi-line string reads best as a literal block, where that keeps
 * every byte: no carriage returns or other controls, and a first line that
 * does not start with a space (that would need an indentation indicator). */
static bool literal_ok(const char *s, size_t len)
{
	size_t i;

	if (!memchr(s, '\n', len) || s[0] == ' ' || s[0] == '\n')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static void literal(struct cfh_buf *b, const struct cfh_template *t,
		    const char *s, size_t len, int col)
{
	size_t i, nl = 0;

	while (nl < len && s[len - 1 - nl] == '\n')
		nl++;
	cfh_buf_adds(b, nl == 0 ? "|-" : nl == 1 ? "|" : "|+");
	newline(b, t, col);
	for (i = 0; i < len; i++) {
		if (s[i] != '\n') {
			cfh_buf_addc(b, s[i]);
			continue;
		}
		if (i + 1 == len)
			break;
		/* Blank lines inside the block carry no indentation. */
		if (s[i + 1] == '\n')
			cfh_buf_adds(b, t->conv.nl);
		else
			newline(b, t, col);
	}
	/* The last line break is the one the text after the node starts
	 * with; earlier ones were written as blank lines above. */
}

static void yaml_scalar(struct cfh_buf *b, const struct cfh_template *t,
			const struct cfh_node *n, bool flow, int col)
{
	if (n->stype != CFH_T_STR) {
		cfh_buf_add(b, n->text, n->len);
		return;
	}
	if (plain_ok(n->text, n->len, flow))
		cfh_buf_add(b, n->text, n->len);
	else if (!flow && col >= 0 && literal_ok(n->text, n->len))
		literal(b, t, n->text, n->len, col);
	else if (t->conv.quote == '"' || needs_double(n->text, n->len))
		double_quoted(b, n->text, n->len);
	else
		single_quoted(b, n->text, n->len);
}

void cfh_render_key(struct cfh_buf *b, const struct cfh_template *t,
		    const char *key, bool flow)
{
	size_t len = strlen(key);

	if (t->conv.json) {
		json_t *j = json_string(key);
		char *s = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

		json_decref(j);
		if (s)
			cfh_buf_adds(b, s);
		else
			b->failed = true;
		free(s);
		return;
	}
	if (plain_ok(key, len, flow))
		cfh_buf_add(b, key, len);
	else if (t->conv.quote == '"' || needs_double(key, len))
		double_quoted(b, key, len);
	else
		single_quoted(b, key, len);
}

/*
 * The short form of a new intrinsic: a one-key mapping {"Fn::X": arg}
 * becomes "!X arg". Returns the tag and sets *arg, or returns NULL.
 */
static const char *short_form(const struct cfh_template *t,
			      const struct cfh_node *n,
			      const struct cfh_node **arg)
{
	if (!t->conv.short_tags || n->kind != CFH_MAP || n->n != 1 ||
	    !n->ent[0].key)
		return NULL;
	*arg = n->ent[0].value;
	return cfh_fn_tag_for(n->ent[0].key->text);
}

/* !GetAtt [A, B] is written "!GetAtt A.B", the form people write. */
static bool getatt_dotted(const struct cfh_node *arg)
{
	return arg->kind == CFH_SEQ && arg->n == 2 &&
	       arg->ent[0].value->kind == CFH_SCALAR &&
	       arg->ent[1].value->kind == CFH_SCALAR &&
	       arg->ent[0].value->stype == CFH_T_STR &&
	       !strchr(arg->ent[0].value->text, '.');
}

static void yaml_flow(struct cfh_buf *b, const struct cfh_template *t,
		      const struct cfh_node *n);

static void yaml_tagged_scalar_or_flow(struct cfh_buf *b,
				       const struct cfh_template *t,
				       const char *tag,
				       const struct cfh_node *arg, bool flow,
				       int col)
{
	cfh_buf_adds(b, tag);
	cfh_buf_addc(b, ' ');
	if (!strcmp(tag, "!GetAtt") && getatt_dotted(arg)) {
		struct cfh_buf tmp;
		char *s;

		cfh_buf_init(&tmp);
		cfh_buf_adds(&tmp, arg->ent[0].value->text);
		cfh_buf_addc(&tmp, '.');
		cfh_buf_adds(&tmp, arg->ent[1].value->text);
		s = cfh_buf_steal(&tmp, NULL);
		if (!s) {
			b->failed = true;
			return;
		}
		if (plain_ok(s, strlen(s), flow))
			cfh_buf_adds(b, s);
		else if (t->conv.quote == '"')
			double_quoted(b, s, strlen(s));
		else
			single_quoted(b, s, strlen(s));
		free(s);
		return;
	}
	if (arg->kind == CFH_SCALAR)
		yaml_scalar(b, t, arg, flow, col);
	else
		yaml_flow(b, t, arg);
}

static void yaml_flow(struct cfh_buf *b, const struct cfh_template *t,
		      const struct cfh_node *n)
{
	const struct cfh_entry *e;
	const struct cfh_node *arg;
	const char *tag = short_form(t, n, &arg);
	bool first = true;

	if (tag) {
		yaml_tagged_scalar_or_flow(b, t, tag, arg, true, -1);
		return;
	}
	if (n->kind == CFH_SCALAR) {
		yaml_scalar(b, t, n, true, -1);
		return;
	}
	cfh_buf_addc(b, n->kind == CFH_MAP ? '{' : '[');
	cfh_for_each_entry(n, e) {
		if (!first)
			cfh_buf_adds(b, ", ");
		first = false;
		if (e->key) {
			cfh_render_key(b, t, e->key->text, true);
			cfh_buf_adds(b, ": ");
		}
		yaml_flow(b, t, e->value);
	}
	cfh_buf_addc(b, n->kind == CFH_MAP ? '}' : ']');
}

static void yaml_block(struct cfh_buf *b, const struct cfh_template *t,
		       const struct cfh_node *n, enum cfh_ctx ctx, int col);

/* Entries of a block mapping at @col; the first one is written where the
 * buffer stands (after a newline and indent, or after "- "). */
static void yaml_block_map(struct cfh_buf *b, const struct cfh_template *t,
			   const struct cfh_node *n, int col)
{
	const struct cfh_entry *e;
	bool first = true;

	cfh_for_each_entry(n, e) {
		if (!first)
			newline(b, t, col);
		first = false;
		cfh_render_key(b, t, e->key->text, false);
		cfh_buf_addc(b, ':');
		yaml_block(b, t, e->value, CFH_CTX_BLOCK_VALUE, col);
	}
}

static void yaml_block_seq(struct cfh_buf *b, const struct cfh_template *t,
			   const struct cfh_node *n, int col)
{
	const struct cfh_entry *e;
	bool first = true;

	cfh_for_each_entry(n, e) {
		if (!first)
			newline(b, t, col);
		first = false;
		cfh_buf_addc(b, '-');
		yaml_block(b, t, e->value, CFH_CTX_BLOCK_ITEM, col);
	}
}

/*
 * Write @n after "key:" (CFH_CTX_BLOCK_VALUE, @col = the key's column) or
 * after "-" (CFH_CTX_BLOCK_ITEM, @col = the dash's column).
 */
static void yaml_block(struct cfh_buf *b, const struct cfh_template *t,
		       const struct cfh_node *n, enum cfh_ctx ctx, int col)
{
	const struct cfh_node *arg = NULL;
	const char *tag = short_form(t, n, &arg);
	int inner = ctx == CFH_CTX_BLOCK_ITEM ? col + 2 : col + t->conv.indent;
	int seqcol = ctx == CFH_CTX_BLOCK_ITEM
			     ? col + 2
			     : col + (t->conv.seq_indented ? t->conv.indent : 0);

	if (tag) {
		cfh_buf_addc(b, ' ');
		if (arg->kind == CFH_SCALAR || !cfh_node_count(arg) ||
		    (!strcmp(tag, "!GetAtt") && getatt_dotted(arg))) {
			yaml_tagged_scalar_or_flow(b, t, tag, arg, false, inner);
			return;
		}
		cfh_buf_adds(b, tag);
		newline(b, t, arg->kind == CFH_MAP ? inner : seqcol);
		if (arg->kind == CFH_MAP)
			yaml_block_map(b, t, arg, inner);
		else
			yaml_block_seq(b, t, arg, seqcol);
		return;
	}
	switch (n->kind) {
	case CFH_SCALAR:
		cfh_buf_addc(b, ' ');
		yaml_scalar(b, t, n, false, inner);
		return;
	case CFH_MAP:
		if (!cfh_node_count(n)) {
			cfh_buf_adds(b, " {}");
			return;
		}
		if (ctx == CFH_CTX_BLOCK_ITEM) {
			cfh_buf_addc(b, ' ');
		} else {
			newline(b, t, inner);
		}
		yaml_block_map(b, t, n, inner);
		return;
	case CFH_SEQ:
		if (!cfh_node_count(n)) {
			cfh_buf_adds(b, " []");
			return;
		}
		if (ctx == CFH_CTX_BLOCK_ITEM)
			cfh_buf_addc(b, ' ');
		else
			newline(b, t, seqcol);
		yaml_block_seq(b, t, n, seqcol);
		return;
	default:
		return;
	}
}

/* jansson writes levels of one space each; give them the file's unit and
 * the column the value starts at. */
static void json_reindent(struct cfh_buf *b, const struct cfh_template *t,
			  const char *s, int indent)
{
	size_t k;

	for (; *s; s++) {
		if (*s != '\n') {
			cfh_buf_addc(b, *s);
			continue;
		}
		cfh_buf_adds(b, t->conv.nl);
		for (k = 0; s[1] == ' '; s++)
			k++;
		cfh_buf_pad(b, t->conv.junit,
			    (size_t)indent + k * (size_t)t->conv.jindent);
	}
}

static void json_value(struct cfh_buf *b, const struct cfh_template *t,
		       const struct cfh_node *n, int indent, bool multiline)
{
	json_t *j = cfh_node_to_json(n);
	size_t flags = JSON_ENCODE_ANY;
	char *s;

	if (multiline && t->conv.jindent > 0)
		flags |= JSON_INDENT(1);
	else if (!t->conv.jspace)
		flags |= JSON_COMPACT;
	s = j ? cfh_json_dumps(j, flags) : NULL;
	json_decref(j);
	if (!s) {
		b->failed = true;
		return;
	}
	if (flags & JSON_INDENT(1))
		json_reindent(b, t, s, indent);
	else
		cfh_buf_adds(b, s);
	free(s);
}

void cfh_render(struct cfh_buf *b, const struct cfh_template *t,
		const struct cfh_node *n, enum cfh_ctx ctx, int indent,
		bool multiline)
{
	if (t->conv.json)
		json_value(b, t, n, indent, multiline);
	else if (ctx == CFH_CTX_FLOW)
		yaml_flow(b, t, n);
	else
		yaml_block(b, t, n, ctx, indent);
}

void cfh_render_document(struct cfh_buf *b, const struct cfh_template *t,
			 const struct cfh_node *n)
{
	if (t->conv.json)
		json_value(b, t, n, 0, true);
	else if (n->kind == CFH_MAP && cfh_node_count(n))
		yaml_block_map(b, t, n, 0);
	else
		yaml_flow(b, t, n);
	cfh_buf_adds(b, t->conv.nl);
}

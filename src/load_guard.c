/* SPDX-License-Identifier: MIT */
/*
 * The loader's guards around libfyaml: what it would report late, vaguely
 * or not at all, and valid YAML it rejects or misreads.
 *
 *   before parsing   the bytes: UTF-16/32, NUL, empty, invalid UTF-8, a
 *                    lone CR (cfh_load_precheck())
 *   while building   layouts libfyaml accepts but that would not load
 *                    again once a pass adds after them, and duplicate keys
 *   after an error   libfyaml's message, with a hint for JSON comments
 *   to retry         the parser's copy of the source, patched byte for
 *                    byte, and the line numbers counted again afterwards
 *
 * They are kept apart from load.c, which turns events into the model, so
 * that each work-around for a libfyaml bug sits with the others and can go
 * when the bug does, without touching how the tree is built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

/* The first bad byte of invalid UTF-8 (overlongs, surrogates and code
 * points past U+10FFFF included), or len if the text is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

static bool is_blank_text(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i < len; i++) {
		if (s[i] == '#') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	}
	return true;
}

int cfh_load_precheck(struct loader *ld)
{
	const struct cfh_template *t = ld->t;
	const char *nul;
	size_t bad;

	/* A UTF-16 or UTF-32 byte-order mark: text an editor saved in the
	 * wrong encoding, not binary data; say how to fix it. */
	if (t->len >= 2 && (!memcmp(t->src, "\xff\xfe", 2) ||
			    !memcmp(t->src, "\xfe\xff", 2) ||
			    (t->len >= 4 && !memcmp(t->src, "\0\0\xfe\xff", 4))))
		return cfh_load_fail_at(
			ld, 0, CFH_EXIT_INPUT,
			"UTF-16 or UTF-32 text: templates are UTF-8 "
			"(convert it, e.g. with iconv -t UTF-8)");
	/* NUL first: a file of NUL bytes is binary, not empty. */
	nul = memchr(t->src, '\0', t->len);
	if (nul)
		return cfh_load_fail_at(ld, (size_t)(nul - t->src),
					CFH_EXIT_INPUT,
					"binary data: NUL byte at offset %zu",
					(size_t)(nul - t->src));
	if (is_blank_text(t->src, t->len))
		return cfh_load_fail_at(
			ld, 0, CFH_EXIT_INPUT,
			"empty template: no YAML or JSON content");
	bad = utf8_invalid_at((const unsigned char *)t->src, t->len);
	if (bad < t->len)
		return cfh_load_fail_at(
			ld, bad, CFH_EXIT_INPUT,
			"invalid UTF-8: byte 0x%02x at offset %zu",
			(unsigned char)t->src[bad], bad);
	/* A CR not followed by LF is a line break to libfyaml but not to
	 * the reprinter, which finds lines and columns by LF: new entries
	 * would be indented wrongly (found by make fuzz). No template in
	 * the corpus has one; classic Mac OS line endings are refused. */
	for (nul = memchr(t->src, '\r', t->len); nul;
	     nul = memchr(nul + 1, '\r', t->len - (size_t)(nul + 1 - t->src)))
		if ((size_t)(nul + 1 - t->src) == t->len || nul[1] != '\n')
			return cfh_load_fail_at(
				ld, (size_t)(nul - t->src), CFH_EXIT_INPUT,
				"a CR without LF (classic Mac OS line "
				"ending): use LF or CRLF line endings");
	return 0;
}

/* Column (0-based, in bytes) of @pos on its line; a byte-order mark
 * takes none. */
static long column_in_line(const char *s, size_t pos)
{
	size_t i = pos;

	while (i > 0 && s[i - 1] != '\n')
		i--;
	if (i == 0 && pos >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	return (long)(pos - i);
}

/* True when a line break stands between @a and @b. */
static bool break_between(const char *s, size_t a, size_t b)
{
	return memchr(s + a, '\n', b - a) != NULL;
}

/*
 * A block mapping value on a line after its key must be indented more
 * than the key (a block sequence may stand at the key's column).
 * libfyaml accepts a less indented scalar when nothing follows it, but
 * the same text is an error as soon as anything is added after it, as
 * the passes do: refuse it here, so that every output loads.
 */
/*
 * libfyaml 0.7.12 reads the lines after an empty block scalar ("key: |"
 * then a line no more indented than the key) as its content, when YAML
 * makes them the key's siblings: the passes would then work on the wrong
 * tree. A block scalar whose first content line is not indented more
 * than its key (or its '-') is refused, at its header.
 */
static int check_block_scalar(struct loader *ld, const struct cfh_node *v,
			      long parent_col)
{
	const char *s = ld->t->src;
	size_t len = ld->t->len, i = v->vstart, a;

	if (v->kind != CFH_SCALAR ||
	    (v->style != CFH_STYLE_LITERAL && v->style != CFH_STYLE_FOLDED) ||
	    !v->len)
		return 0;
	/* The content starts on the line after the header; blank lines do
	 * not count. */
	while (i < len && s[i] != '\n')
		i++;
	for (;;) {
		if (i >= len)
			return 0;
		a = ++i;
		while (i < len && s[i] == ' ')
			i++;
		if (i < len && s[i] != '\n' && s[i] != '\r')
			break;
		while (i < len && s[i] != '\n')
			i++;
	}
	if ((long)(i - a) > parent_col)
		return 0;
	return cfh_load_fail_at(
		ld, v->vstart, CFH_EXIT_INPUT,
		"an empty block scalar followed by a line no more indented "
		"than its key (or '-'): the YAML library would read that line as "
		"its text; write '' for the empty value");
}

int cfh_load_check_value_indent(struct loader *ld, const struct cfh_node *map,
				const struct cfh_node *key,
				const struct cfh_node *v)
{
	const char *s = ld->t->src;
	long vcol, kcol;

	if (map->style == CFH_STYLE_BLOCK &&
	    check_block_scalar(ld, v, column_in_line(s, key->start)))
		return -1;

	if (map->style != CFH_STYLE_BLOCK ||
	    (v->kind == CFH_SEQ && v->style == CFH_STYLE_BLOCK) ||
	    (v->kind == CFH_SCALAR && v->style == CFH_STYLE_PLAIN &&
	     !v->len && !v->tag && !v->anchor) ||
	    v->start <= key->start || v->vstart > ld->t->len ||
	    v->vstart < v->start)
		return 0;
	/* The value proper: a tag or an anchor may stay on the key's line
	 * while the content goes to the next (found by make fuzz). */
	if (!break_between(s, key->start, v->vstart))
		return 0;
	vcol = column_in_line(s, v->vstart);
	kcol = column_in_line(s, key->start);
	if (vcol > kcol)
		return 0;
	return cfh_load_fail_at(
		ld, v->vstart, CFH_EXIT_INPUT,
		"a value on its own line must be indented more than its key");
}

/* The same for a block sequence item on a line after its '-' (found by
 * make fuzz: "- \n# c\nx" at the end of a file). */
int cfh_load_check_item_indent(struct loader *ld, const struct cfh_node *seq,
			       size_t dash, const struct cfh_node *v)
{
	const char *s = ld->t->src;

	if (seq->style == CFH_STYLE_BLOCK && dash < ld->t->len &&
	    s[dash] == '-' &&
	    check_block_scalar(ld, v, column_in_line(s, dash)))
		return -1;
	if (seq->style != CFH_STYLE_BLOCK || dash >= ld->t->len ||
	    s[dash] != '-' ||
	    (v->kind == CFH_SCALAR && v->style == CFH_STYLE_PLAIN &&
	     !v->len && !v->tag && !v->anchor) ||
	    v->start <= dash || v->vstart > ld->t->len ||
	    v->vstart < v->start || !break_between(s, dash, v->vstart) ||
	    column_in_line(s, v->vstart) > column_in_line(s, dash))
		return 0;
	return cfh_load_fail_at(
		ld, v->vstart, CFH_EXIT_INPUT,
		"an item on its own line must be indented more than its '-'");
}

static int cmp_entry_key(const void *a, const void *b)
{
	const struct cfh_entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->key->text, (*y)->key->text);

	if (c)
		return c;
	return (*x)->start < (*y)->start ? -1 : (*x)->start > (*y)->start;
}

/* Duplicate keys make a template ambiguous (CloudFormation rejects JSON
 * ones; YAML parsers disagree on which wins): refuse them. Small mappings
 * compare pairwise; large ones sort, so Resources with thousands of
 * entries stays O(n log n). */
int cfh_load_check_duplicates(struct loader *ld, const struct cfh_node *map)
{
	const struct cfh_entry *dup = NULL, *first = NULL;
	size_t i, j;

	if (map->n <= 16) {
		for (i = 1; i < map->n && !dup; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(map->ent[i].key->text,
					    map->ent[j].key->text)) {
					dup = &map->ent[i];
					first = &map->ent[j];
					break;
				}
	} else {
		const struct cfh_entry **v = malloc(map->n * sizeof(*v));

		if (!v)
			return cfh_load_fail_at(ld, map->start,
						CFH_EXIT_INTERNAL,
						"out of memory");
		for (i = 0; i < map->n; i++)
			v[i] = &map->ent[i];
		qsort(v, map->n, sizeof(*v), cmp_entry_key);
		for (i = 1; i < map->n; i++)
			if (!strcmp(v[i]->key->text, v[i - 1]->key->text) &&
			    (!dup || v[i]->start < dup->start)) {
				dup = v[i];
				first = v[i - 1];
			}
		free(v);
	}
	if (dup)
		return cfh_load_fail_at(ld, dup->key->start, CFH_EXIT_INPUT,
					"duplicate key '%s' (first at line %d)",
					dup->key->text, first->key->line);
	return 0;
}

static size_t line_start_of(const char *s, size_t len, int line);

/* A comment (// or slash-star) at @line:@col of a JSON file: libfyaml
 * reads it as a plain scalar and says so; the user needs to hear what it
 * is. */
static bool json_comment_at(const struct cfh_template *t, int line, int col)
{
	size_t i = t->len >= 3 && !memcmp(t->src, "\xef\xbb\xbf", 3) ? 3 : 0;
	size_t pos;

	while (i < t->len && strchr(" \t\r\n", t->src[i]))
		i++;
	if (i >= t->len || t->src[i] != '{' || line < 1 || col < 1)
		return false;
	pos = line_start_of(t->src, t->len, line) + (size_t)col - 1;
	return pos + 1 < t->len && t->src[pos] == '/' &&
	       (t->src[pos + 1] == '/' || t->src[pos + 1] == '*');
}

void cfh_load_record_error(struct loader *ld, struct fy_diag *d)
{
	struct fy_diag_error *err;
	void *it = NULL;

	if (ld->diag->msg[0])
		return;
	err = d ? fy_diag_errors_iterate(d, &it) : NULL;
	ld->diag->code = CFH_EXIT_INPUT;
	if (err) {
		/* libfyaml's diagnostic positions are already 1-based. */
		ld->diag->line = err->line;
		ld->diag->col = err->column;
		snprintf(ld->diag->msg, sizeof(ld->diag->msg), "%s",
			 json_comment_at(ld->t, err->line, err->column)
				 ? "comments are not allowed in JSON"
				 : err->msg ? err->msg : "syntax error");
	} else {
		snprintf(ld->diag->msg, sizeof(ld->diag->msg), "syntax error");
	}
}

/*
 * Work-arounds for valid YAML that libfyaml 0.7.12 rejects or misreads.
 * The parser reads a copy of the source patched in place, byte for byte
 * the same length, so every mark still points into the original, which
 * the model keeps. Two layouts are known:
 *   key:                    key: |        a block scalar (or tag) alone on
 *     |              ==>      text        the line below its key: the line
 *     text                                break becomes a space
 *   -                       - ~           an empty sequence item followed by
 *     # comment      ==>      # comment   a comment or a blank line: the line
 *   next: 1                 next: 1       break becomes an explicit null
 */
static size_t line_start_of(const char *s, size_t len, int line)
{
	size_t i = 0;

	while (--line > 0 && i < len) {
		const char *nl = memchr(s + i, '\n', len - i);

		if (!nl)
			return len;
		i = (size_t)(nl - s) + 1;
	}
	return i;
}

/* Join the line holding @pos to the line before it, if that one ends in a
 * key's ':' (or a '-'). */
bool cfh_load_patch_join(struct loader *ld, char *buf, size_t pos)
{
	const char *s = ld->t->src;
	size_t i = pos, k;

	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	if (i == 0 || s[i - 1] != '\n')
		return false;
	k = i - 1;
	if (k > 0 && s[k - 1] == '\r')
		k--;
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k == 0 || (s[k - 1] != ':' && s[k - 1] != '-'))
		return false;
	for (; k < i; k++)
		if (buf[k] == '\n' || buf[k] == '\r')
			buf[k] = ' ';
	ld->joined = true;
	return true;
}

/* True if the line starting at @pos is blank or only a comment. */
static bool blank_or_comment_line(const char *s, size_t len, size_t pos)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	return pos >= len || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '#';
}

/* True if the first line with content from @pos on can follow an empty
 * item whose '-' is at column @dash: it is less indented, or at that
 * column another item or a key. Anything else belongs to no null item
 * (found by make fuzz). */
static bool ends_item(const char *s, size_t len, size_t pos, size_t dash)
{
	size_t a, col;

	for (;;) {
		a = pos;
		while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
			pos++;
		if (pos >= len)
			return true;
		if (s[pos] != '\n' && s[pos] != '\r' && s[pos] != '#')
			break;
		while (pos < len && s[pos] != '\n')
			pos++;
		if (pos < len)
			pos++;
	}
	col = pos - a;
	if (col != dash)
		return col < dash;
	if (s[pos] == '-')
		return true;
	for (; pos < len && s[pos] != '\n'; pos++)
		if (s[pos] == ':')
			return true;
	return false;
}

/* On a parse error at @line: a block scalar or tag first on one of the
 * lines just above, or an empty "- " item above followed by a blank or
 * comment line (only then: joining any other line to "- ~" would read
 * that line as part of the item, found by make fuzz). */
bool cfh_load_patch_for_error(struct loader *ld, char *buf, int line)
{
	const char *s = ld->t->src;
	size_t len = ld->t->len;
	int l;

	for (l = line; l > 0 && l > line - 8; l--) {
		size_t a = line_start_of(s, len, l), b = a;

		while (b < len && (s[b] == ' ' || s[b] == '\t'))
			b++;
		if (b < len && (s[b] == '|' || s[b] == '>' || s[b] == '!') &&
		    buf[a > 0 ? a - 1 : 0] == '\n' &&
		    cfh_load_patch_join(ld, buf, b))
			return true;
		if (b < len && s[b] == '-' && b + 1 < len && s[b + 1] == ' ') {
			size_t c = b + 1;

			while (c < len && s[c] == ' ')
				c++;
			if (c < len && s[c] == '\n' && buf[c] == '\n' &&
			    c > b + 1 && blank_or_comment_line(s, len, c + 1) &&
			    ends_item(s, len, c + 1, b - a)) {
				buf[c] = '~';
				return true;
			}
		}
	}
	return false;
}

/* After a join, libfyaml's line numbers run one short below it: count
 * them again from the original bytes. */
void cfh_load_fix_lines(const char *s, struct cfh_node *n, size_t *pos,
			int *line, int depth)
{
	size_t i;

	if (!n || depth > CFH_MAX_DEPTH + 2 || (n->flags & CFH_NF_NEW))
		return;
	for (; *pos < n->vstart; (*pos)++)
		*line += s[*pos] == '\n';
	n->line = *line;
	if (n->kind != CFH_MAP && n->kind != CFH_SEQ)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->ent[i].key)
			cfh_load_fix_lines(s, n->ent[i].key, pos, line,
					   depth + 1);
		cfh_load_fix_lines(s, n->ent[i].value, pos, line, depth + 1);
	}
}

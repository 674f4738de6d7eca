/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what the loader refuses (src/load.c, src/load_guard.c,
 * src/template.c): every refusal with its position, libfyaml's syntax
 * errors, duplicate keys, nesting and alias-expansion bounds, and values
 * indented no more than their keys.
 *
 * Separate from check_load.c, which tests what loads: each failure here
 * is one diagnostic, and its line and column are part of the contract.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "suites.h"
#include "testlib.h"

/* Load @src, expecting a refusal at @line:@col whose message contains
 * @msg. */
static void assert_refused_n(const char *src, size_t len, int line, int col,
			     const char *msg)
{
	struct cfh_diag d;
	struct cfh_template *t = test_load_n(src, len, &d);

	ck_assert_msg(t == NULL, "accepted: %s", src);
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_msg(strstr(d.msg, msg) != NULL, "message '%s' lacks '%s'",
		      d.msg, msg);
	ck_assert_msg(d.line == line && d.col == col,
		      "'%s' at %d:%d, want %d:%d", d.msg, d.line, d.col, line,
		      col);
}

/* Every kind of refusal, with its position. */
struct refusal {
	const char *name;
	const char *src;
	int line, col;
	const char *msg;
};

static const struct refusal refusals[] = {
	{ "empty", "", 1, 1, "empty template" },
	{ "whitespace", "  \n\t\n\r\n   ", 1, 1, "empty template" },
	{ "comments", "# one\n  # two\n\n", 1, 1, "empty template" },
	{ "bom only", "\xef\xbb\xbf\n", 1, 1, "empty template" },
	{ "utf8 lone continuation", "Resources:\n  A: \x80\n", 2, 6,
	  "invalid UTF-8: byte 0x80" },
	{ "utf8 truncated", "Resources:\n  A: caf\xc3", 2, 9,
	  "invalid UTF-8: byte 0xc3" },
	{ "utf8 bad continuation", "Resources: {}\nX: \xe2\x82x\n", 2, 4,
	  "invalid UTF-8: byte 0xe2" },
	{ "utf8 overlong 2", "Resources: {}\nX: \xc0\xaf\n", 2, 4,
	  "invalid UTF-8: byte 0xc0" },
	{ "utf8 overlong 3", "Resources: {}\nX: \xe0\x80\xaf\n", 2, 4,
	  "invalid UTF-8: byte 0xe0" },
	{ "utf8 overlong 4", "Resources: {}\nX: \xf0\x80\x80\xaf\n", 2, 4,
	  "invalid UTF-8: byte 0xf0" },
	{ "utf8 surrogate", "Resources: {}\nX: \xed\xa0\x80\n", 2, 4,
	  "invalid UTF-8: byte 0xed" },
	{ "utf8 beyond U+10FFFF", "Resources: {}\nX: \xf4\x90\x80\x80\n", 2,
	  4, "invalid UTF-8: byte 0xf4" },
	{ "utf8 f5", "Resources: {}\nX: \xf5\x80\x80\x80\n", 2, 4,
	  "invalid UTF-8: byte 0xf5" },
	{ "root sequence", "- Resources: {}\n", 1, 1,
	  "template root is a sequence, not a mapping" },
	{ "root flow sequence", "\n[{\"Resources\": {}}]\n", 2, 1,
	  "template root is a sequence, not a mapping" },
	{ "root scalar", "Resources\n", 1, 1,
	  "template root is a scalar, not a mapping" },
	{ "no resources", "AWSTemplateFormatVersion: '2010-09-09'\n", 1, 1,
	  "no 'Resources' section" },
	{ "resources string", "Description: x\nResources: none\n", 2, 12,
	  "'Resources' is a scalar, not a mapping" },
	{ "resources list", "Resources:\n  - Type: X\n", 2, 3,
	  "'Resources' is a sequence, not a mapping" },
	{ "resources json list", "{\"Resources\": [1]}", 1, 15,
	  "'Resources' is a sequence, not a mapping" },
	{ "duplicate key", "Resources:\n  A:\n    Type: X\n    Type: Y\n",
	  4, 5, "duplicate key 'Type' (first at line 3)" },
	{ "duplicate flow key", "Resources: {}\nM: {a: 1, b: 2, a: 3}\n", 2,
	  17, "duplicate key 'a' (first at line 2)" },
	{ "duplicate quoted key",
	  "Resources:\n  A:\n    Type: X\n    'Type': Y\n", 4, 5,
	  "duplicate key 'Type'" },
	{ "duplicate json key",
	  "{\n  \"Resources\": {},\n  \"Resources\": {}\n}\n", 3, 3,
	  "duplicate key 'Resources' (first at line 2)" },
	{ "alias to nothing", "Resources:\n  A: *nothing\n", 2, 6,
	  "alias '*nothing' names no anchor" },
	{ "alias to container",
	  "Resources:\n  A: &a\n    Type: X\n    M: [*a]\n", 4, 9,
	  "alias '*a' refers to a node that contains it" },
	{ "two documents", "Resources: {}\n---\nResources: {}\n", 2, 1,
	  "more than one YAML document" },
	{ "two documents after end",
	  "Resources: {}\n...\n---\nResources: {}\n", 3, 1,
	  "more than one YAML document" },
	{ "complex key", "Resources:\n  [a, b]: x\n", 2, 3,
	  "complex mapping keys are not supported" },
};

START_TEST(test_refusals)
{
	const struct refusal *r = &refusals[_i];
	struct cfh_diag d;
	struct cfh_template *t = test_load_n(r->src, strlen(r->src), &d);

	ck_assert_msg(t == NULL, "%s: accepted", r->name);
	ck_assert_msg(d.code == CFH_EXIT_INPUT, "%s: code %d", r->name,
		      d.code);
	ck_assert_msg(strstr(d.msg, r->msg) != NULL, "%s: message '%s'",
		      r->name, d.msg);
	ck_assert_msg(d.line == r->line && d.col == r->col,
		      "%s: '%s' at %d:%d, want %d:%d", r->name, d.msg, d.line,
		      d.col, r->line, r->col);
}
END_TEST

START_TEST(test_refuse_nul)
{
	static const char src[] = "Resources:\n  A:\n    Type: X\0Y\n";

	assert_refused_n(src, sizeof(src) - 1, 3, 12,
			 "binary data: NUL byte at offset 27");
	/* A file of NUL bytes is binary, not empty.
	 * BUG: is_blank_text() in src/load_guard.c tests
	 * strchr(" \t\r\n", c), which matches c == '\0' (the terminator),
	 * and runs before the NUL check: NULs and whitespace only read as
	 * "empty template". */
	assert_refused_n("\0\0\0\0", 4, 1, 1, "binary data: NUL byte at offset 0");
}
END_TEST

/* Syntax errors come from libfyaml; the position must be that of the
 * error, 1-based like every other diagnostic. */
struct syntax_case {
	const char *name;
	const char *src;
	int line, col;
	const char *msg;
};

static const struct syntax_case syntax_cases[] = {
	{ "unterminated flow sequence",
	  "Resources:\n  A:\n    Type: X\n    DependsOn: [B, C\n", 5, 1,
	  "flow sequence without a closing bracket" },
	{ "unterminated double quote",
	  "Resources:\n  A:\n    Type: \"AWS::S3::Bucket\n", 3, 12,
	  "double-quoted scalar without closing quote" },
	{ "unterminated single quote",
	  "Resources:\n  A:\n    Type: 'AWS::S3::Bucket\n", 3, 12,
	  "single-quoted scalar without closing quote" },
	{ "tab indentation", "Resources:\n\tA:\n\t\tType: X\n", 2, 1,
	  "tab character may not be used as indentation" },
	{ "bad escape", "Resources:\n  A:\n    Type: \"x\\qy\"\n", 3, 13,
	  "invalid escape" },
	{ "json double comma", "{\"Resources\": {\"A\": 1,, \"B\": 2}}", 1,
	  23, "JSON does not allow empty values" },
};

START_TEST(test_syntax_errors)
{
	const struct syntax_case *c = &syntax_cases[_i];
	struct cfh_diag d;
	struct cfh_template *t = test_load_n(c->src, strlen(c->src), &d);

	ck_assert_msg(t == NULL, "%s: accepted", c->name);
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_msg(strstr(d.msg, c->msg) != NULL, "%s: message '%s'",
		      c->name, d.msg);
	/* BUG: cfh_load_record_error() in src/load_guard.c adds 1 to
	 * libfyaml's line and column, which are already 1-based: every
	 * syntax error is reported one line down and one column right (past
	 * the end of the file for errors at the end). */
	ck_assert_msg(d.line == c->line && d.col == c->col,
		      "%s: reported at %d:%d, want %d:%d", c->name, d.line,
		      d.col, c->line, c->col);
}
END_TEST

/* A file that is only a document marker has an empty root. */
START_TEST(test_refuse_empty_document)
{
	static const char *const srcs[] = { "---\n", "---\n...\n",
					    "--- # nothing\n" };
	struct cfh_diag d;
	size_t i;

	for (i = 0; i < sizeof(srcs) / sizeof(*srcs); i++) {
		/* The root itself is an empty scalar: no enclosing
		 * collection to take a position from (this once crashed). */
		ck_assert_ptr_null(test_load_n(srcs[i], strlen(srcs[i]), &d));
		ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
		ck_assert_int_eq(d.line, 1);
	}
}
END_TEST

/* An empty value still has a position: right after its key. */
START_TEST(test_refuse_resources_empty)
{
	struct cfh_diag d;
	const char *src = "Resources:\nOutputs: {}\n";

	ck_assert_ptr_null(test_load_n(src, strlen(src), &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_msg(strstr(d.msg, "'Resources'") != NULL, "%s", d.msg);
	/* BUG: an empty (null) scalar gets no line and column in
	 * scalar_span(), so check_shape() reports "'Resources' is a scalar"
	 * with no position at all (line 0), and the CLI prints
	 * "file: error: ..." instead of "file:1:11: error: ...". */
	ck_assert_int_eq(d.line, 1);
	ck_assert_int_eq(d.col, 11);
}
END_TEST

/* Duplicates in a mapping of more than 16 keys take the sorting path; the
 * first duplicate in document order is reported, with the line of the
 * key it repeats. */
START_TEST(test_refuse_duplicate_large)
{
	struct cfh_buf b;
	struct cfh_diag d;
	char *src;
	int i;

	cfh_buf_init(&b);
	cfh_buf_adds(&b, "Resources:\n");		/* line 1 */
	for (i = 0; i < 20; i++)			/* lines 2..21 */
		cfh_buf_addf(&b, "  R%02d: {Type: AWS::SNS::Topic}\n", i);
	cfh_buf_adds(&b, "  R15: {Type: AWS::SQS::Queue}\n");	/* line 22 */
	cfh_buf_adds(&b, "  R03: {Type: AWS::SQS::Queue}\n");	/* line 23 */
	src = cfh_buf_steal(&b, NULL);
	ck_assert_ptr_null(test_load_n(src, strlen(src), &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_str_eq(d.msg, "duplicate key 'R15' (first at line 17)");
	ck_assert_int_eq(d.line, 22);
	ck_assert_int_eq(d.col, 3);
	free(src);

	/* Twenty distinct keys load. */
	cfh_buf_init(&b);
	cfh_buf_adds(&b, "Resources:\n");
	for (i = 0; i < 40; i++)
		cfh_buf_addf(&b, "  R%02d: {Type: AWS::SNS::Topic}\n", i);
	src = cfh_buf_steal(&b, NULL);
	cfh_template_free(test_load(src));
	free(src);
}
END_TEST

/* Keys of the same text in different mappings are no duplicates. */
START_TEST(test_no_false_duplicates)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
		"  A:\n"
		"    Type: X\n"
		"  B:\n"
		"    Type: X\n"
		"    Properties: {Type: x, type: y}\n");

	ck_assert_uint_eq(cfh_node_count(cfh_template_section(t, "Resources")),
			  2);
	cfh_template_free(t);
}
END_TEST

/* The root mapping, Resources and A take three levels; @extra sequences
 * nest below them. */
static char *nested(int extra)
{
	struct cfh_buf b;
	int i;

	cfh_buf_init(&b);
	cfh_buf_adds(&b, "Resources:\n  A:\n    Type: X\n    P: ");
	for (i = 0; i < extra; i++)
		cfh_buf_addc(&b, '[');
	for (i = 0; i < extra; i++)
		cfh_buf_addc(&b, ']');
	cfh_buf_addc(&b, '\n');
	return cfh_buf_steal(&b, NULL);
}

START_TEST(test_refuse_deep_nesting)
{
	struct cfh_diag d;
	char *src = nested(CFH_MAX_DEPTH - 3);
	char want[64];

	/* Exactly CFH_MAX_DEPTH levels load. */
	cfh_template_free(test_load(src));
	free(src);
	src = nested(CFH_MAX_DEPTH - 2);
	ck_assert_ptr_null(test_load_n(src, strlen(src), &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	snprintf(want, sizeof(want), "nesting deeper than %d levels",
		 CFH_MAX_DEPTH);
	ck_assert_str_eq(d.msg, want);
	/* At the bracket that goes one level too deep. */
	ck_assert_int_eq(d.line, 4);
	ck_assert_int_eq(d.col, 8 + CFH_MAX_DEPTH - 3);
	free(src);
	/* Far deeper input is refused as cheaply. */
	src = nested(100000);
	ck_assert_ptr_null(test_load_n(src, strlen(src), &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	free(src);
}
END_TEST

/* Billion laughs: nine levels of ten aliases would expand to 10^9
 * nodes; the loader refuses it without expanding anything. */
START_TEST(test_refuse_alias_bomb)
{
	struct cfh_buf b;
	struct cfh_diag d;
	char *src;
	char want[64];
	int i, k;

	cfh_buf_init(&b);
	cfh_buf_adds(&b, "Resources:\n  A:\n    Type: X\n    Metadata:\n"
			 "      l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
	for (i = 1; i <= 9; i++) {
		cfh_buf_addf(&b, "      l%d: &l%d [", i, i);
		for (k = 0; k < 10; k++)
			cfh_buf_addf(&b, "%s*l%d", k ? ", " : "", i - 1);
		cfh_buf_adds(&b, "]\n");
	}
	src = cfh_buf_steal(&b, NULL);
	ck_assert_ptr_null(test_load_n(src, strlen(src), &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	snprintf(want, sizeof(want), "alias expansion exceeds %d nodes",
		 CFH_MAX_EXPANSION);
	ck_assert_str_eq(d.msg, want);
	/* l5 holds 1,111,111 nodes; its ninth alias crosses the bound. */
	ck_assert_int_eq(d.line, 10);
	ck_assert_int_eq(d.col, 56);
	free(src);
}
END_TEST

/* A block value on a line after its key must be indented more than the
 * key: libfyaml accepts a less indented scalar at the end of a file only,
 * and the passes add entries after it (found by make fuzz). A block
 * sequence may stand at the key's column; an empty value is no value. */
START_TEST(test_value_indent)
{
	static const char *const bad[] = {
		"Resources:\n  A:\n    Type: X\n    P:\n    v\n",
		"Resources:\n  A:\n    Type: X\n    P:\n    'v'\n",
		"Resources:\n  A:\n    Type: X\n    P:\n      - k:\n        v\n",
		"Resources:\n  A:\n    Type: X\n    P:\n    -\n      # c\n    v\n",
	};
	static const char *const good[] = {
		"Resources:\n  A:\n    Type: X\n    P:\n      v\n",
		"Resources:\n  A:\n    Type: X\n    P:\n    - v\n",
		"Resources:\n  A:\n    Type: X\n    P:\n    Q: 1\n",
		"Resources:\n  A:\n    Type: X\n    P: !Ref\n      v\n",
		"\xef\xbb\xbfResources:\n  A:\n    Type: X\n",
	};
	struct cfh_template *t;
	struct cfh_diag d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = test_load_n(bad[i], strlen(bad[i]), &d);
		ck_assert_msg(t == NULL, "bad case %zu loaded", i);
		ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
		ck_assert_ptr_nonnull(strstr(d.msg, "indented more than its"));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cfh_template_free(test_load(good[i]));
}
END_TEST

Suite *refuse_suite(void)
{
	Suite *s = suite_create("refuse");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_refusals, 0,
			    sizeof(refusals) / sizeof(*refusals));
	tcase_add_test(tc, test_refuse_nul);
	tcase_add_loop_test(tc, test_syntax_errors, 0,
			    sizeof(syntax_cases) / sizeof(*syntax_cases));
	tcase_add_test(tc, test_refuse_empty_document);
	tcase_add_test(tc, test_refuse_resources_empty);
	tcase_add_test(tc, test_refuse_duplicate_large);
	tcase_add_test(tc, test_no_false_duplicates);
	tcase_add_test(tc, test_refuse_deep_nesting);
	tcase_add_test(tc, test_refuse_alias_bomb);
	tcase_add_test(tc, test_value_indent);
	suite_add_tcase(s, tc);
	return s;
}

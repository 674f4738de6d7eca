/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for loading (src/load.c, src/template.c): positions, styles,
 * tags, plain scalar types, aliases, byte-order marks and CRLF, and a
 * 20 MB template. What the loader refuses is in check_refuse.c, the
 * model's queries on a loaded template in check_node.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "suites.h"
#include "testlib.h"

START_TEST(test_load_yaml)
{
	struct cfh_template *t = test_load(
		"AWSTemplateFormatVersion: '2010-09-09'\n"
		"Resources:\n"
		"  Bucket:\n"
		"    Type: AWS::S3::Bucket\n");
	struct cfh_node *res = cfh_template_section(t, "Resources");

	ck_assert(!cfh_template_is_json(t));
	ck_assert(cfh_node_is_map(t->root));
	ck_assert_uint_eq(cfh_node_count(t->root), 2);
	ck_assert_ptr_nonnull(res);
	ck_assert_str_eq(cfh_resource_type(cfh_map_get(res, "Bucket")),
			 "AWS::S3::Bucket");
	ck_assert_str_eq(t->conv.nl, "\n");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_load_json)
{
	struct cfh_template *t = test_load("{\n"
					   "  \"Resources\": {\n"
					   "    \"Queue\": {\"Type\": \"AWS::SQS::Queue\",\n"
					   "      \"Properties\": {\"DelaySeconds\": 5}}\n"
					   "  }\n"
					   "}\n");
	struct cfh_node *n =
		test_at(t, "/Resources/Queue/Properties/DelaySeconds");

	ck_assert(cfh_template_is_json(t));
	ck_assert_str_eq(cfh_resource_type(test_at(t, "/Resources/Queue")),
			 "AWS::SQS::Queue");
	ck_assert_int_eq(n->stype, CFH_T_INT);
	ck_assert_str_eq(n->text, "5");
	ck_assert_int_eq(test_at(t, "/Resources")->style, CFH_STYLE_FLOW);
	ck_assert_int_eq(t->conv.jindent, 2);
	cfh_template_free(t);
}
END_TEST

/* JSON is recognised after leading blank lines and a BOM, and is JSON even
 * in a .yaml-named file. */
START_TEST(test_load_json_detect)
{
	struct cfh_template *t =
		test_load("\xef\xbb\xbf\n\t {\"Resources\": {}}");

	ck_assert(cfh_template_is_json(t));
	cfh_template_free(t);
	t = test_load("Resources: {}\n");
	ck_assert(!cfh_template_is_json(t));
	cfh_template_free(t);
	t = test_load("# {\"not\": \"json\"}\nResources: {}\n");
	ck_assert(!cfh_template_is_json(t));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_positions)
{
	struct cfh_template *t = test_load(
		"Resources:\n"		/* 1 */
		"  Bucket:\n"		/* 2 */
		"    Type: AWS::S3::Bucket\n"	/* 3 */
		"    Properties:\n"		/* 4 */
		"      Tags:\n"		/* 5 */
		"        - Key: a\n"	/* 6 */
		"          Value: 'b'\n"	/* 7 */
		"      Name: {Ref: X}\n"	/* 8 */
		"      List: [x, \"y\"]\n");	/* 9 */
	struct cfh_node *n;
	struct cfh_entry *e;

	n = test_at(t, "/Resources/Bucket/Type");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_uint_eq(n->end - n->start, strlen("AWS::S3::Bucket"));
	ck_assert(!memcmp(t->src + n->start, "AWS::S3::Bucket", 15));
	e = cfh_map_entry(test_at(t, "/Resources/Bucket"), "Type");
	ck_assert_int_eq(e->key->line, 3);
	ck_assert_int_eq(e->key->col, 5);
	/* A block mapping starts at its first key. */
	n = test_at(t, "/Resources/Bucket/Properties/Tags/0");
	ck_assert_int_eq(n->line, 6);
	ck_assert_int_eq(n->col, 11);
	/* A quoted scalar's position and span include its quotes. */
	n = test_at(t, "/Resources/Bucket/Properties/Tags/0/Value");
	ck_assert_int_eq(n->line, 7);
	ck_assert_int_eq(n->col, 18);
	ck_assert(!memcmp(t->src + n->start, "'b'", 3));
	ck_assert_uint_eq(n->end - n->start, 3);
	/* A flow mapping starts at its brace. */
	n = test_at(t, "/Resources/Bucket/Properties/Name");
	ck_assert_int_eq(n->line, 8);
	ck_assert_int_eq(n->col, 13);
	ck_assert_int_eq(t->src[n->start], '{');
	ck_assert_int_eq(t->src[n->end - 1], '}');
	n = test_at(t, "/Resources/Bucket/Properties/List/1");
	ck_assert_int_eq(n->line, 9);
	ck_assert_int_eq(n->col, 17);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_positions_json)
{
	struct cfh_template *t = test_load(
		"{\n"
		"  \"Resources\": {\n"
		"    \"A\": {\n"
		"      \"Type\": \"AWS::SNS::Topic\"\n"
		"    }\n"
		"  }\n"
		"}\n");
	struct cfh_node *n = test_at(t, "/Resources/A/Type");

	ck_assert_int_eq(n->line, 4);
	ck_assert_int_eq(n->col, 15);
	ck_assert_int_eq(n->style, CFH_STYLE_DOUBLE);
	n = test_at(t, "/Resources/A");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 10);
	cfh_template_free(t);
}
END_TEST

/* Columns count characters, not bytes. */
START_TEST(test_positions_utf8)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A: {Type: X, Déjà: é, B: 1}\n");
	struct cfh_node *n = test_at(t, "/Resources/A/B");

	ck_assert_int_eq(n->line, 2);
	ck_assert_int_eq(n->col, 28);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_scalar_styles)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      plain: some text\n"
					   "      single: 'it''s'\n"
					   "      double: \"tab\\there\"\n"
					   "      literal: |\n"
					   "        line 1\n"
					   "        line 2\n"
					   "      folded: >-\n"
					   "        one\n"
					   "        two\n"
					   "      keep: |+\n"
					   "        kept\n"
					   "\n"
					   "      last: x\n");
	struct cfh_node *n;

	n = test_at(t, "/Resources/A/Metadata/plain");
	ck_assert_int_eq(n->style, CFH_STYLE_PLAIN);
	ck_assert_str_eq(n->text, "some text");
	n = test_at(t, "/Resources/A/Metadata/single");
	ck_assert_int_eq(n->style, CFH_STYLE_SINGLE);
	ck_assert_str_eq(n->text, "it's");
	n = test_at(t, "/Resources/A/Metadata/double");
	ck_assert_int_eq(n->style, CFH_STYLE_DOUBLE);
	ck_assert_str_eq(n->text, "tab\there");
	n = test_at(t, "/Resources/A/Metadata/literal");
	ck_assert_int_eq(n->style, CFH_STYLE_LITERAL);
	ck_assert_str_eq(n->text, "line 1\nline 2\n");
	/* The span starts at the indicator and ends with the last content
	 * line: the line break belongs to the text after it. */
	ck_assert_int_eq(t->src[n->start], '|');
	ck_assert_int_eq(t->src[n->end - 1], '2');
	n = test_at(t, "/Resources/A/Metadata/folded");
	ck_assert_int_eq(n->style, CFH_STYLE_FOLDED);
	ck_assert_str_eq(n->text, "one two");
	ck_assert_int_eq(t->src[n->start], '>');
	n = test_at(t, "/Resources/A/Metadata/keep");
	ck_assert_int_eq(n->style, CFH_STYLE_LITERAL);
	ck_assert_str_eq(n->text, "kept\n\n");
	ck_assert_int_eq(n->stype, CFH_T_STR);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_collection_styles)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      bmap:\n"
					   "        k: v\n"
					   "      bseq:\n"
					   "        - 1\n"
					   "      fmap: {k: v}\n"
					   "      fseq: [1, 2]\n"
					   "      empty: []\n");

	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/bmap")->style,
			 CFH_STYLE_BLOCK);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/bmap")->kind,
			 CFH_MAP);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/bseq")->style,
			 CFH_STYLE_BLOCK);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/bseq")->kind,
			 CFH_SEQ);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/fmap")->style,
			 CFH_STYLE_FLOW);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/fmap")->kind,
			 CFH_MAP);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/fseq")->style,
			 CFH_STYLE_FLOW);
	ck_assert_int_eq(test_at(t, "/Resources/A/Metadata/fseq")->kind,
			 CFH_SEQ);
	ck_assert_uint_eq(
		cfh_node_count(test_at(t, "/Resources/A/Metadata/empty")), 0);
	ck_assert_int_eq(t->root->style, CFH_STYLE_BLOCK);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_tags_verbatim)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      R: !Ref Other\n"
					   "      E: !Rain::Embed file.txt\n"
					   "      S: !!str 42\n"
					   "      M: !Rain::S3\n"
					   "        Path: ./src\n"
					   "      P: plain\n");
	struct cfh_node *n;

	n = test_at(t, "/Resources/A/Properties/R");
	ck_assert_str_eq(n->tag, "!Ref");
	ck_assert_str_eq(n->text, "Other");
	/* The span covers the tag: replacing the node replaces both. */
	ck_assert(!memcmp(t->src + n->start, "!Ref Other", 10));
	ck_assert_uint_eq(n->end - n->start, 10);
	ck_assert(!memcmp(t->src + n->vstart, "Other", 5));
	n = test_at(t, "/Resources/A/Properties/E");
	ck_assert_str_eq(n->tag, "!Rain::Embed");
	ck_assert_str_eq(n->text, "file.txt");
	n = test_at(t, "/Resources/A/Properties/S");
	ck_assert_str_eq(n->tag, "!!str");
	ck_assert_int_eq(n->stype, CFH_T_STR);
	ck_assert(cfh_node_is_str(n));
	n = test_at(t, "/Resources/A/Properties/M");
	ck_assert_str_eq(n->tag, "!Rain::S3");
	ck_assert_int_eq(n->kind, CFH_MAP);
	ck_assert_ptr_null(test_at(t, "/Resources/A/Properties/P")->tag);
	cfh_template_free(t);
}
END_TEST

struct type_case {
	const char *text;
	enum cfh_stype type;
};

static const struct type_case type_cases[] = {
	{ "0", CFH_T_INT },	  { "42", CFH_T_INT },
	{ "-7", CFH_T_INT },	  { "+3", CFH_T_INT },
	{ "0x1F", CFH_T_INT },	  { "0o17", CFH_T_INT },
	{ "1.5", CFH_T_REAL },	  { "-0.25", CFH_T_REAL },
	{ "1e3", CFH_T_REAL },	  { "2.5E-3", CFH_T_REAL },
	{ ".5", CFH_T_REAL },	  { ".inf", CFH_T_REAL },
	{ "-.Inf", CFH_T_REAL },  { ".nan", CFH_T_REAL },
	{ "true", CFH_T_BOOL },	  { "False", CFH_T_BOOL },
	{ "TRUE", CFH_T_BOOL },	  { "null", CFH_T_NULL },
	{ "~", CFH_T_NULL },	  { "", CFH_T_NULL },
	{ "NULL", CFH_T_NULL },	  { "yes", CFH_T_STR },
	{ "on", CFH_T_STR },	  { "tRUE", CFH_T_STR },
	{ "1.2.3", CFH_T_STR },	  { "0xZZ", CFH_T_STR },
	{ "1e", CFH_T_STR },	  { "e3", CFH_T_STR },
	{ "-", CFH_T_STR },	  { ".", CFH_T_STR },
	{ "10.0.0.0/16", CFH_T_STR }, { "2010-09-09", CFH_T_STR },
	{ "AWS::S3::Bucket", CFH_T_STR }, { "nan", CFH_T_STR },
};

START_TEST(test_plain_types)
{
	const struct type_case *c = &type_cases[_i];

	ck_assert_msg(cfh_plain_type(c->text, strlen(c->text)) == c->type,
		      "'%s' is type %d, want %d", c->text,
		      cfh_plain_type(c->text, strlen(c->text)), c->type);
}
END_TEST

START_TEST(test_scalar_types_loaded)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      I: 30\n"
					   "      R: 2.5\n"
					   "      B: true\n"
					   "      N: null\n"
					   "      E:\n"
					   "      S: text\n"
					   "      Q: '30'\n"
					   "      D: \"true\"\n"
					   "      T: !Ref 30\n"
					   "      V: 2010-09-09\n");

	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/I")->stype,
			 CFH_T_INT);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/R")->stype,
			 CFH_T_REAL);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/B")->stype,
			 CFH_T_BOOL);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/N")->stype,
			 CFH_T_NULL);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/E")->stype,
			 CFH_T_NULL);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/S")->stype,
			 CFH_T_STR);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/Q")->stype,
			 CFH_T_STR);
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/D")->stype,
			 CFH_T_STR);
	/* A tag makes a plain scalar a string. */
	ck_assert_int_eq(test_at(t, "/Resources/A/Properties/T")->stype,
			 CFH_T_STR);
	test_assert_json(test_at(t, "/Resources/A/Properties"),
			 "{\"I\": 30, \"R\": 2.5, \"B\": true, \"N\": null, "
			 "\"E\": null, \"S\": \"text\", \"Q\": \"30\", "
			 "\"D\": \"true\", \"T\": {\"Ref\": \"30\"}, "
			 "\"V\": \"2010-09-09\"}");
	cfh_template_free(t);
}
END_TEST

/* A few aliases well below the bound are fine, and read as copies. */
START_TEST(test_aliases_expand)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
		"  A:\n"
		"    Type: X\n"
		"    Properties: &p\n"
		"      Tags: &t [{Key: k, Value: v}]\n"
		"  B:\n"
		"    Type: X\n"
		"    Properties: *p\n"
		"  C:\n"
		"    Type: X\n"
		"    Properties:\n"
		"      <<: *p\n"
		"      Other: *t\n");
	struct cfh_node *p = test_at(t, "/Resources/B/Properties");

	ck_assert_int_eq(p->kind, CFH_ALIAS);
	ck_assert_str_eq(p->text, "p");
	ck_assert_ptr_eq(cfh_node_deref(p),
			 test_at(t, "/Resources/A/Properties"));
	ck_assert_str_eq(test_at(t, "/Resources/A/Properties")->anchor, "p");
	ck_assert(test_at(t, "/Resources/B")->flags & CFH_NF_ALIASED);
	/* cfh_node_at() looks through aliases. */
	ck_assert_str_eq(cfh_node_str(test_at(t, "/Resources/B/Properties/Tags/0/Key")),
			 "k");
	test_assert_json(test_at(t, "/Resources/B"),
			 "{\"Type\": \"X\", \"Properties\": "
			 "{\"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}}");
	test_assert_json(test_at(t, "/Resources/C/Properties/Other"),
			 "[{\"Key\": \"k\", \"Value\": \"v\"}]");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_bom)
{
	struct cfh_template *t = test_load("\xef\xbb\xbfResources:\n"
					   "  A:\n"
					   "    Type: X\n");
	struct cfh_node *n = test_at(t, "/Resources/A/Type");

	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_ptr_nonnull(cfh_template_section(t, "Resources"));
	cfh_template_free(t);
	t = test_load(
		"\xef\xbb\xbf{\"Resources\": {\"A\": {\"Type\": \"X\"}}}");
	ck_assert(cfh_template_is_json(t));
	ck_assert_str_eq(cfh_node_str(test_at(t, "/Resources/A/Type")), "X");
	cfh_template_free(t);
}
END_TEST

/* A byte-order mark takes no column: line 1 counts like any other. */
START_TEST(test_bom_column)
{
	static const char src[] = "\xef\xbb\xbfResources: {A: 1, A: 2}\n";
	struct cfh_template *t =
		test_load("\xef\xbb\xbfResources: {A: {Type: X}}\n");
	struct cfh_diag d;

	ck_assert_int_eq(test_at(t, "/Resources")->col, 12);
	cfh_template_free(t);
	ck_assert_ptr_null(test_load_n(src, sizeof(src) - 1, &d));
	/* line_col() in src/load.c skips the BOM, as libfyaml and editors
	 * do: the duplicate is at 1:19, not 1:20. */
	ck_assert_int_eq(d.line, 1);
	ck_assert_int_eq(d.col, 19);
}
END_TEST

START_TEST(test_crlf)
{
	struct cfh_template *t = test_load("Resources:\r\n"
					   "  A:\r\n"
					   "    Type: X\r\n"
					   "    Properties:\r\n"
					   "      D: |\r\n"
					   "        a\r\n"
					   "        b\r\n"
					   "      E: \"x\r\n"
					   "        y\"\r\n");
	struct cfh_node *n = test_at(t, "/Resources/A/Type");
	struct cfh_diag d;
	const char *dup = "Resources:\r\n  A: 1\r\n  A: 2\r\n";

	ck_assert_str_eq(t->conv.nl, "\r\n");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_str_eq(n->text, "X");
	/* Line breaks in scalars are normalised to LF. */
	ck_assert_str_eq(cfh_node_str(test_at(t, "/Resources/A/Properties/D")),
			 "a\nb\n");
	ck_assert_str_eq(cfh_node_str(test_at(t, "/Resources/A/Properties/E")),
			 "x y");
	cfh_template_free(t);
	ck_assert_ptr_null(test_load_n(dup, strlen(dup), &d));
	ck_assert_int_eq(d.line, 3);
	ck_assert_int_eq(d.col, 3);
}
END_TEST

/* A 20 MB template (built here, not committed): no size limit refuses
 * it, duplicate detection stays n log n, and it prints back unchanged. */
static char *big_template(size_t nres, bool dup, size_t *lenp)
{
	struct cfh_buf b;
	size_t i;

	cfh_buf_init(&b);
	cfh_buf_adds(&b, "Resources:\n");
	for (i = 0; i < nres; i++)
		cfh_buf_addf(&b, "  Topic%06zu:\n"
				 "    Type: AWS::SNS::Topic\n"
				 "    Properties:\n"
				 "      DisplayName: \"topic number %zu of the "
				 "large template\"\n"
				 "      Tags: [{Key: team, Value: platform}, "
				 "{Key: cost-centre, Value: '1234'}]\n",
			     i, i);
	if (dup)
		cfh_buf_adds(&b, "  Topic000007:\n    Type: AWS::SQS::Queue\n");
	return cfh_buf_steal(&b, lenp);
}

START_TEST(test_large_template)
{
	const size_t nres = 110000;
	struct cfh_template *t;
	struct cfh_diag d;
	size_t len, outlen;
	char *src, *out;
	char want[128];

	src = big_template(nres, true, &len);
	ck_assert_ptr_nonnull(src);
	ck_assert_uint_gt(len, 20u * 1000 * 1000);
	ck_assert_ptr_null(test_load_n(src, len, &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	snprintf(want, sizeof(want),
		 "duplicate key 'Topic000007' (first at line %d)", 2 + 5 * 7);
	ck_assert_str_eq(d.msg, want);
	ck_assert_int_eq(d.line, (int)(2 + 5 * nres));
	ck_assert_int_eq(d.col, 3);
	free(src);

	src = big_template(nres, false, &len);
	t = test_load_n(src, len, &d);
	ck_assert_msg(t != NULL, "%d:%d: %s", d.line, d.col, d.msg);
	ck_assert_uint_eq(cfh_node_count(cfh_template_section(t, "Resources")),
			  nres);
	out = cfh_template_print(t, &outlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outlen, len);
	ck_assert(!memcmp(out, src, len));
	free(out);
	cfh_template_free(t);
	free(src);
}
END_TEST

Suite *load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_load_yaml);
	tcase_add_test(tc, test_load_json);
	tcase_add_test(tc, test_load_json_detect);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_positions_json);
	tcase_add_test(tc, test_positions_utf8);
	tcase_add_test(tc, test_scalar_styles);
	tcase_add_test(tc, test_collection_styles);
	tcase_add_test(tc, test_tags_verbatim);
	tcase_add_loop_test(tc, test_plain_types, 0,
			    sizeof(type_cases) / sizeof(*type_cases));
	tcase_add_test(tc, test_scalar_types_loaded);
	tcase_add_test(tc, test_aliases_expand);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_bom_column);
	tcase_add_test(tc, test_crlf);
	suite_add_tcase(s, tc);
	/* Seconds, not milliseconds, under sanitizers. */
	tc = tcase_create("large");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_large_template);
	suite_add_tcase(s, tc);
	return s;
}

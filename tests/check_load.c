/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for loading (src/load.c, src/template.c) and the model's
 * queries (src/node.c): positions, styles, tags, intrinsic recognition in
 * both spellings, plain scalar types, every refusal with its position, and
 * conversion to JSON and JSON Pointers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "suites.h"

static struct cfh_template *load_n(const char *src, size_t len,
				   struct cfh_diag *d)
{
	return cfh_template_load(src, len, "test.yaml", d);
}

static struct cfh_template *load(const char *src)
{
	struct cfh_diag d;
	struct cfh_template *t = load_n(src, strlen(src), &d);

	ck_assert_msg(t != NULL, "load failed: %d:%d: %s", d.line, d.col,
		      d.msg);
	return t;
}

static struct cfh_node *at(const struct cfh_template *t, const char *ptr)
{
	struct cfh_node *n = cfh_node_at(t, ptr);

	ck_assert_msg(n != NULL, "no node at '%s'", ptr);
	return n;
}

/* Compare a node's JSON form with the JSON text @want. */
static void assert_json(const struct cfh_node *n, const char *want)
{
	json_error_t err;
	json_t *w = json_loads(want, JSON_DECODE_ANY, &err);
	json_t *j = cfh_node_to_json(n);
	char *got;

	ck_assert_msg(w != NULL, "bad expectation '%s': %s", want, err.text);
	ck_assert_ptr_nonnull(j);
	got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	ck_assert_msg(json_equal(j, w), "got %s, want %s", got, want);
	free(got);
	json_decref(j);
	json_decref(w);
}

/* Load @src, expecting a refusal at @line:@col whose message contains
 * @msg. */
static void assert_refused_n(const char *src, size_t len, int line, int col,
			     const char *msg)
{
	struct cfh_diag d;
	struct cfh_template *t = load_n(src, len, &d);

	ck_assert_msg(t == NULL, "accepted: %s", src);
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_msg(strstr(d.msg, msg) != NULL, "message '%s' lacks '%s'",
		      d.msg, msg);
	ck_assert_msg(d.line == line && d.col == col,
		      "'%s' at %d:%d, want %d:%d", d.msg, d.line, d.col, line,
		      col);
}

START_TEST(test_load_yaml)
{
	struct cfh_template *t = load("AWSTemplateFormatVersion: '2010-09-09'\n"
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
	struct cfh_template *t = load("{\n"
				      "  \"Resources\": {\n"
				      "    \"Queue\": {\"Type\": \"AWS::SQS::Queue\",\n"
				      "      \"Properties\": {\"DelaySeconds\": 5}}\n"
				      "  }\n"
				      "}\n");
	struct cfh_node *n = at(t, "/Resources/Queue/Properties/DelaySeconds");

	ck_assert(cfh_template_is_json(t));
	ck_assert_str_eq(cfh_resource_type(at(t, "/Resources/Queue")),
			 "AWS::SQS::Queue");
	ck_assert_int_eq(n->stype, CFH_T_INT);
	ck_assert_str_eq(n->text, "5");
	ck_assert_int_eq(at(t, "/Resources")->style, CFH_STYLE_FLOW);
	ck_assert_int_eq(t->conv.jindent, 2);
	cfh_template_free(t);
}
END_TEST

/* JSON is recognised after leading blank lines and a BOM, and is JSON even
 * in a .yaml-named file. */
START_TEST(test_load_json_detect)
{
	struct cfh_template *t = load("\xef\xbb\xbf\n\t {\"Resources\": {}}");

	ck_assert(cfh_template_is_json(t));
	cfh_template_free(t);
	t = load("Resources: {}\n");
	ck_assert(!cfh_template_is_json(t));
	cfh_template_free(t);
	t = load("# {\"not\": \"json\"}\nResources: {}\n");
	ck_assert(!cfh_template_is_json(t));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_positions)
{
	struct cfh_template *t = load("Resources:\n"		/* 1 */
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

	n = at(t, "/Resources/Bucket/Type");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_uint_eq(n->end - n->start, strlen("AWS::S3::Bucket"));
	ck_assert(!memcmp(t->src + n->start, "AWS::S3::Bucket", 15));
	e = cfh_map_entry(at(t, "/Resources/Bucket"), "Type");
	ck_assert_int_eq(e->key->line, 3);
	ck_assert_int_eq(e->key->col, 5);
	/* A block mapping starts at its first key. */
	n = at(t, "/Resources/Bucket/Properties/Tags/0");
	ck_assert_int_eq(n->line, 6);
	ck_assert_int_eq(n->col, 11);
	/* A quoted scalar's position and span include its quotes. */
	n = at(t, "/Resources/Bucket/Properties/Tags/0/Value");
	ck_assert_int_eq(n->line, 7);
	ck_assert_int_eq(n->col, 18);
	ck_assert(!memcmp(t->src + n->start, "'b'", 3));
	ck_assert_uint_eq(n->end - n->start, 3);
	/* A flow mapping starts at its brace. */
	n = at(t, "/Resources/Bucket/Properties/Name");
	ck_assert_int_eq(n->line, 8);
	ck_assert_int_eq(n->col, 13);
	ck_assert_int_eq(t->src[n->start], '{');
	ck_assert_int_eq(t->src[n->end - 1], '}');
	n = at(t, "/Resources/Bucket/Properties/List/1");
	ck_assert_int_eq(n->line, 9);
	ck_assert_int_eq(n->col, 17);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_positions_json)
{
	struct cfh_template *t = load("{\n"
				      "  \"Resources\": {\n"
				      "    \"A\": {\n"
				      "      \"Type\": \"AWS::SNS::Topic\"\n"
				      "    }\n"
				      "  }\n"
				      "}\n");
	struct cfh_node *n = at(t, "/Resources/A/Type");

	ck_assert_int_eq(n->line, 4);
	ck_assert_int_eq(n->col, 15);
	ck_assert_int_eq(n->style, CFH_STYLE_DOUBLE);
	n = at(t, "/Resources/A");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 10);
	cfh_template_free(t);
}
END_TEST

/* Columns count characters, not bytes. */
START_TEST(test_positions_utf8)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A: {Type: X, Déjà: é, B: 1}\n");
	struct cfh_node *n = at(t, "/Resources/A/B");

	ck_assert_int_eq(n->line, 2);
	ck_assert_int_eq(n->col, 28);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_scalar_styles)
{
	struct cfh_template *t = load("Resources:\n"
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

	n = at(t, "/Resources/A/Metadata/plain");
	ck_assert_int_eq(n->style, CFH_STYLE_PLAIN);
	ck_assert_str_eq(n->text, "some text");
	n = at(t, "/Resources/A/Metadata/single");
	ck_assert_int_eq(n->style, CFH_STYLE_SINGLE);
	ck_assert_str_eq(n->text, "it's");
	n = at(t, "/Resources/A/Metadata/double");
	ck_assert_int_eq(n->style, CFH_STYLE_DOUBLE);
	ck_assert_str_eq(n->text, "tab\there");
	n = at(t, "/Resources/A/Metadata/literal");
	ck_assert_int_eq(n->style, CFH_STYLE_LITERAL);
	ck_assert_str_eq(n->text, "line 1\nline 2\n");
	/* The span starts at the indicator and ends with the last content
	 * line: the line break belongs to the text after it. */
	ck_assert_int_eq(t->src[n->start], '|');
	ck_assert_int_eq(t->src[n->end - 1], '2');
	n = at(t, "/Resources/A/Metadata/folded");
	ck_assert_int_eq(n->style, CFH_STYLE_FOLDED);
	ck_assert_str_eq(n->text, "one two");
	ck_assert_int_eq(t->src[n->start], '>');
	n = at(t, "/Resources/A/Metadata/keep");
	ck_assert_int_eq(n->style, CFH_STYLE_LITERAL);
	ck_assert_str_eq(n->text, "kept\n\n");
	ck_assert_int_eq(n->stype, CFH_T_STR);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_collection_styles)
{
	struct cfh_template *t = load("Resources:\n"
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

	ck_assert_int_eq(at(t, "/Resources/A/Metadata/bmap")->style,
			 CFH_STYLE_BLOCK);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/bmap")->kind, CFH_MAP);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/bseq")->style,
			 CFH_STYLE_BLOCK);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/bseq")->kind, CFH_SEQ);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/fmap")->style,
			 CFH_STYLE_FLOW);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/fmap")->kind, CFH_MAP);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/fseq")->style,
			 CFH_STYLE_FLOW);
	ck_assert_int_eq(at(t, "/Resources/A/Metadata/fseq")->kind, CFH_SEQ);
	ck_assert_uint_eq(cfh_node_count(at(t, "/Resources/A/Metadata/empty")),
			  0);
	ck_assert_int_eq(t->root->style, CFH_STYLE_BLOCK);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_tags_verbatim)
{
	struct cfh_template *t = load("Resources:\n"
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

	n = at(t, "/Resources/A/Properties/R");
	ck_assert_str_eq(n->tag, "!Ref");
	ck_assert_str_eq(n->text, "Other");
	/* The span covers the tag: replacing the node replaces both. */
	ck_assert(!memcmp(t->src + n->start, "!Ref Other", 10));
	ck_assert_uint_eq(n->end - n->start, 10);
	ck_assert(!memcmp(t->src + n->vstart, "Other", 5));
	n = at(t, "/Resources/A/Properties/E");
	ck_assert_str_eq(n->tag, "!Rain::Embed");
	ck_assert_str_eq(n->text, "file.txt");
	n = at(t, "/Resources/A/Properties/S");
	ck_assert_str_eq(n->tag, "!!str");
	ck_assert_int_eq(n->stype, CFH_T_STR);
	ck_assert(cfh_node_is_str(n));
	n = at(t, "/Resources/A/Properties/M");
	ck_assert_str_eq(n->tag, "!Rain::S3");
	ck_assert_int_eq(n->kind, CFH_MAP);
	ck_assert_ptr_null(at(t, "/Resources/A/Properties/P")->tag);
	cfh_template_free(t);
}
END_TEST

/* One intrinsic in both spellings. */
struct fn_case {
	const char *yaml;	/* value after "V: " in a block mapping */
	const char *json;	/* value in a JSON template */
	enum cfh_fn fn;
	const char *name;
};

static const struct fn_case fn_cases[] = {
	{ "!Ref X", "{\"Ref\": \"X\"}", CFH_FN_REF, "Ref" },
	{ "!GetAtt A.B", "{\"Fn::GetAtt\": [\"A\", \"B\"]}", CFH_FN_GETATT,
	  "Fn::GetAtt" },
	{ "!Sub '${AWS::Region}'", "{\"Fn::Sub\": \"${AWS::Region}\"}",
	  CFH_FN_SUB, "Fn::Sub" },
	{ "!Join ['', [a, b]]", "{\"Fn::Join\": [\"\", [\"a\", \"b\"]]}",
	  CFH_FN_JOIN, "Fn::Join" },
	{ "!Select [0, [a]]", "{\"Fn::Select\": [0, [\"a\"]]}",
	  CFH_FN_SELECT, "Fn::Select" },
	{ "!Split [',', 'a,b']", "{\"Fn::Split\": [\",\", \"a,b\"]}",
	  CFH_FN_SPLIT, "Fn::Split" },
	{ "!If [C, a, b]", "{\"Fn::If\": [\"C\", \"a\", \"b\"]}", CFH_FN_IF,
	  "Fn::If" },
	{ "!Equals [a, b]", "{\"Fn::Equals\": [\"a\", \"b\"]}",
	  CFH_FN_EQUALS, "Fn::Equals" },
	{ "!And [!Condition C, !Condition D]",
	  "{\"Fn::And\": [{\"Condition\": \"C\"}, {\"Condition\": \"D\"}]}",
	  CFH_FN_AND, "Fn::And" },
	{ "!Or [!Condition C, !Condition D]",
	  "{\"Fn::Or\": [{\"Condition\": \"C\"}, {\"Condition\": \"D\"}]}",
	  CFH_FN_OR, "Fn::Or" },
	{ "!Not [!Condition C]", "{\"Fn::Not\": [{\"Condition\": \"C\"}]}",
	  CFH_FN_NOT, "Fn::Not" },
	{ "!FindInMap [M, K, V]", "{\"Fn::FindInMap\": [\"M\", \"K\", \"V\"]}",
	  CFH_FN_FINDINMAP, "Fn::FindInMap" },
	{ "!Base64 text", "{\"Fn::Base64\": \"text\"}", CFH_FN_BASE64,
	  "Fn::Base64" },
	{ "!Cidr [10.0.0.0/16, 4, 8]",
	  "{\"Fn::Cidr\": [\"10.0.0.0/16\", 4, 8]}", CFH_FN_CIDR, "Fn::Cidr" },
	{ "!GetAZs ''", "{\"Fn::GetAZs\": \"\"}", CFH_FN_GETAZS,
	  "Fn::GetAZs" },
	{ "!ImportValue Shared", "{\"Fn::ImportValue\": \"Shared\"}",
	  CFH_FN_IMPORTVALUE, "Fn::ImportValue" },
	{ "!Condition C", "{\"Condition\": \"C\"}", CFH_FN_CONDITION,
	  "Condition" },
	{ "!Transform {Name: AWS::Include}",
	  "{\"Fn::Transform\": {\"Name\": \"AWS::Include\"}}",
	  CFH_FN_TRANSFORM, "Fn::Transform" },
	{ "!Length [a, b]", "{\"Fn::Length\": [\"a\", \"b\"]}",
	  CFH_FN_LENGTH, "Fn::Length" },
	{ "!ToJsonString {a: b}", "{\"Fn::ToJsonString\": {\"a\": \"b\"}}",
	  CFH_FN_TOJSONSTRING, "Fn::ToJsonString" },
};

START_TEST(test_fn_both_forms)
{
	const struct fn_case *c = &fn_cases[_i];
	char buf[512];
	struct cfh_template *t;
	struct cfh_fn_view v;
	struct cfh_node *n;

	snprintf(buf, sizeof(buf), "Resources:\n  A:\n    Type: X\n"
		 "    Properties:\n      V: %s\n", c->yaml);
	t = load(buf);
	n = at(t, "/Resources/A/Properties/V");
	ck_assert_msg(cfh_node_fn(n, &v), "%s not recognised", c->yaml);
	ck_assert_int_eq(v.fn, c->fn);
	ck_assert_str_eq(v.name, c->name);
	ck_assert(v.short_form);
	ck_assert_ptr_eq(v.arg, n);
	ck_assert_str_eq(cfh_fn_name(c->fn), c->name);
	/* Converted to JSON, the short form is the long form. */
	assert_json(n, c->json);
	cfh_template_free(t);

	snprintf(buf, sizeof(buf), "{\"Resources\": {\"A\": {\"Type\": \"X\", "
		 "\"Properties\": {\"V\": %s}}}}", c->json);
	t = load(buf);
	n = at(t, "/Resources/A/Properties/V");
	ck_assert_msg(cfh_node_fn(n, &v), "%s not recognised", c->json);
	ck_assert_int_eq(v.fn, c->fn);
	ck_assert_str_eq(v.name, c->name);
	ck_assert(!v.short_form);
	ck_assert_ptr_eq(v.arg, cfh_map_get(n, c->name));
	assert_json(n, c->json);
	cfh_template_free(t);
}
END_TEST

/* Long-form keys in YAML are the long form too. */
START_TEST(test_fn_long_form_yaml)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      V:\n"
				      "        Fn::Select:\n"
				      "          - 0\n"
				      "          - Fn::GetAZs: ''\n");
	struct cfh_fn_view v;
	struct cfh_node *n = at(t, "/Resources/A/Properties/V");

	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SELECT);
	ck_assert(!v.short_form);
	ck_assert_int_eq(cfh_node_deref(v.arg)->kind, CFH_SEQ);
	ck_assert(cfh_node_fn(cfh_seq_at(v.arg, 1), &v));
	ck_assert_int_eq(v.fn, CFH_FN_GETAZS);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fn_not_calls)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      Two: {Ref: X, Other: Y}\n"
				      "      Unknown: {Fn::Nope: X}\n"
				      "      Plain: Ref\n"
				      "      Str: !!str Ref\n"
				      "      List: [Ref, X]\n");
	struct cfh_fn_view v;

	ck_assert(!cfh_node_fn(at(t, "/Resources/A/Properties/Two"), &v));
	ck_assert(!cfh_node_fn(at(t, "/Resources/A/Properties/Unknown"), &v));
	ck_assert(!cfh_node_fn(at(t, "/Resources/A/Properties/Plain"), &v));
	ck_assert(!cfh_node_fn(at(t, "/Resources/A/Properties/Str"), &v));
	ck_assert(!cfh_node_fn(at(t, "/Resources/A/Properties/List"), &v));
	ck_assert_int_eq(v.fn, CFH_FN_NONE);
	ck_assert_ptr_null(cfh_node_ref(at(t, "/Resources/A/Properties/Two")));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fn_unknown_tag)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      E: !Rain::Embed file.txt\n"
				      "      C: !Custom [a]\n");
	struct cfh_fn_view v;
	struct cfh_node *n = at(t, "/Resources/A/Properties/E");

	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_UNKNOWN);
	ck_assert(v.short_form);
	ck_assert_str_eq(v.name, "Rain::Embed");
	/* No long form exists: the tag is kept as the key. */
	assert_json(n, "{\"!Rain::Embed\": \"file.txt\"}");
	n = at(t, "/Resources/A/Properties/C");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_UNKNOWN);
	assert_json(n, "{\"!Custom\": [\"a\"]}");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fn_ref)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      S: !Ref Bucket\n"
				      "      L: {Ref: AWS::Region}\n"
				      "      N: !Sub x\n");

	ck_assert_str_eq(cfh_node_ref(at(t, "/Resources/A/Properties/S")),
			 "Bucket");
	ck_assert_str_eq(cfh_node_ref(at(t, "/Resources/A/Properties/L")),
			 "AWS::Region");
	ck_assert_ptr_null(cfh_node_ref(at(t, "/Resources/A/Properties/N")));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_getatt_forms)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      Dot: !GetAtt Bucket.Arn\n"
				      "      Nested: !GetAtt Db.Endpoint.Address\n"
				      "      List: !GetAtt [Bucket, DomainName]\n"
				      "      Long: {Fn::GetAtt: [Queue, Arn]}\n"
				      "      LongStr: {Fn::GetAtt: Queue.QueueName}\n"
				      "      NoDot: !GetAtt Bucket\n"
				      "      Dyn: !GetAtt [Bucket, !Ref Attr]\n"
				      "      Ref: !Ref Bucket\n");
	const char *res = NULL, *attr = NULL;

	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/Dot"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Bucket");
	ck_assert_str_eq(attr, "Arn");
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/Nested"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Db");
	ck_assert_str_eq(attr, "Endpoint.Address");
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/List"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Bucket");
	ck_assert_str_eq(attr, "DomainName");
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/Long"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Queue");
	ck_assert_str_eq(attr, "Arn");
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/LongStr"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Queue");
	ck_assert_str_eq(attr, "QueueName");
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/NoDot"),
					 &res, &attr), -1);
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/Ref"),
					 &res, &attr), -1);
	assert_json(at(t, "/Resources/A/Properties/Dot"),
		    "{\"Fn::GetAtt\": [\"Bucket\", \"Arn\"]}");
	assert_json(at(t, "/Resources/A/Properties/Nested"),
		    "{\"Fn::GetAtt\": [\"Db\", \"Endpoint.Address\"]}");
	assert_json(at(t, "/Resources/A/Properties/List"),
		    "{\"Fn::GetAtt\": [\"Bucket\", \"DomainName\"]}");
	/* BUG: cfh_node_getatt() takes the text of any scalar as the
	 * attribute, so !GetAtt [Bucket, !Ref Attr] gives ("Bucket",
	 * "Attr") and 0 instead of -1: the attribute is not literal. */
	ck_assert_int_eq(cfh_node_getatt(t, at(t, "/Resources/A/Properties/Dyn"),
					 &res, &attr), -1);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_sub_forms)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      S: !Sub '${AWS::StackName}-x'\n"
				      "      M: !Sub\n"
				      "        - '${Name}-${B}'\n"
				      "        - Name: !Ref P\n"
				      "      L:\n"
				      "        Fn::Sub: ['${X}', {X: y}]\n");
	struct cfh_fn_view v;
	struct cfh_node *n;

	n = at(t, "/Resources/A/Properties/S");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert_int_eq(cfh_node_deref(v.arg)->kind, CFH_SCALAR);
	ck_assert_str_eq(cfh_node_str(v.arg), "${AWS::StackName}-x");
	n = at(t, "/Resources/A/Properties/M");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert_int_eq(cfh_node_deref(v.arg)->kind, CFH_SEQ);
	ck_assert_str_eq(cfh_node_str(cfh_seq_at(v.arg, 0)), "${Name}-${B}");
	ck_assert(cfh_node_is_map(cfh_seq_at(v.arg, 1)));
	assert_json(n, "{\"Fn::Sub\": [\"${Name}-${B}\", "
		       "{\"Name\": {\"Ref\": \"P\"}}]}");
	n = at(t, "/Resources/A/Properties/L");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert(!v.short_form);
	ck_assert_uint_eq(cfh_node_count(v.arg), 2);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_foreach)
{
	struct cfh_template *t = load("Transform: AWS::LanguageExtensions\n"
				      "Resources:\n"
				      "  Fn::ForEach::Topics:\n"
				      "    - Name\n"
				      "    - [a, b]\n"
				      "    - Topic${Name}:\n"
				      "        Type: AWS::SNS::Topic\n");
	struct cfh_fn_view v;
	struct cfh_node *res = cfh_template_section(t, "Resources");

	ck_assert(cfh_node_fn(res, &v));
	ck_assert_int_eq(v.fn, CFH_FN_FOREACH);
	ck_assert_str_eq(v.name, "Fn::ForEach::Topics");
	ck_assert(!v.short_form);
	ck_assert_uint_eq(cfh_node_count(v.arg), 3);
	ck_assert_str_eq(cfh_fn_name(CFH_FN_FOREACH), "Fn::ForEach");
	ck_assert_ptr_null(cfh_fn_name(CFH_FN_NONE));
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
	struct cfh_template *t = load("Resources:\n"
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

	ck_assert_int_eq(at(t, "/Resources/A/Properties/I")->stype, CFH_T_INT);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/R")->stype, CFH_T_REAL);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/B")->stype, CFH_T_BOOL);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/N")->stype, CFH_T_NULL);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/E")->stype, CFH_T_NULL);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/S")->stype, CFH_T_STR);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/Q")->stype, CFH_T_STR);
	ck_assert_int_eq(at(t, "/Resources/A/Properties/D")->stype, CFH_T_STR);
	/* A tag makes a plain scalar a string. */
	ck_assert_int_eq(at(t, "/Resources/A/Properties/T")->stype, CFH_T_STR);
	assert_json(at(t, "/Resources/A/Properties"),
		    "{\"I\": 30, \"R\": 2.5, \"B\": true, \"N\": null, "
		    "\"E\": null, \"S\": \"text\", \"Q\": \"30\", "
		    "\"D\": \"true\", \"T\": {\"Ref\": \"30\"}, "
		    "\"V\": \"2010-09-09\"}");
	cfh_template_free(t);
}
END_TEST

/* Numbers that JSON cannot hold as they are keep their text. */
START_TEST(test_to_json_numbers)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      Octal: 0755\n"
				      "      Big: 123456789012345678901234567890\n"
				      "      Hex: 0x10\n"
				      "      Neg: -12\n"
				      "      Inf: .inf\n");

	assert_json(at(t, "/Resources/A/Properties"),
		    "{\"Octal\": \"0755\", "
		    "\"Big\": \"123456789012345678901234567890\", "
		    "\"Hex\": \"0x10\", \"Neg\": -12, \"Inf\": \".inf\"}");
	cfh_template_free(t);
}
END_TEST

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
	struct cfh_template *t = load_n(r->src, strlen(r->src), &d);

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
	 * BUG: is_blank_text() in src/load.c tests strchr(" \t\r\n", c),
	 * which matches c == '\0' (the terminator), and runs before the NUL
	 * check: NULs and whitespace only read as "empty template". */
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
	struct cfh_template *t = load_n(c->src, strlen(c->src), &d);

	ck_assert_msg(t == NULL, "%s: accepted", c->name);
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	ck_assert_msg(strstr(d.msg, c->msg) != NULL, "%s: message '%s'",
		      c->name, d.msg);
	/* BUG: record_error() in src/load.c adds 1 to libfyaml's line and
	 * column, which are already 1-based: every syntax error is reported
	 * one line down and one column right (past the end of the file for
	 * errors at the end). */
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
		ck_assert_ptr_null(load_n(srcs[i], strlen(srcs[i]), &d));
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

	ck_assert_ptr_null(load_n(src, strlen(src), &d));
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
	ck_assert_ptr_null(load_n(src, strlen(src), &d));
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
	cfh_template_free(load(src));
	free(src);
}
END_TEST

/* Keys of the same text in different mappings are no duplicates. */
START_TEST(test_no_false_duplicates)
{
	struct cfh_template *t = load("Resources:\n"
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
	cfh_template_free(load(src));
	free(src);
	src = nested(CFH_MAX_DEPTH - 2);
	ck_assert_ptr_null(load_n(src, strlen(src), &d));
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
	ck_assert_ptr_null(load_n(src, strlen(src), &d));
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
	ck_assert_ptr_null(load_n(src, strlen(src), &d));
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

/* A few aliases well below the bound are fine, and read as copies. */
START_TEST(test_aliases_expand)
{
	struct cfh_template *t = load("Resources:\n"
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
	struct cfh_node *p = at(t, "/Resources/B/Properties");

	ck_assert_int_eq(p->kind, CFH_ALIAS);
	ck_assert_str_eq(p->text, "p");
	ck_assert_ptr_eq(cfh_node_deref(p), at(t, "/Resources/A/Properties"));
	ck_assert_str_eq(at(t, "/Resources/A/Properties")->anchor, "p");
	ck_assert(at(t, "/Resources/B")->flags & CFH_NF_ALIASED);
	/* cfh_node_at() looks through aliases. */
	ck_assert_str_eq(cfh_node_str(at(t, "/Resources/B/Properties/Tags/0/Key")),
			 "k");
	assert_json(at(t, "/Resources/B"),
		    "{\"Type\": \"X\", \"Properties\": "
		    "{\"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}}");
	assert_json(at(t, "/Resources/C/Properties/Other"),
		    "[{\"Key\": \"k\", \"Value\": \"v\"}]");
	cfh_template_free(t);
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
		t = load_n(bad[i], strlen(bad[i]), &d);
		ck_assert_msg(t == NULL, "bad case %zu loaded", i);
		ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
		ck_assert_ptr_nonnull(strstr(d.msg, "indented more than its"));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cfh_template_free(load(good[i]));
}
END_TEST

START_TEST(test_bom)
{
	struct cfh_template *t = load("\xef\xbb\xbfResources:\n"
				      "  A:\n"
				      "    Type: X\n");
	struct cfh_node *n = at(t, "/Resources/A/Type");

	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_ptr_nonnull(cfh_template_section(t, "Resources"));
	cfh_template_free(t);
	t = load("\xef\xbb\xbf{\"Resources\": {\"A\": {\"Type\": \"X\"}}}");
	ck_assert(cfh_template_is_json(t));
	ck_assert_str_eq(cfh_node_str(at(t, "/Resources/A/Type")), "X");
	cfh_template_free(t);
}
END_TEST

/* A byte-order mark takes no column: line 1 counts like any other. */
START_TEST(test_bom_column)
{
	static const char src[] = "\xef\xbb\xbfResources: {A: 1, A: 2}\n";
	struct cfh_template *t = load("\xef\xbb\xbfResources: {A: {Type: X}}\n");
	struct cfh_diag d;

	ck_assert_int_eq(at(t, "/Resources")->col, 12);
	cfh_template_free(t);
	ck_assert_ptr_null(load_n(src, sizeof(src) - 1, &d));
	/* line_col() in src/load.c skips the BOM, as libfyaml and editors
	 * do: the duplicate is at 1:19, not 1:20. */
	ck_assert_int_eq(d.line, 1);
	ck_assert_int_eq(d.col, 19);
}
END_TEST

START_TEST(test_crlf)
{
	struct cfh_template *t = load("Resources:\r\n"
				      "  A:\r\n"
				      "    Type: X\r\n"
				      "    Properties:\r\n"
				      "      D: |\r\n"
				      "        a\r\n"
				      "        b\r\n"
				      "      E: \"x\r\n"
				      "        y\"\r\n");
	struct cfh_node *n = at(t, "/Resources/A/Type");
	struct cfh_diag d;
	const char *dup = "Resources:\r\n  A: 1\r\n  A: 2\r\n";

	ck_assert_str_eq(t->conv.nl, "\r\n");
	ck_assert_int_eq(n->line, 3);
	ck_assert_int_eq(n->col, 11);
	ck_assert_str_eq(n->text, "X");
	/* Line breaks in scalars are normalised to LF. */
	ck_assert_str_eq(cfh_node_str(at(t, "/Resources/A/Properties/D")),
			 "a\nb\n");
	ck_assert_str_eq(cfh_node_str(at(t, "/Resources/A/Properties/E")),
			 "x y");
	cfh_template_free(t);
	ck_assert_ptr_null(load_n(dup, strlen(dup), &d));
	ck_assert_int_eq(d.line, 3);
	ck_assert_int_eq(d.col, 3);
}
END_TEST

START_TEST(test_to_json_long_form)
{
	struct cfh_template *t = load("Conditions:\n"
				      "  C: !Equals [!Ref Env, prod]\n"
				      "Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      V: !If\n"
				      "        - C\n"
				      "        - !Sub '${AWS::Region}'\n"
				      "        - !Ref AWS::NoValue\n"
				      "      W: !Join\n"
				      "        - ''\n"
				      "        - - !GetAtt B.Arn\n"
				      "          - !Select [0, !GetAZs '']\n");

	assert_json(at(t, "/Conditions/C"),
		    "{\"Fn::Equals\": [{\"Ref\": \"Env\"}, \"prod\"]}");
	assert_json(at(t, "/Resources/A/Properties"),
		    "{\"V\": {\"Fn::If\": [\"C\", "
		    "{\"Fn::Sub\": \"${AWS::Region}\"}, "
		    "{\"Ref\": \"AWS::NoValue\"}]}, "
		    "\"W\": {\"Fn::Join\": [\"\", ["
		    "{\"Fn::GetAtt\": [\"B\", \"Arn\"]}, "
		    "{\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}]]}}");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_pointer_escapes)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Metadata:\n"
				      "      a/b: 1\n"
				      "      m~n: 2\n"
				      "      ~/: [x, y]\n");
	struct cfh_node *n;
	char *p;

	n = cfh_map_get(at(t, "/Resources/A/Metadata"), "a/b");
	ck_assert_ptr_nonnull(n);
	p = cfh_node_pointer(n);
	ck_assert_str_eq(p, "/Resources/A/Metadata/a~1b");
	ck_assert_ptr_eq(cfh_node_at(t, p), n);
	free(p);
	n = cfh_map_get(at(t, "/Resources/A/Metadata"), "m~n");
	p = cfh_node_pointer(n);
	ck_assert_str_eq(p, "/Resources/A/Metadata/m~0n");
	ck_assert_ptr_eq(cfh_node_at(t, p), n);
	free(p);
	n = cfh_seq_at(cfh_map_get(at(t, "/Resources/A/Metadata"), "~/"), 1);
	p = cfh_node_pointer(n);
	ck_assert_str_eq(p, "/Resources/A/Metadata/~0~1/1");
	ck_assert_ptr_eq(cfh_node_at(t, p), n);
	ck_assert_str_eq(cfh_node_str(n), "y");
	free(p);
	/* The root's pointer is the empty string: an empty buffer must
	 * still be a terminated string. */
	p = cfh_node_pointer(t->root);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	free(p);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_node_at)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    DependsOn: [B, C]\n");

	ck_assert_ptr_eq(cfh_node_at(t, ""), t->root);
	ck_assert_str_eq(cfh_node_str(cfh_node_at(t, "/Resources/A/DependsOn/1")),
			 "C");
	ck_assert_ptr_null(cfh_node_at(t, "/Resources/A/DependsOn/2"));
	ck_assert_ptr_null(cfh_node_at(t, "/Resources/A/DependsOn/x"));
	ck_assert_ptr_null(cfh_node_at(t, "/Resources/Nope"));
	ck_assert_ptr_null(cfh_node_at(t, "/Resources/A/Type/deeper"));
	ck_assert_ptr_null(cfh_node_at(t, "Resources"));
	ck_assert_ptr_null(cfh_node_at(t, NULL));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_resource_id)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties: {P: [{Q: 1}]}\n"
				      "Outputs:\n"
				      "  O: {Value: 1}\n");

	ck_assert_str_eq(cfh_node_resource_id(t, at(t, "/Resources/A")), "A");
	ck_assert_str_eq(cfh_node_resource_id(t, at(t, "/Resources/A/Properties/P/0/Q")),
			 "A");
	ck_assert_ptr_null(cfh_node_resource_id(t, at(t, "/Outputs/O")));
	ck_assert_ptr_null(cfh_node_resource_id(t, at(t, "/Resources")));
	ck_assert_ptr_null(cfh_resource_type(at(t, "/Outputs/O")));
	cfh_template_free(t);
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
	ck_assert_ptr_null(load_n(src, len, &d));
	ck_assert_int_eq(d.code, CFH_EXIT_INPUT);
	snprintf(want, sizeof(want),
		 "duplicate key 'Topic000007' (first at line %d)", 2 + 5 * 7);
	ck_assert_str_eq(d.msg, want);
	ck_assert_int_eq(d.line, (int)(2 + 5 * nres));
	ck_assert_int_eq(d.col, 3);
	free(src);

	src = big_template(nres, false, &len);
	t = load_n(src, len, &d);
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
	tcase_add_loop_test(tc, test_fn_both_forms, 0,
			    sizeof(fn_cases) / sizeof(*fn_cases));
	tcase_add_test(tc, test_fn_long_form_yaml);
	tcase_add_test(tc, test_fn_not_calls);
	tcase_add_test(tc, test_fn_unknown_tag);
	tcase_add_test(tc, test_fn_ref);
	tcase_add_test(tc, test_getatt_forms);
	tcase_add_test(tc, test_sub_forms);
	tcase_add_test(tc, test_foreach);
	tcase_add_loop_test(tc, test_plain_types, 0,
			    sizeof(type_cases) / sizeof(*type_cases));
	tcase_add_test(tc, test_scalar_types_loaded);
	tcase_add_test(tc, test_to_json_numbers);
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
	tcase_add_test(tc, test_aliases_expand);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_bom_column);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_to_json_long_form);
	tcase_add_test(tc, test_pointer_escapes);
	tcase_add_test(tc, test_node_at);
	tcase_add_test(tc, test_resource_id);
	suite_add_tcase(s, tc);
	/* Seconds, not milliseconds, under sanitizers. */
	tc = tcase_create("large");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_large_template);
	tcase_add_test(tc, test_value_indent);
	suite_add_tcase(s, tc);
	return s;
}

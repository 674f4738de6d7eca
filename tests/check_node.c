/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the model's queries on a loaded template (src/node.c):
 * intrinsic functions recognised in both spellings, GetAtt and Sub forms,
 * conversion to JSON, JSON Pointers, the resource a node lies in, and the
 * constant-time entry of a node, kept right as edits move entries.
 *
 * Separate from check_load.c, which tests what the loader builds: these
 * tests take a loaded template as given and read it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "model.h"
#include "suites.h"
#include "testlib.h"

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
	t = test_load(buf);
	n = test_at(t, "/Resources/A/Properties/V");
	ck_assert_msg(cfh_node_fn(n, &v), "%s not recognised", c->yaml);
	ck_assert_int_eq(v.fn, c->fn);
	ck_assert_str_eq(v.name, c->name);
	ck_assert(v.short_form);
	ck_assert_ptr_eq(v.arg, n);
	ck_assert_str_eq(cfh_fn_name(c->fn), c->name);
	/* Converted to JSON, the short form is the long form. */
	test_assert_json(n, c->json);
	cfh_template_free(t);

	snprintf(buf, sizeof(buf), "{\"Resources\": {\"A\": {\"Type\": \"X\", "
		 "\"Properties\": {\"V\": %s}}}}", c->json);
	t = test_load(buf);
	n = test_at(t, "/Resources/A/Properties/V");
	ck_assert_msg(cfh_node_fn(n, &v), "%s not recognised", c->json);
	ck_assert_int_eq(v.fn, c->fn);
	ck_assert_str_eq(v.name, c->name);
	ck_assert(!v.short_form);
	ck_assert_ptr_eq(v.arg, cfh_map_get(n, c->name));
	test_assert_json(n, c->json);
	cfh_template_free(t);
}
END_TEST

/* Long-form keys in YAML are the long form too. */
START_TEST(test_fn_long_form_yaml)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      V:\n"
					   "        Fn::Select:\n"
					   "          - 0\n"
					   "          - Fn::GetAZs: ''\n");
	struct cfh_fn_view v;
	struct cfh_node *n = test_at(t, "/Resources/A/Properties/V");

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
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      Two: {Ref: X, Other: Y}\n"
					   "      Unknown: {Fn::Nope: X}\n"
					   "      Plain: Ref\n"
					   "      Str: !!str Ref\n"
					   "      List: [Ref, X]\n");
	struct cfh_fn_view v;

	ck_assert(!cfh_node_fn(test_at(t, "/Resources/A/Properties/Two"), &v));
	ck_assert(!cfh_node_fn(test_at(t, "/Resources/A/Properties/Unknown"),
			       &v));
	ck_assert(!cfh_node_fn(test_at(t, "/Resources/A/Properties/Plain"),
			       &v));
	ck_assert(!cfh_node_fn(test_at(t, "/Resources/A/Properties/Str"), &v));
	ck_assert(!cfh_node_fn(test_at(t, "/Resources/A/Properties/List"), &v));
	ck_assert_int_eq(v.fn, CFH_FN_NONE);
	ck_assert_ptr_null(
		cfh_node_ref(test_at(t, "/Resources/A/Properties/Two")));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fn_unknown_tag)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      E: !Rain::Embed file.txt\n"
					   "      C: !Custom [a]\n");
	struct cfh_fn_view v;
	struct cfh_node *n = test_at(t, "/Resources/A/Properties/E");

	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_UNKNOWN);
	ck_assert(v.short_form);
	ck_assert_str_eq(v.name, "Rain::Embed");
	/* No long form exists: the tag is kept as the key. */
	test_assert_json(n, "{\"!Rain::Embed\": \"file.txt\"}");
	n = test_at(t, "/Resources/A/Properties/C");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_UNKNOWN);
	test_assert_json(n, "{\"!Custom\": [\"a\"]}");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_fn_ref)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      S: !Ref Bucket\n"
					   "      L: {Ref: AWS::Region}\n"
					   "      N: !Sub x\n");

	ck_assert_str_eq(cfh_node_ref(test_at(t, "/Resources/A/Properties/S")),
			 "Bucket");
	ck_assert_str_eq(cfh_node_ref(test_at(t, "/Resources/A/Properties/L")),
			 "AWS::Region");
	ck_assert_ptr_null(
		cfh_node_ref(test_at(t, "/Resources/A/Properties/N")));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_getatt_forms)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
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

	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/Dot"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Bucket");
	ck_assert_str_eq(attr, "Arn");
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/Nested"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Db");
	ck_assert_str_eq(attr, "Endpoint.Address");
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/List"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Bucket");
	ck_assert_str_eq(attr, "DomainName");
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/Long"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Queue");
	ck_assert_str_eq(attr, "Arn");
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/LongStr"),
					 &res, &attr), 0);
	ck_assert_str_eq(res, "Queue");
	ck_assert_str_eq(attr, "QueueName");
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/NoDot"),
					 &res, &attr), -1);
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/Ref"),
					 &res, &attr), -1);
	test_assert_json(test_at(t, "/Resources/A/Properties/Dot"),
			 "{\"Fn::GetAtt\": [\"Bucket\", \"Arn\"]}");
	test_assert_json(test_at(t, "/Resources/A/Properties/Nested"),
			 "{\"Fn::GetAtt\": [\"Db\", \"Endpoint.Address\"]}");
	test_assert_json(test_at(t, "/Resources/A/Properties/List"),
			 "{\"Fn::GetAtt\": [\"Bucket\", \"DomainName\"]}");
	/* BUG: cfh_node_getatt() takes the text of any scalar as the
	 * attribute, so !GetAtt [Bucket, !Ref Attr] gives ("Bucket",
	 * "Attr") and 0 instead of -1: the attribute is not literal. */
	ck_assert_int_eq(cfh_node_getatt(t, test_at(t, "/Resources/A/Properties/Dyn"),
					 &res, &attr), -1);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_sub_forms)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
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

	n = test_at(t, "/Resources/A/Properties/S");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert_int_eq(cfh_node_deref(v.arg)->kind, CFH_SCALAR);
	ck_assert_str_eq(cfh_node_str(v.arg), "${AWS::StackName}-x");
	n = test_at(t, "/Resources/A/Properties/M");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert_int_eq(cfh_node_deref(v.arg)->kind, CFH_SEQ);
	ck_assert_str_eq(cfh_node_str(cfh_seq_at(v.arg, 0)), "${Name}-${B}");
	ck_assert(cfh_node_is_map(cfh_seq_at(v.arg, 1)));
	test_assert_json(n, "{\"Fn::Sub\": [\"${Name}-${B}\", "
		       "{\"Name\": {\"Ref\": \"P\"}}]}");
	n = test_at(t, "/Resources/A/Properties/L");
	ck_assert(cfh_node_fn(n, &v));
	ck_assert_int_eq(v.fn, CFH_FN_SUB);
	ck_assert(!v.short_form);
	ck_assert_uint_eq(cfh_node_count(v.arg), 2);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_foreach)
{
	struct cfh_template *t = test_load(
		"Transform: AWS::LanguageExtensions\n"
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

/* Numbers that JSON cannot hold as they are keep their text. */
START_TEST(test_to_json_numbers)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties:\n"
					   "      Octal: 0755\n"
					   "      Big: 123456789012345678901234567890\n"
					   "      Hex: 0x10\n"
					   "      Neg: -12\n"
					   "      Inf: .inf\n");

	test_assert_json(test_at(t, "/Resources/A/Properties"),
			 "{\"Octal\": \"0755\", "
			 "\"Big\": \"123456789012345678901234567890\", "
			 "\"Hex\": \"0x10\", \"Neg\": -12, \"Inf\": \".inf\"}");
	cfh_template_free(t);
}
END_TEST

START_TEST(test_to_json_long_form)
{
	struct cfh_template *t = test_load(
		"Conditions:\n"
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

	test_assert_json(test_at(t, "/Conditions/C"),
			 "{\"Fn::Equals\": [{\"Ref\": \"Env\"}, \"prod\"]}");
	test_assert_json(test_at(t, "/Resources/A/Properties"),
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
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      a/b: 1\n"
					   "      m~n: 2\n"
					   "      ~/: [x, y]\n");
	struct cfh_node *n;
	char *p;

	n = cfh_map_get(test_at(t, "/Resources/A/Metadata"), "a/b");
	ck_assert_ptr_nonnull(n);
	p = cfh_node_pointer(n);
	ck_assert_str_eq(p, "/Resources/A/Metadata/a~1b");
	ck_assert_ptr_eq(cfh_node_at(t, p), n);
	free(p);
	n = cfh_map_get(test_at(t, "/Resources/A/Metadata"), "m~n");
	p = cfh_node_pointer(n);
	ck_assert_str_eq(p, "/Resources/A/Metadata/m~0n");
	ck_assert_ptr_eq(cfh_node_at(t, p), n);
	free(p);
	n = cfh_seq_at(cfh_map_get(test_at(t, "/Resources/A/Metadata"), "~/"),
		       1);
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
	struct cfh_template *t = test_load("Resources:\n"
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
	struct cfh_template *t = test_load("Resources:\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Properties: {P: [{Q: 1}]}\n"
					   "Outputs:\n"
					   "  O: {Value: 1}\n");

	ck_assert_str_eq(cfh_node_resource_id(t, test_at(t, "/Resources/A")),
			 "A");
	ck_assert_str_eq(cfh_node_resource_id(t, test_at(t, "/Resources/A/Properties/P/0/Q")),
			 "A");
	ck_assert_ptr_null(cfh_node_resource_id(t, test_at(t, "/Outputs/O")));
	ck_assert_ptr_null(cfh_node_resource_id(t, test_at(t, "/Resources")));
	ck_assert_ptr_null(cfh_resource_type(test_at(t, "/Outputs/O")));
	cfh_template_free(t);
}
END_TEST

/* What cfh_node_entry() must answer, by a scan. */
static struct cfh_entry *entry_by_scan(const struct cfh_node *n)
{
	size_t i;

	for (i = 0; n->parent && i < n->parent->n; i++)
		if (n->parent->ent[i].value == n || n->parent->ent[i].orig == n)
			return &n->parent->ent[i];
	return NULL;
}

/* Every value, loaded value and key of @coll finds its own entry. */
static void assert_entries(struct cfh_node *coll)
{
	size_t i;

	for (i = 0; i < coll->n; i++) {
		struct cfh_entry *e = &coll->ent[i];

		ck_assert_ptr_eq(cfh_node_entry(e->value), e);
		if (e->orig)
			ck_assert_ptr_eq(cfh_node_entry(e->orig), e);
		if (e->key)
			ck_assert_ptr_eq(cfh_node_key_entry(coll, e->key), e);
	}
}

static const char many_src[] =
	"Resources:\n"
	"  R0: {Type: X, Properties: {P: 0}}\n"
	"  R1: {Type: X, Properties: {P: 1}}\n"
	"  R2: {Type: X, Properties: {P: 2}}\n"
	"  R3: {Type: X, Properties: {P: 3}}\n"
	"  R4: {Type: X, Properties: {P: 4}}\n"
	"  R5: {Type: X, Properties: {P: 5}}\n";

/* Insertions in the middle, removals and replacements move entries: the
 * entry of every node stays the one a scan finds, and pointers and
 * resource IDs read through it stay right. */
START_TEST(test_entry_after_moves)
{
	struct cfh_template *t = test_load(many_src);
	struct cfh_run *r = cfh_run_new(t, NULL);
	struct cfh_node *res = test_at(t, "/Resources");
	struct cfh_node *old, *n;
	char *ptr;

	/* Loaded entries are numbered on the first lookup, from the end. */
	ck_assert_ptr_eq(cfh_node_entry(test_at(t, "/Resources/R5")),
			 &res->ent[5]);
	assert_entries(res);
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "A", "R1",
						    json_pack("{ss}", "Type", "X"),
						    "r", &n),
			 0);
	ck_assert_ptr_eq(cfh_node_entry(n), entry_by_scan(n));
	ck_assert_str_eq(res->ent[2].key->text, "A");
	ck_assert_ptr_eq(cfh_node_entry(test_at(t, "/Resources/R5")),
			 &res->ent[6]);
	ck_assert_str_eq(cfh_node_resource_id(t, test_at(t, "/Resources/R4/Properties/P")),
			 "R4");
	ptr = cfh_node_pointer(test_at(t, "/Resources/R3/Properties/P"));
	ck_assert_str_eq(ptr, "/Resources/R3/Properties/P");
	free(ptr);
	ck_assert_int_eq(cfh_edit_add_resource_take(r, "B", "R0",
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 0);
	assert_entries(res);
	/* A new entry taken out again: the entries after it move back. */
	ck_assert_int_eq(cfh_edit_remove_node(r, n, "r"), 0);
	ck_assert_ptr_null(cfh_node_entry(n));
	assert_entries(res);
	ck_assert_ptr_eq(cfh_node_entry(test_at(t, "/Resources/R2")),
			 entry_by_scan(test_at(t, "/Resources/R2")));
	/* A replaced value keeps its entry, as the loaded value; a new
	 * value replaced again has none. */
	old = test_at(t, "/Resources/R3/Properties");
	ck_assert_int_eq(cfh_edit_replace_take(r, old, json_pack("{si}", "Q", 1),
					       "r", &n),
			 0);
	ck_assert_ptr_eq(cfh_node_entry(old), cfh_node_entry(n));
	ck_assert_int_eq(cfh_edit_replace_take(r, n, json_pack("{si}", "Q", 2),
					       "r", NULL),
			 0);
	ck_assert_ptr_null(cfh_node_entry(n));
	assert_entries(test_at(t, "/Resources/R3"));
	assert_entries(res);
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* Lookups by key compare the keys' first bytes before their text:
 * keys that share them, and short ones, are still told apart. */
START_TEST(test_map_keys_alike)
{
	struct cfh_template *t = test_load("Resources: {}\n"
					   "M:\n"
					   "  PolicyName: a\n"
					   "  PolicyDocument: b\n"
					   "  Pol: c\n"
					   "  P: d\n"
					   "  '': e\n"
					   "  Policy: f\n");
	struct cfh_node *m = test_at(t, "/M");
	int round;

	/* Twice: once to set the tags, once through them. */
	for (round = 0; round < 2; round++) {
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "PolicyName")), "a");
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "PolicyDocument")),
				 "b");
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "Pol")), "c");
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "P")), "d");
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "")), "e");
		ck_assert_str_eq(cfh_node_str(cfh_map_get(m, "Policy")), "f");
		ck_assert_ptr_null(cfh_map_get(m, "Poli"));
		ck_assert_ptr_null(cfh_map_get(m, "PolicyNames"));
		ck_assert_ptr_null(cfh_map_get(m, "Q"));
	}
	cfh_template_free(t);
}
END_TEST

/* cfh_json_dumps() writes what jansson's json_dumps() writes, byte for
 * byte, for every flag set the reports and outputs use: escapes, empty
 * containers, key order, integers at their limits, text jansson refuses
 * (invalid UTF-8), and reals where it leaves them to jansson. */
START_TEST(test_json_dumps_like_jansson)
{
	static const char bad[] = "a\xC0\x80z", surr[] = "\xED\xA0\x80";
	static const size_t flags[] = {
		JSON_INDENT(2), JSON_INDENT(4), JSON_COMPACT, 0,
		JSON_COMPACT | JSON_ENCODE_ANY, JSON_ENCODE_ANY,
		JSON_INDENT(2) | JSON_PRESERVE_ORDER, JSON_SORT_KEYS,
	};
	json_t *v[8];
	size_t i, k;

	v[0] = json_pack("{s:s, s:[], s:{}, s:[i, I, I, b, n], s:{s:[s]}}",
			 "z\"q\\/\b\f\n\r\t\x01\x1f\x7f", "é€😀 x", "e", "o",
			 "n", -1, (json_int_t)INT64_MIN, (json_int_t)INT64_MAX,
			 1, "a", "b", "</script>");
	v[1] = json_pack("[s, {s:s}]", "", "", "");
	v[2] = json_object();
	json_object_set_new(v[2], "k", json_stringn_nocheck(bad, 4));
	/* A marker byte keeps jansson's digits for reals: the fallback. */
	v[3] = json_pack("{s:f, s:[f, i], s:s}", "r", 1.5, "l", 1e300, 3, "m",
			 "\x01");
	v[4] = json_string("scalar");
	v[5] = json_integer(-42);
	v[6] = json_array();
	json_array_append_new(v[6], json_stringn_nocheck(surr, 3));
	v[7] = json_pack("{s:[[[{}]]], s:s}", "deep", "b", "\xF4\x8F\xBF\xBF");
	for (i = 0; i < 8; i++) {
		ck_assert_ptr_nonnull(v[i]);
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			char *want = json_dumps(v[i], flags[k]);
			char *got = cfh_json_dumps(v[i], flags[k]);

			if (want)
				ck_assert_str_eq(got, want);
			else
				ck_assert_ptr_null(got);
			free(want);
			free(got);
		}
		json_decref(v[i]);
	}
}
END_TEST

Suite *node_suite(void)
{
	Suite *s = suite_create("node");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_fn_both_forms, 0,
			    sizeof(fn_cases) / sizeof(*fn_cases));
	tcase_add_test(tc, test_fn_long_form_yaml);
	tcase_add_test(tc, test_fn_not_calls);
	tcase_add_test(tc, test_fn_unknown_tag);
	tcase_add_test(tc, test_fn_ref);
	tcase_add_test(tc, test_getatt_forms);
	tcase_add_test(tc, test_sub_forms);
	tcase_add_test(tc, test_foreach);
	tcase_add_test(tc, test_to_json_numbers);
	tcase_add_test(tc, test_to_json_long_form);
	tcase_add_test(tc, test_pointer_escapes);
	tcase_add_test(tc, test_node_at);
	tcase_add_test(tc, test_resource_id);
	tcase_add_test(tc, test_entry_after_moves);
	tcase_add_test(tc, test_map_keys_alike);
	tcase_add_test(tc, test_json_dumps_like_jansson);
	suite_add_tcase(s, tc);
	return s;
}

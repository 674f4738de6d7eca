/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the edit API (src/edit.c): change records and their
 * positions, replacement of deployed resources, --no-replace, advisories,
 * refused edits, insertion order and new sections.
 *
 * Separate from check_reprint.c, which tests what the reprinter makes of
 * edits; this file also keeps the fixture both use (check_edit.h): the
 * per-template run registry that every edit records into.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_edit.h"
#include "edit.h"
#include "replace.h"
#include "report.h"
#include "suites.h"

static struct cfh_template *load_n(const char *src, size_t len)
{
	struct cfh_diag d;
	struct cfh_template *t = cfh_template_load(src, len, "test", &d);

	ck_assert_msg(t != NULL, "load failed: %d:%d: %s", d.line, d.col,
		      d.msg);
	return t;
}

struct cfh_template *load(const char *src)
{
	return load_n(src, strlen(src));
}

/*
 * The edit API records into a run; each template of a test gets one, made
 * on first use and freed with the template by drop(). The run is a new
 * stack's, where every edit asked for is made; no_replace() and deployed()
 * switch a template's run to the modes that decline replacements.
 */
static struct {
	struct cfh_template *t;
	struct cfh_run *r;
	struct cfh_opts *o;
} runs[8];

struct cfh_run *run(struct cfh_template *t)
{
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(runs); i++)
		if (runs[i].t == t)
			return runs[i].r;
	for (i = 0; i < CFH_ARRAY_SIZE(runs); i++)
		if (!runs[i].t) {
			static const char *const ns[] = { "general.mode=new-stack" };
			struct cfh_run_opts ro = { .settings = ns, .nsettings = 1 };
			struct cfh_diag d;

			runs[i].t = t;
			runs[i].o = cfh_opts_new(&ro, &d);
			ck_assert_ptr_nonnull(runs[i].o);
			runs[i].r = cfh_run_new(t, runs[i].o);
			ck_assert_ptr_nonnull(runs[i].r);
			return runs[i].r;
		}
	ck_abort_msg("too many templates in one test");
	return NULL;
}

/* Run @t's edits with the options @ro. */
static void run_with(struct cfh_template *t, const struct cfh_run_opts *ro)
{
	struct cfh_diag d;
	struct cfh_run *r = run(t);
	size_t i;

	for (i = 0; runs[i].t != t; i++)
		;
	cfh_opts_free(runs[i].o);
	runs[i].o = cfh_opts_new(ro, &d);
	ck_assert_ptr_nonnull(runs[i].o);
	r->opts = runs[i].o;
}

/* Run @t's edits as under --no-replace, in a new stack. */
static void no_replace(struct cfh_template *t)
{
	static const char *const ns[] = { "general.mode=new-stack" };
	struct cfh_run_opts ro = { .no_replace = true, .settings = ns,
				   .nsettings = 1 };

	run_with(t, &ro);
}

/* Run @t's edits as by default: a deployed stack. */
static void deployed(struct cfh_template *t)
{
	struct cfh_run_opts ro = { 0 };

	run_with(t, &ro);
}

void drop(struct cfh_template *t)
{
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(runs); i++)
		if (runs[i].t == t) {
			cfh_run_free(runs[i].r);
			cfh_opts_free(runs[i].o);
			memset(&runs[i], 0, sizeof(runs[i]));
		}
	cfh_template_free(t);
}

struct cfh_node *at(const struct cfh_template *t, const char *ptr)
{
	struct cfh_node *n = cfh_node_at(t, ptr);

	ck_assert_msg(n != NULL, "no node at '%s'", ptr);
	return n;
}

char *print(struct cfh_template *t, size_t *lenp)
{
	char *s = cfh_template_print(t, lenp);

	ck_assert_ptr_nonnull(s);
	return s;
}

static void assert_json_eq(const json_t *got, const char *want)
{
	json_error_t err;
	json_t *w = json_loads(want, JSON_DECODE_ANY, &err);
	char *g;

	ck_assert_msg(w != NULL, "bad expectation '%s': %s", want, err.text);
	ck_assert_ptr_nonnull(got);
	g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
	ck_assert_msg(json_equal(got, w), "got %s, want %s", g, want);
	free(g);
	json_decref(w);
}

const char yaml_src[] =
	"# Three resources; only the bucket is edited.\n"
	"AWSTemplateFormatVersion: '2010-09-09'\n"
	"Resources:\n"
	"  Topic:\n"
	"    Type: AWS::SNS::Topic   # alerts\n"
	"    Properties:\n"
	"      DisplayName: \"alerts\"\n"
	"\n"
	"  Bucket:\n"
	"    Type: AWS::S3::Bucket\n"
	"    Properties:\n"
	"      AccessControl: Private   # legacy\n"
	"      Tags:\n"
	"        - Key: team\n"
	"          Value: media\n"
	"\n"
	"  Queue:\n"
	"    Type: AWS::SQS::Queue\n"
	"    Properties: {DelaySeconds: 5}\n"
	"Outputs:\n"
	"  TopicArn:\n"
	"    Value: !Ref Topic\n";

START_TEST(test_records)
{
	struct cfh_template *t = load(yaml_src);
	const struct cfh_change *c;
	struct cfh_node *props = at(t, "/Resources/Bucket/Properties");
	int replace_line, replace_col;

	ck_assert_uint_eq(cfh_run_change_count(run(t)), 0);
	ck_assert_ptr_null(cfh_run_change_at(run(t), 0));
	ck_assert_int_eq(cfh_edit_set_take(run(t), props, "VersioningConfiguration",
					   json_pack("{ss}", "Status", "Enabled"),
					   "keep versions", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Bucket/"
						      "Properties/Tags/0/Value"),
					       json_string("web"), "rename",
					       NULL),
			 0);
	ck_assert_int_eq(cfh_edit_remove(run(t), props, "AccessControl", "legacy"),
			 0);
	ck_assert_int_eq(cfh_edit_append_take(run(t), at(t, "/Resources/Bucket/"
						     "Properties/Tags"),
					      json_pack("{ssss}", "Key", "env",
							"Value", "prod"),
					      "tag", NULL),
			 0);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 4);

	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_ADD);
	ck_assert_str_eq(c->pass, "core");
	ck_assert_int_eq(c->severity, CFH_SEV_LOW);
	ck_assert_str_eq(c->path,
			 "/Resources/Bucket/Properties/VersioningConfiguration");
	ck_assert_str_eq(c->resource, "Bucket");
	ck_assert_ptr_null(c->old_value);
	assert_json_eq(c->new_value, "{\"Status\": \"Enabled\"}");
	ck_assert_str_eq(c->reason, "keep versions");
	ck_assert(!c->replaces);
	/* The nearest original node: the Properties mapping. */
	ck_assert_int_eq(c->line, 12);
	ck_assert_int_eq(c->col, 7);

	c = cfh_run_change_at(run(t), 1);
	ck_assert_int_eq(c->op, CFH_OP_REPLACE);
	ck_assert_str_eq(c->pass, "core");
	ck_assert_str_eq(c->path, "/Resources/Bucket/Properties/Tags/0/Value");
	assert_json_eq(c->old_value, "\"media\"");
	assert_json_eq(c->new_value, "\"web\"");
	ck_assert_str_eq(c->reason, "rename");
	replace_line = c->line;
	replace_col = c->col;

	c = cfh_run_change_at(run(t), 2);
	ck_assert_int_eq(c->op, CFH_OP_REMOVE);
	ck_assert_str_eq(c->path, "/Resources/Bucket/Properties/AccessControl");
	assert_json_eq(c->old_value, "\"Private\"");
	ck_assert_ptr_null(c->new_value);
	ck_assert_str_eq(c->resource, "Bucket");

	c = cfh_run_change_at(run(t), 3);
	ck_assert_int_eq(c->op, CFH_OP_ADD);
	/* The removed entry no longer counts: the new item is the second. */
	ck_assert_str_eq(c->path, "/Resources/Bucket/Properties/Tags/1");
	assert_json_eq(c->new_value, "{\"Key\": \"env\", \"Value\": \"prod\"}");
	/* The nearest original node: the sequence, at its first dash. */
	ck_assert_int_eq(c->line, 14);
	ck_assert_int_eq(c->col, 9);
	/* BUG: position_of() in src/edit.c starts from the new node, so a
	 * replacement is reported at its parent mapping (line 14, the
	 * "Key: team" line) instead of at the value it replaced (line 15,
	 * column 18). */
	ck_assert_int_eq(replace_line, 15);
	ck_assert_int_eq(replace_col, 18);
	drop(t);
}
END_TEST

/* The removed node's own position, as for a replacement. */
START_TEST(test_record_line_remove)
{
	struct cfh_template *t = load(yaml_src);
	const struct cfh_change *c;

	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/Bucket/Properties"),
					 "Tags", "r"),
			 0);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_ptr_nonnull(c);
	assert_json_eq(c->old_value, "[{\"Key\": \"team\", \"Value\": \"media\"}]");
	/* BUG: reported at the Properties mapping (line 12), not at the
	 * removed Tags (line 13 for the key, 14 for the value). */
	ck_assert_int_ge(c->line, 13);
	ck_assert_int_le(c->line, 14);
	drop(t);
}
END_TEST

static const char create_only_src[] = "Resources:\n"
				       "  Bucket:\n"
				       "    Type: AWS::S3::Bucket\n"
				       "    Properties:\n"
				       "      Tags: []\n"
				       "  Table:\n"
				       "    Type: AWS::DynamoDB::Table\n"
				       "    Properties:\n"
				       "      TableName: orders\n"
				       "      BillingMode: PROVISIONED\n";

/* Changing a createOnly property replaces the deployed resource. */
START_TEST(test_replaces_create_only)
{
	struct cfh_template *t = load(create_only_src);
	const struct cfh_change *c;

	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Table/"
						      "Properties/TableName"),
					       json_string("orders2"), "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Table/"
						      "Properties/BillingMode"),
					       json_string("PAY_PER_REQUEST"),
					       "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "VersioningConfiguration",
					   json_pack("{ss}", "Status", "Enabled"),
					   "r", NULL),
			 0);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 3);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_REPLACE);
	ck_assert_str_eq(c->path, "/Resources/Table/Properties/TableName");
	ck_assert(c->replaces);
	ck_assert(!cfh_run_change_at(run(t), 1)->replaces);
	ck_assert(!cfh_run_change_at(run(t), 2)->replaces);
	ck_assert(cfh_prop_replaces(at(t, "/Resources/Table"), "TableName"));
	ck_assert(!cfh_prop_replaces(at(t, "/Resources/Table"), "BillingMode"));
	ck_assert(cfh_prop_replaces(at(t, "/Resources/Bucket"), "BucketName"));
	ck_assert(!cfh_prop_replaces(at(t, "/Resources/Bucket"), "Tags"));
	drop(t);
}
END_TEST

/* Setting BucketName on a deployed bucket that has none renames it, which
 * replaces it just as changing it would. */
START_TEST(test_replaces_add_create_only)
{
	struct cfh_template *t = load(create_only_src);
	const struct cfh_change *c;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "BucketName", json_string("b"), "r",
					   NULL),
			 0);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->op, CFH_OP_ADD);
	ck_assert_str_eq(c->path, "/Resources/Bucket/Properties/BucketName");
	/* A key added directly under Properties is a property path of
	 * its own: "BucketName", not "". */
	ck_assert(c->replaces);
	drop(t);
}
END_TEST

static const char cascade_src[] =
	"Resources:\n"
	"  Subnets:\n"
	"    Type: AWS::RDS::DBSubnetGroup\n"
	"    Properties:\n"
	"      DBSubnetGroupName: db\n"
	"  Cluster:\n"
	"    Type: AWS::RDS::DBCluster\n"
	"    Properties:\n"
	"      Engine: aurora-postgresql\n"
	"      DBSubnetGroupName: !Ref Subnets\n"
	"  Instance:\n"
	"    Type: AWS::RDS::DBInstance\n"
	"    Properties:\n"
	"      DBClusterIdentifier: !Ref Cluster\n"
	"      DBInstanceClass: db.r6g.large\n"
	"      Engine: aurora-postgresql\n";

/* A replaced resource replaces what names it in a createOnly property,
 * transitively: the record says so, with each chain. */
START_TEST(test_replacement_cascade)
{
	struct cfh_template *t = load(cascade_src);
	const struct cfh_change *c;
	char *d;

	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Subnets/"
						      "Properties/DBSubnetGroupName"),
					       json_string("db-prod"), "r", NULL),
			 0);
	c = cfh_run_change_at(run(t), 0);
	ck_assert(c->replaces);
	ck_assert_uint_eq(json_array_size(c->replaced), 3);
	d = cfh_replace_describe(json_array_get(c->replaced, 2));
	ck_assert_str_eq(d, "Instance (its DBClusterIdentifier names Cluster, "
			    "whose DBSubnetGroupName names Subnets)");
	free(d);
	drop(t);
}
END_TEST

/* By default (a deployed stack) the edit is declined, and the advisory
 * names everything it would have replaced. */
START_TEST(test_deployed_declines_cascade)
{
	struct cfh_template *t = load(cascade_src);
	const struct cfh_change *c;
	char *s;

	deployed(t);
	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Subnets/"
						      "Properties/DBSubnetGroupName"),
					       json_string("db-prod"), "r", NULL),
			 0);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_ADVISORY);
	ck_assert_ptr_nonnull(strstr(c->reason, "(deployed stack)"));
	ck_assert_ptr_nonnull(strstr(c->reason, "and with it Cluster (its "
						"DBSubnetGroupName names Subnets); "
						"Instance"));
	s = print(t, NULL);
	ck_assert_str_eq(s, cascade_src);
	free(s);
	drop(t);
}
END_TEST

/* Under --no-replace the same edit is only advised. */
START_TEST(test_no_replace_add_create_only)
{
	struct cfh_template *t = load(create_only_src);
	char *s;

	no_replace(t);
	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "BucketName", json_string("b"), "r",
					   NULL),
			 0);
	ck_assert_int_eq(cfh_run_change_at(run(t), 0)->op, CFH_OP_ADVISORY);
	s = print(t, NULL);
	ck_assert_str_eq(s, create_only_src);
	free(s);
	drop(t);
}
END_TEST

/* A resource a pass just added is not deployed: nothing to replace. */
START_TEST(test_replaces_new_resource)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: AWS::SNS::Topic\n");
	struct cfh_node *res = NULL;

	ck_assert_int_eq(cfh_edit_add_resource_take(run(t), "Logs", NULL,
						    json_pack("{ss}", "Type",
							      "AWS::S3::Bucket"),
						    "r", &res),
			 0);
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(cfh_edit_set_take(run(t), res, "Properties",
					   json_pack("{ss}", "BucketName", "x"),
					   "r", NULL),
			 0);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 2);
	ck_assert(!cfh_run_change_at(run(t), 0)->replaces);
	ck_assert(!cfh_run_change_at(run(t), 1)->replaces);
	ck_assert_str_eq(cfh_run_change_at(run(t), 0)->path, "/Resources/Logs");
	/* An existing ID is never overwritten. */
	ck_assert_int_eq(cfh_edit_add_resource_take(run(t), "A", NULL,
						    json_pack("{ss}", "Type", "X"),
						    "r", NULL),
			 -1);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 2);
	drop(t);
}
END_TEST

START_TEST(test_no_replace)
{
	static const char src[] = "Resources:\n"
				  "  Bucket:\n"
				  "    Type: AWS::S3::Bucket\n"
				  "    Properties:\n"
				  "      BucketName: old   # deployed\n";
	struct cfh_template *t = load(src);
	struct cfh_node *out = (struct cfh_node *)1;
	const struct cfh_change *c;
	size_t len;
	char *s;

	no_replace(t);
	ck_assert_int_eq(cfh_edit_replace_take(run(t), at(t, "/Resources/Bucket/"
						      "Properties/BucketName"),
					       json_string("new"), "rename it",
					       &out),
			 0);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 1);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_ADVISORY);
	ck_assert_ptr_null(c->old_value);
	ck_assert_ptr_null(c->new_value);
	ck_assert_str_eq(c->path, "/Resources/Bucket/Properties/BucketName");
	ck_assert_ptr_nonnull(strstr(c->reason, "--no-replace"));
	ck_assert_ptr_nonnull(strstr(c->reason, "rename it"));
	ck_assert_str_eq(c->resource, "Bucket");
	ck_assert_int_eq(c->line, 5);
	s = print(t, &len);
	ck_assert_uint_eq(len, strlen(src));
	ck_assert_str_eq(s, src);
	free(s);
	/* Removing it would replace too. */
	ck_assert_int_eq(cfh_edit_remove(run(t), at(t, "/Resources/Bucket/Properties"),
					 "BucketName", "r"),
			 0);
	ck_assert_int_eq(cfh_run_change_at(run(t), 1)->op, CFH_OP_ADVISORY);
	/* A change that replaces nothing is still made. */
	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/Bucket/Properties"),
					   "VersioningConfiguration",
					   json_pack("{ss}", "Status", "Enabled"),
					   "r", &out),
			 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(cfh_run_change_at(run(t), 2)->op, CFH_OP_ADD);
	s = print(t, NULL);
	ck_assert_ptr_nonnull(strstr(s, "BucketName: old   # deployed\n"));
	ck_assert_ptr_nonnull(strstr(s, "VersioningConfiguration:"));
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_advise)
{
	static const char src[] = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n";
	struct cfh_template *t = load(src);
	const struct cfh_change *c;
	char *s;

	ck_assert_int_eq(cfh_advise(run(t), at(t, "/Resources/A"), "look at this"), 0);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_ADVISORY);
	ck_assert_str_eq(c->path, "/Resources/A");
	ck_assert_str_eq(c->resource, "A");
	ck_assert_str_eq(c->reason, "look at this");
	ck_assert_int_eq(c->line, 3);
	s = print(t, NULL);
	ck_assert_str_eq(s, src);
	free(s);
	drop(t);
}
END_TEST

/* A key or an item to add where the template has a scalar or an
 * intrinsic function instead of the mapping or list the pass expected:
 * not made, and said as an advisory (it used to fail the whole run). */
START_TEST(test_edit_wrong_shape)
{
	static const char src[] =
		"Resources:\n  A:\n    Type: X\n    DependsOn: [B]\n"
		"    Properties:\n      E: !If [C, {K: 1}, {K: 2}]\n"
		"      L: !If [C, [1], [2]]\n"
		"      F: {\"Fn::If\": [C, {K: 1}, {K: 2}]}\n";
	struct cfh_template *t = load(src);
	struct cfh_node *out = (void *)1;
	size_t i;
	char *s;

	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/A/Type"),
					   "K", json_string("v"), "r", &out),
			 0);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(cfh_edit_append_take(run(t), at(t, "/Resources/A"),
					      json_string("v"), "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_set_take(run(t),
					   at(t, "/Resources/A/Properties/E"),
					   "K", json_string("v"), "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_append_take(run(t),
					      at(t, "/Resources/A/Properties/L"),
					      json_string("v"), "r", NULL),
			 0);
	ck_assert_int_eq(cfh_edit_set_take(run(t),
					   at(t, "/Resources/A/Properties/F"),
					   "K", json_string("v"), "r", NULL),
			 0);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 5);
	for (i = 0; i < 5; i++) {
		const struct cfh_change *c = cfh_run_change_at(run(t), i);

		ck_assert_int_eq(c->op, CFH_OP_ADVISORY);
		ck_assert_ptr_nonnull(strstr(c->reason, "intrinsic function"));
	}
	s = print(t, NULL);
	ck_assert_str_eq(s, src);
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_edit_errors)
{
	struct cfh_template *t = load("Resources:\n  A:\n    Type: X\n"
				      "    DependsOn: [B]\n");

	/* No node, the root: refused, nothing recorded (and the values
	 * are freed). */
	ck_assert_int_eq(cfh_edit_set_take(run(t), NULL, "K", json_string("v"), "r",
					   NULL),
			 -1);
	ck_assert_int_eq(cfh_edit_replace_take(run(t), t->root, json_string("v"),
					       "r", NULL),
			 -1);
	ck_assert_int_eq(cfh_edit_remove_node(run(t), t->root, "r"), -1);
	ck_assert_int_eq(cfh_edit_set_take(run(t), at(t, "/Resources/A"), "K", NULL,
					   "r", NULL),
			 -1);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 0);
	drop(t);
}
END_TEST

START_TEST(test_insert_after)
{
	struct cfh_template *t = load("Resources:\n"
				      "  A:\n"
				      "    Type: X\n"
				      "    Properties:\n"
				      "      P1: 1\n"
				      "      P3: 3\n");
	char *s;

	ck_assert_int_eq(cfh_edit_insert_take(run(t), at(t, "/Resources/A/Properties"),
					      "P1", "P2", json_integer(2), "r",
					      NULL),
			 0);
	s = print(t, NULL);
	ck_assert_str_eq(s, "Resources:\n"
			    "  A:\n"
			    "    Type: X\n"
			    "    Properties:\n"
			    "      P1: 1\n"
			    "      P2: 2\n"
			    "      P3: 3\n");
	free(s);
	drop(t);
}
END_TEST

START_TEST(test_section_outputs)
{
	struct cfh_template *t = load("AWSTemplateFormatVersion: '2010-09-09'\n"
				      "Parameters:\n"
				      "  Env: {Type: String}\n"
				      "Resources:\n"
				      "  Topic:\n"
				      "    Type: AWS::SNS::Topic\n"
				      "# end of resources\n");
	struct cfh_node *outs = cfh_edit_section(run(t), "Outputs");
	const struct cfh_change *c;
	char *s;

	ck_assert_ptr_nonnull(outs);
	ck_assert_ptr_eq(cfh_template_section(t, "Outputs"), outs);
	/* Asking again gives the same section, and records nothing. */
	ck_assert_ptr_eq(cfh_edit_section(run(t), "Outputs"), outs);
	ck_assert_uint_eq(cfh_run_change_count(run(t)), 1);
	c = cfh_run_change_at(run(t), 0);
	ck_assert_int_eq(c->op, CFH_OP_ADD);
	ck_assert_str_eq(c->path, "/Outputs");
	ck_assert_ptr_null(c->resource);
	ck_assert_int_eq(cfh_edit_set_take(run(t), outs, "TopicArn",
					   json_pack("{s{ss}}", "Value", "Ref",
						     "Topic"),
					   "r", NULL),
			 0);
	s = print(t, NULL);
	ck_assert_str_eq(s, "AWSTemplateFormatVersion: '2010-09-09'\n"
			    "Parameters:\n"
			    "  Env: {Type: String}\n"
			    "Resources:\n"
			    "  Topic:\n"
			    "    Type: AWS::SNS::Topic\n"
			    "Outputs:\n"
			    "  TopicArn:\n"
			    "    Value: !Ref Topic\n"
			    "# end of resources\n");
	ck_assert_str_eq(cfh_run_change_at(run(t), 1)->path, "/Outputs/TopicArn");
	free(s);
	drop(t);
}
END_TEST

/* A section goes in CloudFormation's customary order: Conditions before
 * Resources, after Parameters. */
START_TEST(test_section_order)
{
	struct cfh_template *t = load("Parameters:\n"
				      "  Env: {Type: String}\n"
				      "Resources:\n"
				      "  Topic: {Type: AWS::SNS::Topic}\n"
				      "Outputs:\n"
				      "  O: {Value: x}\n");
	struct cfh_node *conds = cfh_edit_section(run(t), "Conditions");
	const struct cfh_entry *e;
	const char *order[4];
	size_t i = 0;

	ck_assert_ptr_nonnull(conds);
	cfh_for_each_entry(t->root, e) {
		ck_assert_uint_lt(i, 4);
		order[i++] = e->key->text;
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_str_eq(order[0], "Parameters");
	ck_assert_str_eq(order[1], "Conditions");
	ck_assert_str_eq(order[2], "Resources");
	ck_assert_str_eq(order[3], "Outputs");
	drop(t);
}
END_TEST

START_TEST(test_section_json)
{
	static const char src[] = "{\n"
				  "  \"Resources\": {\n"
				  "    \"Topic\": {\"Type\": \"AWS::SNS::Topic\"}\n"
				  "  }\n"
				  "}\n";
	struct cfh_template *t = load(src);
	struct cfh_node *outs = cfh_edit_section(run(t), "Outputs");
	json_t *j;
	char *s;

	ck_assert_ptr_nonnull(outs);
	ck_assert_int_eq(cfh_edit_set_take(run(t), outs, "Arn",
					   json_pack("{s{ss}}", "Value", "Ref",
						     "Topic"),
					   "r", NULL),
			 0);
	s = print(t, NULL);
	j = json_loads(s, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON:\n%s", s);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
				 json_object_get(json_object_get(j, "Outputs"),
						 "Arn"),
				 "Value"), "Ref")),
			 "Topic");
	/* Outputs comes after Resources in the text. */
	ck_assert_ptr_nonnull(strstr(s, "\"Resources\""));
	ck_assert_ptr_nonnull(strstr(s, "\"Outputs\""));
	ck_assert(strstr(s, "\"Resources\"") < strstr(s, "\"Outputs\""));
	json_decref(j);
	free(s);
	drop(t);
}
END_TEST

Suite *edit_suite(void)
{
	Suite *s = suite_create("edit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_record_line_remove);
	tcase_add_test(tc, test_replaces_create_only);
	tcase_add_test(tc, test_replaces_add_create_only);
	tcase_add_test(tc, test_no_replace_add_create_only);
	tcase_add_test(tc, test_replacement_cascade);
	tcase_add_test(tc, test_deployed_declines_cascade);
	tcase_add_test(tc, test_replaces_new_resource);
	tcase_add_test(tc, test_no_replace);
	tcase_add_test(tc, test_advise);
	tcase_add_test(tc, test_edit_wrong_shape);
	tcase_add_test(tc, test_edit_errors);
	tcase_add_test(tc, test_insert_after);
	tcase_add_test(tc, test_section_outputs);
	tcase_add_test(tc, test_section_order);
	tcase_add_test(tc, test_section_json);
	suite_add_tcase(s, tc);
	return s;
}

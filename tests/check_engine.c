/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the pass engine (src/engine.c): suppressions of other
 * tools written in Metadata, selection of passes with only/skip, the
 * registry's accessors and severity names.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "options.h"
#include "suites.h"
#include "testlib.h"

/* The Metadata of resource A. */
static const struct cfh_node *meta(const struct cfh_template *t)
{
	const struct cfh_node *m = cfh_node_at(t, "/Resources/A/Metadata");

	ck_assert_ptr_nonnull(m);
	return m;
}

/* One suppression shape per tool, as src/engine.c documents them. */
struct supp_case {
	const char *name;
	const char *metadata;	/* YAML under "Metadata:", indented 6 */
	const char *yes[6];	/* checks it suppresses, NULL-terminated */
	const char *no[6];	/* checks it does not */
};

static const struct supp_case supp_cases[] = {
	{ "cfn-lint",
	  "      cfn-lint:\n"
	  "        config:\n"
	  "          ignore_checks: [W3005, E3012]\n",
	  { "cfn-lint:W3005", "cfn-lint:E3012", NULL },
	  { "cfn-lint:W3006", "checkov:W3005", "cfn-lint:W300", NULL } },
	{ "cfn-lint scalar",
	  "      cfn-lint:\n"
	  "        config:\n"
	  "          ignore_checks: W3005\n",
	  { "cfn-lint:W3005", NULL },
	  { "cfn-lint:E3012", NULL } },
	{ "checkov",
	  "      checkov:\n"
	  "        skip:\n"
	  "          - id: CKV_AWS_18\n"
	  "            comment: access logs go elsewhere\n"
	  "          - id: CKV_AWS_21\n",
	  { "checkov:CKV_AWS_18", "checkov:CKV_AWS_21", NULL },
	  { "checkov:CKV_AWS_19", "cfn_nag:CKV_AWS_18", "checkov:comment",
	    NULL } },
	{ "cfn_nag",
	  "      cfn_nag:\n"
	  "        rules_to_suppress:\n"
	  "          - id: W51\n"
	  "            reason: bucket policy elsewhere\n"
	  "          - {id: W35, reason: no logging}\n",
	  { "cfn_nag:W51", "cfn_nag:W35", NULL },
	  { "cfn_nag:W41", "cdk_nag:W51", "cfn_nag:bucket policy elsewhere",
	    NULL } },
	{ "guard",
	  "      guard:\n"
	  "        SuppressedRules:\n"
	  "          - S3_BUCKET_LOGGING_ENABLED\n"
	  "          - S3_BUCKET_VERSIONING_ENABLED\n",
	  { "guard:S3_BUCKET_LOGGING_ENABLED",
	    "guard:S3_BUCKET_VERSIONING_ENABLED", NULL },
	  { "guard:S3_BUCKET_SSL_REQUESTS_ONLY",
	    "cfn-lint:S3_BUCKET_LOGGING_ENABLED", NULL } },
	{ "cdk_nag",
	  "      cdk_nag:\n"
	  "        rules_to_suppress:\n"
	  "          - id: AwsSolutions-S1\n"
	  "            reason: server access logs not needed\n"
	  "          - id: AwsSolutions-S10\n"
	  "            reason: x\n",
	  { "cdk_nag:AwsSolutions-S1", "cdk_nag:AwsSolutions-S10", NULL },
	  { "cdk_nag:AwsSolutions-S2", "cfn_nag:AwsSolutions-S1",
	    "cdk_nag:AwsSolutions-S", NULL } },
	{ "all tools at once, long form in JSON style",
	  "      {\"cfn-lint\": {\"config\": {\"ignore_checks\": [\"I1\"]}},\n"
	  "       \"checkov\": {\"skip\": [{\"id\": \"C1\"}]},\n"
	  "       \"cfn_nag\": {\"rules_to_suppress\": [{\"id\": \"N1\"}]},\n"
	  "       \"guard\": {\"SuppressedRules\": [\"G1\"]},\n"
	  "       \"cdk_nag\": {\"rules_to_suppress\": [{\"id\": \"K1\"}]}}\n",
	  { "cfn-lint:I1", "checkov:C1", "cfn_nag:N1", "guard:G1", "cdk_nag:K1",
	    NULL },
	  { "guard:K1", "cdk_nag:G1", "checkov:I1", NULL } },
};

START_TEST(test_meta_suppresses)
{
	const struct supp_case *c = &supp_cases[_i];
	char src[2048];
	struct cfh_template *t;
	size_t i;

	snprintf(src, sizeof(src), "Resources:\n  A:\n    Type: X\n"
		 "    Metadata:\n%s", c->metadata);
	t = test_load(src);
	for (i = 0; c->yes[i]; i++)
		ck_assert_msg(cfh_meta_suppresses(meta(t), c->yes[i]),
			      "%s: '%s' not suppressed", c->name, c->yes[i]);
	for (i = 0; c->no[i]; i++)
		ck_assert_msg(!cfh_meta_suppresses(meta(t), c->no[i]),
			      "%s: '%s' suppressed", c->name, c->no[i]);
	cfh_template_free(t);
}
END_TEST

/* Shapes that name nothing, and malformed check names. */
START_TEST(test_meta_negative)
{
	struct cfh_template *t = test_load(
		"Resources:\n  A:\n    Type: X\n"
		"    Metadata:\n"
		"      cfn-lint: {ignore_checks: [W1]}\n"
		"      checkov: {skip: CKV_1}\n"
		"      cfn_nag: {rules_to_suppress: {id: N1}}\n"
		"      guard: {SuppressedRules: {G1: true}}\n"
		"      cdk_nag: [AwsSolutions-S1]\n"
		"      skip: [W1]\n"
		"  B:\n"
		"    Type: X\n");

	/* cfn-lint wants config: between. */
	ck_assert(!cfh_meta_suppresses(meta(t), "cfn-lint:W1"));
	/* A bare scalar names its one check. */
	ck_assert(cfh_meta_suppresses(meta(t), "checkov:CKV_1"));
	/* A mapping is not a list of suppressions. */
	ck_assert(!cfh_meta_suppresses(meta(t), "cfn_nag:N1"));
	ck_assert(!cfh_meta_suppresses(meta(t), "guard:G1"));
	ck_assert(!cfh_meta_suppresses(meta(t), "cdk_nag:AwsSolutions-S1"));
	/* Unknown tools, missing colon, overlong tool names. */
	ck_assert(!cfh_meta_suppresses(meta(t), "skip:W1"));
	ck_assert(!cfh_meta_suppresses(meta(t), "W1"));
	ck_assert(!cfh_meta_suppresses(meta(t), ":W1"));
	ck_assert(!cfh_meta_suppresses(meta(t),
				       "a-tool-name-far-too-long-to-be-real-at-all:W1"));
	ck_assert(!cfh_meta_suppresses(NULL, "checkov:CKV_1"));
	ck_assert_ptr_null(cfh_node_at(t, "/Resources/B/Metadata"));
	ck_assert(!cfh_meta_suppresses(cfh_node_at(t, "/Resources/B/Metadata"),
				       "checkov:CKV_1"));
	cfh_template_free(t);
}
END_TEST

/* Suppressions reached through an alias count. */
START_TEST(test_meta_alias)
{
	struct cfh_template *t = test_load("Mappings:\n"
					   "  M: {a: {b: c}}\n"
					   "Resources:\n"
					   "  B:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      checkov:\n"
					   "        skip: &skips\n"
					   "          - id: CKV_AWS_18\n"
					   "  A:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      checkov:\n"
					   "        skip: *skips\n");

	ck_assert(cfh_meta_suppresses(meta(t), "checkov:CKV_AWS_18"));
	ck_assert(!cfh_meta_suppresses(meta(t), "checkov:CKV_AWS_19"));
	cfh_template_free(t);
}
END_TEST

static const char plain_src[] = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n";

START_TEST(test_harden_unknown_only)
{
	struct cfh_template *t = test_load(plain_src);
	struct cfh_run_opts opts = { .only = "nope" };
	struct cfh_diag d;
	struct cfh_run *r;

	ck_assert_int_eq(test_harden(t, &opts, &d, &r), -1);
	ck_assert_int_eq(d.code, CFH_EXIT_USAGE);
	ck_assert_str_eq(d.msg, "unknown pass or group 'nope' (see --list-passes)");
	ck_assert_ptr_null(r);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_harden_unknown_skip)
{
	struct cfh_template *t = test_load(plain_src);
	struct cfh_run_opts opts = { .skip = "also-not-a-pass" };
	struct cfh_diag d;
	struct cfh_run *r;

	ck_assert_int_eq(test_harden(t, &opts, &d, &r), -1);
	ck_assert_int_eq(d.code, CFH_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(d.msg, "'also-not-a-pass'"));
	cfh_template_free(t);
}
END_TEST

/* In a list, the unknown name is the one reported, whole. */
START_TEST(test_harden_unknown_in_list)
{
	struct cfh_template *t = test_load(plain_src);
	struct cfh_run_opts opts = { 0 };
	struct cfh_diag d;
	struct cfh_run *r;
	char list[512];
	size_t i;

	/* Every registered id, then a bad one. */
	list[0] = '\0';
	for (i = 0; i < cfh_pass_count(); i++) {
		strncat(list, cfh_pass_id(cfh_pass_at(i)),
			sizeof(list) - strlen(list) - 2);
		strcat(list, ",");
	}
	strncat(list, "bogus-pass", sizeof(list) - strlen(list) - 1);
	opts.only = list;
	ck_assert_int_eq(test_harden(t, &opts, &d, &r), -1);
	ck_assert_int_eq(d.code, CFH_EXIT_USAGE);
	ck_assert_str_eq(d.msg, "unknown pass or group 'bogus-pass' (see --list-passes)");
	/* The skip list is checked too, a trailing comma ending it. */
	opts.only = NULL;
	opts.skip = "bogus,";
	ck_assert_int_eq(test_harden(t, &opts, &d, &r), -1);
	ck_assert_str_eq(d.msg, "unknown pass or group 'bogus' (see --list-passes)");
	cfh_template_free(t);
}
END_TEST

/* A group selects its passes: every pass is in exactly one group, and
 * the three groups together are the registry. */
START_TEST(test_pass_groups)
{
	static const char *const groups[] = { "security", "reliability",
					      "bookkeeping" };
	unsigned long long set, all = 0;
	struct cfh_diag d;
	size_t g, i;

	for (g = 0; g < 3; g++) {
		ck_assert_int_eq(cfh_pass_set(groups[g], &set, &d), 0);
		ck_assert_uint_ne(set, 0);
		ck_assert_uint_eq(set & all, 0);
		all |= set;
		for (i = 0; i < cfh_pass_count(); i++)
			ck_assert_int_eq(!!(set & (1ull << i)),
					 !strcmp(cfh_pass_at(i)->group,
						 groups[g]));
	}
	ck_assert_uint_eq(all, (1ull << cfh_pass_count()) - 1);
	/* Groups and ids mix. */
	ck_assert_int_eq(cfh_pass_set("bookkeeping,iam", &set, &d), 0);
	for (i = 0; i < cfh_pass_count(); i++)
		ck_assert_int_eq(!!(set & (1ull << i)),
				 !strcmp(cfh_pass_at(i)->id, "iam") ||
					 !strcmp(cfh_pass_at(i)->id, "tags") ||
					 !strcmp(cfh_pass_at(i)->id, "outputs"));
}
END_TEST

START_TEST(test_harden_no_options)
{
	struct cfh_template *t = test_load(plain_src);
	struct cfh_run_opts opts = { .no_replace = true };
	struct cfh_diag d;
	struct cfh_opts *o = cfh_opts_new(&opts, &d);
	struct cfh_run *r = cfh_run_new(t, o);
	size_t i;

	ck_assert_ptr_nonnull(r);
	ck_assert(o->no_replace);
	ck_assert_int_eq(cfh_run_harden(r, &d), 0);
	ck_assert_int_eq(d.code, CFH_EXIT_OK);
	ck_assert_str_eq(d.msg, "");
	ck_assert_ptr_null(r->current);
	/* Whatever the passes did, each record names a registered pass. */
	for (i = 0; i < cfh_run_change_count(r); i++)
		ck_assert_ptr_nonnull(cfh_pass_find(cfh_run_change_at(r, i)->pass));
	cfh_run_free(r);
	cfh_opts_free(o);
	cfh_template_free(t);
}
END_TEST

/* Every default is a valid setting of its own option, and names a pass. */
START_TEST(test_option_defaults)
{
	char buf[256], err[256];
	size_t i;

	ck_assert_uint_gt(cfh_option_count(), 0);
	for (i = 0; i < cfh_option_count(); i++) {
		const struct cfh_option *o = cfh_option_at(i);

		snprintf(buf, sizeof(buf), "%s.%s=%s", o->pass, o->key, o->def);
		ck_assert_msg(!cfh_setting_check(buf, err, sizeof(err)), "%s",
			      err);
		ck_assert(!strcmp(o->pass, "general") || cfh_pass_find(o->pass));
	}
}
END_TEST

START_TEST(test_setting_check)
{
	char err[256];

	ck_assert_int_eq(cfh_setting_check("dlq.max-receive-count=7", err, sizeof(err)), 0);
	ck_assert_int_eq(cfh_setting_check("dlq.max-receive-count=1001", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "dlq.max-receive-count must be a whole number from 1 to 1000, not '1001'");
	ck_assert_int_eq(cfh_setting_check("dlq.max-receive-count=5x", err, sizeof(err)), -1);
	ck_assert_int_eq(cfh_setting_check("dlq.max-receive-count=", err, sizeof(err)), -1);
	ck_assert_int_eq(cfh_setting_check("dlq.max-receive", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "setting 'dlq.max-receive' is not PASS.KEY=VALUE");
	ck_assert_int_eq(cfh_setting_check("dlq.max-receive=1", err, sizeof(err)), -1);
	ck_assert_int_eq(cfh_setting_check("general.profile=dev", err, sizeof(err)), 0);
	/* A prefix of a choice is not the choice. */
	ck_assert_int_eq(cfh_setting_check("general.profile=de", err, sizeof(err)), -1);
	ck_assert_int_eq(cfh_setting_check("logs.retention-days=3", err, sizeof(err)), 0);
	ck_assert_int_eq(cfh_setting_check("logs.retention-days=36", err, sizeof(err)), -1);
}
END_TEST

/* The last setting of a key wins; the running pass names bare keys. */
START_TEST(test_setting_lookup)
{
	struct cfh_template *t = test_load(plain_src);
	const char *set[] = { "dlq.max-receive-count=3", "general.profile=dev",
			      "dlq.max-receive-count=9" };
	struct cfh_run_opts opts = { .settings = set, .nsettings = 3 };
	struct cfh_diag d;
	struct cfh_opts *o = cfh_opts_new(&opts, &d);
	struct cfh_run *r = cfh_run_new(t, NULL);

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(r);
	/* No options: the defaults. */
	ck_assert_int_eq(cfh_opt_int(r, "dlq.max-receive-count"), 5);
	ck_assert(cfh_opt_bool(r, "stateful.multi-az"));
	r->opts = o;
	ck_assert_int_eq(cfh_opt_int(r, "dlq.max-receive-count"), 9);
	ck_assert_str_eq(cfh_opt_str(r, "profile"), "dev");
	r->current = cfh_pass_find("dlq");
	ck_assert_int_eq(cfh_opt_int(r, "max-receive-count"), 9);
	ck_assert_int_eq(cfh_opt_int(r, "logs.retention-days"), 365);
	r->current = NULL;
	cfh_run_free(r);
	cfh_opts_free(o);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_word_in)
{
	ck_assert(cfh_word_in("S004-01 S001-06", "S001-06"));
	ck_assert(cfh_word_in("S004-01 S001-06", "S004-01"));
	ck_assert(!cfh_word_in("S004-01 S001-06", "S004-0"));
	ck_assert(!cfh_word_in("checkov:CKV_AWS_18", "CKV_AWS_18"));
	/* An empty word is in no list (it used to loop forever). */
	ck_assert(!cfh_word_in("S004-01", ""));
	ck_assert(!cfh_word_in(NULL, "S004-01"));
}
END_TEST

START_TEST(test_registry)
{
	size_t n = cfh_pass_count(), i;

	ck_assert_ptr_null(cfh_pass_at(n));
	ck_assert_ptr_null(cfh_pass_find("nope"));
	ck_assert_ptr_null(cfh_pass_find(""));
	for (i = 0; i < n; i++) {
		const struct cfh_pass *p = cfh_pass_at(i);

		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_eq(cfh_pass_find(cfh_pass_id(p)), p);
		ck_assert_ptr_nonnull(cfh_pass_title(p));
		ck_assert_ptr_nonnull(cfh_pass_fixes(p));
		ck_assert_ptr_nonnull(cfh_pass_rationale(p));
		ck_assert_ptr_nonnull(cfh_pass_example(p));
		ck_assert_int_lt(cfh_pass_severity(p), CFH_SEV_COUNT);
		/* Ids are kebab-case: users type them. */
		ck_assert_uint_eq(strspn(cfh_pass_id(p),
					 "abcdefghijklmnopqrstuvwxyz0123456789-"),
				  strlen(cfh_pass_id(p)));
	}
}
END_TEST

/* No pass is running: nothing is skipped. */
START_TEST(test_pass_skips_idle)
{
	struct cfh_template *t = test_load("Metadata:\n"
					   "  cfn-harden: {skip: all}\n"
					   "Resources:\n"
					   "  A:\n"
					   "    Type: X\n");
	struct cfh_run *r = cfh_run_new(t, NULL);

	ck_assert_ptr_null(r->current);
	ck_assert(!cfh_pass_skips(r, NULL));
	ck_assert(!cfh_pass_skips(r, cfh_node_at(t, "/Resources/A")));
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

START_TEST(test_severity_name)
{
	ck_assert_str_eq(cfh_severity_name(CFH_SEV_CRITICAL), "critical");
	ck_assert_str_eq(cfh_severity_name(CFH_SEV_HIGH), "high");
	ck_assert_str_eq(cfh_severity_name(CFH_SEV_MEDIUM), "medium");
	ck_assert_str_eq(cfh_severity_name(CFH_SEV_LOW), "low");
	ck_assert_str_eq(cfh_severity_name(CFH_SEV_COUNT), "unknown");
	ck_assert_str_eq(cfh_severity_name((enum cfh_severity)99), "unknown");
}
END_TEST

/* A pass of our own, to ask cfh_pass_skips() about it while it "runs". */
static const struct cfh_pass fake_pass = {
	.id = "fake-pass",
	.title = "a pass for the tests",
	.severity = CFH_SEV_MEDIUM,
	.fixes = "T000-01",
	.checks = "checkov:CKV_AWS_18 cfn_nag:W51 guard:S3_BUCKET_LOGGING_ENABLED",
};

START_TEST(test_pass_skips_resource)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  Plain:\n"
					   "    Type: X\n"
					   "  ByCheckov:\n"
					   "    Type: X\n"
					   "    Metadata: {checkov: {skip: [{id: CKV_AWS_18}]}}\n"
					   "  ByNag:\n"
					   "    Type: X\n"
					   "    Metadata:\n"
					   "      cfn_nag: {rules_to_suppress: [{id: W51, reason: r}]}\n"
					   "  ByGuard:\n"
					   "    Type: X\n"
					   "    Metadata: {guard: {SuppressedRules: [S3_BUCKET_LOGGING_ENABLED]}}\n"
					   "  OtherCheck:\n"
					   "    Type: X\n"
					   "    Metadata: {checkov: {skip: [{id: CKV_AWS_19}]}}\n"
					   "  ById:\n"
					   "    Type: X\n"
					   "    Metadata: {cfn-harden: {skip: [other, fake-pass]}}\n"
					   "  ByAll:\n"
					   "    Type: X\n"
					   "    Metadata: {cfn-harden: {skip: all}}\n"
					   "  OtherId:\n"
					   "    Type: X\n"
					   "    Metadata: {cfn-harden: {skip: [fake]}}\n");

	struct cfh_run *r = cfh_run_new(t, NULL);

	r->current = &fake_pass;
	ck_assert(!cfh_pass_skips(r, NULL));
	ck_assert(!cfh_pass_skips(r, cfh_node_at(t, "/Resources/Plain")));
	ck_assert(cfh_pass_skips(r, cfh_node_at(t, "/Resources/ByCheckov")));
	ck_assert(cfh_pass_skips(r, cfh_node_at(t, "/Resources/ByNag")));
	ck_assert(cfh_pass_skips(r, cfh_node_at(t, "/Resources/ByGuard")));
	ck_assert(!cfh_pass_skips(r, cfh_node_at(t, "/Resources/OtherCheck")));
	ck_assert(cfh_pass_skips(r, cfh_node_at(t, "/Resources/ById")));
	ck_assert(cfh_pass_skips(r, cfh_node_at(t, "/Resources/ByAll")));
	ck_assert(!cfh_pass_skips(r, cfh_node_at(t, "/Resources/OtherId")));
	cfh_run_free(r);
	cfh_template_free(t);
}
END_TEST

/* Template Metadata turns a pass off everywhere. */
START_TEST(test_pass_skips_template)
{
	struct cfh_template *t = test_load("Metadata:\n"
					   "  cfn_nag: {rules_to_suppress: [{id: W51}]}\n"
					   "Resources:\n"
					   "  A:\n"
					   "    Type: X\n");
	struct cfh_template *u = test_load("Metadata:\n"
					   "  cfn-harden:\n"
					   "    skip: fake-pass\n"
					   "Resources:\n"
					   "  A:\n"
					   "    Type: X\n");

	struct cfh_run *rt = cfh_run_new(t, NULL), *ru = cfh_run_new(u, NULL);

	rt->current = &fake_pass;
	ru->current = &fake_pass;
	ck_assert(cfh_pass_skips(rt, NULL));
	ck_assert(cfh_pass_skips(rt, cfh_node_at(t, "/Resources/A")));
	ck_assert(cfh_pass_skips(ru, NULL));
	ck_assert(cfh_pass_skips(ru, cfh_node_at(u, "/Resources/A")));
	cfh_run_free(rt);
	cfh_run_free(ru);
	cfh_template_free(t);
	cfh_template_free(u);
}
END_TEST

/* Whatever the registry holds, "skip: all" in the template's Metadata
 * leaves the template alone, and so does skipping a pass by its id. */
START_TEST(test_harden_skip_all)
{
	static const char src[] = "Metadata:\n"
				  "  cfn-harden: {skip: all}\n"
				  "Resources:\n"
				  "  Bucket:\n"
				  "    Type: AWS::S3::Bucket\n"
				  "  Queue:\n"
				  "    Type: AWS::SQS::Queue\n"
				  "  Table:\n"
				  "    Type: AWS::DynamoDB::Table\n"
				  "    Properties:\n"
				  "      BillingMode: PAY_PER_REQUEST\n"
				  "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
				  "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n";
	struct cfh_run_opts opts = { 0 };
	struct cfh_template *t = test_load(src);
	struct cfh_diag d;
	struct cfh_run *r;
	size_t i, len;
	char *out;

	ck_assert_int_eq(test_harden(t, &opts, &d, &r), 0);
	ck_assert_uint_eq(cfh_run_change_count(r), 0);
	cfh_run_free(r);
	out = cfh_template_print(t, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, src);
	free(out);
	cfh_template_free(t);
	for (i = 0; i < cfh_pass_count(); i++) {
		char meta[512];

		snprintf(meta, sizeof(meta), "Metadata:\n  cfn-harden:\n"
			 "    skip: [%s]\n%s", cfh_pass_id(cfh_pass_at(i)),
			 strstr(src, "Resources:"));
		t = test_load(meta);
		opts.only = cfh_pass_id(cfh_pass_at(i));
		ck_assert_int_eq(test_harden(t, &opts, &d, &r), 0);
		ck_assert_msg(cfh_run_change_count(r) == 0,
			      "pass '%s' ran though skipped", opts.only);
		cfh_run_free(r);
		cfh_template_free(t);
	}
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_meta_suppresses, 0,
			    sizeof(supp_cases) / sizeof(*supp_cases));
	tcase_add_test(tc, test_meta_negative);
	tcase_add_test(tc, test_meta_alias);
	tcase_add_test(tc, test_harden_unknown_only);
	tcase_add_test(tc, test_harden_unknown_skip);
	tcase_add_test(tc, test_harden_unknown_in_list);
	tcase_add_test(tc, test_pass_groups);
	tcase_add_test(tc, test_harden_no_options);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_word_in);
	tcase_add_test(tc, test_option_defaults);
	tcase_add_test(tc, test_setting_check);
	tcase_add_test(tc, test_setting_lookup);
	tcase_add_test(tc, test_pass_skips_idle);
	tcase_add_test(tc, test_pass_skips_resource);
	tcase_add_test(tc, test_pass_skips_template);
	tcase_add_test(tc, test_harden_skip_all);
	tcase_add_test(tc, test_severity_name);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the policy and ARN helpers (src/policy.c): statements as
 * IAM reads them, the one table of policy-holding types, the statement
 * builders and ARNs.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "policy.h"
#include "suites.h"
#include "testlib.h"

static struct cfh_node *doc(struct cfh_template *t, const char *res)
{
	char ptr[128];
	struct cfh_node *n;

	snprintf(ptr, sizeof(ptr), "/Resources/%s/Properties/PolicyDocument",
		 res);
	n = cfh_node_at(t, ptr);
	ck_assert_ptr_nonnull(n);
	return n;
}

/* A lone statement and a list of one read the same. */
START_TEST(test_lone_and_list)
{
	struct cfh_template *t = test_load(
		"Resources:\n"
		"  Lone:\n"
		"    Type: AWS::IAM::Policy\n"
		"    Properties:\n"
		"      PolicyDocument:\n"
		"        Statement: {Effect: Allow, Action: 'dynamodb:GetItem', Resource: '*'}\n"
		"  List:\n"
		"    Type: AWS::IAM::Policy\n"
		"    Properties:\n"
		"      PolicyDocument:\n"
		"        Statement:\n"
		"          - Effect: Allow\n"
		"            Action: ['dynamodb:GetItem']\n"
		"            Resource: ['*']\n");
	const char *ids[] = { "Lone", "List" };
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(ids); i++) {
		struct cfh_stmt_iter it;
		struct cfh_stmt s;
		size_t n = 0;

		ck_assert(cfh_policy_is_literal(doc(t, ids[i])));
		cfh_stmt_iter_init(&it, doc(t, ids[i]));
		while (cfh_stmt_next(&it, &s)) {
			n++;
			ck_assert(cfh_stmt_allows(&s));
			ck_assert(!s.not_action && !s.not_resource);
			ck_assert_uint_eq(cfh_strs_count(s.action), 1);
			ck_assert_str_eq(cfh_strs_at(s.action, 0),
					 "dynamodb:GetItem");
			ck_assert(cfh_strs_has(s.resource, "*"));
			ck_assert_ptr_null(s.condition);
		}
		ck_assert_msg(n == 1, "%s: %zu statements", ids[i], n);
		/* Done stays done. */
		ck_assert(!cfh_stmt_next(&it, &s));
	}
	cfh_template_free(t);
}
END_TEST

/* NotAction and NotResource are read, and said to be the Not- forms;
 * statements that are intrinsics are skipped, and the document is then
 * not literal. */
START_TEST(test_not_forms_and_intrinsics)
{
	struct cfh_template *t = test_load(
		"Conditions:\n"
		"  C: !Equals [a, b]\n"
		"Resources:\n"
		"  P:\n"
		"    Type: AWS::IAM::Policy\n"
		"    Properties:\n"
		"      PolicyDocument:\n"
		"        Statement:\n"
		"          - Effect: Deny\n"
		"            NotAction: [s3:GetObject, s3:PutObject]\n"
		"            NotResource: arn:aws:s3:::b/*\n"
		"            Condition: {Bool: {aws:SecureTransport: false}}\n"
		"          - !If [C, {Effect: Allow, Action: '*', Resource: '*'}, !Ref AWS::NoValue]\n"
		"  Q:\n"
		"    Type: AWS::IAM::Policy\n"
		"    Properties:\n"
		"      PolicyDocument:\n"
		"        Statement: !If [C, [], []]\n");
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	cfh_stmt_iter_init(&it, doc(t, "P"));
	ck_assert(cfh_stmt_next(&it, &s));
	ck_assert(!cfh_stmt_allows(&s));
	ck_assert(s.not_action && s.not_resource);
	ck_assert_uint_eq(cfh_strs_count(s.action), 2);
	ck_assert_str_eq(cfh_strs_at(s.action, 1), "s3:PutObject");
	ck_assert_ptr_null(cfh_strs_at(s.action, 2));
	ck_assert_str_eq(cfh_strs_at(s.resource, 0), "arn:aws:s3:::b/*");
	ck_assert_ptr_nonnull(s.condition);
	ck_assert(!cfh_stmt_next(&it, &s));
	ck_assert(!cfh_policy_is_literal(doc(t, "P")));
	cfh_stmt_iter_init(&it, doc(t, "Q"));
	ck_assert(!cfh_stmt_next(&it, &s));
	ck_assert(!cfh_policy_is_literal(doc(t, "Q")));
	cfh_template_free(t);
}
END_TEST

/* A document without statements, and a node that is no document. */
START_TEST(test_no_statements)
{
	struct cfh_template *t = test_load("Resources:\n"
					   "  P:\n"
					   "    Type: AWS::IAM::Policy\n"
					   "    Properties:\n"
					   "      PolicyDocument: {Version: '2012-10-17'}\n");
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	cfh_stmt_iter_init(&it, doc(t, "P"));
	ck_assert(!cfh_stmt_next(&it, &s));
	cfh_stmt_iter_init(&it, NULL);
	ck_assert(!cfh_stmt_next(&it, &s));
	ck_assert(!cfh_policy_is_literal(doc(t, "P")));
	ck_assert_uint_eq(cfh_strs_count(NULL), 0);
	ck_assert_ptr_null(cfh_strs_at(NULL, 0));
	cfh_template_free(t);
}
END_TEST

START_TEST(test_policy_types)
{
	const struct cfh_policy_site *s;
	size_t n;

	ck_assert(cfh_is_policy_type("AWS::IAM::Policy"));
	ck_assert(cfh_is_policy_type("AWS::IAM::ManagedPolicy"));
	ck_assert(cfh_is_policy_type("AWS::IAM::RolePolicy"));
	ck_assert(cfh_is_policy_type("AWS::IAM::UserPolicy"));
	ck_assert(cfh_is_policy_type("AWS::IAM::GroupPolicy"));
	/* A role holds policies but is not one; resource policies are on
	 * the resource, not granted to principals. */
	ck_assert(!cfh_is_policy_type("AWS::IAM::Role"));
	ck_assert(!cfh_is_policy_type("AWS::IAM::InstanceProfile"));
	ck_assert(!cfh_is_policy_type("AWS::S3::BucketPolicy"));
	ck_assert(!cfh_is_policy_type(NULL));
	s = cfh_policy_sites("AWS::IAM::Role", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(s[0].prop, "Policies");
	ck_assert_str_eq(s[0].item_key, "PolicyDocument");
	ck_assert_int_eq(s[1].kind, CFH_POLICY_TRUST);
	s = cfh_policy_sites("AWS::KMS::Key", &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(s->prop, "KeyPolicy");
	ck_assert_int_eq(s->kind, CFH_POLICY_RESOURCE);
	ck_assert_ptr_null(cfh_policy_sites("AWS::SQS::Queue", &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

static void assert_json(json_t *j, const char *want)
{
	char *got;

	ck_assert_ptr_nonnull(j);
	got = json_dumps(j, JSON_COMPACT);
	ck_assert_str_eq(got, want);
	free(got);
	json_decref(j);
}

START_TEST(test_builders)
{
	json_t *s;

	assert_json(cfh_stmt_allow_take("sqs:SendMessage",
					json_pack("{s:[s,s]}", "Fn::GetAtt",
						  "Q", "Arn")),
		    "{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\","
		    "\"Resource\":{\"Fn::GetAtt\":[\"Q\",\"Arn\"]}}");
	assert_json(cfh_stmt_allow_take("kms:Decrypt  kms:GenerateDataKey",
					json_string("*")),
		    "{\"Effect\":\"Allow\",\"Action\":[\"kms:Decrypt\","
		    "\"kms:GenerateDataKey\"],\"Resource\":\"*\"}");
	s = cfh_stmt_service_take("events.amazonaws.com", "sns:Publish",
				  json_pack("{s:s}", "Ref", "T"));
	s = cfh_stmt_when_take(s, "ArnEquals", "aws:SourceArn",
			       json_string("a"));
	s = cfh_stmt_when_take(s, "ArnEquals", "aws:SourceAccount",
			       json_string("b"));
	assert_json(s, "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
		       "\"events.amazonaws.com\"},\"Action\":\"sns:Publish\","
		       "\"Resource\":{\"Ref\":\"T\"},\"Condition\":{"
		       "\"ArnEquals\":{\"aws:SourceArn\":\"a\","
		       "\"aws:SourceAccount\":\"b\"}}}");
	assert_json(cfh_policy_doc_take(json_array()),
		    "{\"Version\":\"2012-10-17\",\"Statement\":[]}");
	/* Taken arguments are released on failure; NULL in, NULL out. */
	ck_assert_ptr_null(cfh_stmt_allow_take("a", NULL));
	ck_assert_ptr_null(cfh_stmt_when_take(NULL, "a", "b",
					      json_string("c")));
	ck_assert_ptr_null(cfh_policy_doc_take(NULL));
}
END_TEST

START_TEST(test_arns)
{
	char buf[128];

	ck_assert_int_eq(cfh_arn_format(buf, sizeof(buf), "logs", CFH_ARN_HERE,
					NULL, NULL, "log-group:/a:*"),
			 0);
	ck_assert_str_eq(buf, "arn:${AWS::Partition}:logs:${AWS::Region}:"
			      "${AWS::AccountId}:log-group:/a:*");
	ck_assert_int_eq(cfh_arn_format(buf, sizeof(buf), "s3", CFH_ARN_GLOBAL,
					"x", "y", "${B}/*"),
			 0);
	ck_assert_str_eq(buf, "arn:${AWS::Partition}:s3:::${B}/*");
	ck_assert_int_eq(cfh_arn_format(buf, sizeof(buf), "iam",
					CFH_ARN_ACCOUNT, "x", NULL, "root"),
			 0);
	ck_assert_str_eq(buf, "arn:${AWS::Partition}:iam::${AWS::AccountId}:root");
	ck_assert_int_eq(cfh_arn_format(buf, sizeof(buf), "ecr", CFH_ARN_HERE,
					"us-east-1", "123456789012",
					"repository/r"),
			 0);
	ck_assert_str_eq(buf, "arn:${AWS::Partition}:ecr:us-east-1:"
			      "123456789012:repository/r");
	/* Too long for the buffer: an error, not a cut ARN. */
	ck_assert_int_eq(cfh_arn_format(buf, 20, "logs", CFH_ARN_HERE, NULL,
					NULL, "x"),
			 -1);
	assert_json(cfh_arn_sub("sns", CFH_ARN_HERE, "%s", "Topic"),
		    "{\"Fn::Sub\":\"arn:${AWS::Partition}:sns:${AWS::Region}:"
		    "${AWS::AccountId}:Topic\"}");
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lone_and_list);
	tcase_add_test(tc, test_not_forms_and_intrinsics);
	tcase_add_test(tc, test_no_statements);
	tcase_add_test(tc, test_policy_types);
	tcase_add_test(tc, test_builders);
	tcase_add_test(tc, test_arns);
	suite_add_tcase(s, tc);
	return s;
}

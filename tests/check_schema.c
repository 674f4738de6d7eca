/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the resource-type table (src/schema.c and the generated
 * src/schema_table.c).  They assert facts of real CloudFormation types, so a
 * regenerated table that lost or garbled them fails here before a pass
 * writes a wrong template.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static bool list_has(const struct cfh_rtype *t, enum cfh_rlist list,
		     const char *s)
{
	const char *item;
	size_t i;

	for (i = 0; (item = cfh_rtype_item(t, list, i)); i++)
		if (strcmp(item, s) == 0)
			return true;
	return false;
}

static const struct cfh_rtype *must_find(const char *name)
{
	const struct cfh_rtype *t = cfh_rtype_find(name);

	ck_assert_msg(t != NULL, "type '%s' not found", name);
	ck_assert_str_eq(cfh_rtype_name(t), name);
	return t;
}

START_TEST(test_s3_bucket)
{
	const struct cfh_rtype *t = must_find("AWS::S3::Bucket");

	ck_assert_int_eq(t->tag_shape, CFH_TAGS_LIST);
	ck_assert_str_eq(cfh_rtype_tag_prop(t), "Tags");
	ck_assert(cfh_rtype_is_create_only(t, "BucketName"));
	ck_assert(!cfh_rtype_is_create_only(t, "Tags"));
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "Arn"));
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "DomainName"));
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "RegionalDomainName"));
	ck_assert_str_eq(cfh_rtype_item(t, CFH_RLIST_PRIMARY_ID, 0),
			 "BucketName");
	ck_assert_ptr_null(cfh_rtype_item(t, CFH_RLIST_PRIMARY_ID, 1));
	ck_assert(cfh_rtype_has_prop(t, "BucketEncryption"));
	/* Read-only: GetAtt only, a template may not set it. */
	ck_assert(!cfh_rtype_has_prop(t, "Arn"));
	ck_assert_ptr_null(cfh_rtype_attr_prefix(t));
}
END_TEST

START_TEST(test_ssm_parameter_map)
{
	const struct cfh_rtype *t = must_find("AWS::SSM::Parameter");

	ck_assert_int_eq(t->tag_shape, CFH_TAGS_MAP);
	ck_assert_str_eq(cfh_rtype_tag_prop(t), "Tags");
}
END_TEST

START_TEST(test_kms_key_props)
{
	const struct cfh_rtype *t = must_find("AWS::KMS::Key");

	ck_assert(cfh_rtype_has_prop(t, "KeyPolicy"));
	ck_assert(cfh_rtype_has_prop(t, "EnableKeyRotation"));
	ck_assert(!cfh_rtype_has_prop(t, "NoSuchProperty"));
	ck_assert(!cfh_rtype_has_prop(t, ""));
}
END_TEST

START_TEST(test_dynamodb_table)
{
	const struct cfh_rtype *t = must_find("AWS::DynamoDB::Table");

	ck_assert(cfh_rtype_is_create_only(t, "TableName"));
	ck_assert(list_has(t, CFH_RLIST_CREATE_ONLY, "TableName"));
	ck_assert(!cfh_rtype_is_create_only(t, "BillingMode"));
}
END_TEST

START_TEST(test_iam_role)
{
	const struct cfh_rtype *t = must_find("AWS::IAM::Role");

	ck_assert(cfh_rtype_is_create_only(t, "RoleName"));
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "Arn"));
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_LIST);
}
END_TEST

START_TEST(test_untaggable)
{
	const struct cfh_rtype *policy = must_find("AWS::IAM::Policy");
	const struct cfh_rtype *perm = must_find("AWS::Lambda::Permission");

	ck_assert_int_eq(policy->tag_shape, CFH_TAGS_NONE);
	ck_assert_ptr_null(cfh_rtype_tag_prop(policy));
	ck_assert_int_eq(perm->tag_shape, CFH_TAGS_NONE);
	ck_assert_ptr_null(cfh_rtype_tag_prop(perm));
}
END_TEST

START_TEST(test_odd_tag_properties)
{
	const struct cfh_rtype *t;

	t = must_find("AWS::Cognito::UserPool");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_MAP);
	ck_assert_str_eq(cfh_rtype_tag_prop(t), "UserPoolTags");
	t = must_find("AWS::EFS::AccessPoint");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_LIST);
	ck_assert_str_eq(cfh_rtype_tag_prop(t), "AccessPointTags");
	/* Tags nested in TagSpecifications: no shape a caller could write. */
	t = must_find("AWS::EC2::CapacityReservation");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_NONE);
	ck_assert_ptr_null(cfh_rtype_tag_prop(t));
	/* Free-form JSON Tags in an old schema without a tagging section. */
	t = must_find("AWS::Glue::Workflow");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_MAP);
}
END_TEST

START_TEST(test_nested_create_only)
{
	const struct cfh_rtype *t = must_find("AWS::EFS::AccessPoint");

	ck_assert(cfh_rtype_is_create_only(t, "PosixUser"));
	ck_assert(cfh_rtype_is_create_only(t, "PosixUser/Uid"));
	ck_assert(cfh_rtype_is_create_only(t, "RootDirectory/CreationInfo/OwnerUid"));
	ck_assert(!cfh_rtype_is_create_only(t, "AccessPointTags"));
	/* A prefix of a name is not an ancestor. */
	ck_assert(!cfh_rtype_is_create_only(t, "Posix"));

	t = must_find("AWS::S3::Bucket");
	/* An ancestor being create-only makes its members create-only. */
	ck_assert(cfh_rtype_is_create_only(t, "BucketName/x"));
	ck_assert(!cfh_rtype_is_create_only(NULL, "BucketName"));
}
END_TEST

START_TEST(test_getatt_extras)
{
	const struct cfh_rtype *t;

	/* Not read-only, yet a documented GetAtt cfn-lint accepts. */
	t = must_find("AWS::SQS::Queue");
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "QueueName"));
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "Arn"));
	t = must_find("AWS::RDS::DBCluster");
	ck_assert(list_has(t, CFH_RLIST_ATTRS, "Endpoint.Address"));
	t = must_find("AWS::CloudFormation::Stack");
	ck_assert_str_eq(cfh_rtype_attr_prefix(t), "Outputs.");
	t = must_find("AWS::CloudFormation::CustomResource");
	ck_assert_str_eq(cfh_rtype_attr_prefix(t), "");
}
END_TEST

/* cfh_rtype_has_attr(): the list, then the open prefix. */
START_TEST(test_has_attr)
{
	const struct cfh_rtype *t;

	t = must_find("AWS::S3::Bucket");
	ck_assert(cfh_rtype_has_attr(t, "Arn"));
	ck_assert(!cfh_rtype_has_attr(t, "NoSuchAttribute"));
	ck_assert(!cfh_rtype_has_attr(t, ""));
	t = must_find("AWS::CloudFormation::Stack");
	ck_assert(cfh_rtype_has_attr(t, "Outputs.BucketName"));
	ck_assert(!cfh_rtype_has_attr(t, "BucketName"));
	t = must_find("AWS::Serverless::Function");
	ck_assert(cfh_rtype_has_attr(t, "Arn"));
	ck_assert(!cfh_rtype_has_attr(NULL, "Arn"));
	ck_assert_ptr_null(cfh_rtype_item(NULL, CFH_RLIST_PROPS, 0));
	ck_assert_ptr_null(cfh_rtype_name(NULL));
}
END_TEST

START_TEST(test_sam_types)
{
	static const char *const map[] = {
		"AWS::Serverless::Api",
		"AWS::Serverless::Application",
		"AWS::Serverless::Function",
		"AWS::Serverless::GraphQLApi",
		"AWS::Serverless::HttpApi",
		"AWS::Serverless::SimpleTable",
		"AWS::Serverless::StateMachine",
	};
	const struct cfh_rtype *t;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		t = must_find(map[i]);
		ck_assert_int_eq(t->tag_shape, CFH_TAGS_MAP);
		ck_assert_str_eq(cfh_rtype_tag_prop(t), "Tags");
	}
	t = must_find("AWS::Serverless::Function");
	ck_assert(cfh_rtype_has_prop(t, "CodeUri"));
	ck_assert(cfh_rtype_is_create_only(t, "FunctionName"));
	t = must_find("AWS::Serverless::LayerVersion");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_NONE);
	t = must_find("AWS::Serverless::Connector");
	ck_assert_int_eq(t->tag_shape, CFH_TAGS_NONE);
}
END_TEST

START_TEST(test_unknown)
{
	ck_assert_ptr_null(cfh_rtype_find("AWS::No::Such"));
	ck_assert_ptr_null(cfh_rtype_find(""));
	ck_assert_ptr_null(cfh_rtype_find("Custom::Thing"));
	ck_assert_ptr_null(cfh_rtype_find("aws::s3::bucket"));
	/* cfn-lint's stand-in for *::MODULE types is no real type. */
	ck_assert_ptr_null(cfh_rtype_find("Module"));
	ck_assert(!cfh_rtype_has_prop(NULL, "Tags"));
}
END_TEST

/*
 * Every list of every type ends, and holds names (the table is offsets now,
 * so a bad one would show as a walk that runs on or an empty string).
 */
static void check_lists(const struct cfh_rtype *t, const char *name)
{
	static const enum cfh_rlist lists[] = {
		CFH_RLIST_CREATE_ONLY, CFH_RLIST_ATTRS, CFH_RLIST_PRIMARY_ID,
		CFH_RLIST_PROPS,
	};
	const char *item;
	size_t l, i;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (i = 0; (item = cfh_rtype_item(t, lists[l], i)); i++) {
			ck_assert_msg(i < 10000, "%s: list %zu does not end",
				      name, l);
			ck_assert_msg(item[0] != '\0', "%s: list %zu item %zu "
				      "is empty", name, l, i);
		}
	}
}

/* Every entry must be reachable by find(), so the table must be sorted. */
START_TEST(test_table_sorted)
{
	size_t n = cfh_rtype_count();
	size_t i, j;

	ck_assert_uint_gt(n, 1000);
	ck_assert_ptr_null(cfh_rtype_at(n));
	for (i = 0; i < n; i++) {
		const struct cfh_rtype *t = cfh_rtype_at(i);
		const char *name = cfh_rtype_name(t);
		const char *tag_prop = cfh_rtype_tag_prop(t);
		const char *p, *q;

		ck_assert_ptr_nonnull(t);
		ck_assert_ptr_nonnull(name);
		if (i > 0)
			ck_assert_msg(strcmp(cfh_rtype_name(cfh_rtype_at(i - 1)),
					     name) < 0,
				      "'%s' is not before '%s'",
				      cfh_rtype_name(cfh_rtype_at(i - 1)), name);
		ck_assert_ptr_eq(cfh_rtype_find(name), t);
		check_lists(t, name);
		/* has_prop() and has_attr() stop early on sorted lists. */
		for (j = 0; (p = cfh_rtype_item(t, CFH_RLIST_PROPS, j)) &&
			    (q = cfh_rtype_item(t, CFH_RLIST_PROPS, j + 1)); j++)
			ck_assert_msg(strcmp(p, q) < 0,
				      "%s: props '%s', '%s' out of order",
				      name, p, q);
		for (j = 0; (p = cfh_rtype_item(t, CFH_RLIST_PROPS, j)); j++)
			ck_assert(cfh_rtype_has_prop(t, p));
		for (j = 0; (p = cfh_rtype_item(t, CFH_RLIST_ATTRS, j)) &&
			    (q = cfh_rtype_item(t, CFH_RLIST_ATTRS, j + 1)); j++)
			ck_assert_msg(strcmp(p, q) < 0,
				      "%s: attrs '%s', '%s' out of order",
				      name, p, q);
		for (j = 0; (p = cfh_rtype_item(t, CFH_RLIST_ATTRS, j)); j++)
			ck_assert(cfh_rtype_has_attr(t, p));
		ck_assert_msg((t->tag_shape == CFH_TAGS_NONE) ==
				      (tag_prop == NULL),
			      "%s: tag_shape and tag_prop disagree", name);
		if (tag_prop)
			ck_assert_msg(cfh_rtype_has_prop(t, tag_prop),
				      "%s: tag property '%s' is not a property",
				      name, tag_prop);
	}
}
END_TEST

Suite *schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_s3_bucket);
	tcase_add_test(tc, test_ssm_parameter_map);
	tcase_add_test(tc, test_kms_key_props);
	tcase_add_test(tc, test_dynamodb_table);
	tcase_add_test(tc, test_iam_role);
	tcase_add_test(tc, test_untaggable);
	tcase_add_test(tc, test_odd_tag_properties);
	tcase_add_test(tc, test_nested_create_only);
	tcase_add_test(tc, test_getatt_extras);
	tcase_add_test(tc, test_has_attr);
	tcase_add_test(tc, test_sam_types);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_table_sorted);
	suite_add_tcase(s, tc);
	return s;
}

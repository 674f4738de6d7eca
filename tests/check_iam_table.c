/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the IAM action table (the generated src/iam_table.c).
 * They assert facts of real actions, so that a regenerated table that lost
 * or garbled them fails here before a pass grants a wrong Resource.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iam_table.h"

/* Whether @list of @n holds @s exactly. */
static bool list_has(const char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

START_TEST(test_star_only)
{
	/* The service authorises these per account: no resource type. */
	ck_assert_int_eq(cfh_iam_action_scope("ecr:GetAuthorizationToken"),
			 CFH_IAM_SCOPE_STAR_ONLY);
	ck_assert_int_eq(cfh_iam_action_scope("logs:CreateLogDelivery"),
			 CFH_IAM_SCOPE_STAR_ONLY);
	ck_assert_int_eq(cfh_iam_action_scope("s3:ListAllMyBuckets"),
			 CFH_IAM_SCOPE_STAR_ONLY);
	ck_assert(!cfh_iam_action_takes("ecr:GetAuthorizationToken",
					"repository"));
}
END_TEST

START_TEST(test_resource_level)
{
	ck_assert_int_eq(cfh_iam_action_scope("ecr:BatchGetImage"),
			 CFH_IAM_SCOPE_RESOURCE);
	ck_assert(cfh_iam_action_takes("ecr:BatchGetImage", "repository"));
	ck_assert_int_eq(cfh_iam_action_scope("s3:GetObject"),
			 CFH_IAM_SCOPE_RESOURCE);
	ck_assert(cfh_iam_action_takes("s3:GetObject", "object"));
	/* An object action does not take the bucket, nor a type of another
	 * service. */
	ck_assert(!cfh_iam_action_takes("s3:GetObject", "bucket"));
	ck_assert(!cfh_iam_action_takes("s3:GetObject", "repository"));
	ck_assert(cfh_iam_action_takes("s3:ListBucket", "bucket"));
	ck_assert(cfh_iam_action_takes("logs:PutLogEvents", "log-stream"));
	ck_assert(!cfh_iam_action_takes("ecr:BatchGetImage", "no-such-type"));
	ck_assert(!cfh_iam_action_takes("ecr:BatchGetImage", ""));
	/* Types the data names in mixed case or with a space. */
	ck_assert(cfh_iam_action_takes("access-analyzer:GetAnalyzer",
				       "Analyzer"));
	ck_assert(cfh_iam_action_takes("lambda:GetCodeSigningConfig",
				       "code signing config"));
}
END_TEST

START_TEST(test_case_insensitive)
{
	ck_assert(cfh_iam_service_known("ecr"));
	ck_assert(cfh_iam_service_known("ECR"));
	ck_assert_int_eq(cfh_iam_action_scope("ECR:getauthorizationTOKEN"),
			 CFH_IAM_SCOPE_STAR_ONLY);
	ck_assert_int_eq(cfh_iam_action_scope("ecr:batchgetimage"),
			 CFH_IAM_SCOPE_RESOURCE);
	ck_assert_int_eq(cfh_iam_action_scope("Ecr:BATCHGETIMAGE"),
			 CFH_IAM_SCOPE_RESOURCE);
	ck_assert(cfh_iam_action_takes("S3:getobject", "OBJECT"));
}
END_TEST

START_TEST(test_unknown)
{
	ck_assert(!cfh_iam_service_known("no-such-service"));
	ck_assert(!cfh_iam_service_known(""));
	ck_assert(!cfh_iam_service_known(NULL));
	/* A prefix of a known name is not that name. */
	ck_assert(!cfh_iam_service_known("ec"));
	ck_assert(cfh_iam_service_known("ecr-public"));
	ck_assert_int_eq(cfh_iam_action_scope("no-such-service:GetObject"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope("ecr:NoSuchAction"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope("ecr:BatchGetImag"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope("ecr:BatchGetImages"),
			 CFH_IAM_SCOPE_UNKNOWN);
	/* An action of another service is not this service's. */
	ck_assert_int_eq(cfh_iam_action_scope("ecr:GetObject"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope("GetObject"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope("ecr:Get*"),
			 CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope(""), CFH_IAM_SCOPE_UNKNOWN);
	ck_assert_int_eq(cfh_iam_action_scope(NULL), CFH_IAM_SCOPE_UNKNOWN);
	ck_assert(!cfh_iam_action_takes("ecr:NoSuchAction", "repository"));
	ck_assert(!cfh_iam_action_takes(NULL, "repository"));
	ck_assert(!cfh_iam_action_takes("ecr:BatchGetImage", NULL));
}
END_TEST

START_TEST(test_expand_service)
{
	const char **list = NULL;
	size_t i, n = 0;

	ck_assert_int_eq(cfh_iam_expand("ecr:*", &list, &n), 0);
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_gt(n, 20);
	ck_assert(list_has(list, n, "ecr:getauthorizationtoken"));
	ck_assert(list_has(list, n, "ecr:batchgetimage"));
	/* Nothing of ecr-public, whose prefix starts with "ecr" too. */
	for (i = 0; i < n; i++) {
		ck_assert_msg(strncmp(list[i], "ecr:", 4) == 0,
			      "'%s' is not an ecr action", list[i]);
		ck_assert_int_ne(cfh_iam_action_scope(list[i]),
				 CFH_IAM_SCOPE_UNKNOWN);
		if (i > 0)
			ck_assert_msg(strcmp(list[i - 1], list[i]) < 0,
				      "'%s', '%s' out of order", list[i - 1],
				      list[i]);
	}
	free(list);

	/* The same set whatever the case of the pattern. */
	ck_assert_int_eq(cfh_iam_expand("ECR:*", &list, &i), 0);
	ck_assert_uint_eq(i, n);
	free(list);
}
END_TEST

START_TEST(test_expand_wildcards)
{
	const char **list = NULL;
	size_t i, n = 0;

	ck_assert_int_eq(cfh_iam_expand("logs:*Delivery*", &list, &n), 0);
	ck_assert(list_has(list, n, "logs:createlogdelivery"));
	ck_assert(list_has(list, n, "logs:deletelogdelivery"));
	ck_assert(!list_has(list, n, "logs:putlogevents"));
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(strstr(list[i], "delivery"));
	free(list);

	ck_assert_int_eq(cfh_iam_expand("s3:Get*", &list, &n), 0);
	ck_assert(list_has(list, n, "s3:getobject"));
	ck_assert(list_has(list, n, "s3:getbucketpolicy"));
	ck_assert(!list_has(list, n, "s3:putobject"));
	for (i = 0; i < n; i++)
		ck_assert_msg(strncmp(list[i], "s3:get", 6) == 0,
			      "'%s' does not match s3:Get*", list[i]);
	free(list);

	/* '?' is exactly one character. */
	ck_assert_int_eq(cfh_iam_expand("s3:?etObject", &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0], "s3:getobject");
	free(list);
	ck_assert_int_eq(cfh_iam_expand("ecr:BatchGetImag?", &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0], "ecr:batchgetimage");
	free(list);
	ck_assert_int_eq(cfh_iam_expand("ecr:BatchGetImage?", &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);

	/* A wildcard in the service: ecr and ecr-public both. */
	ck_assert_int_eq(cfh_iam_expand("ecr*:GetAuthorizationToken", &list,
					&n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0], "ecr:getauthorizationtoken");
	ck_assert_str_eq(list[1], "ecr-public:getauthorizationtoken");
	free(list);

	/* No wildcard: the action itself, in the table's lower case. */
	ck_assert_int_eq(cfh_iam_expand("ECR:BatchGetImage", &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0], "ecr:batchgetimage");
	free(list);
}
END_TEST

START_TEST(test_expand_nothing)
{
	const char **list = NULL;
	size_t n = 1;

	ck_assert_int_eq(cfh_iam_expand("", &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
	ck_assert_int_eq(cfh_iam_expand("no-such-service:*", &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(cfh_iam_expand("ecr:NoSuch*", &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* Without its ':' a name matches no action. */
	ck_assert_int_eq(cfh_iam_expand("ecr", &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(cfh_iam_expand(NULL, &list, &n), -1);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
}
END_TEST

/*
 * Every action of the table, through "*", is found again by its own name:
 * the table is sorted as the binary searches need, across all services.
 */
START_TEST(test_every_action_found)
{
	const char **list = NULL;
	size_t i, n = 0, star = 0;

	ck_assert_int_eq(cfh_iam_expand("*", &list, &n), 0);
	ck_assert_uint_gt(n, 15000);
	for (i = 0; i < n; i++) {
		enum cfh_iam_scope s = cfh_iam_action_scope(list[i]);

		ck_assert_msg(s != CFH_IAM_SCOPE_UNKNOWN, "'%s' not found",
			      list[i]);
		star += s == CFH_IAM_SCOPE_STAR_ONLY;
	}
	ck_assert_uint_gt(star, 0);
	ck_assert_uint_lt(star, n);
	free(list);
}
END_TEST

START_TEST(test_arn_format)
{
	ck_assert_str_eq(cfh_iam_arn_format("ecr", "repository", 0),
			 "arn:${Partition}:ecr:${Region}:${Account}:repository/.*");
	ck_assert_ptr_null(cfh_iam_arn_format("ecr", "repository", 1));
	ck_assert_str_eq(cfh_iam_arn_format("S3", "Bucket", 0),
			 "arn:${Partition}:s3:::.*");
	ck_assert_ptr_null(cfh_iam_arn_format("ecr", "bucket", 0));
	ck_assert_ptr_null(cfh_iam_arn_format("no-such-service", "x", 0));
	ck_assert_ptr_null(cfh_iam_arn_format(NULL, "repository", 0));
}
END_TEST

Suite *iam_table_suite(void)
{
	Suite *s = suite_create("iam_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_star_only);
	tcase_add_test(tc, test_resource_level);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_expand_service);
	tcase_add_test(tc, test_expand_wildcards);
	tcase_add_test(tc, test_expand_nothing);
	tcase_add_test(tc, test_every_action_found);
	tcase_add_test(tc, test_arn_format);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
#ifndef CFH_IAM_TABLE_H
#define CFH_IAM_TABLE_H
#include <stdbool.h>
#include <stddef.h>
/*
 * Ownership: every string returned is static, read-only table data, never
 * to be freed; the only allocation is the array cfh_iam_expand() returns,
 * which the caller frees (not its strings). Arguments are borrowed.
 */

/*
 * The IAM actions AWS documents, generated into iam_table.c by
 * tools/gen-iam-table.py from the IAM service reference data cfn-lint
 * ships (AdditionalSpecs/Policies.json), which is what cfn-lint checks a
 * policy's actions and resources against: every service prefix, its
 * actions, the resource types each action accepts, and their ARN formats.
 *
 * Queries ignore letter case, as IAM does ("ECR:batchGetImage" is
 * "ecr:BatchGetImage"). Answers are in lower case ("ecr:batchgetimage"):
 * the data keeps no other, since cfn-lint lower-cases every name when it
 * builds it; IAM accepts actions in any case. Every look-up is a binary
 * search by service, then by action or resource type within it.
 */

/* What Resource an action can be granted on. */
enum cfh_iam_scope {
	CFH_IAM_SCOPE_UNKNOWN,	 /* the service or the action is not known */
	CFH_IAM_SCOPE_STAR_ONLY, /* no resource type: only Resource "*"
				  * (ecr:GetAuthorizationToken) */
	CFH_IAM_SCOPE_RESOURCE,	 /* at least one resource type
				  * (ecr:BatchGetImage on a repository) */
};

/**
 * cfh_iam_service_known() - whether a service prefix is known
 * @prefix: a service prefix, "ecr", in any case; NULL is not known
 *
 * Returns: true if the data has the service.
 */
bool cfh_iam_service_known(const char *prefix);

/**
 * cfh_iam_action_scope() - what Resource an action can be granted on
 * @action: "service:Action", in any case; wildcards are not expanded (see
 *          cfh_iam_expand()), so "ecr:Get*" is CFH_IAM_SCOPE_UNKNOWN
 *
 * Returns: CFH_IAM_SCOPE_STAR_ONLY if the action takes no resource type,
 * CFH_IAM_SCOPE_RESOURCE if it takes one or more, CFH_IAM_SCOPE_UNKNOWN
 * if @action is NULL, has no ':', or its service or action is not known.
 */
enum cfh_iam_scope cfh_iam_action_scope(const char *action);

/**
 * cfh_iam_action_takes() - whether an action accepts a resource type
 * @action: "service:Action", in any case
 * @resource_type: a resource type of the action's service as the IAM
 *                 service reference names it ("repository", "object",
 *                 "log-group"), in any case
 *
 *     cfh_iam_action_takes("ecr:BatchGetImage", "repository")   true
 *     cfh_iam_action_takes("s3:GetObject", "bucket")            false
 *
 * Returns: true if @resource_type is one of @action's resource types;
 * false for a star-only or unknown action, an unknown type, or NULL.
 */
bool cfh_iam_action_takes(const char *action, const char *resource_type);

/**
 * cfh_iam_expand() - the actions an IAM action pattern matches
 * @pattern: "service:Action" with IAM's wildcards, '*' for any run of
 *           characters and '?' for any one, matched against the whole
 *           "service:action" in any case: "ecr:*", "s3:Get*",
 *           "logs:*Delivery*", "*"
 * @out: receives a malloc'ed array of @n static strings, in lower case,
 *       by service and then by action ("ecr:batchgetimage"), or NULL
 *       when nothing matches
 * @n: receives the number of actions
 *
 * A pattern without a wildcard matches itself if it is a known action; an
 * empty pattern, or one of an unknown service, matches nothing.
 *
 * Returns: 0, or -1 if @pattern is NULL or out of memory (then *@out is
 * NULL and *@n 0). The caller frees *@out, and not the strings in it.
 */
int cfh_iam_expand(const char *pattern, const char ***out, size_t *n);

/**
 * cfh_iam_arn_format() - one ARN format of a service's resource type
 * @service: a service prefix, "ecr", in any case
 * @resource_type: one of its resource types, "repository", in any case
 * @i: index; the formats end where this returns NULL
 *
 * The formats are as cfn-lint keeps them: partition, region and account
 * as "${Partition}", "${Region}" and "${Account}", and the resource part
 * cut at its first variable, which becomes ".*":
 * "arn:${Partition}:ecr:${Region}:${Account}:repository/.*".
 *
 * Returns: the static format, or NULL if @i is past the last one or the
 * service or the type is not known.
 */
const char *cfh_iam_arn_format(const char *service, const char *resource_type,
			       size_t i);
#endif

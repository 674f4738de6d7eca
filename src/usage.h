/* SPDX-License-Identifier: MIT */
/*
 * The usage model: who uses a resource, and whether anyone outside the
 * template can. A pass that changes what a resource admits (moves it to a
 * key, scopes a policy to it, rewrites its resource policy) asks here
 * first, and makes the change only when every user is known and kept
 * working; otherwise it advises, naming the users it could not account
 * for.
 *
 * Inside the template the users are read off the reference graph: the
 * roles through the principals that assume them (cfh_principal_uses()),
 * the services that deliver into a store (cfh_store_services()), and the
 * CloudFront distributions that serve a bucket (cfh_usage_origin()).
 * Outside it, nothing can be known, only whether the template lets anyone
 * find the resource (cfh_usage_outside()).
 *
 * Ownership: nothing is allocated; logical IDs and nodes are borrowed
 * from the template.
 */
#ifndef CFH_USAGE_H
#define CFH_USAGE_H

#include "model.h"

/* How a bucket is served by the template's CloudFront distributions. */
enum cfh_origin {
	CFH_ORIGIN_NONE,	/* no distribution serves it */
	CFH_ORIGIN_OAC,		/* every origin that names it signs with
				 * origin access control: the distribution
				 * can decrypt if the key policy admits
				 * cloudfront.amazonaws.com */
	CFH_ORIGIN_OTHER,	/* through an origin access identity, a
				 * public or custom origin, or a form not
				 * read: SSE-KMS objects cannot be served */
};

/**
 * cfh_usage_origin() - how CloudFront serves a bucket
 * @id: the bucket's logical ID
 * Returns: the weakest way any origin of any distribution reaches it (one
 * OAI origin beside an OAC one is CFH_ORIGIN_OTHER); CFH_ORIGIN_OTHER
 * when out of memory, the safe answer.
 */
enum cfh_origin cfh_usage_origin(struct cfh_template *t, const char *id);

/**
 * cfh_usage_outside() - can clients outside the template use a resource?
 * @id: the resource's logical ID
 * @why: receives the first reason found, as a phrase ("exported by Output
 *       'QueueArn'", "its QueueName 'orders' is fixed"); may be NULL
 * @n: size of @why
 *
 * True when an Output shows the resource (exported or not: whoever deploys
 * reads Outputs to configure clients), or when its physical name is fixed:
 * a literal, a parameter, an import, or any expression that does not
 * contain ${AWS::StackName} (a name unique to the stack is the stack's
 * own; a fixed one is how other stacks and programs find it). Literal
 * ARNs in other templates cannot be seen from here: a fixed name is the
 * only way to write one, so it stands for them.
 * Returns: 1 (outside use possible, @why filled), 0, or -1 when out of
 * memory.
 */
int cfh_usage_outside(struct cfh_template *t, const char *id, char *why,
		      size_t n);

/**
 * cfh_usage_foreign() - does a principal use resources the template does
 * not define, of one service?
 * @pid: the principal's logical ID (a function, a task, a project, ...)
 * @service: an IAM service prefix ("s3", "dynamodb"), or NULL for any
 * @why: receives the first sign found ("parameter 'DataBucket'"); may be
 *       NULL
 * @n: size of @why
 *
 * Such a resource has no logical ID, so scoping a statement to the
 * template's ARNs of that service would take its access away. Signs, read
 * anywhere in the principal's Properties: a parameter whose name,
 * description or default names a resource of the service (DataBucket,
 * "the table to read", arn:aws:s3:::...), an import whose export name
 * does, a literal ARN of the service, and an environment variable named
 * for one (BUCKET_NAME) with a literal value. Word signs err on the side
 * of finding one: the cost is a statement left on "*" with an advisory.
 * Returns: 1 (@why filled), 0, or -1 when out of memory.
 */
int cfh_usage_foreign(struct cfh_template *t, const char *pid,
		      const char *service, char *why, size_t n);

#endif

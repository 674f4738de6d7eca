/* SPDX-License-Identifier: MIT */
/*
 * Data stores and their encryption at rest: which resource types hold data,
 * where each takes its KMS key, whether one is already encrypted with a
 * key its author chose, the edits that encrypt it with a given key, and
 * who else needs that key (the services that deliver into the store, the
 * actions that write to it). One table of store types, so that the pass
 * that encrypts them and any pass that adds a store later agree on what
 * "encrypted" means for each.
 *
 * Ownership: the tables are static; nodes are borrowed from the template;
 * logical IDs are borrowed from the caller.
 */
#ifndef CFH_ENCRYPTION_STORES_H
#define CFH_ENCRYPTION_STORES_H

#include "engine.h"
#include "kms.h"

/* What a store needs, as cfh_store_check() reads it. */
enum cfh_store_state {
	CFH_STORE_DONE,		/* encrypted with a customer key, decided
				 * elsewhere (deploy time, a cluster, a
				 * source), or not a store at all */
	CFH_STORE_WANTS_KEY,	/* cfh_store_encrypt() would encrypt it */
	CFH_STORE_WEBSITE,	/* a website bucket: with KMS, anonymous
				 * readers could not decrypt it; a human
				 * decides */
	CFH_STORE_CDN,		/* a CloudFront origin reached through an
				 * origin access identity or as a custom
				 * origin: KMS objects cannot be served at
				 * all (through origin access control it
				 * wants the key, and cfh_store_services()
				 * admits CloudFront) */
	CFH_STORE_DYNAMIC,	/* chosen by an intrinsic function (a !If
				 * between two configurations): the author's
				 * choice, with no single place to name the
				 * key */
	CFH_STORE_REPLICATED,	/* replicated: SSE-KMS objects are only
				 * replicated with SseKmsEncryptedObjects and
				 * a replica key */
};

/**
 * cfh_store_is() - is a resource type a data store of the table?
 * @type: a resource type, or NULL
 * Returns: true for the types cfh_store_check() and cfh_store_encrypt()
 * know (S3, SQS, SNS, Logs, Secrets Manager, CodeBuild, DynamoDB, Kinesis,
 * Firehose, EFS, RDS, EBS, ElastiCache, CodePipeline, Lambda, ECR and the
 * SAM function and table).
 */
bool cfh_store_is(const char *type);

/**
 * cfh_store_key_is_customer() - does a key reference name a key the
 * author chose?
 * @k: the value of a key property, or NULL
 * Returns: true for anything but absent, empty, an AWS-managed alias
 * (alias/aws/...) or its "aws/..." form; an intrinsic counts as chosen.
 */
bool cfh_store_key_is_customer(const struct cfh_node *k);

/**
 * cfh_store_check() - what a store needs to be encrypted with a customer key
 * @id: the store's logical ID
 * @res: the store's resource node
 *
 * Only reads the template. AWS-owned or AWS-managed encryption (AES256,
 * alias/aws/...) needs the key; so does an ElastiCache group without
 * transit encryption or an AUTH token (S002-08). Buckets that receive
 * server access or load-balancer logs (cfh_store_is_log_target()) are
 * left as they are.
 * Returns: the state; CFH_STORE_DONE for types that are no store.
 */
enum cfh_store_state cfh_store_check(struct cfh_template *t, const char *id,
				     const struct cfh_node *res);

/**
 * cfh_store_encrypt() - encrypt a store with a key of the template
 * @id: the store's logical ID
 * @res: the store's resource node, one cfh_store_check() says wants a key
 * @key: the logical ID of the AWS::KMS::Key
 *
 * Writes the properties its type encrypts with (a Bucket Key for S3, the
 * flag and the key for RDS, EFS and EBS, at-rest and transit encryption
 * and a generated AUTH token for ElastiCache, ...), each change with its
 * reason; advises where the type cannot take a customer key (a SAM
 * SimpleTable).
 * Returns: 0, or -1 on error.
 */
int cfh_store_encrypt(struct cfh_run *r, const char *id, struct cfh_node *res,
		      const char *key);

/**
 * cfh_store_encrypt_replaces() - would encrypting a store replace it?
 * @res: a store's resource node
 * Returns: true when its key property or its encryption flag is
 * createOnly (RDS, EFS, ElastiCache at rest, ECR): a deployed one would be
 * replaced, empty, by an encrypted one.
 */
bool cfh_store_encrypt_replaces(const struct cfh_node *res);

/**
 * cfh_store_key() - the property of a store that names its key
 * @res: a resource node
 * Returns: the value (borrowed; the whole BucketEncryption of a bucket),
 * or NULL when absent or when @res is no store that names a key.
 */
const struct cfh_node *cfh_store_key(const struct cfh_node *res);

/**
 * cfh_store_is_log_target() - does a bucket receive logs AWS delivers?
 * @id: the bucket's logical ID
 *
 * Server access logs, load-balancer logs and CloudFront logs can be
 * delivered only to buckets with SSE-S3: a KMS default would silently
 * stop them.
 * Returns: true if a bucket, load balancer or distribution of the template
 * logs into @id (and when out of memory: the safe answer).
 */
bool cfh_store_is_log_target(struct cfh_template *t, const char *id);

/**
 * cfh_store_services() - the services that deliver into a store
 * @id: the store's logical ID
 * @svc: entries set to true (never cleared) for each service that needs
 *       the store's key to deliver: CloudWatch Logs for a log group, S3
 *       notifications, EventBridge targets, alarm actions, SNS
 *       subscriptions, CodeStar notifications, CloudTrail, and CloudFront
 *       for a bucket it serves through origin access control
 *
 * Reads the store's referrers through the graph.
 * Returns: 0, or -1 when out of memory.
 */
int cfh_store_services(struct cfh_template *t, const char *id,
		       bool svc[CFH_SVC_COUNT]);

/**
 * cfh_store_action_writes() - does an IAM action write data into a store?
 * @action: an action as a policy writes it ("s3:PutObject", "sqs:*")
 * Returns: true if a principal allowed it needs kms:GenerateDataKey on the
 * store's key as well as kms:Decrypt.
 */
bool cfh_store_action_writes(const char *action);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Pass `encryption` (S004-01, S001-06, S003-06, S002-08): one
 * customer-managed KMS key, used by every data store, and usable by every
 * principal and service that touches them.
 *
 * Encrypting a store is the easy half; what breaks naive auto-encryption is
 * the other half: a log group whose key does not admit the Logs service, an
 * S3 notification or EventBridge target or alarm action delivering into an
 * encrypted queue or topic whose key does not admit s3, events or
 * cloudwatch, a function whose role may read the table but not decrypt it.
 * So the pass (1) picks the template's own symmetric key or adds one, (2)
 * encrypts each store with the property its type expects, (3) writes a key
 * policy statement for each service that delivers into an encrypted store,
 * scoped to this account, and (4) grants each role whose principal uses an
 * encrypted store kms:Decrypt (and kms:GenerateDataKey when it writes) on
 * this key alone.
 *
 *   Queue:                              Queue:
 *     Type: AWS::SQS::Queue    ==>        Type: AWS::SQS::Queue
 *                                         Properties:
 *                                           KmsMasterKeyId: !GetAtt EncryptionKey.Arn
 *
 * Stores that already use a customer-managed key are left alone; AWS-owned
 * or AWS-managed encryption (AES256, alias/aws/...) is upgraded. Stores
 * whose encryption AWS cannot do with a customer key, or that need a human
 * decision (server access log targets, website buckets), get an advisory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"
#include "passlib.h"

struct enc {
	struct cfh_template *t;
	const char *key;		/* logical ID of the key */
	bool key_new;
	struct cfh_ids targets;		/* stores to encrypt now */
	struct cfh_ids ours;		/* stores encrypted with the key, after */
	bool svc[CFH_SVC_COUNT];
};

static json_t *key_arn(const struct enc *x)
{
	return cfh_json_getatt(x->key, "Arn");
}

/* A key reference the user chose: anything but empty, an AWS-managed alias
 * (alias/aws/...) or the literal "aws/..." form. */
static bool is_customer_key(const struct cfh_node *k)
{
	const char *s;

	if (!k)
		return false;
	if (cfh_is_dynamic(k))
		return true;
	s = cfh_node_str(k);
	return s && *s && strncmp(s, "alias/aws/", 10) && strncmp(s, "aws/", 4);
}

/* True if @k names the pass's key. */
static bool is_our_key(const struct enc *x, const struct cfh_node *k)
{
	return k && cfh_refers_to(k, x->key);
}

/*
 * How each type is encrypted. check() says whether the store needs work
 * (1), is already encrypted with a customer key (0), or must be left with
 * an advisory (-1, having written it); apply() makes the change.
 */
struct store {
	const char *type;
	const char *keyprop;	/* where the key goes, for is_our_key() */
	int (*check)(struct enc *x, const char *id, struct cfh_node *res);
	int (*apply)(struct enc *x, const char *id, struct cfh_node *res);
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* Stores whose encryption is one key-id property: customer key or not. */
static int check_keyprop(struct cfh_node *res, const char *prop)
{
	struct cfh_node *p = props_of(res);

	if (p && !cfh_node_is_map(p))
		return 0;	/* Properties decided at deploy time */
	return is_customer_key(cfh_map_get(p, prop)) ? 0 : 1;
}

/* ---- S3 ---- */

static struct cfh_node *s3_default(const struct cfh_node *res)
{
	return cfh_seq_at(cfh_map_path(props_of(res), "BucketEncryption",
				       "ServerSideEncryptionConfiguration",
				       NULL),
			  0);
}

/* Server access logs and load-balancer logs can be delivered only to
 * buckets with SSE-S3: a KMS default would silently stop the logs. */
static bool s3_is_log_target(struct enc *x, const char *id)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_referrers(x->t, id, NULL, &refs, &n))
		return true;	/* out of memory: the safe answer */
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *r = cfh_resource(x->t, refs[i]);
		const struct cfh_node *p = props_of(r);

		if (cfh_res_is(r, "AWS::S3::Bucket"))
			hit = cfh_refers_to(cfh_map_path(p, "LoggingConfiguration",
							 "DestinationBucketName",
							 NULL),
					    id);
		else if (cfh_res_is(r, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			hit = cfh_refers_to(cfh_map_get(p, "LoadBalancerAttributes"),
					    id);
		else if (cfh_res_is(r, "AWS::CloudFront::Distribution"))
			hit = cfh_refers_to(cfh_map_path(p, "DistributionConfig",
							 "Logging", NULL),
					    id);
	}
	free(refs);
	return hit;
}

static int s3_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = props_of(res), *rule, *d;
	const char *alg;

	if (p && !cfh_node_is_map(p))
		return 0;
	if (cfh_map_get(p, "WebsiteConfiguration"))
		return cfh_advise(x->t, res,
				  "website bucket not encrypted with KMS: "
				  "anonymous readers cannot decrypt; serve it "
				  "through CloudFront with origin access "
				  "control first") ? -2 : -1;
	if (s3_is_log_target(x, id))
		return 0;	/* handled by s3 log targets below */
	rule = s3_default(res);
	if (cfh_map_get(p, "BucketEncryption") && !rule)
		return 0;	/* an intrinsic: the author decides */
	d = cfh_map_get(rule, "ServerSideEncryptionByDefault");
	alg = cfh_node_str(cfh_map_get(d, "SSEAlgorithm"));
	if (alg && !strncmp(alg, "aws:kms", 7) &&
	    is_customer_key(cfh_map_get(d, "KMSMasterKeyID")))
		return 0;
	if (cfh_is_dynamic(cfh_map_get(d, "SSEAlgorithm")))
		return 0;
	return 1;
}

static int s3_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p, *rule;
	json_t *def;

	(void)id;
	def = json_pack("{s:s, s:o}", "SSEAlgorithm", "aws:kms",
			"KMSMasterKeyID", key_arn(x));
	rule = s3_default(res);
	if (!rule) {
		p = cfh_res_props(x->t, res, "add Properties");
		return !p || cfh_edit_set_take(
				     x->t, p, "BucketEncryption",
				     json_pack("{s:[{s:o, s:b}]}",
					       "ServerSideEncryptionConfiguration",
					       "ServerSideEncryptionByDefault",
					       def, "BucketKeyEnabled", 1),
				     "encrypt the bucket with the template's "
				     "customer-managed KMS key (S3 Bucket Keys "
				     "keep KMS request costs down)",
				     NULL);
	}
	if (cfh_edit_set_take(x->t, rule, "ServerSideEncryptionByDefault", def,
			      "replace the default encryption with the "
			      "template's customer-managed KMS key",
			      NULL))
		return -1;
	if (cfh_node_str_eq(cfh_map_get(rule, "BucketKeyEnabled"), "true"))
		return 0;
	return cfh_edit_set_take(x->t, rule, "BucketKeyEnabled", json_true(),
				 "S3 Bucket Keys keep KMS request costs down",
				 NULL);
}

/* ---- one key property ---- */

struct keyprop {
	const char *type, *prop, *what;
};

static const struct keyprop keyprops[] = {
	{ "AWS::SQS::Queue", "KmsMasterKeyId", "queue" },
	{ "AWS::SNS::Topic", "KmsMasterKeyId", "topic" },
	{ "AWS::Logs::LogGroup", "KmsKeyId", "log group" },
	{ "AWS::SecretsManager::Secret", "KmsKeyId", "secret" },
	{ "AWS::CodeBuild::Project", "EncryptionKey", "build artifacts" },
};

static const struct keyprop *keyprop_of(const struct cfh_node *res)
{
	size_t i;

	for (i = 0; i < sizeof(keyprops) / sizeof(*keyprops); i++)
		if (cfh_res_is(res, keyprops[i].type))
			return &keyprops[i];
	return NULL;
}

static int keyprop_check(struct enc *x, const char *id, struct cfh_node *res)
{
	(void)x;
	(void)id;
	return check_keyprop(res, keyprop_of(res)->prop);
}

static int keyprop_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	const struct keyprop *kp = keyprop_of(res);
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");
	char reason[160];

	(void)id;
	if (!p)
		return -1;
	/* SQS-managed SSE and a KMS key are mutually exclusive. */
	if (cfh_map_get(p, "SqsManagedSseEnabled") &&
	    cfh_edit_remove(x->t, p, "SqsManagedSseEnabled",
			    "SQS-managed encryption gives way to the "
			    "customer-managed key"))
		return -1;
	snprintf(reason, sizeof(reason),
		 "encrypt the %s with the template's customer-managed KMS key",
		 kp->what);
	return cfh_edit_set_take(x->t, p, kp->prop, key_arn(x), reason, NULL);
}

/* ---- DynamoDB ---- */

static int ddb_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *sse = cfh_map_path(props_of(res), "SSESpecification",
					    NULL);

	(void)x;
	(void)id;
	if (props_of(res) && !cfh_node_is_map(props_of(res)))
		return 0;
	if (cfh_node_str_eq(cfh_map_get(sse, "SSEType"), "KMS") &&
	    is_customer_key(cfh_map_get(sse, "KMSMasterKeyId")))
		return 0;
	return sse && cfh_is_dynamic(sse) ? 0 : 1;
}

static int ddb_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");

	(void)id;
	return !p || cfh_edit_set_take(
			     x->t, p, "SSESpecification",
			     json_pack("{s:b, s:s, s:o}", "SSEEnabled", 1,
				       "SSEType", "KMS", "KMSMasterKeyId",
				       key_arn(x)),
			     "encrypt the table with the template's "
			     "customer-managed KMS key",
			     NULL);
}

/* ---- Kinesis ---- */

static int kinesis_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *se = cfh_map_get(props_of(res), "StreamEncryption");

	(void)x;
	(void)id;
	if (props_of(res) && !cfh_node_is_map(props_of(res)))
		return 0;
	return se && is_customer_key(cfh_map_get(se, "KeyId")) ? 0 : 1;
}

static int kinesis_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");

	(void)id;
	return !p || cfh_edit_set_take(
			     x->t, p, "StreamEncryption",
			     json_pack("{s:s, s:o}", "EncryptionType", "KMS",
				       "KeyId", key_arn(x)),
			     "encrypt the stream with the template's "
			     "customer-managed KMS key",
			     NULL);
}

/* ---- Firehose ---- */

static int firehose_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);
	struct cfh_node *c = cfh_map_get(p, "DeliveryStreamEncryptionConfigurationInput");

	(void)x;
	(void)id;
	if (p && !cfh_node_is_map(p))
		return 0;
	/* Server-side encryption exists only for Direct PUT streams; a
	 * stream reading from Kinesis inherits the source's encryption. */
	if (cfh_node_str_eq(cfh_map_get(p, "DeliveryStreamType"),
			    "KinesisStreamAsSource"))
		return 0;
	if (cfh_node_str_eq(cfh_map_get(c, "KeyType"), "CUSTOMER_MANAGED_CMK"))
		return 0;
	return c && cfh_is_dynamic(c) ? 0 : 1;
}

static int firehose_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");

	(void)id;
	return !p || cfh_edit_set_take(
			     x->t, p, "DeliveryStreamEncryptionConfigurationInput",
			     json_pack("{s:s, s:o}", "KeyType",
				       "CUSTOMER_MANAGED_CMK", "KeyARN",
				       key_arn(x)),
			     "encrypt the delivery stream with the template's "
			     "customer-managed KMS key",
			     NULL);
}

/* ---- flag + key (EFS, RDS, EBS) ---- */

struct flagkey {
	const char *type, *flag, *key, *what;
};

static const struct flagkey flagkeys[] = {
	{ "AWS::EFS::FileSystem", "Encrypted", "KmsKeyId", "file system" },
	{ "AWS::RDS::DBInstance", "StorageEncrypted", "KmsKeyId",
	  "database storage" },
	{ "AWS::RDS::DBCluster", "StorageEncrypted", "KmsKeyId",
	  "cluster storage" },
	{ "AWS::EC2::Volume", "Encrypted", "KmsKeyId", "volume" },
};

static const struct flagkey *flagkey_of(const struct cfh_node *res)
{
	size_t i;

	for (i = 0; i < sizeof(flagkeys) / sizeof(*flagkeys); i++)
		if (cfh_res_is(res, flagkeys[i].type))
			return &flagkeys[i];
	return NULL;
}

static int flagkey_check(struct enc *x, const char *id, struct cfh_node *res)
{
	const struct flagkey *fk = flagkey_of(res);
	struct cfh_node *p = props_of(res);

	(void)x;
	(void)id;
	if (p && !cfh_node_is_map(p))
		return 0;
	/* Aurora instances take their encryption from the cluster; a
	 * snapshot restore or a replica inherits it from the source. */
	if (cfh_map_get(p, "DBClusterIdentifier") ||
	    cfh_map_get(p, "DBSnapshotIdentifier") ||
	    cfh_map_get(p, "SourceDBInstanceIdentifier") ||
	    cfh_map_get(p, "SnapshotIdentifier") ||
	    cfh_map_get(p, "SourceDBClusterIdentifier"))
		return 0;
	return is_customer_key(cfh_map_get(p, fk->key)) ? 0 : 1;
}

static int flagkey_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	const struct flagkey *fk = flagkey_of(res);
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");
	char reason[160];

	(void)id;
	if (!p)
		return -1;
	snprintf(reason, sizeof(reason),
		 "encrypt the %s at rest with the template's customer-managed "
		 "KMS key", fk->what);
	if (!cfh_node_str_eq(cfh_map_get(p, fk->flag), "true") &&
	    cfh_edit_set_take(x->t, p, fk->flag, json_true(), reason, NULL))
		return -1;
	return cfh_edit_set_take(x->t, p, fk->key, key_arn(x), reason, NULL);
}

/* ---- ElastiCache ---- */

static bool cache_is_memcached(const struct cfh_node *res)
{
	const char *e = cfh_node_str(cfh_map_get(props_of(res), "Engine"));

	return e && !strcmp(e, "memcached");
}

static int cache_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);

	(void)x;
	(void)id;
	if (p && !cfh_node_is_map(p))
		return 0;
	if (cache_is_memcached(res))
		return 0;
	/* Transit encryption already on but no AuthToken is work too
	 * (S002-08): the token is what clients authenticate with. */
	if (is_customer_key(cfh_map_get(p, "KmsKeyId")) &&
	    cfh_node_str_eq(cfh_map_get(p, "TransitEncryptionEnabled"), "true") &&
	    cfh_map_get(p, "AuthToken"))
		return 0;
	return 1;
}

/*
 * Transit encryption without an AuthToken deploys, but clients then need a
 * token the template never made (S002-08); with one from a literal it is
 * an invented secret. So the token is generated by Secrets Manager, and
 * resolved at deploy time through a dynamic reference.
 */
static int cache_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");
	const char *secret;
	char sid[256], ref[512];

	if (!p)
		return -1;
	if (!cfh_node_str_eq(cfh_map_get(p, "AtRestEncryptionEnabled"), "true") &&
	    cfh_edit_set_take(x->t, p, "AtRestEncryptionEnabled", json_true(),
			      "encrypt the cache at rest", NULL))
		return -1;
	if (!is_customer_key(cfh_map_get(p, "KmsKeyId")) &&
	    cfh_edit_set_take(x->t, p, "KmsKeyId", key_arn(x),
			      "encrypt the cache at rest with the template's "
			      "customer-managed KMS key",
			      NULL))
		return -1;
	/* The template's own transit encryption needs the token as much as
	 * the one the pass turns on. */
	if (!cfh_node_str_eq(cfh_map_get(p, "TransitEncryptionEnabled"), "true") &&
	    cfh_edit_set_take(x->t, p, "TransitEncryptionEnabled", json_true(),
			      "encrypt traffic between clients and the cache",
			      NULL))
		return -1;
	if (cfh_map_get(p, "AuthToken"))
		return 0;
	snprintf(sid, sizeof(sid), "%sAuthToken", id);
	secret = cfh_fresh_id(x->t, sid);
	if (!secret)
		return -1;
	if (cfh_edit_add_resource_take(
		    x->t, secret, NULL,
		    json_pack("{s:s, s:{s:s, s:o, s:{s:i, s:b, s:s}}}", "Type",
			      "AWS::SecretsManager::Secret", "Properties",
			      "Description", "AUTH token of the cache",
			      "KmsKeyId", key_arn(x), "GenerateSecretString",
			      "PasswordLength", 64, "ExcludePunctuation", 1,
			      "ExcludeCharacters", "@\"/"),
		    "generate the cache's AUTH token in Secrets Manager: "
		    "transit encryption needs one (S002-08)",
		    NULL))
		return -1;
	snprintf(ref, sizeof(ref), "{{resolve:secretsmanager:${%s}}}", secret);
	return cfh_edit_set_take(x->t, p, "AuthToken",
				 json_pack("{s:s}", "Fn::Sub", ref),
				 "use the generated AUTH token through a "
				 "dynamic reference, never a literal",
				 NULL);
}

/* ---- CodePipeline ---- */

static struct cfh_node *pipeline_store(const struct cfh_node *res)
{
	return cfh_map_path(props_of(res), "ArtifactStore", NULL);
}

static int pipeline_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *s = pipeline_store(res);

	(void)x;
	(void)id;
	if (!cfh_node_is_map(s))
		return 0;	/* ArtifactStores (cross-region): per region */
	return is_customer_key(cfh_map_path(s, "EncryptionKey", "Id", NULL))
		       ? 0
		       : 1;
}

static int pipeline_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	(void)id;
	return cfh_edit_set_take(
		x->t, pipeline_store(res), "EncryptionKey",
		json_pack("{s:o, s:s}", "Id", key_arn(x), "Type", "KMS"),
		"encrypt pipeline artifacts with the template's "
		"customer-managed KMS key",
		NULL);
}

/* ---- Lambda environment ---- */

static int lambda_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);

	(void)x;
	(void)id;
	if (p && !cfh_node_is_map(p))
		return 0;
	if (!cfh_map_path(p, "Environment", "Variables", NULL))
		return 0;
	return is_customer_key(cfh_map_get(p, "KmsKeyArn")) ? 0 : 1;
}

static int lambda_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	(void)id;
	return cfh_edit_set_take(x->t, props_of(res), "KmsKeyArn", key_arn(x),
				 "encrypt the function's environment "
				 "variables with the template's "
				 "customer-managed KMS key",
				 NULL);
}

/* ---- ECR ---- */

static int ecr_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *c = cfh_map_get(props_of(res), "EncryptionConfiguration");

	(void)x;
	(void)id;
	if (props_of(res) && !cfh_node_is_map(props_of(res)))
		return 0;
	return c && is_customer_key(cfh_map_get(c, "KmsKey")) ? 0 : 1;
}

static int ecr_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");

	(void)id;
	return !p || cfh_edit_set_take(
			     x->t, p, "EncryptionConfiguration",
			     json_pack("{s:s, s:o}", "EncryptionType", "KMS",
				       "KmsKey", key_arn(x)),
			     "encrypt images with the template's "
			     "customer-managed KMS key",
			     NULL);
}

/* ---- SAM ---- */

static int sam_table_check(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *sse = cfh_map_get(props_of(res), "SSESpecification");

	(void)x;
	(void)id;
	if (props_of(res) && !cfh_node_is_map(props_of(res)))
		return 0;
	return cfh_node_str_eq(cfh_map_get(sse, "SSEEnabled"), "true") ? 0 : 1;
}

/* SimpleTable's SSESpecification takes no key: the AWS-managed key is as
 * far as SAM goes; a customer key needs an AWS::DynamoDB::Table. */
static int sam_table_apply(struct enc *x, const char *id, struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");

	(void)id;
	if (!p || cfh_edit_set_take(x->t, p, "SSESpecification",
				    json_pack("{s:b}", "SSEEnabled", 1),
				    "turn on KMS encryption of the table", NULL))
		return -1;
	return cfh_advise(x->t, res,
			  "AWS::Serverless::SimpleTable cannot use a "
			  "customer-managed key: use AWS::DynamoDB::Table for "
			  "one");
}

static const struct store stores[] = {
	{ "AWS::S3::Bucket", "BucketEncryption", s3_check, s3_apply },
	{ "AWS::SQS::Queue", "KmsMasterKeyId", keyprop_check, keyprop_apply },
	{ "AWS::SNS::Topic", "KmsMasterKeyId", keyprop_check, keyprop_apply },
	{ "AWS::Logs::LogGroup", "KmsKeyId", keyprop_check, keyprop_apply },
	{ "AWS::SecretsManager::Secret", "KmsKeyId", keyprop_check,
	  keyprop_apply },
	{ "AWS::CodeBuild::Project", "EncryptionKey", keyprop_check,
	  keyprop_apply },
	{ "AWS::DynamoDB::Table", "SSESpecification", ddb_check, ddb_apply },
	{ "AWS::Kinesis::Stream", "StreamEncryption", kinesis_check,
	  kinesis_apply },
	{ "AWS::KinesisFirehose::DeliveryStream",
	  "DeliveryStreamEncryptionConfigurationInput", firehose_check,
	  firehose_apply },
	{ "AWS::EFS::FileSystem", "KmsKeyId", flagkey_check, flagkey_apply },
	{ "AWS::RDS::DBInstance", "KmsKeyId", flagkey_check, flagkey_apply },
	{ "AWS::RDS::DBCluster", "KmsKeyId", flagkey_check, flagkey_apply },
	{ "AWS::EC2::Volume", "KmsKeyId", flagkey_check, flagkey_apply },
	{ "AWS::ElastiCache::ReplicationGroup", "KmsKeyId", cache_check,
	  cache_apply },
	{ "AWS::CodePipeline::Pipeline", "ArtifactStore", pipeline_check,
	  pipeline_apply },
	{ "AWS::Lambda::Function", "KmsKeyArn", lambda_check, lambda_apply },
	{ "AWS::Serverless::Function", "KmsKeyArn", lambda_check,
	  lambda_apply },
	{ "AWS::ECR::Repository", "EncryptionConfiguration", ecr_check,
	  ecr_apply },
	{ "AWS::Serverless::SimpleTable", NULL, sam_table_check,
	  sam_table_apply },
};

static const struct store *store_of(const struct cfh_node *res)
{
	size_t i;

	for (i = 0; i < sizeof(stores) / sizeof(*stores); i++)
		if (cfh_res_is(res, stores[i].type))
			return &stores[i];
	return NULL;
}

/* Which services deliver into the stores the key protects: the referrers
 * of each store, through the graph. */
static int find_services(struct enc *x)
{
	size_t i, k, n;

	for (i = 0; i < x->ours.n; i++) {
		const char *id = x->ours.v[i];
		const char **refs;

		if (cfh_res_is(cfh_resource(x->t, id), "AWS::Logs::LogGroup"))
			x->svc[CFH_SVC_LOGS] = true;
		if (cfh_referrers(x->t, id, NULL, &refs, &n))
			return -1;
		for (k = 0; k < n; k++) {
			const struct cfh_node *r = cfh_resource(x->t, refs[k]);
			const struct cfh_node *p = props_of(r);

			if (cfh_res_is(r, "AWS::S3::Bucket") &&
			    cfh_refers_to(cfh_map_get(p, "NotificationConfiguration"), id))
				x->svc[CFH_SVC_S3] = true;
			if (cfh_res_is(r, "AWS::Events::Rule") &&
			    cfh_refers_to(cfh_map_get(p, "Targets"), id))
				x->svc[CFH_SVC_EVENTS] = true;
			if (cfh_res_is(r, "AWS::CloudWatch::Alarm") &&
			    (cfh_refers_to(cfh_map_get(p, "AlarmActions"), id) ||
			     cfh_refers_to(cfh_map_get(p, "OKActions"), id) ||
			     cfh_refers_to(cfh_map_get(p, "InsufficientDataActions"), id)))
				x->svc[CFH_SVC_CLOUDWATCH] = true;
			if ((cfh_res_is(r, "AWS::SNS::Subscription") &&
			     cfh_refers_to(cfh_map_get(p, "Endpoint"), id)) ||
			    (cfh_res_is(r, "AWS::SNS::Topic") &&
			     cfh_refers_to(cfh_map_get(p, "Subscription"), id)))
				x->svc[CFH_SVC_SNS] = true;
			if (cfh_res_is(r, "AWS::CodeStarNotifications::NotificationRule") &&
			    cfh_refers_to(cfh_map_get(p, "Targets"), id))
				x->svc[CFH_SVC_CODESTAR] = true;
			if (cfh_res_is(r, "AWS::CloudTrail::Trail") &&
			    cfh_refers_to(cfh_map_get(p, "S3BucketName"), id))
				x->svc[CFH_SVC_CLOUDTRAIL] = true;
		}
		free(refs);
	}
	return 0;
}

static json_t *root_statement(void)
{
	return json_pack("{s:s, s:s, s:{s:{s:s}}, s:s, s:s}", "Sid",
			 "EnableRootAccountAdministration", "Effect", "Allow",
			 "Principal", "AWS", "Fn::Sub",
			 "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
			 "Action", "kms:*", "Resource", "*");
}

static int add_key(struct enc *x)
{
	const char *env = cfh_env_param(x->t);
	json_t *stmts = json_array(), *key;
	char alias[256];
	const char *alias_id;
	int s;

	json_array_append_new(stmts, root_statement());
	for (s = 0; s < CFH_SVC_COUNT; s++)
		if (x->svc[s])
			json_array_append_new(stmts, cfh_kms_service_statement(s));
	key = json_pack("{s:s, s:{s:s, s:b, s:i, s:{s:s, s:o}}}", "Type",
			"AWS::KMS::Key", "Properties", "Description",
			"Customer-managed key for the stack's data at rest",
			"EnableKeyRotation", 1, "PendingWindowInDays", 30,
			"KeyPolicy", "Version", "2012-10-17", "Statement",
			stmts);
	x->key = cfh_fresh_id(x->t, "EncryptionKey");
	if (!x->key ||
	    cfh_edit_add_resource_take(x->t, x->key, NULL, key,
				       "add a customer-managed KMS key with "
				       "rotation and a key policy for the "
				       "services that use it (S004-01)",
				       NULL))
		return -1;
	x->key_new = true;
	if (env)
		snprintf(alias, sizeof(alias), "alias/${AWS::StackName}-${%s}",
			 env);
	else
		snprintf(alias, sizeof(alias), "alias/${AWS::StackName}-data");
	alias_id = cfh_fresh_id(x->t, "EncryptionKeyAlias");
	return !alias_id ||
	       cfh_edit_add_resource_take(
		       x->t, alias_id, NULL,
		       json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "Type",
				 "AWS::KMS::Alias", "Properties", "AliasName",
				 "Fn::Sub", alias, "TargetKeyId", "Ref", x->key),
		       "name the key with an alias", NULL);
}

/* A reused key: add the service statements its policy lacks. */
static int extend_key(struct enc *x)
{
	struct cfh_node *res = cfh_resource(x->t, x->key);
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");
	struct cfh_node *pol;
	int s;

	if (!p)
		return 0;
	pol = cfh_map_get(p, "KeyPolicy");
	if (!pol) {
		json_t *all = json_array();

		/* No policy means the default one (the account root): say
		 * so, and add the services. */
		json_array_append_new(all, root_statement());
		for (s = 0; s < CFH_SVC_COUNT; s++)
			if (x->svc[s])
				json_array_append_new(all, cfh_kms_service_statement(s));
		return cfh_edit_set_take(x->t, p, "KeyPolicy",
					 json_pack("{s:s, s:o}", "Version",
						   "2012-10-17", "Statement",
						   all),
					 "write the key policy: the account root "
					 "administers the key, and the services "
					 "that deliver into encrypted resources "
					 "may use it",
					 NULL);
	}
	for (s = 0; s < CFH_SVC_COUNT; s++)
		if (x->svc[s] && cfh_kms_admit(x->t, x->key, (enum cfh_svc)s))
			return -1;
	return 0;
}

/* ---- IAM grants ---- */

/*
 * Stores whose users need the key through IAM. Not log groups (CloudWatch
 * Logs uses the key itself, under the key policy) and not functions (their
 * key protects their own environment, which Lambda decrypts through a
 * grant of its own). Not build projects or pipelines either: their key
 * encrypts the artifacts their own role writes (principal_uses() grants
 * that role), while whoever else names one only starts or watches it (an
 * EventBridge rule's StartPipelineExecution, a function's StartBuild),
 * which touches no artifact; a principal that reads the artifacts names
 * their bucket, which counts on its own.
 */
static bool is_runner(const struct cfh_node *r)
{
	return cfh_res_is(r, "AWS::CodeBuild::Project") ||
	       cfh_res_is(r, "AWS::CodePipeline::Pipeline");
}

static bool needs_iam_grant(struct enc *x, const char *id)
{
	const struct cfh_node *r = cfh_resource(x->t, id);

	return cfh_ids_has(&x->ours, id) &&
	       !cfh_res_is(r, "AWS::Logs::LogGroup") &&
	       !cfh_res_is(r, "AWS::Lambda::Function") &&
	       !cfh_res_is(r, "AWS::Serverless::Function") && !is_runner(r);
}

/* Actions that write: a principal that writes needs GenerateDataKey. */
static bool is_write_action(const char *a)
{
	static const char *const prefixes[] = {
		"s3:Put", "s3:*", "sqs:SendMessage", "sqs:*", "sns:Publish",
		"sns:*", "dynamodb:Put", "dynamodb:Update", "dynamodb:BatchWrite",
		"dynamodb:*", "kinesis:Put", "kinesis:*", "firehose:Put",
		"firehose:*", "logs:Put", "secretsmanager:PutSecretValue",
		"secretsmanager:*", "*", "ecr:Put", "ecr:*",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
		if (!strncmp(a, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

struct need {
	bool decrypt, generate;
};

static void statement_needs(struct enc *x, const struct cfh_node *s,
			    struct need *nd)
{
	const struct cfh_node *act = cfh_map_get(s, "Action");
	const struct cfh_entry *a;
	bool hit = false;
	size_t i;

	if (cfh_node_str_eq(cfh_map_get(s, "Effect"), "Deny"))
		return;
	{
		const char **refs;
		size_t n;

		/* The statement's references, checked against the set: not
		 * every store checked against the statement. */
		if (cfh_refs_in(x->t, cfh_map_get(s, "Resource"), &refs, &n)) {
			hit = true;	/* out of memory: grant, not break */
		} else {
			for (i = 0; i < n && !hit; i++)
				hit = needs_iam_grant(x, refs[i]);
			free(refs);
		}
	}
	if (!hit)
		return;
	nd->decrypt = true;
	if (cfh_node_str(act) && is_write_action(cfh_node_str(act)))
		nd->generate = true;
	if (cfh_node_is_seq(act))
		cfh_for_each_entry(cfh_node_deref(act), a)
			if (cfh_node_str(a->value) &&
			    is_write_action(cfh_node_str(a->value)))
				nd->generate = true;
}

/* What the statements of a policy document need of the key, for the
 * stores they name. A lone statement may stand without a list. */
static void policy_needs(struct enc *x, const struct cfh_node *doc,
			 struct need *nd)
{
	const struct cfh_node *stmts = cfh_map_get(doc, "Statement");
	const struct cfh_entry *e;

	if (cfh_node_is_map(stmts)) {
		statement_needs(x, stmts, nd);
		return;
	}
	if (!cfh_node_is_seq(stmts))
		return;
	cfh_for_each_entry(cfh_node_deref(stmts), e)
		statement_needs(x, e->value, nd);
}

/*
 * Does EventBridge rule @rule deliver to @id through its targets' role?
 * Only what a target proper names counts: its dead-letter queue is sent to
 * by EventBridge itself under the key policy (find_services() admits
 * events.amazonaws.com for it), and what the event pattern matches is
 * not touched at all. Targets not written as a list count whole.
 */
static bool rule_delivers_to(const struct cfh_node *rule, const char *id)
{
	const struct cfh_node *tg = cfh_map_get(props_of(rule), "Targets");
	const struct cfh_entry *t, *f;

	if (!cfh_node_is_seq(tg))
		return cfh_refers_to(tg, id);
	cfh_for_each_entry(cfh_node_deref(tg), t) {
		const struct cfh_node *m = cfh_node_deref(t->value);

		if (!cfh_node_is_map(m)) {
			if (cfh_refers_to(m, id))
				return true;
			continue;
		}
		cfh_for_each_entry(m, f)
			if (strcmp(f->key->text, "DeadLetterConfig") &&
			    cfh_refers_to(f->value, id))
				return true;
	}
	return false;
}

/* Does principal @self use any store the key encrypts, in a way that
 * needs the key (cfh_principal_uses())? A build project or a pipeline
 * encrypted with the key uses it itself, through its role. */
static bool principal_uses(struct enc *x, const struct cfh_node *p,
			   const char *self)
{
	const char **uses;
	size_t n, i;
	bool hit = false;

	if (is_runner(p) && cfh_ids_has(&x->ours, self))
		return true;
	if (cfh_principal_uses(x->t, self, &uses, &n))
		return true;	/* out of memory: grant rather than break */
	for (i = 0; i < n && !hit; i++)
		hit = needs_iam_grant(x, uses[i]) &&
		      (!cfh_res_is(p, "AWS::Events::Rule") ||
		       rule_delivers_to(p, uses[i]));
	free(uses);
	return hit;
}

static bool is_policy_type(const struct cfh_node *res)
{
	return cfh_res_is(res, "AWS::IAM::Policy") ||
	       cfh_res_is(res, "AWS::IAM::ManagedPolicy") ||
	       cfh_res_is(res, "AWS::IAM::RolePolicy");
}

/* Everything @role is allowed or used for: its own statements, those of
 * policies attached to it, and what its principals use. */
static int role_needs(struct enc *x, const char *role, struct need *nd)
{
	const struct cfh_node *res = cfh_resource(x->t, role);
	const struct cfh_entry *pe;
	const struct cfh_node *pols = cfh_map_get(props_of(res), "Policies");
	const char **refs, **holders;
	size_t n, nh, i, k;

	if (cfh_node_is_seq(pols))
		cfh_for_each_entry(cfh_node_deref(pols), pe)
			policy_needs(x, cfh_map_get(pe->value, "PolicyDocument"),
				     nd);
	if (cfh_referrers(x->t, role, NULL, &refs, &n))
		return -1;
	for (i = 0; i < n; i++) {
		struct cfh_node *r = cfh_resource(x->t, refs[i]);
		const struct cfh_node *p = props_of(r);

		if (is_policy_type(r)) {
			if (cfh_refers_to(cfh_map_get(p, "Roles"), role) ||
			    cfh_refers_to(cfh_map_get(p, "RoleName"), role))
				policy_needs(x, cfh_map_get(p, "PolicyDocument"),
					     nd);
			continue;
		}
		if (!cfh_res_is(r, "AWS::IAM::InstanceProfile")) {
			if (principal_uses(x, r, refs[i]))
				nd->decrypt = nd->generate = true;
			continue;
		}
		if (cfh_referrers(x->t, refs[i], NULL, &holders, &nh)) {
			free(refs);
			return -1;
		}
		for (k = 0; k < nh; k++)
			if (principal_uses(x, cfh_resource(x->t, holders[k]),
					   holders[k]))
				nd->decrypt = nd->generate = true;
		free(holders);
	}
	free(refs);
	return 0;
}

#define GRANT_POLICY "EncryptionKeyAccess"

/* Does a statement of the role's inline policies allow @action on the
 * key, other than the pass's own (which it may need to update)? */
static bool role_allows(const struct enc *x, const struct cfh_node *pols,
			const char *action)
{
	const struct cfh_entry *e, *st, *a;

	if (!cfh_node_is_seq(pols))
		return false;
	cfh_for_each_entry(cfh_node_deref(pols), e) {
		const struct cfh_node *stmts = cfh_map_path(e->value,
							    "PolicyDocument",
							    "Statement", NULL);

		if (cfh_node_str_eq(cfh_map_get(e->value, "PolicyName"),
				    GRANT_POLICY) ||
		    !cfh_node_is_seq(stmts))
			continue;
		cfh_for_each_entry(cfh_node_deref(stmts), st) {
			const struct cfh_node *acts = cfh_map_get(st->value,
								  "Action");

			if (!cfh_node_str_eq(cfh_map_get(st->value, "Effect"),
					     "Allow") ||
			    !cfh_refers_to(cfh_map_get(st->value, "Resource"),
					   x->key))
				continue;
			if (cfh_node_str_eq(acts, action))
				return true;
			if (cfh_node_is_seq(acts))
				cfh_for_each_entry(cfh_node_deref(acts), a)
					if (cfh_node_str_eq(a->value, action))
						return true;
		}
	}
	return false;
}

static int grant(struct enc *x, const char *role, const struct need *nd)
{
	struct cfh_node *res = cfh_resource(x->t, role);
	struct cfh_node *p = cfh_res_props(x->t, res, "add Properties");
	struct cfh_node *pols, *existing = NULL;
	const struct cfh_entry *e;
	json_t *actions, *doc;

	if (!p)
		return 0;
	pols = cfh_map_get(p, "Policies");
	if (pols && !cfh_node_is_seq(pols))
		return cfh_advise(x->t, res,
				  "Policies is not a literal list: grant the "
				  "role kms:Decrypt on the encryption key");
	if (pols)
		cfh_for_each_entry(cfh_node_deref(pols), e)
			if (cfh_node_str_eq(cfh_map_get(e->value, "PolicyName"),
					    GRANT_POLICY))
				existing = e->value;
	/* A grant another pass made (a dead-letter queue's) may already
	 * cover what the role needs. */
	if (role_allows(x, pols, "kms:Decrypt") &&
	    (!nd->generate || role_allows(x, pols, "kms:GenerateDataKey")))
		return 0;
	actions = nd->generate ? json_pack("[s,s]", "kms:Decrypt",
					   "kms:GenerateDataKey")
			       : json_pack("[s]", "kms:Decrypt");
	doc = json_pack("{s:s, s:[{s:s, s:s, s:o, s:o}]}", "Version",
			"2012-10-17", "Statement", "Sid", "UseEncryptionKey",
			"Effect", "Allow", "Action", actions, "Resource",
			key_arn(x));
	if (existing) {
		json_t *want = json_object_get(json_array_get(json_object_get(doc, "Statement"), 0), "Action");
		json_t *have = cfh_node_to_json(cfh_map_path(existing, "PolicyDocument", NULL));
		json_t *had = json_object_get(json_array_get(json_object_get(have, "Statement"), 0), "Action");
		bool same = had && json_equal(had, want);

		json_decref(have);
		if (same) {
			json_decref(doc);
			return 0;
		}
		return cfh_edit_set_take(x->t, existing, "PolicyDocument", doc,
					 "let the role use the encryption key "
					 "for what it now does",
					 NULL);
	}
	doc = json_pack("{s:s, s:o}", "PolicyName", GRANT_POLICY,
			"PolicyDocument", doc);
	if (!pols)
		return cfh_edit_set_take(x->t, p, "Policies",
					 json_pack("[o]", doc),
					 "let the role use the key that now "
					 "encrypts the resources it uses, on "
					 "that key alone",
					 NULL);
	return cfh_edit_append_take(x->t, pols, doc,
				    "let the role use the key that now encrypts "
				    "the resources it uses, on that key alone",
				    NULL);
}

static int grant_roles(struct enc *x)
{
	const struct cfh_entry *e;
	struct cfh_ids roles = { 0 };
	size_t i;
	int rc = 0;

	/* Collect first: granting edits Resources. */
	cfh_for_each_resource(x->t, e)
		if (cfh_res_is(e->value, "AWS::IAM::Role") &&
		    cfh_ids_add(&roles, e->key->text))
			rc = -1;
	for (i = 0; i < roles.n && !rc; i++) {
		struct need nd = { false, false };
		struct cfh_node *res = cfh_resource(x->t, roles.v[i]);

		if (role_needs(x, roles.v[i], &nd)) {
			rc = -1;
			break;
		}
		if (!nd.decrypt)
			continue;
		if (cfh_pass_skips(x->t, res)) {
			rc = cfh_advise(x->t, res,
					"suppressed here, but this role uses "
					"resources the key encrypts: grant it "
					"kms:Decrypt on the key by hand");
			continue;
		}
		rc = grant(x, roles.v[i], &nd);
	}
	cfh_ids_release(&roles);
	return rc;
}

/* ---- SAM functions: their role is implicit, their Policies take
 * statements directly. ---- */

static int grant_sam_functions(struct enc *x)
{
	struct cfh_entry *e;
	json_t *stmt;
	int rc = 0;

	cfh_for_each_resource(x->t, e) {
		struct cfh_node *p = props_of(e->value), *pols;
		const struct cfh_entry *pe;
		bool done = false;

		if (rc || !cfh_res_is(e->value, "AWS::Serverless::Function") ||
		    !cfh_node_is_map(p) || cfh_map_get(p, "Role") ||
		    !principal_uses(x, e->value, e->key->text) ||
		    cfh_pass_skips(x->t, e->value))
			continue;
		pols = cfh_map_get(p, "Policies");
		if (pols && !cfh_node_is_seq(pols))
			continue;	/* a single policy name: left as written */
		if (pols)
			cfh_for_each_entry(cfh_node_deref(pols), pe)
				if (cfh_kms_has_sid(cfh_map_get(pe->value, "Statement"),
					    "UseEncryptionKey"))
					done = true;
		if (done)
			continue;
		stmt = json_pack("{s:[{s:s, s:s, s:[s,s], s:o}]}", "Statement",
				 "Sid", "UseEncryptionKey", "Effect", "Allow",
				 "Action", "kms:Decrypt", "kms:GenerateDataKey",
				 "Resource", key_arn(x));
		rc = pols ? cfh_edit_append_take(x->t, pols, stmt,
						 "let the function use the key "
						 "that encrypts what it uses",
						 NULL)
			  : cfh_edit_set_take(x->t, p, "Policies",
					      json_pack("[o]", stmt),
					      "let the function use the key "
					      "that encrypts what it uses",
					      NULL);
	}
	return rc;
}

/* Buckets that receive server access or load-balancer logs keep SSE-S3:
 * make sure they have at least that. */
static int s3_log_targets(struct enc *x)
{
	struct cfh_entry *e;
	int rc = 0;

	cfh_for_each_resource(x->t, e) {
		struct cfh_node *p;

		if (rc || !cfh_res_is(e->value, "AWS::S3::Bucket") ||
		    !s3_is_log_target(x, e->key->text) ||
		    cfh_pass_skips(x->t, e->value))
			continue;
		p = props_of(e->value);
		if (p && !cfh_node_is_map(p))
			continue;
		if (cfh_map_get(p, "BucketEncryption"))
			continue;
		p = cfh_res_props(x->t, e->value, "add Properties");
		rc = !p || cfh_edit_set_take(
				   x->t, p, "BucketEncryption",
				   json_pack("{s:[{s:{s:s}}]}",
					     "ServerSideEncryptionConfiguration",
					     "ServerSideEncryptionByDefault",
					     "SSEAlgorithm", "AES256"),
				   "encrypt the log bucket with SSE-S3: log "
				   "delivery cannot write to SSE-KMS buckets",
				   NULL);
	}
	return rc;
}

int cfh_pass_encryption(struct cfh_template *t)
{
	struct enc x = { .t = t };
	struct cfh_entry *e;
	size_t i;
	int rc = -1, c;

	/* What needs encrypting, before any edit. */
	cfh_for_each_resource(t, e) {
		const struct store *st = store_of(e->value);

		if (!st || cfh_pass_skips(t, e->value) ||
		    cfh_props_dynamic(e->value))
			continue;
		c = st->check(&x, e->key->text, e->value);
		if (c == -2)
			goto out;
		if (c == 1 && cfh_ids_add(&x.targets,
					      e->key->text))
			goto out;
	}
	x.key = cfh_template_key(t);
	if (!x.targets.n && !x.key) {
		rc = s3_log_targets(&x);
		goto out;
	}
	/* The stores the key will protect: the targets, and those that
	 * already use it. */
	for (i = 0; i < x.targets.n; i++)
		if (cfh_ids_add(&x.ours, x.targets.v[i]))
			goto out;
	if (x.key) {
		cfh_for_each_resource(t, e) {
			const struct store *st = store_of(e->value);

			if (st && st->keyprop &&
			    is_our_key(&x, cfh_map_get(props_of(e->value),
						       st->keyprop)) &&
			    cfh_ids_add(&x.ours, e->key->text))
				goto out;
			if (cfh_res_is(e->value, "AWS::S3::Bucket") &&
			    is_our_key(&x, cfh_map_get(props_of(e->value),
						       "BucketEncryption")) &&
			    cfh_ids_add(&x.ours, e->key->text))
				goto out;
		}
	}
	if (find_services(&x) || (x.key ? extend_key(&x) : add_key(&x)))
		goto out;
	for (i = 0; i < x.targets.n; i++) {
		struct cfh_node *res = cfh_resource(t, x.targets.v[i]);

		if (store_of(res)->apply(&x, x.targets.v[i], res))
			goto out;
	}
	if (s3_log_targets(&x) || grant_roles(&x) || grant_sam_functions(&x))
		goto out;
	rc = 0;
out:
	cfh_ids_release(&x.targets);
	cfh_ids_release(&x.ours);
	return rc;
}

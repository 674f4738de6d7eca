/* SPDX-License-Identifier: MIT */
/*
 * Data stores and their encryption at rest; see encryption_stores.h.
 *
 * Ownership: the table is static; nodes are borrowed from the template,
 * and every edit goes through the edit API with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encryption_stores.h"
#include "usage.h"
#include "options.h"
#include "passlib.h"

/*
 * How each type is encrypted. check() reads whether the store needs work;
 * apply() makes the change with the key @key (a logical ID).
 * @keyprop: where the key goes, to tell which stores use a key
 * @flag: the field that turns encryption on, for types that have one:
 *        beside @keyprop under Properties (flagkey_*()), or inside the
 *        mapping of a mapping store (mapping_apply())
 * @kindfield, @kind, @keyfield: for the stores whose encryption is one
 *        mapping under Properties, @keyprop: {@kindfield: @kind,
 *        @keyfield: the key's ARN}
 * @what: the store with its article, in the reasons of the changes
 */
struct store {
	const char *type;
	const char *keyprop;
	const char *flag;
	const char *kindfield;
	const char *kind;
	const char *keyfield;
	const char *what;
	enum cfh_store_state (*check)(struct cfh_template *t,
				      const struct store *st, const char *id,
				      const struct cfh_node *res);
	int (*apply)(struct cfh_run *r, const struct store *st, const char *id,
		     struct cfh_node *res, const char *key);
};

static json_t *key_arn(const char *key)
{
	return cfh_json_getatt(key, "Arn");
}

bool cfh_store_key_is_customer(const struct cfh_node *k)
{
	const char *s;

	if (!k)
		return false;
	if (cfh_is_dynamic(k))
		return true;
	s = cfh_node_str(k);
	return s && *s && strncmp(s, "alias/aws/", 10) && strncmp(s, "aws/", 4);
}

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* Properties decided at deploy time: the author decides. */
static bool props_opaque(const struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);

	return p && !cfh_node_is_map(p);
}

static enum cfh_store_state wants(bool yes)
{
	return yes ? CFH_STORE_WANTS_KEY : CFH_STORE_DONE;
}

/* Every change that sets a store's key gives the same reason, so that a
 * report reads alike whichever shape the store has. @value is taken. */
static int set_key_take(struct cfh_run *r, const struct store *st,
			struct cfh_node *map, const char *name, json_t *value)
{
	char reason[160];

	snprintf(reason, sizeof(reason),
		 "encrypt %s with the template's customer-managed KMS key",
		 st->what);
	return cfh_edit_set_take(r, map, name, value, reason, NULL);
}

/* ---- S3 ---- */

/* The bucket's first encryption rule, when the list and the rule are
 * written out: under an intrinsic (a !If choosing between two lists, or
 * between two rules) cfh_seq_at() would read the function's arguments,
 * the condition's name first, so there is no rule to edit. */
static struct cfh_node *s3_default(const struct cfh_node *res)
{
	struct cfh_node *rules, *rule;

	rules = cfh_map_path(props_of(res), "BucketEncryption",
			     "ServerSideEncryptionConfiguration", NULL);
	if (cfh_is_dynamic(rules))
		return NULL;
	rule = cfh_seq_at(rules, 0);
	return cfh_is_dynamic(rule) ? NULL : rule;
}

bool cfh_store_is_log_target(struct cfh_template *t, const char *id)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_referrers(t, id, NULL, &refs, &n))
		return true;	/* out of memory: the safe answer */
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *r = cfh_resource(t, refs[i]);
		const struct cfh_node *p = props_of(r);

		if (cfh_res_is(r, "AWS::S3::Bucket"))
			hit = cfh_refers_to(cfh_map_path(p, "LoggingConfiguration",
							 "DestinationBucketName",
							 NULL),
					    id);
		else if (cfh_res_is(r, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			hit = cfh_refers_to(cfh_map_get(p, "LoadBalancerAttributes"),
					    id);
		else if (cfh_res_is(r, "AWS::ElasticLoadBalancing::LoadBalancer"))
			hit = cfh_refers_to(cfh_map_path(p, "AccessLoggingPolicy",
							 "S3BucketName", NULL),
					    id);
		else if (cfh_res_is(r, "AWS::CloudFront::Distribution"))
			hit = cfh_refers_to(cfh_map_path(p, "DistributionConfig",
							 "Logging", NULL),
					    id);
	}
	free(refs);
	return hit;
}

static enum cfh_store_state s3_check(struct cfh_template *t,
				     const struct store *st, const char *id,
				     const struct cfh_node *res)
{
	struct cfh_node *p = props_of(res), *rule, *d;
	const char *alg;

	(void)st;
	if (props_opaque(res))
		return CFH_STORE_DONE;
	if (cfh_map_get(p, "WebsiteConfiguration"))
		return CFH_STORE_WEBSITE;
	if (cfh_store_is_log_target(t, id))
		return CFH_STORE_DONE;	/* SSE-S3 it must stay */
	rule = s3_default(res);
	d = cfh_map_get(rule, "ServerSideEncryptionByDefault");
	alg = cfh_node_str(cfh_map_get(d, "SSEAlgorithm"));
	/* Moving these to the key breaks what serves or copies them; a
	 * bucket already on KMS is the author's working setup. */
	if (!(alg && !strncmp(alg, "aws:kms", 7))) {
		if (cfh_usage_origin(t, id) == CFH_ORIGIN_OTHER)
			return CFH_STORE_CDN;
		if (cfh_map_get(p, "ReplicationConfiguration"))
			return CFH_STORE_REPLICATED;
	}
	d = cfh_map_get(rule, "ServerSideEncryptionByDefault");
	if (cfh_map_get(p, "BucketEncryption") && (!rule || cfh_is_dynamic(d)))
		return CFH_STORE_DYNAMIC;
	alg = cfh_node_str(cfh_map_get(d, "SSEAlgorithm"));
	if (alg && !strncmp(alg, "aws:kms", 7) &&
	    cfh_store_key_is_customer(cfh_map_get(d, "KMSMasterKeyID")))
		return CFH_STORE_DONE;
	return wants(!cfh_is_dynamic(cfh_map_get(d, "SSEAlgorithm")));
}

static int s3_apply(struct cfh_run *r, const struct store *st, const char *id,
		    struct cfh_node *res, const char *key)
{
	struct cfh_node *p, *rule;
	json_t *def;

	(void)st;
	(void)id;
	def = json_pack("{s:s, s:o}", "SSEAlgorithm", "aws:kms",
			"KMSMasterKeyID", key_arn(key));
	rule = s3_default(res);
	if (!rule) {
		p = cfh_res_props(r, res, "add Properties");
		return !p || cfh_edit_set_take(
				     r, p, "BucketEncryption",
				     json_pack("{s:[{s:o, s:b}]}",
					       "ServerSideEncryptionConfiguration",
					       "ServerSideEncryptionByDefault",
					       def, "BucketKeyEnabled", 1),
				     "encrypt the bucket with the template's "
				     "customer-managed KMS key (S3 Bucket Keys "
				     "keep KMS request costs down)",
				     NULL);
	}
	if (cfh_edit_set_take(r, rule, "ServerSideEncryptionByDefault", def,
			      "replace the default encryption with the "
			      "template's customer-managed KMS key",
			      NULL))
		return -1;
	if (cfh_node_str_eq(cfh_map_get(rule, "BucketKeyEnabled"), "true"))
		return 0;
	return cfh_edit_set_take(r, rule, "BucketKeyEnabled", json_true(),
				 "S3 Bucket Keys keep KMS request costs down",
				 NULL);
}

/* The node that names a store's key: Properties.@keyprop, or its
 * @keyfield for the stores whose encryption is one mapping. */
static struct cfh_node *key_of(const struct store *st,
			       const struct cfh_node *res)
{
	struct cfh_node *k = cfh_map_get(props_of(res), st->keyprop);

	return st->keyfield ? cfh_map_get(k, st->keyfield) : k;
}

/*
 * ---- the key alone decides: SQS, SNS, Logs, Secrets Manager, CodeBuild,
 * Lambda, Kinesis, ECR ----
 *
 * Kinesis and ECR are read by their key only, whatever their kind says
 * (a stream with EncryptionType NONE and a KeyId of the author's is left
 * as it is): reading the kind as DynamoDB's is read would change what the
 * pass does to such templates, which is a decision of its own.
 */
static enum cfh_store_state key_check(struct cfh_template *t,
				      const struct store *st, const char *id,
				      const struct cfh_node *res)
{
	(void)t;
	(void)id;
	if (props_opaque(res))
		return CFH_STORE_DONE;
	return wants(!cfh_store_key_is_customer(key_of(st, res)));
}

static int keyprop_apply(struct cfh_run *r, const struct store *st,
			 const char *id, struct cfh_node *res, const char *key)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)id;
	if (!p)
		return -1;
	/* SQS-managed SSE and a KMS key are mutually exclusive. */
	if (cfh_map_get(p, "SqsManagedSseEnabled") &&
	    cfh_edit_remove(r, p, "SqsManagedSseEnabled",
			    "SQS-managed encryption gives way to the "
			    "customer-managed key"))
		return -1;
	return set_key_take(r, st, p, st->keyprop, key_arn(key));
}

/* ---- one mapping, written whole: DynamoDB, Kinesis, Firehose, ECR ---- */

/* An intrinsic in place of the whole mapping: the author decides. */
static bool mapping_is_dynamic(const struct store *st,
			       const struct cfh_node *res)
{
	struct cfh_node *m = cfh_map_get(props_of(res), st->keyprop);

	return m && cfh_is_dynamic(m);
}

static bool kind_is_ours(const struct store *st, const struct cfh_node *res)
{
	return cfh_node_str_eq(cfh_map_path(props_of(res), st->keyprop,
					    st->kindfield, NULL),
			       st->kind);
}

/* DynamoDB's SSEType KMS says nothing of whose key: the AWS-managed one
 * is KMS too, so the key must be the author's as well. */
static enum cfh_store_state ddb_check(struct cfh_template *t,
				      const struct store *st, const char *id,
				      const struct cfh_node *res)
{
	(void)t;
	(void)id;
	if (props_opaque(res) ||
	    (kind_is_ours(st, res) &&
	     cfh_store_key_is_customer(key_of(st, res))))
		return CFH_STORE_DONE;
	return wants(!mapping_is_dynamic(st, res));
}

/* Firehose's CUSTOMER_MANAGED_CMK says by itself that the key is the
 * author's. Server-side encryption exists only for Direct PUT streams;
 * a stream reading from Kinesis inherits the source's encryption. */
static enum cfh_store_state firehose_check(struct cfh_template *t,
					   const struct store *st,
					   const char *id,
					   const struct cfh_node *res)
{
	(void)t;
	(void)id;
	if (props_opaque(res) ||
	    cfh_node_str_eq(cfh_map_get(props_of(res), "DeliveryStreamType"),
			    "KinesisStreamAsSource") ||
	    kind_is_ours(st, res))
		return CFH_STORE_DONE;
	return wants(!mapping_is_dynamic(st, res));
}

/* {@flag: true, @kindfield: @kind, @keyfield: the key's ARN}, in that
 * order, in place of what the store had. */
static int mapping_apply(struct cfh_run *r, const struct store *st,
			 const char *id, struct cfh_node *res, const char *key)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	json_t *m = json_object();
	int rc = -1;

	(void)id;
	if (!p || !m ||
	    (st->flag && json_object_set_new(m, st->flag, json_true())) ||
	    json_object_set_new(m, st->kindfield, json_string(st->kind)) ||
	    json_object_set_new(m, st->keyfield, key_arn(key)))
		goto out;
	rc = set_key_take(r, st, p, st->keyprop, m);
	m = NULL;
out:
	json_decref(m);
	return rc;
}

/* ---- flag + key: EFS, RDS, EBS ---- */

static enum cfh_store_state flagkey_check(struct cfh_template *t,
					  const struct store *st,
					  const char *id,
					  const struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);

	(void)t;
	(void)id;
	if (props_opaque(res))
		return CFH_STORE_DONE;
	/* Aurora instances take their encryption from the cluster; a
	 * snapshot restore or a replica inherits it from the source. */
	if (cfh_map_get(p, "DBClusterIdentifier") ||
	    cfh_map_get(p, "DBSnapshotIdentifier") ||
	    cfh_map_get(p, "SourceDBInstanceIdentifier") ||
	    cfh_map_get(p, "SnapshotIdentifier") ||
	    cfh_map_get(p, "SourceDBClusterIdentifier"))
		return CFH_STORE_DONE;
	return wants(!cfh_store_key_is_customer(key_of(st, res)));
}

static int flagkey_apply(struct cfh_run *r, const struct store *st,
			 const char *id, struct cfh_node *res, const char *key)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	char reason[160];

	(void)id;
	if (!p)
		return -1;
	snprintf(reason, sizeof(reason),
		 "encrypt %s at rest with the template's customer-managed "
		 "KMS key", st->what);
	if (!cfh_node_str_eq(cfh_map_get(p, st->flag), "true") &&
	    cfh_edit_set_take(r, p, st->flag, json_true(), reason, NULL))
		return -1;
	return cfh_edit_set_take(r, p, st->keyprop, key_arn(key), reason,
				 NULL);
}

/* ---- ElastiCache ---- */

static enum cfh_store_state cache_check(struct cfh_template *t,
					const struct store *st, const char *id,
					const struct cfh_node *res)
{
	struct cfh_node *p = props_of(res);

	(void)t;
	(void)st;
	(void)id;
	if (props_opaque(res) ||
	    cfh_node_str_eq(cfh_map_get(p, "Engine"), "memcached"))
		return CFH_STORE_DONE;
	/* Transit encryption already on but no AuthToken is work too
	 * (S002-08): the token is what clients authenticate with. */
	return wants(!(cfh_store_key_is_customer(cfh_map_get(p, "KmsKeyId")) &&
		       cfh_node_str_eq(cfh_map_get(p, "TransitEncryptionEnabled"),
				       "true") &&
		       cfh_map_get(p, "AuthToken")));
}

/*
 * Transit encryption without an AuthToken deploys, but clients then need a
 * token the template never made (S002-08); with one from a literal it is
 * an invented secret. So the token is generated by Secrets Manager, and
 * resolved at deploy time through a dynamic reference.
 */
static int cache_apply(struct cfh_run *r, const struct store *st,
		       const char *id, struct cfh_node *res, const char *key)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	const char *secret;
	char sid[256], ref[512];

	(void)st;
	if (!p)
		return -1;
	if (!cfh_node_str_eq(cfh_map_get(p, "AtRestEncryptionEnabled"), "true") &&
	    cfh_edit_set_take(r, p, "AtRestEncryptionEnabled", json_true(),
			      "encrypt the cache at rest", NULL))
		return -1;
	if (!cfh_store_key_is_customer(cfh_map_get(p, "KmsKeyId")) &&
	    cfh_edit_set_take(r, p, "KmsKeyId", key_arn(key),
			      "encrypt the cache at rest with the template's "
			      "customer-managed KMS key",
			      NULL))
		return -1;
	/* A running cache's clients connect as they do today: TLS and an
	 * AUTH token they do not send would cut every one of them off. */
	if (cfh_is_running(r, res) &&
	    !(cfh_node_str_eq(cfh_map_get(p, "TransitEncryptionEnabled"),
			      "true") &&
	      cfh_map_get(p, "AuthToken")))
		return cfh_advise(r, res,
				  "clients connect without TLS or an AUTH token "
				  "today: update them to use both, then set "
				  "TransitEncryptionEnabled and an AuthToken "
				  "resolved from Secrets Manager (S002-08)");
	/* The template's own transit encryption needs the token as much as
	 * the one the pass turns on. */
	if (!cfh_node_str_eq(cfh_map_get(p, "TransitEncryptionEnabled"), "true") &&
	    cfh_edit_set_take(r, p, "TransitEncryptionEnabled", json_true(),
			      "encrypt traffic between clients and the cache",
			      NULL))
		return -1;
	if (cfh_map_get(p, "AuthToken"))
		return 0;
	snprintf(sid, sizeof(sid), "%sAuthToken", id);
	secret = cfh_fresh_id(r->t, sid);
	if (!secret)
		return -1;
	if (cfh_edit_add_resource_take(
		    r, secret, NULL,
		    json_pack("{s:s, s:{s:s, s:o, s:{s:i, s:b, s:s}}}", "Type",
			      "AWS::SecretsManager::Secret", "Properties",
			      "Description", "AUTH token of the cache",
			      "KmsKeyId", key_arn(key), "GenerateSecretString",
			      "PasswordLength", 64, "ExcludePunctuation", 1,
			      "ExcludeCharacters", "@\"/"),
		    "generate the cache's AUTH token in Secrets Manager: "
		    "transit encryption needs one (S002-08)",
		    NULL))
		return -1;
	snprintf(ref, sizeof(ref), "{{resolve:secretsmanager:${%s}}}", secret);
	return cfh_edit_set_take(r, p, "AuthToken",
				 json_pack("{s:s}", "Fn::Sub", ref),
				 "use the generated AUTH token through a "
				 "dynamic reference, never a literal",
				 NULL);
}

/* ---- CodePipeline ---- */

static struct cfh_node *pipeline_store(const struct cfh_node *res)
{
	return cfh_map_get(props_of(res), "ArtifactStore");
}

static enum cfh_store_state pipeline_check(struct cfh_template *t,
					   const struct store *st,
					   const char *id,
					   const struct cfh_node *res)
{
	struct cfh_node *s = pipeline_store(res);

	(void)t;
	(void)st;
	(void)id;
	/* ArtifactStores (cross-region): a key per region. */
	if (!cfh_node_is_map(s))
		return CFH_STORE_DONE;
	return wants(!cfh_store_key_is_customer(cfh_map_path(s, "EncryptionKey",
							     "Id", NULL)));
}

static int pipeline_apply(struct cfh_run *r, const struct store *st,
			  const char *id, struct cfh_node *res,
			  const char *key)
{
	(void)id;
	return set_key_take(r, st, pipeline_store(res), "EncryptionKey",
			    json_pack("{s:o, s:s}", "Id", key_arn(key), "Type",
				      "KMS"));
}

/* ---- Lambda environment: its key, when there is an environment ---- */

static enum cfh_store_state lambda_check(struct cfh_template *t,
					 const struct store *st,
					 const char *id,
					 const struct cfh_node *res)
{
	if (!cfh_map_path(props_of(res), "Environment", "Variables", NULL))
		return CFH_STORE_DONE;
	return key_check(t, st, id, res);
}

/* ---- SAM ---- */

static enum cfh_store_state sam_table_check(struct cfh_template *t,
					    const struct store *st,
					    const char *id,
					    const struct cfh_node *res)
{
	struct cfh_node *sse = cfh_map_get(props_of(res), "SSESpecification");

	(void)t;
	(void)st;
	(void)id;
	if (props_opaque(res))
		return CFH_STORE_DONE;
	return wants(!cfh_node_str_eq(cfh_map_get(sse, "SSEEnabled"), "true"));
}

/* SimpleTable's SSESpecification takes no key: the AWS-managed key is as
 * far as SAM goes; a customer key needs an AWS::DynamoDB::Table. */
static int sam_table_apply(struct cfh_run *r, const struct store *st,
			   const char *id, struct cfh_node *res,
			   const char *key)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	(void)st;
	(void)id;
	(void)key;
	if (!p || cfh_edit_set_take(r, p, "SSESpecification",
				    json_pack("{s:b}", "SSEEnabled", 1),
				    "turn on KMS encryption of the table", NULL))
		return -1;
	return cfh_advise(r, res,
			  "AWS::Serverless::SimpleTable cannot use a "
			  "customer-managed key: use AWS::DynamoDB::Table for "
			  "one");
}

static const struct store stores[] = {
	{ .type = "AWS::S3::Bucket", .keyprop = "BucketEncryption",
	  .what = "the bucket", .check = s3_check, .apply = s3_apply },
	{ .type = "AWS::SQS::Queue", .keyprop = "KmsMasterKeyId",
	  .what = "the queue", .check = key_check, .apply = keyprop_apply },
	{ .type = "AWS::SNS::Topic", .keyprop = "KmsMasterKeyId",
	  .what = "the topic", .check = key_check, .apply = keyprop_apply },
	{ .type = "AWS::Logs::LogGroup", .keyprop = "KmsKeyId",
	  .what = "the log group", .check = key_check,
	  .apply = keyprop_apply },
	{ .type = "AWS::SecretsManager::Secret", .keyprop = "KmsKeyId",
	  .what = "the secret", .check = key_check,
	  .apply = keyprop_apply },
	{ .type = "AWS::CodeBuild::Project", .keyprop = "EncryptionKey",
	  .what = "the build artifacts", .check = key_check,
	  .apply = keyprop_apply },
	{ .type = "AWS::DynamoDB::Table", .keyprop = "SSESpecification",
	  .flag = "SSEEnabled", .kindfield = "SSEType", .kind = "KMS",
	  .keyfield = "KMSMasterKeyId", .what = "the table",
	  .check = ddb_check, .apply = mapping_apply },
	{ .type = "AWS::Kinesis::Stream", .keyprop = "StreamEncryption",
	  .kindfield = "EncryptionType", .kind = "KMS", .keyfield = "KeyId",
	  .what = "the stream", .check = key_check,
	  .apply = mapping_apply },
	{ .type = "AWS::KinesisFirehose::DeliveryStream",
	  .keyprop = "DeliveryStreamEncryptionConfigurationInput",
	  .kindfield = "KeyType", .kind = "CUSTOMER_MANAGED_CMK",
	  .keyfield = "KeyARN", .what = "the delivery stream",
	  .check = firehose_check, .apply = mapping_apply },
	{ .type = "AWS::EFS::FileSystem", .keyprop = "KmsKeyId",
	  .flag = "Encrypted", .what = "the file system",
	  .check = flagkey_check, .apply = flagkey_apply },
	{ .type = "AWS::RDS::DBInstance", .keyprop = "KmsKeyId",
	  .flag = "StorageEncrypted", .what = "the database storage",
	  .check = flagkey_check, .apply = flagkey_apply },
	{ .type = "AWS::RDS::DBCluster", .keyprop = "KmsKeyId",
	  .flag = "StorageEncrypted", .what = "the cluster storage",
	  .check = flagkey_check, .apply = flagkey_apply },
	{ .type = "AWS::EC2::Volume", .keyprop = "KmsKeyId",
	  .flag = "Encrypted", .what = "the volume", .check = flagkey_check,
	  .apply = flagkey_apply },
	{ .type = "AWS::ElastiCache::ReplicationGroup", .keyprop = "KmsKeyId",
	  .what = "the cache", .check = cache_check, .apply = cache_apply },
	{ .type = "AWS::CodePipeline::Pipeline", .keyprop = "ArtifactStore",
	  .what = "pipeline artifacts", .check = pipeline_check,
	  .apply = pipeline_apply },
	{ .type = "AWS::Lambda::Function", .keyprop = "KmsKeyArn",
	  .what = "the function's environment variables",
	  .check = lambda_check, .apply = keyprop_apply },
	{ .type = "AWS::Serverless::Function", .keyprop = "KmsKeyArn",
	  .what = "the function's environment variables",
	  .check = lambda_check, .apply = keyprop_apply },
	{ .type = "AWS::ECR::Repository", .keyprop = "EncryptionConfiguration",
	  .kindfield = "EncryptionType", .kind = "KMS", .keyfield = "KmsKey",
	  .what = "images", .check = key_check, .apply = mapping_apply },
	/* No key property: SimpleTable takes none (sam_table_apply()). */
	{ .type = "AWS::Serverless::SimpleTable", .what = "the table",
	  .check = sam_table_check, .apply = sam_table_apply },
};

static const struct store *store_of(const struct cfh_node *res)
{
	const char *type = cfh_resource_type(res);
	size_t i;

	for (i = 0; type && i < CFH_ARRAY_SIZE(stores); i++)
		if (!strcmp(type, stores[i].type))
			return &stores[i];
	return NULL;
}

bool cfh_store_is(const char *type)
{
	size_t i;

	for (i = 0; type && i < CFH_ARRAY_SIZE(stores); i++)
		if (!strcmp(stores[i].type, type))
			return true;
	return false;
}

enum cfh_store_state cfh_store_check(struct cfh_template *t, const char *id,
				     const struct cfh_node *res)
{
	const struct store *st = store_of(res);

	return st ? st->check(t, st, id, res) : CFH_STORE_DONE;
}

int cfh_store_encrypt(struct cfh_run *r, const char *id, struct cfh_node *res,
		      const char *key)
{
	const struct store *st = store_of(res);

	return st ? st->apply(r, st, id, res, key) : -1;
}

bool cfh_store_encrypt_replaces(const struct cfh_node *res)
{
	const struct store *st = store_of(res);

	return st && ((st->flag && cfh_prop_replaces(res, st->flag)) ||
		      (st->keyprop && cfh_prop_replaces(res, st->keyprop)));
}

const struct cfh_node *cfh_store_key(const struct cfh_node *res)
{
	const struct store *st = store_of(res);

	return st && st->keyprop ? cfh_map_get(props_of(res), st->keyprop)
				 : NULL;
}

int cfh_store_services(struct cfh_template *t, const char *id,
		       bool svc[CFH_SVC_COUNT])
{
	const char **refs;
	size_t k, n;

	if (cfh_res_is(cfh_resource(t, id), "AWS::Logs::LogGroup"))
		svc[CFH_SVC_LOGS] = true;
	if (cfh_referrers(t, id, NULL, &refs, &n))
		return -1;
	for (k = 0; k < n; k++) {
		const struct cfh_node *r = cfh_resource(t, refs[k]);
		const struct cfh_node *p = props_of(r);

		if (cfh_res_is(r, "AWS::S3::Bucket") &&
		    cfh_refers_to(cfh_map_get(p, "NotificationConfiguration"), id))
			svc[CFH_SVC_S3] = true;
		if (cfh_res_is(r, "AWS::Events::Rule") &&
		    cfh_refers_to(cfh_map_get(p, "Targets"), id))
			svc[CFH_SVC_EVENTS] = true;
		if (cfh_res_is(r, "AWS::CloudWatch::Alarm") &&
		    (cfh_refers_to(cfh_map_get(p, "AlarmActions"), id) ||
		     cfh_refers_to(cfh_map_get(p, "OKActions"), id) ||
		     cfh_refers_to(cfh_map_get(p, "InsufficientDataActions"), id)))
			svc[CFH_SVC_CLOUDWATCH] = true;
		if ((cfh_res_is(r, "AWS::SNS::Subscription") &&
		     cfh_refers_to(cfh_map_get(p, "Endpoint"), id)) ||
		    (cfh_res_is(r, "AWS::SNS::Topic") &&
		     cfh_refers_to(cfh_map_get(p, "Subscription"), id)))
			svc[CFH_SVC_SNS] = true;
		if (cfh_res_is(r, "AWS::CodeStarNotifications::NotificationRule") &&
		    cfh_refers_to(cfh_map_get(p, "Targets"), id))
			svc[CFH_SVC_CODESTAR] = true;
		if (cfh_res_is(r, "AWS::CloudFront::Distribution") &&
		    cfh_usage_origin(t, id) == CFH_ORIGIN_OAC)
			svc[CFH_SVC_CLOUDFRONT] = true;
		if (cfh_res_is(r, "AWS::CloudTrail::Trail") &&
		    cfh_refers_to(cfh_map_get(p, "S3BucketName"), id))
			svc[CFH_SVC_CLOUDTRAIL] = true;
	}
	free(refs);
	return 0;
}

bool cfh_store_action_writes(const char *action)
{
	static const char *const prefixes[] = {
		"s3:Put", "s3:*", "sqs:SendMessage", "sqs:*", "sns:Publish",
		"sns:*", "dynamodb:Put", "dynamodb:Update", "dynamodb:BatchWrite",
		"dynamodb:*", "kinesis:Put", "kinesis:*", "firehose:Put",
		"firehose:*", "logs:Put", "secretsmanager:PutSecretValue",
		"secretsmanager:*", "*", "ecr:Put", "ecr:*",
	};
	size_t i;

	for (i = 0; i < CFH_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(action, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

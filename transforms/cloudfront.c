/* SPDX-License-Identifier: MIT */
/*
 * Pass `cloudfront` (C008-01, C008-02): CloudFront distributions that
 * record who asked them for what.
 *
 * A distribution without standard logging leaves no record of the
 * requests it served (viewer, path, status, edge, cache result): an
 * incident or a bill cannot be explained afterwards. The pass turns on
 * standard (legacy) logging, under cloudfront/<LogicalId>/, without
 * cookies, into one log bucket for all the template's distributions
 * (C008-01): a bucket a distribution already logs into when one fits,
 * else a new one.
 *
 *   Cdn:                              Cdn:
 *     Type: AWS::CloudFront::Distribution
 *     Properties:              ==>      Properties:
 *       DistributionConfig:               DistributionConfig:
 *         Enabled: true                     Logging:
 *                                             Bucket: !GetAtt
 *                                               CloudFrontLogsBucket.DomainName
 *                                             Prefix: cloudfront/Cdn/
 *                                             IncludeCookies: false
 *                                   CloudFrontLogsBucket: {SSE-S3, ACLs on}
 *
 * Standard logging writes through the bucket's ACL: CloudFront grants the
 * awslogsdelivery account FULL_CONTROL when logging is set, and refuses a
 * bucket with ACLs disabled ("Configure standard logging (legacy)" and
 * "Permissions required to configure standard logging and to access your
 * log files", CloudFront Developer Guide). A bucket of its own, because
 * ACLs on for CloudFront are on for every other writer of the bucket. So
 * the bucket keeps ObjectOwnership BucketOwnerPreferred, which the s3
 * pass leaves alone (it never replaces OwnershipControls, and advises
 * instead of disabling ACLs on a bucket a distribution logs into), and
 * SSE-S3, which the encryption pass leaves alone (cfh_store_is_log_target:
 * a KMS key would need a key policy for the delivery account). The s3
 * pass adds versioning, the expiry of old logs and the TLS-only policy.
 * Logging is read by the bucket's DomainName, the
 * "bucket.s3.amazonaws.com" form CloudFront asks for.
 *
 * Logging changes nothing a viewer sees, and DistributionConfig Logging
 * updates with no interruption ("AWS::CloudFront::Distribution Logging",
 * CloudFormation reference; the update takes minutes to reach the
 * edges): made in both modes. Left alone: a distribution that already has
 * Logging (whatever its form), or whose DistributionConfig is decided at
 * deploy time (C008-02, an advisory with the edit to make). The log
 * bucket carries no Condition: an empty bucket where a conditional
 * distribution does not exist is harmless, a bucket missing where it
 * does is a failed deployment.
 *
 * The stack's region: CloudFront does not deliver standard logs to
 * buckets in the opt-in regions ("Choosing an Amazon S3 bucket for your
 * standard logs": af-south-1, ap-east-1, eu-south-1, me-south-1 and the
 * regions opened since), and a stack there would fail the update. So a
 * bucket the pass makes, and the Logging that names it, stand under a
 * Condition true in the regions every account has enabled, which are
 * none of those: Fn::If leaves Logging out elsewhere. A bucket the
 * template already logs into is in a region where logging works.
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passlib.h"

#define DIST_TYPE "AWS::CloudFront::Distribution"
#define PREFIX "cloudfront"

struct cloudfront {
	struct cfh_run *r;
	const char *bucket;	/* the log bucket, once chosen or made */
	const char *cond;	/* its region Condition, when the pass made it */
};

#define REGION_COND "CloudFrontLogsRegion"

/* The regions enabled in every account (opened before March 2019;
 * "Managing AWS Regions"), where standard logging delivers. */
static const char *const default_regions[] = {
	"us-east-1",	  "us-east-2",	    "us-west-1",      "us-west-2",
	"ca-central-1",	  "sa-east-1",	    "eu-central-1",   "eu-west-1",
	"eu-west-2",	  "eu-west-3",	    "eu-north-1",     "ap-south-1",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
	"ap-southeast-2",
};

/* The Condition that the stack's region is one of default_regions (in
 * groups of at most 10: Fn::Or takes 2 to 10), unless the template has
 * it; its name in x->cond. */
static int region_condition(struct cloudfront *x)
{
	struct cfh_node *sec, *have;
	json_t *ors = json_array(), *part = NULL, *want;
	const char *name = REGION_COND;
	size_t i;
	bool same;

	for (i = 0; ors && i < CFH_ARRAY_SIZE(default_regions); i++) {
		if (i % 10 == 0) {
			part = json_array();
			json_array_append_new(ors,
					      json_pack("{s:o}", "Fn::Or", part));
		}
		json_array_append_new(part,
				      json_pack("{s:[{s:s}, s]}", "Fn::Equals",
						"Ref", "AWS::Region",
						default_regions[i]));
	}
	want = ors ? json_pack("{s:o}", "Fn::Or", ors) : NULL;
	sec = want ? cfh_edit_section(x->r, "Conditions") : NULL;
	if (!sec) {
		json_decref(want);
		return -1;
	}
	have = cfh_map_get(sec, name);
	if (have) {
		json_t *j = cfh_node_to_json(have);

		same = j && json_equal(j, want);
		json_decref(j);
		if (same) {
			json_decref(want);
			x->cond = name;
			return 0;
		}
		name = cfh_fresh_id(x->r->t, name);
		if (!name) {
			json_decref(want);
			return -1;
		}
	}
	x->cond = name;
	return cfh_edit_set_take(x->r, sec, name, want,
				 "the stack's region is one where CloudFront "
				 "delivers standard logs (not an opt-in "
				 "region) (C008-01)",
				 NULL);
}

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* True if the bucket's ACLs are, or may be, off: standard logging would
 * fail. Only a literal BucketOwnerPreferred or ObjectWriter rule counts
 * as on. */
static bool acls_off(const struct cfh_node *b)
{
	const struct cfh_node *rules = cfh_map_path(props_of(b),
						    "OwnershipControls",
						    "Rules", NULL);
	const struct cfh_node *own;

	if (!cfh_node_is_seq(rules) || cfh_node_count(rules) != 1)
		return true;
	own = cfh_map_get(cfh_seq_at(rules, 0), "ObjectOwnership");
	return !(cfh_node_str_eq(own, "BucketOwnerPreferred") ||
		 cfh_node_str_eq(own, "ObjectWriter"));
}

/* A bucket of the template the distributions may log into: unconditional,
 * literal, not suppressed for this pass, SSE-S3, ACLs on. */
static bool bucket_fits(struct cloudfront *x, const char *id)
{
	const struct cfh_node *b = cfh_resource(x->r->t, id);

	return cfh_res_is(b, "AWS::S3::Bucket") &&
	       !cfh_map_get(b, "Condition") && !cfh_props_dynamic(b) &&
	       !cfh_pass_skips(x->r, b) && !cfh_bucket_not_sse_s3(b) &&
	       !acls_off(b);
}

/* The bucket a distribution logs into, by !GetAtt B.DomainName, or NULL. */
static const char *dist_log_bucket(struct cfh_template *t,
				   const struct cfh_node *res)
{
	const struct cfh_node *bucket = cfh_map_path(props_of(res),
						     "DistributionConfig",
						     "Logging", "Bucket", NULL);
	const char *id, *attr;

	if (!bucket || cfh_node_getatt(t, bucket, &id, &attr) ||
	    strcmp(attr, "DomainName"))
		return NULL;
	return id;
}

/* One log bucket for every distribution: one a distribution already logs
 * into when it fits, else a new one. */
static int choose_bucket(struct cloudfront *x)
{
	struct cfh_template *t = x->r->t;
	const struct cfh_entry *e;
	const char *id;
	json_t *res;

	if (x->bucket)
		return 0;
	cfh_for_each_resource(t, e) {
		if (!cfh_res_is(e->value, DIST_TYPE))
			continue;
		id = dist_log_bucket(t, e->value);
		if (id && bucket_fits(x, id)) {
			x->bucket = id;
			return 0;
		}
	}
	if (region_condition(x))
		return -1;
	id = cfh_fresh_id(t, "CloudFrontLogsBucket");
	if (!id)
		return -1;
	/* ACLs on (BucketOwnerPreferred): standard logging writes through
	 * the ACL. SSE-S3: a KMS key would have to admit the delivery
	 * account. Public access stays blocked: the awslogsdelivery grant
	 * is to one account, not the public. */
	res = json_pack("{s:s, s:{s:{s:[{s:{s:s}}]}, s:{s:b, s:b, s:b, s:b}, "
			"s:{s:[{s:s}]}}}",
			"Type", "AWS::S3::Bucket", "Properties",
			"BucketEncryption", "ServerSideEncryptionConfiguration",
			"ServerSideEncryptionByDefault", "SSEAlgorithm", "AES256",
			"PublicAccessBlockConfiguration", "BlockPublicAcls", 1,
			"BlockPublicPolicy", 1, "IgnorePublicAcls", 1,
			"RestrictPublicBuckets", 1, "OwnershipControls", "Rules",
			"ObjectOwnership", "BucketOwnerPreferred");
	if (res)
		json_object_set_new(res, "Condition", json_string(x->cond));
	if (cfh_edit_add_resource_take(x->r, id, NULL, res,
				       "one bucket for the CloudFront "
				       "distributions' standard logs, with ACLs "
				       "on (CloudFront writes through them) and "
				       "SSE-S3 (C008-01)",
				       NULL))
		return -1;
	x->bucket = id;
	return 0;
}

static int distribution(struct cfh_run *r, void *st, const char *id,
			struct cfh_node *res)
{
	struct cloudfront *x = st;
	struct cfh_node *p = props_of(res);
	struct cfh_node *dc = cfh_map_get(p, "DistributionConfig");
	char prefix[300];
	json_t *logging;

	if (!dc)
		return 0;	/* not deployable as written: not ours */
	if (cfh_is_dynamic(dc) || !cfh_node_is_map(dc)) {
		char why[600];

		snprintf(why, sizeof(why),
			 "DistributionConfig is decided at deploy time: add, "
			 "in each of its forms, Logging {Bucket: !GetAtt "
			 "<LogBucket>.DomainName, Prefix: %s/%s/, "
			 "IncludeCookies: false}, with a bucket on SSE-S3 whose "
			 "ObjectOwnership is BucketOwnerPreferred (C008-02)",
			 PREFIX, id);
		return cfh_advise(r, res, why);
	}
	if (cfh_map_get(dc, "Logging"))
		return 0;
	if (choose_bucket(x))
		return -1;
	snprintf(prefix, sizeof(prefix), "%s/%s/", PREFIX, id);
	logging = json_pack("{s:o, s:s, s:b}", "Bucket",
			    cfh_json_getatt(x->bucket, "DomainName"), "Prefix",
			    prefix, "IncludeCookies", 0);
	if (logging && x->cond)
		logging = json_pack("{s:[s, o, {s:s}]}", "Fn::If", x->cond,
				    logging, "Ref", "AWS::NoValue");
	return cfh_edit_set_take(r, dc, "Logging", logging,
				 "record every request the distribution serves "
				 "(viewer, path, status, cache result) in the "
				 "log bucket; cookies left out (C008-01)",
				 NULL);
}

static int before(struct cfh_run *r, void *st)
{
	struct cloudfront *x = st;

	x->r = r;
	return 0;
}

static const struct cfh_handler handlers[] = {
	{ DIST_TYPE, distribution },
};

const struct cfh_pass_ops cfh_pass_cloudfront = {
	.state_size = sizeof(struct cloudfront),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};

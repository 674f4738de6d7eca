/* SPDX-License-Identifier: MIT */
/*
 * Pass `s3` (S000-01, S004-06, S004-14): buckets that keep what they hold,
 * clean up after themselves, refuse the public and plain HTTP, and say who
 * read what.
 *
 * A first-draft bucket is one ACL or policy mistake away from public, keeps
 * every overwritten object and every failed multipart upload forever (a
 * cost that only grows), loses data to an overwrite or a delete, accepts
 * unencrypted HTTP, and leaves no record of access. Every bucket gets:
 *
 *   - a public access block, and OwnershipControls BucketOwnerEnforced (ACLs
 *     off), unless it serves a website or its ACL or policy makes it public
 *     on purpose: those are reported, not locked; so are both on a running
 *     bucket, whose objects may be public by ACLs a writer set;
 *   - versioning, and a lifecycle rule that expires noncurrent versions and
 *     aborts incomplete multipart uploads; a pipeline's artifact bucket also
 *     expires old artifacts (S000-01);
 *   - a bucket policy statement denying requests not made over TLS, added
 *     to the bucket's policy when it has one; a running bucket that the
 *     template gives no policy gets an advisory instead, since a new
 *     policy would replace one set on it outside the template, and so
 *     does one that nothing closes to the public (cfh_bucket_may_be_
 *     public()), whose public objects may be read over http:// links;
 *   - server access logging into one logging bucket: the template's own
 *     when it has one that log delivery can be let into (the same rule:
 *     not a running one without a policy in the template), else a new one with SSE-S3 (log delivery cannot
 *     write to SSE-KMS buckets), an expiry, and a policy that admits
 *     logging.s3.amazonaws.com for this account's source buckets alone.
 *     A bucket that receives logs is never logged into itself.
 *
 *   Bucket:                        Bucket:
 *     Type: AWS::S3::Bucket   ==>    Type: AWS::S3::Bucket
 *                                    Properties:
 *                                      PublicAccessBlockConfiguration: {...}
 *                                      OwnershipControls: {...}
 *                                      VersioningConfiguration:
 *                                        Status: Enabled
 *                                      LifecycleConfiguration: {...}
 *                                      LoggingConfiguration:
 *                                        DestinationBucketName: !Ref AccessLogsBucket
 *                                  BucketPolicy: {Deny unless aws:SecureTransport}
 *                                  AccessLogsBucket: {...}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

#define TLS_SID "DenyInsecureTransport"
#define LOG_SID "AllowS3ServerAccessLogs"
#define LOG_SERVICE "logging.s3.amazonaws.com"

/* A bucket policy the pass made in this run, which the reference graph
 * does not show until the pass ends. */
struct made_policy {
	const char *bucket;
	struct cfh_node *res;
};

struct s3 {
	struct cfh_run *r;
	struct cfh_ids buckets;		/* every bucket, before any edit */
	struct cfh_ids sources;		/* buckets to log */
	struct cfh_ids named;		/* bucket policies whose Bucket is no
					 * Ref to a bucket of the template */
	struct made_policy *made;
	size_t nmade, capmade;
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* True if @n (any subtree) has a mapping key @key. */
static bool has_key(const struct cfh_node *n, const char *key)
{
	const struct cfh_entry *e;

	n = cfh_node_deref(n);
	if (!n || n->kind == CFH_SCALAR)
		return false;
	cfh_for_each_entry(n, e)
		if ((e->key && cfh_node_str_eq(e->key, key)) ||
		    has_key(e->value, key))
			return true;
	return false;
}

/* True if the JSON forms of @a and @b are equal (a name written twice:
 * the same literal, or the same !Sub). */
static bool same_value(const struct cfh_node *a, const struct cfh_node *b)
{
	json_t *ja = cfh_node_to_json(a), *jb = cfh_node_to_json(b);
	bool eq = ja && jb && json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return eq;
}

/*
 * The template's AWS::S3::BucketPolicy for @bucket, or NULL: one that
 * names it by Ref, else one whose Bucket is written exactly as the
 * bucket's BucketName (a literal, or the same !Sub). A bucket has one
 * policy: a second replaces the first, and with it, say, CloudFront's read
 * grant. *@maybe is set when some policy names a bucket the pass cannot
 * tell apart from this one (a parameter, an import, another name).
 */
static struct cfh_node *policy_of(struct s3 *x, const char *bucket,
				  bool *maybe)
{
	const struct cfh_node *res = cfh_resource(x->r->t, bucket);
	const struct cfh_node *name = cfh_map_get(props_of(res), "BucketName");
	const char **refs;
	struct cfh_node *hit = NULL;
	size_t n, i;

	*maybe = false;
	if (cfh_referrers(x->r->t, bucket, "AWS::S3::BucketPolicy", &refs, &n))
		return NULL;
	for (i = 0; i < n && !hit; i++) {
		struct cfh_node *r = cfh_resource(x->r->t, refs[i]);

		if (cfh_refers_to(cfh_map_get(props_of(r), "Bucket"), bucket))
			hit = r;
	}
	free(refs);
	/* By name, among the policies that name no bucket by Ref. */
	for (i = 0; i < x->named.n && !hit; i++) {
		struct cfh_node *pol = cfh_resource(x->r->t, x->named.v[i]);

		if (name && same_value(name, cfh_map_get(props_of(pol),
							 "Bucket")))
			hit = pol;
		else
			*maybe = true;
	}
	/* A bucket the run added is nobody else's to name. */
	if (hit || (res && (res->flags & CFH_NF_NEW)))
		*maybe = false;
	return hit;
}

/*
 * The policy that applies to @bucket: the one the pass made in this run,
 * else the template's. Returns the AWS::S3::BucketPolicy, or NULL when the
 * bucket has none; *@doc receives its PolicyDocument (NULL when none) and
 * *@maybe (when not NULL) whether another policy might be the bucket's.
 * Read the statements with cfh_stmt_iter_init(), which reads a lone
 * statement as IAM does; only a literal list takes another one.
 */
static struct cfh_node *policy_for(struct s3 *x, const char *bucket,
				   struct cfh_node **doc, bool *maybe)
{
	struct cfh_node *pol = NULL;
	bool unused;
	size_t i;

	if (!maybe)
		maybe = &unused;
	*maybe = false;
	for (i = 0; i < x->nmade && !pol; i++)
		if (!strcmp(x->made[i].bucket, bucket))
			pol = x->made[i].res;
	if (!pol)
		pol = policy_of(x, bucket, maybe);
	*doc = cfh_map_path(pol, "Properties", "PolicyDocument", NULL);
	return pol;
}

/*
 * A running bucket the template gives no policy may have one from outside
 * it (the console, another stack, a service's setup). S3 keeps one policy
 * per bucket, and creating an AWS::S3::BucketPolicy replaces that one:
 * grants nobody can see here would go. Such a bucket gets no new policy.
 */
static bool policy_unseen(struct s3 *x, const char *bucket)
{
	struct cfh_node *doc;
	bool maybe;

	return cfh_is_running(x->r, cfh_resource(x->r->t, bucket)) &&
	       !policy_for(x, bucket, &doc, &maybe) && !maybe;
}

/* A Principal of everyone: "*" or {AWS: "*"}. */
static bool principal_any(const struct cfh_node *p)
{
	if (cfh_node_str_eq(p, "*"))
		return true;
	p = cfh_map_get(p, "AWS");
	if (cfh_node_str_eq(p, "*"))
		return true;
	if (cfh_node_is_seq(p)) {
		const struct cfh_entry *e;

		cfh_for_each_entry(cfh_node_deref(p), e)
			if (cfh_node_str_eq(e->value, "*"))
				return true;
	}
	return false;
}

/*
 * A condition that makes a statement for everyone not public, as S3 reads
 * it: one on a fixed source or principal (aws:SourceArn, aws:SourceVpc,
 * aws:PrincipalOrgID, ...). aws:SecureTransport, say, does not.
 */
static bool restricting_condition(const struct cfh_node *cond)
{
	static const char *const keys[] = {
		"aws:SourceArn",	"aws:SourceVpc",     "aws:SourceVpce",
		"aws:SourceAccount",	"aws:SourceOwner",   "aws:SourceIp",
		"aws:PrincipalArn",	"aws:PrincipalAccount",
		"aws:PrincipalOrgID",	"aws:userid",	     "s3:DataAccessPointArn",
		"s3:DataAccessPointAccount",
	};
	const struct cfh_entry *op, *k;
	size_t i;

	cond = cfh_node_deref(cond);
	if (!cfh_node_is_map(cond))
		return cond != NULL;	/* an intrinsic: not read, so trusted */
	cfh_for_each_entry(cond, op) {
		const struct cfh_node *m = cfh_node_deref(op->value);

		if (!cfh_node_is_map(m))
			continue;
		cfh_for_each_entry(m, k)
			for (i = 0; i < CFH_ARRAY_SIZE(keys); i++)
				if (!strcasecmp(k->key->text, keys[i]))
					return true;
	}
	return false;
}

/* Meant to be public: a website, a public canned ACL, or a policy that
 * allows everyone (Principal "*", or everyone but some with NotPrincipal)
 * without a condition that restricts the source. Blocking public access
 * on such a bucket would fail the policy's update or cut its readers
 * off. */
static bool public_intent(struct s3 *x, const char *id,
			  const struct cfh_node *res)
{
	const struct cfh_node *p = props_of(res);
	const char *acl = cfh_node_str(cfh_map_get(p, "AccessControl"));
	struct cfh_node *doc;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	if (cfh_map_get(p, "WebsiteConfiguration"))
		return true;
	if (acl && (!strcmp(acl, "PublicRead") ||
		    !strcmp(acl, "PublicReadWrite") ||
		    !strcmp(acl, "AuthenticatedRead")))
		return true;
	policy_for(x, id, &doc, NULL);
	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		if (cfh_stmt_allows(&s) &&
		    (s.not_principal || principal_any(s.principal)) &&
		    !restricting_condition(s.condition))
			return true;
	return false;
}

/* A bucket that receives logs: server access logs of a bucket, load
 * balancer logs, CloudFront logs. */
static bool log_target(struct s3 *x, const char *id, bool *cloudfront)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	*cloudfront = false;
	if (cfh_referrers(x->r->t, id, NULL, &refs, &n))
		return true;	/* out of memory: the safe answer */
	for (i = 0; i < n; i++) {
		const struct cfh_node *r = cfh_resource(x->r->t, refs[i]);
		const struct cfh_node *p = props_of(r);

		if (cfh_res_is(r, "AWS::S3::Bucket"))
			hit |= cfh_refers_to(cfh_map_path(p, "LoggingConfiguration",
							  "DestinationBucketName",
							  NULL),
					     id);
		else if (cfh_res_is(r, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			hit |= cfh_refers_to(cfh_map_get(p, "LoadBalancerAttributes"),
					     id);
		else if (cfh_res_is(r, "AWS::ElasticLoadBalancing::LoadBalancer"))
			hit |= cfh_refers_to(cfh_map_path(p, "AccessLoggingPolicy",
							  "S3BucketName", NULL),
					     id);
		else if (cfh_res_is(r, "AWS::CloudFront::Distribution") &&
			 cfh_refers_to(cfh_map_path(p, "DistributionConfig",
						    "Logging", NULL),
				       id))
			hit = *cloudfront = true;
	}
	free(refs);
	return hit;
}

/* A pipeline keeps its artifacts in the bucket. */
static bool artifact_store(struct s3 *x, const char *id)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_referrers(x->r->t, id, "AWS::CodePipeline::Pipeline", &refs,
			  &n))
		return false;
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *p =
			props_of(cfh_resource(x->r->t, refs[i]));

		hit = cfh_refers_to(cfh_map_get(p, "ArtifactStore"), id) ||
		      cfh_refers_to(cfh_map_get(p, "ArtifactStores"), id);
	}
	free(refs);
	return hit;
}

/* ---- public access ---- */

static const char *const pab_keys[] = {
	"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
	"RestrictPublicBuckets", NULL,
};

static json_t *pab_json(void)
{
	json_t *j = json_object();
	size_t i;

	for (i = 0; pab_keys[i]; i++)
		json_object_set_new(j, pab_keys[i], json_true());
	return j;
}

/*
 * A running bucket may be public in ways the template does not show:
 * objects an application uploads with ACL public-read (IgnorePublicAcls
 * makes them private, BlockPublicAcls fails the upload), or a policy set
 * in the console. Its public access block is advised, not written.
 */
static int block_public_running(struct s3 *x, const struct cfh_node *res,
				const struct cfh_node *pab)
{
	char msg[700], off[200] = "";
	size_t i;

	for (i = 0; pab_keys[i]; i++)
		if (!cfh_node_str_eq(cfh_map_get(pab, pab_keys[i]), "true"))
			snprintf(off + strlen(off), sizeof(off) - strlen(off),
				 "%s%s", *off ? ", " : "", pab_keys[i]);
	if (!*off || (pab && pab->kind != CFH_MAP))
		return 0;
	snprintf(msg, sizeof(msg),
		 "public access not blocked (%s off): objects uploaded with a "
		 "public ACL, or a policy set outside the template, may make "
		 "it public on purpose today; once `aws s3api "
		 "get-bucket-policy-status` and IAM Access Analyzer for S3 show "
		 "nothing public that must stay so, and no writer sets a public "
		 "ACL, set them to true in PublicAccessBlockConfiguration "
		 "(S004-06)",
		 off);
	return cfh_advise(x->r, res, msg);
}

static int block_public(struct s3 *x, const struct cfh_node *res,
			struct cfh_node *p)
{
	struct cfh_node *pab = cfh_map_get(p, "PublicAccessBlockConfiguration");
	size_t i;

	if (cfh_is_running(x->r, res))
		return block_public_running(x, res, pab);
	if (!pab)
		return cfh_edit_set_take(x->r, p,
					 "PublicAccessBlockConfiguration",
					 pab_json(),
					 "block public ACLs and policies: a "
					 "private bucket stays private whatever "
					 "a later ACL or policy says (S004-06)",
					 NULL);
	if (pab->kind != CFH_MAP)
		return 0;
	/* The author's values stay; what they left out defaults to off. */
	for (i = 0; pab_keys[i]; i++)
		if (!cfh_map_get(pab, pab_keys[i]) &&
		    cfh_edit_set_take(x->r, pab, pab_keys[i], json_true(),
				      "a public access block setting left out "
				      "is off: turn it on (S004-06)",
				      NULL))
			return -1;
	return 0;
}

/* ACLs off. Not where ACLs are still needed: a canned ACL other than a
 * private one, CloudFront standard logs. */
static int owner_enforced(struct s3 *x, const struct cfh_node *res,
			  struct cfh_node *p, bool cloudfront)
{
	const char *acl = cfh_node_str(cfh_map_get(p, "AccessControl"));

	if (cfh_map_get(p, "OwnershipControls"))
		return 0;
	if (cloudfront)
		return cfh_advise(x->r, res,
				  "receives CloudFront standard logs, which "
				  "need ACLs: ACLs left on (S004-06)");
	if (acl && strcmp(acl, "Private") && strcmp(acl, "BucketOwnerFullControl"))
		return cfh_advise(x->r, res,
				  "its AccessControl needs ACLs: replace the "
				  "ACL with a bucket policy, then set "
				  "OwnershipControls BucketOwnerEnforced "
				  "(S004-06)");
	/* A running bucket made before April 2023 has ACLs on: a writer
	 * that sets one (another account, a log delivery) fails once they
	 * are off. */
	if (cfh_is_running(x->r, res))
		return cfh_advise(x->r, res,
				  "ACLs may be on (the default of buckets made "
				  "before April 2023): once no writer sets an ACL "
				  "other than bucket-owner-full-control, set "
				  "OwnershipControls BucketOwnerEnforced "
				  "(S004-06)");
	return cfh_edit_set_take(x->r, p, "OwnershipControls",
				 json_pack("{s:[{s:s}]}", "Rules",
					   "ObjectOwnership",
					   "BucketOwnerEnforced"),
				 "ACLs off: the bucket owner owns every object "
				 "and only policies grant access (S004-06)",
				 NULL);
}

/* ---- versions and lifecycle ---- */

static int versioning(struct s3 *x, struct cfh_node *p, bool artifacts)
{
	if (cfh_map_get(p, "VersioningConfiguration"))
		return 0;
	return cfh_edit_set_take(x->r, p, "VersioningConfiguration",
				 json_pack("{s:s}", "Status", "Enabled"),
				 artifacts
					 ? "keep earlier versions of pipeline "
					   "artifacts: an overwrite or delete can "
					   "be undone and audited (S000-01)"
					 : "keep earlier versions of objects: an "
					   "overwrite or delete can be undone "
					   "(S004-06)",
				 NULL);
}

/* The housekeeping rule: noncurrent versions and failed uploads go;
 * @expire > 0 also expires current objects after that many days. */
static json_t *lifecycle_rule(struct s3 *x, const char *rid, bool noncurrent,
			      bool abort_mpu, long long expire)
{
	json_t *r = json_pack("{s:s, s:s}", "Id", rid, "Status", "Enabled");

	if (expire > 0)
		json_object_set_new(r, "ExpirationInDays", json_integer(expire));
	if (noncurrent)
		json_object_set_new(
			r, "NoncurrentVersionExpiration",
			json_pack("{s:I}", "NoncurrentDays",
				  (json_int_t)cfh_opt_int(x->r,
							  "noncurrent-days")));
	if (abort_mpu)
		json_object_set_new(
			r, "AbortIncompleteMultipartUpload",
			json_pack("{s:I}", "DaysAfterInitiation",
				  (json_int_t)cfh_opt_int(x->r,
							  "abort-upload-days")));
	return r;
}

/* What the bucket holds decides whether current objects expire too: old
 * pipeline artifacts (S000-01) and old logs (S004-14) do. */
enum holds { HOLDS_DATA, HOLDS_ARTIFACTS, HOLDS_LOGS };

/*
 * A running bucket's lifecycle rules act on what it holds now: expiring
 * current objects after N days deletes every older one the day the rule
 * is set, and expiring noncurrent versions of a bucket that was already
 * versioned deletes the history it kept. Those parts are advised, not
 * written; a rule that only aborts failed uploads deletes nothing.
 */
static int running_lifecycle(struct s3 *x, struct cfh_node *res,
			     long long *expire, bool *noncurrent,
			     bool was_versioned)
{
	char msg[400];

	if (!cfh_is_running(x->r, res))
		return 0;
	if (*expire > 0) {
		snprintf(msg, sizeof(msg),
			 "no expiry of old objects: a rule expiring them after "
			 "%lld days would delete every older one the day it is "
			 "set; add it once nothing needs them (S000-01, "
			 "S004-14)",
			 *expire);
		if (cfh_advise(x->r, res, msg))
			return -1;
		*expire = 0;
	}
	if (*noncurrent && was_versioned) {
		if (cfh_advise(x->r, res,
			       "noncurrent versions are kept forever: a rule "
			       "expiring them would delete the history this "
			       "bucket has kept so far; add "
			       "NoncurrentVersionExpiration once it is not "
			       "needed (S004-06)"))
			return -1;
		*noncurrent = false;
	}
	return 0;
}

/* Why the rule is written, as it is written: a running bucket's may have
 * lost its expiries (running_lifecycle()). */
static const char *lifecycle_why(enum holds what, bool noncurrent,
				 long long expire)
{
	static const char *const whys[] = {
		"expire noncurrent versions and abort incomplete multipart "
		"uploads: storage stops growing forever (S004-06)",
		"expire old pipeline artifacts and their noncurrent versions, "
		"abort incomplete uploads: storage stops growing forever "
		"(S000-01)",
		"expire old logs and noncurrent versions, abort incomplete "
		"uploads: the log bucket stops growing forever (S004-14)",
	};

	if (what == HOLDS_DATA ? noncurrent : expire > 0)
		return whys[what];
	return noncurrent ? "expire noncurrent versions and abort incomplete "
			    "multipart uploads: storage stops growing forever "
			    "(S004-06)"
			  : "abort incomplete multipart uploads: storage stops "
			    "growing with them (S004-06)";
}

static int lifecycle(struct s3 *x, struct cfh_node *res, struct cfh_node *p,
		     enum holds what, bool was_versioned)
{
	static const char *const rids[] = { "Housekeeping",
					    "ExpireOldArtifacts",
					    "ExpireAccessLogs" };
	struct cfh_node *lc = cfh_map_get(p, "LifecycleConfiguration");
	struct cfh_node *rules = cfh_map_get(lc, "Rules");
	long long expire = what == HOLDS_ARTIFACTS
		? cfh_opt_int(x->r, "artifact-expiry-days")
		: what == HOLDS_LOGS ? cfh_opt_int(x->r, "log-expiry-days") : 0;
	const struct cfh_entry *e;
	bool noncurrent = false, abort_mpu = false, expires = false, nc = true;
	const char *rid = rids[what];

	if (!lc) {
		if (running_lifecycle(x, res, &expire, &nc, was_versioned))
			return -1;
		return cfh_edit_set_take(
			x->r, p, "LifecycleConfiguration",
			json_pack("{s:[o]}", "Rules",
				  lifecycle_rule(x, rid, nc, true, expire)),
			lifecycle_why(what, nc, expire), NULL);
	}
	if (!rules || rules->kind != CFH_SEQ)
		return 0;
	/* Rules the author wrote stay; what they lack is one more rule. A
	 * rule with a filter covers only part of the bucket, but counts:
	 * the author chose. */
	cfh_for_each_entry(rules, e) {
		noncurrent |= cfh_map_get(e->value, "NoncurrentVersionExpiration") ||
			      cfh_map_get(e->value,
					  "NoncurrentVersionExpirationInDays");
		abort_mpu |= cfh_map_get(e->value,
					 "AbortIncompleteMultipartUpload") != NULL;
		expires |= cfh_map_get(e->value, "ExpirationInDays") ||
			   cfh_map_get(e->value, "ExpirationDate");
	}
	if (expires)
		expire = 0;
	nc = !noncurrent;
	if (running_lifecycle(x, res, &expire, &nc, was_versioned))
		return -1;
	if (!nc && abort_mpu && !expire)
		return 0;
	return cfh_edit_append_take(x->r, rules,
				    lifecycle_rule(x, rid, nc, !abort_mpu,
						   expire),
				    lifecycle_why(what, nc, expire), NULL);
}

/* ---- bucket policies ---- */

/*
 * Deny everyone everything on the bucket and its objects without TLS. A
 * Deny of everyone is not a statement the builders make, but its
 * condition is. The objects' ARN is written with Fn::Join, not Fn::Sub:
 * the same ARN, in the one form the Control Tower rule CT.S3.PR.8
 * recognises as this bucket's objects.
 */
static json_t *tls_statement(const char *bucket)
{
	return cfh_stmt_when_take(
		json_pack("{s:s, s:s, s:s, s:s, s:[o, {s:[s, [o, s]]}]}",
			  "Sid", TLS_SID, "Effect", "Deny", "Principal", "*",
			  "Action", "s3:*", "Resource",
			  cfh_json_getatt(bucket, "Arn"), "Fn::Join", "",
			  cfh_json_getatt(bucket, "Arn"), "/*"),
		"Bool", "aws:SecureTransport", json_string("false"));
}

/* Add @stmt to the bucket's policy; a new AWS::S3::BucketPolicy when it
 * has none. */
static int add_statement(struct s3 *x, const char *bucket, json_t *stmt,
			 const char *reason)
{
	const struct cfh_node *cond;
	struct cfh_node *pol_res, *doc, *st, *res;
	char base[256], msg[1500];
	bool maybe;
	const char *id;
	json_t *pol;

	pol_res = policy_for(x, bucket, &doc, &maybe);
	/* The policy is reached through the bucket: where the pass is
	 * suppressed on it, a human adds the statement. */
	if (pol_res && cfh_pass_skips(x->r, pol_res)) {
		json_decref(stmt);
		snprintf(msg, sizeof(msg),
			 "this pass is suppressed on its bucket policy: %s, "
			 "by hand",
			 reason);
		return cfh_advise(x->r, cfh_resource(x->r->t, bucket), msg);
	}
	st = cfh_map_get(doc, "Statement");
	if (st && st->kind == CFH_SEQ)
		return cfh_edit_append_take(x->r, st, stmt, reason, NULL);
	if (pol_res) {
		json_decref(stmt);
		return cfh_advise(x->r, cfh_resource(x->r->t, bucket),
				  "its bucket policy is not a literal list of "
				  "statements: add the statement by hand");
	}
	if (maybe) {
		json_decref(stmt);
		snprintf(msg, sizeof(msg),
			 "a bucket policy of the template names a bucket by a "
			 "name the pass cannot match to this one: if it is "
			 "this bucket's, a second policy would replace it; %s, "
			 "in that policy, by hand",
			 reason);
		return cfh_advise(x->r, cfh_resource(x->r->t, bucket), msg);
	}
	if (policy_unseen(x, bucket)) {
		char *text = cfh_json_dumps(stmt, JSON_COMPACT);

		json_decref(stmt);
		if (!text)
			return -1;
		snprintf(msg, sizeof(msg),
			 "not done, %s: the template gives this running bucket "
			 "no policy, and a new AWS::S3::BucketPolicy would "
			 "replace any set on it outside the template (a bucket "
			 "has one); if `aws s3api get-bucket-policy` finds "
			 "none, add a policy with this statement, else add it "
			 "to the policy the bucket has and bring that policy "
			 "into the template: %s",
			 reason, text);
		free(text);
		return cfh_advise(x->r, cfh_resource(x->r->t, bucket), msg);
	}
	if (x->nmade == x->capmade) {
		size_t cap = x->capmade ? 2 * x->capmade : 16;
		struct made_policy *m = realloc(x->made, cap * sizeof(*m));

		if (!m) {
			json_decref(stmt);
			return -1;
		}
		x->made = m;
		x->capmade = cap;
	}
	snprintf(base, sizeof(base), "%sPolicy", bucket);
	id = cfh_fresh_id(x->r->t, base);
	if (!id) {
		json_decref(stmt);
		return -1;
	}
	pol = json_pack("{s:s, s:{s:o, s:o}}", "Type", "AWS::S3::BucketPolicy",
			"Properties", "Bucket", cfh_json_ref(bucket),
			"PolicyDocument",
			cfh_policy_doc_take(json_pack("[o]", stmt)));
	cond = cfh_map_get(cfh_resource(x->r->t, bucket), "Condition");
	if (pol && cond && cfh_node_str(cond))
		json_object_set_new(pol, "Condition",
				    json_string(cfh_node_str(cond)));
	if (cfh_edit_add_resource_take(x->r, id, bucket, pol, reason, &res))
		return -1;
	x->made[x->nmade].bucket = bucket;
	x->made[x->nmade++].res = res;
	return 0;
}

/* Deny plain HTTP, unless a statement already does. */
static int deny_http(struct s3 *x, const char *bucket)
{
	struct cfh_node *doc;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	policy_for(x, bucket, &doc, NULL);
	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		if (has_key(s.node, "aws:SecureTransport") ||
		    cfh_node_str_eq(cfh_map_get(s.node, "Sid"), TLS_SID))
			return 0;
	/* Public objects are linked with http:// URLs as often as not. */
	if (cfh_is_running(x->r, cfh_resource(x->r->t, bucket)) &&
	    cfh_bucket_may_be_public(cfh_resource(x->r->t, bucket)))
		return cfh_advise(x->r, cfh_resource(x->r->t, bucket),
				  "no TLS-only statement: nothing in the "
				  "template closes this running bucket to the "
				  "public, and public objects are often read "
				  "through http:// links, which it would refuse; "
				  "once the bucket blocks public access, deny "
				  "requests whose aws:SecureTransport is false "
				  "in its policy (S004-06)");
	return add_statement(x, bucket, tls_statement(bucket),
			     "deny requests not made over TLS (S004-06)");
}

/* ---- access logs ---- */

/* Can log delivery be let into @logs: through the log-delivery group's
 * ACL, or a policy the template has or may create? */
static bool admits_delivery(struct s3 *x, const char *logs)
{
	const char *acl = cfh_node_str(cfh_map_path(cfh_resource(x->r->t, logs),
						    "Properties",
						    "AccessControl", NULL));

	return (acl && !strcmp(acl, "LogDeliveryWrite")) ||
	       !policy_unseen(x, logs);
}

/* The template's logging bucket: the first bucket another one logs into,
 * that log delivery can be let into. */
static const char *find_log_bucket(struct s3 *x)
{
	size_t i;

	for (i = 0; i < x->buckets.n; i++) {
		const struct cfh_node *d = cfh_map_path(
			cfh_resource(x->r->t, x->buckets.v[i]), "Properties",
			"LoggingConfiguration", "DestinationBucketName", NULL);
		const char *to = cfh_node_ref(d);

		if (to && cfh_ids_has(&x->buckets, to) &&
		    !cfh_map_get(cfh_resource(x->r->t, to), "Condition") &&
		    admits_delivery(x, to))
			return to;
	}
	/* Else the bucket load balancers log into (the elb pass's, say):
	 * one bucket for the logs AWS delivers, if it is on SSE-S3, the
	 * only encryption server access logging writes to. */
	for (i = 0; i < x->buckets.n; i++) {
		const struct cfh_node *res = cfh_resource(x->r->t,
							  x->buckets.v[i]);
		const struct cfh_node *enc = cfh_map_path(
			res, "Properties", "BucketEncryption", NULL);
		const struct cfh_node *alg = cfh_map_path(
			cfh_seq_at(cfh_map_get(enc,
					       "ServerSideEncryptionConfiguration"),
				   0),
			"ServerSideEncryptionByDefault", "SSEAlgorithm", NULL);
		bool cloudfront;

		if (log_target(x, x->buckets.v[i], &cloudfront) && !cloudfront &&
		    !cfh_map_get(res, "Condition") &&
		    (!enc || cfh_node_str_eq(alg, "AES256")) &&
		    admits_delivery(x, x->buckets.v[i]))
			return x->buckets.v[i];
	}
	return NULL;
}

static int add_log_bucket(struct s3 *x, const char **id)
{
	long long days = cfh_opt_int(x->r, "log-expiry-days");
	json_t *rule, *res;
	char why[200];

	*id = cfh_fresh_id(x->r->t, "AccessLogsBucket");
	if (!*id)
		return -1;
	rule = lifecycle_rule(x, "ExpireAccessLogs", true, true, days);
	res = json_pack("{s:s, s:{s:{s:[{s:{s:s}}]}, s:o, s:{s:[{s:s}]}, "
			"s:{s:s}, s:{s:[o]}}}",
			"Type", "AWS::S3::Bucket", "Properties",
			"BucketEncryption", "ServerSideEncryptionConfiguration",
			"ServerSideEncryptionByDefault", "SSEAlgorithm", "AES256",
			"PublicAccessBlockConfiguration", pab_json(),
			"OwnershipControls", "Rules", "ObjectOwnership",
			"BucketOwnerEnforced", "VersioningConfiguration",
			"Status", "Enabled", "LifecycleConfiguration", "Rules",
			rule);
	snprintf(why, sizeof(why),
		 "one bucket for the server access logs of the others, SSE-S3 "
		 "(log delivery cannot use KMS), logs expire after %lld days "
		 "(S004-14)",
		 days);
	return cfh_edit_add_resource_take(x->r, *id, NULL, res, why,
					  NULL) ||
	       deny_http(x, *id);
}

/* The log-delivery statement of the logging bucket's policy @doc, or
 * NULL. */
static struct cfh_node *log_statement(struct cfh_node *doc)
{
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		if (cfh_node_str_eq(cfh_map_get(s.node, "Sid"), LOG_SID) ||
		    cfh_node_str_eq(cfh_map_path(s.node, "Principal",
						 "Service", NULL),
				    LOG_SERVICE))
			return s.node;
	return NULL;
}

/* What to do by hand when the logging bucket's policy is suppressed for
 * the pass: said on the bucket whose logs it would take. */
static int delivery_by_hand(struct s3 *x, const char *source)
{
	return cfh_advise(x->r, cfh_resource(x->r->t, source),
			  "this pass is suppressed on the logging bucket's "
			  "policy: let S3 log delivery write this bucket's "
			  "access logs there, by hand (S004-14)");
}

/* Let S3 log delivery write the sources' logs, for this account's source
 * buckets alone. */
static int admit_delivery(struct s3 *x, const char *logs)
{
	const char *acl = cfh_node_str(cfh_map_path(cfh_resource(x->r->t, logs),
						    "Properties",
						    "AccessControl", NULL));
	struct cfh_node *pol, *doc, *st, *arns;
	json_t *list, *stmt;
	char sub[300];
	size_t i;
	bool skip;

	/* Delivery through the log-delivery group's ACL needs no policy. */
	if (acl && !strcmp(acl, "LogDeliveryWrite"))
		return 0;
	/* The policy is reached through the logging bucket: where the pass
	 * is suppressed on it, it is left alone. */
	pol = policy_for(x, logs, &doc, NULL);
	skip = pol && cfh_pass_skips(x->r, pol);
	st = log_statement(doc);
	if (st) {
		arns = cfh_map_path(st, "Condition", "ArnLike", "aws:SourceArn",
				    NULL);
		if (!arns || arns->kind != CFH_SEQ)
			return 0;	/* the author's scope */
		for (i = 0; i < x->sources.n; i++) {
			if (cfh_refers_to(arns, x->sources.v[i]))
				continue;
			if (skip ? delivery_by_hand(x, x->sources.v[i])
				 : cfh_edit_append_take(
					   x->r, arns,
					   cfh_json_getatt(x->sources.v[i],
							   "Arn"),
					   "let S3 deliver this bucket's "
					   "access logs (S004-14)",
					   NULL))
				return -1;
		}
		return 0;
	}
	if (skip) {
		for (i = 0; i < x->sources.n; i++)
			if (delivery_by_hand(x, x->sources.v[i]))
				return -1;
		return 0;
	}
	list = json_array();
	for (i = 0; i < x->sources.n; i++)
		json_array_append_new(list, cfh_json_getatt(x->sources.v[i],
							    "Arn"));
	snprintf(sub, sizeof(sub), "${%s.Arn}/*", logs);
	stmt = cfh_stmt_service_take(LOG_SERVICE, "s3:PutObject",
				     json_pack("{s:s}", "Fn::Sub", sub));
	stmt = cfh_stmt_with_sid_take(LOG_SID, stmt);
	stmt = cfh_stmt_when_take(stmt, "ArnLike", "aws:SourceArn", list);
	stmt = cfh_stmt_when_take(stmt, "StringEquals", "aws:SourceAccount",
				  json_pack("{s:s}", "Fn::Sub",
					    "${AWS::AccountId}"));
	return add_statement(x, logs, stmt,
			     "let S3 deliver server access logs, from this "
			     "account's buckets of this template alone "
			     "(S004-14)");
}

static int access_logs(struct s3 *x)
{
	const char *logs;
	char prefix[300];
	size_t i;

	if (!x->sources.n)
		return 0;
	logs = find_log_bucket(x);
	if (!logs && add_log_bucket(x, &logs))
		return -1;
	for (i = 0; i < x->sources.n; i++) {
		struct cfh_node *p = cfh_res_props(
			x->r, cfh_resource(x->r->t, x->sources.v[i]),
			"add Properties");

		snprintf(prefix, sizeof(prefix), "%s/", x->sources.v[i]);
		if (!p || cfh_edit_set_take(x->r, p, "LoggingConfiguration",
					    json_pack("{s:o, s:s}",
						      "DestinationBucketName",
						      cfh_json_ref(logs),
						      "LogFilePrefix", prefix),
					    "server access logs: who read, wrote "
					    "or deleted what, kept in the "
					    "logging bucket (S004-14)",
					    NULL))
			return -1;
	}
	return admit_delivery(x, logs);
}

/* ---- one bucket ---- */

/* Bucket names are global: one without the account ID may be taken in
 * another account, and a second stack of the template collides. Renaming
 * replaces the bucket, so this is the author's call. */
static int global_name(struct s3 *x, const struct cfh_node *res)
{
	const struct cfh_node *n = cfh_map_path(res, "Properties", "BucketName",
						NULL);
	struct cfh_fn_view fv;
	const char *s = NULL;

	if (cfh_node_is_str(n))
		s = cfh_node_str(n);
	else if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_SUB &&
		 fv.arg->kind == CFH_SCALAR)
		s = cfh_node_str(fv.arg);
	if (!s || strstr(s, "${AWS::AccountId}"))
		return 0;
	return cfh_advise(x->r, res,
			  "bucket names are global: a name without the account "
			  "ID may be taken elsewhere, and a second stack of this "
			  "template collides; add ${AWS::AccountId} (renaming "
			  "replaces the bucket) (S004-06)");
}

static int bucket(struct cfh_run *r, void *st, const char *id,
		  struct cfh_node *res)
{
	struct s3 *x = st;
	struct cfh_node *p = props_of(res);
	bool website = cfh_map_get(p, "WebsiteConfiguration") != NULL;
	bool pub = public_intent(x, id, res), cloudfront;
	bool target = log_target(x, id, &cloudfront);
	bool artifacts = artifact_store(x, id), was_versioned;

	if (p && !cfh_node_is_map(p))
		return 0;
	if (pub && cfh_advise(r, res,
			      website ? "website bucket: public by design, not "
					"locked; serve it through CloudFront "
					"with origin access control, then block "
					"public access (S004-06)"
				      : "bucket made public by its ACL or "
					"policy: not locked; check that it must "
					"be (S004-06)"))
		return -1;
	if (global_name(x, res))
		return -1;
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return -1;
	if (!pub && (block_public(x, res, p) ||
		     owner_enforced(x, res, p, cloudfront)))
		return -1;
	was_versioned = cfh_node_str_eq(cfh_map_path(p, "VersioningConfiguration",
						      "Status", NULL),
				       "Enabled");
	if (versioning(x, p, artifacts) ||
	    lifecycle(x, res, p,
		      artifacts ? HOLDS_ARTIFACTS
		      : target	? HOLDS_LOGS
				: HOLDS_DATA,
		      was_versioned))
		return -1;
	/* A website endpoint speaks plain HTTP only. */
	if (!website && deny_http(x, id))
		return -1;
	if (target || cfh_map_get(p, "LoggingConfiguration"))
		return 0;
	if (cfh_map_get(res, "Condition"))
		return cfh_advise(r, res,
				  "conditional bucket: no access logging added "
				  "(the logging bucket's policy would name it "
				  "when it does not exist) (S004-14)");
	return cfh_ids_add(&x->sources, id);
}

/* Every bucket, before the pass changes any: the logging bucket is looked
 * for among them. */
static int before(struct cfh_run *r, void *st)
{
	struct s3 *x = st;
	const struct cfh_entry *e;

	x->r = r;
	cfh_for_each_resource(r->t, e) {
		const char *ref = cfh_node_ref(cfh_map_get(props_of(e->value),
							   "Bucket"));

		if (cfh_res_is(e->value, "AWS::S3::Bucket") &&
		    cfh_ids_add(&x->buckets, e->key->text))
			return -1;
		/* Found once, looked through for every bucket: a policy that
		 * names its bucket otherwise than by Ref. */
		if (cfh_res_is(e->value, "AWS::S3::BucketPolicy") &&
		    cfh_map_get(props_of(e->value), "Bucket") &&
		    !(ref && cfh_res_is(cfh_resource(r->t, ref),
					"AWS::S3::Bucket")) &&
		    cfh_ids_add(&x->named, e->key->text))
			return -1;
	}
	return 0;
}

/* Access logging waits until every bucket is seen: the logging bucket's
 * policy names all the buckets that log into it. */
static int after(struct cfh_run *r, void *st)
{
	(void)r;
	return access_logs(st);
}

static void release(void *st)
{
	struct s3 *x = st;

	cfh_ids_release(&x->buckets);
	cfh_ids_release(&x->sources);
	cfh_ids_release(&x->named);
	free(x->made);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::S3::Bucket", bucket },
};

const struct cfh_pass_ops cfh_pass_s3 = {
	.state_size = sizeof(struct s3),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};

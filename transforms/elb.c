/* SPDX-License-Identifier: MIT */
/*
 * Pass `elb` (C002-01 to C002-05): load balancers that record who called
 * them, balance over every zone, let in-flight requests finish, and refuse
 * malformed headers, without changing what a running balancer does for its
 * clients.
 *
 *   - Access logs (C002-01), for every Application, Network and Classic
 *     Load Balancer that has none: into one log bucket for all of them, the
 *     template's own when it has a fit one (a bucket a balancer already
 *     logs into, else the bucket S3 server access logs go to), else a new
 *     one with SSE-S3, which the s3 pass then hardens and uses for its own
 *     server access logs. Each balancer writes under elb/<LogicalId>. The
 *     bucket policy admits Elastic Load Balancing for this account's logs
 *     alone, through the service principal
 *     logdelivery.elasticloadbalancing.amazonaws.com (every region; see
 *     admit_elb()); NLB logs come through delivery.logs.amazonaws.com
 *     ("Access logs for your Network Load Balancer"). ALB and classic logs need SSE-S3, not
 *     KMS: a KMS bucket of the template is never chosen, and the
 *     encryption pass leaves a bucket that receives balancer logs on
 *     SSE-S3. The balancer DependsOn the bucket policy, because setting the
 *     attribute checks that ELB may write and fails the update otherwise.
 *     Logging changes nothing a client sees, and LoadBalancerAttributes and
 *     AccessLoggingPolicy update without interruption: made in both modes.
 *   - Classic connection draining (C002-02), 300 s, in both modes: without
 *     it a deregistering or unhealthy instance has its open requests cut;
 *     with it they finish. No request accepted today is refused; what
 *     changes is that deregistration (a scale-in, a deployment) waits up
 *     to 300 s for them.
 *   - Classic cross-zone balancing (C002-03): each node then spreads over
 *     the instances of every zone, not of its own. For a running balancer
 *     that changes which instances receive which requests (a zone with few
 *     instances stops being overloaded, and an instance reachable only
 *     from its own zone's subnets starts failing requests), so a running
 *     one gets an advisory; a new stack gets CrossZone: true.
 *   - ALB routing.http.drop_invalid_header_fields.enabled (C002-04): it
 *     rejects requests whose header names are not valid tokens, which
 *     some clients send today: an advisory for a running ALB, made in a
 *     new stack.
 *   - Deletion protection (C002-05): an advisory under the prod profile,
 *     never an edit. A balancer keeps no data (the stateful pass protects
 *     what does); protection would make stack deletion and every update
 *     that replaces the balancer fail, a trap for an owner who did not ask.
 *
 * Listeners, protocols, certificates, TLS policies and WAF are left alone:
 * they decide what clients can connect with, or need a certificate or a
 * web ACL the template does not have.
 *
 *   Alb:                             Alb:
 *     Type: AWS::ElasticLoadBalancingV2::LoadBalancer
 *     Properties:               ==>     DependsOn: AccessLogsBucketPolicy
 *       Subnets: [...]                  Properties:
 *                                         LoadBalancerAttributes:
 *                                           - Key: access_logs.s3.enabled
 *                                             Value: "true"
 *                                           - Key: access_logs.s3.bucket
 *                                             Value: !Ref AccessLogsBucket
 *                                           - Key: access_logs.s3.prefix
 *                                             Value: elb/Alb
 *                                   AccessLogsBucket: {SSE-S3, ...}
 *                                   AccessLogsBucketPolicy: {ELB may write
 *                                     under elb/, this account's logs}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

#define V2_TYPE "AWS::ElasticLoadBalancingV2::LoadBalancer"
#define CLASSIC_TYPE "AWS::ElasticLoadBalancing::LoadBalancer"
#define PREFIX "elb"
#define ELB_SID "AllowElbAccessLogs"
#define NLB_SID "AllowNlbAccessLogs"
#define NLB_ACL_SID "AllowNlbAccessLogsAclCheck"
#define ELB_SERVICE "logdelivery.elasticloadbalancing.amazonaws.com"
#define NLB_SERVICE "delivery.logs.amazonaws.com"
enum lb_kind { LB_ALB, LB_NLB, LB_GATEWAY, LB_CLASSIC, LB_UNKNOWN };

struct elb {
	struct cfh_run *r;
	bool prod;
	const char *bucket;	/* the log bucket, once chosen or made */
	const char *policy;	/* its AWS::S3::BucketPolicy, once known */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

static enum lb_kind kind_of(const struct cfh_node *res)
{
	const struct cfh_node *t;

	if (cfh_res_is(res, CLASSIC_TYPE))
		return LB_CLASSIC;
	t = cfh_map_get(props_of(res), "Type");
	if (!t)
		return LB_ALB;	/* the default Type */
	if (cfh_is_dynamic(t))
		return LB_UNKNOWN;
	if (cfh_node_str_eq(t, "application"))
		return LB_ALB;
	if (cfh_node_str_eq(t, "network"))
		return LB_NLB;
	if (cfh_node_str_eq(t, "gateway"))
		return LB_GATEWAY;
	return LB_UNKNOWN;
}

/* ---- LoadBalancerAttributes ---- */

/*
 * The attribute @key of a v2 balancer: the item whose Key is @key, or
 * NULL. *@opaque is set when the list, or an item, is decided at deploy
 * time (an intrinsic): the key may be there, so nothing is added.
 */
static struct cfh_node *attr_get(const struct cfh_node *p, const char *key,
				 bool *opaque)
{
	struct cfh_node *attrs = cfh_map_get(p, "LoadBalancerAttributes");
	struct cfh_node *item;
	size_t i;

	*opaque = false;
	if (!attrs)
		return NULL;
	if (!cfh_node_is_seq(attrs)) {
		*opaque = true;
		return NULL;
	}
	for (i = 0; (item = cfh_seq_at(attrs, i)); i++) {
		const struct cfh_node *k = cfh_map_get(item, "Key");

		if (!cfh_node_is_map(item) || !k || cfh_is_dynamic(k)) {
			*opaque = true;
			continue;
		}
		if (cfh_node_str_eq(k, key))
			return item;
	}
	return NULL;
}

/* True if any attribute's key starts with @prefix. */
static bool attr_has_prefix(const struct cfh_node *p, const char *prefix)
{
	struct cfh_node *attrs = cfh_map_get(p, "LoadBalancerAttributes");
	struct cfh_node *item;
	size_t i;

	if (!cfh_node_is_seq(attrs))
		return false;
	for (i = 0; (item = cfh_seq_at(attrs, i)); i++) {
		const char *k = cfh_node_str(cfh_map_get(item, "Key"));

		if (k && !strncmp(k, prefix, strlen(prefix)))
			return true;
	}
	return false;
}

/* Add the attributes @items (a JSON list of {Key, Value}; taken) to the
 * balancer's list, making the list when there is none. */
static int attrs_add(struct cfh_run *r, struct cfh_node *p, json_t *items,
		     const char *reason)
{
	struct cfh_node *attrs = cfh_map_get(p, "LoadBalancerAttributes");
	size_t i;
	int rc = 0;

	if (!items)
		return -1;
	if (!attrs)
		return cfh_edit_set_take(r, p, "LoadBalancerAttributes", items,
					 reason, NULL);
	for (i = 0; i < json_array_size(items) && !rc; i++)
		rc = cfh_edit_append_take(r, attrs,
					  json_incref(json_array_get(items, i)),
					  reason, NULL);
	json_decref(items);
	return rc;
}

static json_t *attr_json(const char *key, json_t *value)
{
	return json_pack("{s:s, s:o}", "Key", key, "Value", value);
}

/* ---- the log bucket and its policy ---- */

/*
 * The bucket policy of @bucket, in *@pol (NULL when it has none). Returns
 * 0 when statements can be added (to *@pol, or to a new policy), -1 when
 * not by this pass: the policy is suppressed for it, not a literal list
 * of statements, or another policy names a bucket by something other
 * than a Ref (it may be this bucket's, and a second policy would replace
 * it).
 */
static int policy_of(struct elb *x, const char *bucket, const char **pol)
{
	struct cfh_template *t = x->r->t;
	const struct cfh_entry *e;
	const char **refs;
	size_t n, i;

	*pol = NULL;
	if (cfh_referrers(t, bucket, "AWS::S3::BucketPolicy", &refs, &n))
		return -1;
	for (i = 0; i < n && !*pol; i++)
		if (cfh_refers_to(cfh_map_get(props_of(cfh_resource(t, refs[i])),
					      "Bucket"),
				  bucket))
			*pol = refs[i];
	free(refs);
	if (*pol) {
		const struct cfh_node *res = cfh_resource(t, *pol);
		const struct cfh_node *st = cfh_map_path(
			res, "Properties", "PolicyDocument", "Statement", NULL);

		return cfh_pass_skips(x->r, res) || !cfh_node_is_seq(st) ? -1
									 : 0;
	}
	cfh_for_each_resource(t, e) {
		const char *ref = cfh_node_ref(cfh_map_get(props_of(e->value),
							   "Bucket"));

		if (cfh_res_is(e->value, "AWS::S3::BucketPolicy") &&
		    !(ref && cfh_res_is(cfh_resource(t, ref), "AWS::S3::Bucket")))
			return -1;
	}
	return 0;
}

/* A bucket of the template the balancers may log into: unconditional,
 * with literal properties, on SSE-S3, with a policy the pass may add to.
 * A running bucket without a policy in the template does not fit: S3
 * keeps one policy per bucket, and a new AWS::S3::BucketPolicy would
 * replace any set on it outside the template. */
static bool bucket_fits(struct elb *x, const char *id, const char **pol)
{
	const struct cfh_node *b = cfh_resource(x->r->t, id);

	return cfh_res_is(b, "AWS::S3::Bucket") &&
	       !cfh_map_get(b, "Condition") && !cfh_props_dynamic(b) &&
	       !cfh_pass_skips(x->r, b) && !cfh_bucket_not_sse_s3(b) &&
	       !policy_of(x, id, pol) && (*pol || !cfh_is_running(x->r, b));
}

/* The bucket a balancer names for its logs (by Ref), or NULL. */
static const char *lb_log_bucket(const struct cfh_node *res)
{
	const struct cfh_node *p = props_of(res);
	struct cfh_node *attrs, *item;
	size_t i;

	if (cfh_res_is(res, CLASSIC_TYPE))
		return cfh_node_ref(cfh_map_path(p, "AccessLoggingPolicy",
						 "S3BucketName", NULL));
	if (!cfh_res_is(res, V2_TYPE))
		return NULL;
	attrs = cfh_map_get(p, "LoadBalancerAttributes");
	for (i = 0; cfh_node_is_seq(attrs) && (item = cfh_seq_at(attrs, i)); i++)
		if (cfh_node_str_eq(cfh_map_get(item, "Key"),
				    "access_logs.s3.bucket"))
			return cfh_node_ref(cfh_map_get(item, "Value"));
	return NULL;
}

/*
 * One log bucket for every balancer: one a balancer already logs into,
 * else the one S3 server access logs go to, else a new one. A bucket that
 * does not fit (KMS, conditional, a policy the pass cannot add to) is
 * passed over.
 */
static int choose_bucket(struct elb *x)
{
	struct cfh_template *t = x->r->t;
	const struct cfh_entry *e;
	const char *id, *pol = NULL;
	json_t *res;
	int pass;

	if (x->bucket)
		return 0;
	for (pass = 0; pass < 2 && !x->bucket; pass++)
		cfh_for_each_resource(t, e) {
			id = pass == 0
				? lb_log_bucket(e->value)
				: cfh_node_ref(cfh_map_path(
					  e->value, "Properties",
					  "LoggingConfiguration",
					  "DestinationBucketName", NULL));
			if (id && bucket_fits(x, id, &pol)) {
				x->bucket = id;
				x->policy = pol;
				return 0;
			}
		}
	id = cfh_fresh_id(t, "AccessLogsBucket");
	if (!id)
		return -1;
	/* SSE-S3: "The only server-side encryption option that's supported
	 * is Amazon S3-managed keys (SSE-S3)" (Enable access logs for your
	 * Application Load Balancer). The s3 pass adds versioning, the
	 * expiry of old logs and the TLS-only policy. */
	res = json_pack("{s:s, s:{s:{s:[{s:{s:s}}]}, s:{s:b, s:b, s:b, s:b}, "
			"s:{s:[{s:s}]}}}",
			"Type", "AWS::S3::Bucket", "Properties",
			"BucketEncryption", "ServerSideEncryptionConfiguration",
			"ServerSideEncryptionByDefault", "SSEAlgorithm", "AES256",
			"PublicAccessBlockConfiguration", "BlockPublicAcls", 1,
			"BlockPublicPolicy", 1, "IgnorePublicAcls", 1,
			"RestrictPublicBuckets", 1, "OwnershipControls", "Rules",
			"ObjectOwnership", "BucketOwnerEnforced");
	if (cfh_edit_add_resource_take(x->r, id, NULL, res,
				       "one bucket for the load balancers' "
				       "access logs, SSE-S3 (ELB cannot write "
				       "to SSE-KMS buckets) (C002-01)",
				       NULL))
		return -1;
	x->bucket = id;
	x->policy = NULL;
	return 0;
}

/* The statements of the log bucket's policy, or NULL while it has none. */
static struct cfh_node *statements(struct elb *x)
{
	return x->policy ? cfh_map_path(cfh_resource_live(x->r->t, x->policy),
					"Properties", "PolicyDocument",
					"Statement", NULL)
			 : NULL;
}

static bool has_sid(struct elb *x, const char *sid)
{
	struct cfh_node *doc = x->policy
		? cfh_map_path(cfh_resource_live(x->r->t, x->policy),
			       "Properties", "PolicyDocument", NULL)
		: NULL;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		if (cfh_node_str_eq(cfh_map_get(s.node, "Sid"), sid))
			return true;
	return false;
}

/* Add @stmt (taken) to the log bucket's policy, making the policy when
 * the bucket has none. */
static int add_statement(struct elb *x, json_t *stmt, const char *reason)
{
	struct cfh_node *st = statements(x);
	char base[256];
	const char *id;
	json_t *pol;

	if (!stmt)
		return -1;
	if (st)
		return cfh_edit_append_take(x->r, st, stmt, reason, NULL);
	snprintf(base, sizeof(base), "%sPolicy", x->bucket);
	id = cfh_fresh_id(x->r->t, base);
	if (!id) {
		json_decref(stmt);
		return -1;
	}
	pol = json_pack("{s:s, s:{s:o, s:o}}", "Type", "AWS::S3::BucketPolicy",
			"Properties", "Bucket", cfh_json_ref(x->bucket),
			"PolicyDocument",
			cfh_policy_doc_take(json_pack("[o]", stmt)));
	if (cfh_edit_add_resource_take(x->r, id, x->bucket, pol, reason, NULL))
		return -1;
	x->policy = id;
	return 0;
}

/* Where every balancer's logs land, for this account alone: the objects
 * under ${Bucket.Arn}/elb/, then any balancer's prefix, then
 * AWSLogs/${AWS::AccountId}/ (ELB adds AWSLogs/<account>/ after the
 * prefix). */
static json_t *log_objects(struct elb *x)
{
	char sub[400];

	snprintf(sub, sizeof(sub), "${%s.Arn}/%s/*/AWSLogs/${AWS::AccountId}/*",
		 x->bucket, PREFIX);
	return json_pack("{s:s}", "Fn::Sub", sub);
}

/*
 * ALB and classic logs: the Elastic Load Balancing log delivery service
 * may put objects under the balancers' prefix. The service principal
 * works in every region: AWS recommends it over the per-region ELB
 * account that regions opened before August 2022 first required ("Enable
 * access logs for your Classic Load Balancer", step 2). A table of those
 * accounts would need Fn::FindInMap, which CloudFormation resolves even
 * in a branch of Fn::If it does not take: a region without a row would
 * fail to deploy.
 */
static int admit_elb(struct elb *x)
{
	json_t *stmt;

	if (has_sid(x, ELB_SID))
		return 0;
	stmt = cfh_stmt_service_take(ELB_SERVICE, "s3:PutObject",
				     log_objects(x));
	return add_statement(x, cfh_stmt_with_sid_take(ELB_SID, stmt),
			     "let Elastic Load Balancing write this account's "
			     "access logs under the balancers' prefix, and "
			     "nothing else (C002-01)");
}

/* NLB logs: CloudWatch Logs delivery, which checks the bucket's ACL and
 * writes with bucket-owner-full-control ("Access logs for your Network
 * Load Balancer"), for this account alone. */
static int admit_nlb(struct elb *x)
{
	json_t *put, *acl;

	if (!has_sid(x, NLB_SID)) {
		put = cfh_stmt_service_take(NLB_SERVICE, "s3:PutObject",
					    log_objects(x));
		put = cfh_stmt_with_sid_take(NLB_SID, put);
		put = cfh_stmt_when_take(put, "StringEquals", "s3:x-amz-acl",
					 json_string("bucket-owner-full-control"));
		put = cfh_stmt_when_take(put, "StringEquals", "aws:SourceAccount",
					 cfh_json_ref("AWS::AccountId"));
		if (add_statement(x, put,
				  "let log delivery write this account's "
				  "Network Load Balancer access logs under the "
				  "balancers' prefix (C002-01)"))
			return -1;
	}
	if (has_sid(x, NLB_ACL_SID))
		return 0;
	acl = cfh_stmt_service_take(NLB_SERVICE, "s3:GetBucketAcl",
				    cfh_json_getatt(x->bucket, "Arn"));
	acl = cfh_stmt_with_sid_take(NLB_ACL_SID, acl);
	acl = cfh_stmt_when_take(acl, "StringEquals", "aws:SourceAccount",
				 cfh_json_ref("AWS::AccountId"));
	return add_statement(x, acl,
			     "log delivery checks the bucket's ACL before it "
			     "writes Network Load Balancer logs (C002-01)");
}

/* True if the resource @res names @id: by Ref, GetAtt or Sub, or in its
 * DependsOn. */
static bool names(const struct cfh_node *res, const char *id)
{
	const struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	size_t i;

	if (cfh_refers_to(res, id) || cfh_node_str_eq(dep, id))
		return true;
	for (i = 0; cfh_node_is_seq(dep) && i < cfh_node_count(dep); i++)
		if (cfh_node_str_eq(cfh_seq_at(dep, i), id))
			return true;
	return false;
}

/* The balancer waits for the policy: setting access logs checks that ELB
 * may write, and fails the create or update otherwise. A policy or bucket
 * that names the balancer would make a cycle; that is left to its
 * author. */
static int depend_on_policy(struct elb *x, const char *id,
			    struct cfh_node *res)
{
	struct cfh_node *dep = cfh_map_get(res, "DependsOn");
	const char *why = "set the access logs after the bucket policy lets "
			  "ELB write them: ELB checks, and the update fails "
			  "otherwise (C002-01)";
	size_t i;

	if (!x->policy || cfh_is_dynamic(dep) ||
	    names(cfh_resource_live(x->r->t, x->policy), id) ||
	    names(cfh_resource_live(x->r->t, x->bucket), id))
		return 0;
	if (!dep)
		return cfh_edit_insert_take(x->r, res, "Type", "DependsOn",
					    json_string(x->policy), why, NULL);
	if (cfh_node_str_eq(dep, x->policy))
		return 0;
	if (!cfh_node_is_seq(dep))
		return cfh_edit_replace_take(x->r, dep,
					     json_pack("[s, s]",
						       cfh_node_str(dep),
						       x->policy),
					     why, NULL);
	for (i = 0; i < cfh_node_count(dep); i++)
		if (cfh_node_str_eq(cfh_seq_at(dep, i), x->policy))
			return 0;
	return cfh_edit_append_take(x->r, dep, json_string(x->policy), why,
				    NULL);
}

/* ---- access logs ---- */

static int access_logs(struct elb *x, const char *id, struct cfh_node *res,
		       struct cfh_node *p, enum lb_kind kind)
{
	char prefix[300];
	bool opaque;
	int rc;

	if (kind == LB_GATEWAY)
		return 0;	/* Gateway Load Balancers keep no access logs */
	if (kind == LB_CLASSIC) {
		const struct cfh_node *alp = cfh_map_get(p, "AccessLoggingPolicy");

		if (alp) {
			if (cfh_node_str_eq(cfh_map_get(alp, "Enabled"), "false"))
				return cfh_advise(
					x->r, res,
					"access logging is turned off as "
					"written: set AccessLoggingPolicy "
					"Enabled to true, with a bucket ELB may "
					"write to (C002-01)");
			return 0;
		}
	} else {
		const struct cfh_node *en =
			attr_get(p, "access_logs.s3.enabled", &opaque);

		if (en || attr_has_prefix(p, "access_logs.s3.")) {
			if (en && cfh_node_str_eq(cfh_map_get(en, "Value"),
						  "false"))
				return cfh_advise(
					x->r, res,
					"access logging is turned off as "
					"written: set access_logs.s3.enabled "
					"to true, with a bucket ELB may write to "
					"(C002-01)");
			return 0;
		}
		if (opaque)
			return cfh_advise(x->r, res,
					  "LoadBalancerAttributes is decided at "
					  "deploy time: turn on access logs "
					  "(access_logs.s3.*) by hand (C002-01)");
		if (kind == LB_UNKNOWN)
			return cfh_advise(x->r, res,
					  "the balancer's Type is decided at "
					  "deploy time, and application and "
					  "network balancers need different "
					  "bucket policies: turn on access logs "
					  "by hand (C002-01)");
	}
	if (choose_bucket(x))
		return -1;
	/* The balancer will name the bucket: one that names the balancer
	 * back would make a dependency cycle. */
	if (names(cfh_resource_live(x->r->t, x->bucket), id) ||
	    (x->policy && names(cfh_resource_live(x->r->t, x->policy), id)))
		return cfh_advise(x->r, res,
				  "the log bucket or its policy names this "
				  "balancer: naming the bucket back would make a "
				  "dependency cycle; turn on access logs by hand "
				  "(C002-01)");
	rc = kind == LB_NLB ? admit_nlb(x) : admit_elb(x);
	if (rc)
		return rc;
	snprintf(prefix, sizeof(prefix), "%s/%s", PREFIX, id);
	if (kind == LB_CLASSIC)
		rc = cfh_edit_set_take(
			x->r, p, "AccessLoggingPolicy",
			json_pack("{s:b, s:o, s:s, s:i}", "Enabled", 1,
				  "S3BucketName", cfh_json_ref(x->bucket),
				  "S3BucketPrefix", prefix, "EmitInterval", 60),
			"record every request (client, latency, status) in "
			"the log bucket (C002-01)",
			NULL);
	else
		rc = attrs_add(x->r, p,
			       json_pack("[o, o, o]",
					 attr_json("access_logs.s3.enabled",
						   json_string("true")),
					 attr_json("access_logs.s3.bucket",
						   cfh_json_ref(x->bucket)),
					 attr_json("access_logs.s3.prefix",
						   json_string(prefix))),
			       "record every request (client, latency, status) "
			       "in the log bucket (C002-01)");
	return rc ? rc : depend_on_policy(x, id, res);
}

/* ---- the rest ---- */

/* ALB: drop header fields that are not valid HTTP tokens, rather than
 * pass them to the targets (request smuggling, header injection). */
static int drop_invalid_headers(struct elb *x, struct cfh_node *res,
				struct cfh_node *p)
{
	const char *key = "routing.http.drop_invalid_header_fields.enabled";
	bool opaque;

	if (attr_get(p, key, &opaque) || opaque)
		return 0;
	if (cfh_is_running(x->r, res))
		return cfh_advise(x->r, res,
				  "running ALB: dropping invalid header fields "
				  "would change the requests its targets "
				  "receive from clients that send them today; "
				  "set routing.http.drop_invalid_header_fields."
				  "enabled to true once clients are checked "
				  "(C002-04)");
	return attrs_add(x->r, p,
			 json_pack("[o]", attr_json(key, json_string("true"))),
			 "drop header fields that are not valid HTTP tokens "
			 "instead of passing them to the targets (C002-04)");
}

static int deletion_protection(struct elb *x, struct cfh_node *res,
			       struct cfh_node *p)
{
	bool opaque;

	if (!x->prod ||
	    attr_get(p, "deletion_protection.enabled", &opaque) || opaque)
		return 0;
	return cfh_advise(x->r, res,
			  "no deletion protection: left off, since a balancer "
			  "keeps no data and protection makes stack deletion "
			  "and any update that replaces it fail; set "
			  "deletion_protection.enabled to true if clients "
			  "cannot follow a new DNS name (C002-05)");
}

static int v2(struct cfh_run *r, void *st, const char *id,
	      struct cfh_node *res)
{
	struct elb *x = st;
	enum lb_kind kind = kind_of(res);
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");

	if (!p)
		return 0;
	if (access_logs(x, id, res, p, kind))
		return -1;
	if (kind == LB_ALB && drop_invalid_headers(x, res, p))
		return -1;
	return deletion_protection(x, res, p);
}

static int classic(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct elb *x = st;
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	const struct cfh_node *cz;

	if (!p)
		return 0;
	if (access_logs(x, id, res, p, LB_CLASSIC))
		return -1;
	if (!cfh_map_get(p, "ConnectionDrainingPolicy") &&
	    cfh_edit_set_take(r, p, "ConnectionDrainingPolicy",
			      json_pack("{s:b, s:i}", "Enabled", 1, "Timeout",
					300),
			      "let open requests finish, up to 300 s, when an "
			      "instance is deregistered or fails its health "
			      "check, instead of cutting them (C002-02)",
			      NULL))
		return -1;
	cz = cfh_map_get(p, "CrossZone");
	if (cz && (cfh_is_dynamic(cz) || !cfh_node_str_eq(cz, "false")))
		return 0;
	if (cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "running balancer: cross-zone balancing would "
				  "change which instances receive which "
				  "requests (an instance reachable only from its "
				  "own zone would start failing them); set "
				  "CrossZone to true once every instance accepts "
				  "traffic from every zone (C002-03)");
	return cfh_edit_set_take(r, p, "CrossZone", json_true(),
				 "spread requests over the instances of every "
				 "zone, so that a zone with fewer instances is "
				 "not overloaded (C002-03)",
				 NULL);
}

static int before(struct cfh_run *r, void *st)
{
	struct elb *x = st;

	x->r = r;
	x->prod = !strcmp(cfh_opt_str(r, "general.profile"), "prod");
	return 0;
}

static const struct cfh_handler handlers[] = {
	{ V2_TYPE, v2 },
	{ CLASSIC_TYPE, classic },
};

const struct cfh_pass_ops cfh_pass_elb = {
	.state_size = sizeof(struct elb),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};

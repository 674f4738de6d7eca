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

#include "encryption_stores.h"
#include "kms.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"
#include "usage.h"

/*
 * The run's state. The walk finds the stores to encrypt and notes the
 * buckets, roles and SAM functions handed to the pass; after() does the
 * work, since what the key policy admits and what each role needs depend
 * on every store of the template.
 */
struct enc {
	struct cfh_run *r;
	const char *key;		/* logical ID of the key */
	struct cfh_ids targets;		/* stores to encrypt now */
	struct cfh_ids ours;		/* stores encrypted with the key, after */
	struct cfh_ids buckets, roles, sam;	/* handed to the pass */
	bool svc[CFH_SVC_COUNT];
};

static json_t *key_arn(const struct enc *x)
{
	return cfh_json_getatt(x->key, "Arn");
}

/* True if @k names the pass's key. */
static bool is_our_key(const struct enc *x, const struct cfh_node *k)
{
	return k && cfh_refers_to(k, x->key);
}

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/*
 * A resource the pass reaches through another (a key through the stores
 * it encrypts, a role through its principals) but is suppressed for still
 * needs what the pass would have done. Said at the template, not inside
 * the resource: a suppression silences the pass there.
 */
static int advise_suppressed(struct cfh_run *r, const char *id,
			     const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "'%s' is suppressed for this pass, but %s",
		 id, what);
	return cfh_advise(r, NULL, msg);
}

/* Which services deliver into the stores the key protects: the referrers
 * of each store, through the graph. */
static int find_services(struct enc *x)
{
	size_t i;

	for (i = 0; i < x->ours.n; i++)
		if (cfh_store_services(x->r->t, x->ours.v[i], x->svc))
			return -1;
	return 0;
}

static json_t *root_statement(void)
{
	return json_pack("{s:s, s:s, s:{s:o}, s:s, s:s}", "Sid",
			 "EnableRootAccountAdministration", "Effect", "Allow",
			 "Principal", "AWS",
			 cfh_arn_sub("iam", CFH_ARN_ACCOUNT, "root"), "Action",
			 "kms:*", "Resource", "*");
}

/*
 * Grants let a principal hand the key's use to another, and outlive its
 * own permissions: only AWS services, for the AWS resources they encrypt
 * (EBS, RDS, Lambda, ...), may create them (Control Tower CT.KMS.PR.3).
 * A principal of the account that made grants by hand for itself or a
 * partner keeps the key's other uses, and is told so in the report.
 */
static json_t *grant_statement(void)
{
	return cfh_stmt_when_take(
		cfh_stmt_when_take(
			json_pack("{s:s, s:s, s:{s:s}, s:s, s:s}", "Sid",
				  "DenyGrantsExceptForAWSServices", "Effect",
				  "Deny", "Principal", "AWS", "*", "Action",
				  "kms:CreateGrant", "Resource", "*"),
			"BoolIfExists", "kms:GrantIsForAWSResource",
			json_string("false")),
		"BoolIfExists", "aws:PrincipalIsAWSService",
		json_string("false"));
}

/* The key policy: the account root administers the key, and the services
 * that deliver into the stores it encrypts may use it; for a new key
 * (@grants), only AWS services may create grants. */
static json_t *key_policy(const struct enc *x, bool grants)
{
	json_t *stmts = json_array();
	int s;

	json_array_append_new(stmts, root_statement());
	if (grants)
		json_array_append_new(stmts, grant_statement());
	for (s = 0; s < CFH_SVC_COUNT; s++)
		if (x->svc[s])
			json_array_append_new(stmts, cfh_kms_service_statement(s));
	return cfh_policy_doc_take(stmts);
}

static int add_key(struct enc *x)
{
	struct cfh_run *r = x->r;
	const char *env = cfh_env_param(r->t);
	json_t *key;
	char alias[256];
	const char *alias_id;

	key = json_pack("{s:s, s:{s:s, s:b, s:i, s:o}}", "Type",
			"AWS::KMS::Key", "Properties", "Description",
			"Customer-managed key for the stack's data at rest",
			"EnableKeyRotation", 1, "PendingWindowInDays", 30,
			"KeyPolicy", key_policy(x, true));
	x->key = cfh_fresh_id(r->t, "EncryptionKey");
	if (!x->key ||
	    cfh_edit_add_resource_take(r, x->key, NULL, key,
				       "add a customer-managed KMS key with "
				       "rotation and a key policy for the "
				       "services that use it, where only AWS "
				       "services may create grants (S004-01)",
				       NULL))
		return -1;
	if (env)
		snprintf(alias, sizeof(alias), "alias/${AWS::StackName}-${%s}",
			 env);
	else
		snprintf(alias, sizeof(alias), "alias/${AWS::StackName}-data");
	alias_id = cfh_fresh_id(r->t, "EncryptionKeyAlias");
	return !alias_id ||
	       cfh_edit_add_resource_take(
		       r, alias_id, NULL,
		       json_pack("{s:s, s:{s:{s:s}, s:{s:s}}}", "Type",
				 "AWS::KMS::Alias", "Properties", "AliasName",
				 "Fn::Sub", alias, "TargetKeyId", "Ref", x->key),
		       "name the key with an alias", NULL);
}

/* A reused key: add the service statements its policy lacks. */
static int extend_key(struct enc *x)
{
	struct cfh_run *r = x->r;
	struct cfh_node *res = cfh_resource(r->t, x->key);
	struct cfh_node *p;
	int s;

	/* The key is reached through the stores it encrypts: where the pass
	 * is suppressed for it, its policy is the author's to extend. */
	if (cfh_pass_skips(r, res)) {
		for (s = 0; s < CFH_SVC_COUNT; s++)
			if (x->svc[s])
				break;
		if (s == CFH_SVC_COUNT)
			return 0;	/* the default policy will do */
		return advise_suppressed(r, x->key,
					 "services deliver into resources it "
					 "encrypts: let them use it in its key "
					 "policy by hand");
	}
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return 0;
	/* No policy means the default one (the account root): say so, and
	 * add the services. */
	if (!cfh_map_get(p, "KeyPolicy"))
		return cfh_edit_set_take(r, p, "KeyPolicy", key_policy(x, false),
					 "write the key policy: the account root "
					 "administers the key, and the services "
					 "that deliver into encrypted resources "
					 "may use it",
					 NULL);
	for (s = 0; s < CFH_SVC_COUNT; s++)
		if (x->svc[s] && cfh_kms_admit(r, x->key, (enum cfh_svc)s))
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
	const struct cfh_node *r = cfh_resource(x->r->t, id);

	return cfh_ids_has(&x->ours, id) &&
	       !cfh_res_is(r, "AWS::Logs::LogGroup") &&
	       !cfh_res_is(r, "AWS::Lambda::Function") &&
	       !cfh_res_is(r, "AWS::Serverless::Function") && !is_runner(r);
}

struct need {
	bool decrypt, generate;
};

static void statement_needs(struct enc *x, const struct cfh_stmt *s,
			    struct need *nd)
{
	/* What a NotAction or NotResource names is what the statement
	 * leaves out. */
	const struct cfh_node *act = s->not_action ? NULL : s->action;
	const struct cfh_node *res = s->not_resource ? NULL : s->resource;
	const char **refs, *a;
	bool hit = false;
	size_t i, n;

	if (cfh_node_str_eq(s->effect, "Deny"))
		return;
	/* The statement's references, checked against the set: not every
	 * store checked against the statement. */
	if (cfh_refs_in(x->r->t, res, &refs, &n)) {
		hit = true;	/* out of memory: grant, not break */
	} else {
		for (i = 0; i < n && !hit; i++)
			hit = needs_iam_grant(x, refs[i]);
		free(refs);
	}
	if (!hit)
		return;
	nd->decrypt = true;
	for (i = 0; i < cfh_strs_count(act); i++)
		if ((a = cfh_node_str(cfh_strs_node(act, i))) &&
		    cfh_store_action_writes(a))
			nd->generate = true;
}

/* What the statements of a policy document need of the key, for the
 * stores they name. */
static void policy_needs(struct enc *x, struct cfh_node *doc, struct need *nd)
{
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	cfh_stmt_iter_init(&it, doc);
	while (cfh_stmt_next(&it, &s))
		statement_needs(x, &s, nd);
}

/*
 * Does EventBridge rule @rule deliver to @id through its targets' role?
 * Only what a target proper names counts: its dead-letter queue is sent to
 * by EventBridge itself under the key policy (cfh_store_services() admits
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
	if (cfh_principal_uses(x->r->t, self, &uses, &n))
		return true;	/* out of memory: grant rather than break */
	for (i = 0; i < n && !hit; i++)
		hit = needs_iam_grant(x, uses[i]) &&
		      (!cfh_res_is(p, "AWS::Events::Rule") ||
		       rule_delivers_to(p, uses[i]));
	free(uses);
	return hit;
}

/* Everything @role is allowed or used for: its own statements, those of
 * policies attached to it, and what its principals use. */
static int role_needs(struct enc *x, const char *role, struct need *nd)
{
	struct cfh_template *t = x->r->t;
	const struct cfh_node *res = cfh_resource(t, role);
	const struct cfh_entry *pe;
	const struct cfh_node *pols = cfh_map_get(props_of(res), "Policies");
	const char **refs, **holders;
	size_t n, nh, i, k;

	if (cfh_node_is_seq(pols))
		cfh_for_each_entry(cfh_node_deref(pols), pe)
			policy_needs(x, cfh_map_get(pe->value, "PolicyDocument"),
				     nd);
	if (cfh_referrers(t, role, NULL, &refs, &n))
		return -1;
	for (i = 0; i < n; i++) {
		struct cfh_node *r = cfh_resource(t, refs[i]);
		const struct cfh_node *p = props_of(r);

		if (cfh_is_policy_type(cfh_resource_type(r))) {
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
		if (cfh_referrers(t, refs[i], NULL, &holders, &nh)) {
			free(refs);
			return -1;
		}
		for (k = 0; k < nh; k++)
			if (principal_uses(x, cfh_resource(t, holders[k]),
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
	const struct cfh_entry *e;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	if (!cfh_node_is_seq(pols))
		return false;
	cfh_for_each_entry(cfh_node_deref(pols), e) {
		if (cfh_node_str_eq(cfh_map_get(e->value, "PolicyName"),
				    GRANT_POLICY))
			continue;
		cfh_stmt_iter_init(&it, cfh_map_get(e->value, "PolicyDocument"));
		while (cfh_stmt_next(&it, &s))
			if (cfh_stmt_allows(&s) && !s.not_resource &&
			    cfh_refers_to(s.resource, x->key) &&
			    !s.not_action && cfh_strs_has(s.action, action))
				return true;
	}
	return false;
}

/*
 * The statement that lets a principal use the key. Built by hand: the Sid
 * comes first, and Action stays a list even of one action, as the pass
 * has always written it, so that grant() still knows its own statement in
 * templates it hardened before.
 */
static json_t *use_key_statement(const struct enc *x, json_t *actions)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "Sid", "UseEncryptionKey",
			 "Effect", "Allow", "Action", actions, "Resource",
			 key_arn(x));
}

static int grant(struct enc *x, struct cfh_node *res, const struct need *nd)
{
	struct cfh_run *r = x->r;
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	struct cfh_node *pols, *existing = NULL;
	const struct cfh_entry *e;
	json_t *actions, *doc;

	if (!p)
		return 0;
	pols = cfh_map_get(p, "Policies");
	if (pols && !cfh_node_is_seq(pols))
		return cfh_advise(r, res,
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
	/* @actions stays borrowed from @doc, for the comparison below. */
	doc = cfh_policy_doc_take(json_pack("[o]", use_key_statement(x,
								     actions)));
	if (existing) {
		struct cfh_stmt_iter it;
		struct cfh_stmt s;
		json_t *had = NULL;
		bool same;

		/* The pass's own policy has one statement: the first. */
		cfh_stmt_iter_init(&it,
				   cfh_map_get(existing, "PolicyDocument"));
		if (cfh_stmt_next(&it, &s) && !s.not_action && s.action)
			had = cfh_node_to_json(s.action);
		same = had && json_equal(had, actions);
		json_decref(had);
		if (same) {
			json_decref(doc);
			return 0;
		}
		return cfh_edit_set_take(r, existing, "PolicyDocument", doc,
					 "let the role use the encryption key "
					 "for what it now does",
					 NULL);
	}
	doc = json_pack("{s:s, s:o}", "PolicyName", GRANT_POLICY,
			"PolicyDocument", doc);
	if (!pols)
		return cfh_edit_set_take(r, p, "Policies",
					 json_pack("[o]", doc),
					 "let the role use the key that now "
					 "encrypts the resources it uses, on "
					 "that key alone",
					 NULL);
	return cfh_edit_append_take(r, pols, doc,
				    "let the role use the key that now encrypts "
				    "the resources it uses, on that key alone",
				    NULL);
}

/*
 * The roles handed to the pass get their grants, in template order. A
 * role the pass is suppressed for is not handed to it; if it uses stores
 * the key encrypts it still needs the key, and an advisory in its place
 * says so.
 */
static int grant_roles(struct enc *x)
{
	struct cfh_run *r = x->r;
	const struct cfh_entry *e;
	struct cfh_ids roles = { 0 };
	size_t i;
	int rc = 0;

	/* Collect first: granting edits Resources. */
	cfh_for_each_resource(r->t, e)
		if (cfh_res_is(e->value, "AWS::IAM::Role") &&
		    (cfh_ids_has(&x->roles, e->key->text) ||
		     cfh_pass_skips(r, e->value)) &&
		    cfh_ids_add(&roles, e->key->text))
			rc = -1;
	for (i = 0; i < roles.n && !rc; i++) {
		struct need nd = { false, false };

		if (role_needs(x, roles.v[i], &nd)) {
			rc = -1;
			break;
		}
		if (!nd.decrypt)
			continue;
		if (!cfh_ids_has(&x->roles, roles.v[i])) {
			rc = advise_suppressed(r, roles.v[i],
					       "it uses resources the key "
					       "encrypts: grant it kms:Decrypt "
					       "on the key by hand");
			continue;
		}
		rc = grant(x, cfh_resource(r->t, roles.v[i]), &nd);
	}
	cfh_ids_release(&roles);
	return rc;
}

/* ---- SAM functions and state machines: their role is implicit, their
 * Policies take statements directly. ---- */

/* Does one of the function's policy documents have the pass's statement? */
static bool sam_has_grant(const struct cfh_node *pols)
{
	const struct cfh_entry *pe;
	struct cfh_stmt_iter it;
	struct cfh_stmt s;

	if (!pols)
		return false;
	cfh_for_each_entry(cfh_node_deref(pols), pe) {
		cfh_stmt_iter_init(&it, pe->value);
		while (cfh_stmt_next(&it, &s))
			if (cfh_node_str_eq(cfh_map_get(s.node, "Sid"),
					    "UseEncryptionKey"))
				return true;
	}
	return false;
}

static int grant_sam_functions(struct enc *x)
{
	struct cfh_run *r = x->r;
	json_t *stmt, *acts;
	char why[100];
	size_t i;
	int rc = 0;

	for (i = 0; i < x->sam.n && !rc; i++) {
		const char *id = x->sam.v[i];
		struct cfh_node *res = cfh_resource(r->t, id);
		struct cfh_node *p = props_of(res), *pols;

		if (!cfh_node_is_map(p) || cfh_map_get(p, "Role") ||
		    !principal_uses(x, res, id))
			continue;
		pols = cfh_map_get(p, "Policies");
		if (pols && !cfh_node_is_seq(pols))
			continue;	/* a single policy name: left as written */
		if (sam_has_grant(pols))
			continue;
		acts = json_pack("[s,s]", "kms:Decrypt", "kms:GenerateDataKey");
		stmt = json_pack("{s:[o]}", "Statement",
				 use_key_statement(x, acts));
		snprintf(why, sizeof(why),
			 "let the %s use the key that encrypts what it uses",
			 cfh_res_is(res, "AWS::Serverless::StateMachine")
				 ? "state machine"
				 : "function");
		rc = pols ? cfh_edit_append_take(r, pols, stmt, why, NULL)
			  : cfh_edit_set_take(r, p, "Policies",
					      json_pack("[o]", stmt), why, NULL);
	}
	return rc;
}

/* Buckets that receive server access or load-balancer logs keep SSE-S3:
 * make sure they have at least that. */
static int s3_log_targets(struct enc *x)
{
	struct cfh_run *r = x->r;
	size_t i;
	int rc = 0;

	for (i = 0; i < x->buckets.n && !rc; i++) {
		struct cfh_node *res = cfh_resource(r->t, x->buckets.v[i]), *p;

		if (!cfh_store_is_log_target(r->t, x->buckets.v[i]) ||
		    cfh_map_get(props_of(res), "BucketEncryption"))
			continue;
		p = cfh_res_props(r, res, "add Properties");
		rc = !p || cfh_edit_set_take(
				   r, p, "BucketEncryption",
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

static int before(struct cfh_run *r, void *st)
{
	struct enc *x = st;

	x->r = r;
	return 0;
}

/*
 * Stores whose clients call the key themselves, through the service: a
 * reader of an SSE-KMS object, queue, topic, table, stream, secret or
 * image needs kms:Decrypt on its key, a writer kms:GenerateDataKey. Not
 * log groups, functions, builds, pipelines, databases, file systems,
 * volumes and caches, which their service decrypts for any client.
 */
static bool clients_use_key(const struct cfh_node *res)
{
	static const char *const types[] = {
		"AWS::S3::Bucket",	 "AWS::SQS::Queue",
		"AWS::SNS::Topic",	 "AWS::DynamoDB::Table",
		"AWS::Kinesis::Stream",	 "AWS::KinesisFirehose::DeliveryStream",
		"AWS::SecretsManager::Secret", "AWS::ECR::Repository",
		"AWS::Serverless::SimpleTable",
	};
	const char *type = cfh_resource_type(res);
	size_t i;

	for (i = 0; type && i < CFH_ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

/*
 * In a deployed stack (--mode deployed), a store that clients outside the
 * template may use (the usage model, src/usage.h) keeps its encryption: a
 * new key's policy admits only this template's roles and services, and
 * the others would get KMS.AccessDeniedException. A running bucket that
 * may be public (cfh_bucket_may_be_public()) is such a store: its
 * clients are anonymous. Returns 1 when it advised instead, 0 when the store may
 * move, -1 on error.
 */
static int outside_clients(struct cfh_run *r, const char *id,
			   struct cfh_node *res)
{
	char why[300], msg[600];
	int rc;

	/* A new stack has no clients yet: those to come get the key. So
	 * has a store a pass adds in this run (the alarm topic), though
	 * the Output that shows it is new too. */
	if (!cfh_mode_deployed(r) || !clients_use_key(res) ||
	    (res->flags & CFH_NF_NEW))
		return 0;
	rc = cfh_usage_outside(r->t, id, why, sizeof(why));
	if (rc == 0 && cfh_res_is(res, "AWS::S3::Bucket") &&
	    cfh_bucket_may_be_public(res))
		return cfh_advise(r, res,
				  "not moved to the customer-managed key: "
				  "nothing in the template blocks public access "
				  "to this running bucket, so objects may be "
				  "public by their ACLs or by a policy set "
				  "outside it, and anonymous readers can read no "
				  "SSE-KMS object; once it blocks public access "
				  "(RestrictPublicBuckets, and IgnorePublicAcls or "
				  "ACLs off), encrypt it with the key (S004-01)")
			       ? -1
			       : 1;
	if (rc <= 0)
		return rc;
	snprintf(msg, sizeof(msg),
		 "not moved to the customer-managed key: it may have clients "
		 "outside this template (%s), and every reader and writer "
		 "needs kms:Decrypt and kms:GenerateDataKey on a new key or "
		 "gets KMS.AccessDeniedException. Grant them in the key "
		 "policy (or their IAM policies), then encrypt it with the "
		 "key",
		 why);
	return cfh_advise(r, res, msg) ? -1 : 1;
}

/* Every store of the table (src/encryption_stores.c): what needs
 * encrypting, before any edit. */
static int find_target(struct cfh_run *r, void *st, const char *id,
		       struct cfh_node *res)
{
	struct enc *x = st;
	int rc;

	switch (cfh_store_check(r->t, id, res)) {
	case CFH_STORE_WANTS_KEY:
		/* Where nothing may be replaced, a store whose encryption
		 * is createOnly stays as it is: said once here, and no key
		 * is added for it alone. */
		if (cfh_no_replace(r) && cfh_store_encrypt_replaces(res))
			return cfh_advise(
				r, res,
				"not encrypted with the customer-managed key: "
				"turning encryption at rest on replaces the "
				"resource, which comes back empty; restore an "
				"encrypted copy of it (a snapshot, a backup) "
				"under a new logical ID, then switch its users "
				"over (S004-01)");
		rc = outside_clients(r, id, res);
		return rc ? (rc < 0 ? -1 : 0) : cfh_ids_add(&x->targets, id);
	case CFH_STORE_WEBSITE:
		return cfh_advise(r, res,
				  "website bucket not encrypted with KMS: "
				  "anonymous readers cannot decrypt; serve it "
				  "through CloudFront with origin access "
				  "control first");
	case CFH_STORE_CDN:
		return cfh_advise(r, res,
				  "CloudFront origin not encrypted with KMS: "
				  "through an origin access identity or a custom "
				  "origin SSE-KMS objects cannot be served at all "
				  "(every new object would return 403); move the "
				  "distribution to origin access control first, "
				  "then the key can admit cloudfront.amazonaws.com "
				  "and the bucket can move to it");
	case CFH_STORE_DYNAMIC:
		return cfh_advise(r, res,
				  "encryption chosen by an intrinsic function "
				  "(a condition or a parameter), left as "
				  "written: to use the customer-managed key, "
				  "name it as KMSMasterKeyID with SSEAlgorithm "
				  "aws:kms in each branch");
	case CFH_STORE_REPLICATED:
		return cfh_advise(r, res,
				  "replicated bucket not encrypted with KMS: "
				  "SSE-KMS objects are replicated only when each "
				  "rule has SourceSelectionCriteria."
				  "SseKmsEncryptedObjects and a ReplicaKmsKeyID "
				  "in the destination's region, and the "
				  "replication role may use both keys; set them "
				  "together");
	default:
		return 0;
	}
}

static int note_bucket(struct cfh_run *r, void *st, const char *id,
		       struct cfh_node *res)
{
	(void)r;
	(void)res;
	return cfh_ids_add(&((struct enc *)st)->buckets, id);
}

static int note_role(struct cfh_run *r, void *st, const char *id,
		     struct cfh_node *res)
{
	(void)r;
	(void)res;
	return cfh_ids_add(&((struct enc *)st)->roles, id);
}

static int note_function(struct cfh_run *r, void *st, const char *id,
			 struct cfh_node *res)
{
	(void)r;
	(void)res;
	return cfh_ids_add(&((struct enc *)st)->sam, id);
}

/* Does key reference @k name a key the template takes from outside: a
 * parameter, an import, or either under a condition? */
static bool taken_key(struct cfh_template *t, const struct cfh_node *k,
		      int depth)
{
	struct cfh_fn_view v;
	const char *ref = cfh_node_ref(k);

	if (ref)
		return cfh_map_get(cfh_map_get(t->root, "Parameters"), ref);
	if (!cfh_node_fn(k, &v) || depth > 4)
		return false;
	if (v.fn == CFH_FN_IMPORTVALUE)
		return true;
	return v.fn == CFH_FN_IF &&
	       (taken_key(t, cfh_seq_at(v.arg, 1), depth + 1) ||
		taken_key(t, cfh_seq_at(v.arg, 2), depth + 1));
}

/*
 * A template with no key resource may still take a key (a parameter, an
 * import from a key stack) that some of its stores use. A second key
 * beside it costs a monthly fee per stack forever and splits what one
 * key policy controls, and its policy is not ours to extend for the
 * services that deliver into the stores: each store gets an advisory to
 * use that key instead. Returns 1 when it advised, 0 when the template
 * takes no key, -1 on error.
 */
static int use_taken_key(struct enc *x)
{
	struct cfh_run *r = x->r;
	const struct cfh_entry *e;
	const char *user = NULL;
	char msg[400];
	size_t i;

	cfh_for_each_resource(r->t, e)
		if (taken_key(r->t, cfh_store_key(e->value), 0)) {
			user = e->key->text;
			break;
		}
	if (!user)
		return 0;
	snprintf(msg, sizeof(msg),
		 "not encrypted with a customer-managed key: the template "
		 "takes one from outside (as %s's key), and a second key "
		 "would cost a fee per stack and split the policy; name that "
		 "key here too, and make sure its key policy admits the "
		 "roles and services that use this resource",
		 user);
	for (i = 0; i < x->targets.n; i++)
		if (cfh_advise(r, cfh_resource(r->t, x->targets.v[i]), msg))
			return -1;
	return 1;
}

static int after(struct cfh_run *r, void *st)
{
	struct enc *x = st;
	const struct cfh_entry *e;
	size_t i;
	int rc;

	x->key = cfh_template_key(r->t);
	if (!x->key && x->targets.n && (rc = use_taken_key(x)) != 0)
		return rc < 0 ? -1 : s3_log_targets(x);
	if (!x->targets.n && !x->key)
		return s3_log_targets(x);
	/* The stores the key will protect: the targets, and those that
	 * already use it (looked up, suppressed ones included). */
	for (i = 0; i < x->targets.n; i++)
		if (cfh_ids_add(&x->ours, x->targets.v[i]))
			return -1;
	if (x->key)
		cfh_for_each_resource(r->t, e)
			if (is_our_key(x, cfh_store_key(e->value)) &&
			    cfh_ids_add(&x->ours, e->key->text))
				return -1;
	if (find_services(x) || (x->key ? extend_key(x) : add_key(x)))
		return -1;
	for (i = 0; i < x->targets.n; i++)
		if (cfh_store_encrypt(r, x->targets.v[i],
				      cfh_resource(r->t, x->targets.v[i]),
				      x->key))
			return -1;
	if (s3_log_targets(x) || grant_roles(x) || grant_sam_functions(x))
		return -1;
	return 0;
}

static void release(void *st)
{
	struct enc *x = st;

	cfh_ids_release(&x->targets);
	cfh_ids_release(&x->ours);
	cfh_ids_release(&x->buckets);
	cfh_ids_release(&x->roles);
	cfh_ids_release(&x->sam);
}

/* All collect, in one walk: after() acts once every store is known. */
static const struct cfh_handler handlers[] = {
	{ "*", find_target },
	{ "AWS::S3::Bucket", note_bucket },
	{ "AWS::IAM::Role", note_role },
	{ "AWS::Serverless::Function", note_function },
	{ "AWS::Serverless::StateMachine", note_function },
};

const struct cfh_pass_ops cfh_pass_encryption = {
	.state_size = sizeof(struct enc),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = after,
	.release = release,
};

/* SPDX-License-Identifier: MIT */
/*
 * Pass `dlq` (S004-03): work that fails is kept, not lost.
 *
 * An asynchronous consumer whose processing fails retries a few times and
 * then drops the message or event without a trace. The pass gives each
 * source of such work a dead-letter queue of its own, named after it:
 *
 *   - SQS queues without a RedrivePolicy (maxReceiveCount 5);
 *   - Lambda functions invoked asynchronously (by S3, SNS, EventBridge,
 *     CloudWatch Logs, ... through a permission, a notification, a rule or
 *     a subscription): DeadLetterConfig, and their role may send to it;
 *   - EventBridge rule targets: DeadLetterConfig and RetryPolicy;
 *   - SNS subscriptions: RedrivePolicy;
 *   - stream event source mappings: DestinationConfig.OnFailure, a retry
 *     limit, and batch bisection on errors.
 *
 *   Queue:                         Queue:
 *     Type: AWS::SQS::Queue   ==>    Type: AWS::SQS::Queue
 *                                    Properties:
 *                                      RedrivePolicy:
 *                                        deadLetterTargetArn: !GetAtt QueueDLQ.Arn
 *                                        maxReceiveCount: 5
 *
 * In a deployed stack (--mode deployed) the pass adds only what keeps
 * work that would otherwise be dropped: a running queue keeps retrying a
 * failing message until it expires, a running rule keeps EventBridge's
 * 24 hours of retries, a running stream mapping keeps retrying a failing
 * batch; for those the bounded retry is an advisory, since the consumer
 * may rely on retrying through an outage.
 *
 * A new queue is as hard as the passes before would have made it: it keeps
 * messages for the maximum 14 days, is encrypted with the template's key
 * (whose policy then admits the service that sends to it), answers only
 * requests over TLS, and admits the service that sends to it through a
 * queue policy scoped by aws:SourceArn.
 *
 * Findings of independent checkers on a new queue that no template change
 * can remove (make scan):
 *   cdk-nag AwsSolutions-SQS3  a queue that is not the RedrivePolicy
 *                              target of another queue (or a Lambda
 *                              DeadLetterConfig) needs a DLQ of its own:
 *                              the DLQ of a rule target, a subscription
 *                              or a stream mapping is not seen as one;
 *                              a DLQ for the DLQ would only move it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"

#define DLQ_RETENTION 1209600	/* 14 days, the SQS maximum */

struct dlq {
	struct cfh_run *r;
	const char *key;	/* the template's key, or NULL */
	struct cfh_ids dlqs;	/* queues that already serve as DLQs */
};

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* The resource of type @type or @type2 (or NULL) that an ARN expression
 * of resource @from names, if it is one of ours: among @from's
 * references, through the graph. */
static const char *named_in(struct dlq *x, const char *from,
			    const struct cfh_node *arn, const char *type,
			    const char *type2)
{
	const struct cfh_graph *g = cfh_graph_get(x->r->t);
	const struct cfh_vertex *v = g ? cfh_graph_find(g, from) : NULL;
	size_t i;

	if (!arn || !v)
		return NULL;
	for (i = 0; i < v->nout; i++) {
		const struct cfh_vertex *w = &g->v[v->out[i]];

		if (w->kind == CFH_V_RESOURCE &&
		    (cfh_res_is(w->node, type) ||
		     (type2 && cfh_res_is(w->node, type2))) &&
		    cfh_refers_to(arn, w->id))
			return w->id;
	}
	return NULL;
}

static int note_dlq(struct dlq *x, const char *from,
		    const struct cfh_node *arn)
{
	const char *q = named_in(x, from, arn, "AWS::SQS::Queue", NULL);

	return q ? cfh_ids_add(&x->dlqs, q) : 0;
}

/* Queues named as dead-letter targets anywhere. */
static int find_dlqs(struct dlq *x)
{
	const struct cfh_entry *e, *t;

	cfh_for_each_resource(x->r->t, e) {
		const struct cfh_node *p = props_of(e->value);

		if (note_dlq(x, e->key->text, cfh_map_path(p, "RedrivePolicy",
					     "deadLetterTargetArn", NULL)) ||
		    note_dlq(x, e->key->text, cfh_map_path(p, "DeadLetterConfig", "TargetArn",
					     NULL)) ||
		    note_dlq(x, e->key->text, cfh_map_path(p, "DeadLetterQueue", "TargetArn",
					     NULL)) ||
		    note_dlq(x, e->key->text, cfh_map_path(p, "DestinationConfig", "OnFailure",
					     "Destination", NULL)))
			return -1;
		if (cfh_map_get(p, "RedriveAllowPolicy") &&
		    cfh_ids_add(&x->dlqs, e->key->text))
			return -1;
		if (cfh_res_is(e->value, "AWS::Events::Rule") &&
		    cfh_node_is_seq(cfh_map_get(p, "Targets")))
			cfh_for_each_entry(cfh_node_deref(cfh_map_get(p, "Targets")), t)
				if (note_dlq(x, e->key->text, cfh_map_path(t->value,
							     "DeadLetterConfig",
							     "Arn", NULL)))
					return -1;
	}
	return 0;
}

/* Deny everything on @queue that does not come over TLS: the statement
 * the s3 pass gives buckets, for a queue (cdk-nag AwsSolutions-SQS4). */
static json_t *tls_statement(const char *queue)
{
	return cfh_stmt_when_take(
		json_pack("{s:s, s:s, s:s, s:s, s:o}", "Sid",
			  "DenyInsecureTransport", "Effect", "Deny", "Principal",
			  "*", "Action", "sqs:*", "Resource",
			  cfh_json_getatt(queue, "Arn")),
		"Bool", "aws:SecureTransport", json_string("false"));
}

/*
 * The queue policy of a new dead-letter queue: TLS only, and, when
 * @service (not NULL) delivers to it, that service may send, for the
 * source @source_arn alone (taken). One policy per queue: SQS keeps one,
 * and a second AWS::SQS::QueuePolicy on the queue would replace the first.
 */
static int queue_policy(struct dlq *x, const char *queue, const char *service,
			json_t *source_arn)
{
	const struct cfh_node *cond = cfh_map_get(cfh_resource(x->r->t, queue),
						  "Condition");
	char base[256];
	const char *id;
	json_t *stmts, *res;

	snprintf(base, sizeof(base), "%sPolicy", queue);
	id = cfh_fresh_id(x->r->t, base);
	if (!id) {
		json_decref(source_arn);
		return -1;
	}
	stmts = json_array();
	if (service)
		json_array_append_new(
			stmts, cfh_stmt_when_take(
				       cfh_stmt_service_take(
					       service, "sqs:SendMessage",
					       cfh_json_getatt(queue, "Arn")),
				       "ArnEquals", "aws:SourceArn", source_arn));
	json_array_append_new(stmts, tls_statement(queue));
	res = json_pack("{s:s, s:{s:[o], s:o}}", "Type",
			"AWS::SQS::QueuePolicy", "Properties", "Queues",
			cfh_json_ref(queue), "PolicyDocument",
			cfh_policy_doc_take(stmts));
	/* The queue's condition, which it took from its source. */
	if (res && cond && cfh_node_str(cond))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(cond)));
	return cfh_edit_add_resource_take(
		x->r, id, queue, res,
		service ? "let the service deliver failed events to the "
			  "dead-letter queue, for this source only, and only "
			  "over TLS"
			: "the dead-letter queue answers only requests made "
			  "over TLS, as the template's buckets do",
		NULL);
}

/*
 * Add "<source>DLQ" after the source, with its queue policy (see
 * queue_policy(): @service and @source_arn, taken, may be NULL); *@id
 * receives its logical ID. The queue says it is a dead-letter queue
 * (RedriveAllowPolicy allowAll, what SQS does when it is missing), so that
 * checkers asking every queue for a dead-letter queue of its own (Control
 * Tower CT.SQS.PR.1) see it as one. byQueue would name the source, whose
 * RedrivePolicy names the queue: a cycle.
 */
static int add_queue(struct dlq *x, const char *source, bool fifo,
		     const char *service, json_t *source_arn, const char **id)
{
	const struct cfh_node *src = cfh_resource(x->r->t, source);
	const struct cfh_node *cond = cfh_map_get(src, "Condition");
	char base[256], reason[300];
	json_t *props, *res;

	snprintf(base, sizeof(base), "%sDLQ", source);
	*id = cfh_fresh_id(x->r->t, base);
	if (!*id) {
		json_decref(source_arn);
		return -1;
	}
	props = json_pack("{s:i, s:{s:s}}", "MessageRetentionPeriod",
			  DLQ_RETENTION, "RedriveAllowPolicy",
			  "redrivePermission", "allowAll");
	if (x->key)
		json_object_set_new(props, "KmsMasterKeyId",
				    cfh_json_getatt(x->key, "Arn"));
	else
		json_object_set_new(props, "SqsManagedSseEnabled", json_true());
	if (fifo)
		json_object_set_new(props, "FifoQueue", json_true());
	res = json_pack("{s:s, s:o}", "Type", "AWS::SQS::Queue", "Properties",
			props);
	/* A conditional source gets a conditional queue. */
	if (cond && cfh_node_str(cond))
		json_object_set_new(res, "Condition",
				    json_string(cfh_node_str(cond)));
	snprintf(reason, sizeof(reason),
		 "a dead-letter queue for %s: failed work is kept 14 days "
		 "instead of being lost (S004-03)",
		 source);
	if (cfh_edit_add_resource_take(x->r, *id, source, res, reason, NULL)) {
		json_decref(source_arn);
		return -1;
	}
	return queue_policy(x, *id, service, source_arn);
}

#define GRANT_POLICY "DeadLetterDelivery"

/* What a sender needs of the key that encrypts the queue it sends to. */
static json_t *key_use(const char *key)
{
	return cfh_stmt_allow_take("kms:GenerateDataKey kms:Decrypt",
				   cfh_json_getatt(key, "Arn"));
}

/*
 * Lambda refuses a dead-letter queue its role may not send to, and the
 * grant is made on the role: where the pass cannot reach the role (not in
 * the template, or the pass suppressed on it), it tells the author what to
 * add instead. @harm: what goes wrong without the queue; @why: why the
 * pass cannot; @what: the property to add.
 */
static int advise_by_hand(struct cfh_run *r, const struct cfh_node *res,
			  const char *harm, const char *why, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof(msg),
		 "%s, and %s: add %s and let the role send to it", harm, why,
		 what);
	return cfh_advise(r, res, msg);
}

/* Set @prop of @map to {@field: the ARN of @queue}: how a function, a
 * rule target and a subscription each name their dead-letter queue. */
static int point_at(struct cfh_run *r, struct cfh_node *map, const char *prop,
		    const char *field, const char *queue, const char *why)
{
	return cfh_edit_set_take(r, map, prop,
				 json_pack("{s:o}", field,
					   cfh_json_getatt(queue, "Arn")),
				 why, NULL);
}

/* Let @role send to @queue (and use the key that encrypts it). */
static int grant_send(struct dlq *x, const char *role, const char *queue)
{
	json_t *stmts = json_pack(
		"[o]", cfh_stmt_allow_take("sqs:SendMessage",
					   cfh_json_getatt(queue, "Arn")));

	if (stmts && x->key)
		json_array_append_new(stmts, key_use(x->key));
	return cfh_role_grant_take(x->r, role, GRANT_POLICY, stmts,
				   "let the role send to its dead-letter queue, "
				   "and nothing else");
}

/*
 * Let the service @s use the template's key, which encrypts the queue it
 * delivers to. The key is reached through the resource @res the pass
 * handles: where the pass is suppressed on the key, its policy is left
 * alone and a human is told what it lacks.
 */
static int admit(struct dlq *x, const struct cfh_node *res, enum cfh_svc s)
{
	struct cfh_node *key;
	char why[300];

	if (!x->key)
		return 0;
	key = cfh_resource(x->r->t, x->key);
	if (!cfh_pass_skips(x->r, key))
		return cfh_kms_admit(x->r, x->key, s);
	if (cfh_kms_has_sid(cfh_map_path(key, "Properties", "KeyPolicy",
					 "Statement", NULL),
			    cfh_kms_service_sid(s)))
		return 0;
	snprintf(why, sizeof(why),
		 "its dead-letter queue is encrypted with the key %s, on which "
		 "this pass is suppressed: let %s use the key by hand",
		 x->key, cfh_kms_service_name(s));
	return cfh_advise(x->r, res, why);
}

/* ---- queues ---- */

static int queues(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct dlq *x = st;
	struct cfh_node *p = props_of(res);
	bool fifo = cfh_node_str_eq(cfh_map_get(p, "FifoQueue"), "true");
	long long receives = cfh_opt_int(r, "max-receive-count");
	char why[300];
	const char *q;

	if (cfh_map_get(p, "RedrivePolicy") ||
	    cfh_ids_has(&x->dlqs, id))
		return 0;
	/* The consumers of a running queue retry a failing message until it
	 * expires: through an outage downstream, that is how it gets done
	 * once the outage ends. A redrive policy would move it aside after
	 * a few receives, where nothing reads it: their owners decide. */
	if (cfh_is_running(r, res)) {
		snprintf(why, sizeof(why),
			 "its consumers retry a failing message until it "
			 "expires; once they may set failures aside, add "
			 "RedrivePolicy {deadLetterTargetArn: a new queue, "
			 "maxReceiveCount: %lld} (S004-03)",
			 receives);
		return cfh_advise(r, res, why);
	}
	if (add_queue(x, id, fifo, NULL, NULL, &q))
		return -1;
	snprintf(why, sizeof(why), "messages that fail %lld times move to the "
		 "dead-letter queue instead of cycling or expiring", receives);
	p = cfh_res_props(r, res, "add Properties");
	return !p || cfh_edit_set_take(
			     r, p, "RedrivePolicy",
			     json_pack("{s:o, s:i}", "deadLetterTargetArn",
				       cfh_json_getatt(q, "Arn"),
				       "maxReceiveCount", (json_int_t)receives),
			     why, NULL);
}

/* ---- functions invoked asynchronously ---- */

static const char *const async_principals[] = {
	"s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com",
	"logs.amazonaws.com", "ses.amazonaws.com", "iot.amazonaws.com",
	"codecommit.amazonaws.com", "cloudwatch.amazonaws.com",
	"config.amazonaws.com", NULL,
};

/* Does something in the template invoke @fn asynchronously? */
static bool invoked_async(struct dlq *x, const char *fn)
{
	const char **refs;
	size_t n, i, k;
	bool hit = false;

	if (cfh_referrers(x->r->t, fn, NULL, &refs, &n))
		return false;
	for (i = 0; i < n && !hit; i++) {
		const struct cfh_node *r = cfh_resource(x->r->t, refs[i]);
		const struct cfh_node *p = props_of(r);
		const char *pr;

		if (cfh_res_is(r, "AWS::Lambda::Permission")) {
			pr = cfh_node_str(cfh_map_get(p, "Principal"));
			for (k = 0; pr && async_principals[k]; k++)
				hit |= !strcmp(pr, async_principals[k]);
		} else if (cfh_res_is(r, "AWS::S3::Bucket")) {
			hit = cfh_refers_to(cfh_map_path(p, "NotificationConfiguration",
							 "LambdaConfigurations",
							 NULL),
					    fn);
		} else if (cfh_res_is(r, "AWS::SNS::Subscription")) {
			hit = cfh_node_str_eq(cfh_map_get(p, "Protocol"),
					      "lambda");
		} else if (cfh_res_is(r, "AWS::Events::Rule")) {
			hit = cfh_refers_to(cfh_map_get(p, "Targets"), fn);
		} else if (cfh_res_is(r, "AWS::Logs::SubscriptionFilter")) {
			hit = cfh_refers_to(cfh_map_get(p, "DestinationArn"), fn);
		}
	}
	free(refs);
	return hit;
}

/* A function that already sends failures somewhere. */
static bool has_failure_destination(struct dlq *x, const char *fn,
				    const struct cfh_node *p)
{
	const char **refs;
	size_t n, i;
	bool hit = false;

	if (cfh_map_get(p, "DeadLetterConfig") ||
	    cfh_map_get(p, "DeadLetterQueue") ||
	    cfh_map_path(p, "EventInvokeConfig", "DestinationConfig",
			 "OnFailure", NULL))
		return true;
	if (cfh_referrers(x->r->t, fn, "AWS::Lambda::EventInvokeConfig", &refs,
			  &n))
		return true;
	for (i = 0; i < n; i++)
		hit |= cfh_map_path(cfh_resource(x->r->t, refs[i]),
				    "Properties", "DestinationConfig",
				    "OnFailure", NULL) != NULL;
	free(refs);
	return hit;
}

/* The template role a function runs as, or NULL. */
/* SAM functions with asynchronous events are invoked asynchronously. */
static bool sam_async(const struct cfh_node *res)
{
	static const char *const kinds[] = { "S3", "SNS", "EventBridgeRule",
					     "Schedule", "CloudWatchEvent",
					     "CloudWatchLogs", "IoTRule", NULL };
	const struct cfh_node *events = cfh_map_path(res, "Properties",
						     "Events", NULL);
	const struct cfh_entry *e;
	size_t k;

	if (!cfh_node_is_map(events))
		return false;
	cfh_for_each_entry(cfh_node_deref(events), e)
		for (k = 0; kinds[k]; k++)
			if (cfh_node_str_eq(cfh_map_get(e->value, "Type"),
					    kinds[k]))
				return true;
	return false;
}

static int functions(struct cfh_run *r, void *st, const char *id,
		      struct cfh_node *res)
{
	struct dlq *x = st;
	struct cfh_node *p = props_of(res);
	const char *q, *role;

	if (has_failure_destination(x, id, p) ||
	    !(cfh_res_is(res, "AWS::Serverless::Function") ? sam_async(res)
							    : invoked_async(x, id)))
		return 0;
	if (cfh_res_is(res, "AWS::Lambda::Function")) {
		role = cfh_role_of(r->t, res, false);
		if (!role || cfh_pass_skips(r, cfh_resource(r->t, role)))
			return advise_by_hand(
				r, res,
				"invoked asynchronously with no dead-letter "
				"queue",
				role ? "this pass is suppressed on its role"
				     : "its role is not in the template",
				"DeadLetterConfig");
		if (add_queue(x, id, false, NULL, NULL, &q) ||
		    point_at(r, p, "DeadLetterConfig", "TargetArn", q,
			     "events the function fails on after its "
			     "retries go to a dead-letter queue"))
			return -1;
		return grant_send(x, role, q);
	}
	/* SAM adds the sqs:SendMessage permission for DeadLetterQueue. */
	if (add_queue(x, id, false, NULL, NULL, &q) ||
	    cfh_edit_set_take(r, p, "DeadLetterQueue",
			      json_pack("{s:s, s:o}", "Type", "SQS",
					"TargetArn", cfh_json_getatt(q, "Arn")),
			      "events the function fails on after its retries "
			      "go to a dead-letter queue",
			      NULL))
		return -1;
	if (!x->key || cfh_map_get(p, "Role"))
		return 0;
	{
		struct cfh_node *pols = cfh_map_get(p, "Policies");
		json_t *stmt = json_pack("{s:[o]}", "Statement",
					 key_use(x->key));

		if (pols && pols->kind == CFH_SEQ)
			return cfh_edit_append_take(r, pols, stmt,
						    "let the function use the key "
						    "of its dead-letter queue",
						    NULL);
		if (!pols)
			return cfh_edit_set_take(r, p, "Policies",
						 json_pack("[o]", stmt),
						 "let the function use the key "
						 "of its dead-letter queue",
						 NULL);
		json_decref(stmt);
		return 0;
	}
}

/* ---- rule targets ---- */

static int rules(struct cfh_run *r, void *st, const char *id,
		  struct cfh_node *res)
{
	struct dlq *x = st;
	struct cfh_node *targets = cfh_map_get(props_of(res), "Targets");
	struct cfh_entry *e;
	const char *q = NULL;
	bool advised = false;

	if (!targets || targets->kind != CFH_SEQ)
		return 0;
	cfh_for_each_entry(targets, e) {
		struct cfh_node *tgt = e->value;

		if (tgt->kind != CFH_MAP || cfh_map_get(tgt, "DeadLetterConfig"))
			continue;
		if (!q && (add_queue(x, id, false, "events.amazonaws.com",
				     cfh_json_getatt(id, "Arn"), &q) ||
			   admit(x, res, CFH_SVC_EVENTS)))
			return -1;
		if (point_at(r, tgt, "DeadLetterConfig", "Arn", q,
			     "events EventBridge cannot deliver go to a "
			     "dead-letter queue"))
			return -1;
		/* A dead-letter queue keeps only what EventBridge would drop;
		 * a retry policy gives up sooner than its default (185
		 * attempts over 24 hours), which a running rule's targets may
		 * rely on to outlast an outage. */
		if (!cfh_map_get(tgt, "RetryPolicy") && cfh_is_running(r, res)) {
			if (!advised && cfh_advise(
				    r, res,
				    "EventBridge retries a failed delivery for 24 "
				    "hours before the dead-letter queue; once its "
				    "targets' owners agree, RetryPolicy "
				    "{MaximumRetryAttempts: 8, "
				    "MaximumEventAgeInSeconds: 3600} bounds that "
				    "to an hour"))
				return -1;
			advised = true;
			continue;
		}
		if (!cfh_map_get(tgt, "RetryPolicy") &&
		    cfh_edit_set_take(r, tgt, "RetryPolicy",
				      json_pack("{s:i, s:i}",
						"MaximumRetryAttempts", 8,
						"MaximumEventAgeInSeconds",
						3600),
				      "bounded retries: an hour, 8 attempts, then "
				      "the dead-letter queue",
				      NULL))
			return -1;
	}
	return 0;
}

/* ---- SNS subscriptions ---- */

static int subscriptions(struct cfh_run *r, void *st, const char *id,
			  struct cfh_node *res)
{
	struct dlq *x = st;
	struct cfh_node *p = props_of(res);
	const char *q;

	const char *proto = cfh_node_str(cfh_map_get(p, "Protocol"));

	/* Deliveries to people (e-mail, SMS) are not work to keep. */
	if (cfh_map_get(p, "RedrivePolicy") || !cfh_map_get(p, "TopicArn") ||
	    (proto && (!strncmp(proto, "email", 5) || !strcmp(proto, "sms"))))
		return 0;
	if (add_queue(x, id, false, "sns.amazonaws.com",
		      cfh_node_to_json(cfh_map_get(p, "TopicArn")), &q) ||
	    admit(x, res, CFH_SVC_SNS))
		return -1;
	return point_at(r, p, "RedrivePolicy", "deadLetterTargetArn", q,
			"messages SNS cannot deliver to the endpoint go to a "
			"dead-letter queue");
}

/* ---- stream event source mappings ---- */

static int mappings(struct cfh_run *r, void *st, const char *id,
		     struct cfh_node *res)
{
	struct dlq *x = st;
	struct cfh_node *p = props_of(res);
	const struct cfh_node *src = cfh_map_get(p, "EventSourceArn");
	const char *fn = NULL, *role, *q, *ga, *attr;

	if (cfh_map_path(p, "DestinationConfig", "OnFailure", NULL) ||
	    !named_in(x, id, src, "AWS::Kinesis::Stream",
		      "AWS::DynamoDB::Table"))
		return 0;
	fn = cfh_node_ref(cfh_map_get(p, "FunctionName"));
	if (!fn && !cfh_node_getatt(r->t, cfh_map_get(p, "FunctionName"), &ga,
				    &attr))
		fn = ga;
	role = fn ? cfh_role_of(r->t, cfh_resource(r->t, fn), false) : NULL;
	if (!role)
		return 0;
	/* The function's role, reached through the mapping, must send to
	 * the queue. */
	if (cfh_pass_skips(r, cfh_resource(r->t, role)))
		return advise_by_hand(r, res,
				      "batches that keep failing block the "
				      "shard",
				      "this pass is suppressed on the "
				      "function's role",
				      "DestinationConfig.OnFailure");
	if (add_queue(x, id, false, NULL, NULL, &q) ||
	    cfh_edit_set_take(r, p, "DestinationConfig",
			      json_pack("{s:{s:o}}", "OnFailure", "Destination",
					cfh_json_getatt(q, "Arn")),
			      cfh_is_running(r, res)
				      ? "records of batches the mapping gives up "
					"on go to a dead-letter queue instead "
					"of being lost"
				      : "records of batches that keep failing go "
					"to a dead-letter queue instead of "
					"blocking the shard",
			      NULL))
		return -1;
	/* The destination is told only of what the mapping gives up on.
	 * Giving up sooner, or splitting batches, changes how a running
	 * function sees the stream: a record that keeps failing is
	 * skipped, and later ones are processed before it. */
	if (cfh_is_running(r, res)) {
		if ((!cfh_map_get(p, "MaximumRetryAttempts") ||
		     !cfh_map_get(p, "BisectBatchOnFunctionError")) &&
		    cfh_advise(r, res,
			       "a batch that keeps failing is retried until "
			       "its records expire, blocking the shard; once "
			       "the function may skip a record, set "
			       "MaximumRetryAttempts: 3 and "
			       "BisectBatchOnFunctionError: true"))
			return -1;
		return grant_send(x, role, q);
	}
	if (!cfh_map_get(p, "MaximumRetryAttempts") &&
	    cfh_edit_set_take(r, p, "MaximumRetryAttempts", json_integer(3),
			      "a failing batch is retried 3 times, not until "
			      "its records expire",
			      NULL))
		return -1;
	if (!cfh_map_get(p, "BisectBatchOnFunctionError") &&
	    cfh_edit_set_take(r, p, "BisectBatchOnFunctionError",
			      json_true(),
			      "split a failing batch to isolate the bad record",
			      NULL))
		return -1;
	return grant_send(x, role, q);
}

/*
 * S3 invoking a function directly: a burst of uploads becomes a burst of
 * invocations, and what fails after the retries is gone (seed 004,
 * S004-17). A queue in between is a change of architecture, so the pass
 * says so and leaves it.
 */
static int buckets(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	const struct cfh_node *fns = cfh_map_path(res, "Properties",
						  "NotificationConfiguration",
						  "LambdaConfigurations", NULL);

	(void)st;
	(void)id;
	if (!cfh_node_is_seq(fns) || !cfh_node_count(fns))
		return 0;
	return cfh_advise(r, res,
			  "S3 invokes the function directly: an SQS queue "
			  "between them buffers bursts of uploads and keeps "
			  "what fails for a retry (S004-17)");
}

/* One walk, as the pass always made: each resource goes to the rows of
 * its type, in this order. */
static const struct cfh_handler handlers[] = {
	{ "AWS::S3::Bucket", buckets },
	{ "AWS::SQS::Queue", queues },
	{ "AWS::Lambda::Function", functions },
	{ "AWS::Serverless::Function", functions },
	{ "AWS::Events::Rule", rules },
	{ "AWS::SNS::Subscription", subscriptions },
	{ "AWS::Lambda::EventSourceMapping", mappings },
};

static int before(struct cfh_run *r, void *st)
{
	struct dlq *x = st;

	x->r = r;
	x->key = cfh_template_key(r->t);
	return find_dlqs(x);
}

static void release(void *st)
{
	struct dlq *x = st;

	cfh_ids_release(&x->dlqs);
}

const struct cfh_pass_ops cfh_pass_dlq = {
	.state_size = sizeof(struct dlq),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};

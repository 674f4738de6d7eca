/* SPDX-License-Identifier: MIT */
/*
 * Pass `lambda` (S004-09, C007-01): functions that can be traced, and
 * queues that do not hand the same message to two invocations.
 *
 *   - Active X-Ray tracing, so that a slow or failing request can be
 *     followed across services; the function's role may write traces
 *     (xray:PutTraceSegments and PutTelemetryRecords, which accept only
 *     Resource "*"). SAM functions get Tracing: Active, for which SAM adds
 *     the permissions itself.
 *   - An SQS queue that feeds a function must hide a message for at least
 *     six times the function's timeout (AWS's rule for SQS event sources),
 *     or a message still being processed is delivered again.
 *   - Functions without ReservedConcurrentExecutions are named in one
 *     advisory per template (C007-01): a limit is a number only the owner
 *     knows (too low throttles real traffic, and it takes capacity away
 *     from every other function of the account), so the pass never picks
 *     one, in either mode.
 *
 *   Queue:                            Queue:
 *     Properties:                       Properties:
 *       VisibilityTimeout: 30   ==>       VisibilityTimeout: 360
 *   Worker:  (Timeout: 60, fed by Queue)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "options.h"
#include "passlib.h"
#include "policy.h"

#define DEFAULT_TIMEOUT 3		/* Lambda's, in seconds */
#define DEFAULT_VISIBILITY 30		/* SQS's, in seconds */
#define TRACE_POLICY "Tracing"

static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* An integer property into @out, @def when absent. Returns false when it
 * is decided at deploy time (or not a whole number): nothing to compare. */
static bool int_prop(const struct cfh_node *p, const char *key, long def,
		     long *out)
{
	const struct cfh_node *n = cfh_map_get(p, key);
	const char *s = cfh_node_str(n);
	char *end;

	*out = def;
	if (!n)
		return true;
	if (!s || cfh_is_dynamic(n))
		return false;
	*out = strtol(s, &end, 10);
	return !*end && *out >= 0;
}

static bool role_traces(const struct cfh_node *role)
{
	const struct cfh_node *arns = cfh_map_path(role, "Properties",
						   "ManagedPolicyArns", NULL);
	const struct cfh_node *pols = cfh_map_path(role, "Properties",
						   "Policies", NULL);
	const struct cfh_entry *e;

	if (cfh_node_is_seq(arns))
		cfh_for_each_entry(cfh_node_deref(arns), e) {
			const char *s = cfh_node_str(e->value);

			if (s && (strstr(s, "AWSXRayDaemonWriteAccess") ||
				  strstr(s, "AWSXrayWriteOnlyAccess") ||
				  strstr(s, "/AdministratorAccess") ||
				  strstr(s, "/PowerUserAccess")))
				return true;
		}
	if (cfh_node_is_seq(pols))
		cfh_for_each_entry(cfh_node_deref(pols), e)
			if (cfh_node_str_eq(cfh_map_get(e->value, "PolicyName"),
					    TRACE_POLICY))
				return true;
	return false;
}

static int trace(struct cfh_run *r, void *st, const char *id,
		 struct cfh_node *res)
{
	struct cfh_node *p = cfh_res_props(r, res, "add Properties");
	const struct cfh_node *rres, *pols;
	const char *role;
	bool traces;

	(void)st;
	(void)id;
	if (!p || cfh_map_get(p, "TracingConfig") || cfh_map_get(p, "Tracing"))
		return 0;
	if (cfh_res_is(res, "AWS::Serverless::Function"))
		return cfh_edit_set_take(r, p, "Tracing", json_string("Active"),
					 "trace requests through the function "
					 "with X-Ray (S004-09)",
					 NULL);
	role = cfh_role_of(r->t, res, false);
	if (!role)
		return cfh_advise(r, res,
				  "X-Ray tracing is off, and the function's role "
				  "is not in the template: turn it on and let the "
				  "role write traces");
	rres = cfh_resource(r->t, role);
	traces = role_traces(rres);
	/* The role is reached through the function: where the pass is
	 * suppressed on it, the grant cannot be made, and Lambda refuses
	 * active tracing for a role that may not write traces. */
	if (!traces && cfh_pass_skips(r, rres))
		return cfh_advise(r, res,
				  "X-Ray tracing is off, and this pass is "
				  "suppressed on the function's role: turn it "
				  "on and let the role write traces");
	/* Nor where the role's Policies is decided at deploy time (an
	 * Fn::If): the grant would only be advised, and the function's
	 * update would fail without it. */
	pols = cfh_map_path(rres, "Properties", "Policies", NULL);
	if (!traces && (cfh_props_dynamic(rres) || cfh_is_dynamic(pols) ||
			(pols && !cfh_node_is_seq(pols))))
		return cfh_advise(r, res,
				  "X-Ray tracing is off, and the Policies of the "
				  "function's role is decided at deploy time: "
				  "turn it on and let the role write traces in "
				  "every branch");
	if (cfh_edit_set_take(r, p, "TracingConfig",
			      json_pack("{s:s}", "Mode", "Active"),
			      "trace requests through the function with X-Ray "
			      "(S004-09)",
			      NULL))
		return -1;
	if (traces)
		return 0;
	return cfh_role_grant_take(
		r, role, TRACE_POLICY,
		json_pack("[o]", cfh_stmt_allow_take("xray:PutTraceSegments "
						     "xray:PutTelemetryRecords",
						     json_string("*"))),
		"let the function write its traces (these actions accept only "
		"\"*\")");
}

/* Make @queue hide a message for six times the timeout of @fn. */
static int visibility(struct cfh_run *r, const char *queue,
		      const struct cfh_node *fn)
{
	struct cfh_node *q = cfh_resource(r->t, queue), *qp;
	long timeout, vis, want;
	char reason[300];

	if (!int_prop(props_of(fn), "Timeout", DEFAULT_TIMEOUT, &timeout) ||
	    !q || cfh_props_dynamic(q) || cfh_pass_skips(r, q))
		return 0;
	if (!int_prop(props_of(q), "VisibilityTimeout", DEFAULT_VISIBILITY,
		      &vis))
		return 0;
	want = 6 * timeout;
	if (vis >= want)
		return 0;
	/* A running queue's retries come back after its visibility
	 * timeout: a longer one slows them, which its owners may rely on. */
	if (cfh_is_running(r, q)) {
		snprintf(reason, sizeof(reason),
			 "VisibilityTimeout %ld s is under six times the timeout "
			 "of the function it feeds (%ld s): a message may be "
			 "processed twice; set it to %ld once slower retries "
			 "are fine",
			 vis, timeout, want);
		return cfh_advise(r, q, reason);
	}
	qp = cfh_res_props(r, q, "add Properties");
	if (!qp)
		return -1;
	snprintf(reason, sizeof(reason),
		 "a message must stay hidden for six times the timeout of the "
		 "function it feeds (%ld s), or it is processed twice",
		 timeout);
	return cfh_edit_set_take(r, qp, "VisibilityTimeout", json_integer(want),
				 reason, NULL);
}

/* Per run: the resources that may feed a function from a queue, in
 * template order. Every function is traced before any queue changes, as
 * the pass always did: the queues wait for after(). */
struct lambda {
	struct cfh_ids feeders;
	struct cfh_ids unlimited;	/* no ReservedConcurrentExecutions */
};

static int collect(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	struct lambda *x = st;

	(void)r;
	(void)res;
	return cfh_ids_add(&x->feeders, id);
}

/* A function that sets no concurrency limit, here or (SAM) in Globals. */
static int concurrency(struct cfh_run *r, void *st, const char *id,
		       struct cfh_node *res)
{
	struct lambda *x = st;

	const struct cfh_node *meta = cfh_map_get(res, "Metadata");

	/* Those checks are the advisory's alone, not the pass's: their
	 * suppression silences the advisory and leaves tracing on. */
	if (cfh_meta_suppresses(meta, "cdk_nag:NIST.800.53.R5-LambdaConcurrency") ||
	    cfh_meta_suppresses(meta, "checkov:CKV_AWS_115") ||
	    cfh_map_get(props_of(res), "ReservedConcurrentExecutions") ||
	    (cfh_res_is(res, "AWS::Serverless::Function") &&
	     cfh_map_path(cfh_template_section(r->t, "Globals"), "Function",
			  "ReservedConcurrentExecutions", NULL)))
		return 0;
	return cfh_ids_add(&x->unlimited, id);
}

#define MAX_NAMED 8	/* functions an advisory names before "and N more" */

/* One advisory for every function without a limit: one line in the
 * report however many functions the template has. */
static int advise_concurrency(struct cfh_run *r, struct lambda *x)
{
	struct cfh_buf b;
	size_t i;
	int rc;

	if (!x->unlimited.n)
		return 0;
	cfh_buf_init(&b);
	cfh_buf_adds(&b, x->unlimited.n == 1 ? "function " : "functions ");
	for (i = 0; i < x->unlimited.n && i < MAX_NAMED; i++)
		cfh_buf_addf(&b, "%s%s", i ? ", " : "", x->unlimited.v[i]);
	if (x->unlimited.n > MAX_NAMED)
		cfh_buf_addf(&b, " and %zu more", x->unlimited.n - MAX_NAMED);
	cfh_buf_adds(&b, x->unlimited.n == 1 ? " sets" : " set");
	cfh_buf_adds(&b, " no ReservedConcurrentExecutions: one that loops "
		     "or is flooded may take the whole account's concurrency "
		     "and throttle every other function; set a limit above "
		     "each one's peak (too low a limit throttles its own "
		     "traffic) (C007-01)");
	if (b.failed) {
		cfh_buf_release(&b);
		return -1;
	}
	rc = cfh_advise(r, cfh_template_section(r->t, "Resources"), b.data);
	cfh_buf_release(&b);
	return rc;
}

/* Queues that feed functions: event source mappings, and SAM's SQS
 * events. */
static int queues(struct cfh_run *r, void *st)
{
	struct lambda *x = st;
	struct cfh_template *t = r->t;
	size_t i;

	for (i = 0; i < x->feeders.n; i++) {
		struct cfh_node *res = cfh_resource(t, x->feeders.v[i]);
		const struct cfh_node *p = props_of(res);
		const struct cfh_entry *e;
		const char *fn, *q = NULL, *ga, *attr;

		if (cfh_res_is(res, "AWS::Lambda::EventSourceMapping")) {
			fn = cfh_node_ref(cfh_map_get(p, "FunctionName"));
			if (!fn && !cfh_node_getatt(t, cfh_map_get(p, "FunctionName"),
						    &ga, &attr))
				fn = ga;
			if (!cfh_node_getatt(t, cfh_map_get(p, "EventSourceArn"),
					     &ga, &attr) &&
			    cfh_res_is(cfh_resource(t, ga), "AWS::SQS::Queue"))
				q = ga;
			if (fn && q && cfh_resource(t, fn) &&
			    visibility(r, q, cfh_resource(t, fn)))
				return -1;
			continue;
		}
		if (!cfh_res_is(res, "AWS::Serverless::Function") ||
		    !cfh_node_is_map(cfh_map_get(p, "Events")))
			continue;
		cfh_for_each_entry(cfh_node_deref(cfh_map_get(p, "Events")), e) {
			const struct cfh_node *qn = cfh_map_path(e->value,
								 "Properties",
								 "Queue", NULL);

			if (!cfh_node_str_eq(cfh_map_get(e->value, "Type"), "SQS") ||
			    cfh_node_getatt(t, qn, &ga, &attr) ||
			    !cfh_res_is(cfh_resource(t, ga), "AWS::SQS::Queue"))
				continue;
			if (visibility(r, ga, res))
				return -1;
		}
	}
	return advise_concurrency(r, x);
}

static void release(void *st)
{
	struct lambda *x = st;

	cfh_ids_release(&x->feeders);
	cfh_ids_release(&x->unlimited);
}

/* A SAM function is both traced and, through its SQS events, a reader of
 * queues: it matches two rows, tried in this order. */
static const struct cfh_handler handlers[] = {
	{ "AWS::Lambda::Function", trace },
	{ "AWS::Serverless::Function", trace },
	{ "AWS::Lambda::EventSourceMapping", collect },
	{ "AWS::Serverless::Function", collect },
	{ "AWS::Lambda::Function", concurrency },
	{ "AWS::Serverless::Function", concurrency },
};

const struct cfh_pass_ops cfh_pass_lambda = {
	.state_size = sizeof(struct lambda),
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.after = queues,
	.release = release,
};

/* SPDX-License-Identifier: MIT */
/*
 * Pass `stepfunctions` (C006-01, C006-02): state machines that can be
 * followed and whose executions leave a record.
 *
 *   - X-Ray tracing (TracingConfiguration, SAM Tracing), so that an
 *     execution can be followed through the services it calls; the role
 *     may write traces (C006-01).
 *   - Execution logs (LoggingConfiguration, SAM Logging) into a log group
 *     of the stack's with a retention, without execution data: inputs and
 *     outputs may hold personal data, and the log group is read by more
 *     people than the state machine's data. The role gets the log
 *     delivery actions Step Functions needs ("Using CloudWatch Logs to log
 *     execution history in Step Functions"), or the update fails (C006-02).
 *
 *   Flow:                                      Flow:
 *     Type: AWS::StepFunctions::StateMachine ==> Properties:
 *                                                  TracingConfiguration: {Enabled: true}
 *                                                  LoggingConfiguration:
 *                                                    Level: ALL
 *                                                    IncludeExecutionData: false
 *                                                    Destinations:
 *                                                      - CloudWatchLogsLogGroup:
 *                                                          LogGroupArn: !GetAtt FlowLogs.Arn
 *                                                FlowLogs: {Type: AWS::Logs::LogGroup}
 *
 * Both properties change without interruption ("Update requires: No
 * interruption", AWS::StepFunctions::StateMachine) and change nothing the
 * state machine does, so the pass makes them in both modes. What differs
 * is the level: ALL in a new stack, ERROR on a running state machine,
 * whose traffic, and so the cost of logging every state transition,
 * nobody here measured (stepfunctions.log-level chooses).
 *
 * Where SAM makes the role (no Role), the log delivery actions go into the
 * SAM resource's Policies as a policy document, and SAM itself attaches
 * AWSXrayWriteOnlyAccess when Tracing is enabled.
 *
 * What it will not do: grant a role the template does not define, or one
 * whose Policies it cannot read (an intrinsic), or one the pass is
 * suppressed for. Turning tracing or logging on without the grant fails
 * the deployment, so those get an advisory. A configuration already
 * there, even off, is the owner's.
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"

#define TRACE_POLICY "Tracing"		/* the lambda pass's name: one role
					 * tracing two principals has one */
#define LOGS_POLICY "ExecutionLogs"

/* The X-Ray actions the Step Functions docs list for tracing; they accept
 * only "*", and the sampling ones read only sampling rules. */
#define TRACE_ACTIONS                                                        \
	"xray:PutTraceSegments xray:PutTelemetryRecords "                     \
	"xray:GetSamplingRules xray:GetSamplingTargets"
/* The CloudWatch Logs delivery actions for execution logs; none takes a
 * resource but "*". */
#define LOGS_ACTIONS                                                         \
	"logs:CreateLogDelivery logs:GetLogDelivery logs:UpdateLogDelivery "  \
	"logs:DeleteLogDelivery logs:ListLogDeliveries "                      \
	"logs:PutResourcePolicy logs:DescribeResourcePolicies "               \
	"logs:DescribeLogGroups"

/* The template role the state machine runs as (RoleArn: !GetAtt R.Arn,
 * SAM Role: the same), or NULL. */
static const char *machine_role(struct cfh_template *t,
				const struct cfh_node *res, bool sam)
{
	const struct cfh_node *n = cfh_map_path(res, "Properties",
						sam ? "Role" : "RoleArn", NULL);
	const char *id, *attr;

	if (!n || cfh_node_getatt(t, n, &id, &attr) || strcmp(attr, "Arn") ||
	    !cfh_res_is(cfh_resource(t, id), "AWS::IAM::Role"))
		return NULL;
	return id;
}

/* Can cfh_role_grant_take() add to the role's own Policies? Otherwise it
 * only advises, and the setting it was for would fail the deployment. */
static bool grantable(const struct cfh_run *r, const struct cfh_node *role)
{
	const struct cfh_node *pols = cfh_map_path(role, "Properties",
						   "Policies", NULL);

	/* An Fn::If is a sequence too, with a tag: not one to append to. */
	return !cfh_props_dynamic(role) && !cfh_pass_skips(r, role) &&
	       (!pols || (!cfh_is_dynamic(pols) && cfh_node_is_seq(pols)));
}

/* A log group of the stack's for the executions of @id. Under
 * /aws/vendedlogs/: CloudWatch Logs then needs no resource policy entry
 * per group, whose size is limited per account. */
static const char *add_group(struct cfh_run *r, const char *id)
{
	char base[256], name[600];
	const char *group;

	snprintf(base, sizeof(base), "%sLogs", id);
	snprintf(name, sizeof(name),
		 "/aws/vendedlogs/states/${AWS::StackName}-%s", id);
	group = cfh_fresh_id(r->t, base);
	if (!group ||
	    cfh_edit_add_resource_take(
		    r, group, id,
		    json_pack("{s:s, s:{s:{s:s}, s:I}}", "Type",
			      "AWS::Logs::LogGroup", "Properties",
			      "LogGroupName", "Fn::Sub", name,
			      "RetentionInDays",
			      (json_int_t)cfh_opt_int(r, "logs.retention-days")),
		    "a log group of the stack's for the state machine's "
		    "executions, with a retention (C006-02)",
		    NULL))
		return NULL;
	return group;
}

static const char *level_of(struct cfh_run *r, const struct cfh_node *res)
{
	const char *lvl = cfh_opt_str(r, "log-level");

	if (strcmp(lvl, "auto"))
		return lvl;
	return cfh_is_running(r, res) ? "ERROR" : "ALL";
}

/*
 * Let the state machine use @actions on "*": through its role of the
 * template (@role), or, where SAM makes the role (@role NULL), as a
 * policy document in the SAM resource's own Policies.
 */
static int grant(struct cfh_run *r, const char *role, struct cfh_node *p,
		 const char *policy, const char *actions, const char *why)
{
	json_t *stmt = cfh_stmt_allow_take(actions, json_string("*"));
	struct cfh_node *pols;

	if (role)
		return cfh_role_grant_take(r, role, policy,
					   json_pack("[o]", stmt), why);
	pols = cfh_map_get(p, "Policies");
	if (!pols)
		return cfh_edit_set_take(r, p, "Policies",
					 json_pack("[o]", cfh_policy_doc_take(
						   json_pack("[o]", stmt))),
					 why, NULL);
	return cfh_edit_append_take(
		r, pols, cfh_policy_doc_take(json_pack("[o]", stmt)), why, NULL);
}

/* SAM makes the role from Policies: can a document be appended there? */
static bool sam_grantable(const struct cfh_node *res)
{
	const struct cfh_node *pols = cfh_map_path(res, "Properties",
						   "Policies", NULL);

	return !pols || (!cfh_is_dynamic(pols) && cfh_node_is_seq(pols));
}

#define WHY_TRACE_GRANT                                                      \
	"let the state machine write its traces (these actions accept only "  \
	"\"*\") (C006-01)"
#define WHY_LOGS_GRANT                                                       \
	"let the state machine deliver its execution logs (these actions "    \
	"accept only \"*\") (C006-02)"

static int machine(struct cfh_run *r, void *st, const char *id,
		   struct cfh_node *res)
{
	bool sam = cfh_res_is(res, "AWS::Serverless::StateMachine");
	const char *tkey = sam ? "Tracing" : "TracingConfiguration";
	const char *lkey = sam ? "Logging" : "LoggingConfiguration";
	const struct cfh_node *old = cfh_map_get(res, "Properties");
	bool trace = !cfh_map_get(old, tkey), logs = !cfh_map_get(old, lkey);
	bool sam_role = sam && !cfh_map_get(old, "Role");
	const char *role, *group, *lvl;
	struct cfh_node *p;
	char why[200];

	(void)st;
	if (!trace && !logs)
		return 0;
	role = machine_role(r->t, res, sam);
	if (sam_role && !sam_grantable(res))
		return cfh_advise(r, res,
				  "X-Ray tracing or execution logs are off, and "
				  "SAM makes the state machine's role from "
				  "Policies, which is decided at deploy time here: "
				  "turn on Tracing and Logging, and add to Policies "
				  "a statement allowing the CloudWatch Logs "
				  "delivery actions on \"*\" (C006-01, C006-02)");
	if (!role && !sam_role)
		return cfh_advise(r, res,
				  "X-Ray tracing or execution logs are off, and "
				  "the state machine's role is not in the "
				  "template: turn them on and let the role use "
				  "the X-Ray and CloudWatch Logs delivery actions "
				  "on \"*\" (C006-01, C006-02)");
	if (role && !grantable(r, cfh_resource(r->t, role)))
		return cfh_advise(r, res,
				  "X-Ray tracing or execution logs are off, and "
				  "the state machine's role cannot be granted "
				  "here (the pass is suppressed on it, or its "
				  "Policies is decided at deploy time): turn them "
				  "on and let the role use the X-Ray and "
				  "CloudWatch Logs delivery actions on \"*\" "
				  "(C006-01, C006-02)");
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return 0;
	/* The role SAM makes gets AWSXrayWriteOnlyAccess from SAM itself
	 * when Tracing is enabled. */
	if (trace &&
	    ((role && grant(r, role, p, TRACE_POLICY, TRACE_ACTIONS,
			    WHY_TRACE_GRANT)) ||
	     cfh_edit_set_take(r, p, tkey, json_pack("{s:b}", "Enabled", 1),
			       "trace executions through the services they "
			       "call with X-Ray (C006-01)",
			       NULL)))
		return -1;
	if (!logs)
		return 0;
	lvl = level_of(r, res);
	snprintf(why, sizeof(why),
		 "record %s of every execution, without its data, which "
		 "may be personal (C006-02)",
		 strcmp(lvl, "ALL") ? "the errors" : "each step");
	group = add_group(r, id);
	if (!group ||
	    grant(r, role, p, LOGS_POLICY, LOGS_ACTIONS, WHY_LOGS_GRANT) ||
	    cfh_edit_set_take(
		    r, p, lkey,
		    json_pack("{s:s, s:b, s:[{s:{s:o}}]}", "Level", lvl,
			      "IncludeExecutionData", 0, "Destinations",
			      "CloudWatchLogsLogGroup", "LogGroupArn",
			      cfh_json_getatt(group, "Arn")),
		    why, NULL))
		return -1;
	return 0;
}

static const struct cfh_handler handlers[] = {
	{ "AWS::StepFunctions::StateMachine", machine },
	{ "AWS::Serverless::StateMachine", machine },
};

const struct cfh_pass_ops cfh_pass_stepfunctions = {
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
};

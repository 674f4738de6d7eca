/* SPDX-License-Identifier: MIT */
/*
 * Pass `logs` (S003-17, S004-09): every function and build has a log group
 * the template owns, with a retention.
 *
 * Without one, Lambda and CodeBuild create their log group on first use:
 * kept forever, outside the stack, left behind when the stack is deleted,
 * and unencrypted. The pass adds an AWS::Logs::LogGroup for each function
 * and build project that has none, points the function's LoggingConfig
 * (or the project's LogsConfig) at it, so that it exists before the first
 * write, and lets the principal's role write to it. Log groups without a
 * retention get one.
 *
 *   Function:                          Function:
 *     Type: AWS::Lambda::Function  ==>   Properties:
 *                                          LoggingConfig:
 *                                            LogGroup: !Ref FunctionLogGroup
 *                                      FunctionLogGroup:
 *                                        Type: AWS::Logs::LogGroup
 *                                        Properties:
 *                                          RetentionInDays: 365
 *
 * The encryption pass, run again by the engine after this one, encrypts
 * the new groups with the template's key and admits CloudWatch Logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"
#include "policy.h"


static struct cfh_node *props_of(const struct cfh_node *res)
{
	return cfh_map_get(res, "Properties");
}

/* A name given as a literal or as a Sub string, or NULL. */
static const char *name_text(const struct cfh_node *n)
{
	struct cfh_fn_view fv;

	if (cfh_node_is_str(n))
		return cfh_node_str(n);
	if (cfh_node_fn(n, &fv) && fv.fn == CFH_FN_SUB &&
	    fv.arg->kind == CFH_SCALAR)
		return cfh_node_str(fv.arg);
	return NULL;
}

/* A log group of the template that belongs to the principal: one it
 * names, one named after it, or the one its service would use by name
 * (/aws/lambda/<FunctionName>, /aws/codebuild/<Name>), in @names. */
static bool has_log_group(struct cfh_template *t, const char *id,
			  const struct cfh_node *res,
			  const struct cfh_ids *names)
{
	const struct cfh_node *p = props_of(res);
	const char **refs, *name;
	size_t n, i;
	bool hit = false;
	char want[1024];

	name = name_text(cfh_map_get(p, cfh_res_is(res, "AWS::CodeBuild::Project")
					       ? "Name"
					       : "FunctionName"));
	if (name) {
		snprintf(want, sizeof(want), "/aws/%s/%s",
			 cfh_res_is(res, "AWS::CodeBuild::Project") ? "codebuild"
								    : "lambda",
			 name);
		if (cfh_ids_has(names, want))
			return true;
	}

	if (cfh_map_path(p, "LoggingConfig", "LogGroup", NULL) ||
	    cfh_map_path(p, "LogsConfig", "CloudWatchLogs", "GroupName", NULL))
		return true;
	if (cfh_referrers(t, id, "AWS::Logs::LogGroup", &refs, &n))
		return true;	/* out of memory: do nothing */
	for (i = 0; i < n && !hit; i++)
		hit = cfh_refers_to(cfh_map_path(cfh_resource(t, refs[i]),
						 "Properties", "LogGroupName",
						 NULL),
				    id);
	free(refs);
	return hit;
}

#define GRANT_POLICY "LogDelivery"

/* Let the role write to the group: streams and events, on it alone. */
static int grant(struct cfh_run *r, const char *role, const char *group)
{
	return cfh_role_grant_take(
		r, role, GRANT_POLICY,
		json_pack("[o]",
			  cfh_stmt_allow_take("logs:CreateLogStream "
					      "logs:PutLogEvents",
					      cfh_json_getatt(group, "Arn"))),
		"let the role write to its log group, and to nothing else");
}

static int add_group(struct cfh_run *r, const char *id, struct cfh_node *res,
		     bool build)
{
	struct cfh_node *p;
	const char *group, *role = cfh_role_of(r->t, res, true);
	char base[256];

	/* A running function or build writes to the group its service made
	 * on first use: metric filters, subscriptions and alarms (here or
	 * elsewhere) may read it, and a group of that name cannot be added
	 * (it exists). Moving its logs is the owner's call. */
	if (cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "writes to the log group its service created "
				  "on first use, kept forever and outside the "
				  "stack: import that group into the stack and "
				  "give it a retention, or point the logs at a "
				  "new group of the stack's once whatever reads "
				  "the old one follows (S003-17)");
	/* A SAM function's role is SAM's: it adds the permissions for a
	 * LoggingConfig log group itself. Anywhere else the role must be
	 * the template's, or the principal could not write its logs. */
	if (!role && !cfh_res_is(res, "AWS::Serverless::Function"))
		return cfh_advise(r, res,
				  "no log group with a retention, and its role "
				  "is not in the template: add one and let the "
				  "role write to it");
	/* The role is reached through the principal: where the pass is
	 * suppressed for it, it may not grant, and a log group the role
	 * cannot write to would lose the logs. */
	if (role && cfh_pass_skips(r, cfh_resource(r->t, role)))
		return cfh_advise(r, res,
				  "no log group with a retention, and the pass "
				  "is suppressed for its role: add one and let "
				  "the role write to it");
	snprintf(base, sizeof(base), "%sLogGroup", id);
	group = cfh_fresh_id(r->t, base);
	if (!group ||
	    cfh_edit_add_resource_take(
		    r, group, id,
		    json_pack("{s:s, s:{s:i}}", "Type", "AWS::Logs::LogGroup",
			      "Properties", "RetentionInDays",
			      (int)cfh_opt_int(r, "retention-days")),
		    "a log group the stack owns, with a retention: otherwise "
		    "the service creates one on first use, kept forever and "
		    "left behind (S003-17)",
		    NULL))
		return -1;
	p = cfh_res_props(r, res, "add Properties");
	if (!p)
		return -1;
	if (build) {
		if (cfh_edit_set_take(r, p, "LogsConfig",
				      json_pack("{s:{s:s, s:o}}", "CloudWatchLogs",
						"Status", "ENABLED", "GroupName",
						cfh_json_ref(group)),
				      "build logs go to the stack's log group",
				      NULL))
			return -1;
	} else if (cfh_edit_set_take(r, p, "LoggingConfig",
				     json_pack("{s:o}", "LogGroup",
					       cfh_json_ref(group)),
				     "function logs go to the stack's log group, "
				     "which exists before the first write",
				     NULL)) {
		return -1;
	}
	return role ? grant(r, role, group) : 0;
}

struct logs {
	struct cfh_ids names;	/* LogGroupName of every log group */
	char why[96];
};

static int before(struct cfh_run *r, void *st)
{
	struct logs *x = st;
	struct cfh_entry *e;

	snprintf(x->why, sizeof(x->why), "logs kept forever cost forever: "
		 "keep them %lld days (S003-17)",
		 cfh_opt_int(r, "retention-days"));
	/* The names taken, to look up: suppressed groups count too. */
	cfh_for_each_resource(r->t, e) {
		const char *name = name_text(cfh_map_path(e->value, "Properties",
							  "LogGroupName", NULL));

		if (cfh_res_is(e->value, "AWS::Logs::LogGroup") && name &&
		    cfh_ids_add(&x->names, name))
			return -1;
	}
	return 0;
}

static int retention(struct cfh_run *r, void *st, const char *id,
		     struct cfh_node *res)
{
	struct logs *x = st;
	struct cfh_node *p = cfh_is_running(r, res)
				     ? NULL
				     : cfh_res_props(r, res, "add Properties");

	(void)id;
	if (cfh_map_get(props_of(res), "RetentionInDays"))
		return 0;
	/* A running group keeps every event it ever had: a retention
	 * deletes the older ones the moment it is set. */
	if (cfh_is_running(r, res))
		return cfh_advise(r, res,
				  "no retention: its logs are kept, and paid "
				  "for, forever; a retention deletes every event "
				  "older than it the moment it is set, so choose "
				  "one that keeps what you need, and export the "
				  "rest first (S003-17)");
	if (!p)
		return 0;
	return cfh_edit_set_take(r, p, "RetentionInDays",
				 json_integer(cfh_opt_int(r, "retention-days")),
				 x->why, NULL);
}

static int function(struct cfh_run *r, void *st, const char *id,
		    struct cfh_node *res)
{
	struct logs *x = st;

	if (has_log_group(r->t, id, res, &x->names))
		return 0;
	return add_group(r, id, res, false);
}

static int build(struct cfh_run *r, void *st, const char *id,
		 struct cfh_node *res)
{
	struct logs *x = st;

	if (cfh_node_str_eq(cfh_map_path(props_of(res), "LogsConfig",
					 "CloudWatchLogs", "Status", NULL),
			    "DISABLED") ||
	    has_log_group(r->t, id, res, &x->names))
		return 0;
	return add_group(r, id, res, true);
}

static void release(void *st)
{
	struct logs *x = st;

	cfh_ids_release(&x->names);
}

static const struct cfh_handler handlers[] = {
	{ "AWS::Logs::LogGroup", retention },
	{ "AWS::Lambda::Function", function },
	{ "AWS::Serverless::Function", function },
	{ "AWS::CodeBuild::Project", build },
};

const struct cfh_pass_ops cfh_pass_logs = {
	.state_size = sizeof(struct logs),
	.before = before,
	.handlers = handlers,
	.nhandlers = CFH_ARRAY_SIZE(handlers),
	.release = release,
};

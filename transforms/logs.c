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
 *                                          RetentionInDays: 30
 *
 * The encryption pass, run again by the engine after this one, encrypts
 * the new groups with the template's key and admits CloudWatch Logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "passlib.h"


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
static int grant(struct cfh_template *t, const char *role, const char *group)
{
	return cfh_role_grant_take(
		t, role, GRANT_POLICY,
		json_pack("[{s:s, s:[s,s], s:o}]", "Effect", "Allow", "Action",
			  "logs:CreateLogStream", "logs:PutLogEvents",
			  "Resource", cfh_json_getatt(group, "Arn")),
		"let the role write to its log group, and to nothing else");
}

static int add_group(struct cfh_template *t, const char *id,
		     struct cfh_node *res, bool build)
{
	struct cfh_node *p;
	const char *group, *role = cfh_role_of(t, res, true);
	char base[256];

	/* A SAM function's role is SAM's: it adds the permissions for a
	 * LoggingConfig log group itself. Anywhere else the role must be
	 * the template's, or the principal could not write its logs. */
	if (!role && !cfh_res_is(res, "AWS::Serverless::Function"))
		return cfh_advise(t, res,
				  "no log group with a retention, and its role "
				  "is not in the template: add one and let the "
				  "role write to it");
	snprintf(base, sizeof(base), "%sLogGroup", id);
	group = cfh_fresh_id(t, base);
	if (!group ||
	    cfh_edit_add_resource_take(
		    t, group, id,
		    json_pack("{s:s, s:{s:i}}", "Type", "AWS::Logs::LogGroup",
			      "Properties", "RetentionInDays",
			      (int)cfh_opt_int(t, "retention-days")),
		    "a log group the stack owns, with a retention: otherwise "
		    "the service creates one on first use, kept forever and "
		    "left behind (S003-17)",
		    NULL))
		return -1;
	p = cfh_res_props(t, res, "add Properties");
	if (!p)
		return -1;
	if (build) {
		if (cfh_edit_set_take(t, p, "LogsConfig",
				      json_pack("{s:{s:s, s:o}}", "CloudWatchLogs",
						"Status", "ENABLED", "GroupName",
						cfh_json_ref(group)),
				      "build logs go to the stack's log group",
				      NULL))
			return -1;
	} else if (cfh_edit_set_take(t, p, "LoggingConfig",
				     json_pack("{s:o}", "LogGroup",
					       cfh_json_ref(group)),
				     "function logs go to the stack's log group, "
				     "which exists before the first write",
				     NULL)) {
		return -1;
	}
	return role ? grant(t, role, group) : 0;
}

int cfh_pass_logs(struct cfh_template *t)
{
	struct cfh_ids ids = { 0 }, names = { 0 };
	long long days = cfh_opt_int(t, "retention-days");
	struct cfh_entry *e;
	char why[96];
	size_t i;
	int rc = -1;

	snprintf(why, sizeof(why), "logs kept forever cost forever: keep them "
		 "%lld days (S003-17)", days);

	cfh_for_each_resource(t, e) {
		const char *name = name_text(cfh_map_path(e->value, "Properties",
							  "LogGroupName", NULL));

		if (cfh_res_is(e->value, "AWS::Logs::LogGroup") && name &&
		    cfh_ids_add(&names, name))
			goto out;
	}
	if (cfh_pass_resources(t, &ids))
		goto out;
	for (i = 0; i < ids.n; i++) {
		struct cfh_node *res = cfh_resource(t, ids.v[i]), *p;

		if (cfh_res_is(res, "AWS::Logs::LogGroup")) {
			p = cfh_res_props(t, res, "add Properties");
			if (!p)
				continue;
			if (!cfh_map_get(p, "RetentionInDays") &&
			    cfh_edit_set_take(t, p, "RetentionInDays",
					      json_integer(days), why, NULL))
				goto out;
			continue;
		}
		if ((cfh_res_is(res, "AWS::Lambda::Function") ||
		     cfh_res_is(res, "AWS::Serverless::Function")) &&
		    !has_log_group(t, ids.v[i], res, &names) &&
		    add_group(t, ids.v[i], res, false))
			goto out;
		if (cfh_res_is(res, "AWS::CodeBuild::Project") &&
		    !cfh_node_str_eq(cfh_map_path(props_of(res), "LogsConfig",
						  "CloudWatchLogs", "Status",
						  NULL),
				     "DISABLED") &&
		    !has_log_group(t, ids.v[i], res, &names) &&
		    add_group(t, ids.v[i], res, true))
			goto out;
	}
	rc = 0;
out:
	cfh_ids_release(&ids);
	cfh_ids_release(&names);
	return rc;
}
